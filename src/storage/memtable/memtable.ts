// The memtable: one per table, a write-back cache of partition updates sorted by token then
// partition key (skip list keyed by partitionSortKey), rows sorted by clustering sort key.
// Merging on insert keeps at most one version of each row and cell.

import type { TableMetadata } from '../../schema/metadata.js';
import type { Cell, DeletionTime, Partition, PartitionUpdate, RangeTombstone, Row, Slice } from '../data.js';
import { afterStart, beforeEnd, partitionKeyOfSortKey, partitionSortKey, tableOrder, tokenOfSortKey, type CKey, type TableOrder } from '../_order.js';
import { maxDeletion, mergeRangeTombstones, mergeRows, normalizeRow } from '../reconcile.js';
import { SortedMap } from './btree.js';

// What the memtable's objects cost in the V8 heap (Node 20, 64-bit, no pointer compression),
// measured with process.memoryUsage() over 100k partitions of each shape (memtable README), so
// that sizeBytes -- held against memtable_space -- bounds the real footprint, not only the data.
/** MemPartition, its sort key string (16 hex digits + the key, counted apart) and its B+tree slot. */
const PARTITION_OVERHEAD_BYTES = 180;
/** Row object, its liveness and its cells array. */
const ROW_OVERHEAD_BYTES = 150;
/** A clustered row: its clustering array, clustering key string and slot in the partition's row tree. */
const CLUSTERED_ROW_OVERHEAD_BYTES = 100;
/** One clustering value: its Buffer view (the bytes themselves are counted apart). */
const CLUSTERING_VALUE_OVERHEAD_BYTES = 100;
/** Cell object, its value's Buffer view and its slot in the cells array (value bytes counted apart). */
const CELL_OVERHEAD_BYTES = 190;

const NO_RANGE_TOMBSTONES: RangeTombstone[] = Object.freeze([]) as unknown as RangeTombstone[];

/**
 * One partition's content. Most partitions hold one row (every row of a table without clustering
 * columns), so the first row lives in `onlyRow` under `onlyKey` and the sorted map of rows is made
 * only when a second clustering arrives (fewer objects per partition: less to allocate, less for
 * the GC to copy and promote).
 */
export class MemPartition {
  deletion: DeletionTime | undefined;
  /** Never mutated in place: replaced by a merged array (the empty one is shared). */
  rangeTombstones: RangeTombstone[] = NO_RANGE_TOMBSTONES;
  staticRow: Row | undefined;
  onlyKey: CKey | undefined;
  onlyRow: Row | undefined;
  /** Every row when the partition has more than one (then onlyRow is undefined). */
  rows: SortedMap<CKey, Row> | null = null;
  /**
   * Only the sort key is kept: the partition key and token are derived from it when asked for
   * (reads, flush), so a partition retains two objects fewer (the key's Buffer view, which also
   * pins the request frame it came in, and the token's bigint) for the GC to copy and promote.
   */
  constructor(readonly sortKey: string) {}

  /** The serialized partition key (a new Buffer each call). */
  get key(): Buffer {
    return partitionKeyOfSortKey(this.sortKey);
  }

  /** The partition's token (a new bigint each call). */
  get token(): bigint {
    return tokenOfSortKey(this.sortKey);
  }

  /** Merges one normalized row into the partition. */
  addRow(order: TableOrder, key: CKey, row: Row): void {
    if (this.rows === null) {
      if (this.onlyRow === undefined) {
        this.onlyKey = key;
        this.onlyRow = row;
        return;
      }
      if (order.compare(this.onlyKey!, key) === 0) {
        this.onlyRow = mergeRows(order, this.onlyRow, row);
        return;
      }
      this.rows = new SortedMap<CKey, Row>(order.compare);
      this.rows.putFound(this.onlyKey!, this.onlyRow);
      this.onlyKey = undefined;
      this.onlyRow = undefined;
    }
    const ex = this.rows.find(key);
    this.rows.putFound(key, ex === undefined ? row : mergeRows(order, ex, row));
  }

  /** Rows with key >= from (all when from is undefined), in clustering order. */
  *rowEntries(from?: CKey, order?: TableOrder): IterableIterator<[CKey, Row]> {
    if (this.rows !== null) {
      yield* this.rows.entries(from);
      return;
    }
    if (this.onlyRow === undefined) return;
    if (from === undefined || order!.compare(this.onlyKey!, from) >= 0) yield [this.onlyKey!, this.onlyRow];
  }
}

export interface TimestampRange {
  minTimestampMicros: number;
  maxTimestampMicros: number;
}

export class Memtable {
  readonly partitions = new SortedMap<string, MemPartition>(compareStrings, sortKeyPrefix);
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

  apply(update: PartitionUpdate): void {
    const order = this.order;
    const sortKey = partitionSortKey(update.token, update.key);
    let added = 0;
    let p = this.partitions.find(sortKey);
    if (p === undefined) {
      added += PARTITION_OVERHEAD_BYTES + sortKey.length;
      p = new MemPartition(sortKey);
      this.partitions.putFound(sortKey, p);
    }
    if (update.partitionDeletion) {
      p.deletion = maxDeletion(p.deletion, update.partitionDeletion);
      this.noteTimestamp(update.partitionDeletion.markedForDeleteAtMicros);
    }
    if (update.rangeTombstones.length > 0) {
      p.rangeTombstones = mergeRangeTombstones(p.rangeTombstones, update.rangeTombstones);
      for (const rt of update.rangeTombstones) {
        this.noteTimestamp(rt.deletion.markedForDeleteAtMicros);
        added += ROW_OVERHEAD_BYTES + boundBytes(rt.slice);
      }
    }
    if (update.staticRow) {
      const sr = normalizeRow(order, update.staticRow);
      p.staticRow = p.staticRow ? mergeRows(order, p.staticRow, sr) : sr;
      added += this.rowBytes(sr);
    }
    for (const raw of update.rows) {
      const row = normalizeRow(order, raw);
      p.addRow(order, order.key(row.clustering), row);
      added += this.rowBytes(row);
    }
    this.sizeBytes += added;
  }

  private noteTimestamp(ts: number): void {
    if (ts < this.minTimestampMicros) this.minTimestampMicros = ts;
    if (ts > this.maxTimestampMicros) this.maxTimestampMicros = ts;
  }

  private rowBytes(row: Row): number {
    let n = ROW_OVERHEAD_BYTES;
    if (row.clustering.length > 0) n += CLUSTERED_ROW_OVERHEAD_BYTES;
    for (const v of row.clustering) n += CLUSTERING_VALUE_OVERHEAD_BYTES + v.length;
    if (row.liveness) this.noteTimestamp(row.liveness.timestampMicros);
    if (row.deletion) this.noteTimestamp(row.deletion.markedForDeleteAtMicros);
    for (const cd of row.complexDeletions ?? []) this.noteTimestamp(cd.deletion.markedForDeleteAtMicros);
    for (const c of row.cells) n += this.cellBytes(c);
    return n;
  }

  private cellBytes(c: Cell): number {
    this.noteTimestamp(c.timestampMicros);
    return CELL_OVERHEAD_BYTES + c.column.length + (c.path?.length ?? 0) + (c.value?.length ?? 0);
  }

  get(sortKey: string): MemPartition | undefined {
    return this.partitions.size === 0 ? undefined : this.partitions.get(sortKey);
  }
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
const CHAR_0 = 0x30;
const CHAR_9 = 0x39;
const CHAR_A_LOWER = 0x61;

function boundBytes(s: Slice): number {
  let n = 0;
  for (const v of s.start.values) n += v.length;
  for (const v of s.end.values) n += v.length;
  return n;
}

/** The partition's content restricted to slices (all rows when slices is empty). */
export function memPartitionToPartition(order: TableOrder, p: MemPartition, slices: Slice[]): Partition {
  const out: Partition = { key: p.key, token: p.token, rangeTombstones: p.rangeTombstones, rows: [] };
  if (p.deletion) out.partitionDeletion = p.deletion;
  if (p.staticRow) out.staticRow = p.staticRow;
  if (slices.length === 0) {
    if (p.rows === null) {
      if (p.onlyRow !== undefined) out.rows.push(p.onlyRow);
    } else for (const r of p.rows.values()) out.rows.push(r);
    return out;
  }
  for (const slice of slices) {
    const startKey = order.key(slice.start.values);
    const endKey = order.key(slice.end.values);
    const from = slice.start.values.length === 0 ? undefined : startKey;
    for (const [k, r] of p.rowEntries(from, order)) {
      if (!beforeEnd(order, k, slice.end, endKey)) break;
      if (afterStart(order, k, slice.start, startKey)) out.rows.push(r);
    }
  }
  return out;
}
