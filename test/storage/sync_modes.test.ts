// What each commitlog_sync mode promises across a power loss (SimFileSystem.crash on a seeded
// SimTime): batch and group lose no acknowledged write; periodic loses at most what was
// acknowledged since its last sync. abandon() must not sync, or the periodic case could not lose.
import test from 'node:test';
import assert from 'node:assert/strict';
import { SimFileSystem, SimNetwork, SimTime, simEnv } from '../../src/env/sim/mod.js';
import { createStorage } from '../../src/storage/mod.js';
import type { StorageEngine } from '../../src/storage/engine.js';
import type { TableMetadata } from '../../src/schema/metadata.js';
import { cell, HOST_ID, int32, makeTable, readAll, readInt32, row, update } from './fixtures.js';

const PERIOD_MS = 1000;

/** Advances simulated time until p settles (bounded). */
async function drive<T>(time: SimTime, p: Promise<T>): Promise<T> {
  let settled = false;
  p.then(() => { settled = true; }, () => { settled = true; });
  for (let i = 0; i < 10_000 && !settled; i++) await time.runFor(1);
  assert.ok(settled, 'operation did not finish in simulated time');
  return p;
}

async function start(time: SimTime, fs: SimFileSystem, table: TableMetadata, sync: string, commitLogDsync = false): Promise<StorageEngine> {
  const env = simEnv({ seed: 7, time, net: new SimNetwork(time), fs });
  const s = createStorage({ env, dataDir: '/n/data', commitlogDir: '/n/commitlog', hostId: HOST_ID, workerThreads: 0, commitLogDsync,
    config: { commitlog_sync: sync, commitlog_sync_period: PERIOD_MS, commitlog_segment_size: '1MiB' } });
  await s.addTable(table);
  await drive(time, s.open());
  return s;
}

async function write(time: SimTime, s: StorageEngine, table: TableMetadata, from: number, to: number): Promise<void> {
  const acks: Promise<void>[] = [];
  for (let i = from; i < to; i++) acks.push(s.apply(update(table, i % 5, { rows: [row(i, [cell('v', int32(i), 1000 + i)])] })));
  await drive(time, Promise.all(acks));
}

async function keys(time: SimTime, s: StorageEngine, table: TableMetadata): Promise<number[]> {
  const r = await drive(time, s.read(readAll(table)));
  return r.partitions.flatMap((p) => p.rows.map((x) => readInt32(x.clustering[0])!)).sort((a, b) => a - b);
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

for (const sync of ['batch', 'group', 'periodic'] as const) {
  test(`power loss in ${sync} mode: ${sync === 'periodic' ? 'writes since the last periodic sync are lost, earlier ones kept' : 'every acknowledged write survives'}`, async () => {
    const table = makeTable();
    const time = new SimTime();
    const fs = new SimFileSystem();
    const s1 = await start(time, fs, table, sync);
    await write(time, s1, table, 0, 100); // A
    await time.runFor(PERIOD_MS + 10); // periodic mode syncs A here
    const syncsAfterA = s1.metrics().commitLogSyncs;
    if (sync === 'periodic') assert.ok(syncsAfterA > 0, 'a periodic sync happened after A');
    await write(time, s1, table, 100, 200); // B: acknowledged well within the next period
    if (sync === 'periodic') assert.equal(s1.metrics().commitLogSyncs, syncsAfterA, 'no sync since B was acknowledged');
    await drive(time, s1.abandon()); // must not sync
    if (sync === 'periodic') assert.equal(s1.metrics().commitLogSyncs, syncsAfterA, 'abandon() did not sync');
    fs.crash();
    const s2 = await start(time, fs, table, sync);
    const got = await keys(time, s2, table);
    assert.deepEqual(got, sync === 'periodic' ? range(0, 100) : range(0, 200));
    await drive(time, s2.close());
  });
}

for (const sync of ['batch', 'group'] as const) {
  test(`power loss in ${sync} mode with O_DSYNC segments (no fdatasync): every acknowledged write survives`, async () => {
    const table = makeTable();
    const time = new SimTime();
    const fs = new SimFileSystem();
    const s1 = await start(time, fs, table, sync, true);
    await write(time, s1, table, 0, 150);
    await drive(time, s1.abandon());
    fs.crash();
    const s2 = await start(time, fs, table, sync, true);
    assert.deepEqual(await keys(time, s2, table), range(0, 150));
    await drive(time, s2.close());
  });
}

test('periodic mode: a write acknowledged before a periodic sync survives even if the crash comes right after', async () => {
  const table = makeTable();
  const time = new SimTime();
  const fs = new SimFileSystem();
  const s1 = await start(time, fs, table, 'periodic');
  for (let round = 0; round < 5; round++) {
    await write(time, s1, table, round * 10, round * 10 + 10);
    await time.runFor(PERIOD_MS);
  }
  fs.crash();
  const s2 = await start(time, fs, table, 'periodic');
  assert.deepEqual(await keys(time, s2, table), range(0, 50));
  await drive(time, s2.close());
});
