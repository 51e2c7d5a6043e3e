// Rows for Cassandra 4.1's system_views tables, computed from a MetricsRegistry (so they always
// agree with /metrics). Each row is a plain object {column: value}; column types are in
// VIRTUAL_TABLE_SPECS (same shape as src/coordinator/schema's table specs). Value types:
// text → string, int/bigint → integer number, double → number, timeuuid → string.

import type { Counter, Gauge, HistogramSnapshot, Metric, MeterRates } from './metrics.js';
import { CACHES, compareText, type CacheName } from './groups.js';
import type { MetricsRegistry } from './registry.js';

export type MetricRow = Record<string, string | number | null>;

export interface VirtualTableSpec {
  name: string;
  comment: string;
  columns: string;
  partitionKey: string[];
  clustering?: string[];
}

const LATENCY_COLUMNS = 'keyspace_name text, table_name text, count bigint, max_ms double, p50th_ms double, p99th_ms double, per_second double';
const PER_READ_COLUMNS = 'keyspace_name text, table_name text, count bigint, max double, p50th double, p99th double';
const TABLE_KEY = ['keyspace_name', 'table_name'];

/** Latency tables and the Table timer each one reads. */
export const LATENCY_TABLES = {
  coordinator_read_latency: 'CoordinatorReadLatency',
  coordinator_write_latency: 'CoordinatorWriteLatency',
  coordinator_scan_latency: 'CoordinatorScanLatency',
  local_read_latency: 'ReadLatency',
  local_write_latency: 'WriteLatency',
  local_scan_latency: 'RangeLatency',
} as const;
export type LatencyTableName = keyof typeof LATENCY_TABLES;

export const VIRTUAL_TABLE_SPECS: VirtualTableSpec[] = [
  { name: 'thread_pools', comment: 'Thread pool metrics for all thread pools',
    columns: 'name text, active_tasks int, active_tasks_limit int, blocked_tasks bigint, blocked_tasks_all_time bigint, completed_tasks bigint, pending_tasks int',
    partitionKey: ['name'] },
  ...Object.keys(LATENCY_TABLES).map((name) => ({ name, comment: `Latency of ${name.replace(/_/g, ' ')} per table, in milliseconds`, columns: LATENCY_COLUMNS, partitionKey: TABLE_KEY })),
  { name: 'tombstones_per_read', comment: 'Tombstones scanned per read', columns: PER_READ_COLUMNS, partitionKey: TABLE_KEY },
  { name: 'rows_per_read', comment: 'Live rows scanned per read', columns: PER_READ_COLUMNS, partitionKey: TABLE_KEY },
  { name: 'disk_usage', comment: 'Disk used by each table (all SSTables), MiB', columns: 'keyspace_name text, table_name text, mebibytes bigint', partitionKey: TABLE_KEY },
  { name: 'max_partition_size', comment: 'Largest partition of each table, MiB', columns: 'keyspace_name text, table_name text, mebibytes bigint', partitionKey: TABLE_KEY },
  { name: 'sstable_tasks', comment: 'Running compactions and other SSTable tasks',
    columns: 'keyspace_name text, table_name text, task_id timeuuid, completion_ratio double, kind text, progress bigint, sstables int, total bigint, unit text',
    partitionKey: ['keyspace_name'], clustering: ['table_name', 'task_id'] },
  { name: 'caches', comment: 'System caches',
    columns: 'name text, capacity_bytes bigint, entry_count int, hit_count bigint, hit_ratio double, recent_hit_rate_per_second bigint, recent_request_rate_per_second bigint, request_count bigint, size_bytes bigint',
    partitionKey: ['name'] },
  { name: 'cql_metrics', comment: 'Metrics specific to CQL prepared statement caching', columns: 'name text, value double', partitionKey: ['name'] },
];

const MIB = 1024 * 1024;

/** Metrics of one `type`, grouped by a key built from their tags, each group by metric name. */
function groupsOf(registry: MetricsRegistry, type: string, key: (tags: { keyspace?: string; scope?: string }) => string | null): Map<string, Map<string, Metric>> {
  const out = new Map<string, Map<string, Metric>>();
  for (const m of registry.ofType(type)) {
    const k = key(m.name);
    if (k === null) continue;
    let g = out.get(k);
    if (g === undefined) out.set(k, (g = new Map()));
    g.set(m.name.name, m.metric);
  }
  return new Map([...out.entries()].sort((a, b) => compareText(a[0], b[0])));
}

function tableGroups(registry: MetricsRegistry): Array<{ keyspace: string; table: string; metrics: Map<string, Metric> }> {
  const groups = groupsOf(registry, 'Table', (t) => (t.keyspace !== undefined && t.scope !== undefined ? `${t.keyspace}\u0000${t.scope}` : null));
  return [...groups.entries()].map(([k, metrics]) => {
    const [keyspace, table] = k.split('\u0000') as [string, string];
    return { keyspace, table, metrics };
  });
}

function numberOf(m: Metric | undefined): number {
  if (m === undefined) return 0;
  switch (m.kind) {
    case 'gauge': return safe(() => (m as Gauge).value());
    case 'counter': return (m as Counter).count();
    case 'meter': return m.count();
    case 'histogram': case 'timer': return m.count();
    default: return 0;
  }
}

function snapshotOf(m: Metric | undefined): HistogramSnapshot | null {
  if (m === undefined) return null;
  if (m.kind === 'histogram' || m.kind === 'timer' || m.kind === 'histogramGauge') return m.snapshot();
  return null;
}

function ratesOf(m: Metric | undefined): MeterRates | null {
  if (m === undefined) return null;
  if (m.kind === 'meter') return m.rates();
  if (m.kind === 'timer') return m.meter.rates();
  return null;
}

function safe(read: () => number): number {
  try {
    const v = read();
    return Number.isFinite(v) ? v : 0;
  } catch {
    return 0;
  }
}

export function threadPoolsRows(registry: MetricsRegistry): MetricRow[] {
  const groups = groupsOf(registry, 'ThreadPools', (t) => t.scope ?? null);
  return [...groups.entries()].map(([name, m]) => ({
    name,
    active_tasks: numberOf(m.get('ActiveTasks')),
    active_tasks_limit: numberOf(m.get('MaxPoolSize')),
    blocked_tasks: numberOf(m.get('CurrentlyBlockedTasks')),
    blocked_tasks_all_time: numberOf(m.get('TotalBlockedTasks')),
    completed_tasks: numberOf(m.get('CompletedTasks')),
    pending_tasks: numberOf(m.get('PendingTasks')),
  }));
}

/** One row per table; latencies in ms; per_second is the one-minute rate. */
export function latencyRows(registry: MetricsRegistry, table: LatencyTableName): MetricRow[] {
  const metricName = LATENCY_TABLES[table];
  return tableGroups(registry).flatMap(({ keyspace, table: t, metrics }) => {
    const m = metrics.get(metricName);
    const s = snapshotOf(m);
    if (s === null) return [];
    return [{
      keyspace_name: keyspace, table_name: t, count: s.count,
      max_ms: s.max / 1000, p50th_ms: s.p50 / 1000, p99th_ms: s.p99 / 1000,
      per_second: ratesOf(m)?.oneMinuteRate ?? 0,
    }];
  });
}

function perReadRows(registry: MetricsRegistry, metricName: string): MetricRow[] {
  return tableGroups(registry).flatMap(({ keyspace, table, metrics }) => {
    const s = snapshotOf(metrics.get(metricName));
    if (s === null) return [];
    return [{ keyspace_name: keyspace, table_name: table, count: s.count, max: s.max, p50th: s.p50, p99th: s.p99 }];
  });
}

export function tombstonesPerReadRows(registry: MetricsRegistry): MetricRow[] {
  return perReadRows(registry, 'TombstoneScannedHistogram');
}

export function rowsPerReadRows(registry: MetricsRegistry): MetricRow[] {
  return perReadRows(registry, 'LiveScannedHistogram');
}

function mebibyteRows(registry: MetricsRegistry, metricName: string): MetricRow[] {
  return tableGroups(registry).map(({ keyspace, table, metrics }) => ({
    keyspace_name: keyspace, table_name: table, mebibytes: Math.floor(numberOf(metrics.get(metricName)) / MIB),
  }));
}

export function diskUsageRows(registry: MetricsRegistry): MetricRow[] {
  return mebibyteRows(registry, 'TotalDiskSpaceUsed');
}

export function maxPartitionSizeRows(registry: MetricsRegistry): MetricRow[] {
  return mebibyteRows(registry, 'MaxPartitionSize');
}

export function cachesRows(registry: MetricsRegistry): MetricRow[] {
  const groups = groupsOf(registry, 'Cache', (t) => t.scope ?? null);
  return [...groups.entries()].map(([scope, m]) => {
    const hits = ratesOf(m.get('Hits'));
    const requests = ratesOf(m.get('Requests'));
    const requestCount = requests?.count ?? 0;
    return {
      name: CACHES[scope as CacheName] ?? scope,
      capacity_bytes: numberOf(m.get('Capacity')),
      entry_count: numberOf(m.get('Entries')),
      hit_count: hits?.count ?? 0,
      hit_ratio: requestCount === 0 ? Number.NaN : (hits?.count ?? 0) / requestCount,
      recent_hit_rate_per_second: Math.round(hits?.oneMinuteRate ?? 0),
      recent_request_rate_per_second: Math.round(requests?.oneMinuteRate ?? 0),
      request_count: requestCount,
      size_bytes: numberOf(m.get('Size')),
    };
  });
}

export function cqlMetricsRows(registry: MetricsRegistry): MetricRow[] {
  const m = groupsOf(registry, 'CQL', () => 'cql').get('cql') ?? new Map<string, Metric>();
  return [
    ['prepared_statements_count', 'PreparedStatementsCount'],
    ['prepared_statements_evicted', 'PreparedStatementsEvicted'],
    ['prepared_statements_executed', 'PreparedStatementsExecuted'],
    ['prepared_statements_ratio', 'PreparedStatementsRatio'],
    ['regular_statements_executed', 'RegularStatementsExecuted'],
  ].map(([name, metric]) => ({ name: name!, value: numberOf(m.get(metric!)) }));
}

/** A running SSTable task (compaction, cleanup, ...), as the compaction manager reports it. */
export interface SSTableTask {
  keyspace: string;
  table: string;
  /** timeuuid text */
  taskId: string;
  /** Lower case: compaction, cleanup, scrub, upgrade, validation, ... */
  kind: string;
  progress: number;
  total: number;
  sstables: number;
  /** bytes, keys, ranges */
  unit: string;
}

export function sstableTasksRows(tasks: readonly SSTableTask[]): MetricRow[] {
  return tasks.map((t) => ({
    keyspace_name: t.keyspace, table_name: t.table, task_id: t.taskId,
    completion_ratio: t.total > 0 ? t.progress / t.total : 0,
    kind: t.kind, progress: t.progress, sstables: t.sstables, total: t.total, unit: t.unit,
  }));
}

export interface VirtualTableSources {
  /** Running SSTable tasks for sstable_tasks (none when absent). */
  sstableTasks?: () => readonly SSTableTask[];
}

type RowsFn = (registry: MetricsRegistry, sources: VirtualTableSources) => MetricRow[];

const ROWS: Record<string, RowsFn> = {
  thread_pools: (r) => threadPoolsRows(r),
  tombstones_per_read: (r) => tombstonesPerReadRows(r),
  rows_per_read: (r) => rowsPerReadRows(r),
  disk_usage: (r) => diskUsageRows(r),
  max_partition_size: (r) => maxPartitionSizeRows(r),
  caches: (r) => cachesRows(r),
  cql_metrics: (r) => cqlMetricsRows(r),
  sstable_tasks: (_r, s) => sstableTasksRows(s.sstableTasks?.() ?? []),
  ...Object.fromEntries((Object.keys(LATENCY_TABLES) as LatencyTableName[]).map((t) => [t, (r: MetricsRegistry) => latencyRows(r, t)])),
};

/** Names of the system_views tables served from metrics (each has a VIRTUAL_TABLE_SPECS entry). */
export const METRIC_VIRTUAL_TABLES: readonly string[] = VIRTUAL_TABLE_SPECS.map((s) => s.name);

/** Rows of one system_views table by name (see METRIC_VIRTUAL_TABLES); undefined for others. */
export function virtualTableRows(registry: MetricsRegistry, table: string, sources: VirtualTableSources = {}): MetricRow[] | undefined {
  return Object.hasOwn(ROWS, table) ? ROWS[table]!(registry, sources) : undefined;
}
