// Predefined metric groups: each class registers Cassandra's names for one concern and holds the
// metric objects as fields, so callers record with a property access and never build names.
// Values that other parts own (SSTable counts, connected clients, cache sizes) come from a
// source object bound later with `bind(...)`; until then those gauges read 0.

import type { Clock } from '../env/mod.js';
import { assert } from '../util/assert.js';
import { Counter, emptySnapshot, Histogram, Meter, Timer, type HistogramSnapshot } from './metrics.js';
import type { MetricName, MetricsRegistry } from './registry.js';

// ---------------------------------------------------------------------------------------------
// ClientRequest: type=ClientRequest scope=<Kind>[-<CL>] name=Latency|Timeouts|Unavailables|Failures

export const REQUEST_KINDS = ['Read', 'Write', 'CASRead', 'CASWrite', 'RangeSlice'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

/** Cassandra's consistency levels by name (NODE_LOCAL is internal, never on the wire). */
export const CONSISTENCY_LEVELS = ['ANY', 'ONE', 'TWO', 'THREE', 'QUORUM', 'ALL', 'LOCAL_QUORUM', 'EACH_QUORUM', 'SERIAL', 'LOCAL_SERIAL', 'LOCAL_ONE', 'NODE_LOCAL'] as const;
export type ConsistencyLevelName = (typeof CONSISTENCY_LEVELS)[number];

/** Latency (µs), Timeouts, Unavailables and Failures of one ClientRequest scope. */
export class ClientRequestMetrics {
  readonly latency: Timer;
  readonly timeouts: Meter;
  readonly unavailables: Meter;
  readonly failures: Meter;

  constructor(registry: MetricsRegistry, readonly scope: string) {
    const n = (name: string): MetricName => ({ type: 'ClientRequest', scope, name });
    this.latency = registry.timer(n('Latency'), 'Coordinator request latency in microseconds');
    this.timeouts = registry.meter(n('Timeouts'), 'Requests that timed out waiting for replicas');
    this.unavailables = registry.meter(n('Unavailables'), 'Requests refused for too few live replicas');
    this.failures = registry.meter(n('Failures'), 'Requests failed by a replica error');
  }
}

/** Extra metrics Cassandra keeps for lightweight transactions and writes. */
export interface ClientRequestExtras {
  /** CASRead/CASWrite: Paxos rounds needed per request. */
  casContention: Record<'CASRead' | 'CASWrite', Histogram>;
  /** CASRead/CASWrite: in-progress Paxos rounds found and finished by a later request. */
  casUnfinishedCommit: Record<'CASRead' | 'CASWrite', Counter>;
  /** CASWrite: IF conditions that did not hold. */
  casConditionNotMet: Counter;
  /** Write: serialized mutation sizes in bytes. */
  mutationSizeBytes: Histogram;
}

/**
 * Every ClientRequest scope: per kind (`read`, `byKind.Read`) and per kind and consistency level
 * (`byKindAndCl.Read.QUORUM`, scope `Read-QUORUM`). The `record*` helpers update both.
 */
export class ClientRequestMetricsSet {
  readonly byKind: Readonly<Record<RequestKind, ClientRequestMetrics>>;
  readonly byKindAndCl: Readonly<Record<RequestKind, Readonly<Record<ConsistencyLevelName, ClientRequestMetrics>>>>;
  readonly extras: ClientRequestExtras;
  private readonly clock: Clock;

  constructor(registry: MetricsRegistry) {
    this.clock = registry.clock;
    const byKind = {} as Record<RequestKind, ClientRequestMetrics>;
    const byKindAndCl = {} as Record<RequestKind, Record<ConsistencyLevelName, ClientRequestMetrics>>;
    for (const kind of REQUEST_KINDS) {
      byKind[kind] = new ClientRequestMetrics(registry, kind);
      const perCl = {} as Record<ConsistencyLevelName, ClientRequestMetrics>;
      for (const cl of CONSISTENCY_LEVELS) perCl[cl] = new ClientRequestMetrics(registry, `${kind}-${cl}`);
      byKindAndCl[kind] = perCl;
    }
    this.byKind = byKind;
    this.byKindAndCl = byKindAndCl;
    const n = (scope: string, name: string): MetricName => ({ type: 'ClientRequest', scope, name });
    this.extras = {
      casContention: {
        CASRead: registry.histogram(n('CASRead', 'ContentionHistogram'), 'Paxos rounds per CAS read'),
        CASWrite: registry.histogram(n('CASWrite', 'ContentionHistogram'), 'Paxos rounds per CAS write'),
      },
      casUnfinishedCommit: {
        CASRead: registry.counter(n('CASRead', 'UnfinishedCommit'), 'Unfinished Paxos commits completed by CAS reads'),
        CASWrite: registry.counter(n('CASWrite', 'UnfinishedCommit'), 'Unfinished Paxos commits completed by CAS writes'),
      },
      casConditionNotMet: registry.counter(n('CASWrite', 'ConditionNotMet'), 'CAS writes whose IF condition did not hold'),
      mutationSizeBytes: registry.histogram(n('Write', 'MutationSizeHistogram'), 'Serialized mutation size in bytes'),
    };
  }

  /** Records one request's latency under its kind and its kind-CL scope (one clock read). */
  recordLatency(kind: RequestKind, cl: ConsistencyLevelName, micros: number): void {
    this.recordLatencyAt(this.clock.monotonicMs(), kind, cl, micros);
  }

  /** As recordLatency, for callers that already read the clock (monotonicMs). */
  recordLatencyAt(nowMs: number, kind: RequestKind, cl: ConsistencyLevelName, micros: number): void {
    this.byKind[kind].latency.recordMicrosAt(nowMs, micros);
    this.byKindAndCl[kind][cl].latency.recordMicrosAt(nowMs, micros);
  }

  recordTimeout(kind: RequestKind, cl: ConsistencyLevelName): void {
    this.byKind[kind].timeouts.mark();
    this.byKindAndCl[kind][cl].timeouts.mark();
  }

  recordUnavailable(kind: RequestKind, cl: ConsistencyLevelName): void {
    this.byKind[kind].unavailables.mark();
    this.byKindAndCl[kind][cl].unavailables.mark();
  }

  recordFailure(kind: RequestKind, cl: ConsistencyLevelName): void {
    this.byKind[kind].failures.mark();
    this.byKindAndCl[kind][cl].failures.mark();
  }
}

// ---------------------------------------------------------------------------------------------
// Table: type=Table keyspace=<ks> scope=<table> name=...

/** Values the storage engine owns, read when metrics are exposed. All optional. */
export interface TableGaugeSource {
  liveSSTableCount(): number;
  liveDiskSpaceUsedBytes(): number;
  totalDiskSpaceUsedBytes(): number;
  pendingCompactions(): number;
  memtableLiveDataSizeBytes(): number;
  memtableColumnsCount(): number;
  estimatedPartitionCount(): number;
  /** Partition sizes in bytes over the live SSTables (e.g. snapshotOfBuckets of their stats). */
  estimatedPartitionSizes(): HistogramSnapshot;
  /** Cells per partition over the live SSTables. */
  estimatedColumnCounts(): HistogramSnapshot;
  maxPartitionSizeBytes(): number;
  meanPartitionSizeBytes(): number;
  minPartitionSizeBytes(): number;
  /** Compressed / uncompressed size of the live SSTables (Cassandra reports -1 when unknown). */
  compressionRatio(): number;
}

/** Per-table metrics: local (storage) and coordinator latencies, read shape, sizes. */
export class TableMetrics {
  /** Local read/write/range latencies at this replica, µs (Cassandra's ReadLatency ...). */
  readonly readLatency: Timer;
  readonly writeLatency: Timer;
  readonly rangeLatency: Timer;
  /** Latencies at the coordinator for this table, µs. */
  readonly coordinatorReadLatency: Timer;
  readonly coordinatorWriteLatency: Timer;
  readonly coordinatorScanLatency: Timer;
  readonly sstablesPerRead: Histogram;
  readonly tombstonesScanned: Histogram;
  readonly liveRowsScanned: Histogram;
  readonly bytesFlushed: Counter;
  readonly compactionBytesWritten: Counter;
  readonly memtableSwitchCount: Counter;
  readonly pendingFlushes: Counter;
  private source: Partial<TableGaugeSource> = {};

  constructor(registry: MetricsRegistry, readonly keyspace: string, readonly table: string) {
    const n = (name: string): MetricName => ({ type: 'Table', keyspace, scope: table, name });
    this.readLatency = registry.timer(n('ReadLatency'), 'Local read latency in microseconds');
    this.writeLatency = registry.timer(n('WriteLatency'), 'Local write latency in microseconds');
    this.rangeLatency = registry.timer(n('RangeLatency'), 'Local range scan latency in microseconds');
    this.coordinatorReadLatency = registry.timer(n('CoordinatorReadLatency'), 'Coordinator read latency in microseconds');
    this.coordinatorWriteLatency = registry.timer(n('CoordinatorWriteLatency'), 'Coordinator write latency in microseconds');
    this.coordinatorScanLatency = registry.timer(n('CoordinatorScanLatency'), 'Coordinator range scan latency in microseconds');
    this.sstablesPerRead = registry.histogram(n('SSTablesPerReadHistogram'), 'SSTables touched per read');
    this.tombstonesScanned = registry.histogram(n('TombstoneScannedHistogram'), 'Tombstones scanned per read');
    this.liveRowsScanned = registry.histogram(n('LiveScannedHistogram'), 'Live rows scanned per read');
    this.bytesFlushed = registry.counter(n('BytesFlushed'), 'Bytes written by memtable flushes');
    this.compactionBytesWritten = registry.counter(n('CompactionBytesWritten'), 'Bytes written by compaction');
    this.memtableSwitchCount = registry.counter(n('MemtableSwitchCount'), 'Memtables switched (flushed)');
    this.pendingFlushes = registry.counter(n('PendingFlushes'), 'Flushes queued or running', 'updown');
    const g = (name: string, help: string, read: (s: Partial<TableGaugeSource>) => number | undefined) =>
      registry.gauge(n(name), () => read(this.source) ?? 0, help);
    g('LiveSSTableCount', 'Live SSTables', (s) => s.liveSSTableCount?.());
    g('LiveDiskSpaceUsed', 'Bytes of live SSTables', (s) => s.liveDiskSpaceUsedBytes?.());
    g('TotalDiskSpaceUsed', 'Bytes of all SSTables including obsolete ones not yet deleted', (s) => s.totalDiskSpaceUsedBytes?.());
    g('PendingCompactions', 'Estimated compactions still to run', (s) => s.pendingCompactions?.());
    g('MemtableLiveDataSize', 'Bytes of live data in the memtable', (s) => s.memtableLiveDataSizeBytes?.());
    g('MemtableColumnsCount', 'Cells in the memtable', (s) => s.memtableColumnsCount?.());
    g('EstimatedPartitionCount', 'Estimated partitions', (s) => s.estimatedPartitionCount?.());
    g('MaxPartitionSize', 'Largest partition in bytes', (s) => s.maxPartitionSizeBytes?.());
    g('MeanPartitionSize', 'Mean partition size in bytes', (s) => s.meanPartitionSizeBytes?.());
    g('MinPartitionSize', 'Smallest partition in bytes', (s) => s.minPartitionSizeBytes?.());
    g('CompressionRatio', 'Compressed / uncompressed SSTable bytes', (s) => s.compressionRatio?.());
    registry.histogramGauge(n('EstimatedPartitionSizeHistogram'), () => this.source.estimatedPartitionSizes?.() ?? emptySnapshot(), 'Partition sizes in bytes');
    registry.histogramGauge(n('EstimatedColumnCountHistogram'), () => this.source.estimatedColumnCounts?.() ?? emptySnapshot(), 'Cells per partition');
  }

  /** Connects the storage engine's values; later calls replace earlier ones field by field. */
  bind(source: Partial<TableGaugeSource>): void {
    this.source = { ...this.source, ...source };
  }

  gauges(): Partial<TableGaugeSource> {
    return this.source;
  }
}

/** Every table's metrics; create at table open, drop with the table. */
export class TableMetricsSet {
  private readonly tables = new Map<string, TableMetrics>();
  constructor(private readonly registry: MetricsRegistry) {}

  /** Get-or-create (a Map lookup: call at wiring time, hold the result). */
  forTable(keyspace: string, table: string): TableMetrics {
    const key = `${keyspace}.${table}`;
    let m = this.tables.get(key);
    if (m === undefined) {
      m = new TableMetrics(this.registry, keyspace, table);
      this.tables.set(key, m);
    }
    return m;
  }

  find(keyspace: string, table: string): TableMetrics | undefined {
    return this.tables.get(`${keyspace}.${table}`);
  }

  /** Unregisters a dropped table's metrics (also call for a dropped keyspace's tables). */
  drop(keyspace: string, table: string): void {
    this.tables.delete(`${keyspace}.${table}`);
    this.registry.removeWhere((n) => n.type === 'Table' && n.keyspace === keyspace && n.scope === table);
  }

  all(): TableMetrics[] {
    return [...this.tables.values()].sort((a, b) => compareText(`${a.keyspace}.${a.table}`, `${b.keyspace}.${b.table}`));
  }
}

// ---------------------------------------------------------------------------------------------
// ThreadPools: type=ThreadPools path=<transport|request|internal> scope=<pool> name=...

/** The stages Cassandra reports and the path each lives under. */
export const THREAD_POOLS = {
  'Native-Transport-Requests': 'transport',
  ReadStage: 'request',
  MutationStage: 'request',
  CounterMutationStage: 'request',
  ViewMutationStage: 'request',
  RequestResponseStage: 'request',
  GossipStage: 'internal',
  MigrationStage: 'internal',
  AntiEntropyStage: 'internal',
  InternalResponseStage: 'internal',
  CompactionExecutor: 'internal',
  MemtableFlushWriter: 'internal',
  MemtablePostFlush: 'internal',
  MemtableReclaimMemory: 'internal',
  HintsDispatcher: 'internal',
  ValidationExecutor: 'internal',
  CacheCleanupExecutor: 'internal',
  Repair: 'internal',
} as const;
export type ThreadPoolName = keyof typeof THREAD_POOLS;

/**
 * One stage's task accounting. Node has one event loop, so a "pool" counts tasks of one kind:
 * queued (pending), running (active: started and not yet finished, including awaiting I/O),
 * completed, and blocked (a producer held back, e.g. a socket paused for backpressure).
 */
export class ThreadPoolMetrics {
  readonly active: Counter;
  readonly pending: Counter;
  readonly completed: Counter;
  readonly currentlyBlocked: Counter;
  readonly totalBlocked: Counter;
  private maxActive: number;

  constructor(registry: MetricsRegistry, readonly path: string, readonly name: string, maxActive = 0) {
    this.maxActive = maxActive;
    const n = (metric: string): MetricName => ({ type: 'ThreadPools', path, scope: name, name: metric });
    this.active = registry.counter(n('ActiveTasks'), 'Tasks running', 'updown');
    this.pending = registry.counter(n('PendingTasks'), 'Tasks queued', 'updown');
    this.completed = registry.counter(n('CompletedTasks'), 'Tasks completed');
    this.currentlyBlocked = registry.counter(n('CurrentlyBlockedTasks'), 'Producers currently held back', 'updown');
    this.totalBlocked = registry.counter(n('TotalBlockedTasks'), 'Producers held back since start');
    registry.gauge(n('MaxPoolSize'), () => this.maxActive, 'Limit on running tasks (0: none)');
  }

  /** A task was queued. */
  enqueued(n = 1): void {
    this.pending.inc(n);
  }
  /** A queued task started. */
  started(): void {
    this.pending.dec();
    this.active.inc();
  }
  /** A task started without queueing. */
  startedDirectly(): void {
    this.active.inc();
  }
  /** A queued task was dropped before it started (shed, cancelled). */
  discarded(): void {
    this.pending.dec();
  }
  finished(): void {
    this.active.dec();
    this.completed.inc();
  }
  blocked(): void {
    this.currentlyBlocked.inc();
    this.totalBlocked.inc();
  }
  unblocked(): void {
    this.currentlyBlocked.dec();
  }
  setMaxActive(limit: number): void {
    assert(limit >= 0, 'pool limit must be non-negative');
    this.maxActive = limit;
  }
  maxActiveTasks(): number {
    return this.maxActive;
  }
}

export class ThreadPoolMetricsSet {
  private readonly pools = new Map<string, ThreadPoolMetrics>();
  constructor(private readonly registry: MetricsRegistry) {
    for (const [name, path] of Object.entries(THREAD_POOLS)) this.pool(path, name);
  }
  /** A known stage (created by the constructor). */
  get(name: ThreadPoolName): ThreadPoolMetrics {
    return this.pools.get(name)!;
  }
  /** Get-or-create any pool. */
  pool(path: string, name: string, maxActive = 0): ThreadPoolMetrics {
    let p = this.pools.get(name);
    if (p === undefined) {
      p = new ThreadPoolMetrics(this.registry, path, name, maxActive);
      this.pools.set(name, p);
    }
    return p;
  }
  all(): ThreadPoolMetrics[] {
    return [...this.pools.values()].sort((a, b) => compareText(a.name, b.name));
  }
}

// ---------------------------------------------------------------------------------------------
// Client: type=Client name=...

export interface ClientGaugeSource {
  connectedNativeClients(): number;
  connectedNativeClientsByUser(): Record<string, number>;
  clientsByProtocolVersion(): Record<string, number>;
  pausedConnections(): number;
  /** Request bytes currently in flight (the overload limiter's count). */
  requestsSizeBytes(): number;
}

export class ClientMetrics {
  readonly authSuccess: Meter;
  readonly authFailure: Meter;
  /** Requests answered Overloaded or shed instead of executed. */
  readonly requestDiscarded: Meter;
  /** Times a connection stopped being read for backpressure. */
  readonly connectionPaused: Counter;
  readonly protocolException: Meter;
  readonly unknownException: Meter;
  private source: Partial<ClientGaugeSource> = {};

  constructor(registry: MetricsRegistry) {
    const n = (name: string): MetricName => ({ type: 'Client', name });
    registry.gauge(n('connectedNativeClients'), () => this.source.connectedNativeClients?.() ?? 0, 'Connected native protocol clients');
    registry.gaugeMap(n('connectedNativeClientsByUser'), 'user', () => this.source.connectedNativeClientsByUser?.() ?? {}, 'Connected native clients per user');
    registry.gaugeMap(n('clientsByProtocolVersion'), 'version', () => this.source.clientsByProtocolVersion?.() ?? {}, 'Connected native clients per protocol version');
    registry.gauge(n('PausedConnections'), () => this.source.pausedConnections?.() ?? 0, 'Connections not being read (backpressure)');
    registry.gauge(n('RequestsSize'), () => this.source.requestsSizeBytes?.() ?? 0, 'Request bytes in flight');
    this.authSuccess = registry.meter(n('AuthSuccess'), 'Successful authentications');
    this.authFailure = registry.meter(n('AuthFailure'), 'Failed authentications');
    this.requestDiscarded = registry.meter(n('RequestDiscarded'), 'Requests refused as overloaded or shed after waiting too long');
    this.connectionPaused = registry.counter(n('ConnectionPaused'), 'Times a connection was paused for backpressure');
    this.protocolException = registry.meter(n('ProtocolException'), 'Protocol errors sent to clients');
    this.unknownException = registry.meter(n('UnknownException'), 'Server errors sent to clients');
  }

  bind(source: Partial<ClientGaugeSource>): void {
    this.source = { ...this.source, ...source };
  }
}

// ---------------------------------------------------------------------------------------------
// DroppedMessage: type=DroppedMessage scope=<VERB> name=Dropped|InternalDroppedLatency|CrossNodeDroppedLatency

export const DROPPABLE_VERBS = ['MUTATION', 'COUNTER_MUTATION', 'VIEW_MUTATION', 'READ', 'RANGE_SLICE', 'READ_REPAIR', 'HINT', 'BATCH_STORE', 'BATCH_REMOVE', 'PAXOS_PREPARE', 'PAXOS_PROPOSE', 'PAXOS_COMMIT', 'REQUEST_RESPONSE', '_TRACE'] as const;
export type DroppableVerb = (typeof DROPPABLE_VERBS)[number];

export class DroppedMessageMetrics {
  readonly dropped: Meter;
  readonly internalDroppedLatency: Timer;
  readonly crossNodeDroppedLatency: Timer;
  constructor(registry: MetricsRegistry, readonly verb: string) {
    const n = (name: string): MetricName => ({ type: 'DroppedMessage', scope: verb, name });
    this.dropped = registry.meter(n('Dropped'), 'Messages dropped because they waited past their timeout');
    this.internalDroppedLatency = registry.timer(n('InternalDroppedLatency'), 'Age in microseconds of dropped messages from this node');
    this.crossNodeDroppedLatency = registry.timer(n('CrossNodeDroppedLatency'), 'Age in microseconds of dropped messages from other nodes');
  }
  /** One message dropped, `ageMicros` after it was created. */
  record(ageMicros: number, crossNode: boolean): void {
    this.dropped.mark();
    (crossNode ? this.crossNodeDroppedLatency : this.internalDroppedLatency).updateMicros(ageMicros);
  }
}

export class DroppedMessageMetricsSet {
  readonly byVerb: Readonly<Record<DroppableVerb, DroppedMessageMetrics>>;
  constructor(registry: MetricsRegistry) {
    const byVerb = {} as Record<DroppableVerb, DroppedMessageMetrics>;
    for (const v of DROPPABLE_VERBS) byVerb[v] = new DroppedMessageMetrics(registry, v);
    this.byVerb = byVerb;
  }
  all(): DroppedMessageMetrics[] {
    return DROPPABLE_VERBS.map((v) => this.byVerb[v]);
  }
}

// ---------------------------------------------------------------------------------------------
// Storage (type=Storage) and hints (type=HintsService)

export class StorageMetrics {
  readonly exceptions: Counter;
  readonly totalHints: Counter;
  readonly totalHintsInProgress: Counter;
  private loadBytes: () => number = () => 0;
  constructor(registry: MetricsRegistry) {
    const n = (name: string): MetricName => ({ type: 'Storage', name });
    registry.gauge(n('Load'), () => this.loadBytes(), 'Bytes of live data on disk on this node');
    this.exceptions = registry.counter(n('Exceptions'), 'Internal errors');
    this.totalHints = registry.counter(n('TotalHints'), 'Hints written since start');
    this.totalHintsInProgress = registry.counter(n('TotalHintsInProgress'), 'Hints being written', 'updown');
  }
  bindLoad(read: () => number): void {
    this.loadBytes = read;
  }
}

export class HintsMetrics {
  readonly succeeded: Meter;
  readonly failed: Meter;
  readonly timedOut: Meter;
  /** Delay between a hint's creation and its delivery, ms. */
  readonly delaysMs: Histogram;
  constructor(registry: MetricsRegistry) {
    const n = (name: string): MetricName => ({ type: 'HintsService', name });
    this.succeeded = registry.meter(n('HintsSucceeded'), 'Hints delivered');
    this.failed = registry.meter(n('HintsFailed'), 'Hint deliveries that failed');
    this.timedOut = registry.meter(n('HintsTimedOut'), 'Hint deliveries that timed out');
    this.delaysMs = registry.histogram(n('Hint_delays'), 'Milliseconds between writing and delivering a hint');
  }
}

// ---------------------------------------------------------------------------------------------
// CQL: type=CQL

export class CqlMetrics {
  readonly preparedStatementsExecuted: Counter;
  readonly regularStatementsExecuted: Counter;
  readonly preparedStatementsEvicted: Counter;
  private preparedCount: () => number = () => 0;
  constructor(registry: MetricsRegistry) {
    const n = (name: string): MetricName => ({ type: 'CQL', name });
    registry.gauge(n('PreparedStatementsCount'), () => this.preparedCount(), 'Prepared statements in the cache');
    this.preparedStatementsExecuted = registry.counter(n('PreparedStatementsExecuted'), 'Prepared statements executed');
    this.regularStatementsExecuted = registry.counter(n('RegularStatementsExecuted'), 'Unprepared statements executed');
    this.preparedStatementsEvicted = registry.counter(n('PreparedStatementsEvicted'), 'Prepared statements evicted from the cache');
    registry.gauge(n('PreparedStatementsRatio'), () => this.preparedRatio(), 'Prepared / all statements executed');
  }
  bindPreparedCount(read: () => number): void {
    this.preparedCount = read;
  }
  preparedCountNow(): number {
    return this.preparedCount();
  }
  preparedRatio(): number {
    const p = this.preparedStatementsExecuted.count();
    const all = p + this.regularStatementsExecuted.count();
    return all === 0 ? 0 : p / all;
  }
}

// ---------------------------------------------------------------------------------------------
// Cache: type=Cache scope=KeyCache|RowCache|CounterCache|ChunkCache

export const CACHES = { KeyCache: 'keys', RowCache: 'rows', CounterCache: 'counters', ChunkCache: 'chunks' } as const;
export type CacheName = keyof typeof CACHES;

export interface CacheGaugeSource {
  capacityBytes(): number;
  sizeBytes(): number;
  entries(): number;
}

export class CacheMetrics {
  readonly hits: Meter;
  readonly misses: Meter;
  readonly requests: Meter;
  private source: Partial<CacheGaugeSource> = {};
  constructor(registry: MetricsRegistry, readonly cache: CacheName) {
    const n = (name: string): MetricName => ({ type: 'Cache', scope: cache, name });
    registry.gauge(n('Capacity'), () => this.source.capacityBytes?.() ?? 0, 'Cache capacity in bytes');
    registry.gauge(n('Size'), () => this.source.sizeBytes?.() ?? 0, 'Cache size in bytes');
    registry.gauge(n('Entries'), () => this.source.entries?.() ?? 0, 'Cache entries');
    this.hits = registry.meter(n('Hits'), 'Cache hits');
    this.misses = registry.meter(n('Misses'), 'Cache misses');
    this.requests = registry.meter(n('Requests'), 'Cache lookups');
    registry.gauge(n('HitRate'), () => this.hitRatio(), 'Hits / requests since start');
  }
  hit(): void {
    this.hits.mark();
    this.requests.mark();
  }
  miss(): void {
    this.misses.mark();
    this.requests.mark();
  }
  bind(source: Partial<CacheGaugeSource>): void {
    this.source = { ...this.source, ...source };
  }
  gauges(): Partial<CacheGaugeSource> {
    return this.source;
  }
  hitRatio(): number {
    const r = this.requests.count();
    return r === 0 ? 0 : this.hits.count() / r;
  }
}

// ---------------------------------------------------------------------------------------------
// Runtime (Cassia's stand-in for gcstats): type=EventLoop and type=Memory

/** What the runtime reports; src/observability/runtime_node.ts implements it over Node. */
export interface RuntimeStatsProvider {
  /** Event loop delay in microseconds since the previous reset. */
  eventLoopDelayMicros(): HistogramSnapshot;
  resetEventLoopDelay(): void;
  /** Fraction of time the loop was busy since the previous call (0..1). */
  eventLoopUtilization(): number;
  memory(): RuntimeMemory;
}

export interface RuntimeMemory {
  heapUsedBytes: number;
  heapTotalBytes: number;
  rssBytes: number;
  externalBytes: number;
}

export class RuntimeMetrics {
  private lastUtilization = 0;
  constructor(registry: MetricsRegistry, readonly provider: RuntimeStatsProvider | null) {
    const ev = (name: string): MetricName => ({ type: 'EventLoop', name });
    const mem = (name: string): MetricName => ({ type: 'Memory', name });
    registry.histogramGauge(ev('Delay'), () => this.provider?.eventLoopDelayMicros() ?? emptySnapshot(), 'Event loop delay in microseconds');
    registry.gauge(ev('Utilization'), () => this.utilization(), 'Fraction of time the event loop was busy since the last read');
    registry.gauge(mem('HeapUsed'), () => this.memory().heapUsedBytes, 'V8 heap bytes in use');
    registry.gauge(mem('HeapTotal'), () => this.memory().heapTotalBytes, 'V8 heap bytes reserved');
    registry.gauge(mem('RSS'), () => this.memory().rssBytes, 'Resident set size in bytes');
    registry.gauge(mem('External'), () => this.memory().externalBytes, 'Bytes of Buffers and other memory outside the heap');
  }
  memory(): RuntimeMemory {
    return this.provider?.memory() ?? { heapUsedBytes: 0, heapTotalBytes: 0, rssBytes: 0, externalBytes: 0 };
  }
  /** Samples the provider (which measures since its previous call) and remembers the value. */
  utilization(): number {
    if (this.provider !== null) this.lastUtilization = this.provider.eventLoopUtilization();
    return this.lastUtilization;
  }
}

// ---------------------------------------------------------------------------------------------
// Everything a node reports, created in one call by the composition root.

export interface NodeMetrics {
  readonly registry: MetricsRegistry;
  readonly clientRequests: ClientRequestMetricsSet;
  readonly tables: TableMetricsSet;
  readonly threadPools: ThreadPoolMetricsSet;
  readonly clients: ClientMetrics;
  readonly droppedMessages: DroppedMessageMetricsSet;
  readonly storage: StorageMetrics;
  readonly hints: HintsMetrics;
  readonly cql: CqlMetrics;
  readonly caches: Readonly<Record<CacheName, CacheMetrics>>;
  readonly runtime: RuntimeMetrics;
  /** Monotonic ms when the metrics were created (uptime for `info`). */
  readonly startedAtMs: number;
}

export function createNodeMetrics(registry: MetricsRegistry, options: { runtime?: RuntimeStatsProvider | null } = {}): NodeMetrics {
  const caches = {} as Record<CacheName, CacheMetrics>;
  for (const c of Object.keys(CACHES) as CacheName[]) caches[c] = new CacheMetrics(registry, c);
  return {
    registry,
    clientRequests: new ClientRequestMetricsSet(registry),
    tables: new TableMetricsSet(registry),
    threadPools: new ThreadPoolMetricsSet(registry),
    clients: new ClientMetrics(registry),
    droppedMessages: new DroppedMessageMetricsSet(registry),
    storage: new StorageMetrics(registry),
    hints: new HintsMetrics(registry),
    cql: new CqlMetrics(registry),
    caches,
    runtime: new RuntimeMetrics(registry, options.runtime ?? null),
    startedAtMs: registry.clock.monotonicMs(),
  };
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

