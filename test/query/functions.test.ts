// Native functions, operators and type hints through the query processor (shared registry).

import test from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from '../../src/schema/codec.js';
import { InvalidRequest } from '../../src/util/errors.js';
import { harness, int, text, INFO, params, type Harness } from './_harness.js';

async function setup(): Promise<Harness> {
  const h = await harness();
  await h.q("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await h.q('USE ks');
  await h.q('CREATE TABLE t (k int, c int, v int, b bigint, d decimal, ts timestamp, dt date, u timeuuid, bl blob, PRIMARY KEY (k, c))');
  return h;
}

async function prepared(h: Harness, cql: string) {
  const res = await h.qp.prepare({ opcode: 'PREPARE', query: cql, keyspace: null }, h.client, INFO);
  assert.equal(res.result.kind, 'prepared');
  return res.result as Extract<typeof res.result, { kind: 'prepared' }>;
}

test('scalar functions in VALUES, WHERE and SELECT resolve through the registry', async () => {
  const h = await setup();
  try {
    await h.q("INSERT INTO t (k, c, u, ts, bl) VALUES (1, 1, now(), '2024-01-15 10:00:00+0000', textAsBlob('hi'))");
    const [[ts, bl, text1]] = await h.rows('SELECT toUnixTimestamp(ts), bl, blobAsText(bl) FROM t WHERE k = 1 AND c = 1');
    assert.equal(ts, 1_705_312_800_000n);
    assert.deepEqual(bl, Buffer.from('hi'));
    assert.equal(text1, 'hi');
    const rows = await h.rows("SELECT c FROM t WHERE k = 1 AND u > minTimeuuid('2000-01-01') ALLOW FILTERING");
    assert.deepEqual(rows, [[1]]);
    assert.deepEqual(await h.rows("SELECT blobAsText(0x6869), intAsBlob(1) FROM t WHERE k = 1"), [['hi', Buffer.from([0, 0, 0, 1])]]);
    assert.deepEqual(await h.rows('SELECT toDate(ts) FROM t WHERE k = 1'), [[19737]]);
  } finally {
    await h.close();
  }
});

test('bind markers inside function arguments take the parameter types and Cassandra names', async () => {
  const h = await setup();
  try {
    // toTimestamp has timeuuid, date and timestamp overloads: a bare marker is ambiguous, as in Cassandra.
    await assert.rejects(prepared(h, 'INSERT INTO t (k, c, ts) VALUES (?, ?, toTimestamp(?))'), /Ambiguous call to function totimestamp/);
    const p = await prepared(h, 'INSERT INTO t (k, c, u, bl) VALUES (?, ?, maxTimeuuid(?), textAsBlob(?))');
    assert.deepEqual(p.bindVariables.map((c) => c.name), ['k', 'c', 'arg0(system.maxtimeuuid)', 'arg0(system.textasblob)']);
    assert.deepEqual(p.bindVariables.map((c) => (c.type.kind === 'native' ? c.type.name : '')), ['int', 'int', 'timestamp', 'text']);
    const q = await prepared(h, 'SELECT c FROM t WHERE k = ? AND ts > toTimestamp((date) ?) ALLOW FILTERING');
    assert.deepEqual(q.bindVariables.map((c) => (c.type.kind === 'native' ? c.type.name : '')), ['int', 'date']);
    const s = await prepared(h, 'SELECT blobAsText(?) FROM t WHERE k = 1');
    assert.deepEqual(s.bindVariables.map((c) => [c.name, c.type.kind === 'native' ? c.type.name : '']), [['arg0(system.blobastext)', 'blob']]);
    const res = await h.qp.execute({ opcode: 'EXECUTE', id: p.id, resultMetadataId: null, params: params({}, [int(5), int(1), serialize({ kind: 'native', name: 'timestamp' }, 1000), text('x')]) }, h.client, INFO);
    assert.equal(res.result.kind, 'void');
    assert.deepEqual(await h.rows('SELECT toUnixTimestamp(u), blobAsText(bl) FROM t WHERE k = 5'), [[1000n, 'x']]);
  } finally {
    await h.close();
  }
});

test('arithmetic in SELECT, WHERE and SET terms', async () => {
  const h = await setup();
  try {
    await h.q('INSERT INTO t (k, c, v, b, d) VALUES (1, 2 + 3, 7 * 6, 10 - 20, 1.5)');
    assert.deepEqual(await h.rows('SELECT c, v, b FROM t WHERE k = 1'), [[5, 42, -10n]]);
    await h.q('UPDATE t SET v = 100 / 7, b = (bigint) 5 % 3 WHERE k = 1 AND c = 5');
    assert.deepEqual(await h.rows('SELECT v, b FROM t WHERE k = 1 AND c = 4 + 1'), [[14, 2n]]);
    assert.deepEqual(await h.rows('SELECT v + 1, v * b, -v, d / 3, v / 3.0 FROM t WHERE k = 1'), [
      [15, 28n, -14, { unscaled: 5n, scale: 1 }, 14 / 3],
    ]);
    assert.deepEqual(await h.rows('SELECT c FROM t WHERE k = 1 AND v = 2 * 7 ALLOW FILTERING'), [[5]]);
    await assert.rejects(h.q('SELECT v / 0 FROM t WHERE k = 1'), /\/ by zero/);
    await assert.rejects(h.q("UPDATE t SET v = 'a' + 1 WHERE k = 1 AND c = 5"), InvalidRequest);
    await assert.rejects(prepared(h, 'UPDATE t SET v = ? + 1 WHERE k = 1 AND c = 5'), /Ambiguous '\+' operation/);
    const p = await prepared(h, 'UPDATE t SET v = (int) ? + 1 WHERE k = 1 AND c = 5');
    assert.deepEqual(p.bindVariables.map((c) => (c.type.kind === 'native' ? c.type.name : '')), ['int']);
  } finally {
    await h.close();
  }
});

test('timestamp and date plus or minus a duration', async () => {
  const h = await setup();
  try {
    await h.q("INSERT INTO t (k, c, ts, dt) VALUES (1, 1, '2024-01-31 00:00:00+0000' + 1mo, '2024-03-01' - 1d)");
    const [[ts, dt]] = await h.rows('SELECT toUnixTimestamp(ts), dt FROM t WHERE k = 1');
    assert.equal(ts, BigInt(Date.UTC(2024, 1, 29)));
    assert.equal(dt, Math.floor(Date.UTC(2024, 1, 29) / 86_400_000));
    assert.deepEqual(await h.rows("SELECT c FROM t WHERE k = 1 AND ts > '2024-03-01 00:00:00+0000' - 2d ALLOW FILTERING"), [[1]]);
    assert.deepEqual(await h.rows('SELECT toUnixTimestamp(ts - 1h) FROM t WHERE k = 1'), [[BigInt(Date.UTC(2024, 1, 28, 23))]]);
  } finally {
    await h.close();
  }
});

test('aggregates use the registry types: sum of int wraps, avg of decimal', async () => {
  const h = await setup();
  try {
    await h.q('INSERT INTO t (k, c, v, d) VALUES (1, 1, 2147483647, 1.25)');
    await h.q('INSERT INTO t (k, c, v, d) VALUES (1, 2, 1, 2.50)');
    assert.deepEqual(await h.rows('SELECT sum(v), avg(d), count(v), count(1), max(d) FROM t WHERE k = 1'), [
      [-2147483648, { unscaled: 188n, scale: 2 }, 2n, 2n, { unscaled: 250n, scale: 2 }],
    ]);
  } finally {
    await h.close();
  }
});
