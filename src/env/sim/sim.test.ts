import test from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom, SimFileSystem, SimNetwork, SimTime } from './mod.js';

test('SeededRandom replays from its seed', () => {
  const a = new SeededRandom(42);
  const b = new SeededRandom(42);
  const c = new SeededRandom(43);
  const xs = Array.from({ length: 20 }, () => a.int(1000));
  assert.deepEqual(Array.from({ length: 20 }, () => b.int(1000)), xs);
  assert.notDeepEqual(Array.from({ length: 20 }, () => c.int(1000)), xs);
  for (let i = 0; i < 1000; i++) { const v = a.next(); assert.ok(v >= 0 && v < 1); }
});

test('SimTime fires timers in deadline order, then creation order, only as time moves', async () => {
  const t = new SimTime(0);
  const fired: string[] = [];
  t.after(10, () => fired.push('b'));
  t.after(5, () => fired.push('a'));
  t.after(10, () => fired.push('c'));
  const h = t.after(7, () => fired.push('cancelled'));
  h.cancel();
  const p = t.every(4, () => fired.push(`tick@${t.nowMs()}`));
  await t.runFor(9);
  assert.deepEqual(fired, ['tick@4', 'a', 'tick@8']);
  await t.runFor(3);
  assert.deepEqual(fired, ['tick@4', 'a', 'tick@8', 'b', 'c', 'tick@12']);
  p.cancel();
  assert.equal(t.pendingTimers(), 0);
});

test('SimFileSystem crash keeps synced bytes and durable names only', async () => {
  const fs = new SimFileSystem();
  await fs.mkdirp('/d');
  const f = await fs.open('/d/log', 'w');
  await f.write(Buffer.from('hello'), 0, 5, 0);
  await f.sync();
  await fs.syncDir('/d');
  await f.write(Buffer.from(' world'), 0, 6, 5);
  const g = await fs.open('/d/unsynced-name', 'w');
  await g.write(Buffer.from('x'), 0, 1, 0);
  await g.sync();
  await fs.mkdirp('/e');
  await fs.writeFileAtomic('/e/atomic', Buffer.from('whole'));
  assert.equal((await fs.readFile('/d/log')).toString(), 'hello world');
  fs.crash();
  assert.equal((await fs.readFile('/d/log')).toString(), 'hello');
  assert.equal(await fs.stat('/d/unsynced-name'), null);
  assert.equal((await fs.readFile('/e/atomic')).toString(), 'whole');
  assert.deepEqual(await fs.readdir('/d'), ['log']);
});

test('SimFileSystem reports ENOSPC past its capacity', async () => {
  const fs = new SimFileSystem();
  fs.capacityBytes = 8;
  const f = await fs.open('/f', 'w');
  await f.write(Buffer.alloc(8), 0, 8, 0);
  await assert.rejects(f.write(Buffer.alloc(1), 0, 1, 8), { code: 'ENOSPC' });
});

test('SimNetwork delivers bytes with latency and honours partitions', async () => {
  const time = new SimTime(0);
  const net = new SimNetwork(time, 2);
  const got: string[] = [];
  await net.listen('127.0.0.2', 7000, (conn) => conn.onData((c) => { got.push(c.toString()); conn.write(Buffer.from('pong')); }));
  const client = await net.connect('127.0.0.2', 7000, { localAddress: '127.0.0.1' });
  const replies: string[] = [];
  client.onData((c) => replies.push(c.toString()));
  client.write(Buffer.from('ping'));
  await time.runFor(1);
  assert.deepEqual(got, []);
  await time.runFor(4);
  assert.deepEqual(got, ['ping']);
  assert.deepEqual(replies, ['pong']);
  net.partition('127.0.0.1', '127.0.0.2');
  await assert.rejects(net.connect('127.0.0.2', 7000, { localAddress: '127.0.0.1' }), { code: 'ECONNREFUSED' });
});

test('SimFileSystem: a file opened with dsync keeps every write across a crash without sync()', async () => {
  const fs = new SimFileSystem();
  await fs.mkdirp('/d');
  const f = await fs.open('/d/log', 'w', { dsync: true });
  await fs.syncDir('/d');
  await f.write(Buffer.from('abc'), 0, 3, 0);
  await f.write(Buffer.from('def'), 0, 3, 3);
  fs.crash();
  assert.equal((await fs.readFile('/d/log')).toString(), 'abcdef');
});

test('SimFileSystem writev: buffers back to back, lost on crash unless synced, all or nothing on ENOSPC', async () => {
  const fs = new SimFileSystem();
  await fs.mkdirp('/d');
  const h = await fs.open('/d/f', 'w');
  assert.equal(await h.writev!([Buffer.from('ab'), new Uint8Array([0x63]), Buffer.from('de')], 0), 5);
  await h.sync();
  assert.equal(await h.writev!([Buffer.from('XY'), Buffer.from('Z')], 3), 3);
  assert.equal((await fs.readFile('/d/f')).toString(), 'abcXYZ');
  await fs.syncDir('/d');
  fs.crash();
  assert.equal((await fs.readFile('/d/f')).toString(), 'abcde', 'the unsynced writev is lost, the synced one kept');
  fs.capacityBytes = 8;
  const h2 = await fs.open('/d/f', 'r+');
  await assert.rejects(h2.writev!([Buffer.from('12'), Buffer.from('3456')], 3), (e: Error & { code?: string }) => e.code === 'ENOSPC');
  assert.equal((await fs.readFile('/d/f')).toString(), 'abcde', 'nothing of a refused writev is written');
  fs.capacityBytes = Infinity;
  const d = await fs.open('/d/g', 'w', { dsync: true });
  await d.writev!([Buffer.from('k'), Buffer.from('ept')], 0);
  await fs.syncDir('/d');
  fs.crash();
  assert.equal((await fs.readFile('/d/g')).toString(), 'kept', 'dsync writev is durable without sync()');
});
