// The load loop: `concurrency` lanes share one operation counter, so never more than
// `concurrency` operations are in flight, and the run stops by itself at opsMax or durationUs.
//
// Fixed-rate mode (rateOpsPerSec): operation i is intended to start at t0 + i / rate. A lane
// that picks operation i before its time sleeps until then; a lane that picks it late (every
// lane was busy) starts at once, and its latency still counts from the intended start. That is
// the coordinated-omission correction: a stall delays the operations queued behind it, and their
// latencies show it. Service time (from the actual start) is recorded beside it. Timers wake
// late by up to a millisecond or so; that lateness is not charged (see the loop).

import { assert } from '../../util/assert.js';
import type { Recorder } from './stats.js';

/** Time source and sleep, injected so tests can drive the scheduler on a fake clock. */
export interface LoadClock {
  nowUs(): number;
  sleepUntilUs(tUs: number): Promise<void>;
}

export interface LoadPlan {
  concurrency: number;
  /** Stop after this many operations (measured phase); null = no count limit. */
  opsMax: number | null;
  /** Stop starting operations after this long; null = no time limit. */
  durationUs: number | null;
  /** Operations per second to schedule; null = as fast as `concurrency` allows. */
  rateOpsPerSec: number | null;
  /** Polled before each operation: true ends the run early (Ctrl-C). */
  shouldStop?: () => boolean;
}

/** What the loop drives: picks the kind of operation i, runs it, and names a failure. */
export interface LoadTarget {
  pick(opIndex: number): number;
  execute(opIndex: number, kind: number): Promise<void>;
  classifyError(err: unknown): string;
}

export interface LoadOutcome {
  startUs: number;
  endUs: number;
  /** Operations started (completed or failed). */
  started: number;
}

/** Lanes beyond this are refused: the driver would queue them anyway. */
export const CONCURRENCY_MAX = 65_536;
/** A lane sleeps only when its operation is due more than this far ahead; closer ones start now. */
export const SLEEP_THRESHOLD_US = 100;

export function validatePlan(plan: LoadPlan): void {
  assert(Number.isInteger(plan.concurrency) && plan.concurrency >= 1 && plan.concurrency <= CONCURRENCY_MAX, `concurrency ${plan.concurrency} within 1..${CONCURRENCY_MAX}`);
  assert(plan.opsMax !== null || plan.durationUs !== null, 'a run is bounded by a count or a duration');
  assert(plan.opsMax === null || (Number.isInteger(plan.opsMax) && plan.opsMax >= 0), 'opsMax is a count');
  assert(plan.durationUs === null || plan.durationUs > 0, 'duration positive');
  assert(plan.rateOpsPerSec === null || plan.rateOpsPerSec > 0, 'rate positive');
}

export async function runLoad(plan: LoadPlan, target: LoadTarget, clock: LoadClock, recorder: Recorder | null): Promise<LoadOutcome> {
  validatePlan(plan);
  const startUs = clock.nowUs();
  const intervalUs = plan.rateOpsPerSec === null ? 0 : 1e6 / plan.rateOpsPerSec;
  const stopUs = plan.durationUs === null ? Infinity : startUs + plan.durationUs;
  let next = 0;

  const lane = async (): Promise<void> => {
    for (;;) {
      const i = next;
      if (plan.opsMax !== null && i >= plan.opsMax) return;
      const intendedUs = intervalUs > 0 ? startUs + i * intervalUs : clock.nowUs();
      if (intendedUs >= stopUs || clock.nowUs() >= stopUs || plan.shouldStop?.() === true) return;
      next = i + 1;
      // A lane that slept was idle and waiting: lateness in waking up is the timer's, not the
      // server's, so its latency counts from the actual start. Only an operation that found
      // every lane busy counts from its intended start.
      let fromUs = intendedUs;
      if (intervalUs > 0 && intendedUs - clock.nowUs() > SLEEP_THRESHOLD_US) {
        await clock.sleepUntilUs(intendedUs);
        fromUs = Infinity;
      }
      const kind = target.pick(i);
      const beginUs = clock.nowUs();
      try {
        await target.execute(i, kind);
      } catch (err) {
        recorder?.recordError(kind, target.classifyError(err), err instanceof Error ? err.message : String(err));
        continue;
      }
      const endUs = clock.nowUs();
      // Started early (within SLEEP_THRESHOLD_US of its time) or after a sleep: latency is the service time.
      recorder?.record(kind, endUs - Math.min(fromUs, beginUs), endUs - beginUs);
    }
  };
  const lanes: Promise<void>[] = [];
  for (let l = 0; l < plan.concurrency; l++) lanes.push(lane());
  await Promise.all(lanes);
  return { startUs, endUs: clock.nowUs(), started: next };
}
