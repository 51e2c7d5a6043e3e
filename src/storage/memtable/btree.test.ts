import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SortedMap } from './btree.js';

const cmpNum = (a: number, b: number) => a - b;

function sortedModel(keys: Iterable<number>): number[] {
  return [...new Set(keys)].sort(cmpNum);
}

test('B+tree: random inserts agree with a sorted model (get, entries, entries(from), size)', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: -500, max: 500 }), { maxLength: 2000 }), fc.integer({ min: -600, max: 600 }), (keys, from) => {
    const m = new SortedMap<number, number>(cmpNum);
    for (const k of keys) m.upsert(k, (ex) => (ex ?? 0) + 1);
    m.checkInvariants();
    const model = sortedModel(keys);
    assert.equal(m.size, model.length);
    assert.deepEqual([...m.entries()].map(([k]) => k), model);
    assert.deepEqual([...m.entries(from)].map(([k]) => k), model.filter((k) => k >= from));
    for (const k of [from, ...keys.slice(0, 20)]) assert.equal(m.get(k), keys.includes(k) ? keys.filter((x) => x === k).length : undefined);
  }), { numRuns: 200 });
});

test('B+tree: a numeric prefix that ties often still orders by the comparator', () => {
  const m = new SortedMap<string, string>((a, b) => (a < b ? -1 : a > b ? 1 : 0), (s) => s.length < 2 ? NaN : s.charCodeAt(0));
  const keys: string[] = [];
  for (let i = 0; i < 5000; i++) keys.push(`${String.fromCharCode(97 + (i * 7) % 5)}${(i * 7919) % 10007}`);
  for (const k of keys) m.upsert(k, () => k);
  m.checkInvariants();
  const model = [...new Set(keys)].sort();
  assert.deepEqual([...m.values()], model);
  assert.deepEqual([...m.values('c')], model.filter((k) => k >= 'c'), 'seek with a NaN prefix bound');
  assert.deepEqual([...m.values('c5')], model.filter((k) => k >= 'c5'));
});

test('B+tree: an iterator suspended across inserts (splits) visits every older key once, in order', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 800 }),
    fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 800 }), (before, during) => {
      const m = new SortedMap<number, number>(cmpNum);
      for (const k of before) m.upsert(k, () => k);
      const seen: number[] = [];
      let j = 0;
      for (const [k] of m.entries()) {
        seen.push(k);
        for (let n = 0; n < 3 && j < during.length; n++, j++) m.upsert(during[j]!, () => during[j]!);
      }
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1]! < seen[i]!, 'strictly ascending, no repeats');
      const seenSet = new Set(seen);
      for (const k of before) assert.ok(seenSet.has(k), `key ${k} present before iteration was visited`);
      m.checkInvariants();
    }), { numRuns: 200 });
});

test('B+tree: find + putFound agree with upsert, also when other calls come between them', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 2000 }), fc.boolean()), { maxLength: 1500 }), (ops) => {
    const m = new SortedMap<number, number>(cmpNum);
    const model = new Map<number, number>();
    for (const [k, other, interleave] of ops) {
      const ex = m.find(k);
      assert.equal(ex, model.get(k));
      // A get (another descent) or an insert elsewhere between find and putFound must not misplace k.
      if (interleave) {
        if (other % 2 === 0) m.get(other);
        else { m.upsert(other, (x) => x ?? other); if (!model.has(other)) model.set(other, other); }
      }
      const v = (model.get(k) ?? 0) + 1;
      m.putFound(k, v);
      model.set(k, v);
    }
    m.checkInvariants();
    assert.equal(m.size, model.size);
    assert.deepEqual([...m.entries()], [...model.entries()].sort((a, b) => a[0] - b[0]));
  }), { numRuns: 200 });
});
