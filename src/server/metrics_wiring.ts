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

const elapsedMicros = (clock: Clock, startMs: number) => Math.max(0, Math.round((clock.monotonicMs() - startMs) * 1000));

function metricsOf(deps: InstrumentDeps, table: TableMetadata): TableMetrics {
  return deps.metrics.tables.forTable(table.keyspace, table.name);
}

/** The local replica: times storage.read/apply per table and records each read's shape. */
export function instrumentStorage(storage: Storage, deps: InstrumentDeps): Storage {
  const { clock, scope } = deps;
  const wrapped: Storage = {
    open: () => storage.open(),
    addTable: (t) => storage.addTable(t),
    updateTable: (t) => storage.updateTable(t),
    dropTable: (id) => storage.dropTable(id),
    truncate: (id) => storage.truncate(id),
    flush: (id) => storage.flush(id),
    compact: (id) => storage.compact(id),
    close: () => storage.close(),
    read: (cmd) => storage.read(cmd),
    apply: (u) => storage.apply(u),
  };
  wrapped.read = async (cmd: ReadCommand): Promise<ReadResult> => {
    const session = scope.current();
    session?.event(`Executing ${cmd.partitions.kind === 'range' ? 'seq scan across' : 'single-partition query on'} ${cmd.table.name}`, { thread: 'ReadStage-1' });
    const startMs = clock.monotonicMs();
    const result = await storage.read(cmd);
    const t = metricsOf(deps, cmd.table);
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
    session?.event(`Merged data from memtables and ${result.stats.sstablesRead} sstables`, { thread: 'ReadStage-1' });
    session?.event(`Read ${result.stats.liveRowsScanned} live rows and ${result.stats.tombstonesScanned} tombstone cells`, { thread: 'ReadStage-1' });
    return result;
  };
  wrapped.apply = async (update: PartitionUpdate): Promise<void> => {
    const session = scope.current();
    session?.event('Appending to commitlog', { thread: 'MutationStage-1' });
    const startMs = clock.monotonicMs();
    await storage.apply(update);
    const table = deps.tableById(update.tableId);
    if (table !== undefined) metricsOf(deps, table).writeLatency.updateMicros(elapsedMicros(clock, startMs));
    session?.event(`Adding to ${table?.name ?? update.tableId} memtable`, { thread: 'MutationStage-1' });
  };
  return wrapped;
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
  const replicasText = (ks: KeyspaceMetadata, token: bigint | undefined) =>
    token === undefined ? 'all token ranges' : `[${[...ring.replicasFor(ks.replication, token)].join(', ')}]`;
  return {
    async write(keyspace, updates, cl) {
      scope.current()?.event(`Determining replicas for mutation: ${replicasText(keyspace, updates[0]?.token)}`);
      const startMs = clock.monotonicMs();
      try {
        return await coordinator.write(keyspace, updates, cl);
      } catch (err) {
        recordError(metrics, 'Write', cl, err);
        throw err;
      } finally {
        const micros = elapsedMicros(clock, startMs);
        metrics.clientRequests.recordLatency('Write', cl, micros);
        const seen = new Set<string>();
        for (const u of updates) {
          if (seen.has(u.tableId)) continue;
          seen.add(u.tableId);
          const t = deps.tableById(u.tableId);
          if (t !== undefined) metricsOf(deps, t).coordinatorWriteLatency.updateMicros(micros);
        }
      }
    },
    async read(keyspace, cmd, cl) {
      const kind = readKind(cmd, cl);
      const token = cmd.partitions.kind === 'keys' ? cmd.partitions.keys[0]?.token : undefined;
      scope.current()?.event(`${kind === 'RangeSlice' ? 'Computing ranges to query' : 'Reading data'} at ${cl} from replicas ${replicasText(keyspace, token)}`);
      const startMs = clock.monotonicMs();
      try {
        return await coordinator.read(keyspace, cmd, cl);
      } catch (err) {
        recordError(metrics, kind, cl, err);
        throw err;
      } finally {
        const micros = elapsedMicros(clock, startMs);
        metrics.clientRequests.recordLatency(kind, cl, micros);
        const t = metricsOf(deps, cmd.table);
        (kind === 'RangeSlice' ? t.coordinatorScanLatency : t.coordinatorReadLatency).updateMicros(micros);
      }
    },
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
