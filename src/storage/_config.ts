// Storage settings, read from the node's configuration with cassandra.yaml's names. Values may be
// numbers or strings with units ("32MiB", "2ms", "64MiB/s"); unknown keys are ignored here
// (the node's config loader validates keys).

import { ConfigError } from '../util/errors.js';

export type CommitLogSync = 'batch' | 'group' | 'periodic';

export interface StorageSettings {
  commitLogSync: CommitLogSync;
  commitLogGroupWindowMs: number;
  commitLogPeriodMs: number;
  commitLogSegmentBytes: number;
  commitLogTotalBytes: number;
  memtableSpaceBytes: number;
  compactionThroughputBytesPerSec: number;
  tombstoneWarnThreshold: number;
  tombstoneFailureThreshold: number;
  partitionSizeWarnBytes: number;
  autoSnapshot: boolean;
  chunkCacheBytes: number;
}

const MIB = 1024 * 1024;

function parseSize(key: string, v: unknown, defaultUnitBytes: number): number {
  if (typeof v === 'number') return v * defaultUnitBytes;
  if (typeof v !== 'string') throw new ConfigError(`${key}: expected a size such as "32MiB", got ${JSON.stringify(v)}`);
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|KB|MB|GB|k|m|g)?(?:\/s)?\s*$/i.exec(v);
  if (!m) throw new ConfigError(`${key}: cannot parse size ${JSON.stringify(v)} (use e.g. "32MiB")`);
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  const mult = unit === 'b' ? 1 : unit.startsWith('k') ? 1024 : unit.startsWith('m') ? MIB : unit.startsWith('g') ? 1024 * MIB : defaultUnitBytes;
  return Math.floor(n * mult);
}

function parseDurationMs(key: string, v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') throw new ConfigError(`${key}: expected a duration such as "2ms", got ${JSON.stringify(v)}`);
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|us)?\s*$/i.exec(v);
  if (!m) throw new ConfigError(`${key}: cannot parse duration ${JSON.stringify(v)} (use e.g. "2ms")`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  return unit === 's' ? n * 1000 : unit === 'm' ? n * 60000 : unit === 'us' ? n / 1000 : n;
}

export function storageSettings(config: Record<string, unknown> = {}): StorageSettings {
  const get = (k: string) => config[k];
  const sync = (get('commitlog_sync') ?? 'group') as string;
  if (sync !== 'batch' && sync !== 'group' && sync !== 'periodic') {
    throw new ConfigError(`commitlog_sync: must be batch, group or periodic, got ${JSON.stringify(sync)}`);
  }
  const memtable = get('memtable_space_mb') !== undefined ? parseSize('memtable_space_mb', get('memtable_space_mb'), MIB)
    : get('memtable_heap_space') !== undefined ? parseSize('memtable_heap_space', get('memtable_heap_space'), MIB)
    : 256 * MIB;
  const segment = get('commitlog_segment_size') !== undefined ? parseSize('commitlog_segment_size', get('commitlog_segment_size'), MIB) : 32 * MIB;
  if (segment < 64 * 1024) throw new ConfigError(`commitlog_segment_size: at least 64KiB, got ${segment} bytes`);
  const throughput = get('compaction_throughput') !== undefined ? parseSize('compaction_throughput', get('compaction_throughput'), MIB) : 64 * MIB;
  return {
    commitLogSync: sync,
    commitLogGroupWindowMs: get('commitlog_sync_group_window') !== undefined ? parseDurationMs('commitlog_sync_group_window', get('commitlog_sync_group_window')) : 1,
    commitLogPeriodMs: get('commitlog_sync_period') !== undefined ? parseDurationMs('commitlog_sync_period', get('commitlog_sync_period')) : 10000,
    commitLogSegmentBytes: segment,
    commitLogTotalBytes: get('commitlog_total_space') !== undefined ? parseSize('commitlog_total_space', get('commitlog_total_space'), MIB) : 1024 * MIB,
    memtableSpaceBytes: memtable,
    compactionThroughputBytesPerSec: throughput === 0 ? Infinity : throughput,
    tombstoneWarnThreshold: Number(get('tombstone_warn_threshold') ?? 1000),
    tombstoneFailureThreshold: Number(get('tombstone_failure_threshold') ?? 100000),
    partitionSizeWarnBytes: get('partition_size_warn_threshold') !== undefined
      ? parseSize('partition_size_warn_threshold', get('partition_size_warn_threshold'), MIB) : 100 * MIB,
    autoSnapshot: get('auto_snapshot') === undefined ? true : Boolean(get('auto_snapshot')),
    chunkCacheBytes: get('chunk_cache_size') !== undefined ? parseSize('chunk_cache_size', get('chunk_cache_size'), MIB) : 64 * MIB,
  };
}
