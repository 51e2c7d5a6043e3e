import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EnvelopeOutput } from './output.js';
import { decodeBody, encodeBody, encodeBodyInto } from './codec.js';
import { InboundDecoder } from './decoder.js';
import { OPCODE, encodeEnvelope } from './envelope.js';
import type { ColumnSpec, Response } from './messages.js';

const COLUMNS: ColumnSpec[] = [
  { keyspace: 'ks', table: 't', name: 'k', type: { kind: 'native', name: 'int' } },
  { keyspace: 'ks', table: 't', name: 'd', type: { kind: 'native', name: 'duration' } },
];

function rows(n: number, valueBytes: number): Response {
  return { opcode: 'RESULT', result: { kind: 'rows', columns: COLUMNS, rows: Array.from({ length: n }, (_, i) => [Buffer.alloc(4, i), Buffer.alloc(valueBytes, i)]), pagingState: null, noMetadata: false, newMetadataId: null } };
}

/** What encodeEnvelope would produce for the same response. */
function expected(msg: Response, stream: number, version: number): Buffer {
  const { body, flags } = encodeBody(msg, version);
  return encodeEnvelope({ version, isResponse: true, flags, streamId: stream, opcode: OPCODE[msg.opcode] }, body);
}

test('EnvelopeOutput: envelopes of any size, taken at any points, equal encodeEnvelope byte for byte; taken bytes never change', () => {
  fc.assert(fc.property(fc.array(fc.record({ n: fc.integer({ min: 0, max: 20 }), bytes: fc.integer({ min: 0, max: 3000 }), take: fc.boolean(), v: fc.constantFrom(4, 5) }), { maxLength: 30 }), (specs) => {
    const out = new EnvelopeOutput(256);
    const taken: { view: Buffer; copy: Buffer }[] = [];
    let want: Buffer[] = [];
    const takeNow = (): void => {
      if (out.pendingBytes === 0) return;
      const view = out.take();
      assert.deepEqual(view, Buffer.concat(want));
      taken.push({ view, copy: Buffer.from(view) });
      want = [];
    };
    specs.forEach((s, stream) => {
      const msg = rows(s.n, s.bytes);
      const mark = out.begin(s.v);
      const flags = encodeBodyInto(out, msg, s.v);
      out.finish(mark, { version: s.v, flags, streamId: stream, opcode: OPCODE.RESULT });
      want.push(expected(msg, stream, s.v));
      if (s.take) takeNow();
    });
    takeNow();
    for (const t of taken) assert.deepEqual(t.view, t.copy, 'a taken view is never written again');
  }), { numRuns: 200 });
});

test('EnvelopeOutput: rewind drops a half-written envelope; release needs nothing pending', () => {
  const out = new EnvelopeOutput(64);
  const a = out.begin(4);
  encodeBodyInto(out, rows(50, 100), 4);
  out.rewind(a);
  const b = out.begin(4);
  const flags = encodeBodyInto(out, { opcode: 'READY' }, 4);
  out.finish(b, { version: 4, flags, streamId: 7, opcode: OPCODE.READY });
  assert.deepEqual(out.take(), expected({ opcode: 'READY' }, 7, 4));
  out.release();
  assert.equal(out.pendingBytes, 0);
  const c = out.begin(4);
  out.u8(1);
  assert.throws(() => out.release(), /nothing pending/);
  out.rewind(c);
  out.release();
});

test('rows metadata: the memoized column specs match a fresh encoding per version, and decode back', () => {
  for (const v of [4, 5]) {
    const first = encodeBody(rows(2, 3), v).body;
    const again = encodeBody(rows(2, 3), v).body; // memo hit: same columns array
    const fresh = encodeBody({ ...rows(2, 3), result: { ...(rows(2, 3) as Extract<Response, { opcode: 'RESULT' }>).result, columns: COLUMNS.map((c) => ({ ...c })) } } as Response, v).body;
    assert.deepEqual(again, first);
    assert.deepEqual(fresh, first);
    const { message } = decodeBody({ opcode: OPCODE.RESULT, flags: 0, version: v, isResponse: true }, first);
    assert.ok(message.opcode === 'RESULT' && message.result.kind === 'rows');
    assert.deepEqual(message.result.columns.map((c) => c.name), ['k', 'd']);
  }
  const v4 = encodeBody(rows(0, 0), 4).body;
  const v5 = encodeBody(rows(0, 0), 5).body;
  assert.notDeepEqual(v4, v5, 'duration is a custom type in v4 and id 0x15 in v5: one memo entry per version');
});

test('decoder: headers split across chunks at every offset decode the same as in one chunk', () => {
  const frames = [1, 2, 3].map((s) => encodeEnvelope({ version: 4, isResponse: false, flags: 0, streamId: s, opcode: OPCODE.OPTIONS }, Buffer.alloc(0)));
  const all = Buffer.concat(frames);
  for (let cut = 0; cut <= all.length; cut++) {
    const d = new InboundDecoder();
    d.push(all.subarray(0, cut));
    d.push(all.subarray(cut));
    const streams: number[] = [];
    for (let item = d.next(); item; item = d.next()) if (item.kind === 'envelope') streams.push(item.header.streamId);
    assert.deepEqual(streams, [1, 2, 3], `cut at ${cut}`);
  }
});
