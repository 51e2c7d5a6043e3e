// The small-entry fast path (_entry.ts) and the JS crc (_crc.ts) against the generic ones: the
// same sizes, the same bytes, the same checksums as encodeUpdate/updateBytes and zlib.crc32.
import test from 'node:test';
import assert from 'node:assert/strict';
import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import type { Cell, DeletionTime, PartitionUpdate, Row } from '../data.js';
import { decodeUpdate, encodeUpdate, FixedWriter, updateBytes } from '../_codec.js';
import { ByteReader } from '../../util/bytes.js';
import { crc32Js, crc32Range, JS_CRC_BYTES_MAX } from './_crc.js';
import { encodeSmallEntry, payloadBytes, SMALL_ENTRY_BYTES_MAX } from './_entry.js';

const name = fc.oneof(
  fc.constantFrom('v', 'k', 'ks.table_1', '4b1c9e4e-1f3a-4d58-9a58-0d5b1e2f3a4b'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('é', 'ü', '日本', '\ud83d\ude00', '\ud800'), // non-ASCII, an astral pair, a lone surrogate
);
const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
const u32ish = fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: -5, max: 5 }));
const micros = fc.oneof(fc.integer({ min: -(2 ** 53), max: 2 ** 53 }), fc.double({ noNaN: true }));
const deletion: fc.Arbitrary<DeletionTime> = fc.record({ markedForDeleteAtMicros: micros, localDeletionTimeSec: u32ish });
const cell: fc.Arbitrary<Cell> = fc.record({
  column: name, value: fc.option(bytes(300), { nil: null }), timestampMicros: micros, ttlSec: u32ish, localExpirationTimeSec: u32ish,
  path: fc.option(bytes(20), { nil: undefined }), counter: fc.option(fc.constant(true), { nil: undefined }),
}, { requiredKeys: ['column', 'value', 'timestampMicros', 'ttlSec', 'localExpirationTimeSec'] });
const row: fc.Arbitrary<Row> = fc.record({
  clustering: fc.array(bytes(24), { maxLength: 3 }),
  liveness: fc.option(fc.record({ timestampMicros: micros, ttlSec: u32ish, localExpirationTimeSec: u32ish }), { nil: undefined }),
  deletion: fc.option(deletion, { nil: undefined }),
  complexDeletions: fc.option(fc.array(fc.record({ column: name, deletion }), { maxLength: 2 }), { nil: undefined }),
  cells: fc.array(cell, { maxLength: 4 }),
}, { requiredKeys: ['clustering', 'cells'] });
const bound = fc.record({ values: fc.array(bytes(8), { maxLength: 2 }), inclusive: fc.boolean() });
const update: fc.Arbitrary<PartitionUpdate> = fc.record({
  tableId: name,
  key: bytes(40),
  token: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  partitionDeletion: fc.option(deletion, { nil: undefined }),
  rangeTombstones: fc.array(fc.record({ slice: fc.record({ start: bound, end: bound }), deletion }), { maxLength: 2 }),
  staticRow: fc.option(row, { nil: undefined }),
  rows: fc.array(row, { maxLength: 3 }),
}, { requiredKeys: ['tableId', 'key', 'token', 'rangeTombstones', 'rows'] });

/** The entry as the generic encoder writes it: header (seeded length crc), payload, payload crc. */
function genericEntry(seed: number, u: PartitionUpdate): Buffer {
  const n = updateBytes(u);
  const out = Buffer.alloc(8 + n + 4);
  out.writeUInt32BE(n, 0);
  out.writeUInt32BE(zlibCrc32(out.subarray(0, 4), seed), 4);
  const w = new FixedWriter(out, 8);
  encodeUpdate(w, u);
  assert.equal(w.length, 8 + n);
  out.writeUInt32BE(zlibCrc32(out.subarray(8, 8 + n)), 8 + n);
  return out;
}

test('payloadBytes equals updateBytes for any update (non-ASCII names included)', () => {
  fc.assert(fc.property(update, (u) => { assert.equal(payloadBytes(u), updateBytes(u)); }), { numRuns: 2000 });
});

test('encodeSmallEntry writes the generic encoder\'s bytes at any slab offset, and they decode back', () => {
  const slab = Buffer.alloc(2 * SMALL_ENTRY_BYTES_MAX);
  const view = new DataView(slab.buffer, slab.byteOffset, slab.length);
  let small = 0;
  fc.assert(fc.property(update, fc.integer({ min: 0, max: SMALL_ENTRY_BYTES_MAX }), fc.integer({ min: 0, max: 0xffffffff }), (u, at, seed) => {
    const n = payloadBytes(u);
    if (n + 12 > SMALL_ENTRY_BYTES_MAX) return;
    small++;
    slab.fill(0xa5);
    const end = encodeSmallEntry(slab, view, at, seed, u, n);
    assert.equal(end, at + n + 12);
    const expected = genericEntry(seed, u);
    assert.deepEqual(slab.subarray(at, end), expected);
    assert.equal(slab[at - 1] ?? 0xa5, 0xa5, 'nothing written before the entry');
    assert.equal(slab[end], 0xa5, 'nothing written after the entry');
    assert.deepEqual(decodeUpdate(new ByteReader(slab.subarray(at + 8, at + 8 + n))), decodeUpdate(new ByteReader(expected.subarray(8, 8 + n))));
  }), { numRuns: 2000 });
  assert.ok(small > 1000, `only ${small} small entries generated`);
});

test('the JS crc32 equals zlib\'s at every length around its slicing width and its cut-over, from any offset and running value', () => {
  const data = Buffer.from(Array.from({ length: 1024 }, (_, i) => (i * 131 + 7) & 0xff));
  for (let len = 0; len <= JS_CRC_BYTES_MAX + 40; len++) {
    for (const start of [0, 1, 3, 17]) {
      for (const running of [0, 1, 0xffffffff, 0x12345678]) {
        const expected = zlibCrc32(data.subarray(start, start + len), running);
        assert.equal(crc32Js(data, start, start + len, running), expected, `len ${len} start ${start} running ${running}`);
        assert.equal(crc32Range(data, start, start + len, running), expected);
      }
    }
  }
});
