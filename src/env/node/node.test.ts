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
