// The worker thread's side of workers/pool.ts: compresses a run of SSTable chunks or decompresses
// one chunk per message. Pure CPU: no files, clocks or sockets (the main thread keeps all I/O on env.fs).

import { parentPort } from 'node:worker_threads';
import { assert } from '../../util/assert.js';
import { compressChunks, decompressChunk } from '../sstable/compression.js';
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

function run(job: JobRequest): { output: Buffer; chunkSizes?: number[] } {
  const input = Buffer.from(job.input);
  switch (job.op) {
    case 'compress': {
      const c = compressChunks(job.method, input, job.chunkBytes);
      return { output: c.stored, chunkSizes: c.chunkSizes };
    }
    case 'decompress': return { output: decompressChunk(input, job.where) };
  }
}

port.on('message', (job: JobRequest) => {
  let reply: JobReply;
  try {
    const r = run(job);
    const out = owned(r.output);
    reply = r.chunkSizes === undefined ? { id: job.id, ok: true, output: out } : { id: job.id, ok: true, output: out, chunkSizes: r.chunkSizes };
    port.postMessage(reply, [out]);
  } catch (e) {
    const err = e as Error;
    reply = { id: job.id, ok: false, name: err.name, message: err.message };
    port.postMessage(reply);
  }
});
