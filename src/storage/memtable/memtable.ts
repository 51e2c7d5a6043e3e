// The memtable: one per table, a write-back cache of partition updates sorted by token then
// partition key (B+tree keyed by partitionSortKey), rows sorted by clustering sort key.
//
// Rows live in slab Buffers (_slabs.ts, format in _row_format.ts), not as JS objects: the tree
// holds each partition's sort key and either the address of its only row (a number) or a small
// MemPartition with the addresses of its rows. A row is decoded when read or flushed; a write to
// an existing row decodes it, reconciles (mergeRows) and appends the merged row, so each row
// still exists once as far as readers can tell.

import { assert } from '../../util/assert.js';
import type { TableMetadata } from '../../schema/metadata.js';
import type { ClusteringBound, DeletionTime, Partition, PartitionUpdate, RangeTombstone, Row, Slice } from '../data.js';
import { afterStart, beforeEnd, partitionKeyOfSortKey, partitionSortKey, tableOrder, tokenOfSortKey, type CKey, type TableOrder } from '../_order.js';
import { maxDeletion, mergeRangeTombstones, mergeRows, normalizeRow } from '../reconcile.js';
import { SortedMap } from './btree.js';
import { RecordRefs, decodeClustering, isValueByReference, decodeRow, encodedRowBytes, encodeRow } from './_row_format.js';
import { Slabs } from './_slabs.js';

// What the memtable's heap objects cost (Node 20, 64-bit, no pointer compression), measured with
// bench/memtable_heap.mjs (memtable README); the slabs are counted by their allocated bytes. The
// sum, sizeBytes, is held against memtable_space, so the limit bounds the real footprint.
/** A partition's sort key string (16 hex digits + the key, counted apart) and its B+tree slot. */
const PARTITION_OVERHEAD_BYTES = 66;
/** A MemPartition: the object, its key and address arrays (for partitions of more than one row or with deletions). */
const MEM_PARTITION_OVERHEAD_BYTES = 180;
/** One row of a MemPartition: its clustering key string (length counted apart) and array or tree slots. */
const PARTITION_ROW_OVERHEAD_BYTES = 45;
/** A range tombstone's objects (tombstone, slice, bounds, value arrays, deletion; bound values counted apart). */
const RANGE_TOMBSTONE_OVERHEAD_BYTES = 400;
/** One bound value's Buffer view into a slab. */
const BOUND_VALUE_OVERHEAD_BYTES = 100;
/** A value kept by reference: its Buffer object, array slot and Map entry (bytes counted apart). */
const VALUE_REFERENCE_OVERHEAD_BYTES = 200;

/** Rows of a partition kept in two sorted arrays up to this count, in a B+tree beyond it. */
const PARTITION_ROWS_IN_ARRAYS_MAX = 128;
/** MemPartition.staticRow when the partition has none. */
export const NO_ROW = -1;

const NO_RANGE_TOMBSTONES: RangeTombstone[] = Object.freeze([]) as unknown as RangeTombstone[];
const NO_CLUSTERING: Buffer[] = Object.freeze([]) as unknown as Buffer[];
const EMPTY_VALUE = Buffer.alloc(0);

/**
 * A partition that is more than one row: rows (addresses) by clustering key, static row, partition
 * deletion, range tombstones. A partition holding only one row is just that row's address.
 */
export class MemPartition {
  deletion: DeletionTime | undefined = undefined;
  /** Never mutated in place: replaced by a merged array (the empty one is shared). */
  rangeTombstones: RangeTombstone[] = NO_RANGE_TOMBSTONES;
  staticRow = NO_ROW;
  /** Sorted clustering keys and their rows' addresses, while at most PARTITION_ROWS_IN_ARRAYS_MAX. */
  keys: CKey[] = [];
  rows: number[] = [];
  /** Every row once there are more (then keys and rows are empty). */
  tree: SortedMap<CKey, number> | null = null;
}

/** What the partition tree holds per partition: the address of its only row, or a MemPartition. */
type Entry = number | MemPartition;

export interface TimestampRange {
  minTimestampMicros: number;
  maxTimestampMicros: number;
}

/** A partition's identity, as range reads walk memtables and SSTables together. */
export interface MemtablePartitionHeader {
  sortKey: string;
  key: Buffer;
  token: bigint;
}

export class Memtable {
  private readonly partitions = new SortedMap<string, Entry>(compareStrings, sortKeyPrefix);
  private readonly slabs = new Slabs();
  private readonly refs = new RecordRefs();
  /** Estimated heap of the tree, sort keys, MemPartitions, clustering keys and range tombstones. */
  private heapBytes = 0;
  /** Estimated real footprint: slab bytes allocated + heapBytes. */
  sizeBytes = 0;
  minTimestampMicros = Infinity;
  maxTimestampMicros = -Infinity;
  order: TableOrder;

  constructor(public table: TableMetadata) {
    this.order = tableOrder(table);
  }

  setTable(table: TableMetadata): void {
    this.table = table;
    this.order = tableOrder(table);
  }

  get isEmpty(): boolean {
    return this.partitions.size === 0;
  }

  get partitionCount(): number {
    return this.partitions.size;
  }

  /**
   * Merges the update in. Ownership (Storage.apply's rule): values of VALUE_BY_REFERENCE_BYTES_MIN
   * or more and a partition deletion's plain object are kept; everything else is copied into slabs.
   */
  apply(update: PartitionUpdate): void {
    const sortKey = partitionSortKey(update.token, update.key);
    const found = this.partitions.find(sortKey, tokenSortKeyPrefix(update.token));
    if (found === undefined) this.heapBytes += PARTITION_OVERHEAD_BYTES + sortKey.length;
    const oneRow = update.rows.length === 1 && update.partitionDeletion === undefined
      && update.rangeTombstones.length === 0 && update.staticRow === undefined;
    if (oneRow && found === undefined) {
      this.partitions.putFound(sortKey, this.writeRow(normalizeRow(this.order, update.rows[0]!)));
    } else if (oneRow && typeof found === 'number' && this.sameRow(found, update.rows[0]!)) {
      this.partitions.putFound(sortKey, this.mergeRow(found, normalizeRow(this.order, update.rows[0]!)));
    } else {
      const p = found === undefined ? this.newPartition() : typeof found === 'number' ? this.promote(found) : found;
      this.applyToPartition(p, update);
      if (p !== found) this.partitions.putFound(sortKey, p);
    }
    this.sizeBytes = this.heapBytes + this.slabs.allocatedBytes + this.refs.valueBytes + this.refs.valueCount * VALUE_REFERENCE_OVERHEAD_BYTES;
  }

  /** Is the stored row at `address` the one `row` writes to (same clustering)? */
  private sameRow(address: number, row: Row): boolean {
    if (this.order.clusteringSize === 0) return true;
    return this.order.compare(this.storedKey(address), this.order.key(row.clustering)) === 0;
  }

  private newPartition(): MemPartition {
    this.heapBytes += MEM_PARTITION_OVERHEAD_BYTES;
    return new MemPartition();
  }

  /** A MemPartition holding the one row stored at `address`. */
  private promote(address: number): MemPartition {
    const p = this.newPartition();
    const key = this.storedKey(address);
    p.keys.push(key);
    p.rows.push(address);
    this.heapBytes += rowSlotBytes(key);
    return p;
  }

  private applyToPartition(p: MemPartition, update: PartitionUpdate): void {
    const order = this.order;
    if (update.partitionDeletion) {
      p.deletion = maxDeletion(p.deletion, update.partitionDeletion);
      this.noteTimestamp(update.partitionDeletion.markedForDeleteAtMicros);
    }
    if (update.rangeTombstones.length > 0) {
      const copies = update.rangeTombstones.map((rt) => this.copyRangeTombstone(rt));
      p.rangeTombstones = mergeRangeTombstones(p.rangeTombstones, copies);
    }
    if (update.staticRow) {
      const sr = normalizeRow(order, update.staticRow);
      p.staticRow = p.staticRow === NO_ROW ? this.writeRow(sr) : this.mergeRow(p.staticRow, sr);
    }
    for (const raw of update.rows) this.addRow(p, normalizeRow(order, raw));
  }

  private addRow(p: MemPartition, row: Row): void {
    const key = this.order.key(row.clustering);
    if (p.tree !== null) {
      const existing = p.tree.find(key);
      if (existing !== undefined) {
        p.tree.putFound(key, this.mergeRow(existing, row));
        return;
      }
      const address = this.writeRow(row);
      const stored = this.keyToStore(key, address);
      this.heapBytes += rowSlotBytes(stored);
      p.tree.putFound(stored, address);
      return;
    }
    const i = lowerBound(this.order, p.keys, key);
    if (i < p.keys.length && this.order.compare(p.keys[i]!, key) === 0) {
      p.rows[i] = this.mergeRow(p.rows[i]!, row);
      return;
    }
    const address = this.writeRow(row);
    const stored = this.keyToStore(key, address);
    this.heapBytes += rowSlotBytes(stored);
    insertAt(p.keys, i, stored);
    insertAt(p.rows, i, address);
    if (p.keys.length > PARTITION_ROWS_IN_ARRAYS_MAX) this.toTree(p);
  }

  private toTree(p: MemPartition): void {
    const tree = new SortedMap<CKey, number>(this.order.compare);
    for (let i = 0; i < p.keys.length; i++) {
      tree.find(p.keys[i]!);
      tree.putFound(p.keys[i]!, p.rows[i]!);
    }
    p.tree = tree;
    p.keys = [];
    p.rows = [];
  }

  /** A clustering key to keep: string keys are copies already; array keys are rebuilt from slab views. */
  private keyToStore(key: CKey, address: number): CKey {
    return typeof key === 'string' ? key : this.storedKey(address);
  }

  /** The clustering key of the row stored at `address` (its values are views into the slab). */
  private storedKey(address: number): CKey {
    return this.order.key(decodeClustering(this.slabs.bufferOf(address), this.slabs.offsetOf(address)));
  }

  /** Encodes a normalized row into the slabs; returns its address. */
  private writeRow(row: Row): number {
    this.noteRowTimestamps(row);
    const n = encodedRowBytes(row);
    const address = this.slabs.reserve(n);
    const b = this.slabs.bufferOf(address);
    const at = this.slabs.offsetOf(address);
    const end = encodeRow(b, at, row, this.refs);
    // The message is built only on failure (a template argument would be built for every row).
    if (end !== at + n) assert(false, `memtable row encoded as ${end - at} bytes, sized ${n}`);
    return address;
  }

  /**
   * Reconciles `row` with the row stored at `address`; stores the result and returns its address.
   * The old record is superseded: values it kept by reference that the merged row does not keep are let go.
   */
  private mergeRow(address: number, row: Row): number {
    const old = this.rowAt(address);
    const merged = this.writeRow(mergeRows(this.order, old, row));
    for (const c of old.cells) if (isValueByReference(c.value)) this.refs.release(c.value!);
    return merged;
  }

  private rowAt(address: number): Row {
    return decodeRow(this.slabs.bufferOf(address), this.slabs.offsetOf(address), this.refs, NO_CLUSTERING);
  }

  private copyRangeTombstone(rt: RangeTombstone): RangeTombstone {
    this.noteTimestamp(rt.deletion.markedForDeleteAtMicros);
    const n = rt.slice.start.values.length + rt.slice.end.values.length;
    this.heapBytes += RANGE_TOMBSTONE_OVERHEAD_BYTES + n * BOUND_VALUE_OVERHEAD_BYTES;
    return {
      slice: { start: this.copyBound(rt.slice.start), end: this.copyBound(rt.slice.end) },
      deletion: { markedForDeleteAtMicros: rt.deletion.markedForDeleteAtMicros, localDeletionTimeSec: rt.deletion.localDeletionTimeSec },
    };
  }

  private copyBound(bound: ClusteringBound): ClusteringBound {
    return { values: bound.values.map((v) => this.copyValue(v)), inclusive: bound.inclusive };
  }

  private copyValue(v: Buffer): Buffer {
    if (v.length === 0) return EMPTY_VALUE;
    const address = this.slabs.reserve(v.length);
    const at = this.slabs.offsetOf(address);
    const b = this.slabs.bufferOf(address);
    b.set(v, at);
    return b.subarray(at, at + v.length);
  }

  private noteTimestamp(ts: number): void {
    if (ts < this.minTimestampMicros) this.minTimestampMicros = ts;
    if (ts > this.maxTimestampMicros) this.maxTimestampMicros = ts;
  }

  private noteRowTimestamps(row: Row): void {
    if (row.liveness) this.noteTimestamp(row.liveness.timestampMicros);
    if (row.deletion) this.noteTimestamp(row.deletion.markedForDeleteAtMicros);
    if (row.complexDeletions) for (const cd of row.complexDeletions) this.noteTimestamp(cd.deletion.markedForDeleteAtMicros);
    for (const c of row.cells) this.noteTimestamp(c.timestampMicros);
  }

  // ---- reading ---------------------------------------------------------------------------------

  /** Whether the memtable holds anything of the partition. */
  has(sortKey: string): boolean {
    return this.partitions.size > 0 && this.partitions.get(sortKey) !== undefined;
  }

  /** The partition's content restricted to slices (all rows when slices is empty), or undefined when absent. */
  read(sortKey: string, slices: Slice[]): Partition | undefined {
    if (this.partitions.size === 0) return undefined;
    const e = this.partitions.get(sortKey);
    return e === undefined ? undefined : this.toPartition(sortKey, e, slices);
  }

  /**
   * read() for a partition whose key and token the caller has (a key read): the same content,
   * with `header.key` as the partition's key (no key Buffer or token decoded from the sort key).
   */
  readPartition(header: MemtablePartitionHeader, slices: Slice[]): Partition | undefined {
    if (this.partitions.size === 0) return undefined;
    const e = this.partitions.get(header.sortKey);
    return e === undefined ? undefined : this.toPartitionOf(header.key, header.token, e, slices);
  }

  /** Every partition in token order, whole (for flush). Survives writes made while suspended. */
  *allPartitions(): IterableIterator<Partition> {
    for (const [sortKey, e] of this.partitions.entries()) yield this.toPartition(sortKey, e, []);
  }

  /**
   * For the flush transcoder (transcode.ts): every partition in order as its sort key and either
   * its only row's address or its MemPartition, plus the slabs and references the addresses point
   * into. Read-only: the memtable is frozen while it is flushed.
   */
  recordEntries(): IterableIterator<[string, number | MemPartition]> {
    return this.partitions.entries();
  }

  get recordSlabs(): Slabs { return this.slabs; }
  get recordRefs(): RecordRefs { return this.refs; }

  /** Partitions with sort key >= from, in order, without their content (range reads). */
  *headersFrom(from: string): IterableIterator<MemtablePartitionHeader> {
    for (const [sortKey] of this.partitions.entries(from)) yield { sortKey, key: partitionKeyOfSortKey(sortKey), token: tokenOfSortKey(sortKey) };
  }

  private toPartition(sortKey: string, e: Entry, slices: Slice[]): Partition {
    return this.toPartitionOf(partitionKeyOfSortKey(sortKey), tokenOfSortKey(sortKey), e, slices);
  }

  private toPartitionOf(key: Buffer, token: bigint, e: Entry, slices: Slice[]): Partition {
    if (typeof e === 'number') {
      // One row: its array made as a literal (a push to [] reserves 16 slots).
      const row = this.rowAt(e);
      const rows = slices.length === 0 || inSlices(this.order, this.order.key(row.clustering), slices) ? [row] : [];
      return { key, token, rangeTombstones: NO_RANGE_TOMBSTONES, rows };
    }
    const out: Partition = { key, token, rangeTombstones: NO_RANGE_TOMBSTONES, rows: [] };
    out.rangeTombstones = e.rangeTombstones;
    if (e.deletion) out.partitionDeletion = e.deletion;
    if (e.staticRow !== NO_ROW) out.staticRow = this.rowAt(e.staticRow);
    if (slices.length === 0) {
      if (e.tree === null) for (const address of e.rows) out.rows.push(this.rowAt(address));
      else for (const address of e.tree.values()) out.rows.push(this.rowAt(address));
      return out;
    }
    for (const slice of slices) this.readSlice(e, slice, out.rows);
    return out;
  }

  private readSlice(p: MemPartition, slice: Slice, out: Row[]): void {
    const order = this.order;
    const startKey = order.key(slice.start.values);
    const endKey = order.key(slice.end.values);
    const from = slice.start.values.length === 0 ? undefined : startKey;
    if (p.tree !== null) {
      for (const [k, address] of p.tree.entries(from)) {
        if (!beforeEnd(order, k, slice.end, endKey)) break;
        if (afterStart(order, k, slice.start, startKey)) out.push(this.rowAt(address));
      }
      return;
    }
    for (let i = from === undefined ? 0 : lowerBound(order, p.keys, from); i < p.keys.length; i++) {
      const k = p.keys[i]!;
      if (!beforeEnd(order, k, slice.end, endKey)) break;
      if (afterStart(order, k, slice.start, startKey)) out.push(this.rowAt(p.rows[i]!));
    }
  }
}

function inSlices(order: TableOrder, key: CKey, slices: Slice[]): boolean {
  for (const s of slices) {
    if (afterStart(order, key, s.start, order.key(s.start.values)) && beforeEnd(order, key, s.end, order.key(s.end.values))) return true;
  }
  return false;
}

/** First index whose key is >= key. */
function lowerBound(order: TableOrder, keys: CKey[], key: CKey): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (order.compare(keys[mid]!, key) < 0) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** Inserts v at index i, shifting by hand (Array#splice allocates a result array per call). */
function insertAt<T>(a: T[], i: number, v: T): void {
  for (let j = a.length; j > i; j--) a[j] = a[j - 1]!;
  a[i] = v;
}

function rowSlotBytes(key: CKey): number {
  return PARTITION_ROW_OVERHEAD_BYTES + (typeof key === 'string' ? key.length : key.length * BOUND_VALUE_OVERHEAD_BYTES);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const SORT_KEY_PREFIX_CHARS = 13; // 52 bits of the token's 16 hex digits: exact in a double

/** The top 52 bits of a partition sort key's token, or NaN for keys that are not full sort keys (seek bounds). */
function sortKeyPrefix(sortKey: string): number {
  if (sortKey.length < SORT_KEY_PREFIX_CHARS) return NaN;
  // parseInt(sortKey.slice(0, 13), 16) without the sliced string: sort keys hold lower-case hex.
  let v = 0;
  for (let i = 0; i < SORT_KEY_PREFIX_CHARS; i++) {
    const c = sortKey.charCodeAt(i);
    const d = c <= CHAR_9 ? c - CHAR_0 : c - CHAR_A_LOWER + 10;
    if (d < 0 || d > 15) return NaN;
    v = v * 16 + d;
  }
  return v;
}
// The token's two 32-bit words, as partitionSortKey reads them (written and read back within one call).
const tokenSlot = new BigInt64Array(1);
const tokenWords = new Uint32Array(tokenSlot.buffer);
const WORD_HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // little-endian: high word second
const LOW_WORD_PREFIX_BITS = 4 * SORT_KEY_PREFIX_CHARS - 32; // 20: the low word's top bits in the prefix

/**
 * sortKeyPrefix(partitionSortKey(token, key)) computed from the token's words (offset to unsigned,
 * top 52 bits), without parsing the sort key's hex digits. memtable.test.ts checks the equality.
 */
export function tokenSortKeyPrefix(token: bigint): number {
  tokenSlot[0] = token;
  const hi = (tokenWords[WORD_HI]! ^ 0x80000000) >>> 0;
  const lo = tokenWords[1 - WORD_HI]!;
  return hi * 2 ** LOW_WORD_PREFIX_BITS + (lo >>> (32 - LOW_WORD_PREFIX_BITS));
}

const CHAR_0 = 0x30;
const CHAR_9 = 0x39;
const CHAR_A_LOWER = 0x61;
