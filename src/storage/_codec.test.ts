// updateBytes must equal what encodeUpdate writes: the commit log sizes each entry with it and
// encodes whole batches into one buffer (an assertion there catches a mismatch as a bug).
import test from 'node:test';
import assert from 'node:assert/strict';
import { ByteReader, ByteWriter } from '../util/bytes.js';
import type { PartitionUpdate, Row } from './data.js';
import { decodeUpdate, encodeUpdate, FixedWriter, updateBytes } from './_codec.js';
import { encodeEntry, parseSegment, encodeSegmentHeader, SEGMENT_HEADER_BYTES } from './commitlog/commitlog.js';

const b = (s: string) => Buffer.from(s, 'utf8');
const del = { markedForDeleteAtMicros: 5, localDeletionTimeSec: 7 };
const live = { timestampMicros: 9, ttlSec: 0, localExpirationTimeSec: 0 };

function upd(parts: Partial<PartitionUpdate>): PartitionUpdate {
  return { tableId: '5a1e0c00-0000-1000-8000-000000000001', key: b('k'), token: -12345n, rangeTombstones: [], rows: [], ...parts };
}

const fullRow: Row = {
  clustering: [b('c1'), Buffer.alloc(0)], liveness: live, deletion: del,
  complexDeletions: [{ column: 'märk', deletion: del }],
  cells: [
    { column: 'v', value: b('value'), timestampMicros: 1, ttlSec: 3, localExpirationTimeSec: 4 },
    { column: 'm', path: b('key'), value: null, timestampMicros: 2, ttlSec: 0, localExpirationTimeSec: 100 },
    { column: 'ç', value: Buffer.alloc(70_000, 1), timestampMicros: 3, ttlSec: 0, localExpirationTimeSec: 0, counter: true },
  ],
};

const CASES: [string, PartitionUpdate][] = [
  ['empty partition', upd({})],
  ['partition deletion', upd({ partitionDeletion: del })],
  ['range tombstones', upd({ rangeTombstones: [{ slice: { start: { inclusive: true, values: [b('a')] }, end: { inclusive: false, values: [] } }, deletion: del }] })],
  ['static row', upd({ staticRow: { clustering: [], cells: [{ column: 's', value: b('x'), timestampMicros: 1, ttlSec: 0, localExpirationTimeSec: 0 }] } })],
  ['every row feature, unicode column names, a large value', upd({ rows: [fullRow, { clustering: [b('c2')], cells: [] }] })],
  ['empty key and table id of multibyte characters', upd({ key: Buffer.alloc(0), tableId: 'tåble' })],
];

for (const [name, u] of CASES) {
  test(`updateBytes equals the encoded size: ${name}`, () => {
    const w = new ByteWriter(16);
    encodeUpdate(w, u);
    assert.equal(updateBytes(u), w.length);
    const f = new FixedWriter(Buffer.alloc(updateBytes(u)));
    encodeUpdate(f, u);
    assert.equal(f.length, f.buf.length);
    assert.deepEqual(f.buf, w.view());
    assert.deepEqual(decodeUpdate(new ByteReader(f.buf)), decodeUpdate(new ByteReader(w.view())));
  });
}

test('FixedWriter refuses to grow', () => {
  const f = new FixedWriter(Buffer.alloc(3));
  assert.throws(() => f.u32(1), RangeError);
  assert.throws(() => f.bytes(Buffer.alloc(4)), RangeError);
});

test('commit log entries encoded in place parse back, in order, with their positions', () => {
  const id = 1_700_000_000_123;
  const entries = CASES.map(([, u]) => encodeEntry(id, u));
  const seg = Buffer.concat([encodeSegmentHeader(id), ...entries, Buffer.alloc(64)]);
  const parsed = parseSegment(seg, id);
  assert.equal(parsed.stopReason, undefined);
  assert.equal(parsed.entries.length, CASES.length);
  let at = SEGMENT_HEADER_BYTES;
  for (let i = 0; i < CASES.length; i++) {
    assert.equal(parsed.entries[i]!.position.offset, at);
    assert.deepEqual(parsed.entries[i]!.update, decodeUpdate(new ByteReader((() => { const w = new ByteWriter(); encodeUpdate(w, CASES[i]![1]); return w.toBuffer(); })())));
    at += entries[i]!.length;
  }
  // The same bytes in a segment with another id fail the header checksum: stale entries of a recycled file never replay.
  assert.equal(parseSegment(Buffer.concat([encodeSegmentHeader(id + 1), ...entries]), id + 1).entries.length, 0);
});

test('strings: names kept encoded, non-ASCII, longer than a name, and more distinct names than the cache holds read back', () => {
  const names = ['v', 'ünïcödé', '列名', 'x'.repeat(128), 'y'.repeat(129), 'z'.repeat(5000)];
  for (let i = 0; i < 5000; i++) names.push(`c${i}`); // past ENCODED_NAMES_MAX: the cache starts over
  for (const round of [0, 1]) { // the second round reads names back from the cache
    for (const name of names) {
      const u = upd({ rows: [{ clustering: [], cells: [{ column: name, value: b('1'), timestampMicros: 1, ttlSec: 0, localExpirationTimeSec: 0 }] }] });
      const w = new ByteWriter(16);
      encodeUpdate(w, u);
      assert.equal(w.length, updateBytes(u), `round ${round}: size of ${name.slice(0, 20)}`);
      assert.equal(decodeUpdate(new ByteReader(w.view())).rows[0]!.cells[0]!.column, name);
    }
  }
});
