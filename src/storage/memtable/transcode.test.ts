// The flush transcoder against the path it replaces: the same memtable written through
// SSTableWriter.add(memtable.allPartitions()) (slab records decoded to Rows, encoded by the codec)
// and through FlushTranscoder + SSTableWriter.addEncoded must give byte-identical SSTable files,
// Statistics.db included. Random memtables of every kind the memtable holds: rows, overwrites,
// cell/row/partition/range tombstones, TTLs (also out of u32 range, fractional, negative),
// collections, static rows, counters, values kept by reference, non-ASCII and long column names,
// wide partitions with several row index blocks; ASC, DESC, array-ordered and no clustering.
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Memtable } from './memtable.js';
import { FlushTranscoder } from './transcode.js';
import { tableOrder } from '../_order.js';
import { counterContextForDelta } from '../counter.js';
import { SSTableWriter } from '../sstable/writer.js';
import { COMPONENTS, componentFile } from '../sstable/format.js';
import type { CompressionMethod } from '../sstable/compression.js';
import { SimFileSystem } from '../../env/sim/mod.js';
import type { Cell, PartitionUpdate, Row, Slice } from '../data.js';
import type { TableMetadata } from '../../schema/metadata.js';
import type { CqlType } from '../../schema/types.js';
import { distinctRowsInOrder, int32, makeTable, text, tokenOf } from '../../../test/storage/fixtures.js';

type Shape = 'asc' | 'desc' | 'array' | 'none';

const INT: CqlType = { kind: 'native', name: 'int' };
const TEXT: CqlType = { kind: 'native', name: 'text' };
const VARINT: CqlType = { kind: 'native', name: 'varint' };
const UNICODE_NAME = 'ü名';
const LONG_NAME = 'x'.repeat(200);

function tableFor(shape: Shape, counters: boolean): TableMetadata {
  const regular = counters
    ? [{ name: 'v', type: { kind: 'native', name: 'counter' } as CqlType }]
    : [{ name: 'v', type: INT }, { name: 'm', type: { kind: 'map', key: TEXT, value: INT, frozen: false } as CqlType }, { name: UNICODE_NAME, type: INT }, { name: LONG_NAME, type: INT }];
  const clustering = {
    asc: [{ name: 'ck', type: INT }, { name: 'ck2', type: TEXT }],
    desc: [{ name: 'ck', type: INT, order: 'desc' as const }, { name: 'ck2', type: TEXT, order: 'desc' as const }],
    array: [{ name: 'ck', type: VARINT }],
    none: [],
  }[shape];
  return makeTable({ clustering, regular, isCounter: counters });
}

function clusteringOf(shape: Shape, a: number, b: number): Buffer[] {
  switch (shape) {
    case 'asc': case 'desc': return [int32(a), text('t'.repeat(b))];
    case 'array': return [Buffer.from([a & 0x7f, b])];
    case 'none': return [];
  }
}

const ts = fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constantFrom(-5, 2 ** 52 + 3, 1_700_000_000_000_000));
const small = fc.integer({ min: 0, max: 3 });
/** TTL and local time pairs, including values the codec's `>>> 0` wraps or truncates. */
const expiry = fc.oneof(
  fc.constant([0, 0] as const),
  fc.constant([100, 1100] as const),
  fc.constantFrom([50, -7201] as const, [2 ** 32 + 7, 2 ** 33] as const, [1.5, 3600.25] as const, [-3, 5] as const, [0, 77] as const),
);
const CONTEXT_A = counterContextForDelta('00000000-0000-1000-8000-000000000001', 1, 5);
const CONTEXT_B = counterContextForDelta('00000000-0000-1000-8000-000000000002', 2, 7);
const BIG_VALUE = Buffer.alloc(70_000, 0x5a); // kept by reference (>= 64 KiB)

const cellArb: fc.Arbitrary<Cell> = fc.oneof(
  fc.record({ v: small, t: ts, e: expiry, size: fc.constantFrom(0, 4, 4, 40, 300, 3000) }).map(({ v, t, e, size }): Cell => (
    { column: 'v', value: size === 4 ? int32(v) : Buffer.alloc(size, v), timestampMicros: t, ttlSec: e[0], localExpirationTimeSec: e[1] })),
  fc.record({ t: ts, e: expiry }).map(({ t, e }): Cell => ({ column: 'v', value: null, timestampMicros: t, ttlSec: e[0], localExpirationTimeSec: e[1] === 0 ? 1000 + (t & 7) : e[1] })),
  fc.record({ k: small, v: small, t: ts, e: expiry }).map(({ k, v, t, e }): Cell => ({ column: 'm', path: text(`k${k}`), value: int32(v), timestampMicros: t, ttlSec: e[0], localExpirationTimeSec: e[1] })),
  fc.record({ k: small, t: ts }).map(({ k, t }): Cell => ({ column: 'm', path: text(`k${k}`), value: null, timestampMicros: t, ttlSec: 0, localExpirationTimeSec: 900 })),
  fc.record({ v: small, t: ts, name: fc.constantFrom(UNICODE_NAME, LONG_NAME) }).map(({ v, t, name }): Cell => ({ column: name, value: int32(v), timestampMicros: t, ttlSec: 0, localExpirationTimeSec: 0 })),
  fc.record({ t: ts }).map(({ t }): Cell => ({ column: 'v', value: BIG_VALUE, timestampMicros: t, ttlSec: 0, localExpirationTimeSec: 0 })),
);
const counterCellArb: fc.Arbitrary<Cell> = fc.record({ a: fc.boolean(), t: ts, tomb: fc.boolean() }).map(({ a, t, tomb }): Cell => (
  { column: 'v', value: tomb ? null : a ? CONTEXT_A : CONTEXT_B, timestampMicros: t, ttlSec: 0, localExpirationTimeSec: tomb ? 1000 : 0, counter: true }));

function rowArb(shape: Shape, cells: fc.Arbitrary<Cell>, clusteringMax: number): fc.Arbitrary<Row> {
  return fc.record({
    a: fc.integer({ min: 0, max: clusteringMax }), b: small, cells: fc.array(cells, { maxLength: 4 }), t: ts, e: expiry,
    live: fc.constantFrom('none', 'plain', 'ttl'), del: fc.boolean(), cd: fc.boolean(),
  }).map(({ a, b, cells: cs, t, e, live, del, cd }): Row => {
    const r: Row = { clustering: clusteringOf(shape, a, b), cells: cs };
    if (live === 'plain') r.liveness = { timestampMicros: t, ttlSec: 0, localExpirationTimeSec: 0 };
    if (live === 'ttl') r.liveness = { timestampMicros: t, ttlSec: e[0], localExpirationTimeSec: e[1] };
    if (del) r.deletion = { markedForDeleteAtMicros: t - 1, localDeletionTimeSec: e[1] === 0 ? 990 : e[1] };
    if (cd) r.complexDeletions = [{ column: 'm', deletion: { markedForDeleteAtMicros: t - 1, localDeletionTimeSec: 980 } }];
    return r;
  });
}

function sliceArb(shape: Shape): fc.Arbitrary<Slice> {
  const bound = fc.record({ n: fc.integer({ min: 0, max: shape === 'array' ? 1 : 2 }), a: small, b: small, inclusive: fc.boolean() })
    .map(({ n, a, b, inclusive }) => ({ values: shape === 'none' ? [] : clusteringOf(shape, a, b).slice(0, n), inclusive }));
  return fc.record({ start: bound, end: bound });
}

function updateArb(table: TableMetadata, shape: Shape, counters: boolean): fc.Arbitrary<PartitionUpdate> {
  const cells = counters ? counterCellArb : cellArb;
  return fc.record({
    pk: fc.integer({ min: 0, max: 8 }),
    rows: fc.array(rowArb(shape, cells, 60), { maxLength: shape === 'none' ? 1 : 6 }),
    statik: fc.option(fc.record({ t: ts, v: small, e: expiry }), { freq: 4 }),
    pdel: fc.option(fc.record({ t: ts, e: expiry }), { freq: 8 }),
    rts: fc.array(fc.record({ s: sliceArb(shape), t: ts, e: expiry }), { maxLength: shape === 'none' ? 0 : 1 }),
  }).map(({ pk, rows, statik, pdel, rts }) => {
    const key = int32(pk);
    const distinct = distinctRowsInOrder(table, rows);
    const u: PartitionUpdate = { tableId: table.id, key, token: tokenOf(key), rows: distinct,
      rangeTombstones: rts.map(({ s, t, e }) => ({ slice: s, deletion: { markedForDeleteAtMicros: t, localDeletionTimeSec: e[1] === 0 ? 1000 : e[1] } })) };
    if (statik && shape !== 'none' && !counters) {
      u.staticRow = { clustering: [], cells: [{ column: 's', value: int32(statik.v), timestampMicros: statik.t, ttlSec: statik.e[0], localExpirationTimeSec: statik.e[1] }] };
    }
    if (pdel !== null) u.partitionDeletion = { markedForDeleteAtMicros: pdel.t, localDeletionTimeSec: pdel.e[1] === 0 ? 1000 : pdel.e[1] };
    return u;
  });
}

type Path = 'codec' | 'transcoder';

async function flush(m: Memtable, path: Path, method: CompressionMethod): Promise<Map<string, Buffer>> {
  const fs = new SimFileSystem();
  const dir = `/data/${path}`;
  const w = new SSTableWriter({ fs, dir, generation: 1, order: tableOrder(m.table), method, chunkBytes: 4096, bloomFpChance: 0.01,
    expectedPartitions: m.partitionCount, level: 0, hostId: 'h', createdAtMs: 1, commitLogUpperBound: { segmentId: 3, offset: 9 } });
  if (path === 'codec') {
    for (const p of m.allPartitions()) await w.add(p);
  } else {
    for (const p of new FlushTranscoder(m, w.stats).partitions()) await w.addEncoded(p);
  }
  await w.finish();
  const files = new Map<string, Buffer>();
  for (const c of COMPONENTS) files.set(c, await fs.readFile(componentFile(dir, 1, c)));
  return files;
}

async function assertSameFiles(m: Memtable, method: CompressionMethod = 'none'): Promise<void> {
  const a = await flush(m, 'codec', method);
  const b = await flush(m, 'transcoder', method);
  for (const c of COMPONENTS) {
    const x = a.get(c)!;
    const y = b.get(c)!;
    if (!x.equals(y)) {
      const i = x.findIndex((v, j) => v !== y[j]);
      assert.fail(`${c} differs (${x.length} vs ${y.length} bytes, first at ${i})${c === 'Statistics.db' ? `:\n${x.subarray(0, -4)}\n${y.subarray(0, -4)}` : ''}`);
    }
  }
}

for (const shape of ['asc', 'desc', 'array', 'none'] as const) {
  for (const counters of shape === 'asc' ? [false, true] : [false]) {
    test(`flush transcoder (${shape} clustering${counters ? ', counters' : ''}): the same SSTable files as the codec path, byte for byte`, async () => {
      const table = tableFor(shape, counters);
      await fc.assert(fc.asyncProperty(fc.array(updateArb(table, shape, counters), { minLength: 1, maxLength: 60 }), fc.constantFrom<CompressionMethod>('none', 'lz4'), async (updates, method) => {
        const m = new Memtable(table);
        for (const u of updates) m.apply(u);
        await assertSameFiles(m, method);
      }), { numRuns: 80 });
    });
  }
}

test('flush transcoder: wide partitions (several row index blocks, a partition grown into a tree) and many partitions (summary entries)', async () => {
  for (const shape of ['asc', 'desc', 'array'] as const) {
    const table = tableFor(shape, false);
    const m = new Memtable(table);
    for (let i = 0; i < 700; i++) {
      const key = int32(i % 3);
      m.apply({ tableId: table.id, key, token: tokenOf(key), rangeTombstones: [],
        rows: [{ clustering: clusteringOf(shape, (i * 7919) % 127, i % 2), cells: [{ column: 'v', value: Buffer.alloc(1000 + i, i & 0xff), timestampMicros: i, ttlSec: 0, localExpirationTimeSec: 0 }] }] });
    }
    for (let i = 0; i < 400; i++) {
      const key = int32(1000 + i);
      m.apply({ tableId: table.id, key, token: tokenOf(key), rangeTombstones: [],
        rows: [{ clustering: clusteringOf(shape, i % 5, 1), liveness: { timestampMicros: i, ttlSec: 0, localExpirationTimeSec: 0 }, cells: [{ column: 'v', value: int32(i), timestampMicros: i, ttlSec: 0, localExpirationTimeSec: 0 }] }] });
    }
    await assertSameFiles(m);
    await assertSameFiles(m, 'lz4');
  }
});

test('flush transcoder: a partition larger than the transcoder\'s first output buffer, and a row larger than a slab', async () => {
  const table = tableFor('asc', false);
  const m = new Memtable(table);
  for (let i = 0; i < 40; i++) {
    const key = int32(7);
    m.apply({ tableId: table.id, key, token: tokenOf(key), rangeTombstones: [],
      rows: [{ clustering: clusteringOf('asc', i, 0), cells: i === 20
        ? [UNICODE_NAME, LONG_NAME, 'v'].map((column) => ({ column, value: Buffer.alloc(60_000, i), timestampMicros: i, ttlSec: 0, localExpirationTimeSec: 0 })) // a 180 KB record: a buffer of its own
        : [{ column: 'v', value: Buffer.alloc(i === 21 ? 300_000 : 5000, i), timestampMicros: i, ttlSec: 0, localExpirationTimeSec: 0 }] }] });
  }
  await assertSameFiles(m);
});
