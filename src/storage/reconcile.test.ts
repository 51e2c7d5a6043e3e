import test from 'node:test';
import assert from 'node:assert/strict';
import { reconcileCells, mergePartitions, liveRows, resolveRow } from './reconcile.js';
import { counterContextForDelta, counterValue, mergeCounterContexts, counterShard } from './counter.js';
import { cell, int32, makeTable, readInt32, row, tokenOf } from '../../test/storage/fixtures.js';
import type { Cell, Partition } from './data.js';

const v = (n: number) => int32(n);
const cases: { name: string; a: Cell; b: Cell; want: 'a' | 'b' }[] = [
  { name: 'higher timestamp wins', a: cell('v', v(1), 10), b: cell('v', v(2), 11), want: 'b' },
  { name: 'higher timestamp wins over tombstone', a: cell('v', null, 10), b: cell('v', v(2), 11), want: 'b' },
  { name: 'tombstone wins tie with live', a: cell('v', v(9), 10), b: cell('v', null, 10), want: 'b' },
  { name: 'expiring wins tie with regular', a: cell('v', v(9), 10), b: cell('v', v(1), 10, { ttlSec: 5, localExpirationTimeSec: 3000 }), want: 'b' },
  { name: 'tombstone wins tie with expiring', a: cell('v', null, 10), b: cell('v', v(1), 10, { ttlSec: 5, localExpirationTimeSec: 3000 }), want: 'a' },
  { name: 'later expiry wins between expiring', a: cell('v', v(9), 10, { ttlSec: 5, localExpirationTimeSec: 3000 }), b: cell('v', v(1), 10, { ttlSec: 5, localExpirationTimeSec: 3001 }), want: 'b' },
  { name: 'greater value wins tie', a: cell('v', v(1), 10), b: cell('v', v(2), 10), want: 'b' },
  { name: 'greater value wins tie (unsigned bytes)', a: cell('v', v(-1), 10), b: cell('v', v(2), 10), want: 'a' },
  { name: 'later deletion time wins between tombstones', a: cell('v', null, 10, { localExpirationTimeSec: 5 }), b: cell('v', null, 10, { localExpirationTimeSec: 6 }), want: 'b' },
];

for (const c of cases) {
  test(`reconcileCells: ${c.name}`, () => {
    const want = c.want === 'a' ? c.a : c.b;
    assert.equal(reconcileCells(c.a, c.b), want);
    assert.equal(reconcileCells(c.b, c.a), want, 'symmetric');
  });
}

test('counter contexts merge by max clock per host and sum', () => {
  const h1 = '00000000-0000-4000-8000-000000000001';
  const h2 = '00000000-0000-4000-8000-000000000002';
  const a = mergeCounterContexts(counterContextForDelta(h1, 1, 5), counterContextForDelta(h2, 1, 7));
  const b = mergeCounterContexts(a, counterContextForDelta(h1, 2, 8));
  assert.equal(counterValue(b), 15n);
  assert.equal(counterValue(mergeCounterContexts(b, counterContextForDelta(h1, 1, 100))), 15n, 'older clock ignored');
  assert.equal(counterShard(b, h1)?.clock, 2n);
  const c1 = cell('c', counterContextForDelta(h1, 3, 1), 5, { counter: true });
  const c2 = cell('c', counterContextForDelta(h2, 3, 2), 6, { counter: true });
  assert.equal(counterValue(reconcileCells(c1, c2).value!), 3n);
  assert.equal(reconcileCells(c1, cell('c', null, 1, { counter: true })).value, null, 'counter tombstone wins');
});

function part(rows: Partition['rows'], extra: Partial<Partition> = {}): Partition {
  return { key: int32(1), token: tokenOf(int32(1)), rangeTombstones: [], rows, ...extra };
}

test('liveRows applies row, range, partition and complex deletions', () => {
  const t = makeTable();
  const p = mergePartitions(t, part([row(1, [cell('v', v(1), 10)]), row(2, [cell('v', v(2), 10)]), row(3, [cell('v', v(3), 30)])]),
    part([row(1, [], { deletion: { markedForDeleteAtMicros: 11, localDeletionTimeSec: 1 } })], {
      rangeTombstones: [{ slice: { start: { values: [int32(2)], inclusive: true }, end: { values: [int32(3)], inclusive: true } }, deletion: { markedForDeleteAtMicros: 20, localDeletionTimeSec: 1 } }],
    }));
  assert.deepEqual(liveRows(t, p, 2000).map((r) => readInt32(r.clustering[0])), [3]);
  const pd = mergePartitions(t, p, part([], { partitionDeletion: { markedForDeleteAtMicros: 100, localDeletionTimeSec: 1 } }));
  assert.deepEqual(liveRows(t, pd, 2000), []);
  const cd = resolveRow(row(1, [cell('m', v(1), 10, { path: Buffer.from('a') }), cell('m', v(2), 30, { path: Buffer.from('b') }), cell('v', v(5), 10)],
    { complexDeletions: [{ column: 'm', deletion: { markedForDeleteAtMicros: 20, localDeletionTimeSec: 1 } }] }), undefined, 2000);
  assert.deepEqual(cd.row!.cells.map((c) => c.path?.toString() ?? c.column), ['b', 'v']);
});

test('liveness info keeps a row with only null cells alive; expired TTL makes tombstones', () => {
  const t = makeTable();
  const p = part([row(1, [cell('v', null, 10)], { liveness: { timestampMicros: 10, ttlSec: 0, localExpirationTimeSec: 0 } }),
    row(2, [cell('v', v(1), 10, { ttlSec: 10, localExpirationTimeSec: 1500 })])]);
  assert.deepEqual(liveRows(t, p, 1000).map((r) => readInt32(r.clustering[0])), [1, 2]);
  assert.deepEqual(liveRows(t, p, 1500).map((r) => readInt32(r.clustering[0])), [1]);
  const r = resolveRow(p.rows[1]!, undefined, 1500);
  assert.equal(r.row!.cells[0]!.value, null);
  assert.equal(r.row!.cells[0]!.localExpirationTimeSec, 1490);
});
