// What the query processor needs from the rest of the node (structural interfaces, so the lead
// can pass the real SchemaManager, Coordinator and system tables), and the per-request context.

import type { KeyspaceMetadata, TableMetadata } from '../../schema/metadata.js';
import type { PartitionUpdate, ReadCommand, ReadResult } from '../../storage/data.js';
import type { FunctionContext } from '../../cql/functions/mod.js';
import type { ConsistencyName } from '../../util/errors.js';
import type { BoundValue } from '../../protocol/messages.js';

export interface QuerySchema {
  keyspace(name: string): KeyspaceMetadata | undefined;
  table(keyspace: string, name: string): TableMetadata | undefined;
  /** Runs a DDL statement (the SchemaManager's kinds); change is null when nothing changed (IF [NOT] EXISTS). */
  execute(statement: never, clientKeyspace?: string): Promise<{ change: DdlChange | null; warnings: string[] }>;
}

/** A schema change as the SchemaManager reports it. */
export interface DdlChange {
  change: 'CREATED' | 'UPDATED' | 'DROPPED';
  target: 'KEYSPACE' | 'TABLE' | 'TYPE' | 'FUNCTION' | 'AGGREGATE';
  keyspace: string;
  name?: string;
  argTypes?: string[];
}

export interface QueryCoordinator {
  write(keyspace: KeyspaceMetadata, updates: PartitionUpdate[], cl: ConsistencyName): Promise<unknown>;
  read(keyspace: KeyspaceMetadata, cmd: ReadCommand, cl: ConsistencyName): Promise<ReadResult>;
  /**
   * read() without a promise where none is needed (Coordinator.readSync): read()'s result, or
   * throws its error, or undefined when the caller must use read() (nothing happened). Optional.
   */
  readSync?(keyspace: KeyspaceMetadata, cmd: ReadCommand, cl: ConsistencyName): ReadResult | undefined;
  /**
   * write() with a callback (Coordinator.writeThen): `done(undefined)` or `done(error)`, exactly
   * once. `nowMs`: the request's monotonic start (deadline and latency start there). Optional.
   */
  writeThen?(keyspace: KeyspaceMetadata, updates: PartitionUpdate[], cl: ConsistencyName, done: (error: unknown) => void, nowMs?: number): void;
  /** TRUNCATE on every replica. Optional: when absent, `truncate` in QueryProcessorOptions is used. */
  truncate?(table: TableMetadata): Promise<void>;
}

/** Code-served tables (system.local, system_views.*): same ReadCommand → ReadResult path. */
export interface SystemTables {
  read(cmd: ReadCommand): Promise<ReadResult>;
  /** True when this table is served by code (default: table.virtual). */
  serves?(table: TableMetadata): boolean;
}

export interface QueryLimits {
  /** Prepared statements kept (LRU). */
  preparedStatementsMax: number;
  /** Rows per page when the client asks for no paging is unbounded in Cassandra; we cap it. */
  unpagedRowsMax: number;
  /** Rows per page when a page size is given but is <= 0. */
  defaultPageSize: number;
  /** Rows read per internal page (aggregates, filtering, unpaged reads). */
  internalPageRows: number;
  /** Partition keys one query may name (IN cartesian products). */
  inKeysMax: number;
  /** Clustering slices one query may name. */
  slicesMax: number;
  /** Statements in one BATCH. */
  batchStatementsMax: number;
  /** Unlogged batches over more partitions than this get a client warning. */
  unloggedBatchAcrossPartitionsWarnThreshold: number;
  /** Partition locks held at once for conditional updates. */
  lwtLocksMax: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  preparedStatementsMax: 10_000,
  unpagedRowsMax: 100_000,
  defaultPageSize: 5_000,
  internalPageRows: 1_000,
  inKeysMax: 1_000,
  slicesMax: 10_000,
  batchStatementsMax: 65_535,
  unloggedBatchAcrossPartitionsWarnThreshold: 10,
  lwtLocksMax: 10_000,
};

export interface QueryLogger {
  warn(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
}

/** Per-execution facts: bound values, times, keyspace. */
export interface ExecContext {
  /** Values by marker index (named values already mapped). */
  values: BoundValue[];
  /** Write timestamp: the request's default timestamp or the clock's. */
  timestampMicros: number;
  nowSec: number;
  nowMs: number;
  protocolVersion: number;
  /** The node's function context (clock, randomness, timeuuid generator). */
  functions: FunctionContext;
  warnings: string[];
}
