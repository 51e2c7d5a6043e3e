import test from 'node:test';
import assert from 'node:assert/strict';
import { SimTime } from '../env/sim/mod.js';
import { DeadlineQueue, Deadlines } from './deadlines.js';

test('deadlines: each entry expires timeoutMs after it was added, in order, unless cancelled', async () => {
  const time = new SimTime();
  const q = new DeadlineQueue(time, time, 100);
  const fired: string[] = [];
  const a = q.add(() => fired.push(`a@${time.monotonicMs() - 1_700_000_000_000}`));
  await time.runFor(30);
  const b = q.add(() => fired.push(`b@${time.monotonicMs() - 1_700_000_000_000}`));
  await time.runFor(30);
  q.add(() => fired.push(`c@${time.monotonicMs() - 1_700_000_000_000}`));
  b.cancel();
  assert.equal(q.waiting, 2);
  await time.runFor(99);
  assert.deepEqual(fired, ['a@100']);
  await time.runFor(100);
  assert.deepEqual(fired, ['a@100', 'c@160']);
  assert.equal(q.waiting, 0);
  a.cancel(); // after expiry: nothing happens
  assert.deepEqual(fired, ['a@100', 'c@160']);
});

test('deadlines: cancelling everything disarms the timer; many out-of-order cancels stay bounded', async () => {
  const time = new SimTime();
  const q = new DeadlineQueue(time, time, 50);
  let fired = 0;
  const handles = Array.from({ length: 5000 }, () => q.add(() => { fired++; }));
  // Cancel all but the first, then the first: the queue empties.
  for (let i = handles.length - 1; i >= 1; i--) handles[i]!.cancel();
  assert.equal(q.waiting, 1);
  handles[0]!.cancel();
  assert.equal(q.waiting, 0);
  await time.runFor(1000);
  assert.equal(fired, 0);
  // Interleaved: every other entry cancelled at once, the rest expire.
  const more = Array.from({ length: 2000 }, () => q.add(() => { fired++; }));
  more.forEach((h, i) => { if (i % 2 === 0) h.cancel(); });
  await time.runFor(60);
  assert.equal(fired, 1000);
  assert.equal(q.waiting, 0);
});

test('deadlines: one queue per timeout length', async () => {
  const time = new SimTime();
  const d = new Deadlines(time, time);
  const fired: number[] = [];
  d.after(200, () => fired.push(200));
  d.after(100, () => fired.push(100));
  d.after(100, () => fired.push(101));
  await time.runFor(150);
  assert.deepEqual(fired, [100, 101]);
  await time.runFor(100);
  assert.deepEqual(fired, [100, 101, 200]);
});

test('deadlines: a queue emptied and refilled (its array reused) keeps order and expiries; alternating lengths find their queues', async () => {
  const time = new SimTime();
  const q = new DeadlineQueue(time, time, 100);
  const fired: string[] = [];
  for (let round = 0; round < 3; round++) {
    const hs = Array.from({ length: 10 }, (_, i) => q.add(() => fired.push(`${round}.${i}`)));
    for (const h of hs) h.cancel(); // in order: the queue empties (a finished burst)
    assert.equal(q.waiting, 0);
  }
  const last = Array.from({ length: 6 }, (_, i) => q.add(() => fired.push(`x${i}`)));
  last[1]!.cancel();
  last[4]!.cancel();
  await time.runFor(150);
  assert.deepEqual(fired, ['x0', 'x2', 'x3', 'x5']);
  assert.equal(q.waiting, 0);
  const d = new Deadlines(time, time);
  const order: number[] = [];
  d.after(100, () => order.push(100));
  d.after(300, () => order.push(300));
  d.after(100, () => order.push(101));
  d.after(200, () => order.push(200));
  await time.runFor(400);
  assert.deepEqual(order, [100, 101, 200, 300]);
});
