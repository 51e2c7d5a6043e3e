// The data model shared by storage, coordinator and CQL execution: partition updates going in,
// partitions coming out. Values are serialized CQL values (native protocol encoding, see
// src/schema codecs). Timestamps are microseconds since the epoch (fits a double exactly until
// the year 2255). Local times (TTL expiry, deletion time) are seconds since the epoch.

import type { TableMetadata } from '../schema/metadata.js';

/** When something was deleted: the write timestamp of the deletion and when it happened locally. */
export interface DeletionTime {
  markedForDeleteAtMicros: number;
  localDeletionTimeSec: number;
}

/** Liveness of a row's primary key, written by INSERT (not by UPDATE). */
export interface LivenessInfo {
  timestampMicros: number;
  /** 0 when the row has no TTL. */
  ttlSec: number;
  /** 0 when the row has no TTL; otherwise when it expires. */
  localExpirationTimeSec: number;
}

/**
 * One cell. A tombstone has value null and localDeletionTimeSec set. A cell with a TTL has
 * ttlSec > 0 and expires at localExpirationTimeSec; once expired it reads as a tombstone.
 * Multi-cell (non-frozen) collections and UDTs have one cell per element, told apart by `path`:
 * list → 16-byte timeuuid, set → the element's bytes (value is empty), map → the key's bytes,
 * UDT → the field index as a 2-byte big-endian integer.
 * Counter cells have `counter: true` and a value holding a counter context (storage/counter.ts).
 */
export interface Cell {
  column: string;
  path?: Buffer;
  value: Buffer | null;
  timestampMicros: number;
  ttlSec: number;
  /** TTL expiry for live cells with a TTL, deletion time for tombstones, else 0. */
  localExpirationTimeSec: number;
  counter?: boolean;
}

export interface Row {
  /** Serialized clustering values, one per clustering column; empty for the static row and for tables without clustering. */
  clustering: Buffer[];
  liveness?: LivenessInfo;
  deletion?: DeletionTime;
  /** Deletions of whole multi-cell columns (a collection overwritten or deleted). */
  complexDeletions?: { column: string; deletion: DeletionTime }[];
  /** Sorted by column name, then path. */
  cells: Cell[];
}

/** A prefix of clustering values and whether the bound includes rows equal to that prefix. Empty values: unbounded. */
export interface ClusteringBound {
  values: Buffer[];
  inclusive: boolean;
}

export interface Slice {
  start: ClusteringBound;
  end: ClusteringBound;
}

export interface RangeTombstone {
  slice: Slice;
  deletion: DeletionTime;
}

/** A write to one partition of one table. The unit of the commit log and of replication. */
export interface PartitionUpdate {
  tableId: string;
  /** Serialized partition key (composite keys in Cassandra's composite encoding). */
  key: Buffer;
  token: bigint;
  partitionDeletion?: DeletionTime;
  rangeTombstones: RangeTombstone[];
  staticRow?: Row;
  /** Sorted in clustering order. */
  rows: Row[];
}

/**
 * A partition read back. Data shadowed by newer data or by tombstones is removed, but the
 * tombstones themselves are kept (within the read's slices) so that a coordinator can reconcile
 * several replicas' answers. liveRows() in storage gives just the live rows.
 */
export interface Partition {
  key: Buffer;
  token: bigint;
  partitionDeletion?: DeletionTime;
  rangeTombstones: RangeTombstone[];
  staticRow?: Row;
  rows: Row[];
}

/** Token range (start, end], Murmur3 tokens; start === end means the whole ring. */
export interface TokenRange {
  start: bigint;
  end: bigint;
}

export type PartitionSelector =
  | { kind: 'keys'; keys: { key: Buffer; token: bigint }[] }
  | {
      kind: 'range';
      range: TokenRange;
      /** Resume strictly after this partition (paging); when set, its token is inside range. */
      after?: { key: Buffer; token: bigint };
    };

export interface ReadCommand {
  table: TableMetadata;
  partitions: PartitionSelector;
  /** Sorted, non-overlapping, in clustering order; empty means the whole partition. */
  slices: Slice[];
  reversed: boolean;
  /** Resume within the first partition strictly after this clustering (paging). */
  afterClustering?: Buffer[];
  /** Live-row limits; reading stops once reached. Use Infinity for none. */
  rowLimit: number;
  perPartitionLimit: number;
  partitionLimit: number;
  /** Regular and static columns to return; undefined means all. */
  columns?: Set<string>;
  /** "Now" for TTL expiry, in seconds. */
  nowSec: number;
}

export interface ReadStats {
  sstablesRead: number;
  tombstonesScanned: number;
  liveRowsScanned: number;
}

export interface ReadResult {
  partitions: Partition[];
  stats: ReadStats;
  /** Client warnings (e.g. tombstone_warn_threshold crossed). */
  warnings: string[];
}
