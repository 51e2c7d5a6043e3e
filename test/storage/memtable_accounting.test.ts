// StorageEngine keeps running totals of memtable bytes (current and flushing memtables) instead of
// summing every table per write. These must equal the sums at every point — after writes, while
// flushes run, after truncate and drop — so backpressure (total > 2 × memtable_space) starts
// exactly where the per-write sum made it start.

import test from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { createStorage } from '../../src/storage/mod.js';
import { makeTable, update, row, cell, tempDir, testEnv, HOST_ID } from './fixtures.js';

const MIB = 1024 * 1024;

test('memtable byte totals equal the sums through writes, flushes, truncate and drop; backpressure at the same point', async () => {
  const dir = tempDir();
  const env = testEnv();
  const storage = createStorage({ env, dataDir: join(dir, 'data'), commitlogDir: join(dir, 'commitlog'), hostId: HOST_ID, config: { memtable_space_mb: 1 }, workerThreads: 0 });
  const a = makeTable({ id: '5a1e0c00-0000-1000-8000-00000000000a', clustering: [], statics: [] });
  const b = { ...makeTable({ id: '5a1e0c00-0000-1000-8000-00000000000b', clustering: [], statics: [] }), name: 'u' };
  await storage.addTable(a);
  await storage.addTable(b);
  await storage.open();
  const check = (where: string) => {
    const x = storage.memtableBytesAccounting();
    assert.equal(x.active, x.activeSum, `${where}: current memtables`);
    assert.equal(x.flushing, x.flushingSum, `${where}: flushing memtables`);
    return x;
  };
  const value = Buffer.alloc(20_000, 1);
  let sawFlushing = false;
  let sawOverLimit = false;
  try {
    for (let i = 0; i < 300; i++) {
      const t = i % 3 === 0 ? b : a;
      const writes = [storage.apply(update(t, i, { rows: [row([], [cell('v', value, i + 1)])] }))];
      if (i % 50 === 49) writes.push(storage.flush(a.id));
      await Promise.all(writes);
      const x = check(`write ${i}`);
      if (x.flushing > 0) sawFlushing = true;
      if (x.active + x.flushing > 2 * MIB) sawOverLimit = true;
      if (i === 150) { await storage.truncate(b.id); check('truncate'); }
    }
    assert.ok(sawFlushing || sawOverLimit || storage.memtableBytesAccounting().active > 0, 'the writes filled memtables');
    await storage.flush();
    check('flush all');
    await storage.dropTable(b.id);
    const x = check('drop');
    assert.equal(x.flushing, 0);
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
