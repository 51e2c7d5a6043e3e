// The worker pool gives the same bytes as inline compression, reports corrupt chunks as
// CorruptSSTable, stays within JOBS_IN_FLIGHT_MAX under a burst, and closes.
import test from 'node:test';
import assert from 'node:assert/strict';
import { CorruptSSTable, type CompressionMethod } from '../sstable/compression.js';
import { inlineCodec, JOBS_IN_FLIGHT_MAX, WorkerCodec, type ChunkCodec } from './pool.js';

/** One stored chunk: the whole of raw compressed as a single chunk. */
async function one(codec: ChunkCodec, method: CompressionMethod, raw: Buffer): Promise<Buffer> {
  const r = await codec.compress(method, raw, Math.max(1, raw.length));
  assert.deepEqual(r.chunkSizes, [r.stored.length]);
  return r.stored;
}

function chunk(seed: number, bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  let s = seed || 1;
  for (let i = 0; i < bytes; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = i % 7 === 0 ? s & 0xff : 65 + (i % 13); // compressible, not trivially
  }
  return out;
}

const METHODS: CompressionMethod[] = ['none', 'lz4', 'snappy', 'deflate'];

test('worker compression equals inline compression and decompresses back', async () => {
  const pool = new WorkerCodec(2);
  try {
    for (const method of METHODS) {
      for (const size of [1, 100, 16 * 1024, 64 * 1024 + 3]) {
        const raw = chunk(size, size);
        const viaWorker = await one(pool, method, raw);
        assert.deepEqual(viaWorker, await one(inlineCodec, method, raw), `${method} ${size}`);
        assert.deepEqual(await pool.decompress(viaWorker, 'test'), raw, `${method} ${size} round trip`);
      }
    }
  } finally {
    await pool.close();
  }
});

test('a run of chunks: one job, each stored chunk as inline compression makes it, in order', async () => {
  const pool = new WorkerCodec(1);
  try {
    for (const method of METHODS) {
      const chunkBytes = 4096;
      const raw = chunk(77, chunkBytes * 5 + 1500);
      const run = await pool.compress(method, raw, chunkBytes);
      assert.deepEqual(run, await inlineCodec.compress(method, raw, chunkBytes), method);
      assert.equal(run.chunkSizes.length, 6);
      let at = 0;
      for (let i = 0; i < run.chunkSizes.length; i++) {
        const stored = run.stored.subarray(at, at + run.chunkSizes[i]!);
        assert.deepEqual(await pool.decompress(stored, 'run'), raw.subarray(i * chunkBytes, Math.min(raw.length, (i + 1) * chunkBytes)), `${method} chunk ${i}`);
        at += run.chunkSizes[i]!;
      }
      assert.equal(at, run.stored.length);
    }
  } finally {
    await pool.close();
  }
});

test('a corrupt chunk is CorruptSSTable from a worker too; the worker keeps serving', async () => {
  const pool = new WorkerCodec(1);
  try {
    const stored = await one(pool, 'lz4', chunk(3, 4096));
    stored[10]! ^= 0xff;
    await assert.rejects(pool.decompress(stored, 'data chunk 7'), (e: Error) => e instanceof CorruptSSTable && /data chunk 7: chunk checksum mismatch/.test(e.message));
    assert.equal((await pool.decompress(await one(pool, 'lz4', chunk(4, 100)), 'x')).length, 100);
  } finally {
    await pool.close();
  }
});

test('a burst of jobs over the in-flight limit all complete, in any order, with the right results', async () => {
  const pool = new WorkerCodec(2);
  try {
    const n = JOBS_IN_FLIGHT_MAX * 3;
    const raws = Array.from({ length: n }, (_, i) => chunk(i + 1, 2048 + i));
    const stored = await Promise.all(raws.map((r) => one(pool, 'lz4', r)));
    const back = await Promise.all(stored.map((s) => pool.decompress(s, 'burst')));
    for (let i = 0; i < n; i++) assert.deepEqual(back[i], raws[i]);
  } finally {
    await pool.close();
  }
});

test('the caller may reuse its buffer as soon as compress returns', async () => {
  const pool = new WorkerCodec(1);
  try {
    const raw = chunk(9, 8192);
    const copy = Buffer.from(raw);
    const p = pool.compress('lz4', raw, raw.length);
    raw.fill(0);
    assert.deepEqual(await pool.decompress((await p).stored, 'reuse'), copy);
  } finally {
    await pool.close();
  }
});

test('jobs after close are refused', async () => {
  const pool = new WorkerCodec(1);
  await one(pool, 'lz4', chunk(1, 100));
  await pool.close();
  await assert.rejects(pool.compress('lz4', chunk(1, 100), 100), /closed/);
});
