import test from 'node:test';
import assert from 'node:assert/strict';
import { LruCache } from '../../src/server/query/_cache.js';

test('prepared cache: bounded; a statement used within the last half of the capacity is never evicted', () => {
  const max = 100;
  const cache = new LruCache<{ tables: string[]; n: number }>(max);
  cache.set('hot', { tables: ['ks.t'], n: -1 });
  for (let i = 0; i < 10_000; i++) {
    cache.set(`cold${i}`, { tables: ['ks.t'], n: i });
    if (i % 10 === 0) assert.equal(cache.get('hot')?.n, -1, `hot entry evicted at ${i}`);
    assert.ok(cache.size <= max);
  }
  assert.equal(cache.get('cold0'), undefined, 'old unused entries are evicted');
  assert.equal(cache.get('cold9999')?.n, 9999);
  assert.equal(cache.invalidate('ks.*'), max);
  assert.equal(cache.size, 0);
});

test('prepared cache: with two entries it is exact LRU', () => {
  const cache = new LruCache<{ tables: string[] }>(2);
  cache.set('a', { tables: [] });
  cache.set('b', { tables: [] });
  assert.ok(cache.get('a'));
  cache.set('c', { tables: [] });
  assert.deepEqual([!!cache.get('a'), !!cache.get('b'), !!cache.get('c')], [true, false, true]);
});

test('prepared ids: IdText gives each id its hex text, also for ids sharing the 6-byte prefix it indexes by', async () => {
  const { IdText } = await import('../../src/server/query/mod.js');
  const ids = new IdText();
  const a = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  const b = Buffer.from('001122334455ffffffffffffffffffff', 'hex');
  for (let i = 0; i < 3; i++) {
    assert.equal(ids.of(Buffer.from(a)), a.toString('hex'));
    assert.equal(ids.of(Buffer.from(b)), b.toString('hex'));
  }
  const reused = Buffer.from(a);
  assert.equal(ids.of(reused), a.toString('hex'));
  reused[15] = 0; // the caller's buffer changing later must not change what was remembered
  assert.equal(ids.of(a), a.toString('hex'));
  assert.equal(ids.of(Buffer.from('abcd', 'hex')), 'abcd');
});

test('prepared ids: IdText remembers the last few id Buffers by identity (one per connection, interned), each with its own text', async () => {
  const { IdText } = await import('../../src/server/query/mod.js');
  const ids = new IdText();
  const hexes = Array.from({ length: 6 }, (_, i) => `${String(i).repeat(2)}112233445566778899aabbccddeeff`);
  const buffers = hexes.map((h) => Buffer.from(h, 'hex'));
  // Alternating connections (2, then 3, then more than are remembered): always the right text.
  for (const n of [2, 3, 6]) {
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < n; i++) assert.equal(ids.of(buffers[i]!), hexes[i], `${n} ids, round ${round}, id ${i}`);
    }
  }
  // Equal content in another Buffer, and the same content asked for twice in a row.
  assert.equal(ids.of(Buffer.from(hexes[4]!, 'hex')), hexes[4]);
  assert.equal(ids.of(buffers[4]!), hexes[4]);
});
