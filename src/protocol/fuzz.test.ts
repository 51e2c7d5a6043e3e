import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ProtocolError } from '../util/errors.js';
import { TruncatedInput } from '../util/bytes.js';
import { RequestDecoder, decodeBody, encodeBody } from './codec.js';
import { EnvelopeView, OPCODE, encodeEnvelope } from './envelope.js';
import { InboundDecoder } from './decoder.js';
import { SegmentEncoder } from './segment.js';
import { Lz4BodyCompressor, SnappyBodyCompressor, lz4DecompressBlock } from './compression.js';
import { UNSET, type Request } from './messages.js';

const RUNS = 300;

function validStream(version: number): Buffer {
  const reqs: Request[] = [
    { opcode: 'STARTUP', options: new Map([['CQL_VERSION', '3.0.0']]) },
    { opcode: 'QUERY', query: 'SELECT * FROM ks.t WHERE k = ?', params: {
      consistency: 'QUORUM', values: { kind: 'positional', values: [Buffer.from('k'), null, UNSET] }, skipMetadata: true, pageSize: 100,
      pagingState: Buffer.from([1, 2]), serialConsistency: 'SERIAL', defaultTimestamp: 12345n, keyspace: 'ks', nowInSeconds: 7,
    } },
    { opcode: 'PREPARE', query: 'SELECT 1', keyspace: 'ks' },
    { opcode: 'EXECUTE', id: Buffer.from([1, 2, 3]), resultMetadataId: Buffer.from([4]), params: {
      consistency: 'ONE', values: { kind: 'named', names: ['a'], values: [Buffer.from('v')] }, skipMetadata: false, pageSize: null,
      pagingState: null, serialConsistency: null, defaultTimestamp: null, keyspace: null, nowInSeconds: null,
    } },
    { opcode: 'BATCH', batchType: 'LOGGED', consistency: 'ONE', serialConsistency: null, defaultTimestamp: 1n, keyspace: null, nowInSeconds: null,
      statements: [{ kind: 'query', query: 'INSERT', values: [null] }, { kind: 'prepared', id: Buffer.from([7]), values: [] }] },
    { opcode: 'REGISTER', events: ['SCHEMA_CHANGE'] },
    { opcode: 'AUTH_RESPONSE', token: Buffer.from('\0a\0b') },
  ];
  return Buffer.concat(reqs.map((r, i) => {
    const { body, flags } = encodeBody(r, version, { customPayload: i % 2 ? new Map([['x', Buffer.from('y')]]) : undefined });
    return encodeEnvelope({ version, isResponse: false, flags, streamId: i, opcode: OPCODE[r.opcode] }, body);
  }));
}

/**
 * Feeds chunks to a decoder in the given mode; decodes every envelope body, through next() and
 * decodeBody, or through pull() and the transport's RequestDecoder. Only ProtocolError may escape.
 */
function exercise(chunks: Uint8Array[], mode: 'envelopes' | 'segments' | 'lz4-segments', version: number, pull = false): void {
  const d = new InboundDecoder({ maxEnvelopeBytes: 64 * 1024 });
  if (mode !== 'envelopes') d.useSegments(mode === 'lz4-segments');
  if (pull) { exercisePull(d, chunks, version); return; }
  for (const c of chunks) {
    d.push(Buffer.from(c));
    for (let item = d.next(); item; item = d.next()) {
      if (item.kind === 'error') { assert.ok(item.error instanceof ProtocolError); continue; }
      try {
        decodeBody({ opcode: item.header.opcode, flags: item.header.flags, version, isResponse: false }, item.body);
      } catch (e) {
        assert.ok(e instanceof ProtocolError, `decodeBody threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
      }
    }
  }
}

function exercisePull(d: InboundDecoder, chunks: Uint8Array[], version: number): void {
  const view = new EnvelopeView();
  const requests = new RequestDecoder();
  for (const c of chunks) {
    d.push(Buffer.from(c));
    for (let item = d.pull(view); item; item = d.pull(view)) {
      if (item.kind === 'error') { assert.ok(item.error instanceof ProtocolError); continue; }
      assert.ok(item.offset <= item.end && item.end <= item.buf.length && item.end - item.offset === item.bodyLength, 'view within its buffer');
      try {
        requests.decode(item, version);
      } catch (e) {
        assert.ok(e instanceof ProtocolError, `RequestDecoder threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
      }
    }
  }
}

const modes = fc.constantFrom('envelopes' as const, 'segments' as const, 'lz4-segments' as const);

test('fuzz: random bytes in random chunks never make the decoder throw anything but ProtocolError', () => {
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), modes, fc.constantFrom(4, 5), fc.boolean(), (chunks, mode, version, pull) => {
    exercise(chunks, mode, version, pull);
  }), { numRuns: RUNS });
});

test('fuzz: mutated valid streams (byte flips, cuts, insertions) in every mode', () => {
  const sources = {
    envelopes: [validStream(4), validStream(5)],
    segments: [Buffer.concat(new SegmentEncoder(false).encodeEnvelopes([validStream(5)]))],
    'lz4-segments': [Buffer.concat(new SegmentEncoder(true).encodeEnvelopes([validStream(5)]))],
  };
  const mutation = fc.record({
    flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
    cut: fc.option(fc.nat()),
    insert: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 }))),
    splits: fc.array(fc.nat(), { maxLength: 4 }),
  });
  fc.assert(fc.property(modes, fc.nat(), mutation, fc.boolean(), (mode, which, m, pull) => {
    const list = sources[mode];
    let b = Buffer.from(list[which % list.length]!);
    for (const [at, x] of m.flips) b[at % b.length]! ^= x;
    if (m.insert) { const at = m.insert[0] % (b.length + 1); b = Buffer.concat([b.subarray(0, at), Buffer.from(m.insert[1]), b.subarray(at)]); }
    if (m.cut !== null) b = b.subarray(0, m.cut % (b.length + 1));
    const points = [...new Set(m.splits.map((s) => s % (b.length + 1)))].sort((x, y) => x - y);
    const chunks: Buffer[] = [];
    let prev = 0;
    for (const p of points) { chunks.push(b.subarray(prev, p)); prev = p; }
    chunks.push(b.subarray(prev));
    exercise(chunks, mode, mode === 'envelopes' && which % 2 === 0 ? 4 : 5, pull);
  }), { numRuns: RUNS * 2 });
});

test('fuzz: decodeBody on random bodies for every opcode throws only ProtocolError', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0x12 }), fc.integer({ min: 0, max: 31 }), fc.constantFrom(4, 5), fc.boolean(), fc.uint8Array({ maxLength: 200 }),
    (opcode, flags, version, isResponse, body) => {
      try {
        decodeBody({ opcode, flags, version, isResponse }, Buffer.from(body));
      } catch (e) {
        assert.ok(e instanceof ProtocolError, `${(e as Error).name}: ${(e as Error).message}`);
      }
    }), { numRuns: RUNS * 3 });
});

test('fuzz: decompressors throw only ProtocolError on random input', () => {
  const lz4 = new Lz4BodyCompressor();
  const snappy = new SnappyBodyCompressor();
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 5000 }), (input, n) => {
    for (const f of [() => lz4DecompressBlock(input, n), () => lz4.decompress(Buffer.from(input), 5000), () => snappy.decompress(Buffer.from(input), 5000)]) {
      try { f(); } catch (e) { assert.ok(e instanceof ProtocolError && !(e instanceof TruncatedInput), `${(e as Error).name}: ${(e as Error).message}`); }
    }
  }), { numRuns: RUNS * 3 });
});
