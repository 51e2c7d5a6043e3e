// Phi-accrual failure detector (Hayashibara et al.), as Cassandra computes it: heartbeat
// inter-arrival times are taken as exponentially distributed, so
//   phi(t) = (t - lastArrival) / meanInterval * PHI_FACTOR,   PHI_FACTOR = 1 / ln 10
// and an endpoint is convicted when phi exceeds phi_convict_threshold (8 by default: about
// 18 mean intervals of silence, roughly 18 s with 1 s gossip rounds).

import { assert } from '../../util/assert.js';

export const PHI_FACTOR = 1 / Math.LN10;
export const PHI_CONVICT_THRESHOLD_DEFAULT = 8;
/** Intervals kept per endpoint (Cassandra's SAMPLE_SIZE). */
export const ARRIVAL_SAMPLES_MAX = 1000;
/** Longer gaps are not recorded as intervals (a pause or a partition is not the normal rhythm). */
export const ARRIVAL_INTERVAL_MS_MAX = 2000;
/** Recorded as the first interval (two gossip rounds, as Cassandra), so early phi is not inflated by a burst of news. */
export const ARRIVAL_INTERVAL_MS_INITIAL = 2000;

class ArrivalWindow {
  private readonly intervals: number[] = [];
  private sum = 0;
  private next = 0;
  lastArrivalMs: number;

  constructor(nowMs: number) {
    this.lastArrivalMs = nowMs;
    this.intervals.push(ARRIVAL_INTERVAL_MS_INITIAL);
    this.sum = ARRIVAL_INTERVAL_MS_INITIAL;
  }

  add(nowMs: number): void {
    const interval = nowMs - this.lastArrivalMs;
    this.lastArrivalMs = nowMs;
    if (interval > ARRIVAL_INTERVAL_MS_MAX) return;
    if (this.intervals.length < ARRIVAL_SAMPLES_MAX) {
      this.intervals.push(interval);
    } else {
      this.sum -= this.intervals[this.next]!;
      this.intervals[this.next] = interval;
      this.next = (this.next + 1) % ARRIVAL_SAMPLES_MAX;
    }
    this.sum += interval;
  }

  mean(): number {
    return this.sum / this.intervals.length;
  }

  phi(nowMs: number): number {
    return ((nowMs - this.lastArrivalMs) / this.mean()) * PHI_FACTOR;
  }
}

export class FailureDetector {
  private readonly windows = new Map<string, ArrivalWindow>();

  constructor(readonly phiConvictThreshold = PHI_CONVICT_THRESHOLD_DEFAULT) {
    assert(phiConvictThreshold > 0, 'phi_convict_threshold must be positive');
  }

  /** A newer heartbeat of `endpoint` was learned at nowMs (monotonic). */
  report(endpoint: string, nowMs: number): void {
    const w = this.windows.get(endpoint);
    if (w) w.add(nowMs);
    else this.windows.set(endpoint, new ArrivalWindow(nowMs));
  }

  /** Current phi of an endpoint; 0 when nothing was ever heard. */
  phi(endpoint: string, nowMs: number): number {
    return this.windows.get(endpoint)?.phi(nowMs) ?? 0;
  }

  /** True when the endpoint's silence makes phi exceed the threshold. */
  convicts(endpoint: string, nowMs: number): boolean {
    return this.phi(endpoint, nowMs) > this.phiConvictThreshold;
  }

  /** Forgets an endpoint's history (it restarted or left). */
  remove(endpoint: string): void {
    this.windows.delete(endpoint);
  }
}
