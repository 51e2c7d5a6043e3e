// CPU work of flush and compaction off the event loop: SSTable chunk compression (with its
// crc32) and, for compaction scans, decompression, run in worker threads. All file I/O stays on
// the main thread through env.fs; only bytes travel, in transferred ArrayBuffers. See README.md.

import { Worker } from 'node:worker_threads';
import { assert } from '../../util/assert.js';
import { compressChunks, CorruptSSTable, decompressChunk, type CompressedChunks, type CompressionMethod } from '../sstable/compression.js';

/** Jobs sent to workers and not yet answered, over all workers; more wait for a slot. */
export const JOBS_IN_FLIGHT_MAX = 64;
/** Callers waiting for a slot; each flush or compaction keeps only a few jobs outstanding, so this is never reached in practice. */
export const JOBS_WAITING_MAX = 4096;
export const WORKER_THREADS_MAX = 8;

export type JobRequest =
  | { id: number; op: 'compress'; method: CompressionMethod; chunkBytes: number; input: ArrayBuffer }
  | { id: number; op: 'decompress'; where: string; input: ArrayBuffer };

export type JobReply =
  | { id: number; ok: true; output: ArrayBuffer; chunkSizes?: number[] }
  | { id: number; ok: false; name: string; message: string };

/** Chunk (de)compression as a service: inline (simulation, tools) or on worker threads. */
export interface ChunkCodec {
  /**
   * The stored form of `raw` cut into chunks of chunkBytes (see sstable/compression.ts), as one
   * job: a writer hands over many chunks per round trip. `raw` may be reused once this returns.
   */
  compress(method: CompressionMethod, raw: Buffer, chunkBytes: number): Promise<CompressedChunks>;
  /** The raw bytes of a stored chunk; rejects with CorruptSSTable on a bad checksum. `stored` may be reused once this returns. */
  decompress(stored: Buffer, where: string): Promise<Buffer>;
  /** Stops the workers; jobs still running are rejected. */
  close(): Promise<void>;
}

/** Runs every job on the caller's thread (deterministic: for the simulation and single-shot tools). */
export const inlineCodec: ChunkCodec = {
  compress: (method, raw, chunkBytes) => Promise.resolve(compressChunks(method, raw, chunkBytes)),
  decompress: (stored, where) => {
    try { return Promise.resolve(decompressChunk(stored, where)); } catch (e) { return Promise.reject(e as Error); }
  },
  close: () => Promise.resolve(),
};

interface Job {
  resolve: (reply: { output: Buffer; chunkSizes: number[] | undefined }) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  jobs: Map<number, Job>;
}

/** A copy of b in an ArrayBuffer of its own (transferable; the caller keeps b). */
function detachedCopy(b: Buffer): ArrayBuffer {
  const out = new ArrayBuffer(b.length);
  new Uint8Array(out).set(b);
  return out;
}

/**
 * A fixed set of worker threads, started on first use. Jobs go to the least busy worker; at most
 * JOBS_IN_FLIGHT_MAX are outstanding, later callers wait (bounded by JOBS_WAITING_MAX). Workers are
 * unreferenced while idle, so an idle pool never keeps the process alive.
 */
export class WorkerCodec implements ChunkCodec {
  private readonly slots: Slot[] = [];
  private readonly waiters: (() => void)[] = [];
  private inFlight = 0;
  private nextId = 1;
  private closed = false;

  constructor(readonly threads: number) {
    assert(Number.isInteger(threads) && threads >= 1 && threads <= WORKER_THREADS_MAX, `storage worker threads must be 1..${WORKER_THREADS_MAX}, got ${threads}`);
  }

  async compress(method: CompressionMethod, raw: Buffer, chunkBytes: number): Promise<CompressedChunks> {
    if (method === 'none') return inlineCodec.compress(method, raw, chunkBytes); // a copy and a native crc32: cheaper than a round trip
    const r = await this.submit({ op: 'compress', method, chunkBytes }, detachedCopy(raw));
    assert(r.chunkSizes !== undefined, 'a compress job answers with its chunk sizes');
    return { stored: r.output, chunkSizes: r.chunkSizes };
  }

  async decompress(stored: Buffer, where: string): Promise<Buffer> {
    return (await this.submit({ op: 'decompress', where }, detachedCopy(stored))).output;
  }

  private async submit(job: { op: 'compress'; method: CompressionMethod; chunkBytes: number } | { op: 'decompress'; where: string }, input: ArrayBuffer): Promise<{ output: Buffer; chunkSizes: number[] | undefined }> {
    while (this.inFlight >= JOBS_IN_FLIGHT_MAX && !this.closed) {
      assert(this.waiters.length < JOBS_WAITING_MAX, `more than ${JOBS_WAITING_MAX} storage jobs waiting for a worker`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
    if (this.closed) throw new Error('storage worker pool is closed');
    const slot = this.leastBusy();
    const id = this.nextId++;
    this.inFlight++;
    if (slot.jobs.size === 0) slot.worker.ref();
    return new Promise((resolve, reject) => {
      slot.jobs.set(id, { resolve, reject });
      slot.worker.postMessage({ ...job, id, input } as JobRequest, [input]);
    });
  }

  private leastBusy(): Slot {
    if (this.slots.length < this.threads && this.slots.every((s) => s.jobs.size > 0)) return this.spawn();
    let best = this.slots[0]!;
    for (const s of this.slots) if (s.jobs.size < best.jobs.size) best = s;
    return best;
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./_worker.js', import.meta.url));
    const slot: Slot = { worker, jobs: new Map() };
    worker.on('message', (m: JobReply) => this.settle(slot, m));
    worker.on('error', (e: Error) => this.fail(slot, e));
    worker.on('exit', (code) => this.fail(slot, new Error(`storage worker thread exited with code ${code}`)));
    // After the listeners: adding a 'message' listener refs the worker again.
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  private settle(slot: Slot, m: JobReply): void {
    const job = slot.jobs.get(m.id);
    assert(job, `storage worker answered unknown job ${m.id}`);
    slot.jobs.delete(m.id);
    this.finished(slot);
    if (m.ok) job.resolve({ output: Buffer.from(m.output), chunkSizes: m.chunkSizes });
    else job.reject(m.name === 'CorruptSSTable' ? new CorruptSSTable(m.message) : new Error(`storage worker: ${m.name}: ${m.message}`));
  }

  /** A worker died: its jobs fail, and it is replaced on next use. */
  private fail(slot: Slot, e: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    for (const job of slot.jobs.values()) { this.finished(undefined); job.reject(e); }
    slot.jobs.clear();
    void slot.worker.terminate();
  }

  private finished(slot: Slot | undefined): void {
    this.inFlight--;
    if (slot && slot.jobs.size === 0) slot.worker.unref();
    this.waiters.shift()?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0);
    for (const s of slots) {
      for (const job of s.jobs.values()) job.reject(new Error('storage worker pool closed'));
      s.jobs.clear();
    }
    for (const w of this.waiters.splice(0)) w();
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}

/** The codec a node uses: `threads` workers, or inline when 0. */
export function chunkCodec(threads: number): ChunkCodec {
  return threads === 0 ? inlineCodec : new WorkerCodec(threads);
}
