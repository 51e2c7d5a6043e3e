// Cassandra's sort order for serialized CQL values (the order of clustering keys, of frozen set
// elements and map keys, and of MIN/MAX). Every function takes two serialized values of the same
// type and returns <0, 0 or >0. A zero-length ("empty") value sorts before every other value of
// its type. Fixed-size types are compared without allocating.
//
// The per-type rules (see README.md for the table):
//   tinyint/smallint/int/bigint/counter/timestamp/time  signed big-endian integer
//   varint        two's complement integer of any length, numerically
//   decimal       numerically (1.0 == 1.00), via bigint
//   float/double  Java's Float.compare / Double.compare: -0 < +0, NaN above +Infinity, NaN == NaN
//   date          unsigned 32-bit days (epoch at 2^31), so unsigned bytes
//   text/ascii/blob/inet/duration/custom  unsigned bytes, shorter prefix first
//   boolean       false < true
//   uuid          version nibble first; v1 by timestamp then unsigned low 8 bytes; others unsigned bytes
//   timeuuid      timestamp, then low 8 bytes compared as signed bytes (Cassandra's TimeUUIDType)
//   frozen list/set/map  element by element (map: key then value), then shorter first
//   tuple/UDT     field by field, a null field before any value, trailing nulls equal to missing fields

import { assert, assertNever } from '../util/assert.js';
import type { CqlType, NativeTypeName } from './types.js';

export type Comparator = (a: Buffer, b: Buffer) => number;

const COLLECTION_COUNT_BYTES = 4; // int32 element count (protocol v3+)
const VALUE_LENGTH_BYTES = 4; // int32 length before each element; -1 is null (tuples/UDTs only)
const UUID_BYTES = 16;
const DECIMAL_SCALE_BYTES = 4;

/** Compares two serialized values of `type` in Cassandra's order. */
export function compareValues(type: CqlType, a: Buffer, b: Buffer): number {
  return comparatorFor(type)(a, b);
}

/**
 * Returns the comparator for `type` with the type switch resolved once. Comparators for native
 * types are shared module constants; collection, tuple and UDT comparators are built per call,
 * so callers on a hot path should keep the result (e.g. one per clustering column).
 */
export function comparatorFor(type: CqlType): Comparator {
  switch (type.kind) {
    case 'native': return nativeComparator(type.name);
    case 'list': case 'set': return listComparator(comparatorFor(type.element));
    case 'map': return mapComparator(comparatorFor(type.key), comparatorFor(type.value));
    case 'tuple': return tupleComparator(type.elements.map(comparatorFor));
    case 'udt': return tupleComparator(type.fieldTypes.map(comparatorFor));
    case 'custom': return compareBytes;
    default: return assertNever(type, 'CqlType');
  }
}

export function nativeComparator(name: NativeTypeName): Comparator {
  switch (name) {
    case 'tinyint': return compareSignedFixed;
    case 'smallint': return compareSignedFixed;
    case 'int': return compareSignedFixed;
    case 'bigint': case 'counter': case 'timestamp': case 'time': return compareSignedFixed;
    case 'varint': return compareVarint;
    case 'decimal': return compareDecimal;
    case 'float': return compareFloat;
    case 'double': return compareDouble;
    case 'boolean': return compareBoolean;
    case 'date': return compareBytes;
    case 'ascii': case 'text': case 'blob': case 'inet': case 'duration': return compareBytes;
    case 'uuid': return compareUuid;
    case 'timeuuid': return compareTimeuuid;
    case 'empty': return compareEmpty;
    default: return assertNever(name, 'native type');
  }
}

function emptyFirst(a: Buffer, b: Buffer): number {
  // Only called when at least one side is empty.
  return (a.length === 0 ? 0 : 1) - (b.length === 0 ? 0 : 1);
}

function compareEmpty(_a: Buffer, _b: Buffer): number {
  return 0;
}

/** Unsigned lexicographic byte order; a prefix sorts first. No allocation. */
export function compareBytes(a: Buffer, b: Buffer): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * Signed big-endian integers of the same width (1, 2, 4 or 8 bytes): the first byte is compared
 * signed, the rest unsigned. Works for every fixed-width signed type without allocating.
 */
function compareSignedFixed(a: Buffer, b: Buffer): number {
  if (a.length === 0 || b.length === 0) return emptyFirst(a, b);
  const first = ((a[0]! ^ 0x80) - (b[0]! ^ 0x80));
  if (first !== 0) return first;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 1; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function compareBoolean(a: Buffer, b: Buffer): number {
  if (a.length === 0 || b.length === 0) return emptyFirst(a, b);
  return (a[0] !== 0 ? 1 : 0) - (b[0] !== 0 ? 1 : 0);
}

/** Java's Double.compare on two numbers: total order, -0 < +0, NaN last and equal to itself. */
export function javaCompareNumbers(x: number, y: number): number {
  if (x < y) return -1;
  if (x > y) return 1;
  const xNaN = x !== x;
  const yNaN = y !== y;
  if (xNaN || yNaN) return (xNaN ? 1 : 0) - (yNaN ? 1 : 0);
  if (x === 0 && y === 0) return (Object.is(x, -0) ? 0 : 1) - (Object.is(y, -0) ? 0 : 1);
  return 0;
}

function compareFloat(a: Buffer, b: Buffer): number {
  if (a.length === 0 || b.length === 0) return emptyFirst(a, b);
  return javaCompareNumbers(a.readFloatBE(0), b.readFloatBE(0));
}

function compareDouble(a: Buffer, b: Buffer): number {
  if (a.length === 0 || b.length === 0) return emptyFirst(a, b);
  return javaCompareNumbers(a.readDoubleBE(0), b.readDoubleBE(0));
}

/** Numeric order of two's complement big-endian integers of any length. No allocation. */
export function compareVarint(a: Buffer, b: Buffer): number {
  if (a.length === 0 || b.length === 0) return emptyFirst(a, b);
  const aNegative = a[0]! >= 0x80;
  const bNegative = b[0]! >= 0x80;
  if (aNegative !== bNegative) return aNegative ? -1 : 1;
  // Skip redundant sign-extension bytes so the significant lengths can be compared.
  const aStart = significantStart(a, aNegative);
  const bStart = significantStart(b, bNegative);
  const aLen = a.length - aStart;
  const bLen = b.length - bStart;
  if (aLen !== bLen) return (aLen < bLen) !== aNegative ? -1 : 1;
  for (let i = 0; i < aLen; i++) {
    const d = a[aStart + i]! - b[bStart + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

function significantStart(v: Buffer, negative: boolean): number {
  const pad = negative ? 0xff : 0x00;
  let i = 0;
  while (i < v.length - 1 && v[i] === pad && (v[i + 1]! >= 0x80) === negative) i++;
  return i;
}

/** Reads a varint (two's complement, big-endian) as a bigint. */
export function readVarint(v: Buffer, start = 0, end = v.length): bigint {
  if (end <= start) return 0n;
  let n = 0n;
  for (let i = start; i < end; i++) n = (n << 8n) | BigInt(v[i]!);
  if (v[start]! >= 0x80) n -= 1n << BigInt((end - start) * 8);
  return n;
}

function compareDecimal(a: Buffer, b: Buffer): number {
  if (a.length === 0 || b.length === 0) return emptyFirst(a, b);
  assert(a.length >= DECIMAL_SCALE_BYTES && b.length >= DECIMAL_SCALE_BYTES, 'decimal shorter than its scale');
  const aScale = a.readInt32BE(0);
  const bScale = b.readInt32BE(0);
  if (aScale === bScale) return compareVarint(a.subarray(DECIMAL_SCALE_BYTES), b.subarray(DECIMAL_SCALE_BYTES));
  let x = readVarint(a, DECIMAL_SCALE_BYTES);
  let y = readVarint(b, DECIMAL_SCALE_BYTES);
  // Bring both to the larger scale: x * 10^-aScale vs y * 10^-bScale.
  if (aScale < bScale) x *= 10n ** BigInt(bScale - aScale);
  else y *= 10n ** BigInt(aScale - bScale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * UUIDType: the version nibble first; version 1 by its 60-bit timestamp; other versions by the
 * high 8 bytes unsigned; then the low 8 bytes unsigned.
 */
function compareUuid(a: Buffer, b: Buffer): number {
  if (a.length !== UUID_BYTES || b.length !== UUID_BYTES) return emptyFirst(a, b);
  const aVersion = a[6]! >> 4;
  const bVersion = b[6]! >> 4;
  if (aVersion !== bVersion) return aVersion - bVersion;
  const high = aVersion === 1 ? compareUuidTimestamps(a, b) : compareRange(a, b, 0, 8);
  if (high !== 0) return high;
  return compareRange(a, b, 8, 16);
}

/** TimeUUIDType: timestamp, then the low 8 bytes as signed bytes (kept for compatibility). */
function compareTimeuuid(a: Buffer, b: Buffer): number {
  if (a.length !== UUID_BYTES || b.length !== UUID_BYTES) return emptyFirst(a, b);
  const high = compareUuidTimestamps(a, b);
  if (high !== 0) return high;
  for (let i = 8; i < UUID_BYTES; i++) {
    const d = (a[i]! ^ 0x80) - (b[i]! ^ 0x80);
    if (d !== 0) return d;
  }
  return 0;
}

/** Bytes of a v1 uuid in timestamp order: time_hi_and_version (6,7), time_mid (4,5), time_low (0..3). */
const TIMESTAMP_BYTE_ORDER = [6, 7, 4, 5, 0, 1, 2, 3] as const;

function compareUuidTimestamps(a: Buffer, b: Buffer): number {
  for (const i of TIMESTAMP_BYTE_ORDER) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

function compareRange(a: Buffer, b: Buffer, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Frozen list or set: element-wise, then the shorter collection first. */
function listComparator(element: Comparator): Comparator {
  return (a, b) => {
    if (a.length === 0 || b.length === 0) return emptyFirst(a, b);
    const aCount = a.readInt32BE(0);
    const bCount = b.readInt32BE(0);
    let aAt = COLLECTION_COUNT_BYTES;
    let bAt = COLLECTION_COUNT_BYTES;
    const n = Math.min(aCount, bCount);
    for (let i = 0; i < n; i++) {
      const aLen = a.readInt32BE(aAt);
      const bLen = b.readInt32BE(bAt);
      aAt += VALUE_LENGTH_BYTES;
      bAt += VALUE_LENGTH_BYTES;
      const c = element(a.subarray(aAt, aAt + Math.max(aLen, 0)), b.subarray(bAt, bAt + Math.max(bLen, 0)));
      if (c !== 0) return c;
      aAt += Math.max(aLen, 0);
      bAt += Math.max(bLen, 0);
    }
    return aCount - bCount;
  };
}

/** Frozen map: entry by entry (key, then value), then the smaller map first. */
function mapComparator(key: Comparator, value: Comparator): Comparator {
  return (a, b) => {
    if (a.length === 0 || b.length === 0) return emptyFirst(a, b);
    const aCount = a.readInt32BE(0);
    const bCount = b.readInt32BE(0);
    const at = [COLLECTION_COUNT_BYTES, COLLECTION_COUNT_BYTES];
    const n = Math.min(aCount, bCount);
    for (let i = 0; i < 2 * n; i++) {
      const cmp = i % 2 === 0 ? key : value;
      const aLen = Math.max(a.readInt32BE(at[0]!), 0);
      const bLen = Math.max(b.readInt32BE(at[1]!), 0);
      const aStart = at[0]! + VALUE_LENGTH_BYTES;
      const bStart = at[1]! + VALUE_LENGTH_BYTES;
      const c = cmp(a.subarray(aStart, aStart + aLen), b.subarray(bStart, bStart + bLen));
      if (c !== 0) return c;
      at[0] = aStart + aLen;
      at[1] = bStart + bLen;
    }
    return aCount - bCount;
  };
}

/**
 * Tuple or UDT: field by field. A null field (length -1) sorts before any value; when one side
 * runs out of fields, it is equal if the other's remaining fields are all null, else smaller.
 */
function tupleComparator(fields: Comparator[]): Comparator {
  return (a, b) => {
    if (a.length === 0 || b.length === 0) return emptyFirst(a, b);
    let aAt = 0;
    let bAt = 0;
    for (let i = 0; aAt < a.length && bAt < b.length; i++) {
      const aLen = a.readInt32BE(aAt);
      const bLen = b.readInt32BE(bAt);
      aAt += VALUE_LENGTH_BYTES;
      bAt += VALUE_LENGTH_BYTES;
      if (aLen < 0 || bLen < 0) {
        if (aLen < 0 && bLen < 0) continue;
        return aLen < 0 ? -1 : 1;
      }
      const cmp = fields[i] ?? compareBytes;
      const c = cmp(a.subarray(aAt, aAt + aLen), b.subarray(bAt, bAt + bLen));
      if (c !== 0) return c;
      aAt += aLen;
      bAt += bLen;
    }
    const aRestNull = remainingFieldsNull(a, aAt);
    const bRestNull = remainingFieldsNull(b, bAt);
    if (aRestNull && bRestNull) return 0;
    if (aAt >= a.length) return bRestNull ? 0 : -1;
    return aRestNull ? 0 : 1;
  };
}

function remainingFieldsNull(v: Buffer, at: number): boolean {
  while (at < v.length) {
    const len = v.readInt32BE(at);
    if (len >= 0) return false;
    at += VALUE_LENGTH_BYTES;
  }
  return true;
}
