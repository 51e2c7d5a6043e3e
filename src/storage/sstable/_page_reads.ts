// Point reads of Index.db segments and Data.db chunks: synchronous while the files are in the OS
// page cache, asynchronous after a slow one.
//
// Measured on the 2-vCPU VM (bench/README.md, "SSTable reads, large data set"): a 16 KiB pread
// from the page cache costs ~2.6 µs on the calling thread; the same read through the libuv thread
// pool costs 12-30 µs of process CPU (promise, request object, pool hand-off and wake-up). A read
// that has to wait for the disk blocks the event loop, so every synchronous read is timed: one
// over SLOW_READ_MS switches all point reads of the node to the asynchronous path for the next
// ASYNC_READS_AFTER_SLOW reads, then synchronous reads are tried again. The loop is thus blocked
// by at most one disk read per ASYNC_READS_AFTER_SLOW reads while the data does not fit in memory.

import type { Clock, FileHandle } from '../../env/mod.js';
import { CorruptSSTable } from './compression.js';

/** A synchronous read slower than this was not served from the page cache (SSD random read ≈ 0.1 ms, cached 16 KiB ≈ 0.003 ms). */
export const SLOW_READ_MS = 0.5;
/** Asynchronous reads after a slow synchronous one, before synchronous reads are tried again. */
export const ASYNC_READS_AFTER_SLOW = 2000;

export class PageCacheReads {
  syncReads = 0;
  asyncReads = 0;
  slowSyncReads = 0;
  private asyncLeft = 0;
  constructor(private readonly clock: Clock | undefined) {}

  /**
   * Fills buf from `position` synchronously and returns true, or returns false (nothing read) when
   * the caller must read asynchronously: the file has no readSync, or a recent synchronous read was slow.
   */
  tryReadSync(fh: FileHandle, buf: Buffer, position: number): boolean {
    if (fh.readSync === undefined || this.clock === undefined) return false;
    if (this.asyncLeft > 0) {
      this.asyncLeft--;
      this.asyncReads++;
      return false;
    }
    const startMs = this.clock.monotonicMs();
    let done = 0;
    while (done < buf.length) {
      const n = fh.readSync(buf, done, buf.length - done, position + done);
      if (n === 0) throw new CorruptSSTable(`unexpected end of file at ${position + done}`);
      done += n;
    }
    this.syncReads++;
    if (this.clock.monotonicMs() - startMs > SLOW_READ_MS) {
      this.slowSyncReads++;
      this.asyncLeft = ASYNC_READS_AFTER_SLOW;
    }
    return true;
  }
}

/** No synchronous reads (tools, tests without a clock). */
export const ASYNC_ONLY = new PageCacheReads(undefined);
