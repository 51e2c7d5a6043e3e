// Latency and error accounting for a stress run, on HdrHistogram (hdr-histogram-js).
//
// All histograms hold microseconds. "latency" is measured from an operation's intended start
// (fixed-rate mode) or its actual start (max-throughput mode); "service" is always from the
// actual start, so the two differ exactly by the time an operation waited for its turn
// (coordinated-omission correction). Errors are counted by type and kept out of the histograms.

import * as hdr from 'hdr-histogram-js';
import { assert } from '../../util/assert.js';

/** Largest latency recorded exactly (one hour); larger values are clamped. */
export const LATENCY_US_MAX = 3_600_000_000;
/** Percentiles reported in the summary table (as cassandra-stress and HdrHistogram print them). */
export const SUMMARY_PERCENTILES: readonly number[] = [50, 75, 90, 95, 99, 99.9, 99.99];

export type Histogram = hdr.Histogram;

/** An error example is cut to this many characters. */
export const ERROR_EXAMPLE_CHARS_MAX = 300;

export function newHistogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: LATENCY_US_MAX, numberOfSignificantValueDigits: 3, autoResize: false, bitBucketSize: 32 });
}

function clampUs(us: number): number {
  return Math.min(LATENCY_US_MAX, Math.max(1, Math.round(us)));
}

/** What one operation kind (write, read, a named user query) accumulated. */
export interface KindStats {
  name: string;
  ops: number;
  errors: number;
  latency: Histogram;
  service: Histogram;
}

/** One progress interval, as printed every second and drawn in the throughput plot. */
export interface IntervalSample {
  elapsedS: number;
  ops: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
}

export class Recorder {
  readonly kinds: KindStats[];
  readonly latency = newHistogram();
  readonly service = newHistogram();
  readonly errorsByType = new Map<string, number>();
  /** The first message seen of each error type (what a count alone cannot say). */
  readonly errorExamples = new Map<string, string>();
  ops = 0;
  errors = 0;
  private interval = newHistogram();
  private intervalErrors = 0;

  constructor(kindNames: readonly string[]) {
    assert(kindNames.length > 0, 'at least one operation kind');
    this.kinds = kindNames.map((name) => ({ name, ops: 0, errors: 0, latency: newHistogram(), service: newHistogram() }));
  }

  record(kind: number, latencyUs: number, serviceUs: number): void {
    const k = this.kinds[kind]!;
    const latency = clampUs(latencyUs);
    const service = clampUs(serviceUs);
    k.ops++;
    k.latency.recordValue(latency);
    k.service.recordValue(service);
    this.ops++;
    this.latency.recordValue(latency);
    this.service.recordValue(service);
    this.interval.recordValue(latency);
  }

  recordError(kind: number, type: string, message?: string): void {
    if (message !== undefined && !this.errorExamples.has(type)) this.errorExamples.set(type, message.slice(0, ERROR_EXAMPLE_CHARS_MAX));
    this.kinds[kind]!.errors++;
    this.errors++;
    this.intervalErrors++;
    this.errorsByType.set(type, (this.errorsByType.get(type) ?? 0) + 1);
  }

  /** Closes the current progress interval (durationS long, ending at elapsedS) and starts the next. */
  takeInterval(elapsedS: number, durationS: number): IntervalSample {
    const h = this.interval;
    const sample: IntervalSample = {
      elapsedS,
      ops: h.totalCount,
      opsPerSec: durationS > 0 ? h.totalCount / durationS : 0,
      p50Ms: h.totalCount ? Math.min(h.getValueAtPercentile(50), h.maxValue) / 1000 : 0,
      p99Ms: h.totalCount ? Math.min(h.getValueAtPercentile(99), h.maxValue) / 1000 : 0,
      maxMs: h.totalCount ? h.maxValue / 1000 : 0,
      errors: this.intervalErrors,
    };
    h.reset();
    this.intervalErrors = 0;
    return sample;
  }

  destroy(): void {
    for (const k of this.kinds) { k.latency.destroy(); k.service.destroy(); }
    this.latency.destroy();
    this.service.destroy();
    this.interval.destroy();
  }
}

/** Percentiles (SUMMARY_PERCENTILES, then max and mean) of a histogram, in milliseconds. */
export interface PercentilesMs {
  count: number;
  p50: number; p75: number; p90: number; p95: number; p99: number; p999: number; p9999: number;
  max: number;
  mean: number;
}

export function percentilesMs(h: Histogram): PercentilesMs {
  // getValueAtPercentile answers the top of a bucket, which can exceed the exact max.
  const at = (p: number) => (h.totalCount ? Math.min(h.getValueAtPercentile(p), h.maxValue) / 1000 : 0);
  return {
    count: h.totalCount,
    p50: at(50), p75: at(75), p90: at(90), p95: at(95), p99: at(99), p999: at(99.9), p9999: at(99.99),
    max: h.totalCount ? h.maxValue / 1000 : 0,
    mean: h.totalCount ? h.mean / 1000 : 0,
  };
}

/** Points of the latency-by-percentile curve (percentile, ms), spaced evenly on the 1/(1-p) log axis. */
export function percentileCurve(h: Histogram, pointsMax = 64): Array<{ percentile: number; latencyMs: number }> {
  if (h.totalCount === 0) return [];
  // Up to "five nines" or as far as the sample count resolves, whichever is less.
  const nines = Math.min(5, Math.max(1, Math.log10(h.totalCount)));
  const out: Array<{ percentile: number; latencyMs: number }> = [];
  for (let i = 0; i < pointsMax; i++) {
    const decades = (nines * i) / (pointsMax - 1);
    const percentile = 100 * (1 - Math.pow(10, -decades));
    out.push({ percentile, latencyMs: Math.min(h.getValueAtPercentile(percentile), h.maxValue) / 1000 });
  }
  out.push({ percentile: 100, latencyMs: h.maxValue / 1000 });
  return out;
}
