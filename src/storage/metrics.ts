// Storage metrics exposed through StorageEngine.metrics() for nodetool and /metrics.

export interface Histogram {
  /** log2 bucket (floor(log2(v+1))) → count */
  buckets: Record<string, number>;
  count: number;
  sum: number;
  max: number;
}

export interface TableMetrics {
  memtableBytes: number;
  liveSSTables: number;
  liveSSTableBytes: number;
  sstableLevels: number[];
  partitionSizeHistogram: Record<string, number>;
  maxPartitionBytes: number;
  estimatedPartitions: number;
}

export interface StorageMetrics {
  memtableBytes: number;
  liveSSTables: number;
  liveSSTableBytes: number;
  sstablesPerRead: Histogram;
  tombstonesPerRead: Histogram;
  pendingCompactions: number;
  completedCompactions: number;
  bytesFlushed: number;
  bytesCompacted: number;
  flushes: number;
  reads: number;
  /** Key reads answered by Storage.readSync (no await), and those it handed back to read() (some data not in memory). */
  readsSync: number;
  readsNotSync: number;
  writes: number;
  commitLogSegments: number;
  commitLogBytesWritten: number;
  commitLogSyncs: number;
  /** The shared cache of decompressed Data.db chunks and Index.db segments (`chunk_cache_size`). */
  chunkCache: { capacityBytes: number; sizeBytes: number; entries: number; hits: number; misses: number };
  /** Point reads of SSTable chunks and index segments by path (sstable/_page_reads.ts). */
  sstablePointReads: { sync: number; async: number; slowSync: number };
  tables: Record<string, TableMetrics>;
}

export function emptyHistogram(): Histogram {
  return { buckets: {}, count: 0, sum: 0, max: 0 };
}

export function noteHistogram(h: Histogram, v: number): void {
  const b = String(Math.floor(Math.log2(v + 1)));
  h.buckets[b] = (h.buckets[b] ?? 0) + 1;
  h.count++;
  h.sum += v;
  if (v > h.max) h.max = v;
}

export function emptyMetrics(): StorageMetrics {
  return {
    memtableBytes: 0, liveSSTables: 0, liveSSTableBytes: 0,
    sstablesPerRead: emptyHistogram(), tombstonesPerRead: emptyHistogram(),
    pendingCompactions: 0, completedCompactions: 0, bytesFlushed: 0, bytesCompacted: 0, flushes: 0,
    reads: 0, readsSync: 0, readsNotSync: 0, writes: 0, commitLogSegments: 0, commitLogBytesWritten: 0, commitLogSyncs: 0,
    chunkCache: { capacityBytes: 0, sizeBytes: 0, entries: 0, hits: 0, misses: 0 }, sstablePointReads: { sync: 0, async: 0, slowSync: 0 }, tables: {},
  };
}
