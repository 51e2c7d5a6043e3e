// Statistics.db: JSON of SSTableStats followed by a crc32. Used for skipping SSTables on reads
// (token range, min/max clustering, max timestamp), for compaction choices (level, timestamps,
// droppable tombstones) and by nodetool (histograms).

import type { CompressionMethod } from './compression.js';

export interface SSTableStats {
  formatVersion: string;
  minTimestampMicros: number;
  maxTimestampMicros: number;
  minLocalDeletionTimeSec: number;
  maxLocalDeletionTimeSec: number;
  minClustering: string[] | null;
  maxClustering: string[] | null;
  hasPartitionLevelDeletions: boolean;
  hasStatic: boolean;
  partitionCount: number;
  rowCount: number;
  cellCount: number;
  tombstoneCount: number;
  /** log2 bucket → partitions whose serialized size is in [2^b, 2^(b+1)). */
  partitionSizeHistogram: Record<string, number>;
  /** hour (local deletion time / 3600) → tombstones droppable from then on. */
  tombstoneDropTimeHistogram: Record<string, number>;
  maxPartitionBytes: number;
  firstKey: string;
  lastKey: string;
  minToken: string;
  maxToken: string;
  uncompressedBytes: number;
  dataBytes: number;
  compression: CompressionMethod;
  chunkBytes: number;
  bloomFpChance: number;
  level: number;
  hostId: string;
  commitLogUpperBound: { segmentId: number; offset: number } | null;
  createdAtMs: number;
}

export function emptyStats(o: { method: CompressionMethod; chunkBytes: number; bloomFpChance: number; level: number; hostId: string;
  commitLogUpperBound?: { segmentId: number; offset: number }; createdAtMs: number }): SSTableStats {
  return {
    formatVersion: 'ca',
    minTimestampMicros: Infinity, maxTimestampMicros: -Infinity,
    minLocalDeletionTimeSec: Infinity, maxLocalDeletionTimeSec: -Infinity,
    minClustering: null, maxClustering: null,
    hasPartitionLevelDeletions: false, hasStatic: false,
    partitionCount: 0, rowCount: 0, cellCount: 0, tombstoneCount: 0,
    partitionSizeHistogram: {}, tombstoneDropTimeHistogram: {}, maxPartitionBytes: 0,
    firstKey: '', lastKey: '', minToken: '0', maxToken: '0',
    uncompressedBytes: 0, dataBytes: 0,
    compression: o.method, chunkBytes: o.chunkBytes, bloomFpChance: o.bloomFpChance, level: o.level, hostId: o.hostId,
    commitLogUpperBound: o.commitLogUpperBound ?? null, createdAtMs: o.createdAtMs,
  };
}

export function noteCell(s: SSTableStats, ts: number, localDeletionTimeSec: number | undefined): void {
  if (ts < s.minTimestampMicros) s.minTimestampMicros = ts;
  if (ts > s.maxTimestampMicros) s.maxTimestampMicros = ts;
  if (localDeletionTimeSec !== undefined) {
    if (localDeletionTimeSec < s.minLocalDeletionTimeSec) s.minLocalDeletionTimeSec = localDeletionTimeSec;
    if (localDeletionTimeSec > s.maxLocalDeletionTimeSec) s.maxLocalDeletionTimeSec = localDeletionTimeSec;
    const hour = String(Math.floor(localDeletionTimeSec / 3600));
    s.tombstoneDropTimeHistogram[hour] = (s.tombstoneDropTimeHistogram[hour] ?? 0) + 1;
  }
}

/** Names of the log2 size buckets (a partition is below 2^53 bytes), so noting a size makes no string. */
const SIZE_BUCKETS = Array.from({ length: 54 }, (_, i) => String(i));

export function notePartitionSize(s: SSTableStats, bytes: number): void {
  const b = Math.floor(Math.log2(Math.max(1, bytes)));
  const bucket = SIZE_BUCKETS[b] ?? String(b);
  s.partitionSizeHistogram[bucket] = (s.partitionSizeHistogram[bucket] ?? 0) + 1;
  if (bytes > s.maxPartitionBytes) s.maxPartitionBytes = bytes;
}

/** The decimal string of a token given as its two's complement 32-bit words (high word first). */
export function tokenString(hi: number, lo: number): string {
  return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toString();
}
