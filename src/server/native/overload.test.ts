import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Clock, Env, Scheduler, TimerHandle } from '../../env/mod.js';
import { nodeEnv } from '../../env/node/mod.js';
import { ConfigError, ErrorCode } from '../../util/errors.js';
import type { Response } from '../../protocol/messages.js';
import { InFlightBudget, RequestRateLimiter, type BudgetWaiter } from './overload.js';
import { TransportSettingsStore, transportLimitsFromConfig, type NativeTransportLimits } from './limits.js';
import { NativeTransport } from './transport.js';
import { FakeHandler } from './_fake_handler.js';
import { RawClient, describe, queryParams } from './_raw_client.js';

const T = { timeout: 20_000 };
const KIB = 1024;

function budgetWith(perIp: number, node: number): { budget: InFlightBudget; settings: TransportSettingsStore } {
  const settings = new TransportSettingsStore({ maxRequestDataInFlightPerIpBytes: perIp, maxRequestDataInFlightBytes: node });
  return { budget: new InFlightBudget(settings), settings };
}

function waiter(ip: string, bytes: number, woken: string[], name: string): BudgetWaiter {
  return { ip, bytes, wake: () => woken.push(name) };
}

test('budget: per-IP limit refuses that IP only; node limit refuses everyone; a lone oversized request passes', () => {
  const { budget } = budgetWith(100, 150);
  assert.equal(budget.tryAcquire('a', 60), 'ok');
  assert.equal(budget.tryAcquire('a', 60), 'ip');
  assert.equal(budget.tryAcquire('b', 60), 'ok');
  assert.equal(budget.tryAcquire('c', 60), 'node');
  assert.equal(budget.tryAcquire('c', 30), 'ok');
  assert.deepEqual(budget.snapshot().nodeBytes, 150);
  budget.release('a', 60);
  budget.release('b', 60);
  budget.release('c', 30);
  assert.deepEqual(budget.snapshot(), { nodeBytes: 0, waiters: 0, perIp: [] });
  assert.equal(budget.tryAcquire('d', 1000), 'ok', 'nothing in flight: a request over both limits still runs');
  assert.throws(() => budget.release('d', 1001), /never acquired/);
});

test('budget: waiters wake in FIFO order; an IP-blocked waiter does not hold back another IP', () => {
  const { budget } = budgetWith(100, 1000);
  const woken: string[] = [];
  assert.equal(budget.tryAcquire('a', 100), 'ok');
  assert.equal(budget.tryAcquire('a', 50), 'ip');
  budget.wait(waiter('a', 50, woken, 'a1'));
  budget.wait(waiter('a', 50, woken, 'a2'));
  assert.equal(budget.tryAcquire('a', 1), 'ip', 'fresh requests of an IP queue behind its waiters');
  assert.equal(budget.tryAcquire('b', 100), 'ok', 'another IP is not affected');
  budget.release('a', 100);
  assert.deepEqual(woken, ['a1', 'a2']);
  assert.equal(budget.snapshot().nodeBytes, 200);
});

test('budget: the first node-blocked waiter holds back later waiters and fresh requests (no overtaking)', () => {
  const { budget } = budgetWith(1000, 100);
  const woken: string[] = [];
  assert.equal(budget.tryAcquire('a', 90), 'ok');
  assert.equal(budget.tryAcquire('b', 50), 'node');
  budget.wait(waiter('b', 50, woken, 'b-big'));
  budget.release('a', 0); // no-op
  budget.wait(waiter('c', 5, woken, 'c-small'));
  budget.release('a', 10); // 80 in flight: b (50) does not fit yet; c (5) would, but may not overtake
  assert.deepEqual(woken, []);
  assert.equal(budget.tryAcquire('d', 1), 'node');
  budget.release('a', 80);
  assert.deepEqual(woken, ['b-big', 'c-small']);
  assert.equal(budget.tryAcquire('d', 1), 'ok');
});

test('budget: raising a limit at runtime wakes waiters; a bad value is refused with the yaml key', () => {
  const { budget, settings } = budgetWith(10, 100);
  const woken: string[] = [];
  assert.equal(budget.tryAcquire('a', 10), 'ok');
  assert.equal(budget.tryAcquire('a', 10), 'ip');
  budget.wait(waiter('a', 10, woken, 'w'));
  settings.set({ maxRequestDataInFlightPerIpBytes: 20 });
  assert.deepEqual(woken, ['w']);
  assert.throws(() => settings.set({ maxRequestDataInFlightBytes: -1 }), (e: unknown) => e instanceof ConfigError && /native_transport_max_request_data_in_flight:/.test(e.message));
  assert.equal(settings.get().maxRequestDataInFlightBytes, 100, 'a refused change changes nothing');
});

test('budget: random acquire/wait/release/cancel keeps the accounting exact and within limits (fast-check)', () => {
  type Op = { kind: 'acquire'; ip: number; bytes: number } | { kind: 'release'; pick: number } | { kind: 'cancel'; pick: number };
  const op = fc.oneof(
    fc.record({ kind: fc.constant('acquire' as const), ip: fc.integer({ min: 0, max: 3 }), bytes: fc.integer({ min: 1, max: 60 }) }),
    fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 200 }), (ops: Op[]) => {
    const { budget } = budgetWith(100, 250);
    const held: { ip: string; bytes: number }[] = [];
    const waiting: BudgetWaiter[] = [];
    for (const o of ops) {
      if (o.kind === 'acquire') {
        const ip = `10.0.0.${o.ip}`;
        if (budget.tryAcquire(ip, o.bytes) === 'ok') { held.push({ ip, bytes: o.bytes }); continue; }
        const w: BudgetWaiter = { ip, bytes: o.bytes, wake: () => { waiting.splice(waiting.indexOf(w), 1); held.push({ ip, bytes: o.bytes }); } };
        waiting.push(w);
        budget.wait(w);
      } else if (o.kind === 'release' && held.length > 0) {
        const [h] = held.splice(o.pick % held.length, 1);
        budget.release(h!.ip, h!.bytes);
      } else if (o.kind === 'cancel' && waiting.length > 0) {
        const [w] = waiting.splice(o.pick % waiting.length, 1);
        budget.cancel(w!);
      }
      const snap = budget.snapshot();
      const sum = held.reduce((n, h) => n + h.bytes, 0);
      assert.equal(snap.nodeBytes, sum);
      assert.equal(snap.waiters, waiting.length);
      const largest = held.reduce((n, h) => Math.max(n, h.bytes), 0);
      assert.ok(snap.nodeBytes <= Math.max(250, largest) + 60, `node bytes ${snap.nodeBytes}`);
      for (const ip of snap.perIp) assert.ok(ip.bytes <= 100 + 60, `ip bytes ${ip.bytes}`);
    }
    while (held.length > 0) { const h = held.pop()!; budget.release(h.ip, h.bytes); }
    assert.equal(waiting.length, 0, 'every waiter was woken once everything was released');
  }), { numRuns: 300 });
});

/** A clock whose monotonic time the test moves forward, and a scheduler whose timers the test fires. */
class ManualTime implements Clock, Scheduler {
  nowValueMs = 1000;
  timers: { atMs: number; fn: () => void; cancelled: boolean }[] = [];
  nowMs(): number { return this.nowValueMs; }
  nowMicros(): number { return this.nowValueMs * 1000; }
  monotonicMs(): number { return this.nowValueMs; }
  after(delayMs: number, fn: () => void): TimerHandle {
    const t = { atMs: this.nowValueMs + delayMs, fn, cancelled: false };
    this.timers.push(t);
    return { cancel: () => { t.cancelled = true; } };
  }
  every(): TimerHandle { throw new Error('not used'); }
  soon(fn: () => void): void { fn(); }
  advance(ms: number): void {
    this.nowValueMs += ms;
    for (const t of this.timers.splice(0)) {
      if (t.cancelled) continue;
      if (t.atMs <= this.nowValueMs) t.fn(); else this.timers.push(t);
    }
  }
}

test('rate limiter: a bucket of one second of tokens, refilled from the clock; waiters woken by the timer', () => {
  const time = new ManualTime();
  const settings = new TransportSettingsStore({ rateLimitingEnabled: true, maxRequestsPerSecond: 4 });
  const rate = new RequestRateLimiter(settings, time, time);
  assert.deepEqual([1, 2, 3, 4, 5].map(() => rate.tryTake()), [true, true, true, true, false]);
  let woken = 0;
  rate.wait({ wake: () => woken++ });
  rate.wait({ wake: () => woken++ });
  assert.equal(rate.tryTake(), false, 'fresh requests queue behind waiters');
  time.advance(250);
  assert.equal(woken, 1);
  time.advance(250);
  assert.equal(woken, 2);
  assert.equal(rate.waiting, 0);
  settings.set({ rateLimitingEnabled: false });
  assert.ok(Array.from({ length: 100 }, () => rate.tryTake()).every(Boolean));
});

test('limits from the node config, and the settings store validates what it starts with', () => {
  const limits = transportLimitsFromConfig({
    nativeTransportMaxFrameSizeBytes: 1024 * KIB, nativeTransportMaxRequestDataInFlightBytes: 64 * KIB,
    nativeTransportMaxRequestDataInFlightPerIpBytes: 32 * KIB, nativeTransportRateLimitingEnabled: true, nativeTransportMaxRequestsPerSecond: 10,
  });
  const s = new TransportSettingsStore(limits);
  assert.equal(s.get().maxRequestDataInFlightPerIpBytes, 32 * KIB);
  assert.equal(s.get().rateLimitingEnabled, true);
  assert.equal(s.get().requestTimeoutMs, 12_000);
  assert.throws(() => new TransportSettingsStore({ maxRequestsPerSecond: 0 }), /native_transport_max_requests_per_second/);
});

// ---- through the transport, with real sockets ----------------------------------------------

/** Holds every QUERY until released; counts how many run at once. */
class HoldingHandler extends FakeHandler {
  held: (() => void)[] = [];
  active = 0;
  maxActive = 0;
  override async query(...args: Parameters<FakeHandler['query']>) {
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    await new Promise<void>((r) => this.held.push(r));
    this.active--;
    return super.query(...args);
  }
  releaseAll(): void { for (const r of this.held.splice(0)) r(); }
  async waitActive(n: number): Promise<void> {
    for (let i = 0; i < 200 && this.active < n; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(this.active, n, `expected ${n} requests executing`);
  }
}

/** nodeEnv with a monotonic clock the test can move forward. */
function skewableEnv(): { env: Env; skip(ms: number): void } {
  const base = nodeEnv();
  let offsetMs = 0;
  const clock: Clock = { nowMs: () => base.clock.nowMs(), nowMicros: () => base.clock.nowMicros(), monotonicMs: () => base.clock.monotonicMs() + offsetMs };
  return { env: { ...base, clock }, skip: (ms) => { offsetMs += ms; } };
}

async function startTransport(limits: Partial<NativeTransportLimits>, env: Env = nodeEnv()) {
  const handler = new HoldingHandler();
  const transport = new NativeTransport({ env, handler, limits });
  const port = await transport.listen('127.0.0.1', 0);
  return { env, handler, transport, port };
}

/** A QUERY envelope of exactly `bytes` bytes (a custom payload pads it). */
function bigQuery(c: RawClient, stream: number, bytes: number): Buffer {
  const encode = (pad: number) => c.encode({ opcode: 'QUERY', query: 'warn me', params: queryParams() },
    { stream, extras: { customPayload: new Map([['pad', Buffer.alloc(pad)]]) } });
  const frame = encode(bytes - (encode(0).length));
  assert.equal(frame.length, bytes);
  return frame;
}

function expectOverloaded(m: Response, pattern: RegExp): void {
  assert.equal(m.opcode, 'ERROR', describe(m));
  if (m.opcode !== 'ERROR') return;
  assert.equal(m.error.code, ErrorCode.Overloaded, describe(m));
  assert.match(m.error.message, pattern);
}

test('per-IP in-flight bytes: the flooding IP is paused at its limit while another IP is served', T, async () => {
  const { env, handler, transport, port } = await startTransport({ maxRequestDataInFlightPerIpBytes: 50 * KIB, maxRequestDataInFlightBytes: 1024 * KIB });
  try {
    const flood = await RawClient.connect(env, port);
    await flood.startup(4);
    const frames: Buffer[] = [];
    for (let s = 1; s <= 20; s++) frames.push(bigQuery(flood, s, 10 * KIB));
    flood.sendBytes(Buffer.concat(frames));
    await handler.waitActive(5); // 5 × ~10 KiB fit under 50 KiB
    const snap = transport.overload();
    assert.ok(snap.nodeBytes <= 50 * KIB + 100, `in flight ${snap.nodeBytes}`);
    assert.equal(snap.waiters, 1, 'the flooding connection waits with one request');
    assert.equal(snap.pausedConnections, 1);

    const other = await RawClient.connect(env, port, { localAddress: '127.0.0.2' });
    await other.startup(4);
    other.send({ opcode: 'OPTIONS' }, { stream: 9 });
    assert.equal((await other.next()).message.opcode, 'SUPPORTED', 'another IP is served while the first is paused');
    assert.equal(transport.clients().find((c) => c.address === '127.0.0.2')?.address, '127.0.0.2');

    // Releases whatever executes, again and again, until all 20 are answered: the connection
    // admits the waiting requests as bytes free up, at moments the test cannot know.
    const streams = new Set<number>();
    const releaser = setInterval(() => handler.releaseAll(), 5);
    try {
      while (streams.size < 20) {
        const r = await flood.next();
        assert.equal(r.message.opcode, 'RESULT', describe(r.message));
        streams.add(r.header.streamId);
      }
    } finally {
      clearInterval(releaser);
    }
    assert.ok(handler.maxActive <= 5, `at most 5 ran at once, saw ${handler.maxActive}`);
    assert.equal(transport.overload().nodeBytes, 0, 'every byte released once answered');
    flood.close();
    other.close();
  } finally {
    await transport.close();
  }
});

test('THROW_ON_OVERLOAD: each request past a limit is answered Overloaded at once, naming the limit', T, async () => {
  const { env, handler, transport, port } = await startTransport({ maxRequestDataInFlightPerIpBytes: 30 * KIB, maxRequestDataInFlightBytes: 50 * KIB });
  try {
    const a = await RawClient.connect(env, port);
    await a.startup(4, { THROW_ON_OVERLOAD: 'true' });
    a.sendBytes(Buffer.concat([1, 2, 3, 4].map((s) => bigQuery(a, s, 10 * KIB))));
    const r = await a.next();
    assert.equal(r.header.streamId, 4);
    expectOverloaded(r.message, /native_transport_max_request_data_in_flight_per_ip \(30720 bytes\)/);

    const b = await RawClient.connect(env, port, { localAddress: '127.0.0.2' });
    await b.startup(4, { THROW_ON_OVERLOAD: '1' });
    b.sendBytes(Buffer.concat([1, 2, 3].map((s) => bigQuery(b, s, 10 * KIB))));
    const rb = await b.next();
    assert.equal(rb.header.streamId, 3);
    expectOverloaded(rb.message, /native_transport_max_request_data_in_flight \(51200 bytes\)/);
    await handler.waitActive(5);
    handler.releaseAll();
    for (let i = 0; i < 3; i++) assert.equal((await a.next()).message.opcode, 'RESULT');
    for (let i = 0; i < 2; i++) assert.equal((await b.next()).message.opcode, 'RESULT');
    assert.equal(transport.overload().nodeBytes, 0);
    a.close();
    b.close();
  } finally {
    await transport.close();
  }
});

test('compressed v4 bodies count at their inflated size: 10 KiB of zeros compressed still uses 10 KiB of budget', T, async () => {
  for (const compression of ['lz4', 'snappy']) {
    const { env, handler, transport, port } = await startTransport({ maxRequestDataInFlightPerIpBytes: 30 * KIB, maxRequestDataInFlightBytes: 50 * KIB });
    try {
      const a = await RawClient.connect(env, port);
      await a.startup(4, { THROW_ON_OVERLOAD: 'true', COMPRESSION: compression });
      a.compressRequests = true;
      // ≈ 10 KiB each once inflated: three fit under 30 KiB, the fourth does not.
      const frames = [1, 2, 3, 4].map((s) => a.encode({ opcode: 'QUERY', query: 'warn me', params: queryParams() },
        { stream: s, extras: { customPayload: new Map([['pad', Buffer.alloc(10 * KIB - 200)]]) } }));
      assert.ok(frames.every((f) => f.length < KIB), `${compression}: the padding compresses away`);
      a.sendBytes(Buffer.concat(frames));
      const r = await a.next();
      assert.equal(r.header.streamId, 4, compression);
      expectOverloaded(r.message, /native_transport_max_request_data_in_flight_per_ip \(30720 bytes\)/);
      await handler.waitActive(3);
      assert.ok(transport.overload().nodeBytes >= 3 * (10 * KIB - 200), `${compression}: in flight ${transport.overload().nodeBytes}`);
      handler.releaseAll();
      for (let i = 0; i < 3; i++) assert.equal((await a.next()).message.opcode, 'RESULT');
      assert.equal(transport.overload().nodeBytes, 0);
      a.close();
    } finally {
      await transport.close();
    }
  }
});

test('a request that waited past native_transport_timeout is shed with Overloaded, not executed', T, async () => {
  const skew = skewableEnv();
  const { env, handler, transport, port } = await startTransport({ maxRequestDataInFlightPerIpBytes: 15 * KIB, requestTimeoutMs: 5_000 }, skew.env);
  try {
    const c = await RawClient.connect(env, port);
    await c.startup(4);
    c.sendBytes(Buffer.concat([1, 2, 3].map((s) => bigQuery(c, s, 10 * KIB))));
    await handler.waitActive(1);
    skew.skip(6_000); // the two queued requests have now waited 6 s
    handler.releaseAll();
    const answers = new Map<number, Response>();
    for (let i = 0; i < 3; i++) { const r = await c.next(); answers.set(r.header.streamId, r.message); }
    assert.equal(answers.get(1)?.opcode, 'RESULT');
    expectOverloaded(answers.get(2)!, /waited \d+ ms before it could start, over native_transport_timeout \(5000 ms\)/);
    expectOverloaded(answers.get(3)!, /native_transport_timeout/);
    assert.equal(handler.seen.length, 1, 'the shed requests never reached the handler');
    c.close();
  } finally {
    await transport.close();
  }
});

test('rate limit: Overloaded past native_transport_max_requests_per_second with THROW_ON_OVERLOAD, delay otherwise', T, async () => {
  const skew = skewableEnv();
  const env = skew.env;
  const handler = new FakeHandler();
  const transport = new NativeTransport({ env, handler, limits: { rateLimitingEnabled: true, maxRequestsPerSecond: 3 } });
  const port = await transport.listen('127.0.0.1', 0);
  try {
    const t = await RawClient.connect(env, port);
    await t.startup(4, { THROW_ON_OVERLOAD: '1' });
    for (let s = 1; s <= 5; s++) t.send({ opcode: 'QUERY', query: 'warn me', params: queryParams() }, { stream: s });
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) answers.push((await t.next()).message.opcode);
    assert.deepEqual(answers.sort(), ['ERROR', 'ERROR', 'RESULT', 'RESULT', 'RESULT']);

    const p = await RawClient.connect(env, port);
    await p.startup(4);
    skew.skip(1_000); // a full bucket again
    for (let s = 1; s <= 5; s++) p.send({ opcode: 'QUERY', query: 'warn me', params: queryParams() }, { stream: s });
    for (let i = 0; i < 3; i++) assert.equal((await p.next()).message.opcode, 'RESULT');
    assert.equal(transport.overload().rateWaiters, 1, 'the fourth request waits for a token');
    skew.skip(1_000);
    for (let i = 0; i < 2; i++) assert.equal((await p.next()).message.opcode, 'RESULT');
    t.close();
    p.close();
  } finally {
    await transport.close();
  }
});

test('settings changed at runtime: lowering the per-IP limit pauses sooner, raising it resumes a paused connection', T, async () => {
  const { env, handler, transport, port } = await startTransport({ maxRequestDataInFlightPerIpBytes: 1024 * KIB });
  try {
    transport.settings.set({ maxRequestDataInFlightPerIpBytes: 15 * KIB });
    const c = await RawClient.connect(env, port);
    await c.startup(4);
    c.sendBytes(Buffer.concat([1, 2, 3].map((s) => bigQuery(c, s, 10 * KIB))));
    await handler.waitActive(1);
    transport.settings.set({ maxRequestDataInFlightPerIpBytes: 100 * KIB });
    await handler.waitActive(3);
    handler.releaseAll();
    for (let i = 0; i < 3; i++) assert.equal((await c.next()).message.opcode, 'RESULT');
    c.close();
  } finally {
    await transport.close();
  }
});

test('a connection closed while waiting and while executing gives back all its bytes', T, async () => {
  const { env, handler, transport, port } = await startTransport({ maxRequestDataInFlightPerIpBytes: 15 * KIB });
  try {
    const c = await RawClient.connect(env, port);
    await c.startup(4);
    c.sendBytes(Buffer.concat([1, 2, 3].map((s) => bigQuery(c, s, 10 * KIB))));
    await handler.waitActive(1);
    assert.equal(transport.overload().waiters, 1);
    c.close();
    for (let i = 0; i < 100 && transport.clients().length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(transport.overload(), { nodeBytes: 0, waiters: 0, perIp: [], pausedConnections: 0, rateWaiters: 0 });
    handler.releaseAll();
    const d = await RawClient.connect(env, port);
    await d.startup(4);
    d.send({ opcode: 'QUERY', query: 'warn me', params: queryParams() }, { stream: 1 });
    await handler.waitActive(1);
    handler.releaseAll();
    assert.equal((await d.next()).message.opcode, 'RESULT');
    d.close();
  } finally {
    await transport.close();
  }
});

/** Counts every hook call; pending/active/blocked must return to zero. */
function countingMetrics() {
  const n: Record<string, number> = {};
  const bump = (k: string, by = 1) => () => { n[k] = (n[k] ?? 0) + by; };
  const mark = (k: string) => ({ mark: bump(k) });
  return {
    n,
    metrics: {
      pool: {
        enqueued: bump('pending'), started: () => { bump('pending', -1)(); bump('active')(); }, startedDirectly: bump('active'),
        discarded: bump('pending', -1), finished: () => { bump('active', -1)(); bump('completed')(); }, blocked: bump('blocked'), unblocked: bump('blocked', -1),
      },
      clients: {
        requestDiscarded: mark('discarded'), connectionPaused: { inc: bump('paused') }, protocolException: mark('protocolErrors'),
        unknownException: mark('serverErrors'), authSuccess: mark('authOk'), authFailure: mark('authFail'),
      },
    },
  };
}

test('metrics hooks: pool pending/active balance, discarded Overloaded answers, pauses, protocol errors', T, async () => {
  const { n, metrics } = countingMetrics();
  const handler = new HoldingHandler();
  const transport = new NativeTransport({ env: nodeEnv(), handler, metrics, limits: { maxRequestDataInFlightPerIpBytes: 15 * KIB } });
  const port = await transport.listen('127.0.0.1', 0);
  const env = nodeEnv();
  try {
    const c = await RawClient.connect(env, port);
    await c.startup(4);
    c.sendBytes(Buffer.concat([1, 2, 3].map((s) => bigQuery(c, s, 10 * KIB))));
    await handler.waitActive(1);
    assert.equal(n['pending'], 1, 'one request waits behind the per-IP limit');
    assert.equal(n['blocked'], 1);
    assert.equal(n['paused'], 1);
    const t = await RawClient.connect(env, port, { localAddress: '127.0.0.3' });
    await t.startup(4, { THROW_ON_OVERLOAD: '1' });
    t.sendBytes(Buffer.concat([1, 2].map((s) => bigQuery(t, s, 10 * KIB))));
    await handler.waitActive(2);
    expectOverloaded((await t.next()).message, /per_ip/);
    assert.equal(n['discarded'], 1);
    t.send({ opcode: 'REGISTER', events: [] }, { stream: 7, version: 5 });
    for (let i = 0; i < 100 && handler.seen.length < 4; i++) { handler.releaseAll(); await new Promise((r) => setTimeout(r, 10)); }
    handler.releaseAll();
    for (let i = 0; i < 3; i++) assert.equal((await c.next()).message.opcode, 'RESULT');
    c.close();
    t.close();
    for (let i = 0; i < 100 && transport.clients().length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(n['pending'], 0);
    assert.equal(n['active'], 0);
    assert.equal(n['blocked'], 0);
    assert.ok((n['completed'] ?? 0) >= 5, `completed ${n['completed']}`);
    assert.equal(n['protocolErrors'], 1, 'the version-5 envelope on a v4 connection');
  } finally {
    await transport.close();
  }
});
