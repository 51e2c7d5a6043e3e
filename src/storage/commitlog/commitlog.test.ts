// The commit log's group commit on simulated time and files: how appends become batches (one in
// flight, the next one growing meanwhile), values written by reference, slabs spanning entries,
// and what a failed write takes down with it. Crash and replay across restarts are in test/storage.
import test from 'node:test';
import assert from 'node:assert/strict';
import type { FileHandle, FileSystem, OpenMode, OpenOptions, WriteRun, WriterThread } from '../../env/mod.js';
import { ForwardingFileSystem } from '../../env/forwarding.js';
import { SimFileSystem, SimTime } from '../../env/sim/mod.js';
import type { CommitLogSync } from '../_config.js';
import type { Cell, PartitionUpdate } from '../data.js';
import { CommitLog, parseSegment } from './commitlog.js';
import { SLAB_BYTES, VALUE_BY_REFERENCE_BYTES_MIN } from './_gather.js';

const DIR = '/cl';
const SEGMENT_BYTES = 8 * 1024 * 1024;

/** A FileSystem that records every writev's pieces, can hold syncs until released, and can fail writes. */
class SpyFs extends ForwardingFileSystem {
  readonly writes: Uint8Array[][] = [];
  holdSyncs = false;
  holdWrites = false;
  failWrites = false;
  private held: (() => void)[] = [];
  private heldWrites: (() => void)[] = [];
  constructor(readonly sim: SimFileSystem) {
    super(sim);
  }
  releaseSyncs(): void {
    for (const r of this.held.splice(0)) r();
  }
  releaseWrites(): void {
    for (const r of this.heldWrites.splice(0)) r();
  }
  override async open(path: string, mode: OpenMode, options?: OpenOptions): Promise<FileHandle> {
    const fh = await this.inner.open(path, mode, options);
    return {
      read: (b, o, l, p) => fh.read(b, o, l, p),
      write: (b, o, l, p) => fh.write(b, o, l, p),
      writev: async (buffers, p) => {
        if (this.holdWrites) await new Promise<void>((r) => this.heldWrites.push(r));
        if (this.failWrites) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
        this.writes.push(buffers);
        return fh.writev!(buffers, p);
      },
      sync: async () => {
        if (this.holdSyncs) await new Promise<void>((r) => this.held.push(r));
        return fh.sync();
      },
      truncate: (n) => fh.truncate(n), sizeBytes: () => fh.sizeBytes(), close: () => fh.close(),
    };
  }
}

/**
 * A WriterThread over SpyFs's handles, as the contract says: the request's bytes are copied when
 * it is made, then written through each run's handle (so SpyFs's hold and fail apply) and synced.
 * Records each request; `holdReplies` keeps answers back until `releaseReplies()`.
 */
class FakeWriterThread implements WriterThread {
  readonly requests: { runs: number; syncs: number; bytes: number }[] = [];
  holdReplies = false;
  closed = false;
  private held: (() => void)[] = [];
  private busy = false;
  constructor(readonly requestBytesMax: number, readonly requestOpsMax = 16) {}
  releaseReplies(): void {
    for (const r of this.held.splice(0)) r();
  }
  async writeAndSync(runs: readonly WriteRun[], sync: readonly FileHandle[]): Promise<void> {
    assert.ok(!this.busy, 'one request at a time');
    assert.ok(!this.closed);
    this.busy = true;
    const copies = runs.map((r) => ({ file: r.file, position: r.position, data: Buffer.concat(r.pieces) }));
    for (const c of copies) assert.ok(c.data.length <= this.requestBytesMax);
    this.requests.push({ runs: runs.length, syncs: sync.length, bytes: copies.reduce((n, c) => n + c.data.length, 0) });
    try {
      for (const c of copies) await c.file.writev!([c.data], c.position);
      for (const f of sync) await f.sync();
      if (this.holdReplies) await new Promise<void>((r) => this.held.push(r));
    } finally {
      this.busy = false;
    }
  }
  async close(): Promise<void> {
    assert.ok(!this.busy, 'closed with a request in flight');
    this.closed = true;
  }
}

/** SpyFs with a writer thread. */
class ThreadedSpyFs extends SpyFs {
  readonly thread: FakeWriterThread;
  constructor(inner: SimFileSystem, requestBytesMax: number) {
    super(inner);
    this.thread = new FakeWriterThread(requestBytesMax);
  }
  startWriterThread(): WriterThread { return this.thread; }
}

function u(key: number, cells: Cell[]): PartitionUpdate {
  const k = Buffer.alloc(4);
  k.writeInt32BE(key);
  return { tableId: 't1', key: k, token: BigInt(key), rangeTombstones: [], rows: [{ clustering: [], cells }] };
}

function small(key: number): PartitionUpdate {
  return u(key, [{ column: 'v', value: Buffer.alloc(100, key & 0xff), timestampMicros: key, ttlSec: 0, localExpirationTimeSec: 0 }]);
}

async function openLog<F extends SpyFs = SpyFs>(opts: { sync?: CommitLogSync; groupWindowMs?: number; fs?: F } = {}) {
  const time = new SimTime(0);
  const fs = opts.fs ?? new SpyFs(new SimFileSystem());
  const applied: PartitionUpdate[] = [];
  const log = new CommitLog({
    fs, clock: time, scheduler: time, dir: DIR, sync: opts.sync ?? 'batch', dsync: false, groupWindowMs: opts.groupWindowMs ?? 1,
    periodMs: 1000, segmentBytes: SEGMENT_BYTES, apply: (x) => applied.push(x), log: { info() {}, warn() {}, error() {} },
  });
  await log.start(await log.replay(() => {}));
  return { time, fs: fs as F, log, applied };
}

/** The entries of every segment file, in segment order. */
async function replayAll(fs: SimFileSystem): Promise<PartitionUpdate[]> {
  const out: PartitionUpdate[] = [];
  const names = (await fs.readdir(DIR)).sort();
  for (const n of names) out.push(...parseSegment(await fs.readFile(`${DIR}/${n}`)).entries.map((e) => e.update));
  return out;
}

test('appends arriving in one turn share one batch: one write, one sync', async () => {
  const { time, fs, log, applied } = await openLog();
  const syncsBefore = log.syncs;
  const acks = Array.from({ length: 1000 }, (_, i) => log.append(small(i)));
  assert.equal(log.batches, 0, 'nothing starts before the next turn');
  await time.runFor(1);
  await Promise.all(acks);
  assert.equal(log.batches, 1);
  assert.equal(fs.writes.length, 1);
  assert.equal(log.syncs - syncsBefore, 1);
  assert.deepEqual(applied.map((x) => x.key.readInt32BE(0)), Array.from({ length: 1000 }, (_, i) => i), 'applied in log order');
  assert.equal((await replayAll(fs.sim)).length, 1000);
  await log.close();
});

test('while a batch syncs the next one grows; it starts when the first is acknowledged', async () => {
  const { time, fs, log, applied } = await openLog();
  fs.holdSyncs = true;
  const first = log.append(small(0));
  await time.runFor(1);
  assert.equal(log.batches, 1);
  const later = Array.from({ length: 50 }, (_, i) => log.append(small(i + 1)));
  await time.runFor(10);
  assert.equal(log.batches, 1, 'one batch in flight at a time');
  assert.equal(applied.length, 0, 'nothing is applied before its sync');
  fs.holdSyncs = false;
  fs.releaseSyncs();
  await first;
  await time.runFor(1);
  await Promise.all(later);
  assert.equal(log.batches, 2, 'the 50 later appends went out as one batch');
  assert.equal(applied.length, 51);
  await log.close();
});

test('group mode: a lone write waits for the window since the last start, and no longer', async () => {
  const { time, log } = await openLog({ sync: 'group', groupWindowMs: 5 });
  let done = false;
  void log.append(small(1)).then(() => { done = true; });
  await time.runFor(0);
  assert.ok(done, 'the first write after a quiet period starts on the next turn');
  await time.runFor(1); // t = 1: 1 ms after the last start
  done = false;
  void log.append(small(2)).then(() => { done = true; });
  await time.runFor(3);
  assert.equal(done, false, 'not before the window');
  await time.runFor(1);
  assert.ok(done, 'at the end of the window');
  await log.close();
});

test('large values are written by reference, small ones copied; every entry replays intact', async () => {
  const { time, fs, log } = await openLog();
  const big = Buffer.alloc(256 * 1024, 0x5a);
  const edge = Buffer.alloc(VALUE_BY_REFERENCE_BYTES_MIN, 0x11);
  const under = Buffer.alloc(VALUE_BY_REFERENCE_BYTES_MIN - 1, 0x22);
  const ts = { timestampMicros: 7, ttlSec: 0, localExpirationTimeSec: 0 };
  const updates = [
    u(1, [{ column: 'a', value: big, ...ts }, { column: 'b', value: Buffer.from('x'), ...ts }]),
    small(2),
    u(3, [{ column: 'a', value: edge, ...ts }, { column: 'c', value: under, ...ts }]),
  ];
  const acks = updates.map((x) => log.append(x));
  await time.runFor(1);
  await Promise.all(acks);
  const pieces = fs.writes.flat();
  assert.ok(pieces.includes(big), 'the 256 KiB value is a piece of its own');
  assert.ok(pieces.includes(edge), 'a value of exactly the threshold is by reference');
  assert.ok(!pieces.includes(under), 'a value under the threshold is copied');
  assert.deepEqual(await replayAll(fs.sim), updates);
  await log.close();
});

test('an entry whose small fields fill more than a slab spans slabs and replays intact', async () => {
  const { time, fs, log } = await openLog();
  const ts = { timestampMicros: 9, ttlSec: 0, localExpirationTimeSec: 0 };
  const cells: Cell[] = [];
  for (let i = 0; cells.length * 60 < SLAB_BYTES * 2.5; i++) cells.push({ column: `c${String(i).padStart(6, '0')}`, value: Buffer.alloc(30, i & 0xff), ...ts });
  const updates = [small(1), u(2, cells), small(3), u(4, cells.slice(0, 5000)), small(5)];
  const acks = updates.map((x) => log.append(x));
  await time.runFor(1);
  await Promise.all(acks);
  assert.deepEqual(await replayAll(fs.sim), updates);
  // The slabs are reused by later batches: those must not corrupt what is on disk.
  for (let round = 0; round < 5; round++) {
    const more = Array.from({ length: 3000 }, (_, i) => log.append(small(100 + round * 3000 + i)));
    await time.runFor(1);
    await Promise.all(more);
  }
  const all = await replayAll(fs.sim);
  assert.equal(all.length, 5 + 15_000);
  assert.deepEqual(all.slice(0, 5), updates);
  assert.deepEqual(all.slice(5).map((x) => x.key.readInt32BE(0)), Array.from({ length: 15_000 }, (_, i) => 100 + i));
  await log.close();
});

/**
 * Ten writes succeed, then the write of a batch fails: that batch and the one growing behind it
 * are rejected, and later writes go to a fresh segment and replay after the first ten.
 */
async function checkFailedWriteRejectsBatchBehind({ time, fs, log, applied }: Awaited<ReturnType<typeof openLog>>, batchesInFlight?: number): Promise<void> {
  const ok = Array.from({ length: 10 }, (_, i) => log.append(small(i)));
  await time.runFor(1);
  await Promise.all(ok);
  const segmentsBefore = log.segmentCount;
  fs.holdWrites = true;
  const inFlight = log.append(small(100));
  await time.runFor(1);
  if (batchesInFlight !== undefined) assert.equal(log.batches, batchesInFlight);
  const behind = log.append(small(101)); // encoded into the open batch, after the entry being written
  fs.failWrites = true;
  fs.holdWrites = false;
  fs.releaseWrites();
  await time.runFor(1);
  await assert.rejects(inFlight, (e: Error) => e.name === 'WriteFailure' && /EIO/.test(e.message));
  await assert.rejects(behind, (e: Error) => e.name === 'WriteFailure' && /EIO/.test(e.message));
  fs.failWrites = false;
  const after = Array.from({ length: 5 }, (_, i) => log.append(small(200 + i)));
  for (let i = 0; i < 20; i++) await time.runFor(1);
  await Promise.all(after);
  const expected = [...Array.from({ length: 10 }, (_, i) => i), 200, 201, 202, 203, 204];
  assert.deepEqual(applied.map((x) => x.key.readInt32BE(0)), expected);
  assert.equal(log.segmentCount, segmentsBefore + 1, 'a fresh segment after the failed one');
  assert.deepEqual((await replayAll(fs.sim)).map((x) => x.key.readInt32BE(0)), expected);
  await log.close();
}

test('a failed write rejects its batch and the one growing behind it; later writes go to a fresh segment', async () => {
  await checkFailedWriteRejectsBatchBehind(await openLog(), 2);
});

test('writer thread: each batch is one request (its writes, then its sync), acknowledged only when it answers', async () => {
  const fs = new ThreadedSpyFs(new SimFileSystem(), 1024 * 1024);
  const { time, log, applied } = await openLog({ fs });
  fs.thread.holdReplies = true;
  const first = Array.from({ length: 100 }, (_, i) => log.append(small(i)));
  await time.runFor(1);
  assert.equal(fs.thread.requests.length, 1);
  assert.deepEqual(fs.thread.requests[0], { runs: 1, syncs: 1, bytes: fs.thread.requests[0]!.bytes });
  const behind = Array.from({ length: 50 }, (_, i) => log.append(small(100 + i)));
  await time.runFor(5);
  assert.equal(applied.length, 0, 'nothing is applied before the request answers, though it is written and synced');
  assert.equal(fs.thread.requests.length, 1, 'one request in flight');
  fs.thread.holdReplies = false;
  fs.thread.releaseReplies();
  await Promise.all(first);
  await time.runFor(1);
  await Promise.all(behind);
  assert.equal(fs.thread.requests.length, 2);
  assert.equal(fs.writes.length, 2, 'no write went around the thread');
  assert.deepEqual(applied.map((x) => x.key.readInt32BE(0)), Array.from({ length: 150 }, (_, i) => i));
  assert.deepEqual((await replayAll(fs.sim)).map((x) => x.key.readInt32BE(0)), Array.from({ length: 150 }, (_, i) => i));
  await log.close();
  assert.ok(fs.thread.closed, 'close() ends the writer thread');
});

test('writer thread: a batch over its request size goes through the handles; both paths replay in order', async () => {
  const fs = new ThreadedSpyFs(new SimFileSystem(), 64 * 1024);
  const { time, log } = await openLog({ fs });
  const ts = { timestampMicros: 3, ttlSec: 0, localExpirationTimeSec: 0 };
  const updates: PartitionUpdate[] = [];
  for (let round = 0; round < 6; round++) {
    const batch = round % 2 === 0
      ? Array.from({ length: 20 }, (_, i) => small(round * 100 + i))
      : [u(round * 100, [{ column: 'a', value: Buffer.alloc(100 * 1024, round), ...ts }]), small(round * 100 + 1)];
    updates.push(...batch);
    const acks = batch.map((x) => log.append(x));
    await time.runFor(1);
    await Promise.all(acks);
  }
  assert.equal(fs.thread.requests.length, 3, 'the small batches went to the thread');
  assert.equal(fs.writes.length - fs.thread.requests.length, 3, 'the 100 KiB batches went through the handles');
  assert.deepEqual(await replayAll(fs.sim), updates);
  await log.close();
});

test('writer thread: a failed request rejects its batch and the one behind it; later writes go to a fresh segment', async () => {
  const fs = new ThreadedSpyFs(new SimFileSystem(), 1024 * 1024);
  await checkFailedWriteRejectsBatchBehind(await openLog({ fs, sync: 'group' }));
});

test('a small write does not queue behind a flood of large ones: it joins the batch growing now', async () => {
  const { time, fs, log, applied } = await openLog();
  const ts = { timestampMicros: 5, ttlSec: 0, localExpirationTimeSec: 0 };
  const large = (k: number) => u(k, [{ column: 'a', value: Buffer.alloc(256 * 1024, k & 0xff), ...ts }]);
  fs.holdWrites = true;
  const flood = Array.from({ length: 80 }, (_, i) => log.append(large(i))); // 20 MiB
  await time.runFor(1);
  assert.equal(log.batches, 1);
  let smallDoneAtBatch = -1;
  const probe = log.append(small(1000)).then(() => { smallDoneAtBatch = log.batches; });
  for (let i = 0; i < 200 && smallDoneAtBatch < 0; i++) {
    fs.releaseWrites();
    await time.runFor(1);
  }
  assert.ok(smallDoneAtBatch > 0 && smallDoneAtBatch <= 3, `the small write was acknowledged with batch ${smallDoneAtBatch} (at most the one in flight and the next)`);
  fs.holdWrites = false;
  for (let i = 0; i < 200 && applied.length < 81; i++) { fs.releaseWrites(); await time.runFor(1); }
  await Promise.all([...flood, probe]);
  const keys = applied.map((x) => x.key.readInt32BE(0));
  assert.deepEqual(keys.filter((k) => k < 1000), Array.from({ length: 80 }, (_, i) => i), 'large writes keep their arrival order');
  assert.ok(keys.indexOf(1000) <= 32, `the small write was applied ${keys.indexOf(1000)}th (after at most two batches of 16 large ones)`);
  for (const w of fs.writes) assert.ok(w.reduce((n, p) => n + p.length, 0) <= 4 * 1024 * 1024 + 64 * 1024, 'large values fill a batch up to 4 MiB');
  assert.deepEqual((await replayAll(fs.sim)).map((x) => x.key.readInt32BE(0)), keys, 'replay order is the apply order');
  await log.close();
});

test('under a flood with small writes in every batch, small-only batches alternate with large ones; no large write starves', async () => {
  const { time, fs, log, applied } = await openLog();
  const ts = { timestampMicros: 5, ttlSec: 0, localExpirationTimeSec: 0 };
  const large = (k: number) => u(k, [{ column: 'a', value: Buffer.alloc(256 * 1024, k & 0xff), ...ts }]);
  fs.holdWrites = true;
  const flood = Array.from({ length: 64 }, (_, i) => log.append(large(i))); // 16 MiB: four full batches
  await time.runFor(1);
  const smalls: Promise<void>[] = [];
  const smallWaits: number[] = [];
  for (let i = 0; i < 400 && applied.filter((x) => x.key.readInt32BE(0) < 1000).length < 64; i++) {
    const at = log.batches;
    smalls.push(log.append(small(1000 + i)).then(() => { smallWaits.push(log.batches - at); }));
    fs.releaseWrites();
    await time.runFor(1);
  }
  fs.holdWrites = false;
  fs.releaseWrites();
  await Promise.all([...flood, ...smalls]);
  assert.ok(Math.max(...smallWaits) <= 2, `a small write waited for at most 2 batch starts, saw ${Math.max(...smallWaits)}`);
  const keys = applied.map((x) => x.key.readInt32BE(0));
  assert.deepEqual(keys.filter((k) => k < 1000), Array.from({ length: 64 }, (_, i) => i), 'every large write, in arrival order');
  assert.deepEqual((await replayAll(fs.sim)).map((x) => x.key.readInt32BE(0)), keys);
  await log.close();
});

test('appendThen: done is called once per append, after its apply and sync, in log order; a throwing callback does not stop the others', async () => {
  const { time, fs, log, applied } = await openLog();
  fs.holdSyncs = true;
  const calls: { key: number; error: Error | undefined; appliedThen: number }[] = [];
  for (let i = 0; i < 20; i++) {
    log.appendThen(small(i), (error) => {
      calls.push({ key: i, error, appliedThen: applied.length });
      if (i === 3) throw new Error('a caller bug');
    });
  }
  await time.runFor(5);
  assert.equal(calls.length, 0, 'nothing is acknowledged before its sync');
  fs.holdSyncs = false;
  fs.releaseSyncs();
  await time.runFor(1);
  assert.deepEqual(calls.map((c) => c.key), Array.from({ length: 20 }, (_, i) => i), 'every append acknowledged once, in log order');
  for (const c of calls) {
    assert.equal(c.error, undefined);
    assert.ok(c.appliedThen >= c.key + 1, 'done runs after its own apply');
  }
  let refused: Error | undefined;
  let refusedCalls = 0;
  const huge = u(1, [{ column: 'v', value: Buffer.alloc(SEGMENT_BYTES), timestampMicros: 1, ttlSec: 0, localExpirationTimeSec: 0 }]);
  log.appendThen(huge, (e) => { refused = e; refusedCalls++; });
  assert.equal(refusedCalls, 1, 'a refusal is answered before appendThen returns');
  assert.match(String(refused), /larger than the maximum/);
  await log.close();
  let closedError: Error | undefined;
  log.appendThen(small(99), (e) => { closedError = e; });
  assert.match(String(closedError), /closed/);
});
