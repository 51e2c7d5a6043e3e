// The slab memtable against a model that keeps rows as objects and merges them with
// reconcile.ts (what the memtable did before its rows moved into slabs): random updates of every
// kind (rows, overwrites, cell/row/partition/range tombstones, TTLs, collections, static rows,
// counters) on string-ordered (ASC and DESC) and array-ordered clusterings, then every read
// shape (whole partitions, slices, flush order, headers) compared.
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Memtable, tokenSortKeyPrefix } from './memtable.js';
import { afterStart, beforeEnd, partitionSortKey, tableOrder } from '../_order.js';
import { maxDeletion, mergeRangeTombstones, mergeRows, normalizeRow } from '../reconcile.js';
import { counterContextForDelta } from '../counter.js';
import type { Cell, DeletionTime, Partition, PartitionUpdate, RangeTombstone, Row, Slice } from '../data.js';
import type { TableMetadata } from '../../schema/metadata.js';
import type { CqlType } from '../../schema/types.js';
import { distinctRowsInOrder, int32, makeTable, text, tokenOf } from '../../../test/storage/fixtures.js';

interface ModelPartition {
  deletion?: DeletionTime;
  rangeTombstones: RangeTombstone[];
  staticRow?: Row;
  rows: Row[];
}

/** The model: plain objects, merged with reconcile.ts, rows sorted by the table's order. */
class Model {
  readonly partitions = new Map<string, { key: Buffer; token: bigint; p: ModelPartition }>();
  constructor(readonly table: TableMetadata) {}

  apply(u: PartitionUpdate): void {
    const order = tableOrder(this.table);
    const sk = partitionSortKey(u.token, u.key);
    let e = this.partitions.get(sk);
    if (!e) this.partitions.set(sk, e = { key: u.key, token: u.token, p: { rangeTombstones: [], rows: [] } });
    const p = e.p;
    if (u.partitionDeletion) p.deletion = maxDeletion(p.deletion, u.partitionDeletion);
    if (u.rangeTombstones.length > 0) p.rangeTombstones = mergeRangeTombstones(p.rangeTombstones, u.rangeTombstones);
    if (u.staticRow) p.staticRow = p.staticRow ? mergeRows(order, p.staticRow, normalizeRow(order, u.staticRow)) : normalizeRow(order, u.staticRow);
    for (const raw of u.rows) {
      const r = normalizeRow(order, raw);
      const k = order.key(r.clustering);
      const i = p.rows.findIndex((x) => order.compare(order.key(x.clustering), k) >= 0);
      if (i >= 0 && order.compare(order.key(p.rows[i]!.clustering), k) === 0) p.rows[i] = mergeRows(order, p.rows[i]!, r);
      else if (i >= 0) p.rows.splice(i, 0, r);
      else p.rows.push(r);
    }
  }

  read(sk: string, slices: Slice[]): Partition | undefined {
    const e = this.partitions.get(sk);
    if (!e) return undefined;
    const order = tableOrder(this.table);
    const inSlices = (r: Row) => slices.length === 0 || slices.some((s) => {
      const k = order.key(r.clustering);
      return afterStart(order, k, s.start, order.key(s.start.values)) && beforeEnd(order, k, s.end, order.key(s.end.values));
    });
    const out: Partition = { key: e.key, token: e.token, rangeTombstones: e.p.rangeTombstones, rows: e.p.rows.filter(inSlices) };
    if (e.p.deletion) out.partitionDeletion = e.p.deletion;
    if (e.p.staticRow) out.staticRow = e.p.staticRow;
    return out;
  }

  sortKeys(): string[] {
    return [...this.partitions.keys()].sort();
  }
}

/** Plain data for deepEqual: Buffers as hex, no undefined properties. */
function plain(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? v.toString() : v && v.type === 'Buffer' && Array.isArray(v.data) ? Buffer.from(v.data).toString('hex') : v)));
}

type Shape = 'asc' | 'desc' | 'array' | 'none';

function tableFor(shape: Shape): TableMetadata {
  const INT: CqlType = { kind: 'native', name: 'int' };
  const TEXT: CqlType = { kind: 'native', name: 'text' };
  const VARINT: CqlType = { kind: 'native', name: 'varint' };
  switch (shape) {
    case 'asc': return makeTable({ clustering: [{ name: 'ck', type: INT }, { name: 'ck2', type: TEXT }] });
    case 'desc': return makeTable({ clustering: [{ name: 'ck', type: INT, order: 'desc' }, { name: 'ck2', type: TEXT, order: 'desc' }] });
    case 'array': return makeTable({ clustering: [{ name: 'ck', type: VARINT }] });
    case 'none': return makeTable({ clustering: [] });
  }
}

function clusteringOf(shape: Shape, a: number, b: number): Buffer[] {
  switch (shape) {
    case 'asc': case 'desc': return [int32(a), text('t'.repeat(b))];
    case 'array': return [Buffer.from([a & 0x7f, b])];
    case 'none': return [];
  }
}

const ts = fc.integer({ min: 1, max: 9 });
const small = fc.integer({ min: 0, max: 3 });
const CONTEXT_A = counterContextForDelta('00000000-0000-1000-8000-000000000001', 1, 5);
const CONTEXT_B = counterContextForDelta('00000000-0000-1000-8000-000000000002', 2, 7);

const cellArb: fc.Arbitrary<Cell> = fc.oneof(
  fc.record({ v: fc.integer({ min: 0, max: 3 }), t: ts, ttl: fc.constantFrom(0, 0, 100), big: fc.boolean() }).map(({ v, t, ttl, big }): Cell => (
    { column: 'v', value: big ? Buffer.alloc(40 + v, v) : int32(v), timestampMicros: t, ttlSec: ttl, localExpirationTimeSec: ttl === 0 ? 0 : 1000 + ttl })),
  fc.record({ t: ts }).map(({ t }): Cell => ({ column: 'v', value: null, timestampMicros: t, ttlSec: 0, localExpirationTimeSec: 1000 + t })),
  fc.record({ k: small, v: small, t: ts }).map(({ k, v, t }): Cell => ({ column: 'm', path: text(`k${k}`), value: int32(v), timestampMicros: t, ttlSec: 0, localExpirationTimeSec: 0 })),
  fc.record({ k: small, t: ts }).map(({ k, t }): Cell => ({ column: 'm', path: text(`k${k}`), value: null, timestampMicros: t, ttlSec: 0, localExpirationTimeSec: 900 })),
);
const counterCellArb: fc.Arbitrary<Cell> = fc.record({ a: fc.boolean(), t: ts, tomb: fc.boolean() }).map(({ a, t, tomb }): Cell => (
  { column: 'v', value: tomb ? null : a ? CONTEXT_A : CONTEXT_B, timestampMicros: t, ttlSec: 0, localExpirationTimeSec: tomb ? 1000 : 0, counter: true }));

function rowArb(shape: Shape, cells: fc.Arbitrary<Cell>): fc.Arbitrary<Row> {
  return fc.record({
    a: small, b: small, cells: fc.array(cells, { maxLength: 4 }), t: ts,
    live: fc.constantFrom('none', 'plain', 'ttl'), del: fc.boolean(), cd: fc.boolean(),
  }).map(({ a, b, cells: cs, t, live, del, cd }): Row => {
    const r: Row = { clustering: clusteringOf(shape, a, b), cells: cs };
    if (live === 'plain') r.liveness = { timestampMicros: t, ttlSec: 0, localExpirationTimeSec: 0 };
    if (live === 'ttl') r.liveness = { timestampMicros: t, ttlSec: 50, localExpirationTimeSec: 1050 };
    if (del) r.deletion = { markedForDeleteAtMicros: t - 1, localDeletionTimeSec: 990 + t };
    if (cd) r.complexDeletions = [{ column: 'm', deletion: { markedForDeleteAtMicros: t - 1, localDeletionTimeSec: 980 + t } }];
    return r;
  });
}

function sliceArb(shape: Shape): fc.Arbitrary<Slice> {
  const bound = fc.record({ n: fc.integer({ min: 0, max: shape === 'array' ? 1 : 2 }), a: small, b: small, inclusive: fc.boolean() })
    .map(({ n, a, b, inclusive }) => ({ values: shape === 'none' ? [] : clusteringOf(shape, a, b).slice(0, n), inclusive }));
  return fc.record({ start: bound, end: bound });
}

/** Sorted, non-overlapping slices (the ReadCommand contract): one random slice, or two split by first-column values. */
function slicesArb(shape: Shape): fc.Arbitrary<Slice[]> {
  const two = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 4, maxLength: 4 }).map((ps) => {
    const [a, b, c, d] = [...ps].sort((x, y) => x - y) as [number, number, number, number];
    const at = (n: number) => (shape === 'none' ? [] : clusteringOf(shape, n, 0).slice(0, 1));
    return [{ start: { values: at(a), inclusive: true }, end: { values: at(b), inclusive: false } },
      { start: { values: at(c), inclusive: false }, end: { values: at(d), inclusive: true } }];
  });
  return shape === 'none' ? sliceArb(shape).map((x) => [x]) : fc.oneof(sliceArb(shape).map((x) => [x]), two);
}

function updateArb(table: TableMetadata, shape: Shape, counters: boolean): fc.Arbitrary<PartitionUpdate> {
  const cells = counters ? counterCellArb : cellArb;
  return fc.record({
    pk: fc.integer({ min: 0, max: 5 }),
    rows: fc.array(rowArb(shape, cells), { maxLength: shape === 'none' ? 1 : 4 }),
    statik: fc.option(fc.record({ t: ts, v: small }), { freq: 4 }),
    pdel: fc.option(ts, { freq: 8 }),
    rts: fc.array(fc.record({ s: sliceArb(shape), t: ts }), { maxLength: shape === 'none' ? 0 : 1 }),
  }).map(({ pk, rows, statik, pdel, rts }) => {
    const key = int32(pk);
    const distinct = distinctRowsInOrder(table, rows);
    const u: PartitionUpdate = { tableId: table.id, key, token: tokenOf(key), rangeTombstones: rts.map(({ s, t }) => ({ slice: s, deletion: { markedForDeleteAtMicros: t, localDeletionTimeSec: 1000 + t } })), rows: distinct };
    if (statik && shape !== 'none' && !counters) u.staticRow = { clustering: [], cells: [{ column: 's', value: int32(statik.v), timestampMicros: statik.t, ttlSec: 0, localExpirationTimeSec: 0 }] };
    if (pdel !== null) u.partitionDeletion = { markedForDeleteAtMicros: pdel, localDeletionTimeSec: 1000 + pdel };
    return u;
  });
}

function compare(m: Memtable, model: Model, slicesList: Slice[][]): void {
  const keys = model.sortKeys();
  assert.equal(m.partitionCount, keys.length);
  assert.deepEqual([...m.headersFrom('')].map((h) => h.sortKey), keys);
  assert.deepEqual(plain([...m.allPartitions()]), plain(keys.map((k) => model.read(k, []))));
  for (const k of keys) {
    assert.ok(m.has(k));
    for (const slices of slicesList) assert.deepEqual(plain(m.read(k, slices)), plain(model.read(k, slices)), `slices ${JSON.stringify(plain(slices))}`);
  }
  assert.equal(m.read('ffffffffffffffff', []), undefined);
  assert.equal(m.has('0000000000000000'), false);
}

for (const shape of ['asc', 'desc', 'array', 'none'] as const) {
  for (const counters of shape === 'asc' ? [false, true] : [false]) {
    test(`memtable (${shape} clustering${counters ? ', counters' : ''}): random updates read back as the object model merges them`, () => {
      const table = tableFor(shape);
      fc.assert(fc.property(fc.array(updateArb(table, shape, counters), { minLength: 1, maxLength: 40 }), fc.array(slicesArb(shape), { maxLength: 4 }), (updates, slicesList) => {
        const m = new Memtable(table);
        const model = new Model(table);
        for (const u of updates) {
          m.apply(u);
          model.apply(u);
        }
        compare(m, model, [[], ...slicesList]);
      }), { numRuns: 150 });
    });
  }
}

test('memtable: values are copied, so the update\'s buffers may be reused afterwards', () => {
  const table = tableFor('asc');
  const m = new Memtable(table);
  const frame = Buffer.alloc(64, 7);
  const key = frame.subarray(0, 4);
  key.writeInt32BE(42);
  const u: PartitionUpdate = { tableId: table.id, key, token: tokenOf(key), rangeTombstones: [{ slice: { start: { values: [frame.subarray(4, 8)], inclusive: true }, end: { values: [], inclusive: true } }, deletion: { markedForDeleteAtMicros: 1, localDeletionTimeSec: 2 } }],
    rows: [{ clustering: [frame.subarray(8, 12), frame.subarray(12, 14)], cells: [{ column: 'v', value: frame.subarray(14, 64), timestampMicros: 5, ttlSec: 0, localExpirationTimeSec: 0 }] }] };
  m.apply(u);
  const before = plain(m.read(partitionSortKey(tokenOf(int32(42)), int32(42)), []));
  frame.fill(0xee);
  assert.deepEqual(plain(m.read(partitionSortKey(tokenOf(int32(42)), int32(42)), [])), before);
});

test('memtable: large rows and many slabs (rows above the dedicated-buffer size, a partition grown past its arrays into a tree)', () => {
  const table = tableFor('asc');
  const m = new Memtable(table);
  const model = new Model(table);
  for (let i = 0; i < 600; i++) {
    const key = int32(i % 3);
    const value = Buffer.alloc(i % 50 === 0 ? 300_000 : 1000 + i, i & 0xff);
    const u: PartitionUpdate = { tableId: table.id, key, token: tokenOf(key), rangeTombstones: [],
      rows: [{ clustering: clusteringOf('asc', (i * 7919) % 400, i % 2), cells: [{ column: 'v', value, timestampMicros: i, ttlSec: 0, localExpirationTimeSec: 0 }] }] };
    m.apply(u);
    model.apply(u);
  }
  const slice = (lo: number, hi: number): Slice => ({ start: { values: [int32(lo)], inclusive: true }, end: { values: [int32(hi)], inclusive: false } });
  compare(m, model, [[slice(10, 20)], [slice(0, 3), slice(200, 399)]]);
  assert.ok(m.sizeBytes > 600 * 1000 + 12 * 300_000, `sizeBytes ${m.sizeBytes} counts the slabs and the values kept by reference`);
});

test('memtable: values of 64 KiB or more are kept by reference (the same Buffer read back), smaller ones copied', () => {
  const table = tableFor('none');
  const m = new Memtable(table);
  const big = Buffer.alloc(64 * 1024, 1);
  const small = Buffer.alloc(64 * 1024 - 1, 2);
  for (const [pk, value] of [[1, big], [2, small]] as const) {
    m.apply({ tableId: table.id, key: int32(pk), token: tokenOf(int32(pk)), rangeTombstones: [],
      rows: [{ clustering: [], cells: [{ column: 'v', value, timestampMicros: 1, ttlSec: 0, localExpirationTimeSec: 0 }] }] });
  }
  const valueOf = (pk: number) => m.read(partitionSortKey(tokenOf(int32(pk)), int32(pk)), [])!.rows[0]!.cells.find((c) => c.column === 'v')!.value!;
  assert.equal(valueOf(1), big);
  assert.notEqual(valueOf(2), small);
  assert.ok(valueOf(2).equals(small));
  // an overwrite that keeps the big value (a newer cell of another column) refers to it again, counted once
  const before = m.sizeBytes;
  m.apply({ tableId: table.id, key: int32(1), token: tokenOf(int32(1)), rangeTombstones: [],
    rows: [{ clustering: [], cells: [{ column: 'm', path: text('x'), value: int32(5), timestampMicros: 2, ttlSec: 0, localExpirationTimeSec: 0 }] }] });
  assert.equal(valueOf(1), big);
  assert.ok(m.sizeBytes - before < 1024, `re-encoding a row does not count its referenced value again (${m.sizeBytes - before})`);
});

test('memtable: a value kept by reference is let go when its row is overwritten (hot rows do not pin every version), kept while any row refers to it', () => {
  const table = tableFor('asc');
  const m = new Memtable(table);
  const shared = Buffer.alloc(70_000, 3);
  const write = (pk: number, ck: number, value: Buffer, ts: number) => m.apply({ tableId: table.id, key: int32(pk), token: tokenOf(int32(pk)), rangeTombstones: [],
    rows: [{ clustering: clusteringOf('asc', ck, 0), cells: [{ column: 'v', value, timestampMicros: ts, ttlSec: 0, localExpirationTimeSec: 0 }] }] });
  write(1, 0, shared, 1);
  write(1, 1, shared, 1); // the same Buffer in two rows (e.g. one bound value for several keys)
  for (let i = 0; i < 50; i++) {
    const v = Buffer.alloc(100_000, i);
    write(2, 0, v, 10 + i);
  }
  write(1, 0, Buffer.alloc(80_000, 9), 5); // row (1, 0) no longer refers to `shared`; row (1, 1) still does
  const sk = (pk: number) => partitionSortKey(tokenOf(int32(pk)), int32(pk));
  assert.equal(m.read(sk(1), [])!.rows[1]!.cells[0]!.value, shared);
  assert.equal(m.read(sk(2), [])!.rows[0]!.cells[0]!.value![0], 49);
  const refs = (m as unknown as { refs: { values: (Buffer | null)[] } }).refs;
  assert.equal(refs.values.filter((v) => v !== null).length, 3, 'held: shared, the latest of pk 2, the new value of (1, 0)');
});

test('tokenSortKeyPrefix equals the top 13 hex digits of the partition sort key', () => {
  const edges = [-(2n ** 63n), -(2n ** 63n) + 1n, -1n, 0n, 1n, 2n ** 63n - 1n, 4095n, 4096n, -4096n, 2n ** 32n, -(2n ** 32n)];
  const check = (token: bigint) => {
    const sortKey = partitionSortKey(token, Buffer.from([1, 2, 3]));
    assert.equal(tokenSortKeyPrefix(token), parseInt(sortKey.slice(0, 13), 16), `token ${token}`);
  };
  for (const t of edges) check(t);
  fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (t) => { check(t); }), { numRuns: 2000 });
});
