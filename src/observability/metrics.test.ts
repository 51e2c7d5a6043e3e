import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SimTime } from '../env/sim/mod.js';
import { BUCKET_COUNT, BUCKET_VALUE_MAX, bucketIndexOf, bucketLowestValue } from './_buckets.js';
import { Counter, Histogram, Meter, METER_TICK_MS, snapshotOfBuckets, snapshotOfValues, Timer } from './metrics.js';
import { dottedName, jmxName, MetricsRegistry } from './registry.js';

/** Reference EWMA computed tick by tick, independently of Meter's catch-up arithmetic. */
function referenceRates(marksPerTick: number[]): [number, number, number] {
  const alphas = [60, 300, 900].map((s) => 1 - Math.exp(-5 / s));
  const rates = [0, 0, 0];
  marksPerTick.forEach((marks, i) => {
    const instant = marks / 5;
    for (let k = 0; k < 3; k++) rates[k] = i === 0 ? instant : rates[k]! + alphas[k]! * (instant - rates[k]!);
  });
  return rates as [number, number, number];
}

const close = (actual: number, expected: number, relative = 1e-9, what = '') =>
  assert.ok(Math.abs(actual - expected) <= relative * Math.max(1, Math.abs(expected)), `${what} ${actual} vs ${expected}`);

test('meter: rates match a tick-by-tick EWMA for known sequences', async () => {
  const cases: Array<{ name: string; perTick: number[] }> = [
    { name: 'steady 10/s for 2 minutes', perTick: Array(24).fill(50) },
    { name: 'burst then silence', perTick: [500, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
    { name: 'ramp', perTick: Array.from({ length: 30 }, (_, i) => i * 3) },
    { name: 'idle for an hour', perTick: [100, ...Array(720).fill(0)] },
  ];
  for (const c of cases) {
    const time = new SimTime(0);
    const meter = new Meter(time);
    // Marks land strictly inside each 5 s interval; reading after the last interval closes it.
    c.perTick.forEach((marks, i) => {
      for (let m = 0; m < marks; m++) meter.markAt(i * METER_TICK_MS + 1 + (m % 4000));
    });
    const endMs = c.perTick.length * METER_TICK_MS;
    await time.runFor(endMs);
    const r = meter.rates();
    const [m1, m5, m15] = referenceRates(c.perTick);
    close(r.oneMinuteRate, m1, 1e-9, `${c.name} m1`);
    close(r.fiveMinuteRate, m5, 1e-9, `${c.name} m5`);
    close(r.fifteenMinuteRate, m15, 1e-9, `${c.name} m15`);
    const total = c.perTick.reduce((a, b) => a + b, 0);
    assert.equal(r.count, total, c.name);
    close(r.meanRate, total / (endMs / 1000), 1e-9, `${c.name} mean`);
  }
});

test('meter: a steady rate converges to that rate', async () => {
  const time = new SimTime(0);
  const meter = new Meter(time);
  for (let s = 0; s < 3600; s++) {
    for (let i = 0; i < 20; i++) meter.mark();
    await time.runFor(1000);
  }
  const r = meter.rates();
  close(r.oneMinuteRate, 20, 1e-6);
  close(r.fiveMinuteRate, 20, 1e-3);
  close(r.fifteenMinuteRate, 20, 0.05);
  assert.equal(r.count, 72_000);
});

test('buckets: index layout matches HdrHistogram (2 digits) and is monotonic', () => {
  assert.equal(bucketIndexOf(0), 0);
  assert.equal(bucketIndexOf(255), 255);
  assert.equal(bucketIndexOf(256), 256);
  assert.equal(bucketIndexOf(BUCKET_VALUE_MAX), BUCKET_COUNT - 1);
  for (let i = 0; i < BUCKET_COUNT; i++) assert.equal(bucketIndexOf(bucketLowestValue(i)), i, `lowest value of ${i}`);
  fc.assert(fc.property(fc.integer({ min: 0, max: BUCKET_VALUE_MAX - 1 }), (v) => {
    const i = bucketIndexOf(v);
    assert.ok(bucketLowestValue(i) <= v && bucketIndexOf(v + 1) >= i);
    // Relative width of a bucket is below 1% (two significant digits).
    if (v >= 256) assert.ok((v - bucketLowestValue(i)) / v < 0.01);
  }));
});

function exactPercentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

test('histogram: percentiles within 1% of exact, min/max/mean exact', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 50_000_000 }), { minLength: 1, maxLength: 2000 }), (values) => {
    const time = new SimTime(0);
    const h = new Histogram(time);
    for (const v of values) h.update(v);
    const s = h.snapshot();
    const sorted = [...values].sort((a, b) => a - b);
    assert.equal(s.count, values.length);
    assert.equal(s.min, sorted[0]);
    assert.equal(s.max, sorted[sorted.length - 1]);
    close(s.mean, values.reduce((a, b) => a + b, 0) / values.length, 1e-9);
    for (const [p, got] of [[50, s.p50], [75, s.p75], [95, s.p95], [98, s.p98], [99, s.p99], [99.9, s.p999]] as const) {
      const exact = exactPercentile(sorted, p);
      assert.ok(Math.abs(got - exact) <= Math.max(1, exact * 0.01), `p${p}: ${got} vs exact ${exact}`);
    }
  }), { numRuns: 60 });
});

test('histogram: window decays after one to two windows, count stays', async () => {
  const time = new SimTime(0);
  const h = new Histogram(time, 60_000);
  for (let i = 1; i <= 100; i++) h.update(i * 1000);
  await time.runFor(61_000);
  let s = h.snapshot();
  assert.equal(s.windowCount, 100, 'previous window still visible');
  h.update(5);
  await time.runFor(60_000);
  s = h.snapshot();
  assert.equal(s.windowCount, 1, 'the first window has gone');
  assert.equal(s.max, 5);
  await time.runFor(300_000);
  s = h.snapshot();
  assert.equal(s.windowCount, 0);
  assert.equal(s.p99, 0);
  assert.equal(s.count, 101);
  assert.equal(s.sum, 5050 * 1000 + 5);
});

test('histogram: values above 2^32 are clamped for buckets but exact in max', () => {
  const h = new Histogram(new SimTime(0));
  h.update(2 ** 40);
  h.update(-3);
  const s = h.snapshot();
  assert.equal(s.max, 2 ** 40);
  assert.equal(s.min, -3);
  assert.ok(s.p99 <= 2 ** 40);
});

test('timer: start/stop records microseconds and marks the meter', async () => {
  const time = new SimTime(0);
  const t = new Timer(time);
  const start = t.start();
  await time.runFor(12.5);
  assert.equal(t.stop(start), 12_500);
  t.updateMicros(300);
  const s = t.snapshot();
  assert.equal(s.count, 2);
  assert.equal(s.max, 12_500);
  assert.equal(t.meter.count(), 2);
});

test('counter: monotonic refuses dec, updown allows it', () => {
  const c = new Counter();
  c.inc(3);
  assert.throws(() => c.dec(), /monotonic/);
  const u = new Counter('updown');
  u.inc(2);
  u.dec();
  assert.equal(u.count(), 1);
});

test('snapshotOfValues and snapshotOfBuckets agree with exact percentiles', () => {
  const s = snapshotOfValues([5, 1, 3, 2, 4]);
  assert.deepEqual([s.min, s.p50, s.max, s.mean, s.count], [1, 3, 5, 3, 5]);
  const b = snapshotOfBuckets([[10, 50], [100, 49], [1000, 1]]);
  assert.deepEqual([b.p50, b.p99, b.p999, b.max, b.count], [10, 100, 1000, 1000, 100]);
});

test('registry: Cassandra names, get-or-create, kind conflicts, removal', () => {
  const r = new MetricsRegistry({ clock: new SimTime(0) });
  const name = { type: 'Table', keyspace: 'ks', scope: 't', name: 'ReadLatency' };
  assert.equal(jmxName(name), 'org.apache.cassandra.metrics:type=Table,keyspace=ks,scope=t,name=ReadLatency');
  assert.equal(dottedName(name), 'org.apache.cassandra.metrics.Table.ReadLatency.ks.t');
  assert.equal(jmxName({ type: 'ThreadPools', path: 'transport', scope: 'Native-Transport-Requests', name: 'ActiveTasks' }),
    'org.apache.cassandra.metrics:type=ThreadPools,path=transport,scope=Native-Transport-Requests,name=ActiveTasks');
  const a = r.timer(name);
  assert.equal(r.timer(name), a);
  assert.throws(() => r.counter(name), /already registered as timer/);
  assert.throws(() => r.counter({ type: 'Bad Type', name: 'x' }), /bad metric type/);
  assert.throws(() => r.counter({ type: 'T', name: 'x', scope: 'a,b' }), /bad scope/);
  r.counter({ type: 'Table', keyspace: 'ks', scope: 't', name: 'BytesFlushed' });
  r.counter({ type: 'Table', keyspace: 'ks', scope: 'u', name: 'BytesFlushed' });
  assert.equal(r.removeWhere((n) => n.scope === 't'), 2);
  assert.equal(r.size(), 1);
});
