// Compatibility: issue 2's native-protocol items against a real node process, with a bare protocol
// client (src/server/native/_raw_client.ts) where the drivers cannot express the request:
// SUPPORTED contents, every RESULT kind, error fields, prepared ids, EVENTs, every query flag,
// 32768 streams, compression and v5 framing, warnings, and bad input.

import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { nodeEnv } from '../../src/env/node/mod.js';
import { RawClient, describe, queryParams, type Received } from '../../src/server/native/_raw_client.js';
import { encodeEnvelopeHeader, OPCODE } from '../../src/protocol/envelope.js';
import { UNSET, type QueryParameters, type Response, type ResultBody } from '../../src/protocol/messages.js';
import { AlreadyExists, Unavailable, Unprepared, type RequestError } from '../../src/util/errors.js';
import { startNodeProcess, type NodeProcess } from '../harness.js';

const T = { timeout: 60_000 };
const env = nodeEnv();
let node: NodeProcess;
const clients: RawClient[] = [];

before(async () => {
  node = await startNodeProcess();
  const c = await open();
  await query(c, "CREATE KEYSPACE pk WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await query(c, "CREATE KEYSPACE pk3 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}");
  await query(c, 'CREATE TABLE pk.t (k int, c int, v text, PRIMARY KEY (k, c))');
  await query(c, 'CREATE TABLE pk3.t (k int PRIMARY KEY, v int)');
});

after(async () => {
  for (const c of clients) c.close();
  await node?.cleanup();
});

async function open(version = 4, options: Record<string, string> = {}): Promise<RawClient> {
  const c = await RawClient.connect(env, node.port, { host: node.host });
  clients.push(c);
  await c.startup(version, options);
  return c;
}

const int = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };
const text = (s: string): Buffer => Buffer.from(s, 'utf8');

async function roundTrip(c: RawClient, send: () => number): Promise<Received> {
  const stream = send();
  for (;;) {
    const r = await c.next();
    if (r.header.streamId === stream) return r;
  }
}

async function query(c: RawClient, cql: string, params: Partial<QueryParameters> = {}): Promise<Received> {
  return roundTrip(c, () => c.send({ opcode: 'QUERY', query: cql, params: queryParams(params) }));
}

function result(r: Received): ResultBody {
  assert.equal(r.message.opcode, 'RESULT', describe(r.message));
  return (r.message as Extract<Response, { opcode: 'RESULT' }>).result;
}

function rows(r: Received): (Buffer | null)[][] {
  const body = result(r);
  assert.equal(body.kind, 'rows');
  return body.kind === 'rows' ? body.rows : [];
}

function failure(r: Received, code: number): RequestError {
  assert.equal(r.message.opcode, 'ERROR', `expected error 0x${code.toString(16)}, got ${describe(r.message)}`);
  const e = (r.message as Extract<Response, { opcode: 'ERROR' }>).error;
  assert.equal(e.code, code, e.message);
  return e;
}

test('OPTIONS → SUPPORTED lists CQL_VERSION, COMPRESSION (lz4, snappy) and PROTOCOL_VERSIONS', T, async () => {
  const c = await RawClient.connect(env, node.port, { host: node.host });
  clients.push(c);
  const r = await roundTrip(c, () => c.send({ opcode: 'OPTIONS' }));
  assert.equal(r.message.opcode, 'SUPPORTED');
  const options = (r.message as Extract<Response, { opcode: 'SUPPORTED' }>).options;
  assert.match(options.get('CQL_VERSION')?.[0] ?? '', /^3\.4\.\d+$/);
  assert.deepEqual([...(options.get('COMPRESSION') ?? [])].sort(), ['lz4', 'snappy']);
  const versions = options.get('PROTOCOL_VERSIONS') ?? [];
  assert.ok(versions.includes('4/v4') && versions.includes('5/v5'), versions.join(','));
});

test('STARTUP options: DRIVER_NAME/DRIVER_VERSION are shown in system_views.clients; a bad CQL_VERSION is refused', T, async () => {
  const c = await open(4, { DRIVER_NAME: 'compat-raw', DRIVER_VERSION: '9.9' });
  const r = await query(c, 'SELECT driver_name, driver_version FROM system_views.clients');
  const names = rows(r).map((row) => [row[0]?.toString(), row[1]?.toString()]);
  assert.ok(names.some(([n, v]) => n === 'compat-raw' && v === '9.9'), JSON.stringify(names));
  const bad = await RawClient.connect(env, node.port, { host: node.host });
  clients.push(bad);
  const answer = await roundTrip(bad, () => bad.send({ opcode: 'STARTUP', options: new Map([['CQL_VERSION', '9.9.9']]) }, { stream: 0 }));
  failure(answer, 0x000a);
});

test('every RESULT kind: Void, Rows, Set_keyspace, Prepared, Schema_change (with its target and names)', T, async () => {
  const c = await open();
  assert.equal(result(await query(c, "INSERT INTO pk.t (k, c, v) VALUES (1, 1, 'a')")).kind, 'void');
  assert.equal(result(await query(c, 'SELECT * FROM pk.t WHERE k = 1')).kind, 'rows');
  assert.deepEqual(result(await query(c, 'USE pk')), { kind: 'set_keyspace', keyspace: 'pk' });
  const prepared = result(await roundTrip(c, () => c.send({ opcode: 'PREPARE', query: 'SELECT v FROM t WHERE k = ?', keyspace: null })));
  assert.equal(prepared.kind, 'prepared');
  assert.deepEqual(result(await query(c, 'CREATE TABLE rk (k int PRIMARY KEY)')),
    { kind: 'schema_change', change: { changeType: 'CREATED', target: 'TABLE', keyspace: 'pk', name: 'rk' } });
  assert.deepEqual(result(await query(c, 'CREATE TYPE rty (a int)')),
    { kind: 'schema_change', change: { changeType: 'CREATED', target: 'TYPE', keyspace: 'pk', name: 'rty' } });
  assert.deepEqual(result(await query(c, 'ALTER TABLE rk ADD v int')),
    { kind: 'schema_change', change: { changeType: 'UPDATED', target: 'TABLE', keyspace: 'pk', name: 'rk' } });
  assert.deepEqual(result(await query(c, "CREATE KEYSPACE rks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")),
    { kind: 'schema_change', change: { changeType: 'CREATED', target: 'KEYSPACE', keyspace: 'rks' } });
  assert.deepEqual(result(await query(c, 'DROP KEYSPACE rks')),
    { kind: 'schema_change', change: { changeType: 'DROPPED', target: 'KEYSPACE', keyspace: 'rks' } });
});

test('prepared ids are MD5 of the query (of keyspace + query when a keyspace is set); unknown ids get UNPREPARED with the id', T, async () => {
  const c = await open();
  const q = 'SELECT v FROM pk.t WHERE k = ?';
  const p = result(await roundTrip(c, () => c.send({ opcode: 'PREPARE', query: q, keyspace: null })));
  assert.ok(p.kind === 'prepared');
  assert.equal(p.id.toString('hex'), createHash('md5').update(q).digest('hex'));
  assert.deepEqual(p.partitionKeyIndexes, [0]);
  const c2 = await open();
  await query(c2, 'USE pk');
  const q2 = 'SELECT v FROM t WHERE k = ?';
  const p2 = result(await roundTrip(c2, () => c2.send({ opcode: 'PREPARE', query: q2, keyspace: null })));
  assert.ok(p2.kind === 'prepared');
  assert.equal(p2.id.toString('hex'), createHash('md5').update('pk' + q2).digest('hex'));
  const unknown = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  const r = await roundTrip(c, () => c.send({ opcode: 'EXECUTE', id: unknown, resultMetadataId: null, params: queryParams() }));
  const e = failure(r, 0x2500);
  assert.ok(e instanceof Unprepared && e.statementId.equals(unknown));
});

test('ERROR bodies carry their fields: Unavailable (CL, required, alive), AlreadyExists (keyspace, table), syntax position', T, async () => {
  const c = await open();
  const un = failure(await query(c, 'INSERT INTO pk3.t (k, v) VALUES (1, 1)', { consistency: 'ALL' }), 0x1000);
  assert.ok(un instanceof Unavailable);
  assert.deepEqual([un.consistency, un.required, un.alive], ['ALL', 3, 1]);
  const quorum = failure(await query(c, 'SELECT * FROM pk3.t WHERE k = 1', { consistency: 'QUORUM' }), 0x1000) as Unavailable;
  assert.deepEqual([quorum.consistency, quorum.required, quorum.alive], ['QUORUM', 2, 1]);
  const ks = failure(await query(c, "CREATE KEYSPACE pk WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"), 0x2400);
  assert.ok(ks instanceof AlreadyExists);
  assert.deepEqual([ks.keyspace, ks.table], ['pk', '']);
  const tb = failure(await query(c, 'CREATE TABLE pk.t (k int PRIMARY KEY)'), 0x2400) as AlreadyExists;
  assert.deepEqual([tb.keyspace, tb.table], ['pk', 't']);
  const syntax = failure(await query(c, 'SELECT * FROM pk.t WHERE k = = 1'), 0x2000);
  assert.match(syntax.message, /^line 1:\d+ .*'='/);
  const conf = failure(await query(c, "CREATE KEYSPACE x WITH replication = {'class': 'NoSuchStrategy'}"), 0x2300);
  assert.match(conf.message, /NoSuchStrategy/);
});

test('REGISTER SCHEMA_CHANGE: DDL on another connection arrives as an EVENT on stream -1', T, async () => {
  const listener = await open();
  const ready = await roundTrip(listener, () => listener.send({ opcode: 'REGISTER', events: ['SCHEMA_CHANGE', 'STATUS_CHANGE', 'TOPOLOGY_CHANGE'] }));
  assert.equal(ready.message.opcode, 'READY');
  const other = await open();
  await query(other, 'CREATE TABLE pk.evt (k int PRIMARY KEY)');
  const ev = await listener.next();
  assert.equal(ev.header.streamId, -1);
  assert.deepEqual(ev.message, { opcode: 'EVENT', event: { type: 'SCHEMA_CHANGE', change: { changeType: 'CREATED', target: 'TABLE', keyspace: 'pk', name: 'evt' } } });
});

test('query flags: values, named values, page size + paging state, skip metadata, default timestamp (= writetime)', T, async () => {
  const c = await open();
  for (let i = 0; i < 10; i++) {
    const r = await query(c, 'INSERT INTO pk.t (k, c, v) VALUES (?, ?, ?)', { values: { kind: 'positional', values: [int(2), int(i), text(`v${i}`)] } });
    assert.equal(result(r).kind, 'void');
  }
  const named = await query(c, 'SELECT v FROM pk.t WHERE k = :kk AND c = :cc', { values: { kind: 'named', names: ['cc', 'kk'], values: [int(3), int(2)] } });
  assert.equal(rows(named)[0]![0]!.toString(), 'v3');
  const seen: string[] = [];
  let pagingState: Buffer | null = null;
  let pages = 0;
  do {
    const body = result(await query(c, 'SELECT v FROM pk.t WHERE k = 2', { pageSize: 3, pagingState }));
    assert.ok(body.kind === 'rows');
    assert.ok(body.rows.length <= 3);
    seen.push(...body.rows.map((r) => r[0]!.toString()));
    pagingState = body.pagingState;
    pages++;
  } while (pagingState && pages < 20);
  assert.deepEqual(seen, Array.from({ length: 10 }, (_, i) => `v${i}`));
  assert.ok(pages >= 4, `${pages} pages`);
  const p = result(await roundTrip(c, () => c.send({ opcode: 'PREPARE', query: 'SELECT c, v FROM pk.t WHERE k = ?', keyspace: null })));
  assert.ok(p.kind === 'prepared');
  const ex = result(await roundTrip(c, () => c.send({ opcode: 'EXECUTE', id: p.id, resultMetadataId: null, params: queryParams({ skipMetadata: true, values: { kind: 'positional', values: [int(2)] } }) })));
  assert.ok(ex.kind === 'rows' && ex.noMetadata, 'rows sent without metadata');
  assert.equal(ex.rows.length, 10);
  await query(c, "INSERT INTO pk.t (k, c, v) VALUES (3, 1, 'ts')", { defaultTimestamp: 1234567890n });
  const wt = rows(await query(c, 'SELECT writetime(v) FROM pk.t WHERE k = 3 AND c = 1'));
  assert.equal(wt[0]![0]!.readBigInt64BE(), 1234567890n);
  await query(c, "INSERT INTO pk.t (k, c, v) VALUES (3, 1, 'older') USING TIMESTAMP 1234567889");
  assert.equal(rows(await query(c, 'SELECT v FROM pk.t WHERE k = 3 AND c = 1'))[0]![0]!.toString(), 'ts');
});

test('query flags: an UNSET value leaves the column alone; null deletes it', T, async () => {
  const c = await open();
  await query(c, "INSERT INTO pk.t (k, c, v) VALUES (4, 1, 'keep')");
  await query(c, 'INSERT INTO pk.t (k, c, v) VALUES (?, ?, ?)', { values: { kind: 'positional', values: [int(4), int(1), UNSET] } });
  assert.equal(rows(await query(c, 'SELECT v FROM pk.t WHERE k = 4 AND c = 1'))[0]![0]!.toString(), 'keep');
  await query(c, 'INSERT INTO pk.t (k, c, v) VALUES (?, ?, ?)', { values: { kind: 'positional', values: [int(4), int(1), null] } });
  assert.equal(rows(await query(c, 'SELECT v FROM pk.t WHERE k = 4 AND c = 1'))[0]![0], null);
});

test('query flags: serial consistency SERIAL/LOCAL_SERIAL for conditional writes; SERIAL reads', T, async () => {
  const c = await open();
  const lwt = "INSERT INTO pk.t (k, c, v) VALUES (5, 1, 'x') IF NOT EXISTS";
  const applied = rows(await query(c, lwt, { serialConsistency: 'LOCAL_SERIAL' }));
  assert.deepEqual(applied[0]![0], Buffer.from([1]));
  const again = rows(await query(c, lwt, { serialConsistency: 'SERIAL' }));
  assert.deepEqual(again[0]![0], Buffer.from([0]));
  // A non-serial serial consistency (ONE) is accepted: see pending/serial_consistency.ts.
  const read = rows(await query(c, 'SELECT v FROM pk.t WHERE k = 5 AND c = 1', { consistency: 'SERIAL' }));
  assert.equal(read[0]![0]!.toString(), 'x');
});

test('v5 query flags: keyspace per QUERY and PREPARE, now_in_seconds decides TTL expiry', T, async () => {
  const c = await open(5);
  const r = await query(c, 'SELECT v FROM t WHERE k = 2 AND c = 0', { keyspace: 'pk' });
  assert.equal(rows(r)[0]![0]!.toString(), 'v0');
  const p = result(await roundTrip(c, () => c.send({ opcode: 'PREPARE', query: 'SELECT v FROM t WHERE k = ? AND c = ?', keyspace: 'pk' })));
  assert.ok(p.kind === 'prepared');
  const ex = await roundTrip(c, () => c.send({ opcode: 'EXECUTE', id: p.id, resultMetadataId: p.resultMetadataId, params: queryParams({ values: { kind: 'positional', values: [int(2), int(1)] } }) }));
  assert.equal(rows(ex)[0]![0]!.toString(), 'v1');
  const now = Math.floor(Date.now() / 1000);
  await query(c, "INSERT INTO pk.t (k, c, v) VALUES (6, 1, 'ttl') USING TTL 1000", { nowInSeconds: now });
  assert.equal(rows(await query(c, 'SELECT v FROM pk.t WHERE k = 6', { nowInSeconds: now + 10 })).length, 1);
  assert.equal(rows(await query(c, 'SELECT v FROM pk.t WHERE k = 6', { nowInSeconds: now + 2000 })).length, 0, 'expired as of now_in_seconds');
  const ttl = rows(await query(c, 'SELECT ttl(v) FROM pk.t WHERE k = 6', { nowInSeconds: now + 400 }));
  assert.equal(ttl[0]![0]!.readInt32BE(), 600);
});

test('32768 streams: requests on stream ids 0..32767 in flight at once are each answered once, on their own stream', { timeout: 180_000 }, async () => {
  const c = await open();
  const STREAMS = 32768;
  for (let s = 0; s < STREAMS; s++) c.send({ opcode: 'QUERY', query: 'SELECT key FROM system.local', params: queryParams() }, { stream: s });
  const answered = new Uint8Array(STREAMS);
  for (let i = 0; i < STREAMS; i++) {
    const r = await c.next();
    assert.equal(r.message.opcode, 'RESULT', describe(r.message));
    const s = r.header.streamId;
    assert.ok(s >= 0 && s < STREAMS && answered[s] === 0, `stream ${s}`);
    answered[s] = 1;
  }
  assert.equal(answered.reduce((a, b) => a + b, 0), STREAMS);
});

for (const [version, compression] of [[4, 'lz4'], [4, 'snappy'], [5, 'lz4'], [5, '']] as const) {
  test(`v${version}${compression ? ` ${compression}` : ''} framing: small and 300 KiB values round-trip`, T, async () => {
    const c = await open(version, compression ? { COMPRESSION: compression } : {});
    c.compressRequests = true;
    const big = 'x'.repeat(300 * 1024) + 'end';
    const k = 100 + version * 10 + compression.length;
    await query(c, 'INSERT INTO pk.t (k, c, v) VALUES (?, ?, ?)', { values: { kind: 'positional', values: [int(k), int(1), text(big)] } });
    await query(c, "INSERT INTO pk.t (k, c, v) VALUES (?, 2, 'small')", { values: { kind: 'positional', values: [int(k)] } });
    const r = rows(await query(c, 'SELECT v FROM pk.t WHERE k = ?', { values: { kind: 'positional', values: [int(k)] } }));
    assert.equal(r.length, 2);
    assert.equal(r[0]![0]!.toString(), big);
    assert.equal(r[1]![0]!.toString(), 'small');
  });
}

test('client warnings: an aggregate without partition key carries the warning flag and text', T, async () => {
  const c = await open();
  const r = await query(c, 'SELECT count(*) FROM pk.t');
  assert.ok(r.header.flags & 0x08, 'warning flag');
  assert.ok((r.extras.warnings ?? []).some((w) => /Aggregation query used without partition key/.test(w)), JSON.stringify(r.extras));
  const batch = await roundTrip(c, () => c.send({
    opcode: 'BATCH', batchType: 'UNLOGGED', consistency: 'ONE', serialConsistency: null, defaultTimestamp: null, keyspace: null, nowInSeconds: null,
    statements: Array.from({ length: 12 }, (_, i) => ({ kind: 'query' as const, query: `INSERT INTO pk.t (k, c, v) VALUES (${200 + i}, 1, 'b')`, values: [] })),
  }));
  assert.equal(result(batch).kind, 'void');
  assert.ok((batch.extras.warnings ?? []).some((w) => /Unlogged batch covering 12 partitions/.test(w)), JSON.stringify(batch.extras));
});

test('version negotiation: v3, v6 and DSE v65 get a ProtocolError naming the supported versions', T, async () => {
  for (const version of [3, 6, 0x41]) {
    const c = await RawClient.connect(env, node.port, { host: node.host });
    clients.push(c);
    c.sendBytes(encodeEnvelopeHeader({ version, isResponse: false, flags: 0, streamId: 0, opcode: OPCODE.OPTIONS, bodyLength: 0 }));
    const r = await c.next();
    const e = failure(r, 0x000a);
    assert.match(e.message, /Invalid or unsupported protocol version \(\d+\); supported versions are \(4\/v4, 5\/v5\)/);
  }
});

test('bad input: unknown opcode, malformed body, bad bound value keep the connection; garbage and oversized frames close only their own', T, async () => {
  const c = await open();
  c.sendBytes(encodeEnvelopeHeader({ version: 4, isResponse: false, flags: 0, streamId: 7, opcode: 0x42, bodyLength: 0 }));
  const unknown = await c.next();
  assert.equal(unknown.header.streamId, 7);
  failure(unknown, 0x000a);
  const body = Buffer.from([0, 0, 0x10, 0]); // [long string] claiming 4096 bytes, 0 present
  c.sendBytes(Buffer.concat([encodeEnvelopeHeader({ version: 4, isResponse: false, flags: 0, streamId: 8, opcode: OPCODE.QUERY, bodyLength: body.length }), body]));
  const malformed = await c.next();
  assert.equal(malformed.header.streamId, 8);
  failure(malformed, 0x000a);
  const wrongType = failure(await query(c, 'INSERT INTO pk.t (k, c, v) VALUES (?, ?, ?)', { values: { kind: 'positional', values: [Buffer.from([1, 2, 3]), int(1), text('x')] } }), 0x2200);
  assert.match(wrongType.message, /\bk\b/);
  assert.equal(rows(await query(c, 'SELECT key FROM system.local')).length, 1, 'connection still works');

  // Over native_transport_max_frame_size (16 MiB): the body is skipped, the stream answered, the connection kept.
  const oversized = await open();
  const tooBig = 17 * 1024 * 1024;
  oversized.sendBytes(Buffer.concat([encodeEnvelopeHeader({ version: 4, isResponse: false, flags: 0, streamId: 9, opcode: OPCODE.QUERY, bodyLength: tooBig }), Buffer.alloc(tooBig)]));
  const big = await oversized.next();
  assert.equal(big.header.streamId, 9);
  assert.match(failure(big, 0x000a).message, /too (big|large)|exceeds/i);
  assert.equal(rows(await query(oversized, 'SELECT key FROM system.local')).length, 1, 'oversized frame skipped, connection kept');

  const garbage = tcpConnect(node.port, node.host);
  await new Promise<void>((resolve) => garbage.once('connect', () => resolve()));
  const closed = new Promise<Buffer>((resolve) => {
    let got = Buffer.alloc(0);
    garbage.on('data', (d) => { got = Buffer.concat([got, d]); });
    garbage.once('close', () => resolve(got));
  });
  garbage.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  const reply = await closed;
  assert.ok(reply.length >= 9 && reply[4] === 0x00, 'an ERROR envelope before the close');
  assert.equal(rows(await query(c, 'SELECT key FROM system.local')).length, 1, 'other connections keep working');
});

test('truncated frame: a client that dies mid-envelope does not disturb the node', T, async () => {
  const sock = tcpConnect(node.port, node.host);
  await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
  sock.write(encodeEnvelopeHeader({ version: 4, isResponse: false, flags: 0, streamId: 1, opcode: OPCODE.QUERY, bodyLength: 100 }).subarray(0, 6));
  sock.destroy();
  const c = await open();
  assert.equal(rows(await query(c, 'SELECT key FROM system.local')).length, 1);
});
