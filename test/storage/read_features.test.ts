// Every ReadCommand feature, run against memtable-only data and again after a flush to SSTables
// (and a compaction), so both read paths agree.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createStorage } from '../../src/storage/mod.js';
import type { ReadCommand } from '../../src/storage/data.js';
import { cell, HOST_ID, int32, makeTable, readAll, readInt32, readKeys, row, tempDir, testEnv, text, tokenOf, update } from './fixtures.js';

type Mode = 'memtable' | 'flushed' | 'compacted';

async function setup(mode: Mode, table = makeTable()) {
  const dir = tempDir();
  const storage = createStorage({ env: testEnv(), dataDir: `${dir}/data`, commitlogDir: `${dir}/cl`, hostId: HOST_ID, config: { commitlog_segment_size: '1MiB' } });
  await storage.addTable(table);
  await storage.open();
  for (let pk = 0; pk < 10; pk++) {
    const rows = [];
    for (let ck = 0; ck < 10; ck++) rows.push(row(ck, [cell('v', int32(pk * 100 + ck), 10)], { liveness: { timestampMicros: 10, ttlSec: 0, localExpirationTimeSec: 0 } }));
    await storage.apply(update(table, pk, { rows: rows.slice(0, 5), staticRow: { clustering: [], cells: [cell('s', int32(pk), 10)] } }));
    if (mode !== 'memtable') await storage.flush();
    await storage.apply(update(table, pk, { rows: rows.slice(5) }));
  }
  if (mode !== 'memtable') await storage.flush();
  if (mode === 'compacted') await storage.compact();
  return { storage, table };
}

const cks = (r: { rows: { clustering: Buffer[] }[] }) => r.rows.map((x) => readInt32(x.clustering[0]));

for (const mode of ['memtable', 'flushed', 'compacted'] as Mode[]) {
  test(`read features (${mode})`, async (t) => {
    const { storage, table } = await setup(mode);
    try {
      const sortedPks = [...Array(10).keys()].sort((a, b) => (tokenOf(int32(a)) < tokenOf(int32(b)) ? -1 : 1));
      await t.test('range read in token order', async () => {
        const r = await storage.read(readAll(table));
        assert.deepEqual(r.partitions.map((p) => readInt32(p.key)), sortedPks);
        assert.equal(r.partitions[0]!.rows.length, 10);
      });
      await t.test('key list, unknown key absent', async () => {
        const r = await storage.read(readKeys(table, [3, 99, 1]));
        assert.deepEqual(r.partitions.map((p) => readInt32(p.key)).sort(), [1, 3]);
      });
      await t.test('range with after (paging) and limits', async () => {
        const after = { key: int32(sortedPks[3]!), token: tokenOf(int32(sortedPks[3]!)) };
        const r = await storage.read(readAll(table, { partitions: { kind: 'range', range: { start: 0n, end: 0n }, after }, partitionLimit: 2 }));
        assert.deepEqual(r.partitions.map((p) => readInt32(p.key)), sortedPks.slice(4, 6));
      });
      await t.test('token sub-range (start, end]', async () => {
        const toks = sortedPks.map((pk) => tokenOf(int32(pk)));
        const r = await storage.read(readAll(table, { partitions: { kind: 'range', range: { start: toks[2]!, end: toks[5]! } } }));
        assert.deepEqual(r.partitions.map((p) => readInt32(p.key)), sortedPks.slice(3, 6));
        const wrap = await storage.read(readAll(table, { partitions: { kind: 'range', range: { start: toks[7]!, end: toks[1]! } } }));
        assert.deepEqual(wrap.partitions.map((p) => readInt32(p.key)), [...sortedPks.slice(8), ...sortedPks.slice(0, 2)]);
      });
      await t.test('slices, reversed, afterClustering', async () => {
        const slices = [
          { start: { values: [int32(1)], inclusive: true }, end: { values: [int32(3)], inclusive: false } },
          { start: { values: [int32(6)], inclusive: false }, end: { values: [], inclusive: true } },
        ];
        const fwd = await storage.read(readKeys(table, [4], { slices }));
        assert.deepEqual(cks(fwd.partitions[0]!), [1, 2, 7, 8, 9]);
        const rev = await storage.read(readKeys(table, [4], { slices, reversed: true }));
        assert.deepEqual(cks(rev.partitions[0]!), [9, 8, 7, 2, 1]);
        const paged = await storage.read(readKeys(table, [4], { slices, reversed: true, afterClustering: [int32(8)] }));
        assert.deepEqual(cks(paged.partitions[0]!), [7, 2, 1]);
        const pagedFwd = await storage.read(readKeys(table, [4], { afterClustering: [int32(7)] }));
        assert.deepEqual(cks(pagedFwd.partitions[0]!), [8, 9]);
      });
      await t.test('row and per-partition limits', async () => {
        const r = await storage.read(readAll(table, { perPartitionLimit: 2, rowLimit: 5 }));
        assert.deepEqual(r.partitions.map((p) => p.rows.length), [2, 2, 1]);
      });
      await t.test('column selection keeps static and chosen columns', async () => {
        const r = await storage.read(readKeys(table, [2], { columns: new Set(['s']) }));
        assert.equal(readInt32(r.partitions[0]!.staticRow!.cells[0]!.value), 2);
        assert.equal(r.partitions[0]!.rows.length, 10);
        assert.ok(r.partitions[0]!.rows.every((x) => x.cells.every((c) => c.column !== 'v')));
      });
    } finally {
      await storage.close();
    }
  });
}

test('desc and text clustering orders', async () => {
  const table = makeTable({ clustering: [{ name: 'a', type: { kind: 'native', name: 'text' } }, { name: 'b', type: { kind: 'native', name: 'int' }, order: 'desc' }] });
  const dir = tempDir();
  const storage = createStorage({ env: testEnv(), dataDir: `${dir}/data`, commitlogDir: `${dir}/cl`, hostId: HOST_ID });
  await storage.addTable(table);
  await storage.open();
  const rows = [];
  for (const a of ['b', 'a', 'ab', '']) for (const b of [1, -5, 30]) rows.push(row([text(a), int32(b)], [cell('v', int32(b), 1)]));
  await storage.apply(update(table, 1, { rows }));
  const r = await storage.read(readKeys(table, [1]));
  assert.deepEqual(r.partitions[0]!.rows.map((x) => `${x.clustering[0]!.toString()}:${readInt32(x.clustering[1])}`),
    [':30', ':1', ':-5', 'a:30', 'a:1', 'a:-5', 'ab:30', 'ab:1', 'ab:-5', 'b:30', 'b:1', 'b:-5']);
  const sliced = await storage.read(readKeys(table, [1], { slices: [{ start: { values: [text('a')], inclusive: true }, end: { values: [text('a'), int32(1)], inclusive: true } }] }));
  assert.deepEqual(sliced.partitions[0]!.rows.map((x) => readInt32(x.clustering[1])), [30, 1]);
  await storage.close();
});

test('tombstone guardrails warn and fail', async () => {
  const table = makeTable();
  const dir = tempDir();
  const storage = createStorage({ env: testEnv(), dataDir: `${dir}/data`, commitlogDir: `${dir}/cl`, hostId: HOST_ID,
    config: { tombstone_warn_threshold: 10, tombstone_failure_threshold: 50 } });
  await storage.addTable(table);
  await storage.open();
  const rows = [];
  for (let i = 0; i < 20; i++) rows.push(row(i, [cell('v', null, 5)]));
  await storage.apply(update(table, 1, { rows }));
  const r = await storage.read(readKeys(table, [1]));
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0]!, /tombstone/);
  const more = [];
  for (let i = 20; i < 80; i++) more.push(row(i, [cell('v', null, 5)]));
  await storage.apply(update(table, 1, { rows: more }));
  await assert.rejects(storage.read(readKeys(table, [1])), (e: Error) => e.name === 'ReadFailure' && (e as unknown as { reasons: { reasonCode: number }[] }).reasons[0]?.reasonCode === 0x0001);
  await storage.close();
});
