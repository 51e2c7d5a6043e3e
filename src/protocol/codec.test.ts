import test from 'node:test';
import assert from 'node:assert/strict';
import {
  AlreadyExists, AuthenticationError, CasWriteUnknown, CqlSyntaxError, FunctionFailure, InvalidRequest, Overloaded,
  ProtocolError, ReadFailure, ReadTimeout, RequestError, ServerError, Unavailable, Unprepared, WriteFailure, WriteTimeout,
} from '../util/errors.js';
import { ByteReader, ByteWriter } from '../util/bytes.js';
import type { CqlType } from '../schema/types.js';
import { RequestDecoder, decodeBody, encodeBody } from './codec.js';
import { EnvelopeView, OPCODE, encodeEnvelope } from './envelope.js';
import { InboundDecoder } from './decoder.js';
import { readTypeOption, writeTypeOption } from './type_option.js';
import { UNSET, type ColumnSpec, type Message, type MessageExtras, type QueryParameters } from './messages.js';

const text: CqlType = { kind: 'native', name: 'text' };
const int: CqlType = { kind: 'native', name: 'int' };
const col = (name: string, type: CqlType = text, table = 't'): ColumnSpec => ({ keyspace: 'ks', table, name, type });

const params = (over: Partial<QueryParameters> = {}): QueryParameters => ({
  consistency: 'LOCAL_QUORUM', values: { kind: 'positional', values: [] }, skipMetadata: false, pageSize: null, pagingState: null,
  serialConsistency: null, defaultTimestamp: null, keyspace: null, nowInSeconds: null, ...over,
});

const ALL_TYPES: CqlType[] = [
  ...(['ascii', 'bigint', 'blob', 'boolean', 'counter', 'date', 'decimal', 'double', 'duration', 'float', 'inet', 'int',
    'smallint', 'text', 'time', 'timestamp', 'timeuuid', 'tinyint', 'uuid', 'varint', 'empty'] as const).map((name): CqlType => ({ kind: 'native', name })),
  { kind: 'custom', className: 'org.apache.cassandra.db.marshal.LexicalUUIDType' },
  { kind: 'list', element: int, frozen: false },
  { kind: 'set', element: { kind: 'list', element: text, frozen: false }, frozen: false },
  { kind: 'map', key: text, value: { kind: 'tuple', elements: [int, text] }, frozen: false },
  { kind: 'udt', keyspace: 'ks', name: 'addr', fieldNames: ['street', 'zip'], fieldTypes: [text, { kind: 'native', name: 'varint' }], frozen: false },
];

/** Messages valid in both v4 and v5 (v5-only fields are null). */
function commonMessages(version = 4): Message[] {
  const metaId = version >= 5 ? Buffer.from([5, 5]) : null;
  return [
    { opcode: 'STARTUP', options: new Map([['CQL_VERSION', '3.0.0'], ['COMPRESSION', 'lz4']]) },
    { opcode: 'OPTIONS' },
    { opcode: 'QUERY', query: 'SELECT * FROM t', params: params() },
    { opcode: 'QUERY', query: 'INSERT INTO t (a, b, c) VALUES (?, ?, ?)', params: params({
      values: { kind: 'positional', values: [Buffer.from('a'), null, UNSET] }, skipMetadata: true, pageSize: 5000,
      pagingState: Buffer.from([1, 2, 3]), serialConsistency: 'LOCAL_SERIAL', defaultTimestamp: 1700000000000000n,
    }) },
    { opcode: 'QUERY', query: 'SELECT * FROM t WHERE a = :a', params: params({ values: { kind: 'named', names: ['a', 'b'], values: [Buffer.from('x'), null] } }) },
    { opcode: 'PREPARE', query: 'SELECT * FROM t WHERE a = ?', keyspace: null },
    { opcode: 'EXECUTE', id: Buffer.from('0123456789abcdef', 'hex'), resultMetadataId: metaId, params: params({ values: { kind: 'positional', values: [Buffer.from([0, 0, 0, 1])] } }) },
    { opcode: 'BATCH', batchType: 'UNLOGGED', consistency: 'ONE', serialConsistency: 'SERIAL', defaultTimestamp: 5n, keyspace: null, nowInSeconds: null, statements: [
      { kind: 'query', query: 'INSERT INTO t (a) VALUES (?)', values: [Buffer.from('v')] },
      { kind: 'prepared', id: Buffer.from([9, 9]), values: [null, UNSET] },
    ] },
    { opcode: 'REGISTER', events: ['TOPOLOGY_CHANGE', 'STATUS_CHANGE', 'SCHEMA_CHANGE'] },
    { opcode: 'AUTH_RESPONSE', token: Buffer.from('\0user\0pass') },
    { opcode: 'AUTH_RESPONSE', token: null },
    { opcode: 'READY' },
    { opcode: 'AUTHENTICATE', authenticator: 'org.apache.cassandra.auth.PasswordAuthenticator' },
    { opcode: 'SUPPORTED', options: new Map([['CQL_VERSION', ['3.4.5']], ['COMPRESSION', ['lz4', 'snappy']]]) },
    { opcode: 'RESULT', result: { kind: 'void' } },
    { opcode: 'RESULT', result: { kind: 'set_keyspace', keyspace: 'ks' } },
    { opcode: 'RESULT', result: { kind: 'rows', columns: [col('a'), col('b', int)], rows: [[Buffer.from('x'), Buffer.from([0, 0, 0, 7])], [null, Buffer.alloc(0)]], pagingState: null, noMetadata: false, newMetadataId: null } },
    { opcode: 'RESULT', result: { kind: 'rows', columns: [col('a'), col('b', int, 'other')], rows: [], pagingState: Buffer.from('more'), noMetadata: false, newMetadataId: null } },
    { opcode: 'RESULT', result: { kind: 'rows', columns: ALL_TYPES.map((t, i) => col(`c${i}`, t)), rows: [], pagingState: null, noMetadata: false, newMetadataId: null } },
    { opcode: 'RESULT', result: { kind: 'prepared', id: Buffer.from([1, 2]), resultMetadataId: metaId, bindVariables: [col('a'), col('b', int)], partitionKeyIndexes: [1, 0], resultColumns: [col('c')] } },
    { opcode: 'RESULT', result: { kind: 'prepared', id: Buffer.from([1, 2]), resultMetadataId: metaId, bindVariables: [], partitionKeyIndexes: [], resultColumns: [] } },
    { opcode: 'RESULT', result: { kind: 'schema_change', change: { changeType: 'CREATED', target: 'KEYSPACE', keyspace: 'ks' } } },
    { opcode: 'RESULT', result: { kind: 'schema_change', change: { changeType: 'UPDATED', target: 'TYPE', keyspace: 'ks', name: 'addr' } } },
    { opcode: 'RESULT', result: { kind: 'schema_change', change: { changeType: 'DROPPED', target: 'FUNCTION', keyspace: 'ks', name: 'f', argTypes: ['int', 'text'] } } },
    { opcode: 'EVENT', event: { type: 'TOPOLOGY_CHANGE', change: 'NEW_NODE', node: { address: '127.0.0.2', port: 9042 } } },
    { opcode: 'EVENT', event: { type: 'STATUS_CHANGE', change: 'DOWN', node: { address: '2001:db8::1', port: 9042 } } },
    { opcode: 'EVENT', event: { type: 'SCHEMA_CHANGE', change: { changeType: 'CREATED', target: 'AGGREGATE', keyspace: 'ks', name: 'agg', argTypes: [] } } },
    { opcode: 'AUTH_CHALLENGE', token: Buffer.from('challenge') },
    { opcode: 'AUTH_SUCCESS', token: null },
    ...errors().map((error): Message => ({ opcode: 'ERROR', error })),
  ];
}

function errors(): RequestError[] {
  return [
    new ServerError('boom'), new ProtocolError('bad frame'), new AuthenticationError('no'), new Overloaded('busy'),
    new CqlSyntaxError('line 1:0'), new InvalidRequest('unconfigured table x'),
    new Unavailable('Cannot achieve consistency level QUORUM', 'QUORUM', 2, 1),
    new WriteTimeout('timeout', 'ONE', 0, 1, 'BATCH_LOG'),
    new ReadTimeout('timeout', 'ALL', 2, 3, true),
    new FunctionFailure('failed', 'ks', 'f', ['int']),
    new AlreadyExists('exists', 'ks', 't'), new Unprepared('unknown id', Buffer.from([1, 2, 3])),
  ];
}

/** v5-only content. */
function v5Messages(): Message[] {
  return [
    { opcode: 'QUERY', query: 'SELECT 1', params: params({ keyspace: 'ks', nowInSeconds: 1234 }) },
    { opcode: 'PREPARE', query: 'SELECT 1', keyspace: 'ks' },
    { opcode: 'EXECUTE', id: Buffer.from([1]), resultMetadataId: Buffer.from([2, 3]), params: params({ keyspace: 'other' }) },
    { opcode: 'BATCH', batchType: 'COUNTER', consistency: 'ONE', serialConsistency: null, defaultTimestamp: null, keyspace: 'ks', nowInSeconds: 99, statements: [] },
    { opcode: 'RESULT', result: { kind: 'rows', columns: [col('a')], rows: [[Buffer.from('q')]], pagingState: null, noMetadata: false, newMetadataId: Buffer.from([7, 7]) } },
    { opcode: 'RESULT', result: { kind: 'prepared', id: Buffer.from([1, 2]), resultMetadataId: Buffer.from([3]), bindVariables: [col('a')], partitionKeyIndexes: [0], resultColumns: [col('a')] } },
    { opcode: 'ERROR', error: new WriteTimeout('cas', 'SERIAL', 0, 1, 'CAS', 3) },
    { opcode: 'ERROR', error: new ReadFailure('failed', 'QUORUM', 1, 2, [{ address: '127.0.0.3', reasonCode: 1 }], false) },
    { opcode: 'ERROR', error: new WriteFailure('failed', 'QUORUM', 1, 2, [{ address: '127.0.0.3', reasonCode: 0 }, { address: '::1', reasonCode: 2 }], 'SIMPLE') },
    { opcode: 'ERROR', error: new CasWriteUnknown('unknown', 'SERIAL', 1, 2) },
  ];
}

/** Comparable form: errors become their class name and own fields. */
function plain(m: unknown): unknown {
  if (m instanceof RequestError) return { class: m.constructor.name, message: m.message, ...Object.fromEntries(Object.entries(m)) };
  if (Buffer.isBuffer(m)) return `0x${m.toString('hex')}`;
  if (m instanceof Map) return [...m.entries()].map(([k, v]) => [k, plain(v)]);
  if (Array.isArray(m)) return m.map(plain);
  if (m === UNSET) return 'UNSET';
  if (m && typeof m === 'object') return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, plain(v)]));
  return m;
}

function roundTrip(msg: Message, version: number, extras: MessageExtras = {}): { message: Message; extras: MessageExtras } {
  const { body, flags } = encodeBody(msg, version, extras);
  const isResponse = !['STARTUP', 'OPTIONS', 'QUERY', 'PREPARE', 'EXECUTE', 'BATCH', 'REGISTER', 'AUTH_RESPONSE'].includes(msg.opcode);
  return decodeBody({ opcode: OPCODE[msg.opcode], flags, version, isResponse }, body);
}

test('every message round-trips in v4 and v5', () => {
  for (const version of [4, 5]) {
    const msgs = version === 5 ? [...commonMessages(5), ...v5Messages()] : commonMessages(4);
    for (const msg of msgs) {
      const back = roundTrip(msg, version);
      assert.deepEqual(plain(back.message), plain(msg), `v${version} ${msg.opcode}`);
    }
  }
});

test('v4 encodings of v5-only errors: CAS_WRITE_UNKNOWN becomes WRITE_TIMEOUT/CAS, failures carry counts', () => {
  const cas = roundTrip({ opcode: 'ERROR', error: new CasWriteUnknown('unknown', 'SERIAL', 1, 2) }, 4).message;
  assert.ok(cas.opcode === 'ERROR' && cas.error instanceof WriteTimeout && cas.error.writeType === 'CAS');
  const rf = roundTrip({ opcode: 'ERROR', error: new ReadFailure('f', 'ONE', 0, 1, [{ address: '1.2.3.4', reasonCode: 1 }, { address: '1.2.3.5', reasonCode: 1 }], true) }, 4).message;
  assert.ok(rf.opcode === 'ERROR' && rf.error instanceof ReadFailure && rf.error.reasons.length === 2 && rf.error.dataPresent);
});

test('extras: tracing id, warnings and custom payload travel in responses; custom payload in requests', () => {
  const extras: MessageExtras = { tracingId: Buffer.alloc(16, 0xab), warnings: ['w1', 'w2'], customPayload: new Map([['k', Buffer.from('v')]]) };
  const back = roundTrip({ opcode: 'RESULT', result: { kind: 'void' } }, 5, extras);
  assert.deepEqual(plain(back.extras), plain(extras));
  const req = roundTrip({ opcode: 'QUERY', query: 'q', params: params() }, 4, extras);
  assert.deepEqual(plain(req.extras), plain({ customPayload: extras.customPayload }));
});

test('no-metadata rows keep the column count and the values', () => {
  const msg: Message = { opcode: 'RESULT', result: { kind: 'rows', columns: [col('a'), col('b')], rows: [[Buffer.from('1'), null]], pagingState: Buffer.from('p'), noMetadata: true, newMetadataId: null } };
  const back = roundTrip(msg, 4).message;
  assert.ok(back.opcode === 'RESULT' && back.result.kind === 'rows');
  if (back.opcode !== 'RESULT' || back.result.kind !== 'rows') return;
  assert.equal(back.result.columns.length, 2);
  assert.ok(back.result.noMetadata);
  assert.deepEqual(plain(back.result.rows), plain([[Buffer.from('1'), null]]));
  assert.deepEqual(back.result.pagingState, Buffer.from('p'));
});

test('type options round-trip for every CQL type; duration is custom in v4', () => {
  for (const version of [4, 5]) {
    for (const t of ALL_TYPES) {
      const w = new ByteWriter();
      writeTypeOption(w, t, version);
      assert.deepEqual(readTypeOption(new ByteReader(w.toBuffer())), t, `v${version} ${JSON.stringify(t)}`);
    }
  }
  const w = new ByteWriter();
  writeTypeOption(w, { kind: 'native', name: 'duration' }, 4);
  assert.equal(w.toBuffer().readUInt16BE(0), 0x0000);
});

test('malformed bodies give ProtocolError naming the message', () => {
  const { body } = encodeBody({ opcode: 'QUERY', query: 'SELECT 1', params: params({ pageSize: 10 }) }, 4);
  for (let cut = 0; cut < body.length; cut++) {
    assert.throws(() => decodeBody({ opcode: OPCODE.QUERY, flags: 0, version: 4, isResponse: false }, body.subarray(0, cut)),
      (e: unknown) => e instanceof ProtocolError && /malformed QUERY message/.test(e.message), `cut at ${cut}`);
  }
  const bad = Buffer.from(body);
  bad.writeUInt16BE(0x00ff, 4 + 'SELECT 1'.length); // consistency code
  assert.throws(() => decodeBody({ opcode: OPCODE.QUERY, flags: 0, version: 4, isResponse: false }, bad), /unknown consistency level code 0x00ff/);
  assert.throws(() => decodeBody({ opcode: 0x04, flags: 0, version: 4, isResponse: false }, Buffer.alloc(0)), /unknown opcode 0x04/);
});

test('envelopes decode identically whatever the chunking (split at every offset, one byte at a time)', () => {
  const msgs = [...commonMessages(5), ...v5Messages()].filter((m) => ['STARTUP', 'OPTIONS', 'QUERY', 'PREPARE', 'EXECUTE', 'BATCH', 'REGISTER', 'AUTH_RESPONSE'].includes(m.opcode));
  const stream = Buffer.concat(msgs.map((m, i) => {
    const { body, flags } = encodeBody(m, 5);
    return encodeEnvelope({ version: 5, isResponse: false, flags, streamId: i, opcode: OPCODE[m.opcode] }, body);
  }));
  const decodeAll = (chunks: Buffer[]): Message[] => {
    const d = new InboundDecoder();
    const out: Message[] = [];
    for (const c of chunks) {
      d.push(c);
      for (let item = d.next(); item; item = d.next()) {
        assert.equal(item.kind, 'envelope');
        if (item.kind !== 'envelope') continue;
        assert.equal(item.header.streamId, out.length);
        out.push(decodeBody({ ...item.header, isResponse: false }, item.body).message);
      }
    }
    return out;
  };
  const want = plain(msgs);
  for (let cut = 0; cut <= stream.length; cut++) {
    assert.deepEqual(plain(decodeAll([stream.subarray(0, cut), stream.subarray(cut)])), want, `split at ${cut}`);
  }
  const bytes: Buffer[] = [];
  for (let i = 0; i < stream.length; i++) bytes.push(stream.subarray(i, i + 1));
  assert.deepEqual(plain(decodeAll(bytes)), want);
});

test('pull() + RequestDecoder (the transport) decode what next() + decodeBody decode, at every split offset, custom payloads included', () => {
  const requestOpcodes = ['STARTUP', 'OPTIONS', 'QUERY', 'PREPARE', 'EXECUTE', 'BATCH', 'REGISTER', 'AUTH_RESPONSE'];
  for (const version of [4, 5]) {
    const msgs = (version === 5 ? [...commonMessages(5), ...v5Messages()] : commonMessages(4)).filter((m) => requestOpcodes.includes(m.opcode));
    const stream = Buffer.concat(msgs.map((m, i) => {
      const { body, flags } = encodeBody(m, version, i % 2 ? { customPayload: new Map([['p', Buffer.from([i])]]) } : {});
      return encodeEnvelope({ version, isResponse: false, flags, streamId: i, opcode: OPCODE[m.opcode] }, body);
    }));
    const viaNext = (chunks: Buffer[]): unknown[] => {
      const d = new InboundDecoder();
      const out: unknown[] = [];
      for (const c of chunks) {
        d.push(c);
        for (let item = d.next(); item; item = d.next()) {
          assert.ok(item.kind === 'envelope');
          const { message, extras } = decodeBody({ ...item.header, version, isResponse: false }, item.body);
          out.push(plain({ stream: item.header.streamId, message, payload: extras.customPayload ?? null }));
        }
      }
      return out;
    };
    const viaPull = (chunks: Buffer[]): unknown[] => {
      const d = new InboundDecoder();
      const view = new EnvelopeView();
      const requests = new RequestDecoder();
      const out: unknown[] = [];
      for (const c of chunks) {
        d.push(c);
        for (let item = d.pull(view); item; item = d.pull(view)) {
          assert.ok(item === view);
          const message = requests.decode(view, version);
          out.push(plain({ stream: view.streamId, message, payload: requests.customPayload }));
        }
      }
      return out;
    };
    const want = viaNext([stream]);
    assert.equal(want.length, msgs.length);
    for (let cut = 0; cut <= stream.length; cut++) {
      const chunks = [stream.subarray(0, cut), stream.subarray(cut)];
      assert.deepEqual(viaPull(chunks), want, `v${version} split at ${cut}`);
    }
  }
});

test('RequestDecoder: response opcodes, unknown opcodes and cut bodies are ProtocolErrors naming the message', () => {
  const view = new EnvelopeView();
  const requests = new RequestDecoder();
  view.opcode = OPCODE.READY;
  view.setBody(Buffer.alloc(0));
  assert.throws(() => requests.decode(view, 4), (e: unknown) => e instanceof ProtocolError && /unexpected READY message: clients send requests only/.test(e.message));
  view.opcode = 0x04;
  assert.throws(() => requests.decode(view, 4), (e: unknown) => e instanceof ProtocolError && /unknown opcode 0x04/.test(e.message));
  const { body } = encodeBody({ opcode: 'EXECUTE', id: Buffer.from([1, 2]), resultMetadataId: null, params: params({ values: { kind: 'positional', values: [Buffer.from('v'), null, UNSET] } }) }, 4);
  const padded = Buffer.concat([Buffer.from([9, 9, 9]), body, Buffer.from([9])]);
  view.opcode = OPCODE.EXECUTE;
  view.buf = padded;
  for (let end = 3; end < 3 + body.length; end++) {
    view.offset = 3;
    view.end = end;
    assert.throws(() => requests.decode(view, 4), (e: unknown) => e instanceof ProtocolError && /malformed EXECUTE message/.test(e.message), `cut at ${end - 3}`);
  }
  view.end = 3 + body.length;
  const back = requests.decode(view, 4);
  assert.ok(back.opcode === 'EXECUTE');
  assert.deepEqual(plain(back.params.values.values), plain([Buffer.from('v'), null, UNSET]));
});

test('bound values decode as Buffer views of the received bytes (no copies), with Buffer methods', () => {
  const { body } = encodeBody({ opcode: 'EXECUTE', id: Buffer.from([1]), resultMetadataId: null, params: params({ values: { kind: 'positional', values: [Buffer.from('abc'), Buffer.alloc(0)] } }) }, 4);
  const back = decodeBody({ opcode: OPCODE.EXECUTE, flags: 0, version: 4, isResponse: false }, body).message;
  assert.ok(back.opcode === 'EXECUTE');
  const [v, empty] = back.params.values.values as Buffer[];
  assert.ok(Buffer.isBuffer(v) && Buffer.isBuffer(empty));
  assert.equal(v!.toString('utf8'), 'abc');
  assert.equal(empty!.length, 0);
  assert.equal(v!.buffer, body.buffer, 'a view of the body');
  body[body.indexOf('abc')] = 0x78;
  assert.equal(v!.toString('utf8'), 'xbc');
  assert.equal(v!.subarray(1).toString('utf8'), 'bc');
});
