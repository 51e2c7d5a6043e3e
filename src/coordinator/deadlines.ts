// Request timeouts without a timer per request: one DeadlineQueue per timeout length holds the
// waiting requests in arrival order. Every entry of a queue has the same length, so deadlines are
// non-decreasing from head to tail; one scheduler timer is armed for the head only. Finished
// requests are cancelled in O(1) (the entry is emptied) and emptied entries are dropped from the
// head as it moves, so the queue holds at most the requests still in flight plus those that
// finished out of order behind an older one still waiting.
// The timer is armed or disarmed only from a `soon` check, at most once per event-loop turn: a
// request answered within the turn it arrived in (a memtable read) costs no timer work at all,
// and an idle queue holds no timer (nothing keeps the process alive).

import { assert } from '../util/assert.js';
import type { Clock, Scheduler, TimerHandle } from '../env/mod.js';

/** One waiting request; `cancel` it once the request has its answer. */
export interface Deadline {
  cancel(): void;
}

/**
 * A waiting request that is its own queue entry (no closure or Entry object per request):
 * subclass it, implement `expire()`, and pass it to `Deadlines.track`. `cancelDeadline()` once
 * the request has its answer; `expire()` runs at most once, and never after a cancel.
 */
export abstract class DeadlineTask {
  /** Set by the queue when the task is added. */
  deadlineMs = 0;
  /** The queue holding the task; null once it was cancelled or expired (or before it is added). */
  queue: DeadlineQueue | null = null;
  abstract expire(): void;

  cancelDeadline(): void {
    const queue = this.queue;
    if (queue === null) return;
    this.queue = null;
    queue.trim();
  }
}

/**
 * A deadline whose expiry is a closure (the general case). The closure is dropped once the entry
 * is cancelled or expired: the queue may hold the entry a while longer, the request's objects not.
 */
class Entry extends DeadlineTask implements Deadline {
  constructor(private onExpire: (() => void) | null) {
    super();
  }
  expire(): void {
    const onExpire = this.onExpire;
    this.onExpire = null;
    onExpire?.();
  }
  cancel(): void {
    this.onExpire = null;
    this.cancelDeadline();
  }
}

/** Emptied entries at the head beyond which the array is compacted. */
const COMPACT_AT = 1024;
/** An emptied queue keeps its array for the next requests unless it grew past this many slots. */
const KEPT_SLOTS_MAX = 4096;

/** What a slot holds once its task left the queue (so the queue keeps no finished request alive). */
class Vacant extends DeadlineTask {
  expire(): void {}
}
const VACANT = new Vacant();

export class DeadlineQueue {
  /**
   * Slots [head, end) hold the tasks in arrival order (some cancelled: queue null); the others
   * are VACANT. The array is reused when the queue empties (no new array and regrowth per burst).
   */
  private entries: DeadlineTask[] = [];
  private head = 0;
  private end = 0;
  private timer: TimerHandle | null = null;
  private checkScheduled = false;

  constructor(private readonly clock: Clock, private readonly scheduler: Scheduler, readonly timeoutMs: number) {
    assert(timeoutMs > 0, `timeout must be positive, got ${timeoutMs}`);
  }

  /** Requests waiting (not yet cancelled or expired), for tests. */
  get waiting(): number {
    let n = 0;
    for (let i = this.head; i < this.end; i++) if (this.entries[i]!.queue !== null) n++;
    return n;
  }

  /** Calls onExpire once timeoutMs from now unless cancelled first. */
  add(onExpire: () => void): Deadline {
    const entry = new Entry(onExpire);
    this.addTask(entry, this.clock.monotonicMs());
    return entry;
  }

  /** Calls task.expire() once timeoutMs after `nowMs` (a monotonicMs reading) unless cancelled first. */
  addTask(task: DeadlineTask, nowMs: number): void {
    assert(task.queue === null, 'a deadline task is added once');
    task.deadlineMs = nowMs + this.timeoutMs;
    task.queue = this;
    if (this.end === this.entries.length) this.entries.push(task);
    else this.entries[this.end] = task;
    this.end++;
    if (this.timer === null) this.scheduleCheck();
  }

  /** Drops emptied entries from the head; an empty queue gets its timer disarmed by the next check. */
  trim(): void {
    const entries = this.entries;
    while (this.head < this.end && entries[this.head]!.queue === null) entries[this.head++] = VACANT;
    if (this.head === this.end) {
      if (entries.length > KEPT_SLOTS_MAX) this.entries = [];
      this.head = 0;
      this.end = 0;
      if (this.timer !== null) this.scheduleCheck();
    } else if (this.head >= COMPACT_AT && this.head * 2 >= this.end) {
      this.entries = entries.slice(this.head, this.end);
      this.end -= this.head;
      this.head = 0;
    }
  }

  private scheduleCheck(): void {
    if (this.checkScheduled) return;
    this.checkScheduled = true;
    this.scheduler.soon(() => this.check());
  }

  /** Arms the timer for the head when something waits, disarms it when nothing does. */
  private check(): void {
    this.checkScheduled = false;
    if (this.head === this.end) {
      this.timer?.cancel();
      this.timer = null;
    } else if (this.timer === null) {
      this.arm(this.entries[this.head]!.deadlineMs);
    }
  }

  private arm(atMs: number): void {
    this.timer = this.scheduler.after(Math.max(0, atMs - this.clock.monotonicMs()), () => this.fire());
  }

  private fire(): void {
    this.timer = null;
    const nowMs = this.clock.monotonicMs();
    while (this.head < this.end) {
      const e = this.entries[this.head]!;
      if (e.queue !== null && e.deadlineMs > nowMs) break;
      this.entries[this.head++] = VACANT;
      if (e.queue === null) continue;
      e.queue = null;
      e.expire();
    }
    this.trim();
    if (this.head < this.end && this.timer === null) this.arm(this.entries[this.head]!.deadlineMs);
  }
}

/** One queue per timeout length (write, read, range, truncate), created on first use. */
export class Deadlines {
  private readonly queues = new Map<number, DeadlineQueue>();
  /** The queue asked for last (requests of one kind come in runs): no Map lookup for it. */
  private last: DeadlineQueue | null = null;
  constructor(private readonly clock: Clock, private readonly scheduler: Scheduler) {}

  /** Calls onExpire after timeoutMs unless the returned Deadline is cancelled first. */
  after(timeoutMs: number, onExpire: () => void): Deadline {
    return this.queue(timeoutMs).add(onExpire);
  }

  /** Calls task.expire() timeoutMs after `nowMs` (a monotonicMs reading) unless task.cancelDeadline() comes first. */
  track(timeoutMs: number, task: DeadlineTask, nowMs: number): void {
    this.queue(timeoutMs).addTask(task, nowMs);
  }

  private queue(timeoutMs: number): DeadlineQueue {
    const last = this.last;
    if (last !== null && last.timeoutMs === timeoutMs) return last;
    let q = this.queues.get(timeoutMs);
    if (q === undefined) {
      // Timeouts come from configuration (a handful of values); a stray one is a bug.
      assert(this.queues.size < 64, 'more than 64 distinct request timeouts');
      q = new DeadlineQueue(this.clock, this.scheduler, timeoutMs);
      this.queues.set(timeoutMs, q);
    }
    this.last = q;
    return q;
  }
}
