// Compaction strategies, chosen by the table's `compaction` option `class`:
//   SizeTiered (default): buckets of similar size (bucket_low 0.5 .. bucket_high 1.5 of the bucket
//     average); a bucket with >= min_threshold (4) SSTables is compacted, at most max_threshold (32).
//   Leveled: L0 holds flushes; >= 4 L0 SSTables compact with the overlapping L1 into L1; level n>=1
//     may hold 10^n × sstable_size_in_mb (160); an over-full level pushes one SSTable (with the
//     overlapping ones below) down. Outputs are split at sstable_size_in_mb.
//   TimeWindow: SSTables grouped by window of their max timestamp (compaction_window_size ×
//     compaction_window_unit, default 1 DAYS); the newest window compacts size-tiered, older windows
//     with more than one SSTable compact into one.

import type { SSTableReader } from '../sstable/reader.js';

export type StrategyName = 'SizeTiered' | 'Leveled' | 'TimeWindow';

export interface CompactionTask {
  inputs: SSTableReader[];
  outputLevel: number;
  /** Split outputs at this many bytes on disk (Infinity: one output). */
  maxOutputBytes: number;
  reason: string;
}

export function strategyName(options: Record<string, string>): StrategyName {
  const cls = options['class'] ?? 'SizeTieredCompactionStrategy';
  if (/Leveled/i.test(cls)) return 'Leveled';
  if (/TimeWindow/i.test(cls)) return 'TimeWindow';
  return 'SizeTiered';
}

function num(options: Record<string, string>, k: string, d: number): number {
  const v = Number(options[k]);
  return Number.isFinite(v) && v > 0 ? v : d;
}

export function pickCompaction(options: Record<string, string>, sstables: SSTableReader[]): CompactionTask | undefined {
  const name = strategyName(options);
  switch (name) {
    case 'SizeTiered': return sizeTiered(options, sstables, 0);
    case 'Leveled': return leveled(options, sstables);
    case 'TimeWindow': return timeWindow(options, sstables);
  }
}

function sizeTiered(options: Record<string, string>, sstables: SSTableReader[], level: number): CompactionTask | undefined {
  const min = num(options, 'min_threshold', 4);
  const max = num(options, 'max_threshold', 32);
  const low = num(options, 'bucket_low', 0.5);
  const high = num(options, 'bucket_high', 1.5);
  const sorted = [...sstables].sort((a, b) => a.sizeBytes - b.sizeBytes);
  const buckets: SSTableReader[][] = [];
  for (const s of sorted) {
    const b = buckets.find((bk) => {
      const avg = bk.reduce((n, x) => n + x.sizeBytes, 0) / bk.length;
      return s.sizeBytes >= avg * low && s.sizeBytes <= avg * high;
    });
    if (b) b.push(s); else buckets.push([s]);
  }
  const ready = buckets.filter((b) => b.length >= min).sort((a, b) => b.length - a.length);
  if (ready.length === 0) return undefined;
  return { inputs: ready[0]!.slice(0, max), outputLevel: level, maxOutputBytes: Infinity, reason: 'size-tiered bucket' };
}

function overlaps(a: SSTableReader, b: SSTableReader): boolean {
  return a.stats.firstKey <= b.stats.lastKey && b.stats.firstKey <= a.stats.lastKey;
}

function leveled(options: Record<string, string>, sstables: SSTableReader[]): CompactionTask | undefined {
  const sizeBytes = num(options, 'sstable_size_in_mb', 160) * 1024 * 1024;
  const fanout = num(options, 'fanout_size', 10);
  const byLevel = new Map<number, SSTableReader[]>();
  for (const s of sstables) byLevel.set(s.level, [...(byLevel.get(s.level) ?? []), s]);
  const l0 = byLevel.get(0) ?? [];
  if (l0.length >= 4) {
    const inputs = l0.slice(0, 32);
    const l1 = (byLevel.get(1) ?? []).filter((s) => inputs.some((i) => overlaps(i, s)));
    return { inputs: [...inputs, ...l1], outputLevel: 1, maxOutputBytes: sizeBytes, reason: 'leveled L0 → L1' };
  }
  const levels = [...byLevel.keys()].filter((l) => l > 0).sort((a, b) => a - b);
  for (const l of levels) {
    const inLevel = byLevel.get(l)!;
    const total = inLevel.reduce((n, s) => n + s.sizeBytes, 0);
    if (total <= Math.pow(fanout, l) * sizeBytes) continue;
    const pick = [...inLevel].sort((a, b) => a.generation - b.generation)[0]!;
    const next = (byLevel.get(l + 1) ?? []).filter((s) => overlaps(pick, s));
    return { inputs: [pick, ...next], outputLevel: l + 1, maxOutputBytes: sizeBytes, reason: `leveled L${l} over ${Math.pow(fanout, l)}× size` };
  }
  return undefined;
}

const UNIT_MS: Record<string, number> = { MINUTES: 60_000, HOURS: 3_600_000, DAYS: 86_400_000 };

export function timeWindowOf(options: Record<string, string>, maxTimestampMicros: number): number {
  const unit = UNIT_MS[(options['compaction_window_unit'] ?? 'DAYS').toUpperCase()] ?? UNIT_MS['DAYS']!;
  const windowMs = unit * num(options, 'compaction_window_size', 1);
  return Math.floor(maxTimestampMicros / 1000 / windowMs);
}

function timeWindow(options: Record<string, string>, sstables: SSTableReader[]): CompactionTask | undefined {
  const windows = new Map<number, SSTableReader[]>();
  for (const s of sstables) {
    const w = timeWindowOf(options, s.stats.maxTimestampMicros);
    windows.set(w, [...(windows.get(w) ?? []), s]);
  }
  const keys = [...windows.keys()].sort((a, b) => b - a);
  if (keys.length === 0) return undefined;
  const newest = sizeTiered(options, windows.get(keys[0]!)!, 0);
  if (newest) return { ...newest, reason: 'time-window newest window' };
  for (const k of keys.slice(1)) {
    const ss = windows.get(k)!;
    if (ss.length > 1) return { inputs: ss.slice(0, num(options, 'max_threshold', 32)), outputLevel: 0, maxOutputBytes: Infinity, reason: `time-window ${k} into one` };
  }
  return undefined;
}
