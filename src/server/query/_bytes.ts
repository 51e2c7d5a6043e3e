// Byte-level helpers of the query layer: native-protocol collection/tuple serialization (v3+),
// Cassandra's composite partition-key encoding, and small fixed-width numbers.

import { InvalidRequest } from '../../util/errors.js';

const COUNT_BYTES = 4; // int32 element count of a serialized collection
const LENGTH_BYTES = 4; // int32 length before each element (-1: null, tuples/UDTs only)

/** [int n][bytes]... : a serialized list or set. */
export function serializeElements(elements: Buffer[]): Buffer {
  const parts: Buffer[] = [int32(elements.length)];
  for (const e of elements) parts.push(int32(e.length), e);
  return Buffer.concat(parts);
}

/** [int n]([bytes k][bytes v])... : a serialized map. */
export function serializeMap(entries: [Buffer, Buffer][]): Buffer {
  const parts: Buffer[] = [int32(entries.length)];
  for (const [k, v] of entries) parts.push(int32(k.length), k, int32(v.length), v);
  return Buffer.concat(parts);
}

/** ([bytes])... with -1 for null: a serialized tuple or UDT. */
export function serializeTuple(fields: (Buffer | null)[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of fields) {
    if (f === null) parts.push(int32(-1));
    else parts.push(int32(f.length), f);
  }
  return Buffer.concat(parts);
}

/** Elements of a serialized list or set. Throws InvalidRequest on malformed input. */
export function deserializeElements(buf: Buffer, what = 'collection'): Buffer[] {
  const r = new Reader(buf, what);
  const n = r.int();
  if (n < 0) r.fail();
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) out.push(r.value());
  r.end();
  return out;
}

export function deserializeMap(buf: Buffer, what = 'map'): [Buffer, Buffer][] {
  const r = new Reader(buf, what);
  const n = r.int();
  if (n < 0) r.fail();
  const out: [Buffer, Buffer][] = [];
  for (let i = 0; i < n; i++) out.push([r.value(), r.value()]);
  r.end();
  return out;
}

/** Fields of a serialized tuple/UDT; missing trailing fields read as null up to `count`. */
export function deserializeTuple(buf: Buffer, count: number, what = 'tuple'): (Buffer | null)[] {
  const r = new Reader(buf, what);
  const out: (Buffer | null)[] = [];
  while (r.remaining() > 0) out.push(r.nullableValue());
  if (out.length > count) r.fail();
  while (out.length < count) out.push(null);
  return out;
}

// Partition keys: one implementation, in src/schema (the form drivers hash to route requests).
export { serializeCompositeKey as compositeKey, splitCompositeKey } from '../../schema/composite.js';

export function int32(v: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(v);
  return b;
}

export function int64(v: bigint): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigInt64BE(v);
  return b;
}

export function booleanValue(v: boolean): Buffer {
  return Buffer.from([v ? 1 : 0]);
}

/** Reads an int/bigint/smallint/tinyint/varint-sized signed big-endian value as a bigint. */
export function readSignedInteger(buf: Buffer): bigint {
  if (buf.length === 0) return 0n;
  let v = 0n;
  for (const byte of buf) v = (v << 8n) | BigInt(byte);
  const bits = BigInt(buf.length * 8);
  if (buf[0]! & 0x80) v -= 1n << bits;
  return v;
}

/** Minimal two's complement big-endian encoding of v (Cassandra's varint). */
export function varintBytes(v: bigint): Buffer {
  const out: number[] = [];
  let x = v;
  for (;;) {
    out.unshift(Number(x & 0xffn));
    const rest = x >> 8n;
    const signBit = (out[0]! & 0x80) !== 0;
    if ((rest === 0n && !signBit) || (rest === -1n && signBit)) break;
    x = rest;
  }
  return Buffer.from(out);
}

class Reader {
  private off = 0;
  constructor(private readonly buf: Buffer, private readonly what: string) {}
  remaining(): number {
    return this.buf.length - this.off;
  }
  fail(): never {
    throw new InvalidRequest(`Not enough bytes to read a ${this.what}`);
  }
  int(): number {
    if (this.off + LENGTH_BYTES > this.buf.length) this.fail();
    const v = this.buf.readInt32BE(this.off);
    this.off += LENGTH_BYTES;
    return v;
  }
  value(): Buffer {
    const n = this.int();
    if (n < 0) this.fail();
    return this.take(n);
  }
  nullableValue(): Buffer | null {
    const n = this.int();
    if (n < 0) return null;
    return this.take(n);
  }
  take(n: number): Buffer {
    if (this.off + n > this.buf.length) this.fail();
    const v = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return v;
  }
  end(): void {
    if (this.off !== this.buf.length) throw new InvalidRequest(`Unexpected extraneous bytes after ${this.what} value`);
  }
}

export const COLLECTION_COUNT_BYTES = COUNT_BYTES;
