// The worker thread's side of workers/pool.ts: compresses or decompresses one SSTable chunk per
// message. Pure CPU: no files, clocks or sockets (the main thread keeps all I/O on env.fs).

import { parentPort } from 'node:worker_threads';
import { assert } from '../../util/assert.js';
import { compressChunk, decompressChunk } from '../sstable/compression.js';
import type { JobReply, JobRequest } from './pool.js';

const port = parentPort;
assert(port, 'storage/workers/_worker.js must run as a worker thread');

/** The result in a fresh ArrayBuffer of its own, so it can be transferred without a copy. */
function owned(b: Buffer): ArrayBuffer {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b.buffer;
  const out = new ArrayBuffer(b.length);
  new Uint8Array(out).set(b);
  return out;
}

function run(job: JobRequest): Buffer {
  const input = Buffer.from(job.input);
  switch (job.op) {
    case 'compress': return compressChunk(job.method, input);
    case 'decompress': return decompressChunk(input, job.where);
  }
}

port.on('message', (job: JobRequest) => {
  let reply: JobReply;
  try {
    const out = owned(run(job));
    reply = { id: job.id, ok: true, output: out };
    port.postMessage(reply, [out]);
  } catch (e) {
    const err = e as Error;
    reply = { id: job.id, ok: false, name: err.name, message: err.message };
    port.postMessage(reply);
  }
});
