// Commit-log replay (also with a torn tail), restart after flushes, full disk, and data sets
// several times the memtable limit under each compaction strategy.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { createStorage } from '../../src/storage/mod.js';
import type { StorageEngine } from '../../src/storage/engine.js';
import type { Env, FileHandle, FileSystem } from '../../src/env/mod.js';
import { parseSegment } from '../../src/storage/commitlog/commitlog.js';
import { ForwardingFileSystem } from '../../src/env/forwarding.js';
import { cell, HOST_ID, int32, makeTable, readAll, readInt32, readKeys, row, tempDir, testEnv, update } from './fixtures.js';
import type { TableMetadata } from '../../src/schema/metadata.js';

function open(dir: string, table: TableMetadata, config: Record<string, unknown> = {}, env: Env = testEnv(), logs: string[] = []) {
  const storage = createStorage({ env, dataDir: `${dir}/data`, commitlogDir: `${dir}/cl`, hostId: HOST_ID,
    config: { commitlog_segment_size: '1MiB', ...config }, logger: { info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) } });
  return storage;
}

async function start(dir: string, table: TableMetadata, config: Record<string, unknown> = {}, env?: Env, logs: string[] = []): Promise<StorageEngine> {
  const s = open(dir, table, config, env, logs);
  await s.addTable(table);
  await s.open();
  return s;
}

async function writeKeys(s: StorageEngine, table: TableMetadata, from: number, to: number, pad = 0): Promise<void> {
  const ps: Promise<void>[] = [];
  for (let i = from; i < to; i++) {
    ps.push(s.apply(update(table, i % 50, { rows: [row(i, [cell('v', int32(i), 1000 + i), ...(pad ? [cell('m', Buffer.alloc(pad, i & 0xff), 1000 + i, { path: Buffer.from('p') })] : [])])] })));
    if (ps.length >= 64) await Promise.all(ps.splice(0));
  }
  await Promise.all(ps);
}

async function countRows(s: StorageEngine, table: TableMetadata): Promise<Map<number, number>> {
  const r = await s.read(readAll(table));
  const out = new Map<number, number>();
  for (const p of r.partitions) for (const x of p.rows) out.set(readInt32(x.clustering[0])!, readInt32(x.cells.find((c) => c.column === 'v')?.value)!);
  return out;
}

test('commit log replay restores unflushed writes; a torn tail is truncated and logged', async () => {
  const table = makeTable();
  const dir = tempDir();
  const s1 = await start(dir, table);
  await writeKeys(s1, table, 0, 300);
  await s1.abandon();
  // Simulated crash: s1 abandoned without flushing. Then tear the tail: half an entry after the last one.
  const names = readdirSync(`${dir}/cl`).filter((n) => n.startsWith('CommitLog')).sort();
  let torn = '';
  for (const n of names) {
    const buf = readFileSync(`${dir}/cl/${n}`);
    const parsed = parseSegment(buf);
    if (parsed.entries.length > 0) {
      const fd = openSync(`${dir}/cl/${n}`, 'r+');
      writeSync(fd, Buffer.from([0, 0, 0, 40, 1, 2, 3, 4, 9, 9]), 0, 10, parsed.endOffset);
      closeSync(fd);
      torn = `${n} at offset ${parsed.endOffset}`;
    }
  }
  assert.ok(torn, 'found a segment with entries');
  const logs: string[] = [];
  const s2 = await start(dir, table, {}, undefined, logs);
  const rows = await countRows(s2, table);
  assert.equal(rows.size, 300);
  for (let i = 0; i < 300; i++) assert.equal(rows.get(i), i);
  assert.ok(logs.some((l) => l.includes(torn.split(' at ')[0]!) && l.includes(`offset ${torn.split('offset ')[1]}`)), `log names segment and offset: ${logs.join('\n')}`);
  await s2.close();
  const s3 = await start(dir, table);
  assert.equal((await countRows(s3, table)).size, 300, 'after close (flush) and reopen');
  await s3.close();
});

test('truncate survives restart (replay does not resurrect)', async () => {
  const table = makeTable();
  const dir = tempDir();
  const s1 = await start(dir, table, { auto_snapshot: false });
  await writeKeys(s1, table, 0, 50);
  await s1.flush();
  await writeKeys(s1, table, 50, 100);
  await s1.truncate(table.id);
  await writeKeys(s1, table, 100, 110);
  await s1.abandon();
  const s2 = await start(dir, table);
  const rows = await countRows(s2, table);
  assert.deepEqual([...rows.keys()].sort((a, b) => a - b), [...Array(10).keys()].map((i) => 100 + i));
  await s2.close();
});

for (const sync of ['batch', 'group', 'periodic'] as const) {
  test(`sync mode ${sync} acknowledges and replays writes`, async () => {
    const table = makeTable();
    const dir = tempDir();
    const s1 = await start(dir, table, { commitlog_sync: sync, commitlog_sync_period: 50 });
    await writeKeys(s1, table, 0, 100);
    if (sync === 'periodic') await new Promise((r) => setTimeout(r, 120));
    await s1.abandon();
    const s2 = await start(dir, table);
    assert.equal((await countRows(s2, table)).size, 100);
    await s2.close();
  });
}

class FullDiskFs extends ForwardingFileSystem {
  full = false;
  private check(): void {
    if (this.full) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
  }
  override async open(path: string, mode: 'r' | 'r+' | 'w' | 'wx' | 'a'): Promise<FileHandle> {
    if (mode !== 'r') this.check();
    const fh = await this.inner.open(path, mode);
    return {
      read: (b, o, l, p) => fh.read(b, o, l, p),
      write: (b, o, l, p) => { this.check(); return fh.write(b, o, l, p); },
      sync: () => fh.sync(), truncate: (n) => fh.truncate(n), sizeBytes: () => fh.sizeBytes(), close: () => fh.close(),
    };
  }
  override writeFileAtomic(p: string, d: Buffer): Promise<void> {
    this.check();
    return this.inner.writeFileAtomic(p, d);
  }
}

test('full disk: apply rejects with WriteFailure, acknowledged writes survive', async () => {
  const table = makeTable();
  const dir = tempDir();
  const base = testEnv();
  const fs = new FullDiskFs(base.fs);
  const s1 = await start(dir, table, {}, { ...base, fs });
  await writeKeys(s1, table, 0, 20);
  fs.full = true;
  await assert.rejects(s1.apply(update(table, 1, { rows: [row(999, [cell('v', int32(999), 5000)])] })),
    (e: Error) => e.name === 'WriteFailure' && /disk full|space/.test(e.message));
  const visible = await countRows(s1, table);
  assert.equal(visible.has(999), false, 'rejected write is not visible');
  // Let the log's background segment preparation fail against the full disk too: the space
  // coming back must make the next writes succeed, not fail with that stale error.
  await new Promise((resolve) => setTimeout(resolve, 100));
  fs.full = false;
  await writeKeys(s1, table, 20, 40);
  await s1.abandon();
  const s2 = await start(dir, table);
  const rows = await countRows(s2, table);
  for (let i = 0; i < 40; i++) assert.equal(rows.get(i), i);
  await s2.close();
});

const strategies: [string, Record<string, string>][] = [
  ['SizeTiered', { class: 'SizeTieredCompactionStrategy', min_threshold: '4' }],
  ['Leveled', { class: 'LeveledCompactionStrategy', sstable_size_in_mb: '1' }],
  ['TimeWindow', { class: 'TimeWindowCompactionStrategy', compaction_window_unit: 'MINUTES', compaction_window_size: '1' }],
];

for (const [name, compaction] of strategies) {
  test(`data set several times the memtable limit reads back under ${name}`, async () => {
    const table = makeTable({ options: { compaction } });
    const dir = tempDir();
    const s = await start(dir, table, { memtable_space_mb: 0.25 });
    const n = 6000;
    await writeKeys(s, table, 0, n, 200);
    await s.flush();
    const m1 = s.metrics();
    assert.ok(m1.flushes >= 4, `several flushes happened (${m1.flushes})`);
    const rows = await countRows(s, table);
    assert.equal(rows.size, n);
    for (let i = 0; i < n; i += 97) assert.equal(rows.get(i), i);
    await s.compact();
    const m2 = s.metrics();
    assert.ok(m2.completedCompactions >= 1, 'compacted');
    const again = await countRows(s, table);
    assert.equal(again.size, n);
    const point = await s.read(readKeys(table, [7]));
    assert.equal(point.partitions[0]!.rows.length, n / 50);
    await s.close();
    const s2 = await start(dir, table);
    assert.equal((await countRows(s2, table)).size, n, 'after restart');
    await s2.close();
  });
}
