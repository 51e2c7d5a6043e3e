// Commit log segment release under concurrent flushes (H14's `POST /flush` 500: ENOENT on unlink
// of a segment that a size-triggered flush and a requested flush both released). Two tables each
// own whole segments; flushing both at once (and again, and all tables) releases several clean
// segments from overlapping calls. Nothing may fail, the log must keep taking writes through
// recycled files, and every write must read back after a restart.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { createStorage } from '../../src/storage/mod.js';
import type { StorageEngine } from '../../src/storage/engine.js';
import type { TableMetadata } from '../../src/schema/metadata.js';
import { SimFileSystem, SimNetwork, SimTime, simEnv } from '../../src/env/sim/mod.js';
import type { Env } from '../../src/env/mod.js';
import { cell, HOST_ID, int32, makeTable, readAll, readInt32, row, tempDir, testEnv, update } from './fixtures.js';

const SEGMENT = '64KiB';
const PAD_BYTES = 2000; // about 30 entries per segment
const ROUNDS = 6;

const tableA = makeTable({ id: '5a1e0c00-0000-1000-8000-00000000000a' });
const tableB = { ...makeTable({ id: '5a1e0c00-0000-1000-8000-00000000000b' }), name: 'u' } as TableMetadata;

async function start(env: Env, dir: string): Promise<StorageEngine> {
  // Simulated time cannot wait for worker threads: the SimFileSystem run compresses inline.
  const s = createStorage({ env, dataDir: `${dir}/data`, commitlogDir: `${dir}/cl`, hostId: HOST_ID, workerThreads: env.fs instanceof SimFileSystem ? 0 : 1,
    config: { commitlog_segment_size: SEGMENT } });
  await s.addTable(tableA);
  await s.addTable(tableB);
  await s.open();
  return s;
}

/** Writes keys [from, to) of one table, 16 at a time, each entry ~2 KB. */
async function write(s: StorageEngine, table: TableMetadata, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += 16) {
    const ps: Promise<void>[] = [];
    for (let k = i; k < Math.min(to, i + 16); k++) {
      ps.push(s.apply(update(table, k % 7, { rows: [row(k, [cell('v', int32(k), 1000 + k), cell('m', Buffer.alloc(PAD_BYTES, k & 0xff), 1000 + k, { path: Buffer.from('p') })])] })));
    }
    await Promise.all(ps);
  }
}

async function keys(s: StorageEngine, table: TableMetadata): Promise<number[]> {
  const r = await s.read(readAll(table));
  return r.partitions.flatMap((p) => p.rows.map((x) => readInt32(x.cells.find((c) => c.column === 'v')?.value)!)).sort((a, b) => a - b);
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

/** Rounds of: A fills two segments, B fills two, then both tables (and all) flush at once. */
async function scenario(env: Env, dir: string): Promise<void> {
  const s1 = await start(env, dir);
  let next = 0;
  for (let round = 0; round < ROUNDS; round++) {
    await write(s1, tableA, next, next + 64);
    await write(s1, tableB, next, next + 64);
    await write(s1, tableA, next + 64, next + 70);
    next += 70;
    await Promise.all([s1.flush(tableA.id), s1.flush(tableB.id), s1.flush(), s1.flush(tableB.id)]);
  }
  assert.deepEqual(await keys(s1, tableA), range(0, next));
  assert.deepEqual(await keys(s1, tableB), range(0, next).filter((k) => k % 70 < 64));
  assert.ok(s1.metrics().commitLogSegments <= 2, `clean segments released (live: ${s1.metrics().commitLogSegments})`);
  await write(s1, tableB, 10_000, 10_040); // unflushed: only the commit log holds these
  await s1.abandon();
  const s2 = await start(env, dir);
  assert.deepEqual(await keys(s2, tableA), range(0, next));
  assert.deepEqual(await keys(s2, tableB), [...range(0, next).filter((k) => k % 70 < 64), ...range(10_000, 10_040)]);
  await s2.close();
}

test('concurrent flushes release each clean commit log segment once (real file system)', { timeout: 120_000 }, async () => {
  const dir = tempDir('cassia-release-');
  await scenario(testEnv(), dir);
  const files = readdirSync(`${dir}/cl`).filter((n) => n.startsWith('CommitLog'));
  assert.ok(files.length <= 4, `at most the live segments, a spare and recycled files remain: ${files.join(', ')}`);
});

test('concurrent flushes release each clean commit log segment once (SimFileSystem)', { timeout: 120_000 }, async () => {
  const time = new SimTime();
  const env = simEnv({ seed: 11, time, net: new SimNetwork(time), fs: new SimFileSystem() });
  // Simulated time must advance for group commit windows and polls; run it beside the scenario.
  let done = false;
  const driver = (async () => { for (let i = 0; i < 2_000_000 && !done; i++) await time.runFor(1); })();
  try {
    await scenario(env, '/n');
  } finally {
    done = true;
    await driver;
  }
});
