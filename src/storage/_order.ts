// Per-table ordering context: clustering sort keys and cell-path order, built once per
// TableMetadata object and cached.
//
// Clustering keys are "CKeys": for tables whose clustering types all have a byte-comparable
// encoding (integers, timestamps, text, blob, inet, date, boolean, uuid, timeuuid) the key is a
// JS string compared with `<` (no Buffer.compare in hot sorted structures). Other tables fall back
// to arrays of serialized values compared with src/schema/compare.ts comparators. The encoding of
// a prefix of k values is a string prefix of the full key, so bounds compare by `startsWith`.
//
// Component encoding (ASC): empty value → "\u0000"; otherwise "\u0001" then
//   fixed-width signed ints: one char per byte, first byte with its sign bit flipped
//   date, boolean: one char per byte
//   text/ascii/blob/inet: one char per byte (byte + 1), then the terminator "\u0000"
//   timeuuid: 8 reordered timestamp bytes, then 8 low bytes with sign bits flipped
//   uuid: version nibble, then (v1) timeuuid timestamp + 8 low bytes, else 16 bytes
// DESC columns replace every char c of their component by 0xFFFF - c.

import { assert } from '../util/assert.js';
import { comparatorFor, compareBytes, type Comparator } from '../schema/compare.js';
import type { TableMetadata, ColumnMetadata } from '../schema/metadata.js';
import type { CqlType } from '../schema/types.js';
import type { ClusteringBound } from './data.js';

export type CKey = string | Buffer[];

export interface TableOrder {
  readonly table: TableMetadata;
  readonly clusteringSize: number;
  /** Sort key of a full clustering or of a prefix. */
  key(values: Buffer[]): CKey;
  /** Total order on full keys; a prefix sorts before its extensions. */
  compare(a: CKey, b: CKey): number;
  /** Compares a row key with a bound prefix: 0 when the row starts with the prefix. */
  compareToPrefix(row: CKey, prefix: CKey): number;
  /** Order of cell paths within one multi-cell column. */
  pathComparator(column: string): Comparator;
}

type Encoder = (v: Buffer) => string;

const cache = new WeakMap<TableMetadata, TableOrder>();

export function tableOrder(table: TableMetadata): TableOrder {
  let order = cache.get(table);
  if (!order) {
    order = buildOrder(table);
    cache.set(table, order);
  }
  return order;
}

function buildOrder(table: TableMetadata): TableOrder {
  const clustering = [...table.clustering].sort((a, b) => a.position - b.position);
  const encoders = clustering.map((c) => encoderFor(c.type));
  const pathCache = new Map<string, Comparator>();
  const pathComparator = (column: string): Comparator => {
    let cmp = pathCache.get(column);
    if (!cmp) {
      cmp = pathComparatorFor(table.columns.get(column));
      pathCache.set(column, cmp);
    }
    return cmp;
  };
  if (encoders.every((e) => e !== null)) {
    return stringOrder(table, clustering, encoders as Encoder[], pathComparator);
  }
  return arrayOrder(table, clustering, pathComparator);
}

function stringOrder(table: TableMetadata, columns: ColumnMetadata[], encoders: Encoder[],
                     pathComparator: (c: string) => Comparator): TableOrder {
  const desc = columns.map((c) => c.clusteringOrder === 'desc');
  return {
    table,
    clusteringSize: columns.length,
    key(values: Buffer[]): string {
      let s = '';
      for (let i = 0; i < values.length; i++) {
        const part = values[i]!.length === 0 ? '\u0000' : '\u0001' + encoders[i]!(values[i]!);
        s += desc[i] ? invert(part) : part;
      }
      return s;
    },
    compare(a: CKey, b: CKey): number {
      return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
    },
    compareToPrefix(row: CKey, prefix: CKey): number {
      const r = row as string;
      const p = prefix as string;
      if (r.startsWith(p)) return 0;
      return r < p ? -1 : 1;
    },
    pathComparator,
  };
}

function arrayOrder(table: TableMetadata, columns: ColumnMetadata[], pathComparator: (c: string) => Comparator): TableOrder {
  const comparators = columns.map((c) => {
    const cmp = comparatorFor(c.type);
    return c.clusteringOrder === 'desc' ? (a: Buffer, b: Buffer) => cmp(b, a) : cmp;
  });
  const comparePrefixes = (a: Buffer[], b: Buffer[]): number => {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const d = comparators[i]!(a[i]!, b[i]!);
      if (d !== 0) return d;
    }
    return 0;
  };
  return {
    table,
    clusteringSize: columns.length,
    key: (values) => values,
    compare(a: CKey, b: CKey): number {
      const d = comparePrefixes(a as Buffer[], b as Buffer[]);
      return d !== 0 ? d : (a as Buffer[]).length - (b as Buffer[]).length;
    },
    compareToPrefix: (row, prefix) => comparePrefixes(row as Buffer[], prefix as Buffer[]),
    pathComparator,
  };
}

function invert(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(0xffff - s.charCodeAt(i));
  return out;
}

function bytesChars(v: Buffer, from: number, to: number, add: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(v[i]! + add);
  return s;
}

function signedFixed(v: Buffer): string {
  return String.fromCharCode(v[0]! ^ 0x80) + bytesChars(v, 1, v.length, 0);
}

function variable(v: Buffer): string {
  return bytesChars(v, 0, v.length, 1) + '\u0000';
}

function timeuuidChars(v: Buffer): string {
  const ts = String.fromCharCode(v[6]! & 0x0f, v[7]!, v[4]!, v[5]!, v[0]!, v[1]!, v[2]!, v[3]!);
  let low = '';
  for (let i = 8; i < 16; i++) low += String.fromCharCode(v[i]! ^ 0x80);
  return ts + low;
}

function uuidChars(v: Buffer): string {
  const version = (v[6]! >> 4) & 0x0f;
  if (version === 1) {
    const ts = String.fromCharCode(v[6]! & 0x0f, v[7]!, v[4]!, v[5]!, v[0]!, v[1]!, v[2]!, v[3]!);
    return String.fromCharCode(version) + ts + bytesChars(v, 8, 16, 0);
  }
  return String.fromCharCode(version) + bytesChars(v, 0, 16, 0);
}

function encoderFor(type: CqlType): Encoder | null {
  if (type.kind !== 'native') return null;
  switch (type.name) {
    case 'tinyint': case 'smallint': case 'int': case 'bigint': case 'counter': case 'timestamp': case 'time':
      return signedFixed;
    case 'date': case 'boolean':
      return (v) => bytesChars(v, 0, v.length, 0);
    case 'ascii': case 'text': case 'blob': case 'inet':
      return variable;
    case 'timeuuid':
      return (v) => (v.length === 16 ? timeuuidChars(v) : variable(v));
    case 'uuid':
      return (v) => (v.length === 16 ? uuidChars(v) : variable(v));
    default:
      return null;
  }
}

function pathComparatorFor(column: ColumnMetadata | undefined): Comparator {
  const t = column?.type;
  if (!t) return compareBytes;
  switch (t.kind) {
    case 'list': return comparatorFor({ kind: 'native', name: 'timeuuid' });
    case 'set': return comparatorFor(t.element);
    case 'map': return comparatorFor(t.key);
    default: return compareBytes;
  }
}

/** Is the row key after the slice start (or at it, when inclusive)? */
export function afterStart(order: TableOrder, row: CKey, start: ClusteringBound, startKey: CKey): boolean {
  if (start.values.length === 0) return true;
  const d = order.compareToPrefix(row, startKey);
  return d > 0 || (d === 0 && start.inclusive);
}

/** Is the row key before the slice end (or at it, when inclusive)? */
export function beforeEnd(order: TableOrder, row: CKey, end: ClusteringBound, endKey: CKey): boolean {
  if (end.values.length === 0) return true;
  const d = order.compareToPrefix(row, endKey);
  return d < 0 || (d === 0 && end.inclusive);
}

const TOKEN_HEX_CHARS = 16; // the token offset to unsigned, as 16 lower-case hex digits
const SORT_KEY_SCRATCH_BYTES = TOKEN_HEX_CHARS + 0xffff; // partition keys are at most 65535 bytes
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
// Scratch for building sort keys: written and read back synchronously within one call.
const sortKeyScratch = Buffer.alloc(SORT_KEY_SCRATCH_BYTES);
const tokenSlot = new BigInt64Array(1);
const tokenWords = new Uint32Array(tokenSlot.buffer);
const WORD_HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // little-endian: high word second

const SHORT_KEY_BYTES = 32; // keys up to this size are copied by a loop (cheaper than a native copy call)

/** Node's Buffer#latin1Slice (untyped in @types/node): toString('latin1') without its argument checks. */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(this: Buffer, start: number, end: number): string }).latin1Slice;
function latin1(b: Buffer, end: number): string {
  return latin1Slice.call(b, 0, end);
}

/**
 * Writes the token's 16 hex digits (offset to unsigned: token + 2^63) into the scratch, from the
 * token's two 32-bit words (no bigint arithmetic or number-to-string conversion).
 */
function writeTokenHex(token: bigint): void {
  tokenSlot[0] = token;
  let hi = (tokenWords[WORD_HI]! ^ 0x80000000) >>> 0;
  let lo = tokenWords[1 - WORD_HI]!;
  for (let i = 7; i >= 0; i--) {
    sortKeyScratch[i] = HEX_DIGITS[hi & 15]!;
    sortKeyScratch[8 + i] = HEX_DIGITS[lo & 15]!;
    hi >>>= 4;
    lo >>>= 4;
  }
}

/**
 * Partition sort key: token (offset to unsigned, 16 hex digits) then the key bytes as latin1.
 * Built in a scratch buffer and decoded once: one flat string, no intermediate strings.
 */
export function partitionSortKey(token: bigint, key: Buffer): string {
  const end = TOKEN_HEX_CHARS + key.length;
  if (end > SORT_KEY_SCRATCH_BYTES) return tokenSortPrefix(token) + key.toString('latin1');
  writeTokenHex(token);
  if (key.length <= SHORT_KEY_BYTES) {
    for (let i = 0; i < key.length; i++) sortKeyScratch[TOKEN_HEX_CHARS + i] = key[i]!;
  } else key.copy(sortKeyScratch, TOKEN_HEX_CHARS);
  return latin1(sortKeyScratch, end);
}

export function tokenSortPrefix(token: bigint): string {
  writeTokenHex(token);
  return latin1(sortKeyScratch, TOKEN_HEX_CHARS);
}

/** The partition key of a sort key made by partitionSortKey (a new Buffer). */
export function partitionKeyOfSortKey(sortKey: string): Buffer {
  return Buffer.from(sortKey.substring(TOKEN_HEX_CHARS), 'latin1');
}

/** The token of a sort key made by partitionSortKey (its 16 hex digits, offset back to signed). */
export function tokenOfSortKey(sortKey: string): bigint {
  tokenWords[WORD_HI] = (hexWord(sortKey, 0) ^ 0x80000000) >>> 0;
  tokenWords[1 - WORD_HI] = hexWord(sortKey, 8);
  return tokenSlot[0]!;
}

/** Eight lower-case hex digits of s from `from` as a uint32. */
function hexWord(s: string, from: number): number {
  let v = 0;
  for (let i = from; i < from + 8; i++) {
    const c = s.charCodeAt(i);
    const d = c <= CHAR_9 ? c - CHAR_0 : c - CHAR_A_LOWER + 10;
    assert(d >= 0 && d <= 15, 'partition sort key without its token digits');
    v = v * 16 + d;
  }
  return v;
}
const CHAR_0 = 0x30;
const CHAR_9 = 0x39;
const CHAR_A_LOWER = 0x61;
