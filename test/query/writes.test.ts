import test from 'node:test';
import assert from 'node:assert/strict';
import { harness, asRows, decodeRows, int } from './_harness.js';
import { InvalidRequest } from '../../src/util/errors.js';

async function setup() {
  const h = await harness();
  await h.q("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await h.q('USE ks');
  return h;
}

test('collections: set, append, prepend, remove, put, element by index', async () => {
  const h = await setup();
  try {
    await h.q('CREATE TABLE c (k int PRIMARY KEY, l list<int>, s set<text>, m map<text, int>)');
    await h.q("INSERT INTO c (k, l, s, m) VALUES (1, [1, 2], {'b', 'a'}, {'x': 1})");
    await h.q("UPDATE c SET l = l + [3], s = s + {'c'}, m['y'] = 2 WHERE k = 1");
    await h.q('UPDATE c SET l = [0] + l WHERE k = 1');
    assert.deepEqual(await h.rows('SELECT l, s, m FROM c WHERE k = 1'), [[[0, 1, 2, 3], ['a', 'b', 'c'], new Map([['x', 1], ['y', 2]])]]);
    await h.q("UPDATE c SET l = l - [2], s = s - {'a'}, l[0] = 9 WHERE k = 1");
    await h.q("DELETE m['x'] FROM c WHERE k = 1");
    assert.deepEqual(await h.rows('SELECT l, s, m FROM c WHERE k = 1'), [[[9, 1, 3], ['b', 'c'], new Map([['y', 2]])]]);
    await assert.rejects(h.q('UPDATE c SET l[10] = 1 WHERE k = 1'), /List index 10 out of bound, list has size 3/);
    assert.deepEqual(await h.rows("SELECT m['y'] FROM c WHERE k = 1"), [[2]]);
  } finally {
    await h.close();
  }
});

test('counters: increments, errors for set and mixing', async () => {
  const h = await setup();
  try {
    await h.q('CREATE TABLE n (k int PRIMARY KEY, c counter)');
    await h.q('UPDATE n SET c = c + 5 WHERE k = 1');
    await h.q('UPDATE n SET c = c - 2 WHERE k = 1');
    assert.deepEqual(await h.rows('SELECT c FROM n WHERE k = 1'), [[3n]]);
    await assert.rejects(h.q('UPDATE n SET c = 1 WHERE k = 1'), /Cannot set the value of counter column c \(counters can only be incremented\/decremented, not set\)/);
    await assert.rejects(h.q('INSERT INTO n (k, c) VALUES (1, 1)'), /INSERT statements are not allowed on counter tables/);
  } finally {
    await h.close();
  }
});

test('deletes: cells, rows, ranges, partitions; TTL and writetime', async () => {
  const h = await setup();
  try {
    await h.q('CREATE TABLE d (k int, c int, v int, PRIMARY KEY (k, c))');
    for (let c = 0; c < 6; c++) await h.q('INSERT INTO d (k, c, v) VALUES (1, ?, ?)', [int(c), int(c)]);
    await h.q('DELETE v FROM d WHERE k = 1 AND c = 0');
    await h.q('DELETE FROM d WHERE k = 1 AND c = 1');
    await h.q('DELETE FROM d WHERE k = 1 AND c >= 4');
    assert.deepEqual(await h.rows('SELECT c, v FROM d WHERE k = 1'), [[0, null], [2, 2], [3, 3]]);
    await h.q('DELETE FROM d WHERE k = 1');
    assert.deepEqual(await h.rows('SELECT * FROM d WHERE k = 1'), []);
    await h.q('INSERT INTO d (k, c, v) VALUES (2, 1, 1) USING TTL 100 AND TIMESTAMP 12345');
    const [[ttl, wt]] = await h.rows('SELECT ttl(v), writetime(v) FROM d WHERE k = 2');
    assert.ok((ttl as number) > 90 && (ttl as number) <= 100);
    assert.equal(wt, 12345n);
  } finally {
    await h.close();
  }
});

test('conditional updates return [applied] and existing values', async () => {
  const h = await setup();
  try {
    await h.q('CREATE TABLE l (k int PRIMARY KEY, v int)');
    const first = asRows(await h.q('INSERT INTO l (k, v) VALUES (1, 1) IF NOT EXISTS'));
    assert.deepEqual(decodeRows(first), [[true]]);
    const second = asRows(await h.q('INSERT INTO l (k, v) VALUES (1, 2) IF NOT EXISTS'));
    assert.deepEqual(second.columns.map((c) => c.name), ['[applied]', 'k', 'v']);
    assert.deepEqual(decodeRows(second), [[false, 1, 1]]);
    assert.deepEqual(decodeRows(asRows(await h.q('UPDATE l SET v = 3 WHERE k = 1 IF v = 2'))), [[false, 1]]);
    assert.deepEqual(decodeRows(asRows(await h.q('UPDATE l SET v = 3 WHERE k = 1 IF v = 1'))), [[true]]);
    assert.deepEqual(decodeRows(asRows(await h.q('DELETE FROM l WHERE k = 2 IF EXISTS'))), [[false]]);
    assert.deepEqual(await h.rows('SELECT v FROM l WHERE k = 1'), [[3]]);
  } finally {
    await h.close();
  }
});

test('batches: merged updates, counter batch rules, unlogged warning', async () => {
  const h = await harness({ unloggedBatchAcrossPartitionsWarnThreshold: 1 });
  try {
    await h.q("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    await h.q('USE ks');
    await h.q('CREATE TABLE b (k int, c int, v int, PRIMARY KEY (k, c))');
    await h.q('CREATE TABLE n (k int PRIMARY KEY, c counter)');
    await h.q('BEGIN BATCH INSERT INTO b (k, c, v) VALUES (1, 1, 1); UPDATE b SET v = 2 WHERE k = 1 AND c = 2; APPLY BATCH');
    assert.deepEqual(await h.rows('SELECT c, v FROM b WHERE k = 1'), [[1, 1], [2, 2]]);
    const warned = await h.q('BEGIN UNLOGGED BATCH INSERT INTO b (k, c, v) VALUES (2, 1, 1); INSERT INTO b (k, c, v) VALUES (3, 1, 1); APPLY BATCH');
    assert.match(warned.warnings?.[0] ?? '', /Unlogged batch covering 2 partitions/);
    await assert.rejects(h.q('BEGIN BATCH UPDATE n SET c = c + 1 WHERE k = 1; APPLY BATCH'), /Cannot include a counter statement in a logged batch/);
    await h.q('BEGIN COUNTER BATCH UPDATE n SET c = c + 1 WHERE k = 1; UPDATE n SET c = c + 1 WHERE k = 1; APPLY BATCH');
    assert.deepEqual(await h.rows('SELECT c FROM n WHERE k = 1'), [[2n]]);
  } finally {
    await h.close();
  }
});

test('INSERT JSON with DEFAULT NULL and DEFAULT UNSET; SELECT JSON', async () => {
  const h = await setup();
  try {
    await h.q('CREATE TABLE j (k int PRIMARY KEY, a text, b int)');
    await h.q(`INSERT INTO j JSON '{"k": 1, "a": "x", "b": 2}'`);
    await h.q(`INSERT INTO j JSON '{"k": 1, "a": "y"}' DEFAULT UNSET`);
    assert.deepEqual(await h.rows('SELECT a, b FROM j WHERE k = 1'), [['y', 2]]);
    await h.q(`INSERT INTO j JSON '{"k": 1, "a": "z"}'`);
    assert.deepEqual(await h.rows('SELECT a, b FROM j WHERE k = 1'), [['z', null]]);
    assert.deepEqual(await h.rows('SELECT JSON k, a FROM j WHERE k = 1'), [['{"k": 1, "a": "z"}']]);
  } finally {
    await h.close();
  }
});

test('static columns are written with the partition key alone', async () => {
  const h = await setup();
  try {
    await h.q('CREATE TABLE st (p int, c int, s int static, v int, PRIMARY KEY (p, c))');
    await h.q('UPDATE st SET s = ? WHERE p = ?', [int(7), int(1)]);
    assert.deepEqual(await h.rows('SELECT p, c, s, v FROM st WHERE p = 1'), [[1, null, 7, null]]);
    await h.q('INSERT INTO st (p, s) VALUES (2, 8)');
    await h.q('INSERT INTO st (p, c, v) VALUES (2, 1, 1)');
    assert.deepEqual(await h.rows('SELECT p, c, s, v FROM st WHERE p = 2'), [[2, 1, 8, 1]]);
    await assert.rejects(h.q('UPDATE st SET v = 1 WHERE p = 1'), (e: unknown) => e instanceof InvalidRequest && /Some clustering keys are missing: c/.test(e.message));
  } finally {
    await h.close();
  }
});
