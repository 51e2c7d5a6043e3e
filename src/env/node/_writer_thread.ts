// NodeWriterThread: the production WriterThread (src/env/mod.ts) — one worker thread doing
// pwrite + fdatasync synchronously for the caller's requests. The caller's bytes are copied into
// a shared staging buffer (WRITER_REQUEST_BYTES_MAX) and the worker is woken with Atomics.notify;
// it answers each request with one message. So a commit-log batch costs the event loop a copy,
// one futex wake and one message, instead of a thread-pool round trip per system call.

import { Worker } from 'node:worker_threads';
import type { FileHandle, WriteRun, WriterThread } from '../mod.js';
import { assert } from '../../util/assert.js';
import {
  CTL_OPS, CTL_REQUEST, CTL_SLOTS, CTL_STOP, OP_FIELDS, OP_SYNC, OP_WRITE, WRITER_OPS_MAX, WRITER_REQUEST_BYTES_MAX,
  type WriterReply, type WriterShared,
} from './_writer_layout.js';

/** A handle whose file descriptor the writer thread may use (NodeFileHandle). */
export interface DescriptorHandle { readonly fd: number }

function fdOf(file: FileHandle): number {
  const fd = (file as Partial<DescriptorHandle>).fd;
  assert(typeof fd === 'number' && fd >= 0, 'writer thread: the handle is not an open file of this file system');
  return fd;
}

export class NodeWriterThread implements WriterThread {
  readonly requestBytesMax = WRITER_REQUEST_BYTES_MAX;
  readonly requestOpsMax = WRITER_OPS_MAX;
  private readonly ctl: Int32Array;
  private readonly ops: Float64Array;
  private readonly data: Uint8Array;
  private readonly worker: Worker;
  private seq = 0;
  private pending: { seq: number; resolve: () => void; reject: (e: Error) => void } | undefined;
  /** Set once the worker died or was closed: every later request fails with it. */
  private dead: Error | undefined;

  constructor() {
    const shared: WriterShared = {
      ctl: new SharedArrayBuffer(CTL_SLOTS * 4),
      ops: new SharedArrayBuffer(WRITER_OPS_MAX * OP_FIELDS * 8),
      data: new SharedArrayBuffer(WRITER_REQUEST_BYTES_MAX),
    };
    this.ctl = new Int32Array(shared.ctl);
    this.ops = new Float64Array(shared.ops);
    this.data = new Uint8Array(shared.data);
    this.worker = new Worker(new URL('./_writer_worker.js', import.meta.url), { workerData: shared });
    this.worker.on('message', (m: WriterReply) => this.settle(m));
    this.worker.on('error', (e: Error) => this.die(new Error(`writer thread failed: ${e.message}`)));
    this.worker.on('exit', (code) => this.die(new Error(`writer thread exited with code ${code}`)));
    this.worker.unref(); // referenced only while a request is in flight (after the listeners: adding one refs it)
  }

  writeAndSync(runs: readonly WriteRun[], sync: readonly FileHandle[]): Promise<void> {
    assert(!this.pending, 'writer thread: one request at a time');
    if (this.dead) return Promise.reject(this.dead);
    assert(runs.length + sync.length <= WRITER_OPS_MAX, `writer thread: ${runs.length + sync.length} ops in one request, max ${WRITER_OPS_MAX}`);
    let op = 0;
    let at = 0;
    for (const r of runs) {
      assert(at + r.bytes <= WRITER_REQUEST_BYTES_MAX, `writer thread: request over ${WRITER_REQUEST_BYTES_MAX} bytes`);
      const from = at;
      for (const p of r.pieces) { this.data.set(p, at); at += p.length; }
      assert(at - from === r.bytes, 'writer thread: a run\'s pieces add up to its bytes');
      this.describe(op++, OP_WRITE, fdOf(r.file), r.position, from, r.bytes);
    }
    for (const f of sync) this.describe(op++, OP_SYNC, fdOf(f), 0, 0, 0);
    const seq = ++this.seq;
    Atomics.store(this.ctl, CTL_OPS, op);
    Atomics.store(this.ctl, CTL_REQUEST, seq);
    Atomics.notify(this.ctl, CTL_REQUEST);
    this.worker.ref();
    return new Promise<void>((resolve, reject) => { this.pending = { seq, resolve, reject }; });
  }

  private describe(op: number, kind: number, fd: number, position: number, from: number, length: number): void {
    const at = op * OP_FIELDS;
    this.ops[at] = kind;
    this.ops[at + 1] = fd;
    this.ops[at + 2] = position;
    this.ops[at + 3] = from;
    this.ops[at + 4] = length;
  }

  private settle(m: WriterReply): void {
    const p = this.pending;
    assert(p && p.seq === m.seq, `writer thread answered request ${m.seq}, expected ${p?.seq}`);
    this.pending = undefined;
    this.worker.unref();
    if (m.ok) p.resolve();
    else p.reject(Object.assign(new Error(m.message), { code: m.code }));
  }

  private die(e: Error): void {
    this.dead ??= e;
    const p = this.pending;
    this.pending = undefined;
    p?.reject(e);
  }

  async close(): Promise<void> {
    assert(!this.pending, 'writer thread: closed with a request in flight');
    if (this.dead) return;
    this.dead = new Error('writer thread is closed');
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.ref(); // the wait for its exit keeps the process alive
    Atomics.store(this.ctl, CTL_STOP, 1);
    // A new request number too: a worker not yet back in Atomics.wait then does not sleep on it.
    Atomics.store(this.ctl, CTL_REQUEST, ++this.seq);
    Atomics.notify(this.ctl, CTL_REQUEST);
    await exited;
  }
}
