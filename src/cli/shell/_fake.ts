// A CqlSession fake for the shell's tests: canned tables with real paging over fetchSize, errors
// shaped like the driver's ResponseError, USE, tracing and an in-memory schema.

import type { KeyspaceShape, TableDescription, UdtShape } from './describe.js';
import { TypeCode, type TypeInfo } from './format.js';
import type { ConnectionInfo, CqlSession, ExecuteOptions, QueryTrace, ResultPage, SchemaSource } from './session.js';

export interface FakeTable {
  columns: Array<{ name: string; type: TypeInfo }>;
  rows: unknown[][];
}

export class FakeResponseError extends Error {
  override name = 'ResponseError';
  constructor(public code: number, message: string) {
    super(message);
  }
}

export const INT: TypeInfo = { code: TypeCode.int };
export const TEXT: TypeInfo = { code: TypeCode.text };

export class FakeSession implements CqlSession {
  readonly calls: Array<{ cql: string; opts: ExecuteOptions }> = [];
  /** Query text (lowercase, whitespace collapsed) → table to page through. */
  readonly tables = new Map<string, FakeTable>();
  readonly warnings = new Map<string, string[]>();
  current: string | undefined;
  closed = false;
  readonly schema: FakeSchema = new FakeSchema();

  info(): ConnectionInfo {
    return { host: '127.0.0.1', port: 9042, clusterName: 'Test Cluster', releaseVersion: '4.1.0', cqlVersion: '3.4.6',
      protocolVersion: 5, partitioner: 'org.apache.cassandra.dht.Murmur3Partitioner' };
  }

  keyspace(): string | undefined {
    return this.current;
  }

  async execute(cql: string, opts: ExecuteOptions): Promise<ResultPage> {
    this.calls.push({ cql, opts });
    const use = /^use\s+("?)([^";]+)\1$/i.exec(cql.trim());
    if (use) {
      const name = use[1] ? use[2]! : use[2]!.toLowerCase();
      if (!this.schema.keyspaces.has(name)) throw new FakeResponseError(0x2200, `Keyspace '${name}' does not exist`);
      this.current = name;
      return { columns: null, rows: [], pageState: null, traceId: null, warnings: [] };
    }
    const key = cql.replace(/\s+/g, ' ').trim().toLowerCase();
    const table = this.tables.get(key);
    const traceId = opts.trace ? '6f1e5a10-0000-1000-8000-000000000001' : null;
    const warnings = this.warnings.get(key) ?? [];
    if (!table) {
      if (/^(insert|update|delete|create|drop|alter|truncate)\b/i.test(cql.trim())) return { columns: null, rows: [], pageState: null, traceId, warnings };
      throw new FakeResponseError(0x2200, `unconfigured table for query: ${cql}`);
    }
    const start = opts.pageState === undefined ? 0 : Number(opts.pageState);
    const end = Math.min(start + opts.fetchSize, table.rows.length);
    return { columns: table.columns, rows: table.rows.slice(start, end), pageState: end < table.rows.length ? String(end) : null, traceId, warnings };
  }

  async trace(traceId: string): Promise<QueryTrace> {
    const startedAt = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 0));
    return { sessionId: traceId, requestType: 'Execute CQL3 query', coordinator: '127.0.0.1', clientAddress: '127.0.0.1', startedAt,
      durationMicros: 1500, events: [{ activity: 'Parsing statement', source: '127.0.0.1', elapsedMicros: 120, at: new Date(startedAt.getTime() + 1) }] };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export class FakeSchema implements SchemaSource {
  readonly keyspaces = new Map<string, KeyspaceShape>();
  readonly tablesByKeyspace = new Map<string, Map<string, TableDescription>>();
  readonly typesByKeyspace = new Map<string, Map<string, UdtShape>>();

  addKeyspace(name: string, rf = 1): void {
    this.keyspaces.set(name, { name, strategy: 'org.apache.cassandra.locator.SimpleStrategy', strategyOptions: { replication_factor: String(rf) }, durableWrites: true });
  }

  addTable(keyspace: string, desc: TableDescription): void {
    if (!this.tablesByKeyspace.has(keyspace)) this.tablesByKeyspace.set(keyspace, new Map());
    this.tablesByKeyspace.get(keyspace)!.set(desc.table.name, desc);
  }

  addType(keyspace: string, udt: UdtShape): void {
    if (!this.typesByKeyspace.has(keyspace)) this.typesByKeyspace.set(keyspace, new Map());
    this.typesByKeyspace.get(keyspace)!.set(udt.name, udt);
  }

  async keyspaceNames(): Promise<string[]> { return [...this.keyspaces.keys()].sort(); }
  async keyspace(name: string): Promise<KeyspaceShape | undefined> { return this.keyspaces.get(name); }
  async tableNames(ks: string): Promise<string[]> { return [...(this.tablesByKeyspace.get(ks)?.keys() ?? [])].sort(); }
  async table(ks: string, name: string): Promise<TableDescription | undefined> { return this.tablesByKeyspace.get(ks)?.get(name); }
  async typeNames(ks: string): Promise<string[]> { return [...(this.typesByKeyspace.get(ks)?.keys() ?? [])].sort(); }
  async type(ks: string, name: string): Promise<UdtShape | undefined> { return this.typesByKeyspace.get(ks)?.get(name); }
}
