// Everything observability needs in one running node: the metrics registry and its groups, the
// tracing store and scope, runtime settings, the audit and full query logs, the system_views and
// system_traces rows, and the nodetool commands of the admin API. node.ts creates one and hands
// its pieces to the parts it composes.

import type { Logger } from 'pino';
import type { Env } from '../env/mod.js';
import type { StorageEngine } from '../storage/mod.js';
import type { SchemaManager } from '../coordinator/schema/mod.js';
import type { TableMetadata } from '../schema/metadata.js';
import type { VirtualRow } from '../coordinator/system/mod.js';
import {
  Gcstats, MetricsRegistry, METRIC_VIRTUAL_TABLES, Tracing, createNodeMetrics, proxyhistogramsSnapshot, renderPrometheus,
  tablehistogramsSnapshot, tablestatsSnapshot, tpstatsSnapshot, virtualTableRows, type NodeMetrics,
} from '../observability/mod.js';
import { nodeRuntimeStats, type NodeRuntimeStats } from '../observability/runtime_node.js';
import { AdminError, type ObservabilityAdmin } from './admin/mod.js';
import type { ClientInfo } from './native/mod.js';
import { parseAuditOptions, parseFqlOptions, type Config } from './config.js';
import { RuntimeSettings, type OverloadStore } from './runtime_settings.js';
import { TraceScope } from './trace_scope.js';
import { QueryLogs } from './logs_wiring.js';
import { bindTableGauges, storageMetricsCache } from './metrics_wiring.js';

export interface ObservabilityDeps {
  env: Env;
  config: Config;
  storage: StorageEngine;
  schema: SchemaManager;
  /** Named loggers for get/setlogginglevel ('' is the root). */
  loggers: Record<string, Logger>;
  /** Connected native clients (the transport, once it exists). */
  clients: () => readonly ClientInfo[];
  /** The transport's overload state, when it reports one (paused connections, request bytes in flight). */
  transportOverload?: () => { pausedConnections: number; nodeBytes: number } | undefined;
  /** The transport's runtime settings object, when it has one (the overload values then live there). */
  overloadStore?: () => OverloadStore | undefined;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class NodeObservability {
  readonly metrics: NodeMetrics;
  readonly tracing: Tracing;
  readonly scope = new TraceScope();
  readonly settings: RuntimeSettings;
  readonly logs: QueryLogs;
  private readonly runtime: NodeRuntimeStats;
  private readonly gcstats: Gcstats;
  private readonly storageMetrics: ReturnType<typeof storageMetricsCache>;
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: ObservabilityDeps) {
    const { env, config, storage } = deps;
    this.runtime = nodeRuntimeStats();
    this.metrics = createNodeMetrics(new MetricsRegistry({ clock: env.clock }), { runtime: this.runtime });
    this.tracing = new Tracing({ clock: env.clock, random: env.random });
    this.settings = new RuntimeSettings(config, deps.overloadStore);
    this.settings.addRow('trace_probability', () => String(this.tracing.getProbability()));
    this.logs = new QueryLogs({ fs: env.fs, clock: env.clock, audit: config.auditLoggingOptions, fql: config.fullQueryLoggingOptions });
    this.gcstats = new Gcstats(this.metrics);
    this.storageMetrics = storageMetricsCache(storage, env.clock);
    this.metrics.storage.bindLoad(() => this.storageMetrics().liveSSTableBytes);
    this.metrics.clients.bind({
      connectedNativeClients: () => deps.clients().length,
      connectedNativeClientsByUser: () => countBy(deps.clients(), (c) => c.user ?? 'anonymous'),
      clientsByProtocolVersion: () => countBy(deps.clients(), (c) => String(c.protocolVersion)),
      pausedConnections: () => deps.transportOverload?.()?.pausedConnections ?? 0,
      requestsSizeBytes: () => deps.transportOverload?.()?.nodeBytes ?? 0,
    });
    this.metrics.cql.bindPreparedCount(() => 0);
    this.registerCompactionGauges();
    for (const ks of deps.schema.keyspaces()) {
      if (ks.system) continue;
      for (const t of ks.tables.values()) this.tableCreated(t);
    }
    this.unsubscribe = deps.schema.onChange((ev) => this.onSchemaChange(ev.change));
  }

  /** Opens the logs cassia.yaml enables. */
  start(): Promise<void> {
    return this.logs.start();
  }

  /** Table metadata by id, for the storage wrapper. */
  tableById(id: string): TableMetadata | undefined {
    return this.deps.schema.tableById(id);
  }

  bindPreparedCount(read: () => number): void {
    this.metrics.cql.bindPreparedCount(read);
  }

  prometheus(): string {
    return renderPrometheus(this.metrics.registry);
  }

  /** Code-served tables this part answers: system_views metric tables and system_traces. */
  virtualTables(): Map<string, () => VirtualRow[]> {
    const out = new Map<string, () => VirtualRow[]>();
    const sources = { sstableTasks: () => [] };
    for (const name of METRIC_VIRTUAL_TABLES) {
      out.set(`system_views.${name}`, () => (virtualTableRows(this.metrics.registry, name, sources) ?? []) as VirtualRow[]);
    }
    out.set('system_traces.sessions', () => this.tracing.sessionsRows() as VirtualRow[]);
    out.set('system_traces.events', () => this.tracing.eventsRows() as VirtualRow[]);
    return out;
  }

  /** The nodetool commands of the admin API. */
  admin(): ObservabilityAdmin {
    const m = this.metrics;
    return {
      tpstats: async () => tpstatsSnapshot(m),
      tablestats: async (filter) => {
        if (filter.keyspace !== undefined && this.deps.schema.keyspace(filter.keyspace) === undefined) throw new AdminError(404, `keyspace '${filter.keyspace}' does not exist`);
        return tablestatsSnapshot(m, filter);
      },
      tablehistograms: async (ks, table) => {
        const s = tablehistogramsSnapshot(m, ks, table);
        if (s === null) throw new AdminError(404, `table '${ks}.${table}' does not exist or has no metrics yet`);
        return s;
      },
      proxyhistograms: async () => proxyhistogramsSnapshot(m),
      clientstats: async () => {
        const clients = this.deps.clients();
        return {
          clients: clients.map((c) => ({ address: c.address, port: c.port, user: c.user, protocolVersion: c.protocolVersion, driverName: c.driverName,
            driverVersion: c.driverVersion, keyspace: c.keyspace, requests: c.requestsServed, ready: c.ready })),
          byUser: countBy(clients, (c) => c.user ?? 'anonymous'),
          byProtocolVersion: countBy(clients, (c) => String(c.protocolVersion)),
        };
      },
      compactionstats: async () => {
        const s = this.deps.storage.metrics();
        return { pendingTasks: s.pendingCompactions, completedCompactions: s.completedCompactions, bytesCompacted: s.bytesCompacted, tasks: [] };
      },
      gcstats: async () => this.gcstats.snapshot(),
      traceProbability: async () => this.tracing.getProbability(),
      setTraceProbability: async (p) => this.tracing.setProbability(p),
      loggingLevels: async () => Object.fromEntries(Object.entries(this.deps.loggers).map(([name, l]) => [name, l.level])),
      setLoggingLevel: async (name, level) => this.setLoggingLevel(name, level),
      settings: async () => ({ settings: this.settings.rows().map(([name, value]) => ({ name, value })) }),
      setSetting: async (name, value) => this.settings.set(name, value),
      enableAuditLog: (options) => this.logs.enableAudit(parseAuditOptions('auditlog', { ...auditYaml(this.logs.currentAuditOptions()), ...options, enabled: true })),
      disableAuditLog: () => this.logs.disableAudit(),
      enableFullQueryLog: (options) => this.logs.enableFql(parseFqlOptions('fullquerylog', { ...fqlYaml(this.logs.currentFqlOptions()), ...options })),
      disableFullQueryLog: () => this.logs.disableFql(),
      logsStatus: async () => {
        await this.logs.flush();
        const s = this.logs.status();
        return {
          audit: { enabled: s.audit.enabled, dir: s.audit.options.auditLogsDir, logged: s.audit.logged, filtered: s.audit.filtered, dropped: s.audit.dropped },
          fullQueryLog: { enabled: s.fql.enabled, dir: s.fql.options.logDir, dropped: s.fql.dropped },
        };
      },
    };
  }

  async close(): Promise<void> {
    this.unsubscribe();
    this.runtime.close();
    await this.logs.close();
  }

  private setLoggingLevel(name: string, level: string): void {
    if (!LOG_LEVELS.includes(level.toLowerCase())) throw new AdminError(400, `unknown level '${level}'; use one of ${LOG_LEVELS.join(', ')}`);
    const targets = name === '' ? Object.values(this.deps.loggers) : [this.deps.loggers[name]];
    if (targets[0] === undefined) throw new AdminError(404, `no logger '${name}'; loggers: ${Object.keys(this.deps.loggers).map((n) => n || '(root)').join(', ')}`);
    for (const l of targets) l!.level = level.toLowerCase();
  }

  /** Cassandra's type=Compaction metrics, node-wide from storage.metrics(). */
  private registerCompactionGauges(): void {
    const r = this.metrics.registry;
    r.gauge({ type: 'Compaction', name: 'PendingTasks' }, () => this.storageMetrics().pendingCompactions, 'Estimated compactions still to run');
    r.gauge({ type: 'Compaction', name: 'CompletedTasks' }, () => this.storageMetrics().completedCompactions, 'Compactions completed since start');
    r.gauge({ type: 'Compaction', name: 'BytesCompacted' }, () => this.storageMetrics().bytesCompacted, 'Bytes written by compaction since start');
    r.gauge({ type: 'CommitLog', name: 'TotalCommitLogSize' }, () => this.storageMetrics().commitLogBytesWritten, 'Commit log bytes written since start');
    // type=Cache,scope=ChunkCache: storage counts hits and misses; the meters catch up whenever a gauge is read.
    const cache = this.metrics.caches.ChunkCache;
    let seenHits = 0;
    let seenMisses = 0;
    const chunkCache = () => {
      const c = this.storageMetrics().chunkCache;
      if (c.hits > seenHits) { cache.hits.mark(c.hits - seenHits); cache.requests.mark(c.hits - seenHits); seenHits = c.hits; }
      if (c.misses > seenMisses) { cache.misses.mark(c.misses - seenMisses); cache.requests.mark(c.misses - seenMisses); seenMisses = c.misses; }
      return c;
    };
    cache.bind({ capacityBytes: () => chunkCache().capacityBytes, sizeBytes: () => chunkCache().sizeBytes, entries: () => chunkCache().entries });
  }

  private tableCreated(t: TableMetadata): void {
    if (!t.virtual) bindTableGauges(this.metrics, t, this.storageMetrics);
  }

  private onSchemaChange(c: { change: string; target: string; keyspace: string; name?: string }): void {
    if (c.target === 'TABLE' && c.name !== undefined) {
      if (c.change === 'DROPPED') this.metrics.tables.drop(c.keyspace, c.name);
      else {
        const t = this.deps.schema.table(c.keyspace, c.name);
        if (t !== undefined) this.tableCreated(t);
      }
    } else if (c.target === 'KEYSPACE' && c.change === 'DROPPED') {
      for (const t of this.metrics.tables.all()) if (t.keyspace === c.keyspace) this.metrics.tables.drop(t.keyspace, t.table);
    }
  }
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
}

/** Current audit options in cassandra.yaml's names (nodetool options override them). */
function auditYaml(o: ReturnType<QueryLogs['currentAuditOptions']>): Record<string, unknown> {
  return {
    logger: o.logger, audit_logs_dir: o.auditLogsDir, included_keyspaces: o.includedKeyspaces, excluded_keyspaces: o.excludedKeyspaces,
    included_categories: o.includedCategories, excluded_categories: o.excludedCategories, included_users: o.includedUsers, excluded_users: o.excludedUsers,
    roll_cycle: o.rollCycle, max_file_size: `${o.maxFileSizeBytes}B`, max_files: o.maxFiles, max_queue_size: `${o.maxQueueBytes}B`,
  };
}

function fqlYaml(o: ReturnType<QueryLogs['currentFqlOptions']>): Record<string, unknown> {
  return { log_dir: o.logDir, roll_cycle: o.rollCycle, max_file_size: `${o.maxFileSizeBytes}B`, max_files: o.maxFiles, max_queue_size: `${o.maxQueueBytes}B` };
}
