// Flush and compaction hand the event loop back to I/O between slices of work
// (src/storage/_slices.ts) instead of encoding a whole 256 KiB run, or merging a whole MiB, in
// one stretch while requests wait.

import test from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { createStorage } from '../../src/storage/mod.js';
import { LoopSlices } from '../../src/storage/_slices.js';
import type { Clock, Env, Scheduler } from '../../src/env/mod.js';
import { makeTable, update, row, cell, tempDir, testEnv, HOST_ID, readAll, int32 } from './fixtures.js';

test('LoopSlices: no wait inside a slice; one soon() turn once the slice is used up, which starts the next', async () => {
  let nowMs = 100;
  const clock: Clock = { nowMs: () => nowMs, nowMicros: () => nowMs * 1000, monotonicMs: () => nowMs };
  const turns: Array<() => void> = [];
  const scheduler: Scheduler = { after: () => ({ cancel() {} }), every: () => ({ cancel() {} }), soon: (fn) => { turns.push(fn); } };
  const s = new LoopSlices(clock, scheduler, 0.5);
  assert.equal(s.maybeYield(), undefined);
  nowMs += 0.4;
  assert.equal(s.maybeYield(), undefined);
  nowMs += 0.2;
  const waiting = s.maybeYield();
  assert.ok(waiting, 'the slice is used up');
  assert.equal(turns.length, 1);
  nowMs += 5; // the turn runs later
  turns.shift()!();
  await waiting;
  assert.equal(s.maybeYield(), undefined, 'a new slice starts when the loop comes back');
  nowMs += 0.6;
  assert.ok(s.maybeYield());
  assert.equal(s.yields, 2);
});

test('flush and compaction yield to the event loop between partitions (slice 0 ms), and the data reads back', async () => {
  const dir = tempDir();
  const base = testEnv();
  let soonCalls = 0;
  const env: Env = { ...base, scheduler: { ...base.scheduler, after: base.scheduler.after.bind(base.scheduler), every: base.scheduler.every.bind(base.scheduler), soon: (fn) => { soonCalls++; base.scheduler.soon(fn); } } };
  const storage = createStorage({ env, dataDir: join(dir, 'data'), commitlogDir: join(dir, 'commitlog'), hostId: HOST_ID, workerThreads: 0, backgroundSliceMs: 0 });
  const t = makeTable({ id: '5a1e0c00-0000-1000-8000-0000000000c1', clustering: [], statics: [] });
  await storage.addTable(t);
  await storage.open();
  const PARTITIONS = 2000;
  try {
    for (let round = 0; round < 2; round++) {
      const writes: Promise<unknown>[] = [];
      for (let pk = 0; pk < PARTITIONS; pk++) writes.push(storage.apply(update(t, pk, { rows: [row([], [cell('v', int32(pk + round), 10 + round)])] })));
      await Promise.all(writes);
      const before = soonCalls;
      await storage.flush(t.id);
      assert.ok(soonCalls - before >= PARTITIONS, `flush ${round} yielded ${soonCalls - before} times for ${PARTITIONS} partitions`);
    }
    const before = soonCalls;
    await storage.compact(t.id);
    assert.ok(soonCalls - before >= PARTITIONS, `compaction yielded ${soonCalls - before} times for ${PARTITIONS} partitions`);
    const result = await storage.read(readAll(t));
    assert.equal(result.partitions.length, PARTITIONS);
    for (const p of result.partitions) {
      const pk = p.key.readInt32BE(0);
      assert.equal(p.rows[0]!.cells[0]!.value!.readInt32BE(0), pk + 1, `partition ${pk} holds the second round's value`);
    }
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
