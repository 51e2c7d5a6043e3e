// Flush and compaction with chunk (de)compression on worker threads write exactly the bytes the
// inline path writes, and everything reads back; the same with every compression class.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createStorage } from '../../src/storage/mod.js';
import type { StorageEngine } from '../../src/storage/engine.js';
import type { TableMetadata } from '../../src/schema/metadata.js';
import { cell, HOST_ID, int32, makeTable, readAll, readInt32, row, tempDir, testEnv, update } from './fixtures.js';

const KEYS = 3000;
const FLUSHES = 3;

async function load(dir: string, table: TableMetadata, workerThreads: number): Promise<StorageEngine> {
  const s = createStorage({ env: testEnv(), dataDir: `${dir}/data`, commitlogDir: `${dir}/cl`, hostId: HOST_ID, workerThreads,
    config: { commitlog_segment_size: '1MiB' } });
  await s.addTable(table);
  await s.open();
  s.setAutoCompaction(false);
  for (let f = 0; f < FLUSHES; f++) {
    const ps: Promise<void>[] = [];
    for (let i = f; i < KEYS; i += FLUSHES) {
      // Some text-like, compressible padding so chunks really compress.
      const pad = Buffer.from(`row ${i} `.repeat(20));
      ps.push(s.apply(update(table, i % 97, { rows: [row(i, [cell('v', int32(i), 1000 + i), cell('m', pad, 1000 + i, { path: Buffer.from('p') })])] })));
    }
    await Promise.all(ps);
    await s.flush();
  }
  await s.compact();
  return s;
}

function dataFiles(dir: string, table: TableMetadata): Buffer[] {
  const tdir = `${dir}/data/${table.keyspace}/${table.name}-${table.id.replace(/-/g, '')}`;
  return readdirSync(tdir).filter((n) => n.endsWith('-Data.db')).sort().map((n) => readFileSync(`${tdir}/${n}`));
}

async function values(s: StorageEngine, table: TableMetadata): Promise<number[]> {
  const r = await s.read(readAll(table));
  return r.partitions.flatMap((p) => p.rows.map((x) => readInt32(x.cells.find((c) => c.column === 'v')?.value)!)).sort((a, b) => a - b);
}

for (const cls of ['LZ4Compressor', 'SnappyCompressor', 'DeflateCompressor', '']) {
  test(`worker-thread flush and compaction write the inline path's bytes (compression ${cls || 'disabled'})`, { timeout: 120_000 }, async () => {
    const table = makeTable({ options: { compression: cls ? { class: cls, chunk_length_in_kb: '4' } : { enabled: 'false' } } });
    const inlineDir = tempDir('cassia-inline-');
    const workerDir = tempDir('cassia-workers-');
    const a = await load(inlineDir, table, 0);
    const b = await load(workerDir, table, 2);
    try {
      const expected = Array.from({ length: KEYS }, (_, i) => i);
      assert.deepEqual(await values(a, table), expected);
      assert.deepEqual(await values(b, table), expected);
    } finally {
      // close() waits for the compaction inputs' background deletion (a read may have held them).
      await a.close();
      await b.close();
    }
    const fa = dataFiles(inlineDir, table);
    const fb = dataFiles(workerDir, table);
    assert.equal(fa.length, 1, 'one SSTable after the major compaction');
    assert.equal(fb.length, 1);
    assert.ok(fa[0]!.length > 4096 * 3, 'several chunks');
    assert.ok(fa[0]!.equals(fb[0]!), 'Data.db identical');
    // Restart with workers: the compacted SSTable reads back.
    const c = createStorage({ env: testEnv(), dataDir: `${workerDir}/data`, commitlogDir: `${workerDir}/cl`, hostId: HOST_ID, workerThreads: 1 });
    await c.addTable(table);
    await c.open();
    assert.equal((await values(c, table)).length, KEYS);
    await c.close();
  });
}
