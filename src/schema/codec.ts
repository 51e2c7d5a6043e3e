// Serialized CQL values (native protocol v4/v5 section 6) <-> JavaScript values, and validation of
// serialized values that arrive from clients.
//
// JavaScript representation of each type (what deserialize returns; serialize also accepts the
// alternatives in brackets):
//   ascii, text            string
//   tinyint, smallint, int number                       [bigint]
//   bigint, counter, varint bigint                      [safe-integer number]
//   time                   bigint nanoseconds since midnight [number]
//   timestamp              number ms since the epoch    [bigint, Date]
//   date                   number days since 1970-01-01, signed [Date at UTC midnight]
//   float, double          number
//   decimal                Decimal {unscaled: bigint, scale: number} [number, decimal string]
//   duration               Duration {months, days, nanoseconds: bigint}
//   boolean                boolean
//   blob                   Buffer                       [Uint8Array]
//   uuid, timeuuid         lower-case string            [16-byte Buffer]
//   inet                   string (a.b.c.d or compressed IPv6) [4/16-byte Buffer]
//   list, set              array (set sorted and de-duplicated in Cassandra order) [Set]
//   map                    Map in key order             [array of [key, value]]
//   tuple                  array, null for a null field
//   udt                    object keyed by field name, null for a null field
//   empty                  null
// A zero-length value of a type that has no empty form of its own (all but text, ascii, blob
// and custom) deserializes to null ("empty value").

import { isUtf8 } from 'node:buffer';
import { assertNever } from '../util/assert.js';
import { InvalidRequest } from '../util/errors.js';
import { type Decimal, INT32_MAX, INT32_MIN, parseDecimal, readVarint, writeVarint } from './bignum.js';
import { comparatorFor } from './compare.js';
import { type Duration, DurationError, checkDuration, decodeDuration, encodeDuration } from './duration.js';
import { IPV4_BYTES, IPV6_BYTES, formatInet, parseInet } from './inet.js';
import { DATE_DAYS_MAX, DATE_DAYS_MIN, DATE_EPOCH_OFFSET, MS_PER_DAY, NANOS_PER_DAY } from './temporal.js';
import type { CqlType, NativeTypeName } from './types.js';
import { typeToCql } from './types.js';
import { UUID_BYTES, formatUuid, parseUuid, uuidVersion } from './uuid.js';

export type { Decimal, Duration };

export type CqlValue =
  | null | string | number | bigint | boolean | Buffer | Decimal | Duration
  | CqlValue[] | Map<CqlValue, CqlValue> | { [field: string]: CqlValue };

const COUNT_BYTES = 4; // int32 element count of a collection
const LENGTH_BYTES = 4; // int32 length before each element; -1 means null
/** Upper bound on elements in one collection value (Cassandra limits collections to 64k elements per query page; values are bounded by frame size anyway). */
export const COLLECTION_ELEMENTS_MAX = 2_000_000;

function invalid(message: string): InvalidRequest {
  return new InvalidRequest(message);
}

// ---------------------------------------------------------------- framing helpers

/** int32 count, then each element as int32 length + bytes (list and set values). */
export function serializeCollection(elements: readonly Buffer[]): Buffer {
  const size = elements.reduce((n, e) => n + LENGTH_BYTES + e.length, COUNT_BYTES);
  const out = Buffer.allocUnsafe(size);
  out.writeInt32BE(elements.length, 0);
  let at = COUNT_BYTES;
  for (const e of elements) {
    out.writeInt32BE(e.length, at);
    e.copy(out, at + LENGTH_BYTES);
    at += LENGTH_BYTES + e.length;
  }
  return out;
}

/** int32 count, then key and value alternately, each as int32 length + bytes. */
export function serializeMapEntries(entries: readonly (readonly [Buffer, Buffer])[]): Buffer {
  const flat: Buffer[] = [];
  for (const [k, v] of entries) flat.push(k, v);
  const out = serializeCollection(flat);
  out.writeInt32BE(entries.length, 0);
  return out;
}

/** Fields as int32 length + bytes, null as length -1 (tuple and UDT values). */
export function serializeTupleFields(fields: readonly (Buffer | null)[]): Buffer {
  const size = fields.reduce((n, f) => n + LENGTH_BYTES + (f === null ? 0 : f.length), 0);
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const f of fields) {
    out.writeInt32BE(f === null ? -1 : f.length, at);
    at += LENGTH_BYTES;
    if (f !== null) { f.copy(out, at); at += f.length; }
  }
  return out;
}

function readLength(bytes: Buffer, at: number, what: string): number {
  if (at + LENGTH_BYTES > bytes.length) throw invalid(`Not enough bytes to read ${what}`);
  return bytes.readInt32BE(at);
}

function readElement(bytes: Buffer, at: number, what: string): { value: Buffer; next: number } {
  const len = readLength(bytes, at, what);
  if (len < 0) throw invalid(`null is not supported inside collections (${what})`);
  const start = at + LENGTH_BYTES;
  if (start + len > bytes.length) throw invalid(`Not enough bytes to read ${what}`);
  return { value: bytes.subarray(start, start + len), next: start + len };
}

/** Element views (no copies) of a serialized list or set. */
export function splitCollection(bytes: Buffer, what = 'a list'): Buffer[] {
  const count = readLength(bytes, 0, what);
  if (count < 0 || count > COLLECTION_ELEMENTS_MAX) throw invalid(`Invalid element count ${count} in ${what}`);
  const out: Buffer[] = [];
  let at = COUNT_BYTES;
  for (let i = 0; i < count; i++) {
    const e = readElement(bytes, at, what);
    out.push(e.value);
    at = e.next;
  }
  if (at !== bytes.length) throw invalid(`Unexpected extraneous bytes after ${what.replace(/^an? /, '')} value`);
  return out;
}

/** Key/value views of a serialized map. */
export function splitMap(bytes: Buffer): [Buffer, Buffer][] {
  const count = readLength(bytes, 0, 'a map');
  if (count < 0 || count > COLLECTION_ELEMENTS_MAX) throw invalid(`Invalid element count ${count} in a map`);
  const out: [Buffer, Buffer][] = [];
  let at = COUNT_BYTES;
  for (let i = 0; i < count; i++) {
    const k = readElement(bytes, at, 'a map key');
    const v = readElement(bytes, k.next, 'a map value');
    out.push([k.value, v.value]);
    at = v.next;
  }
  if (at !== bytes.length) throw invalid('Unexpected extraneous bytes after map value');
  return out;
}

/** Field views of a tuple or UDT value; may hold fewer fields than the type (missing = null). */
export function splitTupleFields(bytes: Buffer, fieldCount: number, what = 'tuple'): (Buffer | null)[] {
  const out: (Buffer | null)[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (out.length >= fieldCount) throw invalid(`Invalid remaining data after end of ${what} value`);
    const len = readLength(bytes, at, `a ${what} field`);
    at += LENGTH_BYTES;
    if (len < 0) { out.push(null); continue; }
    if (at + len > bytes.length) throw invalid(`Not enough bytes to read field ${out.length} of ${what}`);
    out.push(bytes.subarray(at, at + len));
    at += len;
  }
  return out;
}

/** Sorts serialized set elements in Cassandra order and drops duplicates. */
export function sortSetElements(element: CqlType, elements: Buffer[]): Buffer[] {
  const cmp = comparatorFor(element);
  const sorted = [...elements].sort(cmp);
  return sorted.filter((e, i) => i === 0 || cmp(sorted[i - 1]!, e) !== 0);
}

/** Sorts serialized map entries by key; for a repeated key the last entry given wins. */
export function sortMapEntries(key: CqlType, entries: [Buffer, Buffer][]): [Buffer, Buffer][] {
  const cmp = comparatorFor(key);
  const indexed = entries.map((e, i) => ({ e, i }));
  indexed.sort((x, y) => cmp(x.e[0], y.e[0]) || y.i - x.i);
  return indexed.filter((x, i) => i === 0 || cmp(indexed[i - 1]!.e[0], x.e[0]) !== 0).map((x) => x.e);
}

// ---------------------------------------------------------------- validate

/** Throws InvalidRequest (naming the type and the problem) unless `bytes` is a valid `type` value. */
export function validate(type: CqlType, bytes: Buffer): void {
  switch (type.kind) {
    case 'native': return validateNative(type.name, bytes);
    case 'list': case 'set':
      for (const e of splitCollection(bytes, type.kind === 'list' ? 'a list' : 'a set')) validate(type.element, e);
      return;
    case 'map':
      for (const [k, v] of splitMap(bytes)) { validate(type.key, k); validate(type.value, v); }
      return;
    case 'tuple': return validateFields(type.elements, bytes, 'tuple');
    case 'udt': return validateFields(type.fieldTypes, bytes, `user type ${type.name}`);
    case 'custom': return;
    default: return assertNever(type, 'CqlType');
  }
}

function validateFields(types: CqlType[], bytes: Buffer, what: string): void {
  const fields = splitTupleFields(bytes, types.length, what);
  fields.forEach((f, i) => { if (f !== null) validate(types[i]!, f); });
}

function expectSize(bytes: Buffer, sizes: readonly number[], message: string): void {
  if (!sizes.includes(bytes.length)) throw invalid(`${message} (${bytes.length})`);
}

function validateNative(name: NativeTypeName, bytes: Buffer): void {
  switch (name) {
    case 'int': return expectSize(bytes, [4, 0], 'Expected 4 or 0 byte int');
    case 'bigint': case 'counter': return expectSize(bytes, [8, 0], 'Expected 8 or 0 byte long');
    case 'smallint': return expectSize(bytes, [2, 0], 'Expected 2 bytes for a smallint');
    case 'tinyint': return expectSize(bytes, [1, 0], 'Expected 1 byte for a tinyint');
    case 'float': return expectSize(bytes, [4, 0], 'Expected 4 or 0 byte value for a float');
    case 'double': return expectSize(bytes, [8, 0], 'Expected 8 or 0 byte value for a double');
    case 'boolean': return expectSize(bytes, [1, 0], 'Expected 1 or 0 byte value');
    case 'timestamp': return expectSize(bytes, [8, 0], 'Expected 8 or 0 byte long for date');
    case 'date': return expectSize(bytes, [4, 0], 'Expected 4 byte long for date');
    case 'time': return validateTime(bytes);
    case 'uuid': return expectSize(bytes, [UUID_BYTES, 0], 'UUID should be 16 or 0 bytes');
    case 'timeuuid': return validateTimeuuid(bytes);
    case 'inet': return expectSize(bytes, [IPV4_BYTES, IPV6_BYTES, 0], 'Expected 4 or 16 byte inetaddress');
    case 'decimal':
      if (bytes.length !== 0 && bytes.length < 4) throw invalid(`Expected 0 or at least 4 bytes for a decimal (${bytes.length})`);
      return;
    case 'varint': case 'blob': case 'empty': return;
    case 'ascii': return validateAscii(bytes);
    case 'text':
      if (!isUtf8(bytes)) throw invalid('Invalid UTF-8 bytes for text: String didn\'t validate.');
      return;
    case 'duration': return validateDuration(bytes);
    default: return assertNever(name, 'native type');
  }
}

function validateTime(bytes: Buffer): void {
  expectSize(bytes, [8, 0], 'Expected 8 byte long for time');
  if (bytes.length === 0) return;
  const nanos = bytes.readBigInt64BE(0);
  if (nanos < 0n || nanos >= NANOS_PER_DAY) throw invalid(`Time value (${nanos}) is out of range for time: must be between 0 and 86399999999999 nanoseconds`);
}

function validateTimeuuid(bytes: Buffer): void {
  expectSize(bytes, [UUID_BYTES, 0], 'TimeUUID should be 16 or 0 bytes');
  if (bytes.length === UUID_BYTES && uuidVersion(bytes) !== 1) throw invalid('Invalid version for TimeUUID type.');
}

function validateAscii(bytes: Buffer): void {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! > 0x7f) throw invalid(`Invalid byte for ascii: ${bytes[i]! - 256}`);
  }
}

function validateDuration(bytes: Buffer): void {
  try {
    if (bytes.length > 0) decodeDuration(bytes);
  } catch (e) {
    if (e instanceof DurationError) throw invalid(e.message);
    throw e;
  }
}

// ---------------------------------------------------------------- deserialize

/** The JavaScript value of a valid serialized value (see the table at the top of this file). */
export function deserialize(type: CqlType, bytes: Buffer): CqlValue {
  switch (type.kind) {
    case 'native': return deserializeNative(type.name, bytes);
    case 'list': case 'set':
      if (bytes.length === 0) return null;
      return splitCollection(bytes).map((e) => deserialize(type.element, e));
    case 'map': {
      if (bytes.length === 0) return null;
      return new Map(splitMap(bytes).map(([k, v]) => [deserialize(type.key, k), deserialize(type.value, v)]));
    }
    case 'tuple': {
      if (bytes.length === 0) return null;
      const fields = splitTupleFields(bytes, type.elements.length);
      return type.elements.map((t, i) => (fields[i] == null ? null : deserialize(t, fields[i]!)));
    }
    case 'udt': {
      if (bytes.length === 0) return null;
      const fields = splitTupleFields(bytes, type.fieldTypes.length, `user type ${type.name}`);
      const out: { [field: string]: CqlValue } = {};
      type.fieldNames.forEach((n, i) => { out[n] = fields[i] == null ? null : deserialize(type.fieldTypes[i]!, fields[i]!); });
      return out;
    }
    case 'custom': return Buffer.from(bytes);
    default: return assertNever(type, 'CqlType');
  }
}

function deserializeNative(name: NativeTypeName, b: Buffer): CqlValue {
  if (b.length === 0 && name !== 'text' && name !== 'ascii' && name !== 'blob') return null;
  switch (name) {
    case 'ascii': case 'text': return b.toString('utf8');
    case 'blob': return Buffer.from(b);
    case 'tinyint': return b.readInt8(0);
    case 'smallint': return b.readInt16BE(0);
    case 'int': return b.readInt32BE(0);
    case 'bigint': case 'counter': case 'time': return b.readBigInt64BE(0);
    case 'varint': return readVarint(b);
    case 'timestamp': return Number(b.readBigInt64BE(0));
    case 'date': return b.readUInt32BE(0) - DATE_EPOCH_OFFSET;
    case 'float': return b.readFloatBE(0);
    case 'double': return b.readDoubleBE(0);
    case 'decimal': return { unscaled: readVarint(b, 4), scale: b.readInt32BE(0) };
    case 'duration': return decodeDuration(b);
    case 'boolean': return b[0] !== 0;
    case 'uuid': case 'timeuuid': return formatUuid(b);
    case 'inet': return formatInet(b);
    case 'empty': return null;
    default: return assertNever(name, 'native type');
  }
}

// ---------------------------------------------------------------- serialize

function wrongValue(type: CqlType, value: unknown, expected: string): InvalidRequest {
  const shown = typeof value === 'bigint' ? `${value}n` : Buffer.isBuffer(value) ? `0x${value.toString('hex')}` : String(value);
  return invalid(`Invalid value ${shown.slice(0, 100)} for type ${typeToCql(type)}: expected ${expected}`);
}

/**
 * Serializes a JavaScript value (see the table at the top of this file). Throws InvalidRequest
 * when the value has the wrong shape or is out of range. `null` is not a value: callers encode
 * null themselves (except inside tuples and UDTs, where a null field is written as length -1).
 */
export function serialize(type: CqlType, value: CqlValue | Date | Set<CqlValue> | Uint8Array): Buffer {
  switch (type.kind) {
    case 'native': return serializeNative(type, type.name, value);
    case 'list': case 'set': {
      const items = value instanceof Set ? [...value] : value;
      if (!Array.isArray(items)) throw wrongValue(type, value, 'an array');
      const elements = items.map((v) => serializeElement(type.element, v));
      return serializeCollection(type.kind === 'set' ? sortSetElements(type.element, elements) : elements);
    }
    case 'map': {
      const entries = value instanceof Map ? [...value.entries()] : value;
      if (!Array.isArray(entries)) throw wrongValue(type, value, 'a Map or an array of [key, value]');
      const serialized = entries.map((e): [Buffer, Buffer] => {
        if (!Array.isArray(e) || e.length !== 2) throw wrongValue(type, e, 'a [key, value] pair');
        return [serializeElement(type.key, e[0]!), serializeElement(type.value, e[1]!)];
      });
      return serializeMapEntries(sortMapEntries(type.key, serialized));
    }
    case 'tuple': {
      if (!Array.isArray(value) || value.length > type.elements.length) throw wrongValue(type, value, `an array of at most ${type.elements.length} fields`);
      return serializeTupleFields(type.elements.map((t, i) => (value[i] == null ? null : serialize(t, value[i]!))));
    }
    case 'udt': return serializeUdt(type, value);
    case 'custom':
      if (!(value instanceof Uint8Array)) throw wrongValue(type, value, 'bytes');
      return Buffer.from(value);
    default: return assertNever(type, 'CqlType');
  }
}

function serializeElement(type: CqlType, v: CqlValue): Buffer {
  if (v === null || v === undefined) throw invalid('null is not supported inside collections');
  return serialize(type, v);
}

function serializeUdt(type: Extract<CqlType, { kind: 'udt' }>, value: unknown): Buffer {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
    throw wrongValue(type, value, 'an object keyed by field name');
  }
  const record = value as { [field: string]: CqlValue };
  for (const k of Object.keys(record)) {
    if (!type.fieldNames.includes(k)) throw invalid(`Unknown field '${k}' in value of user defined type ${type.name}`);
  }
  return serializeTupleFields(type.fieldNames.map((n, i) => (record[n] == null ? null : serialize(type.fieldTypes[i]!, record[n]!))));
}

function toInteger(type: CqlType, value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw wrongValue(type, value, 'an integer');
}

function fixedInt(type: CqlType, value: unknown, bits: 8 | 16 | 32 | 64): Buffer {
  const n = toInteger(type, value);
  const limit = 1n << BigInt(bits - 1);
  if (n < -limit || n >= limit) throw wrongValue(type, value, `an integer in [${-limit}, ${limit - 1n}]`);
  const out = Buffer.allocUnsafe(bits / 8);
  if (bits === 8) out.writeInt8(Number(n));
  else if (bits === 16) out.writeInt16BE(Number(n));
  else if (bits === 32) out.writeInt32BE(Number(n));
  else out.writeBigInt64BE(n);
  return out;
}

function serializeNative(type: CqlType, name: NativeTypeName, value: unknown): Buffer {
  switch (name) {
    case 'ascii': case 'text': return serializeText(type, name, value);
    case 'blob':
      if (!(value instanceof Uint8Array)) throw wrongValue(type, value, 'a Buffer');
      return Buffer.from(value);
    case 'tinyint': return fixedInt(type, value, 8);
    case 'smallint': return fixedInt(type, value, 16);
    case 'int': return fixedInt(type, value, 32);
    case 'bigint': case 'counter': return fixedInt(type, value, 64);
    case 'varint': return writeVarint(toInteger(type, value));
    case 'time': return serializeTime(type, value);
    case 'timestamp': return fixedInt(type, value instanceof Date ? value.getTime() : value, 64);
    case 'date': return serializeDate(type, value);
    case 'float': case 'double': return serializeFloating(type, name, value);
    case 'decimal': return serializeDecimal(type, value);
    case 'duration': return serializeDuration(type, value);
    case 'boolean':
      if (typeof value !== 'boolean') throw wrongValue(type, value, 'true or false');
      return Buffer.from([value ? 1 : 0]);
    case 'uuid': case 'timeuuid': return serializeUuid(type, name, value);
    case 'inet': return serializeInet(type, value);
    case 'empty': return Buffer.alloc(0);
    default: return assertNever(name, 'native type');
  }
}

function serializeText(type: CqlType, name: 'ascii' | 'text', value: unknown): Buffer {
  if (typeof value !== 'string') throw wrongValue(type, value, 'a string');
  const out = Buffer.from(value, 'utf8');
  if (name === 'ascii') validateAscii(out);
  return out;
}

function serializeTime(type: CqlType, value: unknown): Buffer {
  const n = toInteger(type, value);
  if (n < 0n || n >= NANOS_PER_DAY) throw wrongValue(type, value, 'nanoseconds in [0, 86399999999999]');
  const out = Buffer.allocUnsafe(8);
  out.writeBigInt64BE(n);
  return out;
}

function serializeDate(type: CqlType, value: unknown): Buffer {
  const days = value instanceof Date ? Math.floor(value.getTime() / MS_PER_DAY) : value;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < DATE_DAYS_MIN || days > DATE_DAYS_MAX) {
    throw wrongValue(type, value, 'days since 1970-01-01 in [-2^31, 2^31-1]');
  }
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(days + DATE_EPOCH_OFFSET);
  return out;
}

function serializeFloating(type: CqlType, name: 'float' | 'double', value: unknown): Buffer {
  if (typeof value !== 'number') throw wrongValue(type, value, 'a number');
  const out = Buffer.allocUnsafe(name === 'float' ? 4 : 8);
  if (name === 'float') out.writeFloatBE(value);
  else out.writeDoubleBE(value);
  return out;
}

function serializeDecimal(type: CqlType, value: unknown): Buffer {
  let d: Decimal | null = null;
  if (typeof value === 'string') d = parseDecimal(value);
  else if (typeof value === 'number' && Number.isFinite(value)) d = parseDecimal(String(value));
  else if (typeof value === 'bigint') d = { unscaled: value, scale: 0 };
  else if (isDecimal(value)) d = value;
  if (d === null || !Number.isInteger(d.scale) || d.scale < INT32_MIN || d.scale > INT32_MAX) {
    throw wrongValue(type, value, '{unscaled: bigint, scale: int32}');
  }
  const unscaled = writeVarint(d.unscaled);
  const out = Buffer.allocUnsafe(4 + unscaled.length);
  out.writeInt32BE(d.scale, 0);
  unscaled.copy(out, 4);
  return out;
}

export function isDecimal(v: unknown): v is Decimal {
  return typeof v === 'object' && v !== null && typeof (v as Decimal).unscaled === 'bigint' && typeof (v as Decimal).scale === 'number';
}

export function isDuration(v: unknown): v is Duration {
  return typeof v === 'object' && v !== null && typeof (v as Duration).months === 'number'
    && typeof (v as Duration).days === 'number' && typeof (v as Duration).nanoseconds === 'bigint';
}

function serializeDuration(type: CqlType, value: unknown): Buffer {
  if (!isDuration(value)) throw wrongValue(type, value, '{months, days, nanoseconds: bigint}');
  try {
    checkDuration(value);
  } catch (e) {
    if (e instanceof DurationError) throw invalid(e.message);
    throw e;
  }
  return encodeDuration(value);
}

function serializeUuid(type: CqlType, name: 'uuid' | 'timeuuid', value: unknown): Buffer {
  const bytes = typeof value === 'string' ? parseUuid(value)
    : value instanceof Uint8Array && value.length === UUID_BYTES ? Buffer.from(value) : null;
  if (bytes === null) throw wrongValue(type, value, 'a uuid string');
  if (name === 'timeuuid' && uuidVersion(bytes) !== 1) throw invalid(`Invalid version for TimeUUID type: ${formatUuid(bytes)} is version ${uuidVersion(bytes)}`);
  return bytes;
}

function serializeInet(type: CqlType, value: unknown): Buffer {
  const bytes = typeof value === 'string' ? parseInet(value)
    : value instanceof Uint8Array && (value.length === IPV4_BYTES || value.length === IPV6_BYTES) ? Buffer.from(value) : null;
  if (bytes === null) throw wrongValue(type, value, 'an IPv4 or IPv6 address');
  return bytes;
}

/** True when the type's values may be fixed-size and empty bytes are its "empty value" (not a real value). */
export function emptyIsNull(type: CqlType): boolean {
  return !(type.kind === 'native' && (type.name === 'text' || type.name === 'ascii' || type.name === 'blob')) && type.kind !== 'custom';
}

