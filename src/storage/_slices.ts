// Time slices for background work on the event loop (flush and compaction encode rows there).
//
// A flush or compaction awaits only when its SSTable writer waits for a compression job or a file
// write, once per 256 KiB run; between those awaits it encodes rows in one stretch of microtasks,
// and requests arriving meanwhile wait for all of it (10-20 ms per run for small rows, more for
// compaction, which also decodes and merges). So the loop is handed back to I/O whenever a slice
// of BACKGROUND_SLICE_MS has passed since the last hand-back.

import type { Clock, Scheduler } from '../env/mod.js';

/** The longest stretch background work keeps the event loop before letting I/O run. */
export const BACKGROUND_SLICE_MS = 0.5;

export class LoopSlices {
  private sliceStartMs: number;
  /** Times the work handed the loop back. */
  yields = 0;

  constructor(private readonly clock: Clock, private readonly scheduler: Scheduler, private readonly sliceMs: number = BACKGROUND_SLICE_MS) {
    this.sliceStartMs = clock.monotonicMs();
  }

  /** Hands the loop back (one `soon` turn) if the slice is used up; else resolves without waiting. */
  maybeYield(): Promise<void> | undefined {
    if (this.clock.monotonicMs() - this.sliceStartMs < this.sliceMs) return undefined;
    this.yields++;
    return new Promise<void>((resolve) => this.scheduler.soon(() => {
      this.sliceStartMs = this.clock.monotonicMs();
      resolve();
    }));
  }
}
