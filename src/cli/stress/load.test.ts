import test from 'node:test';
import assert from 'node:assert/strict';
import { runLoad, type LoadClock, type LoadTarget } from './load.js';
import { Recorder } from './stats.js';

/** A clock that only moves when an operation "takes time" or a lane sleeps. */
class FakeClock implements LoadClock {
  now = 1_000_000;
  sleeps = 0;
  nowUs(): number { return this.now; }
  async sleepUntilUs(t: number): Promise<void> {
    this.sleeps++;
    if (t > this.now) this.now = t;
  }
}

/** Each operation takes serviceUs(i) of fake time; counts the peak number in flight. */
function target(clock: FakeClock, serviceUs: (i: number) => number, opts: { failEvery?: number } = {}): LoadTarget & { peak: number; executed: number[] } {
  let inFlight = 0;
  const t = {
    peak: 0,
    executed: [] as number[],
    pick: (i: number) => i % 2,
    classifyError: (err: unknown) => (err as Error).message,
    execute: async (i: number) => {
      inFlight++;
      t.peak = Math.max(t.peak, inFlight);
      t.executed.push(i);
      await Promise.resolve();
      clock.now += serviceUs(i);
      inFlight--;
      if (opts.failEvery && i % opts.failEvery === 0) throw new Error('writeTimeout');
    },
  };
  return t;
}

test('fixed rate: a stall shows in latency from intended start, not in service time', async () => {
  const clock = new FakeClock();
  const recorder = new Recorder(['a', 'b']);
  // 1000 ops/s (one every 1 ms), each 100 µs, except op 10 which stalls 100 ms.
  const t = target(clock, (i) => (i === 10 ? 100_000 : 100));
  const out = await runLoad({ concurrency: 1, opsMax: 300, durationUs: null, rateOpsPerSec: 1000 }, t, clock, recorder);
  assert.equal(out.started, 300);
  assert.equal(recorder.ops, 300);
  const countAbove = (h: Recorder['latency'], us: number) => {
    let n = 0;
    // Walk the recorded values via percentiles: count how many exceed `us`.
    for (let p = 0; p <= 300; p++) if (h.getValueAtPercentile((p / 300) * 100) > us) n++;
    return n;
  };
  // The stalled op and the ~110 ops queued behind it (until the backlog drains at 900 µs per ms) exceed 1 ms.
  const late = countAbove(recorder.latency, 1500);
  assert.ok(late >= 100 && late <= 115, `ops over 1.5 ms of latency: ${late}`);
  assert.ok(countAbove(recorder.service, 1500) <= 1, 'only the stalled op has a long service time');
  assert.equal(Math.round(recorder.latency.maxValue / 1000), 100);
  assert.equal(Math.round(recorder.service.maxValue / 1000), 100);
  // The op right behind the stall waited 99 ms for its turn.
  assert.ok(recorder.latency.getValueAtPercentile(99) > 90_000);
  assert.ok(recorder.service.getValueAtPercentile(99) < 1000);
  // The schedule spans 300 ms (the lane slept while ahead of it).
  assert.ok(clock.sleeps > 100);
  assert.ok(out.endUs - out.startUs >= 299_000 && out.endUs - out.startUs < 302_000, `elapsed ${out.endUs - out.startUs}`);
  recorder.destroy();
});

test('max throughput: latency equals service time, and no sleeping', async () => {
  const clock = new FakeClock();
  const recorder = new Recorder(['a', 'b']);
  const t = target(clock, (i) => (i === 10 ? 100_000 : 100));
  await runLoad({ concurrency: 1, opsMax: 300, durationUs: null, rateOpsPerSec: null }, t, clock, recorder);
  assert.equal(clock.sleeps, 0);
  assert.equal(recorder.latency.getValueAtPercentile(99), recorder.service.getValueAtPercentile(99));
  assert.ok(recorder.latency.getValueAtPercentile(99) < 1000, 'without the correction the stall hides in one sample');
  recorder.destroy();
});

test('never more than concurrency in flight; ops counted per kind; errors by type', async () => {
  const clock = new FakeClock();
  const recorder = new Recorder(['even', 'odd']);
  const t = target(clock, () => 50, { failEvery: 10 });
  const out = await runLoad({ concurrency: 8, opsMax: 1000, durationUs: null, rateOpsPerSec: null }, t, clock, recorder);
  assert.equal(t.peak, 8);
  assert.equal(out.started, 1000);
  assert.deepEqual([...new Set(t.executed)].length, 1000, 'each index once');
  assert.equal(recorder.errors, 100);
  assert.equal(recorder.ops, 900);
  assert.deepEqual(Object.fromEntries(recorder.errorsByType), { writeTimeout: 100 });
  assert.equal(recorder.kinds[0]!.ops + recorder.kinds[0]!.errors, 500);
  assert.equal(recorder.kinds[0]!.errors, 100); // multiples of 10 are even
  recorder.destroy();
});

test('a duration bounds the run; a rate with a duration schedules rate × duration ops', async () => {
  const clock = new FakeClock();
  const t = target(clock, () => 1000);
  const out = await runLoad({ concurrency: 4, opsMax: null, durationUs: 50_000, rateOpsPerSec: null }, t, clock, null);
  // The fake clock is shared: each operation advances it 1 ms, so 50 start before the deadline, plus the lanes in flight.
  assert.ok(out.started >= 50 && out.started <= 54, `started ${out.started}`);
  const clock2 = new FakeClock();
  const t2 = target(clock2, () => 10);
  const out2 = await runLoad({ concurrency: 4, opsMax: null, durationUs: 100_000, rateOpsPerSec: 2000 }, t2, clock2, null);
  assert.equal(out2.started, 200);
});

test('shouldStop ends the run early', async () => {
  const clock = new FakeClock();
  const t = target(clock, () => 10);
  let n = 0;
  const out = await runLoad({ concurrency: 2, opsMax: 1000, durationUs: null, rateOpsPerSec: null, shouldStop: () => ++n > 50 }, t, clock, null);
  assert.ok(out.started <= 52);
});

test('an unbounded or invalid plan is refused', async () => {
  const clock = new FakeClock();
  const t = target(clock, () => 10);
  await assert.rejects(runLoad({ concurrency: 1, opsMax: null, durationUs: null, rateOpsPerSec: null }, t, clock, null), /bounded/);
  await assert.rejects(runLoad({ concurrency: 0, opsMax: 1, durationUs: null, rateOpsPerSec: null }, t, clock, null), /concurrency/);
});

test('fixed rate: one pacing timer however many slots; ops due together start together; a late wake-up is not charged', async () => {
  // Every sleep wakes 5 ms late (a busy client event loop); at most one sleep may be pending.
  class LateClock extends FakeClock {
    pending = 0;
    maxPending = 0;
    override async sleepUntilUs(t: number): Promise<void> {
      this.sleeps++;
      this.pending++;
      this.maxPending = Math.max(this.maxPending, this.pending);
      await new Promise((resolve) => setImmediate(resolve)); // operations in flight finish first
      this.now = Math.max(this.now, t + 5000);
      this.pending--;
    }
  }
  const clock = new LateClock();
  const recorder = new Recorder(['a', 'b']);
  const t = target(clock, () => 10);
  const out = await runLoad({ concurrency: 64, opsMax: 1000, durationUs: null, rateOpsPerSec: 10_000 }, t, clock, recorder);
  assert.equal(out.started, 1000);
  assert.equal(recorder.ops, 1000);
  assert.equal(clock.maxPending, 1, 'one timer at a time');
  // Each late wake-up finds ~50 operations due and starts them all: ~20 sleeps, not one per operation.
  assert.ok(clock.sleeps >= 10 && clock.sleeps <= 40, `sleeps ${clock.sleeps}`);
  assert.ok(t.peak > 1 && t.peak <= 64, `peak in flight ${t.peak}`);
  // The timer's lateness is the client's: latencies are service times (≤ 64 ops × 10 µs each here).
  assert.ok(recorder.latency.maxValue < 1000, `max latency ${recorder.latency.maxValue} µs`);
  recorder.destroy();
});
