// Measures the node from the outside of its parts: wraps the Storage the coordinator uses (local
// read/write latency per table, SSTables/tombstones/live rows per read) and the coordinator the
// query processor uses (ClientRequest latency and errors per kind and consistency level, the
// coordinator latencies per table), and binds storage.metrics() to the per-table gauges.
// Traced requests (TraceScope.current()) get one event per step from the same wrappers.

import type { KeyspaceMetadata, TableMetadata } from '../schema/metadata.js';
import type { PartitionUpdate, ReadCommand, ReadResult, Storage, StorageEngine } from '../storage/mod.js';
import type { Clock } from '../env/mod.js';
import type { Ring } from '../cluster/ring/mod.js';
import type { QueryCoordinator } from './query/mod.js';
import {
  ReadFailure, ReadTimeout, Unavailable, WriteFailure, WriteTimeout, type ConsistencyName,
} from '../util/errors.js';
import { emptySnapshot, snapshotOfBuckets, type NodeMetrics, type RequestKind, type TableMetrics } from '../observability/mod.js';
import type { TraceScope } from './trace_scope.js';

/** How the wrappers find table names and the current trace. */
export interface InstrumentDeps {
  metrics: NodeMetrics;
  clock: Clock;
  scope: TraceScope;
  /** Table metadata by id (PartitionUpdate carries only the id). */
  tableById: (id: string) => TableMetadata | undefined;
}

const microsBetween = (startMs: number, nowMs: number) => Math.max(0, Math.round((nowMs - startMs) * 1000));

/**
 * TableMetrics by table id, held so the hot path does no string-keyed lookups. A dropped table's
 * entry is never used again (ids are not reused); the map is cleared if it ever grows past
 * TABLE_METRICS_CACHE_MAX ids.
 */
const TABLE_METRICS_CACHE_MAX = 4096;
class TableMetricsById {
  private readonly byId = new Map<string, TableMetrics>();
  constructor(private readonly deps: InstrumentDeps) {}

  of(tableId: string): TableMetrics | undefined {
    const hit = this.byId.get(tableId);
    if (hit !== undefined) return hit;
    const table = this.deps.tableById(tableId);
    if (table === undefined) return undefined;
    return this.remember(table);
  }

  ofTable(table: TableMetadata): TableMetrics {
    return this.byId.get(table.id) ?? this.remember(table);
  }

  private remember(table: TableMetadata): TableMetrics {
    if (this.byId.size >= TABLE_METRICS_CACHE_MAX) this.byId.clear();
    const m = this.deps.metrics.tables.forTable(table.keyspace, table.name);
    this.byId.set(table.id, m);
    return m;
  }
}

/** The local replica: times storage.read/apply per table and records each read's shape. */
export function instrumentStorage(storage: Storage, deps: InstrumentDeps): Storage {
  const { clock, scope } = deps;
  const tables = new TableMetricsById(deps);
  const recordRead = (cmd: ReadCommand, startMs: number, result: ReadResult): ReadResult => {
    const t = tables.ofTable(cmd.table);
    const nowMs = clock.monotonicMs();
    const micros = Math.round((nowMs - startMs) * 1000);
    // As Cassandra: SSTables per read only for single-partition reads; scanned counts for both.
    if (cmd.partitions.kind === 'range') t.rangeLatency.recordMicrosAt(nowMs, micros);
    else {
      t.readLatency.recordMicrosAt(nowMs, micros);
      t.sstablesPerRead.updateAt(nowMs, result.stats.sstablesRead);
    }
    t.tombstonesScanned.updateAt(nowMs, result.stats.tombstonesScanned);
    t.liveRowsScanned.updateAt(nowMs, result.stats.liveRowsScanned);
    return result;
  };
  return {
    open: () => storage.open(),
    addTable: (t) => storage.addTable(t),
    updateTable: (t) => storage.updateTable(t),
    dropTable: (id) => storage.dropTable(id),
    truncate: (id) => storage.truncate(id),
    flush: (id) => storage.flush(id),
    compact: (id) => storage.compact(id),
    close: () => storage.close(),
    read: (cmd: ReadCommand): Promise<ReadResult> => {
      const session = scope.current();
      const startMs = clock.monotonicMs();
      if (session === undefined) return storage.read(cmd).then((result) => recordRead(cmd, startMs, result));
      session.event(`Executing ${cmd.partitions.kind === 'range' ? 'seq scan across' : 'single-partition query on'} ${cmd.table.name}`, { thread: 'ReadStage-1' });
      return storage.read(cmd).then((result) => {
        recordRead(cmd, startMs, result);
        session.event(`Merged data from memtables and ${result.stats.sstablesRead} sstables`, { thread: 'ReadStage-1' });
        session.event(`Read ${result.stats.liveRowsScanned} live rows and ${result.stats.tombstonesScanned} tombstone cells`, { thread: 'ReadStage-1' });
        return result;
      });
    },
    ...(storage.readSync === undefined ? {} : {
      // A traced read takes read() (its trace events); undefined hands the read back to the caller.
      readSync: (cmd: ReadCommand): ReadResult | undefined => {
        if (scope.current() !== undefined) return undefined;
        const startMs = clock.monotonicMs();
        const result = storage.readSync!(cmd);
        return result === undefined ? undefined : recordRead(cmd, startMs, result);
      },
    }),
    ...(storage.applyThen === undefined ? {} : {
      applyThen: (update: PartitionUpdate, done: (error: unknown) => void, nowMs?: number): void => {
        const session = scope.current();
        if (session !== undefined) session.event('Appending to commitlog', { thread: 'MutationStage-1' });
        const startMs = nowMs ?? clock.monotonicMs();
        storage.applyThen!(update, (error) => {
          if (error === undefined) {
            const endMs = clock.monotonicMs();
            tables.of(update.tableId)?.writeLatency.recordMicrosAt(endMs, microsBetween(startMs, endMs));
            if (session !== undefined) session.event(`Adding to ${deps.tableById(update.tableId)?.name ?? update.tableId} memtable`, { thread: 'MutationStage-1' });
          }
          done(error);
        }, startMs);
      },
    }),
    apply: (update: PartitionUpdate): Promise<void> => {
      const session = scope.current();
      session?.event('Appending to commitlog', { thread: 'MutationStage-1' });
      const startMs = clock.monotonicMs();
      return storage.apply(update).then(() => {
        const nowMs = clock.monotonicMs();
        tables.of(update.tableId)?.writeLatency.recordMicrosAt(nowMs, microsBetween(startMs, nowMs));
        session?.event(`Adding to ${deps.tableById(update.tableId)?.name ?? update.tableId} memtable`, { thread: 'MutationStage-1' });
      });
    },
  };
}

/** Read, RangeSlice or CASRead, as Cassandra's StorageProxy counts a coordinator read. */
export function readKind(cmd: ReadCommand, cl: ConsistencyName): RequestKind {
  if (cl === 'SERIAL' || cl === 'LOCAL_SERIAL') return 'CASRead';
  return cmd.partitions.kind === 'range' ? 'RangeSlice' : 'Read';
}

function recordError(metrics: NodeMetrics, kind: RequestKind, cl: ConsistencyName, err: unknown): void {
  const m = metrics.clientRequests;
  if (err instanceof Unavailable) m.recordUnavailable(kind, cl);
  else if (err instanceof ReadTimeout || err instanceof WriteTimeout) m.recordTimeout(kind, cl);
  else if (err instanceof ReadFailure || err instanceof WriteFailure) m.recordFailure(kind, cl);
}

/**
 * The coordinator as the query processor sees it: ClientRequest metrics per kind and CL, the
 * coordinator latency of each table, and trace events naming the replicas.
 */
export function instrumentCoordinator(coordinator: QueryCoordinator, deps: InstrumentDeps & { ring: Ring }): QueryCoordinator {
  const { clock, scope, metrics, ring } = deps;
  const tables = new TableMetricsById(deps);
  const replicasText = (ks: KeyspaceMetadata, token: bigint | undefined) =>
    token === undefined ? 'all token ranges' : `[${[...ring.replicasFor(ks.replication, token)].join(', ')}]`;
  const recordWrite = (updates: PartitionUpdate[], cl: ConsistencyName, startMs: number): void => {
    const nowMs = clock.monotonicMs();
    const micros = microsBetween(startMs, nowMs);
    metrics.clientRequests.recordLatencyAt(nowMs, 'Write', cl, micros);
    if (updates.length === 1) {
      tables.of(updates[0]!.tableId)?.coordinatorWriteLatency.recordMicrosAt(nowMs, micros);
      return;
    }
    const seen = new Set<TableMetrics>();
    for (const u of updates) {
      const t = tables.of(u.tableId);
      if (t === undefined || seen.has(t)) continue;
      seen.add(t);
      t.coordinatorWriteLatency.recordMicrosAt(nowMs, micros);
    }
  };
  const recordRead = (cmd: ReadCommand, kind: RequestKind, cl: ConsistencyName, startMs: number): void => {
    const nowMs = clock.monotonicMs();
    const micros = microsBetween(startMs, nowMs);
    metrics.clientRequests.recordLatencyAt(nowMs, kind, cl, micros);
    const t = tables.ofTable(cmd.table);
    (kind === 'RangeSlice' ? t.coordinatorScanLatency : t.coordinatorReadLatency).recordMicrosAt(nowMs, micros);
  };
  return {
    write(keyspace, updates, cl) {
      scope.current()?.event(`Determining replicas for mutation: ${replicasText(keyspace, updates[0]?.token)}`);
      const startMs = clock.monotonicMs();
      return coordinator.write(keyspace, updates, cl).then((value) => {
        recordWrite(updates, cl, startMs);
        return value;
      }, (err: unknown) => {
        recordError(metrics, 'Write', cl, err);
        recordWrite(updates, cl, startMs);
        throw err;
      });
    },
    ...(coordinator.writeThen === undefined ? {} : {
      writeThen(keyspace: KeyspaceMetadata, updates: PartitionUpdate[], cl: ConsistencyName, done: (error: unknown) => void, nowMs?: number): void {
        const session = scope.current();
        if (session !== undefined) session.event(`Determining replicas for mutation: ${replicasText(keyspace, updates[0]?.token)}`);
        const startMs = nowMs ?? clock.monotonicMs();
        coordinator.writeThen!(keyspace, updates, cl, (error) => {
          if (error !== undefined) recordError(metrics, 'Write', cl, error);
          recordWrite(updates, cl, startMs);
          done(error);
        }, startMs);
      },
    }),
    read(keyspace, cmd, cl) {
      const kind = readKind(cmd, cl);
      const session = scope.current();
      if (session !== undefined) {
        const token = cmd.partitions.kind === 'keys' ? cmd.partitions.keys[0]?.token : undefined;
        session.event(`${kind === 'RangeSlice' ? 'Computing ranges to query' : 'Reading data'} at ${cl} from replicas ${replicasText(keyspace, token)}`);
      }
      const startMs = clock.monotonicMs();
      return coordinator.read(keyspace, cmd, cl).then((result) => {
        recordRead(cmd, kind, cl, startMs);
        return result;
      }, (err: unknown) => {
        recordError(metrics, kind, cl, err);
        recordRead(cmd, kind, cl, startMs);
        throw err;
      });
    },
    ...(coordinator.readSync === undefined ? {} : {
      // A traced read takes read() (its trace events); undefined hands the read back to the caller.
      readSync(keyspace: KeyspaceMetadata, cmd: ReadCommand, cl: ConsistencyName): ReadResult | undefined {
        if (scope.current() !== undefined) return undefined;
        const kind = readKind(cmd, cl);
        const startMs = clock.monotonicMs();
        let result: ReadResult | undefined;
        try {
          result = coordinator.readSync!(keyspace, cmd, cl);
        } catch (err) {
          recordError(metrics, kind, cl, err);
          recordRead(cmd, kind, cl, startMs);
          throw err;
        }
        if (result !== undefined) recordRead(cmd, kind, cl, startMs);
        return result;
      },
    }),
    ...(coordinator.truncate ? { truncate: (table: TableMetadata) => coordinator.truncate!(table) } : {}),
  };
}

/** Caches storage.metrics() for a short time: every gauge of every table reads it. */
export function storageMetricsCache(storage: StorageEngine, clock: Clock, maxAgeMs = 500): () => ReturnType<StorageEngine['metrics']> {
  let cached: ReturnType<StorageEngine['metrics']> | null = null;
  let atMs = 0;
  return () => {
    const now = clock.monotonicMs();
    if (cached === null || now - atMs > maxAgeMs) {
      cached = storage.metrics();
      atMs = now;
    }
    return cached;
  };
}

/** Binds one table's gauges (live SSTables, sizes, partition sizes, pending compactions). */
export function bindTableGauges(metrics: NodeMetrics, table: TableMetadata, read: ReturnType<typeof storageMetricsCache>): TableMetrics {
  const t = metrics.tables.forTable(table.keyspace, table.name);
  const key = `${table.keyspace}.${table.name}`;
  const of = () => read().tables[key];
  const sizes = () => {
    const hist = of()?.partitionSizeHistogram ?? {};
    // Bucket b holds sizes in [2^b, 2^(b+1)); report the upper bound, as Cassandra's EstimatedHistogram does.
    return snapshotOfBuckets(Object.entries(hist).map(([b, n]) => [2 ** (Number(b) + 1) - 1, n] as const));
  };
  t.bind({
    liveSSTableCount: () => of()?.liveSSTables ?? 0,
    liveDiskSpaceUsedBytes: () => of()?.liveSSTableBytes ?? 0,
    totalDiskSpaceUsedBytes: () => of()?.liveSSTableBytes ?? 0,
    memtableLiveDataSizeBytes: () => of()?.memtableBytes ?? 0,
    estimatedPartitionCount: () => of()?.estimatedPartitions ?? 0,
    estimatedPartitionSizes: sizes,
    estimatedColumnCounts: () => emptySnapshot(),
    maxPartitionSizeBytes: () => of()?.maxPartitionBytes ?? 0,
    meanPartitionSizeBytes: () => sizes().mean,
    minPartitionSizeBytes: () => sizes().min,
    // storage.metrics() counts pending compactions for the node, not per table.
    pendingCompactions: () => 0,
    compressionRatio: () => -1,
  });
  return t;
}
