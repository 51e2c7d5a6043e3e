// Large writes in one burst: batches are capped at 4 MiB (BATCH_BYTES_MAX), so a burst becomes
// several batches and spans several segments; every write is acknowledged, replayed after a
// crash with the right bytes, and the log keeps taking writes.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createStorage } from '../../src/storage/mod.js';
import type { StorageEngine } from '../../src/storage/engine.js';
import { cell, HOST_ID, makeTable, readAll, readInt32, row, tempDir, testEnv, update } from './fixtures.js';
import { int32 } from './fixtures.js';

const table = makeTable();
const VALUE_BYTES = 600 * 1024;
const WRITES = 40; // 24 MiB: at least 6 batches, 3 segments of 8 MiB

async function start(dir: string): Promise<StorageEngine> {
  const s = createStorage({ env: testEnv(), dataDir: `${dir}/data`, commitlogDir: `${dir}/cl`, hostId: HOST_ID,
    config: { commitlog_segment_size: '8MiB', memtable_space_mb: 512 } });
  await s.addTable(table);
  await s.open();
  return s;
}

const value = (i: number) => Buffer.alloc(VALUE_BYTES, i + 1);

test('a burst of 600 KiB writes spans batches and segments, and replays byte for byte', { timeout: 120_000 }, async () => {
  const dir = tempDir('cassia-batches-');
  const s1 = await start(dir);
  await Promise.all(Array.from({ length: WRITES }, (_, i) =>
    s1.apply(update(table, i, { rows: [row(0, [cell('v', int32(i), 1000), cell('m', value(i), 1000, { path: Buffer.from('p') })])] }))));
  assert.ok(s1.metrics().commitLogSegments >= 3, `segments: ${s1.metrics().commitLogSegments}`);
  await s1.abandon(); // crash: only the commit log has the data
  const s2 = await start(dir);
  const r = await s2.read(readAll(table));
  const got = new Map(r.partitions.map((p) => [readInt32(p.key)!, p.rows[0]!]));
  assert.equal(got.size, WRITES);
  for (let i = 0; i < WRITES; i++) {
    const rw = got.get(i)!;
    assert.equal(readInt32(rw.cells.find((c) => c.column === 'v')!.value), i);
    assert.ok(rw.cells.find((c) => c.column === 'm')!.value!.equals(value(i)), `value ${i} intact`);
  }
  await s2.apply(update(table, 1000, { rows: [row(0, [cell('v', int32(1000), 2000)])] }));
  await s2.close();
});
