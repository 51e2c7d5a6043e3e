// Crash safety of compaction: a simulated power loss (SimFileSystem.crash) at each step between
// writing a compaction's outputs and deleting its inputs. After restart exactly one side is
// live — the outputs once the compaction's record is committed, the inputs before — no record is
// left, and every row reads back once.
import test from 'node:test';
import assert from 'node:assert/strict';
import { nodeEnv } from '../../src/env/node/mod.js';
import type { FileHandle, FileSystem, OpenMode } from '../../src/env/mod.js';
import { SimFileSystem } from '../../src/env/sim/mod.js';
import { createStorage } from '../../src/storage/mod.js';
import { tableDirName, type StorageEngine } from '../../src/storage/engine.js';
import type { TableMetadata } from '../../src/schema/metadata.js';
import { cell, HOST_ID, int32, makeTable, readAll, readInt32, row, update } from './fixtures.js';

type Op = { kind: 'unlink' | 'writeFileAtomic' | 'rename' | 'open'; path: string; data?: Buffer };

/** Passes calls to a SimFileSystem until `stopAt` says so; from then on every call hangs, as in a dead process. */
class FreezingFs implements FileSystem {
  frozen = false;
  constructor(private readonly inner: FileSystem, private readonly stopAt: (op: Op) => boolean) {}
  private gate(op: Op): Promise<void> {
    if (!this.frozen && this.stopAt(op)) this.frozen = true;
    return this.frozen ? new Promise<never>(() => {}) : Promise.resolve();
  }
  private hangIfFrozen(): Promise<void> {
    return this.frozen ? new Promise<never>(() => {}) : Promise.resolve();
  }
  async open(path: string, mode: OpenMode): Promise<FileHandle> {
    await this.gate({ kind: 'open', path });
    const fh = await this.inner.open(path, mode);
    const h = this;
    return {
      async read(b, o, l, p) { await h.hangIfFrozen(); return fh.read(b, o, l, p); },
      async write(b, o, l, p) { await h.hangIfFrozen(); return fh.write(b, o, l, p); },
      async sync() { await h.hangIfFrozen(); return fh.sync(); },
      async truncate(n) { await h.hangIfFrozen(); return fh.truncate(n); },
      async sizeBytes() { await h.hangIfFrozen(); return fh.sizeBytes(); },
      async close() { await h.hangIfFrozen(); return fh.close(); },
    };
  }
  async readFile(p: string) { await this.hangIfFrozen(); return this.inner.readFile(p); }
  async writeFileAtomic(p: string, d: Buffer) { await this.gate({ kind: 'writeFileAtomic', path: p, data: d }); return this.inner.writeFileAtomic(p, d); }
  async rename(a: string, b: string) { await this.gate({ kind: 'rename', path: a }); return this.inner.rename(a, b); }
  async unlink(p: string) { await this.gate({ kind: 'unlink', path: p }); return this.inner.unlink(p); }
  async link(a: string, b: string) { await this.hangIfFrozen(); return this.inner.link(a, b); }
  async mkdirp(p: string) { await this.hangIfFrozen(); return this.inner.mkdirp(p); }
  async readdir(p: string) { await this.hangIfFrozen(); return this.inner.readdir(p); }
  async stat(p: string) { await this.hangIfFrozen(); return this.inner.stat(p); }
  async syncDir(p: string) { await this.hangIfFrozen(); return this.inner.syncDir(p); }
  async rmrf(p: string) { await this.hangIfFrozen(); return this.inner.rmrf(p); }
  async freeBytes(p: string) { await this.hangIfFrozen(); return this.inner.freeBytes(p); }
}

const DATA = '/node/data';

async function start(fs: FileSystem, table: TableMetadata, logs: string[] = []): Promise<StorageEngine> {
  const s = createStorage({ env: { ...nodeEnv(), fs }, dataDir: DATA, commitlogDir: '/node/commitlog', hostId: HOST_ID,
    config: { commitlog_segment_size: '1MiB' }, logger: { info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) } });
  await s.addTable(table);
  await s.open();
  return s;
}

/** Generations with a TOC.txt (live SSTables) and the names of compaction records. */
async function listing(fs: FileSystem, dir: string): Promise<{ live: number[]; all: number[]; txns: string[] }> {
  const names = await fs.readdir(dir);
  const gen = (n: string) => Number(/^[a-z]{2}-(\d+)-/.exec(n)?.[1] ?? NaN);
  const live = names.filter((n) => n.endsWith('-TOC.txt')).map(gen).sort((a, b) => a - b);
  const all = [...new Set(names.map(gen).filter((g) => !Number.isNaN(g)))].sort((a, b) => a - b);
  return { live, all, txns: names.filter((n) => n.endsWith('.txn')) };
}

async function rowsOf(s: StorageEngine, table: TableMetadata): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const p of (await s.read(readAll(table))).partitions) {
    for (const r of p.rows) {
      const ck = readInt32(r.clustering[0])!;
      assert.equal(out.has(ck), false, `row ${ck} read once`);
      out.set(ck, readInt32(r.cells.find((c) => c.column === 'v')?.value)!);
    }
  }
  return out;
}

/** Three SSTables (the third overwrites part of the first); returns the expected rows. */
async function threeSSTables(s: StorageEngine, table: TableMetadata): Promise<Map<number, number>> {
  const expected = new Map<number, number>();
  for (let flush = 0; flush < 3; flush++) {
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) {
      const ck = flush === 2 ? i : flush * 100 + i;
      const v = flush * 1000 + i;
      expected.set(ck, v);
      writes.push(s.apply(update(table, ck % 7, { rows: [row(ck, [cell('v', int32(v), 1000 + flush * 1000 + i)])] })));
    }
    await Promise.all(writes);
    await s.flush();
  }
  return expected;
}

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

type Case = { name: string; stopAt: (op: Op, inputs: Set<number>) => boolean; survivors: 'inputs' | 'outputs' };

const isGeneration = (path: string, gens: Set<number>) => gens.has(Number(/\/[a-z]{2}-(\d+)-[^/]*$/.exec(path)?.[1] ?? NaN));

const cases: Case[] = [
  {
    name: 'an output is half written',
    stopAt: (op, inputs) => op.kind === 'open' && /-Data\.db\.tmp$/.test(op.path) && !isGeneration(op.path, inputs),
    survivors: 'inputs',
  },
  {
    name: 'outputs are complete but the record is not committed',
    stopAt: (op) => op.kind === 'writeFileAtomic' && op.path.endsWith('.txn') && JSON.parse(op.data!.toString()).committed === true,
    survivors: 'inputs',
  },
  {
    name: 'the record is committed and no input is deleted yet',
    stopAt: (op, inputs) => op.kind === 'unlink' && isGeneration(op.path, inputs),
    survivors: 'outputs',
  },
  {
    name: 'some input files are deleted',
    stopAt: (() => { let n = 0; return (op: Op, inputs: Set<number>) => op.kind === 'unlink' && isGeneration(op.path, inputs) && ++n === 9; })(),
    survivors: 'outputs',
  },
];

for (const c of cases) {
  test(`compaction crash: ${c.name} → only the ${c.survivors} survive a restart`, async () => {
    const table = makeTable({ options: { compaction: { class: 'SizeTieredCompactionStrategy', min_threshold: '32' } } });
    const dir = `${DATA}/${tableDirName(table)}`;
    const sim = new SimFileSystem();
    let inputs = new Set<number>();
    const fs = new FreezingFs(sim, (op) => inputs.size > 0 && c.stopAt(op, inputs));
    const s1 = await start(fs, table);
    const expected = await threeSSTables(s1, table);
    const before = await listing(sim, dir);
    assert.equal(before.live.length, 3, 'three SSTables before the compaction');
    inputs = new Set(before.live);
    void s1.compact().catch(() => {});
    await waitFor(() => fs.frozen, 'the crash point');
    sim.crash();

    const logs: string[] = [];
    const s2 = await start(sim, table, logs);
    const after = await listing(sim, dir);
    assert.deepEqual(after.txns, [], 'no compaction record is left');
    if (c.survivors === 'inputs') {
      assert.deepEqual(after.all, before.live, 'only the inputs remain (outputs removed)');
    } else {
      assert.equal(after.live.length, 1, 'one output');
      assert.ok(after.all.every((g) => !inputs.has(g)), `no input file remains: ${after.all}`);
      assert.ok(logs.some((l) => /committed; removing its inputs/.test(l)), logs.join('\n'));
    }
    assert.deepEqual([...(await rowsOf(s2, table))].sort((a, b) => a[0] - b[0]), [...expected].sort((a, b) => a[0] - b[0]));
    // The survivors compact normally afterwards, and the record goes away once the inputs are deleted.
    await s2.compact();
    await s2.close();
    const s3 = await start(sim, table);
    const final = await listing(sim, dir);
    assert.equal(final.live.length, 1);
    assert.deepEqual(final.txns, []);
    assert.equal((await rowsOf(s3, table)).size, expected.size);
    await s3.close();
  });
}

test('compaction record: removed after a normal compaction, and a clean restart finds none', async () => {
  const table = makeTable({ options: { compaction: { class: 'SizeTieredCompactionStrategy', min_threshold: '32' } } });
  const dir = `${DATA}/${tableDirName(table)}`;
  const sim = new SimFileSystem();
  const s1 = await start(sim, table);
  await threeSSTables(s1, table);
  await s1.compact();
  let l = await listing(sim, dir);
  for (let i = 0; i < 200 && l.txns.length > 0; i++) { await new Promise((r) => setTimeout(r, 5)); l = await listing(sim, dir); }
  assert.deepEqual(l.txns, [], 'record removed once inputs are deleted');
  assert.equal(l.all.length, 1);
  sim.crash();
  const s2 = await start(sim, table);
  assert.deepEqual((await listing(sim, dir)).all.length, 1, 'deletions were made durable (directory synced)');
  await s2.close();
});
