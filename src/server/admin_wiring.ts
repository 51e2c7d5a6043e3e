// Starts the admin HTTP API (nodetool, /metrics) over env.net and answers it from the running
// node's parts: the AdminContext of src/server/admin, plus GET /cpu (process CPU time, for
// `cassia stress` and bench/ to report server CPU per operation).

import type { Env } from '../env/mod.js';
import type { StorageEngine } from '../storage/mod.js';
import type { SchemaManager } from '../coordinator/schema/mod.js';
import type { Ring } from '../cluster/ring/mod.js';
import { tokenOf } from '../util/murmur3.js';
import { fromLiteral, serializeCompositeKey } from '../schema/mod.js';
import type { TableMetadata } from '../schema/metadata.js';
import type { Config } from './config.js';
import type { NodeIdentity } from './identity.js';
import {
  AdminError, createAdminHandler, describeRingReport, ringReport, serveHttp, statusReport,
  type AdminContext, type HttpHandler, type NodeFacts, type ObservabilityAdmin, type TablesRequest,
} from './admin/mod.js';
import type { InfoMetricsSnapshot } from '../observability/mod.js';

export interface AdminDeps {
  env: Env;
  config: Config;
  storage: StorageEngine;
  schema: SchemaManager;
  ring: Ring;
  identity: NodeIdentity;
  startedAtMs: number;
  /** Whether an endpoint is believed up (gossip's failure detector). */
  isAlive: (endpoint: string) => boolean;
  /** Prometheus text for /metrics. */
  metricsText: () => string;
  /** nodetool's metric, tracing, logging and settings commands. */
  observability?: ObservabilityAdmin;
  /** The metrics part of nodetool info. */
  infoMetrics?: () => InfoMetricsSnapshot;
  /** Stops accepting client writes (drain). */
  drainClients: () => Promise<void>;
}

export interface AdminServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startAdmin(deps: AdminDeps): Promise<AdminServer> {
  const handler = createAdminHandler(adminContext(deps));
  const withCpu: HttpHandler = async (req) => {
    if (req.method === 'GET' && req.path === '/cpu') {
      const cpu = process.cpuUsage();
      return { status: 200, contentType: 'application/json', body: JSON.stringify({ userMicros: cpu.user, systemMicros: cpu.system }) };
    }
    return handler(req);
  };
  const listener = await serveHttp(deps.env.net, deps.config.listenAddress, deps.config.adminPort, withCpu);
  return { port: listener.port, close: () => listener.close() };
}

function adminContext(deps: AdminDeps): AdminContext {
  const { ring, schema, storage, identity, config } = deps;
  const facts: NodeFacts = {
    isAlive: (e) => e === ring.localEndpoint || deps.isAlive(e),
    loadBytes: (e) => (e === ring.localEndpoint ? storage.metrics().liveSSTableBytes : null),
    rpcAddress: (e) => (e === ring.localEndpoint ? config.rpcAddress : e),
  };
  const keyspaceOf = (name: string) => {
    const ks = schema.keyspace(name);
    if (!ks) throw new AdminError(404, `keyspace '${name}' does not exist`);
    return { name: ks.name, replication: ks.replication };
  };
  const tablesOf = (req: TablesRequest): TableMetadata[] => {
    if (!req.keyspace) return [];
    const ks = schema.keyspace(req.keyspace);
    if (!ks) throw new AdminError(404, `keyspace '${req.keyspace}' does not exist`);
    const names = req.tables && req.tables.length > 0 ? req.tables : [...ks.tables.keys()];
    return names.map((n) => {
      const t = ks.tables.get(n);
      if (!t) throw new AdminError(404, `table '${req.keyspace}.${n}' does not exist`);
      return t;
    });
  };
  const eachTable = async (req: TablesRequest, fn: (tableId?: string) => Promise<void>) => {
    const tables = tablesOf(req);
    if (tables.length === 0) return fn();
    for (const t of tables) if (!t.virtual) await fn(t.id);
  };
  return {
    status: async (ks) => statusReport(ring, facts, ks ? keyspaceOf(ks) : undefined),
    info: async () => {
      const mem = process.memoryUsage();
      return {
        hostId: identity.hostId, gossipActive: false, nativeTransportActive: true,
        loadBytes: storage.metrics().liveSSTableBytes,
        generation: Math.floor(deps.startedAtMs / 1000),
        uptimeSec: Math.floor((deps.env.clock.nowMs() - deps.startedAtMs) / 1000),
        heapUsedBytes: mem.heapUsed, heapTotalBytes: mem.heapTotal,
        dc: config.dc, rack: config.rack, exceptions: 0, tokens: identity.tokens,
        ...(deps.infoMetrics ? { metrics: deps.infoMetrics() } : {}),
      };
    },
    ring: async (ks) => ringReport(ring, facts, ks ? keyspaceOf(ks) : undefined),
    describeRing: async (ks) => describeRingReport(ring, keyspaceOf(ks), facts),
    getEndpoints: async (ks, tableName, keyText) => {
      const keyspace = schema.keyspace(ks);
      const table = keyspace?.tables.get(tableName);
      if (!keyspace || !table) throw new AdminError(404, `table '${ks}.${tableName}' does not exist`);
      const parts = keyText.split(':');
      if (parts.length !== table.partitionKey.length) {
        throw new AdminError(400, `key '${keyText}' has ${parts.length} component(s); ${ks}.${tableName} has ${table.partitionKey.length} partition key column(s) (separate them with ':')`);
      }
      const values = table.partitionKey.map((col, i) => keyComponent(col.type.kind === 'native' ? col.type.name : '', parts[i]!, col));
      const key = values.length === 1 ? values[0]! : serializeCompositeKey(values);
      return { endpoints: [...ring.replicasFor(keyspace.replication, tokenOf(key))] };
    },
    flush: (req) => eachTable(req, (id) => storage.flush(id)),
    compact: (req) => eachTable(req, (id) => storage.compact(id)),
    snapshot: async (req) => {
      const tag = req.tag ?? String(deps.env.clock.nowMs());
      let files = 0;
      await eachTable(req, async (id) => { files += (await storage.snapshot(tag, id)).length; });
      return { tag, files };
    },
    clearSnapshot: (tag) => storage.clearSnapshot(tag),
    cleanup: async (req) => {
      const tables = req.keyspace ? tablesOf(req) : schema.keyspaces().flatMap((ks) => [...ks.tables.values()]);
      for (const t of tables) {
        const ks = schema.keyspace(t.keyspace);
        if (t.virtual || !ks || ks.replication.class === 'LocalStrategy') continue;
        await storage.cleanup(t.id, ring.rangesOwnedBy(ring.localEndpoint, ks.replication));
      }
    },
    drain: async () => {
      await deps.drainClients();
      await storage.flush();
    },
    metrics: async () => deps.metricsText(),
    ...(deps.observability ? { observability: deps.observability } : {}),
  };
}

/** A key component as nodetool gives it (plain text), serialized for its column type. */
function keyComponent(typeName: string, text: string, col: { name: string; type: TableMetadata['partitionKey'][number]['type'] }): Buffer {
  const numeric = ['int', 'bigint', 'smallint', 'tinyint', 'varint', 'counter'].includes(typeName);
  const floating = ['float', 'double', 'decimal'].includes(typeName);
  const kind = numeric ? 'integer' : floating ? 'float' : typeName === 'boolean' ? 'boolean'
    : typeName === 'uuid' || typeName === 'timeuuid' ? 'uuid' : typeName === 'blob' ? 'hex' : 'string';
  try {
    return fromLiteral(col.type, { kind, text: kind === 'hex' ? text.replace(/^0x/i, '') : text }, { column: col.name });
  } catch (err) {
    throw new AdminError(400, (err as Error).message);
  }
}
