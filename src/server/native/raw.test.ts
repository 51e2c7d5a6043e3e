import test from 'node:test';
import assert from 'node:assert/strict';
import type { Connection, Env } from '../../env/mod.js';
import { nodeEnv } from '../../env/node/mod.js';
import { ErrorCode, InvalidRequest, Unavailable } from '../../util/errors.js';
import { PASSWORD_AUTHENTICATOR_CLASS, type Authenticator, type QueryHandler, type RequestDone, type ResultResponse } from '../../protocol/handler.js';
import { FLAG_COMPRESSION, FLAG_TRACING, encodeEnvelopeHeader, OPCODE } from '../../protocol/envelope.js';
import type { Response } from '../../protocol/messages.js';
import { NativeTransport } from './transport.js';
import type { NativeTransportLimits } from './limits.js';
import { FakeHandler, TestPasswordAuthenticator } from './_fake_handler.js';
import { RawClient, describe, queryParams } from './_raw_client.js';

const T = { timeout: 20_000 };

/** Wraps an Env so every accepted connection counts its writev calls. */
function countingEnv(counter: { writes: number }): Env {
  const env = nodeEnv();
  const net = env.net;
  return {
    ...env,
    net: {
      connect: (h, p, o) => net.connect(h, p, o),
      listen: (h, p, onConn) => net.listen(h, p, (conn: Connection) => {
        const writev = conn.writev.bind(conn);
        const write = conn.write.bind(conn);
        onConn(Object.assign(Object.create(Object.getPrototypeOf(conn)), conn, {
          writev: (d: Buffer[]) => { counter.writes++; return writev(d); },
          write: (d: Buffer) => { counter.writes++; return write(d); },
        }) as Connection);
      }),
    },
  };
}

async function start(opts: { limits?: Partial<NativeTransportLimits>; authenticator?: Authenticator; handler?: QueryHandler; env?: Env } = {}) {
  const env = opts.env ?? nodeEnv();
  const handler = opts.handler ?? new FakeHandler();
  const transport = new NativeTransport({ env, handler, limits: opts.limits, authenticator: opts.authenticator });
  const port = await transport.listen('127.0.0.1', 0);
  return { env, transport, port, handler };
}

function expectError(m: Response, code: number, pattern: RegExp): void {
  assert.equal(m.opcode, 'ERROR', `expected an error, got ${describe(m)}`);
  if (m.opcode !== 'ERROR') return;
  assert.equal(m.error.code, code, describe(m));
  assert.match(m.error.message, pattern);
}

test('garbage on one connection gets a ProtocolError and a close; another connection keeps working', T, async () => {
  const { env, transport, port } = await start();
  try {
    const good = await RawClient.connect(env, port);
    await good.startup(4);
    const bad = await RawClient.connect(env, port);
    bad.sendBytes(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    const r = await bad.next();
    expectError(r.message, ErrorCode.ProtocolError, /Invalid or unsupported protocol version \(71\); supported versions are \(4\/v4, 5\/v5\)/);
    await bad.waitClosed();
    good.send({ opcode: 'QUERY', query: "SELECT * FROM system.local WHERE key='local'", params: queryParams() });
    const ok = await good.next();
    assert.equal(ok.message.opcode, 'RESULT');
  } finally {
    await transport.close();
  }
});

test('errors that keep the connection: unknown opcode, malformed body, request before STARTUP, oversized envelope', T, async () => {
  const { env, transport, port } = await start({ limits: { maxEnvelopeBytes: 1024 } });
  try {
    const c = await RawClient.connect(env, port);
    c.send({ opcode: 'QUERY', query: 'SELECT 1', params: queryParams() }, { stream: 5 });
    let r = await c.next();
    assert.equal(r.header.streamId, 5);
    expectError(r.message, ErrorCode.ProtocolError, /Unexpected message QUERY, expecting STARTUP or OPTIONS/);
    await c.startup(4);
    // Unknown opcode 0x04 with a 3-byte body.
    const unknown = Buffer.concat([encodeEnvelopeHeader({ version: 4, isResponse: false, flags: 0, streamId: 7, opcode: 0x04, bodyLength: 3 }), Buffer.from([1, 2, 3])]);
    c.sendBytes(unknown);
    r = await c.next();
    assert.equal(r.header.streamId, 7);
    expectError(r.message, ErrorCode.ProtocolError, /unknown opcode 0x04/);
    // A QUERY whose body ends inside the query string.
    const full = c.encode({ opcode: 'QUERY', query: 'SELECT * FROM system.local', params: queryParams() }, { stream: 8 });
    const cut = Buffer.from(full.subarray(0, 15));
    cut.writeInt32BE(6, 5);
    c.sendBytes(cut);
    r = await c.next();
    assert.equal(r.header.streamId, 8);
    expectError(r.message, ErrorCode.ProtocolError, /malformed QUERY message/);
    // An envelope over the 1024-byte limit is skipped whole.
    const big = c.encode({ opcode: 'QUERY', query: 'x'.repeat(5000), params: queryParams() }, { stream: 9 });
    c.sendBytes(big.subarray(0, 100));
    c.sendBytes(big.subarray(100));
    r = await c.next();
    assert.equal(r.header.streamId, 9);
    expectError(r.message, ErrorCode.ProtocolError, /body of 50\d\d bytes exceeds the limit of 1024 bytes/);
    c.send({ opcode: 'QUERY', query: 'warn me', params: queryParams() }, { stream: 10 });
    r = await c.next();
    assert.equal(r.header.streamId, 10);
    assert.equal(r.message.opcode, 'RESULT');
    assert.deepEqual(r.extras.warnings, ['this is a warning', 'and another']);
    c.close();
  } finally {
    await transport.close();
  }
});

test('versions 0, 1, 3 and DSE versions get the version error in a header they can read; v5 needs no beta flag', T, async () => {
  const { env, transport, port } = await start();
  try {
    for (const [v, replyVersion] of [[0, 1], [1, 1], [3, 3], [0x42, 5], [6, 5]] as const) {
      const c = await RawClient.connect(env, port);
      c.send({ opcode: 'STARTUP', options: new Map([['CQL_VERSION', '3.0.0']]) }, { version: v, stream: 3 });
      const r = await c.next();
      assert.equal(r.header.version, replyVersion);
      assert.equal(r.header.streamId, 3);
      expectError(r.message, ErrorCode.ProtocolError, new RegExp(`Invalid or unsupported protocol version \\(${v}\\)`));
      await c.waitClosed();
    }
    const c5 = await RawClient.connect(env, port);
    await c5.startup(5);
    c5.send({ opcode: 'OPTIONS' });
    const r = await c5.next();
    assert.equal(r.message.opcode, 'SUPPORTED');
    if (r.message.opcode === 'SUPPORTED') assert.deepEqual(r.message.options.get('COMPRESSION'), ['lz4']);
    c5.close();
  } finally {
    await transport.close();
  }
});

test('a response-direction envelope after STARTUP closes the connection with a ProtocolError', T, async () => {
  const { env, transport, port } = await start();
  try {
    const c = await RawClient.connect(env, port);
    await c.startup(4);
    c.sendBytes(encodeEnvelopeHeader({ version: 4, isResponse: true, flags: 0, streamId: 1, opcode: OPCODE.READY, bodyLength: 0 }));
    const r = await c.next();
    expectError(r.message, ErrorCode.ProtocolError, /direction bit/);
    await c.waitClosed();
  } finally {
    await transport.close();
  }
});

test('STARTUP validation: missing CQL_VERSION, unknown compression, v5 snappy refused', T, async () => {
  const { env, transport, port } = await start();
  try {
    const c = await RawClient.connect(env, port);
    c.send({ opcode: 'STARTUP', options: new Map() });
    expectError((await c.next()).message, ErrorCode.ProtocolError, /Missing value CQL_VERSION/);
    c.send({ opcode: 'STARTUP', options: new Map([['CQL_VERSION', '3.0.0'], ['COMPRESSION', 'zstd']]) });
    expectError((await c.next()).message, ErrorCode.ProtocolError, /Unknown compression algorithm: zstd/);
    const c5 = await RawClient.connect(env, port);
    c5.send({ opcode: 'STARTUP', options: new Map([['CQL_VERSION', '3.0.0'], ['COMPRESSION', 'snappy']]) }, { version: 5 });
    expectError((await c5.next()).message, ErrorCode.ProtocolError, /Unknown compression algorithm: snappy/);
    c.close();
    c5.close();
  } finally {
    await transport.close();
  }
});

test('v4 snappy and lz4 compressed requests and responses', T, async () => {
  const { env, transport, port } = await start();
  try {
    for (const algo of ['snappy', 'lz4']) {
      const c = await RawClient.connect(env, port);
      await c.startup(4, { COMPRESSION: algo });
      for (const compressRequests of [false, true]) {
        c.compressRequests = compressRequests;
        c.send({ opcode: 'QUERY', query: 'select big', params: queryParams() });
        const r = await c.next();
        assert.ok(r.header.flags & FLAG_COMPRESSION, `response to the ${algo} client is compressed`);
        assert.ok(r.header.bodyLength < 20_000, `300 kB of one byte compresses well (${r.header.bodyLength})`);
        assert.ok(r.message.opcode === 'RESULT' && r.message.result.kind === 'rows');
        if (r.message.opcode === 'RESULT' && r.message.result.kind === 'rows') assert.ok(r.message.result.rows[0]![0]!.equals(Buffer.alloc(300_000, 'y')));
      }
      c.close();
    }
  } finally {
    await transport.close();
  }
});

test('tracing flag: the handler tracing id comes back with the tracing flag', T, async () => {
  const { env, transport, port } = await start();
  try {
    const c = await RawClient.connect(env, port);
    await c.startup(5);
    c.send({ opcode: 'QUERY', query: 'warn me', params: queryParams() }, { flags: FLAG_TRACING });
    const r = await c.next();
    assert.ok(r.header.flags & FLAG_TRACING);
    assert.equal(r.extras.tracingId?.toString('hex'), '00000000000010008000' + '00000000beef');
    assert.deepEqual(r.extras.warnings, ['this is a warning', 'and another']);
    c.send({ opcode: 'QUERY', query: 'warn me', params: queryParams() });
    const r2 = await c.next();
    assert.equal(r2.header.flags & FLAG_TRACING, 0);
    c.close();
  } finally {
    await transport.close();
  }
});

test('REGISTER and broadcastEvent reach only registered connections, on stream -1', T, async () => {
  const { env, transport, port } = await start();
  try {
    const a = await RawClient.connect(env, port);
    await a.startup(5);
    const b = await RawClient.connect(env, port);
    await b.startup(4);
    a.send({ opcode: 'REGISTER', events: ['SCHEMA_CHANGE'] });
    assert.equal((await a.next()).message.opcode, 'READY');
    b.send({ opcode: 'REGISTER', events: ['STATUS_CHANGE'] });
    assert.equal((await b.next()).message.opcode, 'READY');
    const sent = transport.broadcastEvent({ type: 'SCHEMA_CHANGE', change: { changeType: 'CREATED', target: 'TABLE', keyspace: 'ks', name: 't' } });
    assert.equal(sent, 1);
    const e = await a.next();
    assert.equal(e.header.streamId, -1);
    assert.deepEqual(e.message, { opcode: 'EVENT', event: { type: 'SCHEMA_CHANGE', change: { changeType: 'CREATED', target: 'TABLE', keyspace: 'ks', name: 't' } } });
    transport.broadcastEvent({ type: 'STATUS_CHANGE', change: 'UP', node: { address: '127.0.0.2', port: 9042 } });
    const s = await b.next();
    assert.deepEqual(s.message, { opcode: 'EVENT', event: { type: 'STATUS_CHANGE', change: 'UP', node: { address: '127.0.0.2', port: 9042 } } });
    a.close();
    b.close();
  } finally {
    await transport.close();
  }
});

test('responses ready in one tick leave in one write; every stream answered', T, async () => {
  const counter = { writes: 0 };
  const { env, transport, port } = await start({ env: countingEnv(counter) });
  try {
    for (const version of [4, 5]) {
      const c = await RawClient.connect(env, port);
      await c.startup(version);
      const before = counter.writes;
      const frames: Buffer[] = [];
      for (let s = 1; s <= 50; s++) frames.push(c.encode({ opcode: 'QUERY', query: 'warn me', params: queryParams() }, { stream: s }));
      c.sendRaw(Buffer.concat(frames));
      const streams = new Set<number>();
      for (let i = 0; i < 50; i++) streams.add((await c.next()).header.streamId);
      assert.equal(streams.size, 50);
      assert.equal(counter.writes - before, 1, `v${version}: 50 coalesced requests should be answered with one writev`);
      c.close();
    }
  } finally {
    await transport.close();
  }
});

/** A handler whose queries wait until released (or one event-loop turn when `auto`). */
class GateHandler extends FakeHandler {
  waiting: (() => void)[] = [];
  active = 0;
  maxActive = 0;
  auto = true;
  override async query(...args: Parameters<FakeHandler['query']>) {
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    await new Promise<void>((r) => (this.auto ? setImmediate(r) : this.waiting.push(r)));
    this.active--;
    return super.query(...args);
  }
  release(): void { for (const w of this.waiting.splice(0)) w(); }
}

test('in-flight limit: backpressure by default, Overloaded with THROW_ON_OVERLOAD', T, async () => {
  const handler = new GateHandler();
  const { env, transport, port } = await start({ handler, limits: { maxInFlightPerConnection: 3 } });
  try {
    const c = await RawClient.connect(env, port);
    await c.startup(4);
    const frames: Buffer[] = [];
    for (let s = 1; s <= 40; s++) frames.push(c.encode({ opcode: 'QUERY', query: 'warn me', params: queryParams() }, { stream: s }));
    c.sendBytes(Buffer.concat(frames));
    const streams = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const r = await c.next();
      assert.equal(r.message.opcode, 'RESULT');
      streams.add(r.header.streamId);
    }
    assert.equal(streams.size, 40);
    assert.equal(handler.maxActive, 3, 'the limit of 3 requests in flight was reached and never passed');

    handler.auto = false;
    const o = await RawClient.connect(env, port);
    await o.startup(4, { THROW_ON_OVERLOAD: '1' });
    for (let s = 1; s <= 6; s++) o.send({ opcode: 'QUERY', query: 'warn me', params: queryParams() }, { stream: s });
    const overloaded: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await o.next();
      expectError(r.message, ErrorCode.Overloaded, /Too many requests in flight/);
      overloaded.push(r.header.streamId);
    }
    assert.deepEqual(overloaded, [4, 5, 6]);
    handler.release();
    for (let i = 0; i < 3; i++) assert.equal((await o.next()).message.opcode, 'RESULT');
    c.close();
    o.close();
  } finally {
    await transport.close();
  }
});

test('authentication: AUTHENTICATE → AUTH_RESPONSE → AUTH_SUCCESS, bad password, queries before auth refused', T, async () => {
  const { env, transport, port } = await start({ authenticator: new TestPasswordAuthenticator() });
  try {
    for (const version of [4, 5]) {
      const c = await RawClient.connect(env, port);
      const a = await c.startup(version);
      assert.deepEqual(a.message, { opcode: 'AUTHENTICATE', authenticator: PASSWORD_AUTHENTICATOR_CLASS });
      c.send({ opcode: 'QUERY', query: 'whoami', params: queryParams() });
      expectError((await c.next()).message, ErrorCode.ProtocolError, /expecting AUTH_RESPONSE/);
      c.send({ opcode: 'AUTH_RESPONSE', token: Buffer.from('\0cassandra\0wrong') });
      expectError((await c.next()).message, ErrorCode.AuthenticationError, /incorrect/);
      c.send({ opcode: 'AUTH_RESPONSE', token: Buffer.from('\0cassandra\0cassandra') });
      assert.equal((await c.next()).message.opcode, 'AUTH_SUCCESS');
      c.send({ opcode: 'QUERY', query: 'whoami', params: queryParams() });
      const w = await c.next();
      assert.ok(w.message.opcode === 'RESULT' && w.message.result.kind === 'rows');
      if (w.message.opcode === 'RESULT' && w.message.result.kind === 'rows') assert.equal(w.message.result.rows[0]![0]!.toString(), 'cassandra');
      c.close();
    }
    assert.ok(transport.clients().every((ci) => ci.user === null || ci.user === 'cassandra'));
  } finally {
    await transport.close();
  }
});

test('USE sets the connection keyspace seen by clients()', T, async () => {
  const { env, transport, port } = await start();
  try {
    const c = await RawClient.connect(env, port);
    await c.startup(4, { DRIVER_NAME: 'raw', DRIVER_VERSION: '0.1' });
    c.send({ opcode: 'QUERY', query: 'USE test', params: queryParams() });
    const r = await c.next();
    assert.deepEqual(r.message, { opcode: 'RESULT', result: { kind: 'set_keyspace', keyspace: 'test' } });
    const info = transport.clients().find((x) => x.driverName === 'raw');
    assert.ok(info);
    assert.equal(info.keyspace, 'test');
    assert.equal(info.driverVersion, '0.1');
    assert.equal(info.protocolVersion, 4);
    assert.equal(info.requestsServed, 1);
    c.close();
  } finally {
    await transport.close();
  }
});

/**
 * A handler with the callback form of execute: the first bound value (text) says how it answers:
 * at once or a turn later, with a result or an error; 'twice' answers, then calls done again.
 */
class CallbackHandler extends FakeHandler {
  thenCalls = 0;
  executeThen(req: Parameters<FakeHandler['execute']>[0], _client: unknown, _info: unknown, done: RequestDone): void {
    this.thenCalls++;
    const mode = String(req.params.values.values[0]);
    const ok: ResultResponse = { result: { kind: 'void' } };
    switch (mode) {
      case 'sync-ok': done(undefined, ok); return;
      case 'sync-error': done(new InvalidRequest('refused at once'), undefined); return;
      case 'later-ok': setImmediate(() => done(undefined, ok)); return;
      case 'later-void': setImmediate(() => done(undefined)); return;
      case 'later-error': setImmediate(() => done(new Unavailable('no replicas', 'ONE', 1, 0), undefined)); return;
      case 'bug': done(new TypeError('a bug'), undefined); return;
      case 'twice': done(undefined, ok); done(new InvalidRequest('second answer'), undefined); return;
      default: done(new InvalidRequest(`unknown mode ${mode}`), undefined);
    }
  }
}

test('EXECUTE through the handler\'s executeThen: answers at once or later, errors mapped, done(undefined) is Void, a second done ignored', T, async () => {
  const handler = new CallbackHandler();
  const { env, transport, port } = await start({ handler });
  try {
    const c = await RawClient.connect(env, port);
    await c.startup(4);
    const id = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const modes = ['sync-ok', 'sync-error', 'later-ok', 'later-error', 'bug', 'twice', 'later-void', 'sync-ok'];
    const streams = modes.map((m) => c.send({ opcode: 'EXECUTE', id, resultMetadataId: null, params: queryParams({ values: { kind: 'positional', values: [Buffer.from(m)] } }) }));
    const answers = new Map<number, Response>();
    for (let i = 0; i < modes.length; i++) { const r = await c.next(); answers.set(r.header.streamId, r.message); }
    const kinds = streams.map((s) => { const m = answers.get(s)!; return m.opcode === 'ERROR' ? `ERROR ${m.error.code.toString(16)}` : m.opcode; });
    assert.deepEqual(kinds, ['RESULT', 'ERROR 2200', 'RESULT', 'ERROR 1000', 'ERROR 0', 'RESULT', 'RESULT', 'RESULT']);
    const voidAnswer = answers.get(streams[modes.indexOf('later-void')]!)!;
    assert.ok(voidAnswer.opcode === 'RESULT' && voidAnswer.result.kind === 'void', 'done(undefined) answers a Void result');
    assert.equal(handler.thenCalls, modes.length);
    // The connection still works and counts nothing in flight: one more round trip.
    c.send({ opcode: 'QUERY', query: 'warn me', params: queryParams() });
    assert.equal((await c.next()).message.opcode, 'RESULT');
    c.close();
  } finally {
    await transport.close();
  }
});
