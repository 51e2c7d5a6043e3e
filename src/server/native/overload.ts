// Overload protection shared by all connections of one transport (CASSANDRA-15013's design):
//
// - InFlightBudget: request bytes counted from the moment an envelope is read until its
//   response is handed to the socket, bounded per client IP and for the whole node. A request
//   that does not fit waits in one FIFO queue (its connection stops reading meanwhile); released
//   bytes wake waiters in queue order, so connections are resumed round-robin. A waiter blocked
//   by its own IP's limit is skipped, never blocking other IPs; the first waiter blocked by the
//   node limit holds back every later one (no overtaking), and fresh requests queue behind
//   waiters of their own IP and behind node-blocked waiters.
// - RequestRateLimiter: a token bucket (one second of burst) on the injected clock.
//
// Invariants: nodeBytes = Σ perIp; a single request larger than a limit still runs when nothing
// else is in flight under that limit (otherwise it could never run).

import type { Clock, Scheduler, TimerHandle } from '../../env/mod.js';
import { assert } from '../../util/assert.js';
import type { TransportSettings } from './limits.js';

export type BudgetDecision = 'ok' | 'ip' | 'node';

export interface BudgetWaiter {
  readonly ip: string;
  readonly bytes: number;
  /** Called once the bytes were acquired for this waiter (from release(), synchronously). */
  wake(): void;
}

interface IpState {
  bytes: number;
  waiters: number;
}

export interface BudgetSnapshot {
  nodeBytes: number;
  waiters: number;
  perIp: { ip: string; bytes: number; waiters: number }[];
}

export class InFlightBudget {
  private nodeBytes = 0;
  private readonly perIp = new Map<string, IpState>();
  private queue: BudgetWaiter[] = [];
  /** Waiters found blocked by the node limit in the last drain (fresh requests queue behind them). */
  private nodeBlocked = 0;
  private draining = false;

  constructor(private readonly settings: TransportSettings) {
    settings.onChange(() => this.drain());
  }

  /** Acquires bytes for a fresh request, or says which limit refused it (nothing acquired then). */
  tryAcquire(ip: string, bytes: number): BudgetDecision {
    const s = this.ipState(ip);
    if (s.waiters > 0) return 'ip';
    const decision = this.fits(s, bytes);
    if (decision === 'ok' && this.nodeBlocked > 0) return 'node';
    if (decision === 'ok') this.take(s, bytes);
    else this.dropIfIdle(ip, s);
    return decision;
  }

  /** Queues a waiter for bytes; it is woken (bytes acquired) by a later release or settings change. */
  wait(w: BudgetWaiter): void {
    this.ipState(w.ip).waiters++;
    this.queue.push(w);
  }

  /** Removes a waiter that no longer wants its bytes (connection closed). */
  cancel(w: BudgetWaiter): void {
    const i = this.queue.indexOf(w);
    if (i < 0) return;
    this.queue.splice(i, 1);
    const s = this.perIp.get(w.ip);
    assert(s !== undefined && s.waiters > 0, 'waiter of a known IP');
    s.waiters--;
    this.dropIfIdle(w.ip, s);
    this.drain();
  }

  release(ip: string, bytes: number): void {
    if (bytes === 0) return;
    const s = this.perIp.get(ip);
    if (s === undefined || s.bytes < bytes || this.nodeBytes < bytes) assert(false, `releasing ${bytes} bytes never acquired for ${ip}`);
    s.bytes -= bytes;
    this.nodeBytes -= bytes;
    this.dropIfIdle(ip, s);
    this.drain();
  }

  snapshot(): BudgetSnapshot {
    const perIp = [...this.perIp].map(([ip, s]) => ({ ip, bytes: s.bytes, waiters: s.waiters }));
    return { nodeBytes: this.nodeBytes, waiters: this.queue.length, perIp };
  }

  /** Wakes waiters that fit now, in queue order. */
  private drain(): void {
    if (this.queue.length === 0) { this.nodeBlocked = 0; return; } // the common case: nobody waits
    if (this.draining) return; // a woken waiter's own releases are picked up by the loop below
    this.draining = true;
    try {
      let progress = true;
      while (progress) progress = this.drainOnce();
    } finally {
      this.draining = false;
    }
  }

  private drainOnce(): boolean {
    const woken: BudgetWaiter[] = [];
    const kept: BudgetWaiter[] = [];
    let nodeBlocked = 0;
    for (const w of this.queue) {
      const s = this.ipState(w.ip);
      const decision = this.fits(s, w.bytes);
      if (decision === 'ip') { kept.push(w); continue; }
      if (decision === 'node' || nodeBlocked > 0) { nodeBlocked++; kept.push(w); continue; }
      this.take(s, w.bytes);
      s.waiters--;
      woken.push(w);
    }
    this.queue = kept;
    this.nodeBlocked = nodeBlocked;
    for (const w of woken) w.wake();
    return woken.length > 0 && this.queue.length > 0;
  }

  private fits(s: IpState, bytes: number): BudgetDecision {
    const limits = this.settings.get();
    if (s.bytes > 0 && s.bytes + bytes > limits.maxRequestDataInFlightPerIpBytes) return 'ip';
    if (this.nodeBytes > 0 && this.nodeBytes + bytes > limits.maxRequestDataInFlightBytes) return 'node';
    return 'ok';
  }

  private take(s: IpState, bytes: number): void {
    s.bytes += bytes;
    this.nodeBytes += bytes;
  }

  private ipState(ip: string): IpState {
    let s = this.perIp.get(ip);
    if (s === undefined) { s = { bytes: 0, waiters: 0 }; this.perIp.set(ip, s); }
    return s;
  }

  private dropIfIdle(ip: string, s: IpState): void {
    if (s.bytes === 0 && s.waiters === 0) this.perIp.delete(ip);
  }
}

export interface RateWaiter {
  /** Called once a token was taken for this waiter. */
  wake(): void;
}

/** Token bucket for native_transport_max_requests_per_second; a no-op while rate limiting is off. */
export class RequestRateLimiter {
  private tokens: number;
  private lastRefillMs: number;
  private readonly queue: RateWaiter[] = [];
  private timer: TimerHandle | null = null;

  constructor(private readonly settings: TransportSettings, private readonly clock: Clock, private readonly scheduler: Scheduler) {
    this.tokens = settings.get().maxRequestsPerSecond;
    this.lastRefillMs = clock.monotonicMs();
    settings.onChange(() => this.wakeWaiters());
  }

  /** Takes a token for a fresh request; false when none is left (or others are already waiting). */
  tryTake(): boolean {
    if (!this.settings.get().rateLimitingEnabled) return true;
    if (this.queue.length > 0) return false;
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  wait(w: RateWaiter): void {
    this.queue.push(w);
    this.schedule();
  }

  cancel(w: RateWaiter): void {
    const i = this.queue.indexOf(w);
    if (i >= 0) this.queue.splice(i, 1);
  }

  get waiting(): number { return this.queue.length; }

  close(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  private refill(): void {
    const perSecond = this.settings.get().maxRequestsPerSecond;
    const now = this.clock.monotonicMs();
    const elapsedMs = Math.max(0, now - this.lastRefillMs);
    this.lastRefillMs = now;
    this.tokens = Math.min(perSecond, this.tokens + (elapsedMs * perSecond) / 1000);
  }

  private wakeWaiters(): void {
    this.timer = null;
    const enabled = this.settings.get().rateLimitingEnabled;
    if (enabled) this.refill();
    while (this.queue.length > 0 && (!enabled || this.tokens >= 1)) {
      if (enabled) this.tokens -= 1;
      this.queue.shift()!.wake();
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== null || this.queue.length === 0) return;
    const perSecond = this.settings.get().maxRequestsPerSecond;
    const delayMs = Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / perSecond));
    this.timer = this.scheduler.after(delayMs, () => this.wakeWaiters());
  }
}
