// The load loop: never more than `concurrency` operations in flight, and the run stops by itself
// at opsMax or durationUs. Max-throughput mode: `concurrency` lanes share one operation counter,
// each starting the next operation when its last one ends (latency = service time).
//
// Fixed-rate mode (rateOpsPerSec): operation i is intended to start at t0 + i / rate. One pacing
// loop starts every operation that is due (all of them in one turn, so a client coalesces them
// into one socket write) and then sleeps on a single timer until the next is due, or waits for a
// free slot when `concurrency` operations are in flight. An operation that became due while every
// slot was busy starts when one frees, and its latency still counts from the intended start. That
// is the coordinated-omission correction: a stall delays the operations queued behind it, and
// their latencies show it. Service time (from the actual start) is recorded beside it. Timers
// wake late by up to a millisecond or so; that lateness is the client's, not charged.
// (Before, each of the `concurrency` lanes slept on its own timer: up to 128 timers per
// millisecond on one event loop, a tail of several ms on a 2-core machine.)

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
/** The pacer sleeps only when the next operation is due more than this far ahead; closer ones start now. */
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
  return plan.rateOpsPerSec === null ? runClosed(plan, target, clock, recorder) : runPaced(plan, plan.rateOpsPerSec, { target, clock, recorder });
}

/** Runs operation i; latency counts from fromUs (or from the actual start, whichever is later). */
async function runOne(i: number, fromUs: number, io: { target: LoadTarget; clock: LoadClock; recorder: Recorder | null }): Promise<void> {
  const kind = io.target.pick(i);
  const beginUs = io.clock.nowUs();
  try {
    await io.target.execute(i, kind);
  } catch (err) {
    io.recorder?.recordError(kind, io.target.classifyError(err), err instanceof Error ? err.message : String(err));
    return;
  }
  const endUs = io.clock.nowUs();
  // Started early (within SLEEP_THRESHOLD_US of its time) or on time: latency is the service time.
  io.recorder?.record(kind, endUs - Math.min(fromUs, beginUs), endUs - beginUs);
}

/** Max throughput: `concurrency` lanes, each starting its next operation when the last one ends. */
async function runClosed(plan: LoadPlan, target: LoadTarget, clock: LoadClock, recorder: Recorder | null): Promise<LoadOutcome> {
  const startUs = clock.nowUs();
  const stopUs = plan.durationUs === null ? Infinity : startUs + plan.durationUs;
  const io = { target, clock, recorder };
  let next = 0;
  const lane = async (): Promise<void> => {
    for (;;) {
      const i = next;
      if (plan.opsMax !== null && i >= plan.opsMax) return;
      if (clock.nowUs() >= stopUs || plan.shouldStop?.() === true) return;
      next = i + 1;
      await runOne(i, Infinity, io);
    }
  };
  const lanes: Promise<void>[] = [];
  for (let l = 0; l < plan.concurrency; l++) lanes.push(lane());
  await Promise.all(lanes);
  return { startUs, endUs: clock.nowUs(), started: next };
}

/** Fixed rate: one pacing loop starts what is due, then sleeps until the next or waits for a slot. */
async function runPaced(plan: LoadPlan, rateOpsPerSec: number, io: { target: LoadTarget; clock: LoadClock; recorder: Recorder | null }): Promise<LoadOutcome> {
  const clock = io.clock;
  const startUs = clock.nowUs();
  const intervalUs = 1e6 / rateOpsPerSec;
  const stopUs = plan.durationUs === null ? Infinity : startUs + plan.durationUs;
  const opsMax = plan.opsMax ?? Infinity;
  let inFlight = 0;
  let wake: (() => void) | null = null; // the pacer waiting for a slot, or for the last answers
  /** Operations due at or before this time found every slot busy: charged from their intended start. */
  let backlogUntilUs = -Infinity;
  const done = (): void => {
    inFlight--;
    const w = wake;
    wake = null;
    w?.();
  };
  const waitForSlot = (): Promise<void> => new Promise((resolve) => { wake = resolve; });
  let next = 0;
  for (;;) {
    const intendedUs = startUs + next * intervalUs;
    if (next >= opsMax || intendedUs >= stopUs || plan.shouldStop?.() === true) break;
    const nowUs = clock.nowUs();
    if (nowUs >= stopUs) break;
    if (inFlight >= plan.concurrency) {
      await waitForSlot();
      backlogUntilUs = clock.nowUs();
      continue;
    }
    if (intendedUs - nowUs > SLEEP_THRESHOLD_US) {
      await clock.sleepUntilUs(intendedUs);
      continue;
    }
    inFlight++;
    const i = next++;
    void runOne(i, intendedUs <= backlogUntilUs ? intendedUs : Infinity, io).finally(done);
  }
  while (inFlight > 0) await waitForSlot();
  return { startUs, endUs: clock.nowUs(), started: next };
}
