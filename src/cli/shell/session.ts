// The shell's view of a connection: what the engine (shell.ts) needs from the driver. The real
// implementation is driver_session.ts; tests pass fakes with the same shapes.

import type { KeyspaceShape, TableDescription, UdtShape } from './describe.js';
import type { TypeInfo } from './format.js';

export interface ExecuteOptions {
  fetchSize: number;
  pageState?: string;
  /** Consistency level name (ONE, QUORUM, ...). */
  consistency: string;
  serialConsistency?: string;
  trace: boolean;
}

/** One page of a result. `columns` is null for results without rows (writes, schema changes, USE). */
export interface ResultPage {
  columns: Array<{ name: string; type: TypeInfo }> | null;
  /** Values in column order. */
  rows: unknown[][];
  /** Opaque state for the next page; null on the last page. */
  pageState: string | null;
  traceId: string | null;
  warnings: string[];
}

export interface TraceEvent {
  activity: string;
  source: string;
  elapsedMicros: number | null;
  at: Date | null;
}

export interface QueryTrace {
  sessionId: string;
  requestType: string;
  coordinator: string;
  clientAddress: string;
  startedAt: Date | null;
  durationMicros: number;
  events: TraceEvent[];
}

export interface ConnectionInfo {
  host: string;
  port: number;
  clusterName: string;
  releaseVersion: string;
  cqlVersion: string;
  protocolVersion: number;
  partitioner: string;
}

/** Schema reads for DESCRIBE. Lists are sorted by name; missing objects are undefined. */
export interface SchemaSource {
  keyspaceNames(): Promise<string[]>;
  keyspace(name: string): Promise<KeyspaceShape | undefined>;
  tableNames(keyspace: string): Promise<string[]>;
  table(keyspace: string, name: string): Promise<TableDescription | undefined>;
  typeNames(keyspace: string): Promise<string[]>;
  type(keyspace: string, name: string): Promise<UdtShape | undefined>;
}

export interface CqlSession {
  info(): ConnectionInfo;
  /** The keyspace set by USE (or -k), if any. */
  keyspace(): string | undefined;
  /** Runs one statement; rejects with the driver's error. */
  execute(cql: string, opts: ExecuteOptions): Promise<ResultPage>;
  trace(traceId: string): Promise<QueryTrace>;
  readonly schema: SchemaSource;
  close(): Promise<void>;
}
