// The metric types operators know from Cassandra (Dropwizard): gauge, counter, meter, histogram,
// timer; plus a gauge map (one value per label, e.g. clients per user) and a histogram gauge (a
// distribution computed on read, e.g. partition sizes from SSTable statistics).
//
// Hot path: callers hold the metric object; inc/mark/update do arithmetic and at most one clock
// read. Nothing here owns a timer: meters tick and histograms rotate lazily when marked or read.

import type { Clock } from '../env/mod.js';
import { assert } from '../util/assert.js';
import { BucketCounts, toHdr } from './_buckets.js';

/** A value read on demand (exposition, virtual tables). Must be cheap and must not throw. */
export class Gauge {
  readonly kind = 'gauge' as const;
  constructor(private readonly read: () => number) {}
  value(): number {
    return this.read();
  }
}

/** A gauge with one value per label value (e.g. connected clients per user). */
export class GaugeMap {
  readonly kind = 'gaugeMap' as const;
  constructor(readonly labelName: string, private readonly read: () => ReadonlyMap<string, number> | Record<string, number>) {}
  values(): Array<[string, number]> {
    const v = this.read();
    const entries = v instanceof Map ? [...v.entries()] : Object.entries(v);
    return entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
}

/** A count that only goes up (`monotonic`, a Prometheus counter) or up and down (`updown`, a gauge). */
export class Counter {
  readonly kind = 'counter' as const;
  private n = 0;
  constructor(readonly direction: 'monotonic' | 'updown' = 'monotonic') {}
  inc(by = 1): void {
    this.n += by;
  }
  dec(by = 1): void {
    assert(this.direction === 'updown', 'dec() on a monotonic counter');
    this.n -= by;
  }
  count(): number {
    return this.n;
  }
}

/** EWMA tick period, as Dropwizard's Meter. */
export const METER_TICK_MS = 5_000;
const ALPHA_1M = 1 - Math.exp(-METER_TICK_MS / 60_000);
const ALPHA_5M = 1 - Math.exp(-METER_TICK_MS / 300_000);
const ALPHA_15M = 1 - Math.exp(-METER_TICK_MS / 900_000);

export interface MeterRates {
  count: number;
  /** Events per second, exponentially weighted over 1, 5 and 15 minutes. */
  oneMinuteRate: number;
  fiveMinuteRate: number;
  fifteenMinuteRate: number;
  /** count / seconds since the meter was created. */
  meanRate: number;
}

/**
 * Count and exponentially weighted moving rates (Dropwizard's algorithm: every 5 s tick, the
 * marks since the last tick become an instant rate folded into each average). Ticks happen lazily
 * on mark and read: events waiting since the last tick are credited to the first elapsed tick and
 * every further elapsed tick decays the averages in O(1), however long the meter was idle.
 */
export class Meter {
  readonly kind = 'meter' as const;
  private total = 0;
  private uncounted = 0;
  private lastTickMs: number;
  private readonly startMs: number;
  private initialized = false;
  private m1 = 0;
  private m5 = 0;
  private m15 = 0;

  constructor(private readonly clock: Clock) {
    this.startMs = clock.monotonicMs();
    this.lastTickMs = this.startMs;
  }

  mark(n = 1): void {
    this.markAt(this.clock.monotonicMs(), n);
  }

  /** As mark, for callers that already read the clock (saves the clock read). */
  markAt(nowMs: number, n = 1): void {
    if (nowMs - this.lastTickMs >= METER_TICK_MS) this.tick(nowMs);
    this.total += n;
    this.uncounted += n;
  }

  count(): number {
    return this.total;
  }

  rates(): MeterRates {
    const nowMs = this.clock.monotonicMs();
    if (nowMs - this.lastTickMs >= METER_TICK_MS) this.tick(nowMs);
    const elapsedSec = (nowMs - this.startMs) / 1000;
    return {
      count: this.total,
      oneMinuteRate: this.m1,
      fiveMinuteRate: this.m5,
      fifteenMinuteRate: this.m15,
      meanRate: this.total === 0 || elapsedSec <= 0 ? 0 : this.total / elapsedSec,
    };
  }

  private tick(nowMs: number): void {
    const ticks = Math.floor((nowMs - this.lastTickMs) / METER_TICK_MS);
    this.lastTickMs += ticks * METER_TICK_MS;
    const instantPerSec = this.uncounted / (METER_TICK_MS / 1000);
    this.uncounted = 0;
    if (this.initialized) {
      this.m1 += ALPHA_1M * (instantPerSec - this.m1);
      this.m5 += ALPHA_5M * (instantPerSec - this.m5);
      this.m15 += ALPHA_15M * (instantPerSec - this.m15);
    } else {
      this.m1 = this.m5 = this.m15 = instantPerSec;
      this.initialized = true;
    }
    const idleTicks = ticks - 1;
    if (idleTicks > 0) {
      this.m1 *= (1 - ALPHA_1M) ** idleTicks;
      this.m5 *= (1 - ALPHA_5M) ** idleTicks;
      this.m15 *= (1 - ALPHA_15M) ** idleTicks;
    }
  }
}

/** Percentiles reported everywhere (nodetool, Prometheus quantiles, virtual tables). */
export const PERCENTILES = [50, 75, 95, 98, 99, 99.9] as const;

export interface HistogramSnapshot {
  /** Values recorded since creation (monotonic). */
  count: number;
  /** Sum of values recorded since creation. */
  sum: number;
  /** The following describe the recent window (see Histogram); 0 when it is empty. */
  windowCount: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p75: number;
  p95: number;
  p98: number;
  p99: number;
  p999: number;
}

export function emptySnapshot(): HistogramSnapshot {
  return { count: 0, sum: 0, windowCount: 0, min: 0, max: 0, mean: 0, p50: 0, p75: 0, p95: 0, p98: 0, p99: 0, p999: 0 };
}

/** Default length of one histogram window; a snapshot covers the last one to two windows. */
export const HISTOGRAM_WINDOW_MS = 60_000;

/**
 * The shared body of Histogram and Timer: a distribution of non-negative values with HdrHistogram buckets (2 significant digits, values
 * up to 2^32 - 1; larger values are clamped for percentiles but kept exact in max and sum).
 *
 * Decay: two windows of `windowMs` rotate lazily, so percentiles, min, max and mean describe the
 * values recorded in the last one to two windows (recent behaviour, like Cassandra's decaying
 * reservoirs), while `count` and `sum` are since creation (so Prometheus can take rates).
 */
abstract class Distribution {
  abstract readonly kind: 'histogram' | 'timer';
  private current = new BucketCounts();
  private previous = new BucketCounts();
  private windowStartMs: number;
  private total = 0;
  private totalSum = 0;

  constructor(protected readonly clock: Clock, private readonly windowMs = HISTOGRAM_WINDOW_MS) {
    assert(windowMs > 0, 'histogram window must be positive');
    this.windowStartMs = clock.monotonicMs();
  }

  update(value: number): void {
    this.updateAt(this.clock.monotonicMs(), value);
  }

  /** As update, for callers that already read the clock. */
  updateAt(nowMs: number, value: number): void {
    if (nowMs - this.windowStartMs >= this.windowMs) this.rotate(nowMs);
    this.current.record(value);
    this.total++;
    this.totalSum += value;
  }

  count(): number {
    return this.total;
  }

  snapshot(): HistogramSnapshot {
    const nowMs = this.clock.monotonicMs();
    if (nowMs - this.windowStartMs >= this.windowMs) this.rotate(nowMs);
    return snapshotOfWindows([this.previous, this.current], this.total, this.totalSum);
  }

  private rotate(nowMs: number): void {
    const windows = Math.floor((nowMs - this.windowStartMs) / this.windowMs);
    this.windowStartMs += windows * this.windowMs;
    const old = this.previous;
    old.clear();
    this.previous = this.current;
    this.current = old;
    // More than one window passed: what was current is older than a whole window too.
    if (windows > 1) this.previous.clear();
  }
}

/** A histogram of plain values (counts, sizes): see Distribution for the decay. */
export class Histogram extends Distribution {
  readonly kind = 'histogram' as const;
}

function snapshotOfWindows(windows: BucketCounts[], count: number, sum: number): HistogramSnapshot {
  const windowCount = windows.reduce((n, w) => n + w.count, 0);
  if (windowCount === 0) return { ...emptySnapshot(), count, sum };
  const min = Math.min(...windows.map((w) => w.min));
  const max = Math.max(...windows.map((w) => w.max));
  const h = toHdr(windows);
  const at = (p: number) => Math.min(max, Math.max(min, h.getValueAtPercentile(p)));
  return {
    count, sum, windowCount, min, max,
    mean: windows.reduce((s, w) => s + w.sum, 0) / windowCount,
    p50: at(50), p75: at(75), p95: at(95), p98: at(98), p99: at(99), p999: at(99.9),
  };
}

/**
 * A histogram of durations in microseconds plus a meter of their rate (Dropwizard's Timer).
 * `start()` returns a monotonic stamp; `stop(stamp)` records the elapsed time with one clock read.
 */
export class Timer extends Distribution {
  readonly kind = 'timer' as const;
  readonly meter: Meter;

  constructor(clock: Clock, windowMs = HISTOGRAM_WINDOW_MS) {
    super(clock, windowMs);
    this.meter = new Meter(clock);
  }

  start(): number {
    return this.clock.monotonicMs();
  }

  /** Records now - startMs; returns the duration in microseconds. */
  stop(startMs: number): number {
    const nowMs = this.clock.monotonicMs();
    const micros = (nowMs - startMs) * 1000;
    this.recordMicrosAt(nowMs, micros);
    return micros;
  }

  updateMicros(micros: number): void {
    this.recordMicrosAt(this.clock.monotonicMs(), micros);
  }

  recordMicrosAt(nowMs: number, micros: number): void {
    this.updateAt(nowMs, micros);
    this.meter.markAt(nowMs);
  }

  override update(micros: number): void {
    this.updateMicros(micros);
  }
}

/** A distribution computed on read (e.g. estimated partition sizes from SSTable statistics). */
export class HistogramGauge {
  readonly kind = 'histogramGauge' as const;
  constructor(private readonly read: () => HistogramSnapshot) {}
  snapshot(): HistogramSnapshot {
    return this.read();
  }
}

/** Exact snapshot of a list of values (for HistogramGauge sources and tests). */
export function snapshotOfValues(values: readonly number[]): HistogramSnapshot {
  if (values.length === 0) return emptySnapshot();
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((s, v) => s + v, 0);
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return {
    count: sorted.length, sum, windowCount: sorted.length, min: sorted[0]!, max: sorted[sorted.length - 1]!,
    mean: sum / sorted.length, p50: at(50), p75: at(75), p95: at(95), p98: at(98), p99: at(99), p999: at(99.9),
  };
}

/** Snapshot of bucketed counts: [upper bound of the bucket, count] pairs (any order). */
export function snapshotOfBuckets(buckets: ReadonlyArray<readonly [number, number]>): HistogramSnapshot {
  const sorted = buckets.filter(([, c]) => c > 0).sort((a, b) => a[0] - b[0]);
  const count = sorted.reduce((n, [, c]) => n + c, 0);
  if (count === 0) return emptySnapshot();
  const sum = sorted.reduce((s, [v, c]) => s + v * c, 0);
  const at = (p: number) => {
    const rank = Math.max(1, Math.ceil((p / 100) * count));
    let seen = 0;
    for (const [v, c] of sorted) {
      seen += c;
      if (seen >= rank) return v;
    }
    return sorted[sorted.length - 1]![0];
  };
  return {
    count, sum, windowCount: count, min: sorted[0]![0], max: sorted[sorted.length - 1]![0],
    mean: sum / count, p50: at(50), p75: at(75), p95: at(95), p98: at(98), p99: at(99), p999: at(99.9),
  };
}

export type Metric = Gauge | GaugeMap | Counter | Meter | Histogram | Timer | HistogramGauge;
export type MetricKind = Metric['kind'];
