import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeFileSystem } from './mod.js';

test('NodeFileSystem: every open mode, with and without dsync, reads back what it wrote', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cassia-env-'));
  try {
    const fs = new NodeFileSystem();
    for (const dsync of [false, true]) {
      const path = join(dir, `f-${dsync}`);
      const w = await fs.open(path, 'w', { dsync });
      await w.write(Buffer.from('hello'), 0, 5, 0);
      await w.close();
      await assert.rejects(fs.open(path, 'wx', { dsync }), { code: 'EEXIST' });
      const a = await fs.open(path, 'a', { dsync });
      await a.write(Buffer.from('!'), 0, 1, 0);
      await a.close();
      const rw = await fs.open(path, 'r+', { dsync });
      await rw.write(Buffer.from('J'), 0, 1, 0);
      await rw.close();
      assert.equal((await fs.readFile(path)).toString(), 'Jello!');
      const r = await fs.open(path, 'r', { dsync });
      const buf = Buffer.alloc(6);
      assert.equal(await r.read(buf, 0, 6, 0), 6);
      await r.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('NodeFileSystem writev: many buffers (more than IOV_MAX) land back to back at the position', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cassia-env-'));
  try {
    const fs = new NodeFileSystem();
    const path = join(dir, 'v');
    const h = await fs.open(path, 'w');
    await h.write(Buffer.from('0123456789'), 0, 10, 0);
    const parts = Array.from({ length: 1500 }, (_, i) => Buffer.from([0x41 + (i % 26)]));
    parts.push(Buffer.alloc(300 * 1024, 0x7a));
    assert.equal(await h.writev!(parts, 4), 1500 + 300 * 1024);
    await h.sync();
    await h.close();
    const got = await fs.readFile(path);
    assert.equal(got.length, 4 + 1500 + 300 * 1024);
    assert.equal(got.subarray(0, 4).toString(), '0123');
    for (let i = 0; i < 1500; i++) assert.equal(got[4 + i], 0x41 + (i % 26));
    assert.ok(got.subarray(4 + 1500).equals(Buffer.alloc(300 * 1024, 0x7a)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('NodeWriterThread: writes runs, then syncs, one request at a time; errors carry their code; close ends it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cassia-env-'));
  const fs = new NodeFileSystem();
  const w = fs.startWriterThread();
  try {
    const a = await fs.open(join(dir, 'a'), 'w');
    const b = await fs.open(join(dir, 'b'), 'w', { dsync: true });
    const pieces = [Buffer.from('abc'), new Uint8Array([0x44, 0x45]), Buffer.alloc(70_000, 0x66).subarray(1000)];
    const bytes = pieces.reduce((n, p) => n + p.length, 0);
    await w.writeAndSync([{ file: a, position: 10, pieces, bytes }, { file: b, position: 0, pieces: [Buffer.from('zz')], bytes: 2 }], [a]);
    pieces[0]!.fill(0); // the bytes were copied when the request was made
    for (let i = 0; i < 200; i++) await w.writeAndSync([{ file: a, position: 10 + bytes + i, pieces: [Buffer.from([i])], bytes: 1 }], i % 2 === 0 ? [a] : []);
    const got = await fs.readFile(join(dir, 'a'));
    assert.equal(got.length, 10 + bytes + 200);
    assert.ok(got.subarray(0, 10).equals(Buffer.alloc(10)));
    assert.equal(got.subarray(10, 15).toString(), 'abcDE');
    assert.ok(got.subarray(15, 10 + bytes).equals(Buffer.alloc(69_000, 0x66)));
    for (let i = 0; i < 200; i++) assert.equal(got[10 + bytes + i], i);
    assert.equal((await fs.readFile(join(dir, 'b'))).toString(), 'zz');
    const r = await fs.open(join(dir, 'a'), 'r');
    await assert.rejects(w.writeAndSync([{ file: r, position: 0, pieces: [Buffer.from('x')], bytes: 1 }], []), { code: 'EBADF' });
    await w.writeAndSync([], [a]); // the thread goes on after a failed request
    await r.close();
    await a.close();
    await b.close();
  } finally {
    await w.close();
    rmSync(dir, { recursive: true, force: true });
  }
  await assert.rejects(w.writeAndSync([], []), /closed/);
});
