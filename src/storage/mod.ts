// src/storage: layer 2. Commit log, memtables, SSTables, compaction, and the per-node store.
// The engine's public face is the Storage interface; data shapes live in data.ts.

import type { TableMetadata } from '../schema/metadata.js';
import type { PartitionUpdate, ReadCommand, ReadResult } from './data.js';
import { StorageEngine, type StorageOptions } from './engine.js';

export * from './data.js';

export interface Storage {
  /** Opens the data directories and replays the commit log. Tables must be registered first. */
  open(): Promise<void>;
  /** Registers a table (at start-up for every table in the schema, and on CREATE TABLE). */
  addTable(table: TableMetadata): Promise<void>;
  /** Table options or columns changed (ALTER TABLE). */
  updateTable(table: TableMetadata): void;
  /** Drops a table's data (DROP TABLE); snapshot first if auto_snapshot. */
  dropTable(tableId: string): Promise<void>;
  /** Removes all data of a table (TRUNCATE). */
  truncate(tableId: string): Promise<void>;
  /**
   * Applies a write. Resolves once it is durable as the commit log sync mode promises (after the
   * group commit for `batch`/`group`). Rejects with a RequestError (e.g. WriteFailure on a full
   * disk) and then nothing of the update is visible. Ownership: the update and every buffer it
   * references pass to storage — the commit log encodes them when their batch starts (after
   * this call returns) and the memtable keeps the value buffers — so they must never be changed
   * or recycled afterwards (e.g. pooled network receive buffers must be copied first).
   */
  apply(update: PartitionUpdate): Promise<void>;
  /**
   * apply() with a callback instead of a promise: `done(undefined)` when apply() would resolve,
   * `done(error)` with what it would reject with. Called exactly once, possibly before applyThen
   * returns (immediate refusals); `done` must not throw. Same ownership rules as apply().
   * `nowMs`: the caller's monotonic clock reading when the write started (wrappers that time the
   * write use it instead of reading the clock again). Optional: callers fall back to apply().
   */
  applyThen?(update: PartitionUpdate, done: (error: unknown) => void, nowMs?: number): void;
  /** Reads merged data from memtables and SSTables. */
  read(command: ReadCommand): Promise<ReadResult>;
  /**
   * read() without a promise when the answer needs no I/O (a key read of data in memtables or in
   * cached SSTable pages): the result read() would give, or undefined when the caller must use
   * read() instead (then nothing happened). Throws what read() would reject with. Optional.
   */
  readSync?(command: ReadCommand): ReadResult | undefined;
  /** Flushes memtables (one table, or all) to SSTables and releases commit log segments. */
  flush(tableId?: string): Promise<void>;
  /** Major compaction of one table, or all. */
  compact(tableId?: string): Promise<void>;
  /** Flushes and closes everything; no writes are accepted afterwards. */
  close(): Promise<void>;
}

export type { StorageOptions, StorageLogger } from './engine.js';
export type { StorageMetrics, TableMetrics, Histogram } from './metrics.js';
export { counterContextForDelta, counterValue, counterShard, mergeCounterContexts, type CounterShard } from './counter.js';
export { mergePartitions, liveRows, liveStaticRow, reconcileCells } from './reconcile.js';

/** Creates the node's storage engine over env (files, clock, timers). Call open() after addTable() for every table. */
export function createStorage(options: StorageOptions): StorageEngine {
  return new StorageEngine(options);
}

export type { StorageEngine };
export { dumpSSTable, verifySSTable, type VerifyResult } from './sstable/tools.js';
