// CqlSession over the npm cassandra-driver: connects to one host only (an allow-list policy, as
// cqlsh does), decodes maps as ShellMap, and reads schema for DESCRIBE from the driver's metadata
// (getTable/getUdt, keyspaces) plus the system_schema rows the driver does not expose.

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import cassandra from 'cassandra-driver';
import type { ShellOptions } from './args.js';
import type { KeyspaceShape, TableDescription, TableShape, UdtShape } from './describe.js';
import { ShellMap } from './driver_values.js';
import type { ConnectionInfo, CqlSession, ExecuteOptions, QueryTrace, ResultPage, SchemaSource } from './session.js';

const { Client, auth, policies, types } = cassandra;

/** Driver-side cap on system_schema rows read for one DESCRIBE listing. */
const SCHEMA_ROWS_MAX = 100_000;

function consistencyCode(name: string): number {
  const code = (types.consistencies as unknown as Record<string, number>)[camel(name)];
  if (code === undefined) throw new Error(`unknown consistency level ${name}`);
  return code;
}

/** LOCAL_QUORUM → localQuorum, the driver's key for the level. */
function camel(name: string): string {
  return name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function rowToRecord(row: cassandra.types.Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of row.keys()) out[key] = row.get(key);
  return out;
}

/** Resolves a host name to the address the driver will report, so the allow-list matches. */
async function resolveAddress(host: string): Promise<string> {
  if (isIP(host)) return host;
  return (await lookup(host)).address;
}

/** Connects and reads system.local; rejects with the driver's error when the node cannot be reached. */
export async function connectDriverSession(options: ShellOptions): Promise<CqlSession> {
  const address = await resolveAddress(options.host);
  const endpoint = isIP(address) === 6 ? `[${address}]:${options.port}` : `${address}:${options.port}`;
  const client = new Client({
    contactPoints: [endpoint],
    policies: { loadBalancing: new policies.loadBalancing.AllowListPolicy(new policies.loadBalancing.RoundRobinPolicy(), [endpoint]) },
    protocolOptions: { port: options.port, ...(options.protocolVersion !== undefined ? { maxVersion: options.protocolVersion } : {}) },
    socketOptions: { connectTimeout: options.connectTimeoutS * 1000, readTimeout: options.requestTimeoutS * 1000 },
    queryOptions: { consistency: types.consistencies.one, prepare: false },
    encoding: { map: ShellMap, set: Set },
    isMetadataSyncEnabled: false,
    ...(options.keyspace !== undefined ? { keyspace: options.keyspace } : {}),
    ...(options.username !== undefined ? { authProvider: new auth.PlainTextAuthProvider(options.username, options.password ?? '') } : {}),
  });
  try {
    await client.connect();
  } catch (err) {
    await client.shutdown().catch(() => undefined);
    throw err;
  }
  const info = await readConnectionInfo(client, options);
  return new DriverSession(client, info);
}

async function readConnectionInfo(client: cassandra.Client, options: ShellOptions): Promise<ConnectionInfo> {
  const protocolVersion = (client as unknown as { controlConnection?: { protocolVersion?: number } }).controlConnection?.protocolVersion ?? 0;
  const info: ConnectionInfo = { host: options.host, port: options.port, clusterName: 'unknown', releaseVersion: 'unknown',
    cqlVersion: 'unknown', protocolVersion, partitioner: 'unknown' };
  try {
    const rs = await client.execute('SELECT cluster_name, release_version, cql_version, partitioner FROM system.local');
    const row = rs.rows[0];
    if (row) {
      info.clusterName = String(row['cluster_name'] ?? info.clusterName);
      info.releaseVersion = String(row['release_version'] ?? info.releaseVersion);
      info.cqlVersion = String(row['cql_version'] ?? info.cqlVersion);
      info.partitioner = String(row['partitioner'] ?? info.partitioner);
    }
  } catch {
    // A node without system.local still gets a shell; SHOW VERSION says 'unknown'.
  }
  return info;
}

class DriverSession implements CqlSession {
  readonly schema: SchemaSource;

  constructor(private readonly client: cassandra.Client, private readonly connection: ConnectionInfo) {
    this.schema = new DriverSchema(client);
  }

  info(): ConnectionInfo {
    return this.connection;
  }

  keyspace(): string | undefined {
    return this.client.keyspace || undefined;
  }

  async execute(cql: string, opts: ExecuteOptions): Promise<ResultPage> {
    const rs = await this.client.execute(cql, undefined, {
      prepare: false,
      fetchSize: opts.fetchSize,
      autoPage: false,
      consistency: consistencyCode(opts.consistency),
      ...(opts.serialConsistency !== undefined ? { serialConsistency: consistencyCode(opts.serialConsistency) } : {}),
      ...(opts.pageState !== undefined ? { pageState: opts.pageState } : {}),
      traceQuery: opts.trace,
    });
    const columns = rs.columns && rs.columns.length > 0 ? rs.columns.map((c) => ({ name: c.name, type: c.type })) : null;
    const rows = columns === null ? [] : (rs.rows ?? []).map((row) => columns.map((c) => row[c.name]));
    return {
      columns,
      rows,
      pageState: rs.pageState || null,
      traceId: rs.info?.traceId ? rs.info.traceId.toString() : null,
      warnings: rs.info?.warnings ?? [],
    };
  }

  async trace(traceId: string): Promise<QueryTrace> {
    const t = await this.client.metadata.getTrace(types.Uuid.fromString(traceId));
    const startedAt = (t.startedAt as unknown) instanceof Date ? (t.startedAt as unknown as Date) : null;
    return {
      sessionId: traceId,
      requestType: String(t.requestType ?? ''),
      coordinator: String(t.coordinator ?? ''),
      clientAddress: String(t.clientAddress ?? ''),
      startedAt,
      durationMicros: Number(t.duration ?? 0),
      events: (t.events ?? []).map((e) => ({
        activity: String(e.activity ?? ''),
        source: String(e.source ?? ''),
        elapsedMicros: typeof e.elapsed === 'number' ? e.elapsed : null,
        at: typeof (e.id as { getDate?: () => Date } | undefined)?.getDate === 'function' ? (e.id as unknown as { getDate(): Date }).getDate() : null,
      })),
    };
  }

  async close(): Promise<void> {
    await this.client.shutdown();
  }
}

class DriverSchema implements SchemaSource {
  constructor(private readonly client: cassandra.Client) {}

  async keyspaceNames(): Promise<string[]> {
    await this.client.metadata.refreshKeyspaces();
    return Object.keys(this.client.metadata.keyspaces).sort();
  }

  async keyspace(name: string): Promise<KeyspaceShape | undefined> {
    await this.client.metadata.refreshKeyspaces();
    const ks = this.client.metadata.keyspaces[name] as unknown as KeyspaceShape | undefined;
    if (!ks) return undefined;
    return { name: ks.name, strategy: ks.strategy, strategyOptions: ks.strategyOptions, durableWrites: ks.durableWrites, virtual: ks.virtual === true };
  }

  async tableNames(keyspace: string): Promise<string[]> {
    const ks = await this.keyspace(keyspace);
    const source = ks?.virtual ? 'system_virtual_schema' : 'system_schema';
    return this.names(`SELECT table_name FROM ${source}.tables WHERE keyspace_name = ?`, keyspace, 'table_name');
  }

  async table(keyspace: string, name: string): Promise<TableDescription | undefined> {
    const table = await this.client.metadata.getTable(keyspace, name);
    if (!table) return undefined;
    let options: Record<string, unknown> | null = null;
    if (!table.virtual) {
      const rs = await this.client.execute('SELECT * FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?', [keyspace, name], { prepare: false });
      const row = rs.rows[0];
      if (row) options = rowToRecord(row);
    }
    return { table: table as unknown as TableShape, options };
  }

  async typeNames(keyspace: string): Promise<string[]> {
    return this.names('SELECT type_name FROM system_schema.types WHERE keyspace_name = ?', keyspace, 'type_name');
  }

  async type(keyspace: string, name: string): Promise<UdtShape | undefined> {
    const udt = await this.client.metadata.getUdt(keyspace, name);
    return udt ? (udt as unknown as UdtShape) : undefined;
  }

  private async names(query: string, keyspace: string, column: string): Promise<string[]> {
    const out: string[] = [];
    let pageState: string | undefined;
    do {
      const rs = await this.client.execute(query, [keyspace], { prepare: false, fetchSize: 1000, autoPage: false, ...(pageState ? { pageState } : {}) });
      for (const row of rs.rows) out.push(String(row[column]));
      pageState = rs.pageState || undefined;
    } while (pageState !== undefined && out.length < SCHEMA_ROWS_MAX);
    return out.sort();
  }
}
