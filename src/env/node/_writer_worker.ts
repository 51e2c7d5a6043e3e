// The writer thread's loop (see _writer_layout.ts): sleeps in Atomics.wait until a request
// arrives, writes and syncs as described, answers with one message. Synchronous system calls
// are the point: this thread exists to make them so the event loop's thread never does.

import { fdatasyncSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { CTL_OPS, CTL_REQUEST, CTL_STOP, OP_FIELDS, OP_SYNC, OP_WRITE, type WriterReply, type WriterShared } from './_writer_layout.js';

const shared = workerData as WriterShared;
const ctl = new Int32Array(shared.ctl);
const ops = new Float64Array(shared.ops);
const data = new Uint8Array(shared.data);
const port = parentPort!;

function writeAll(fd: number, from: number, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    const n = writeSync(fd, data, from + done, length - done, position + done);
    if (n <= 0) throw Object.assign(new Error(`write stored ${done} of ${length} bytes`), { code: 'EIO' });
    done += n;
  }
}

function run(count: number): void {
  for (let i = 0; i < count; i++) {
    const at = i * OP_FIELDS;
    const kind = ops[at]!;
    const fd = ops[at + 1]!;
    if (kind === OP_WRITE) writeAll(fd, ops[at + 3]!, ops[at + 4]!, ops[at + 2]!);
    else if (kind === OP_SYNC) fdatasyncSync(fd);
    else throw new Error(`writer thread: unknown op kind ${kind}`);
  }
}

let seen = 0;
for (;;) {
  Atomics.wait(ctl, CTL_REQUEST, seen); // returns at once when the number moved on since `seen`
  if (Atomics.load(ctl, CTL_STOP) === 1) break; // stored before the number that woke us
  const seq = Atomics.load(ctl, CTL_REQUEST);
  if (seq === seen) continue;
  seen = seq;
  let reply: WriterReply;
  try {
    run(Atomics.load(ctl, CTL_OPS));
    reply = { seq, ok: true };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    reply = { seq, ok: false, code: err.code, message: err.message };
  }
  port.postMessage(reply);
}
