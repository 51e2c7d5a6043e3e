import test from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError } from '../util/errors.js';
import { encodeEnvelope } from './envelope.js';
import { InboundDecoder, type Inbound } from './decoder.js';
import { SEGMENT_PAYLOAD_MAX_BYTES, SegmentEncoder, decodeSegmentHeader } from './segment.js';

const env = (stream: number, bodyBytes: number, fill = stream & 0xff): Buffer =>
  encodeEnvelope({ version: 5, isResponse: false, flags: 0, streamId: stream, opcode: 0x07 }, Buffer.alloc(bodyBytes, fill));

function drain(d: InboundDecoder): Inbound[] {
  const out: Inbound[] = [];
  for (let i = d.next(); i; i = d.next()) out.push(i);
  return out;
}

function summary(items: Inbound[]): string[] {
  return items.map((i) => (i.kind === 'envelope' ? `${i.header.streamId}:${i.body.length}:${i.body[0] ?? ''}` : `error:${i.fatal}:${i.error.message}`));
}

test('segment headers: self-contained flag and lengths survive, uncompressed and compressed', () => {
  for (const compressed of [false, true]) {
    const e = new SegmentEncoder(compressed);
    const [header] = e.encodeSegment(Buffer.alloc(1000, 1), true);
    const h = decodeSegmentHeader(header!, 0, compressed);
    assert.equal(h.selfContained, true);
    if (compressed) { assert.ok(h.payloadBytes < 1000); assert.equal(h.uncompressedBytes, 1000); }
    else assert.equal(h.payloadBytes, 1000);
  }
});

test('envelopes packed into segments decode identically at every split offset', () => {
  const envelopes = [env(1, 0), env(2, 10), env(3, 1000), env(4, 5)];
  for (const compressed of [false, true]) {
    const wire = Buffer.concat(new SegmentEncoder(compressed).encodeEnvelopes(envelopes));
    const want = ['1:0:', '2:10:2', '3:1000:3', '4:5:4'];
    for (let cut = 0; cut <= wire.length; cut++) {
      const d = new InboundDecoder();
      d.useSegments(compressed);
      d.push(wire.subarray(0, cut));
      const items = drain(d);
      d.push(wire.subarray(cut));
      items.push(...drain(d));
      assert.deepEqual(summary(items), want, `compressed=${compressed} split at ${cut}`);
    }
  }
});

test('an envelope larger than a segment spans non-self-contained segments', () => {
  for (const compressed of [false, true]) {
    const big = env(9, 3 * SEGMENT_PAYLOAD_MAX_BYTES + 17);
    const parts = new SegmentEncoder(compressed).encodeEnvelopes([env(1, 3), big, env(2, 4)]);
    assert.equal(parts.length, 3 * 6, 'one small segment, four big parts, one small segment');
    const d = new InboundDecoder();
    d.useSegments(compressed);
    for (const p of parts) d.push(p);
    assert.deepEqual(summary(drain(d)), ['1:3:1', `9:${3 * SEGMENT_PAYLOAD_MAX_BYTES + 17}:9`, '2:4:2']);
  }
});

test('a multi-segment envelope over the limit is skipped with an error naming its stream', () => {
  const parts = new SegmentEncoder(false).encodeEnvelopes([env(5, 200_000), env(6, 1)]);
  const d = new InboundDecoder({ maxEnvelopeBytes: 150_000 });
  d.useSegments(false);
  for (const p of parts) d.push(p);
  const items = drain(d);
  assert.equal(items.length, 2);
  assert.ok(items[0]!.kind === 'error' && !items[0]!.fatal && items[0]!.streamId === 5 && /200000 bytes exceeds the limit of 150000/.test(items[0]!.error.message));
  assert.deepEqual(summary([items[1]!]), ['6:1:6']);
});

test('corrupt segments are fatal: header CRC, payload CRC, envelope cut inside a self-contained segment', () => {
  const wire = Buffer.concat(new SegmentEncoder(false).encodeEnvelopes([env(1, 20)]));
  const corrupt = (at: number): Inbound[] => {
    const b = Buffer.from(wire);
    b[at]! ^= 0x01;
    const d = new InboundDecoder();
    d.useSegments(false);
    d.push(b);
    return drain(d);
  };
  assert.match(summary(corrupt(0))[0]!, /^error:true:segment header CRC24 mismatch/);
  assert.match(summary(corrupt(10))[0]!, /^error:true:segment payload CRC32 mismatch/);
  const cutEnvelope = new SegmentEncoder(false).encodeSegment(env(1, 20).subarray(0, 15), true);
  const d = new InboundDecoder();
  d.useSegments(false);
  for (const p of cutEnvelope) d.push(p);
  const items = drain(d);
  assert.ok(items.length === 1 && items[0]!.kind === 'error' && items[0]!.fatal && items[0]!.error instanceof ProtocolError);
  d.push(wire);
  assert.equal(d.next(), null, 'a failed decoder stays failed');
});
