import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TruncatedInput } from '../../util/bytes.js';
import { defaultTableOptions, type ColumnMetadata, type TableMetadata } from '../../schema/metadata.js';
import {
  CorruptFrame, FRAME_HEADER_BYTES, FrameDecoder, MalformedMessage, RESERVED_VERB_CODES, UnknownTable, VERB_CODES,
  decodeBody, encodeBody, encodeFrame, type Message,
} from './mod.js';

const text = { kind: 'native', name: 'text' } as const;
const TABLE: TableMetadata = (() => {
  const k = { name: 'k', type: text, kind: 'partition_key', position: 0, clusteringOrder: 'none' } as const;
  const v = { name: 'v', type: text, kind: 'regular', position: -1, clusteringOrder: 'none' } as const;
  return {
    keyspace: 'ks', name: 't', id: 'table-1', partitionKey: [k], clustering: [], columns: new Map<string, ColumnMetadata>([['k', k], ['v', v]]),
    options: defaultTableOptions(), isCounter: false, virtual: false,
  };
})();
const tables = (id: string) => (id === TABLE.id ? TABLE : undefined);
const b = (s: string) => Buffer.from(s);
const deletion = { markedForDeleteAtMicros: 1_700_000_000_000_123, localDeletionTimeSec: 1_700_000_000 };

/** One message of every verb, with optional fields both present and absent somewhere. */
const SAMPLES: Message[] = [
  { verb: 'HELLO', version: 1, clusterName: 'Test Cluster', address: '127.0.0.2', port: 7000 },
  { verb: 'HELLO_ACK', version: 1, accepted: false, reason: 'cluster name differs' },
  { verb: 'FAILURE_RSP', errorName: 'AlreadyExists', message: 'Table ks.t already exists', details: { keyspace: 'ks', table: 't' } },
  {
    verb: 'MUTATION',
    update: {
      tableId: 'table-1', key: b('k1'), token: -42n, partitionDeletion: deletion,
      rangeTombstones: [{ slice: { start: { values: [b('a')], inclusive: true }, end: { values: [], inclusive: false } }, deletion }],
      staticRow: { clustering: [], cells: [{ column: 's', value: b('sv'), timestampMicros: 5, ttlSec: 0, localExpirationTimeSec: 0 }] },
      rows: [
        {
          clustering: [b('c1')], liveness: { timestampMicros: 7, ttlSec: 60, localExpirationTimeSec: 1_700_000_060 }, deletion,
          complexDeletions: [{ column: 'm', deletion }],
          cells: [
            { column: 'm', path: b('key'), value: b('val'), timestampMicros: 7, ttlSec: 0, localExpirationTimeSec: 0 },
            { column: 'v', value: null, timestampMicros: 8, ttlSec: 0, localExpirationTimeSec: 1_700_000_001 },
            { column: 'c', value: b('ctx'), timestampMicros: 9, ttlSec: 0, localExpirationTimeSec: 0, counter: true },
          ],
        },
        { clustering: [b('c2')], cells: [] },
      ],
    },
  },
  { verb: 'MUTATION_ACK' },
  {
    verb: 'READ',
    command: {
      table: TABLE, partitions: { kind: 'keys', keys: [{ key: b('k1'), token: 3n }] },
      slices: [{ start: { values: [], inclusive: true }, end: { values: [b('z')], inclusive: true } }],
      reversed: true, afterClustering: [b('c1')], rowLimit: Infinity, perPartitionLimit: 10, partitionLimit: Infinity,
      columns: new Set(['v']), nowSec: 1_700_000_000,
    },
  },
  {
    verb: 'READ',
    command: {
      table: TABLE, partitions: { kind: 'range', range: { start: -9n, end: 9n }, after: { key: b('k0'), token: 1n } },
      slices: [], reversed: false, rowLimit: 100, perPartitionLimit: Infinity, partitionLimit: 5, nowSec: 1,
    },
  },
  {
    verb: 'READ_RESPONSE',
    result: {
      partitions: [{ key: b('k1'), token: 3n, rangeTombstones: [], rows: [{ clustering: [], cells: [] }] }],
      stats: { sstablesRead: 2, tombstonesScanned: 0, liveRowsScanned: 1 }, warnings: ['many tombstones'],
    },
  },
  {
    verb: 'READ_DIGEST',
    command: {
      table: TABLE, partitions: { kind: 'keys', keys: [{ key: b('k1'), token: 3n }] },
      slices: [], reversed: false, rowLimit: 10, perPartitionLimit: Infinity, partitionLimit: Infinity, nowSec: 2,
    },
  },
  { verb: 'READ_DIGEST_RSP', digest: Buffer.from('0123456789abcdef') },
  { verb: 'TRUNCATE', tableId: 'table-1' },
  { verb: 'TRUNCATE_ACK' },
  { verb: 'GOSSIP_SYN', clusterName: 'c', digests: [{ endpoint: '127.0.0.1', generation: 1_700_000_000, maxVersion: 12 }] },
  {
    verb: 'GOSSIP_ACK', digests: [{ endpoint: '127.0.0.3', generation: 5, maxVersion: 0 }],
    states: [{ endpoint: '127.0.0.2', generation: 9, heartbeatVersion: 40, appStates: [{ name: 'STATUS', value: 'NORMAL,-5', version: 3 }] }],
  },
  { verb: 'GOSSIP_ACK2', states: [] },
  { verb: 'ECHO' },
  { verb: 'ECHO_RSP' },
  { verb: 'SCHEMA_PULL', sinceSeq: 17 },
  { verb: 'SCHEMA_PUSH', entries: [{ seq: 1, ops: [{ op: 'drop_keyspace', name: 'x' }] }] },
  { verb: 'SCHEMA_FORWARD', statement: { kind: 'drop_keyspace', name: 'x', ifExists: true }, keyspace: null },
  { verb: 'SCHEMA_FORWARD_RSP', result: { change: null, warnings: [] }, entries: [] },
];

function roundTrip(m: Message): Message {
  return decodeBody(VERB_CODES[m.verb], encodeBody(m), tables);
}

test('every verb survives encode and decode unchanged', () => {
  const seen = new Set(SAMPLES.map((m) => m.verb));
  assert.deepEqual([...seen].sort(), Object.keys(VERB_CODES).sort(), 'a sample for every verb');
  for (const m of SAMPLES) assert.deepEqual(roundTrip(m), m, m.verb);
});

test('verb codes are distinct and do not collide with reserved ones', () => {
  const codes = Object.values(VERB_CODES);
  assert.equal(new Set(codes).size, codes.length);
  for (const code of RESERVED_VERB_CODES.keys()) assert.ok(!codes.includes(code));
});

test('a reserved or unknown verb code is a MalformedMessage naming it', () => {
  assert.throws(() => decodeBody(40, Buffer.alloc(0), tables), (e: unknown) => e instanceof MalformedMessage && /HINT/.test(e.message));
  assert.throws(() => decodeBody(250, Buffer.alloc(0), tables), MalformedMessage);
});

test('a MUTATION or READ for an unknown table fails with UnknownTable', () => {
  const mutation = SAMPLES.find((m) => m.verb === 'MUTATION')!;
  assert.throws(() => decodeBody(VERB_CODES.MUTATION, encodeBody(mutation), () => undefined), UnknownTable);
  const read = SAMPLES.find((m) => m.verb === 'READ')!;
  assert.throws(() => decodeBody(VERB_CODES.READ, encodeBody(read), () => undefined), UnknownTable);
});

test('trailing bytes after a body are rejected', () => {
  const body = Buffer.concat([encodeBody({ verb: 'ECHO' }), Buffer.from([0])]);
  assert.throws(() => decodeBody(VERB_CODES.ECHO, body, tables), MalformedMessage);
});

test('a stream of frames split at every offset decodes to the same frames', () => {
  const frames = SAMPLES.map((m, i) => encodeFrame({ verbCode: VERB_CODES[m.verb], requestId: i + 1, timeoutMs: i * 10 }, encodeBody(m)));
  const stream = Buffer.concat(frames);
  for (let cut = 0; cut <= stream.length; cut++) {
    const d = new FrameDecoder();
    const got = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
    assert.equal(got.length, SAMPLES.length, `cut at ${cut}`);
    got.forEach((f, i) => {
      assert.equal(f.requestId, i + 1);
      assert.equal(f.timeoutMs, i * 10);
      assert.deepEqual(decodeBody(f.verbCode, Buffer.from(f.body), tables), SAMPLES[i]);
    });
    assert.equal(d.bufferedBytes, 0);
  }
});

test('byte-at-a-time delivery yields each frame once', () => {
  const frame = encodeFrame({ verbCode: VERB_CODES.ECHO, requestId: 9, timeoutMs: 0 }, encodeBody({ verb: 'ECHO' }));
  const d = new FrameDecoder();
  let count = 0;
  for (const byte of frame) count += d.push(Buffer.from([byte])).length;
  assert.equal(count, 1);
});

test('a flipped bit anywhere in a frame is caught (crc or header checks), never mis-decoded silently', () => {
  const m = SAMPLES[3]!;
  const frame = encodeFrame({ verbCode: VERB_CODES[m.verb], requestId: 1, timeoutMs: 0 }, encodeBody(m));
  for (let i = 0; i < frame.length; i++) {
    const bad = Buffer.from(frame);
    bad[i]! ^= 0x10;
    const d = new FrameDecoder();
    try {
      const got = d.push(bad);
      // A flipped length bit can make the decoder wait for more bytes; it must not yield a frame.
      assert.equal(got.length, 0, `flip at ${i} yielded a frame`);
    } catch (e) {
      assert.ok(e instanceof CorruptFrame, `flip at ${i}: ${String(e)}`);
    }
  }
});

test('an oversized length is refused before buffering the body', () => {
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  header.writeUInt32BE(0xffff_fff0, 0);
  assert.throws(() => new FrameDecoder().push(header), CorruptFrame);
});

test('fuzz: random bytes make the frame decoder yield frames or throw CorruptFrame, nothing else', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
    try {
      new FrameDecoder().push(Buffer.from(bytes));
    } catch (e) {
      if (!(e instanceof CorruptFrame)) throw e;
    }
  }), { numRuns: 2000 });
});

test('fuzz: random and mutated bodies decode or fail with a typed error', () => {
  const known = new Set([MalformedMessage, TruncatedInput, UnknownTable]);
  const check = (code: number, body: Buffer) => {
    try {
      decodeBody(code, body, tables);
    } catch (e) {
      if (![...known].some((k) => e instanceof k)) throw e;
    }
  };
  const codes = Object.values(VERB_CODES);
  fc.assert(fc.property(fc.constantFrom(...codes), fc.uint8Array({ maxLength: 120 }), (code, bytes) => check(code, Buffer.from(bytes))), { numRuns: 3000 });
  const bodies = SAMPLES.map((m) => ({ code: VERB_CODES[m.verb], body: encodeBody(m) }));
  fc.assert(fc.property(fc.constantFrom(...bodies), fc.nat(), fc.integer({ min: 0, max: 255 }), ({ code, body }, at, byte) => {
    const mutated = Buffer.from(body);
    if (mutated.length > 0) mutated[at % mutated.length] = byte;
    check(code, mutated);
    check(code, mutated.subarray(0, at % (mutated.length + 1)));
  }), { numRuns: 3000 });
});
