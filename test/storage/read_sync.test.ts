// StorageEngine.readSync (key reads without an await) against read(): random writes of every kind
// (cells, rows, static rows, TTLs live and expired, row/range/partition deletions), some flushed to
// SSTables, then random key reads (slices, reversal, limits, paging position, column subsets,
// "now") must give deep-equal results, and readSync must answer them all (the data is in memory).
// Also: what readSync hands back to read() (range reads, SSTable pages it cannot read synchronously).
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createStorage } from '../../src/storage/mod.js';
import type { StorageEngine } from '../../src/storage/engine.js';
import type { Env, FileHandle } from '../../src/env/mod.js';
import type { ReadCommand, Row, Slice } from '../../src/storage/data.js';
import { cell, HOST_ID, int32, makeTable, readAll, readKeys, row, tempDir, testEnv, update } from './fixtures.js';

type Ttl = 'none' | 'expired' | 'future';
type Op =
  | { k: 'write'; pk: number; ck: number; v: number; ts: number; ttl: Ttl; insert: boolean }
  | { k: 'static'; pk: number; v: number; ts: number; ttl: Ttl }
  | { k: 'delCell'; pk: number; ck: number; ts: number }
  | { k: 'delRow'; pk: number; ck: number; ts: number }
  | { k: 'delRange'; pk: number; lo: number; hi: number; ts: number }
  | { k: 'delPartition'; pk: number; ts: number }
  | { k: 'flush' };

const NOW_SEC = 50_000;
const pk = fc.integer({ min: 0, max: 2 });
const ck = fc.integer({ min: 0, max: 5 });
const ts = fc.integer({ min: 1, max: 12 });
const ttl = fc.constantFrom<Ttl>('none', 'none', 'expired', 'future');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ k: fc.constant('write' as const), pk, ck, v: fc.integer({ min: 0, max: 3 }), ts, ttl, insert: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('static' as const), pk, v: fc.integer({ min: 0, max: 3 }), ts, ttl }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('delCell' as const), pk, ck, ts }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('delRow' as const), pk, ck, ts }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('delRange' as const), pk, lo: ck, hi: ck, ts }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('delPartition' as const), pk, ts }) },
  { weight: 1, arbitrary: fc.constant({ k: 'flush' as const }) },
);

const table = makeTable();

function expiry(t: Ttl): [number, number] {
  return t === 'none' ? [0, 0] : t === 'expired' ? [10, NOW_SEC - 5] : [100000, NOW_SEC + 100000];
}

function toUpdate(op: Op) {
  const del = (t: number) => ({ markedForDeleteAtMicros: t, localDeletionTimeSec: NOW_SEC - 100 });
  switch (op.k) {
    case 'write': {
      const [ttlSec, exp] = expiry(op.ttl);
      const r: Row = row(op.ck, [cell('v', int32(op.v), op.ts, { ttlSec, localExpirationTimeSec: exp })]);
      if (op.insert) r.liveness = { timestampMicros: op.ts, ttlSec, localExpirationTimeSec: exp };
      return update(table, op.pk, { rows: [r] });
    }
    case 'static': {
      const [ttlSec, exp] = expiry(op.ttl);
      return update(table, op.pk, { staticRow: { clustering: [], cells: [cell('s', int32(op.v), op.ts, { ttlSec, localExpirationTimeSec: exp })] } });
    }
    case 'delCell': return update(table, op.pk, { rows: [row(op.ck, [cell('v', null, op.ts, { localExpirationTimeSec: NOW_SEC - 100 })])] });
    case 'delRow': return update(table, op.pk, { rows: [row(op.ck, [], { deletion: del(op.ts) })] });
    case 'delRange': return update(table, op.pk, { rangeTombstones: [{ slice: {
      start: { values: [int32(Math.min(op.lo, op.hi))], inclusive: true }, end: { values: [int32(Math.max(op.lo, op.hi))], inclusive: true } }, deletion: del(op.ts) }] });
    case 'delPartition': return update(table, op.pk, { partitionDeletion: del(op.ts) });
    case 'flush': return undefined;
  }
}

/** Up to two sorted, non-overlapping slices over clustering 0..5 (bounds open or closed, or unbounded). */
const slicesArb: fc.Arbitrary<Slice[]> = fc.oneof(
  fc.constant<Slice[]>([]),
  fc.tuple(fc.uniqueArray(fc.integer({ min: -1, max: 6 }), { minLength: 4, maxLength: 4 }), fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 2 }))
    .map(([points, incl1, incl2, n]) => {
      const p = [...points].sort((a, b) => a - b);
      const bound = (v: number, inclusive: boolean) => ({ values: v < 0 || v > 5 ? [] : [int32(v)], inclusive: v < 0 || v > 5 ? true : inclusive });
      const out: Slice[] = [{ start: bound(p[0]!, incl1), end: bound(p[1]!, incl2) }];
      if (n === 2) out.push({ start: bound(p[2]!, incl2), end: bound(p[3]!, incl1) });
      // An unbounded start or end only at the ends of the whole list.
      return out.filter((s, i) => !(i > 0 && s.start.values.length === 0) && !(i < out.length - 1 && s.end.values.length === 0));
    }),
);

const commandArb: fc.Arbitrary<(keys: number[]) => ReadCommand> = fc.record({
  slices: slicesArb,
  reversed: fc.boolean(),
  rowLimit: fc.constantFrom(Infinity, 1, 2, 4),
  perPartitionLimit: fc.constantFrom(Infinity, 1, 3),
  after: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
  columns: fc.constantFrom<string[] | undefined>(undefined, ['v'], ['s'], ['v', 's'], []),
  nowSec: fc.constantFrom(NOW_SEC, NOW_SEC - 1000, NOW_SEC + 200_000),
}).map((c) => (keys: number[]) => readKeys(table, keys, {
  slices: c.slices, reversed: c.reversed, rowLimit: c.rowLimit, perPartitionLimit: c.perPartitionLimit, nowSec: c.nowSec,
  ...(c.after === undefined ? {} : { afterClustering: [int32(c.after)] }),
  ...(c.columns === undefined ? {} : { columns: new Set(c.columns) }),
}));

async function open(dir: string, env: Env = testEnv(), config: Record<string, unknown> = {}): Promise<StorageEngine> {
  const s = createStorage({ env, dataDir: `${dir}/data`, commitlogDir: `${dir}/cl`, hostId: HOST_ID, config: { commitlog_segment_size: '256KiB', ...config }, workerThreads: 0 });
  await s.addTable(table);
  await s.open();
  return s;
}

// Default chunk cache (index segments kept with a directory once read) and a 1 KiB one (nothing
// fits: index segments walked raw from the page cache every time).
for (const cache of ['default', '1KiB']) test(`readSync gives read()'s result for random key reads over memtables and SSTables (chunk cache ${cache})`, { timeout: 600_000 }, async () => {
  let compared = 0;
  await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 24 }), fc.array(commandArb, { minLength: 1, maxLength: 10 }), async (ops, commands) => {
    const dir = tempDir('cassia-readsync-');
    const s = await open(dir, testEnv(), cache === 'default' ? {} : { chunk_cache_size: cache });
    try {
      for (const op of ops) {
        const u = toUpdate(op);
        if (u) await s.apply(u);
        else await s.flush();
      }
      for (const make of commands) {
        for (const keys of [[0], [1], [2], [3], [2, 0, 2]]) {
          const cmd = make(keys);
          const before = s.metrics().readsSync;
          const fast = s.readSync(cmd);
          if (fast === undefined) {
            // Only after a synchronous read from the page cache was slow (a loaded machine): then
            // SSTable point reads go asynchronous for a while (sstable/_page_reads.ts).
            assert.ok(s.metrics().sstablePointReads.slowSync > 0, 'data in memory: readSync answers');
            continue;
          }
          assert.equal(s.metrics().readsSync, before + 1);
          assert.deepEqual(fast, await s.read(cmd));
          compared++;
        }
      }
    } finally {
      await s.close();
      await testEnv().fs.rmrf(dir);
    }
  }), { numRuns: 20, endOnFailure: true });
  assert.ok(compared > 0);
});

test('readSync hands range reads and reads of SSTable pages it cannot read synchronously back to read()', async () => {
  const dir = tempDir('cassia-readsync-');
  // A file system whose handles have no readSync: every SSTable point read is asynchronous.
  const base = testEnv();
  const env: Env = { ...base, fs: Object.create(base.fs, {
    open: { value: async (...args: Parameters<Env['fs']['open']>): Promise<FileHandle> => {
      const h = await base.fs.open(...args);
      return new Proxy(h, { get: (target, prop) => (prop === 'readSync' ? undefined : Reflect.get(target, prop, target)) });
    } },
  }) };
  const s = await open(dir, env);
  try {
    await s.apply(update(table, 1, { rows: [row(1, [cell('v', int32(10), 1)])] }));
    assert.equal(s.readSync(readAll(table)), undefined, 'range read');
    const memtableOnly = s.readSync(readKeys(table, [1]));
    assert.deepEqual(memtableOnly, await s.read(readKeys(table, [1])));
    await s.flush();
    await s.apply(update(table, 2, { rows: [row(1, [cell('v', int32(20), 1)])] }));
    const notSync = s.metrics().readsNotSync;
    assert.equal(s.readSync(readKeys(table, [1])), undefined, 'partition in an SSTable without synchronous reads');
    assert.equal(s.metrics().readsNotSync, notSync + 1);
    const r = await s.read(readKeys(table, [1]));
    assert.equal(r.partitions[0]!.rows[0]!.cells[0]!.value!.readInt32BE(0), 10);
  } finally {
    await s.close();
    await base.fs.rmrf(dir);
  }
});
