// JSON snapshots for nodetool (served by the admin API) and the text layouts Cassandra's nodetool
// prints for them (used by the CLI). Snapshots are plain JSON values: numbers, strings, arrays.
// Units: latencies in microseconds unless the field says Ms; sizes in bytes.

import type { HistogramSnapshot } from './metrics.js';
import { compareText, type NodeMetrics, type TableMetrics } from './groups.js';
import { threadPoolsRows } from './virtual_tables.js';

export interface TpstatsPool {
  name: string;
  active: number;
  pending: number;
  completed: number;
  blocked: number;
  allTimeBlocked: number;
}

export interface TpstatsDropped {
  messageType: string;
  dropped: number;
  /** Age of dropped messages (internal and cross-node together), microseconds. */
  p50Micros: number;
  p95Micros: number;
  p99Micros: number;
  maxMicros: number;
}

export interface TpstatsSnapshot {
  pools: TpstatsPool[];
  droppedMessages: TpstatsDropped[];
}

export function tpstatsSnapshot(m: NodeMetrics): TpstatsSnapshot {
  const pools = threadPoolsRows(m.registry).map((r) => ({
    name: String(r.name), active: Number(r.active_tasks), pending: Number(r.pending_tasks), completed: Number(r.completed_tasks),
    blocked: Number(r.blocked_tasks), allTimeBlocked: Number(r.blocked_tasks_all_time),
  }));
  const droppedMessages = m.droppedMessages.all().map((d) => {
    const a = d.internalDroppedLatency.snapshot();
    const b = d.crossNodeDroppedLatency.snapshot();
    const pick = (key: 'p50' | 'p95' | 'p99' | 'max') => Math.max(a[key], b[key]);
    return { messageType: d.verb, dropped: d.dropped.count(), p50Micros: pick('p50'), p95Micros: pick('p95'), p99Micros: pick('p99'), maxMicros: pick('max') };
  });
  return { pools, droppedMessages };
}

export interface TableStats {
  table: string;
  sstableCount: number;
  spaceUsedLiveBytes: number;
  spaceUsedTotalBytes: number;
  memtableCellCount: number;
  memtableDataSizeBytes: number;
  memtableSwitchCount: number;
  localReadCount: number;
  /** Mean over the recent window, ms; NaN when there were none (nodetool prints NaN). */
  localReadLatencyMs: number;
  localWriteCount: number;
  localWriteLatencyMs: number;
  pendingFlushes: number;
  pendingCompactions: number;
  compressionRatio: number;
  estimatedPartitions: number;
  compactedPartitionMinBytes: number;
  compactedPartitionMaxBytes: number;
  compactedPartitionMeanBytes: number;
  averageLiveCellsPerSlice: number;
  maximumLiveCellsPerSlice: number;
  averageTombstonesPerSlice: number;
  maximumTombstonesPerSlice: number;
  bytesFlushed: number;
  compactionBytesWritten: number;
}

export interface KeyspaceStats {
  keyspace: string;
  readCount: number;
  readLatencyMs: number;
  writeCount: number;
  writeLatencyMs: number;
  pendingFlushes: number;
  tables: TableStats[];
}

export interface TablestatsSnapshot {
  keyspaces: KeyspaceStats[];
}

const meanMs = (s: HistogramSnapshot) => (s.windowCount === 0 ? Number.NaN : s.mean / 1000);

function tableStats(t: TableMetrics): TableStats {
  const g = t.gauges();
  const read = t.readLatency.snapshot();
  const write = t.writeLatency.snapshot();
  const live = t.liveRowsScanned.snapshot();
  const tombstones = t.tombstonesScanned.snapshot();
  const num = (f: (() => number) | undefined) => (f ? f() : 0);
  return {
    table: t.table,
    sstableCount: num(g.liveSSTableCount),
    spaceUsedLiveBytes: num(g.liveDiskSpaceUsedBytes),
    spaceUsedTotalBytes: num(g.totalDiskSpaceUsedBytes),
    memtableCellCount: num(g.memtableColumnsCount),
    memtableDataSizeBytes: num(g.memtableLiveDataSizeBytes),
    memtableSwitchCount: t.memtableSwitchCount.count(),
    localReadCount: read.count,
    localReadLatencyMs: meanMs(read),
    localWriteCount: write.count,
    localWriteLatencyMs: meanMs(write),
    pendingFlushes: t.pendingFlushes.count(),
    pendingCompactions: num(g.pendingCompactions),
    compressionRatio: g.compressionRatio ? g.compressionRatio() : -1,
    estimatedPartitions: num(g.estimatedPartitionCount),
    compactedPartitionMinBytes: num(g.minPartitionSizeBytes),
    compactedPartitionMaxBytes: num(g.maxPartitionSizeBytes),
    compactedPartitionMeanBytes: num(g.meanPartitionSizeBytes),
    averageLiveCellsPerSlice: live.windowCount === 0 ? Number.NaN : live.mean,
    maximumLiveCellsPerSlice: live.max,
    averageTombstonesPerSlice: tombstones.windowCount === 0 ? Number.NaN : tombstones.mean,
    maximumTombstonesPerSlice: tombstones.max,
    bytesFlushed: t.bytesFlushed.count(),
    compactionBytesWritten: t.compactionBytesWritten.count(),
  };
}

/** Keyspace rows aggregate their tables: counts add up, latency is the count-weighted mean. */
export function tablestatsSnapshot(m: NodeMetrics, filter: { keyspace?: string; table?: string } = {}): TablestatsSnapshot {
  const byKeyspace = new Map<string, TableMetrics[]>();
  for (const t of m.tables.all()) {
    if (filter.keyspace !== undefined && t.keyspace !== filter.keyspace) continue;
    if (filter.table !== undefined && t.table !== filter.table) continue;
    byKeyspace.set(t.keyspace, [...(byKeyspace.get(t.keyspace) ?? []), t]);
  }
  const keyspaces = [...byKeyspace.entries()].sort((a, b) => compareText(a[0], b[0])).map(([keyspace, tables]) => {
    const stats = tables.map(tableStats);
    const weighted = (count: (t: TableMetrics) => HistogramSnapshot) => {
      const snaps = tables.map(count).filter((s) => s.windowCount > 0);
      const n = snaps.reduce((a, s) => a + s.windowCount, 0);
      return n === 0 ? Number.NaN : snaps.reduce((a, s) => a + s.mean * s.windowCount, 0) / n / 1000;
    };
    return {
      keyspace,
      readCount: stats.reduce((a, s) => a + s.localReadCount, 0),
      readLatencyMs: weighted((t) => t.readLatency.snapshot()),
      writeCount: stats.reduce((a, s) => a + s.localWriteCount, 0),
      writeLatencyMs: weighted((t) => t.writeLatency.snapshot()),
      pendingFlushes: stats.reduce((a, s) => a + s.pendingFlushes, 0),
      tables: stats,
    };
  });
  return { keyspaces };
}

export interface HistogramRow {
  /** '50%', '75%', '95%', '98%', '99%', 'Min', 'Max' as nodetool labels them. */
  percentile: string;
  [column: string]: string | number;
}

const ROW_LABELS = ['50%', '75%', '95%', '98%', '99%', 'Min', 'Max'] as const;
const ROW_KEYS: Array<keyof HistogramSnapshot> = ['p50', 'p75', 'p95', 'p98', 'p99', 'min', 'max'];

function histogramRows(columns: Record<string, HistogramSnapshot>): HistogramRow[] {
  return ROW_LABELS.map((label, i) => {
    const row: HistogramRow = { percentile: label };
    for (const [col, s] of Object.entries(columns)) row[col] = s[ROW_KEYS[i]!] as number;
    return row;
  });
}

export interface TablehistogramsSnapshot {
  keyspace: string;
  table: string;
  /** Columns: sstables, writeLatencyMicros, readLatencyMicros, partitionSizeBytes, cellCount. */
  rows: HistogramRow[];
}

/** null when the table has no metrics (unknown table). */
export function tablehistogramsSnapshot(m: NodeMetrics, keyspace: string, table: string): TablehistogramsSnapshot | null {
  const t = m.tables.find(keyspace, table);
  if (t === undefined) return null;
  const g = t.gauges();
  const none: HistogramSnapshot = { count: 0, sum: 0, windowCount: 0, min: 0, max: 0, mean: 0, p50: 0, p75: 0, p95: 0, p98: 0, p99: 0, p999: 0 };
  return {
    keyspace, table,
    rows: histogramRows({
      sstables: t.sstablesPerRead.snapshot(),
      writeLatencyMicros: t.writeLatency.snapshot(),
      readLatencyMicros: t.readLatency.snapshot(),
      partitionSizeBytes: g.estimatedPartitionSizes?.() ?? none,
      cellCount: g.estimatedColumnCounts?.() ?? none,
    }),
  };
}

export interface ProxyhistogramsSnapshot {
  /** Columns: readLatencyMicros, writeLatencyMicros, rangeLatencyMicros, casReadLatencyMicros, casWriteLatencyMicros. */
  rows: HistogramRow[];
}

export function proxyhistogramsSnapshot(m: NodeMetrics): ProxyhistogramsSnapshot {
  const k = m.clientRequests.byKind;
  return {
    rows: histogramRows({
      readLatencyMicros: k.Read.latency.snapshot(),
      writeLatencyMicros: k.Write.latency.snapshot(),
      rangeLatencyMicros: k.RangeSlice.latency.snapshot(),
      casReadLatencyMicros: k.CASRead.latency.snapshot(),
      casWriteLatencyMicros: k.CASWrite.latency.snapshot(),
    }),
  };
}

export interface CacheInfo {
  entries: number;
  sizeBytes: number;
  capacityBytes: number;
  hits: number;
  requests: number;
  /** hits / requests since start; NaN with no requests. */
  recentHitRate: number;
}

/** The metrics part of `nodetool info` (the node adds identity, tokens, gossip state). */
export interface InfoMetricsSnapshot {
  uptimeSeconds: number;
  loadBytes: number;
  exceptions: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  rssBytes: number;
  caches: Record<'keyCache' | 'rowCache' | 'counterCache' | 'chunkCache', CacheInfo>;
  percentRepaired: number;
}

export function infoSnapshot(m: NodeMetrics): InfoMetricsSnapshot {
  const cache = (c: NodeMetrics['caches'][keyof NodeMetrics['caches']]): CacheInfo => {
    const g = c.gauges();
    const requests = c.requests.count();
    return {
      entries: g.entries?.() ?? 0, sizeBytes: g.sizeBytes?.() ?? 0, capacityBytes: g.capacityBytes?.() ?? 0,
      hits: c.hits.count(), requests, recentHitRate: requests === 0 ? Number.NaN : c.hits.count() / requests,
    };
  };
  const mem = m.runtime.memory();
  const load = m.registry.get({ type: 'Storage', name: 'Load' })?.metric;
  return {
    uptimeSeconds: Math.floor((m.registry.clock.monotonicMs() - m.startedAtMs) / 1000),
    loadBytes: load?.kind === 'gauge' ? load.value() : 0,
    exceptions: m.storage.exceptions.count(),
    heapUsedBytes: mem.heapUsedBytes,
    heapTotalBytes: mem.heapTotalBytes,
    rssBytes: mem.rssBytes,
    caches: { keyCache: cache(m.caches.KeyCache), rowCache: cache(m.caches.RowCache), counterCache: cache(m.caches.CounterCache), chunkCache: cache(m.caches.ChunkCache) },
    percentRepaired: 100,
  };
}

/** `nodetool gcstats` stand-in: event loop pauses instead of GC pauses. */
export interface GcstatsSnapshot {
  /** ms since the previous gcstats call (or since start). */
  intervalMs: number;
  eventLoopDelayMaxMicros: number;
  eventLoopDelayP99Micros: number;
  eventLoopDelayMeanMicros: number;
  eventLoopDelayStdevMicros: number;
  /** Fraction of the interval the event loop was busy. */
  eventLoopUtilization: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
}

/** Tracks the interval between calls, as nodetool gcstats reports "since last call". */
export class Gcstats {
  private lastMs: number;
  constructor(private readonly m: NodeMetrics) {
    this.lastMs = m.startedAtMs;
  }
  snapshot(): GcstatsSnapshot {
    const nowMs = this.m.registry.clock.monotonicMs();
    const provider = this.m.runtime.provider;
    const delay = provider?.eventLoopDelayMicros();
    provider?.resetEventLoopDelay();
    const mem = this.m.runtime.memory();
    const out: GcstatsSnapshot = {
      intervalMs: Math.round(nowMs - this.lastMs),
      eventLoopDelayMaxMicros: delay?.max ?? 0,
      eventLoopDelayP99Micros: delay?.p99 ?? 0,
      eventLoopDelayMeanMicros: delay?.mean ?? 0,
      eventLoopDelayStdevMicros: delay !== undefined ? stdevFromPercentiles(delay) : 0,
      eventLoopUtilization: this.m.runtime.utilization(),
      heapUsedBytes: mem.heapUsedBytes,
      heapTotalBytes: mem.heapTotalBytes,
      externalBytes: mem.externalBytes,
    };
    this.lastMs = nowMs;
    return out;
  }
}

/** A rough spread for display: (p84 ≈ mean + σ) is not kept, so half the p50..p98 span. */
function stdevFromPercentiles(s: HistogramSnapshot): number {
  return Math.max(0, (s.p98 - s.p50) / 2);
}

// ------------------------------------------------------------------------------------- text

function columns(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length); });
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]! + 1))).join('').trimEnd());
}

const fixed = (v: number, digits = 2) => (Number.isNaN(v) ? 'NaN' : v.toFixed(digits));

export function formatTpstats(s: TpstatsSnapshot): string {
  const pools = columns([
    ['Pool Name', 'Active', 'Pending', 'Completed', 'Blocked', 'All time blocked'],
    ...s.pools.map((p) => [p.name, String(p.active), String(p.pending), String(p.completed), String(p.blocked), String(p.allTimeBlocked)]),
  ]);
  const dropped = columns([
    ['Message type', 'Dropped', 'Latency waiting in queue (micros)'],
    ['', '', '50%', '95%', '99%', 'Max'],
    ...s.droppedMessages.map((d) => [d.messageType, String(d.dropped), fixed(d.p50Micros), fixed(d.p95Micros), fixed(d.p99Micros), fixed(d.maxMicros)]),
  ]);
  return [...pools, '', ...dropped].join('\n') + '\n';
}

export function formatTablestats(s: TablestatsSnapshot): string {
  const out: string[] = ['Total number of tables: ' + s.keyspaces.reduce((n, k) => n + k.tables.length, 0), '----------------'];
  for (const k of s.keyspaces) {
    out.push(`Keyspace : ${k.keyspace}`, `\tRead Count: ${k.readCount}`, `\tRead Latency: ${fixed(k.readLatencyMs, 3)} ms`,
      `\tWrite Count: ${k.writeCount}`, `\tWrite Latency: ${fixed(k.writeLatencyMs, 3)} ms`, `\tPending Flushes: ${k.pendingFlushes}`);
    for (const t of k.tables) {
      out.push(
        `\t\tTable: ${t.table}`,
        `\t\tSSTable count: ${t.sstableCount}`,
        `\t\tSpace used (live): ${t.spaceUsedLiveBytes}`,
        `\t\tSpace used (total): ${t.spaceUsedTotalBytes}`,
        `\t\tSSTable Compression Ratio: ${fixed(t.compressionRatio, 5)}`,
        `\t\tNumber of partitions (estimate): ${t.estimatedPartitions}`,
        `\t\tMemtable cell count: ${t.memtableCellCount}`,
        `\t\tMemtable data size: ${t.memtableDataSizeBytes}`,
        `\t\tMemtable switch count: ${t.memtableSwitchCount}`,
        `\t\tLocal read count: ${t.localReadCount}`,
        `\t\tLocal read latency: ${fixed(t.localReadLatencyMs, 3)} ms`,
        `\t\tLocal write count: ${t.localWriteCount}`,
        `\t\tLocal write latency: ${fixed(t.localWriteLatencyMs, 3)} ms`,
        `\t\tPending flushes: ${t.pendingFlushes}`,
        `\t\tPending compactions: ${t.pendingCompactions}`,
        `\t\tCompacted partition minimum bytes: ${t.compactedPartitionMinBytes}`,
        `\t\tCompacted partition maximum bytes: ${t.compactedPartitionMaxBytes}`,
        `\t\tCompacted partition mean bytes: ${t.compactedPartitionMeanBytes}`,
        `\t\tAverage live cells per slice (last five minutes): ${fixed(t.averageLiveCellsPerSlice, 1)}`,
        `\t\tMaximum live cells per slice (last five minutes): ${t.maximumLiveCellsPerSlice}`,
        `\t\tAverage tombstones per slice (last five minutes): ${fixed(t.averageTombstonesPerSlice, 1)}`,
        `\t\tMaximum tombstones per slice (last five minutes): ${t.maximumTombstonesPerSlice}`,
        `\t\tBytes flushed: ${t.bytesFlushed}`,
        `\t\tCompaction bytes written: ${t.compactionBytesWritten}`,
        '',
      );
    }
    out.push('----------------');
  }
  return out.join('\n') + '\n';
}

export function formatTablehistograms(s: TablehistogramsSnapshot): string {
  return [
    `${s.keyspace}/${s.table} histograms`,
    ...columns([
      ['Percentile', 'SSTables', 'Write Latency', 'Read Latency', 'Partition Size', 'Cell Count'],
      ['', '', '(micros)', '(micros)', '(bytes)', ''],
      ...s.rows.map((r) => [r.percentile, fixed(Number(r.sstables)), fixed(Number(r.writeLatencyMicros)), fixed(Number(r.readLatencyMicros)), String(Math.round(Number(r.partitionSizeBytes))), String(Math.round(Number(r.cellCount)))]),
    ]),
  ].join('\n') + '\n';
}

export function formatProxyhistograms(s: ProxyhistogramsSnapshot): string {
  return [
    'proxy histograms',
    ...columns([
      ['Percentile', 'Read Latency', 'Write Latency', 'Range Latency', 'CAS Read Latency', 'CAS Write Latency'],
      ['', '(micros)', '(micros)', '(micros)', '(micros)', '(micros)'],
      ...s.rows.map((r) => [r.percentile, ...['readLatencyMicros', 'writeLatencyMicros', 'rangeLatencyMicros', 'casReadLatencyMicros', 'casWriteLatencyMicros'].map((c) => fixed(Number(r[c])))]),
    ]),
  ].join('\n') + '\n';
}

export function formatGcstats(s: GcstatsSnapshot): string {
  return columns([
    ['Interval (ms)', 'Max loop delay (µs)', 'P99 loop delay (µs)', 'Mean loop delay (µs)', 'Loop utilization', 'Heap used (MB)', 'Heap total (MB)'],
    [String(s.intervalMs), fixed(s.eventLoopDelayMaxMicros, 0), fixed(s.eventLoopDelayP99Micros, 0), fixed(s.eventLoopDelayMeanMicros, 0), fixed(s.eventLoopUtilization, 3),
      fixed(s.heapUsedBytes / 1048576), fixed(s.heapTotalBytes / 1048576)],
  ]).join('\n') + '\n';
}
