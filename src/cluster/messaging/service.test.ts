import test from 'node:test';
import assert from 'node:assert/strict';
import { SimNetwork, SimTime } from '../../env/sim/mod.js';
import { InvalidRequest } from '../../util/errors.js';
import { MessageDropped, MessagingService, RemoteFailure, RequestTimedOut, type MessagingLimits } from './mod.js';

const PORT = 7000;

function pair(time: SimTime, net: SimNetwork, opts: { clusterB?: string; limits?: Partial<MessagingLimits> } = {}) {
  const env = { clock: time, scheduler: time, net };
  const a = new MessagingService({ env, address: '10.0.0.1', port: PORT, clusterName: 'c', tables: () => undefined, limits: opts.limits });
  const b = new MessagingService({ env, address: '10.0.0.2', port: PORT, clusterName: opts.clusterB ?? 'c', tables: () => undefined });
  return { a, b };
}

async function settle<T>(time: SimTime, p: Promise<T>, ms = 100): Promise<T> {
  let done = false;
  const watched = p.finally(() => { done = true; });
  for (let i = 0; i < ms && !done; i++) await time.runFor(1);
  return watched;
}

test('a request is answered on the same connection; a handler error comes back as RemoteFailure', async () => {
  const time = new SimTime();
  const net = new SimNetwork(time);
  const { a, b } = pair(time, net);
  await a.listen();
  await b.listen();
  let echoes = 0;
  b.handle('ECHO', (from) => { assert.equal(from, '10.0.0.1'); echoes++; return { verb: 'ECHO_RSP' }; });
  b.handle('SCHEMA_PULL', () => { throw new InvalidRequest('no such log'); });
  assert.deepEqual(await settle(time, a.request('10.0.0.2', { verb: 'ECHO' }, 1000)), { verb: 'ECHO_RSP' });
  await assert.rejects(settle(time, a.request('10.0.0.2', { verb: 'SCHEMA_PULL', sinceSeq: 0 }, 1000)),
    (e: unknown) => e instanceof RemoteFailure && e.errorName === 'InvalidRequest' && e.message === 'no such log');
  assert.equal(echoes, 1);
  assert.equal(a.stats().peers[0]!.connectSuccesses, 1);
  await a.close();
  await b.close();
});

test('no answer within the timeout rejects with RequestTimedOut; a down peer is retried with backoff', async () => {
  const time = new SimTime();
  const net = new SimNetwork(time);
  const { a } = pair(time, net);
  await a.listen();
  const p = a.request('10.0.0.2', { verb: 'ECHO' }, 500);
  await assert.rejects(settle(time, p, 1000), (e: unknown) => e instanceof RequestTimedOut || e instanceof MessageDropped);
  const attempts = a.stats().peers[0]!.connectAttempts;
  assert.ok(attempts >= 3 && attempts <= 12, `reconnect attempts with backoff: ${attempts}`);
  await time.runFor(5000);
  assert.equal(a.stats().peers[0]!.pendingMessages, 0, 'expired messages leave the queue');
  await a.close();
});

test('a full queue drops new messages with a counted DroppedMessage', async () => {
  const time = new SimTime();
  const net = new SimNetwork(time);
  const { a } = pair(time, net, { limits: { queueMessagesMax: 3 } });
  const drops: string[] = [];
  const results = [1, 2, 3, 4, 5].map(() => a.request('10.0.0.9', { verb: 'ECHO' }, 10_000).catch((e: Error) => e));
  const settled = await Promise.race([Promise.all(results.slice(3)), time.runFor(10).then(() => null)]);
  assert.ok(settled, 'the overflowing requests fail at once');
  for (const e of settled) { assert.ok(e instanceof MessageDropped); drops.push(e.dropped.reason); }
  assert.deepEqual(drops, ['queue_full', 'queue_full']);
  assert.equal(a.stats().dropped['ECHO/queue_full'], 2);
  await a.close();
});

test('a peer of another cluster is refused at the handshake', async () => {
  const time = new SimTime();
  const net = new SimNetwork(time);
  const { a, b } = pair(time, net, { clusterB: 'other' });
  const warnings: string[] = [];
  await a.listen();
  await b.listen();
  b.handle('ECHO', () => ({ verb: 'ECHO_RSP' }));
  await assert.rejects(settle(time, a.request('10.0.0.2', { verb: 'ECHO' }, 300), 1000));
  assert.equal(a.stats().peers[0]!.connectSuccesses, 0);
  void warnings;
  await a.close();
  await b.close();
});

test('after the peer restarts, queued messages go out on a new connection', async () => {
  const time = new SimTime();
  const net = new SimNetwork(time);
  const env = { clock: time, scheduler: time, net };
  const { a, b } = pair(time, net);
  await a.listen();
  await b.listen();
  b.handle('ECHO', () => ({ verb: 'ECHO_RSP' }));
  await settle(time, a.request('10.0.0.2', { verb: 'ECHO' }, 1000));
  await b.close();
  await time.runFor(50);
  const b2 = new MessagingService({ env, address: '10.0.0.2', port: PORT, clusterName: 'c', tables: () => undefined });
  const p = a.request('10.0.0.2', { verb: 'ECHO' }, 5000);
  await time.runFor(200);
  await b2.listen();
  b2.handle('ECHO', () => ({ verb: 'ECHO_RSP' }));
  assert.deepEqual(await settle(time, p, 3000), { verb: 'ECHO_RSP' });
  assert.ok(a.stats().peers[0]!.connectSuccesses >= 2);
  await a.close();
  await b2.close();
});
