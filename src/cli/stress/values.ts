// Deterministic column values. A value is a function of (seed, column, value seed): text and
// blobs are windows into one seeded pool of bytes, so generating them copies nothing; numbers,
// uuids and dates are derived from the value seed. The same key always gets the same values,
// in every run with the same --seed.

import cassandra from 'cassandra-driver';
import { assert } from '../../util/assert.js';
import { Rng, mix32, sample, type Distribution } from './distribution.js';

const { types } = cassandra;

/** Bytes in the shared pool; values larger than a quarter of it are refused. */
export const POOL_BYTES = 1 << 20;
export const VALUE_BYTES_MAX = POOL_BYTES / 4;
const TEXT_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_';

export class ValuePool {
  readonly bytes: Buffer;
  readonly text: string;

  constructor(seed: number) {
    const rng = new Rng(mix32(seed, 0x706f6f6c));
    this.bytes = Buffer.allocUnsafe(POOL_BYTES);
    for (let i = 0; i < POOL_BYTES; i += 4) this.bytes.writeUInt32LE(rng.nextUint32(), i);
    let t = '';
    const chars: string[] = [];
    for (let i = 0; i < POOL_BYTES; i++) chars.push(TEXT_ALPHABET[this.bytes[i]! & 63]!);
    t = chars.join('');
    this.text = t;
  }

  private offset(hash: number, size: number): number {
    assert(size >= 0 && size <= VALUE_BYTES_MAX, `value size ${size} within 0..${VALUE_BYTES_MAX}`);
    return hash % (POOL_BYTES - size + 1);
  }

  /** `size` bytes chosen by `hash` (a view into the pool: callers must not write to it). */
  blob(hash: number, size: number): Buffer {
    const at = this.offset(hash, size);
    return this.bytes.subarray(at, at + size);
  }

  /** `size` characters of [A-Za-z0-9_-] chosen by `hash`. */
  string(hash: number, size: number): string {
    const at = this.offset(hash, size);
    return this.text.slice(at, at + size);
  }
}

/** CQL scalar types that values can be generated for (driver type codes). */
const CODE = types.dataTypes;

/** How to draw one column's values. */
export interface ColumnGenerator {
  name: string;
  /** Driver type code (types.dataTypes). */
  typeCode: number;
  size: Distribution;
  population: Distribution | null;
  /** Index of the column, mixed into its hashes so two columns differ. */
  salt: number;
}

export class UnsupportedTypeError extends Error {
  override name = 'UnsupportedTypeError';
}

const SUPPORTED_CODES = new Set<number>([CODE.ascii, CODE.text, CODE.varchar, CODE.blob, CODE.bigint, CODE.counter, CODE.int,
  CODE.smallint, CODE.tinyint, CODE.boolean, CODE.double, CODE.float, CODE.decimal, CODE.varint, CODE.timestamp, CODE.date,
  CODE.time, CODE.uuid, CODE.timeuuid, CODE.inet]);

export function checkSupported(name: string, typeCode: number): void {
  if (!SUPPORTED_CODES.has(typeCode)) {
    const typeName = Object.entries(CODE).find(([, c]) => c === typeCode)?.[0] ?? `type code ${typeCode}`;
    throw new UnsupportedTypeError(`column ${name}: cassia stress cannot generate values of type ${typeName} yet (scalar types only)`);
  }
}

const EPOCH_2020_MS = Date.UTC(2020, 0, 1);

/**
 * The value of column g for value seed v (a partition or row index, or a population draw), as
 * the npm driver expects it for that type.
 */
export function generateValue(g: ColumnGenerator, v: number, seed: number, pool: ValuePool, rng: Rng): unknown {
  const hash = mix32(seed, g.salt, v);
  switch (g.typeCode) {
    case CODE.ascii: case CODE.text: case CODE.varchar:
      return pool.string(hash, sample(g.size, rng.reseed(hash), v));
    case CODE.blob:
      return pool.blob(hash, sample(g.size, rng.reseed(hash), v));
    case CODE.bigint: case CODE.counter:
      return types.Long.fromNumber(v);
    case CODE.varint:
      return types.Integer.fromNumber(v);
    case CODE.int:
      return v | 0;
    case CODE.smallint:
      return ((v % 65536) + 65536) % 65536 - 32768;
    case CODE.tinyint:
      return ((v % 256) + 256) % 256 - 128;
    case CODE.boolean:
      return (hash & 1) === 1;
    case CODE.double: case CODE.float:
      return (v % 1_000_000) + (hash % 1000) / 1000;
    case CODE.decimal:
      return types.BigDecimal.fromString(`${v}.${hash % 1000}`);
    case CODE.timestamp:
      return new Date(EPOCH_2020_MS + v * 1000);
    case CODE.date:
      return types.LocalDate.fromDate(new Date(EPOCH_2020_MS + (v % 36_500) * 86_400_000));
    case CODE.time:
      return types.LocalTime.fromMilliseconds(v % 86_400_000);
    case CODE.uuid:
      return new types.Uuid(uuidBytes(hash, v, 0x40));
    case CODE.timeuuid:
      return new types.Uuid(uuidBytes(hash, v, 0x10));
    case CODE.inet:
      return new types.InetAddress(Buffer.from([10, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]));
    default:
      throw new UnsupportedTypeError(`column ${g.name}: type code ${g.typeCode}`);
  }
}

/** 16 bytes from (hash, v) with the version nibble and the RFC 4122 variant set. */
function uuidBytes(hash: number, v: number, versionBits: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(hash, 0);
  b.writeUInt32BE(mix32(hash, 1), 4);
  b.writeUInt32BE(Math.floor(v / 4294967296) >>> 0, 8);
  b.writeUInt32BE(v >>> 0, 12);
  b[6] = (b[6]! & 0x0f) | versionBits;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return b;
}
