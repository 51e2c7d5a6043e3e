import test from 'node:test';
import assert from 'node:assert/strict';
import { harness, asRows, decodeRows, params, INFO, int, text } from './_harness.js';
import { InvalidRequest, Unprepared } from '../../src/util/errors.js';
import { UNSET } from '../../src/protocol/messages.js';

async function setup() {
  const h = await harness();
  await h.q("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await h.q('USE ks');
  await h.q('CREATE TABLE t (k int, c int, v text, s int static, PRIMARY KEY (k, c))');
  return h;
}

test('insert and select by key, with clustering order and static columns', async () => {
  const h = await setup();
  try {
    assert.equal(h.client.keyspace, 'ks');
    await h.q("INSERT INTO t (k, c, v) VALUES (1, 2, 'b')");
    await h.q("INSERT INTO t (k, c, v, s) VALUES (1, 1, 'a', 7)");
    assert.deepEqual(await h.rows('SELECT * FROM t WHERE k = 1'), [[1, 1, 7, 'a'], [1, 2, 7, 'b']]);
    assert.deepEqual(await h.rows('SELECT c, v FROM t WHERE k = 1 ORDER BY c DESC'), [[2, 'b'], [1, 'a']]);
    assert.deepEqual(await h.rows('SELECT v FROM t WHERE k = 1 AND c = 2'), [['b']]);
    assert.deepEqual(await h.rows('SELECT v FROM t WHERE k = 1 AND c > 1'), [['b']]);
    assert.deepEqual(await h.rows('SELECT * FROM t WHERE k = 2'), []);
    const cols = asRows(await h.q('SELECT k, c AS cc, writetime(v) FROM t WHERE k = 1')).columns.map((c) => c.name);
    assert.deepEqual(cols, ['k', 'cc', 'writetime(v)']);
  } finally {
    await h.close();
  }
});

test('prepared statements: ids, bind metadata, pk indexes, unprepared', async () => {
  const h = await setup();
  try {
    const p = await h.qp.prepare({ opcode: 'PREPARE', query: 'INSERT INTO t (c, k, v) VALUES (?, ?, ?)', keyspace: null }, h.client, INFO);
    assert.equal(p.result.kind, 'prepared');
    if (p.result.kind !== 'prepared') return;
    assert.deepEqual(p.result.bindVariables.map((b) => b.name), ['c', 'k', 'v']);
    assert.deepEqual(p.result.partitionKeyIndexes, [1]);
    await h.qp.execute({ opcode: 'EXECUTE', id: p.result.id, resultMetadataId: null, params: params({}, [int(5), int(3), text('x')]) }, h.client, INFO);
    assert.deepEqual(await h.rows('SELECT v FROM t WHERE k = 3 AND c = 5'), [['x']]);
    const again = await h.qp.prepare({ opcode: 'PREPARE', query: 'INSERT INTO t (c, k, v) VALUES (?, ?, ?)', keyspace: null }, h.client, INFO);
    assert.deepEqual(again.result.kind === 'prepared' && again.result.id, p.result.id);
    await assert.rejects(
      h.qp.execute({ opcode: 'EXECUTE', id: Buffer.alloc(16), resultMetadataId: null, params: params() }, h.client, INFO),
      (e: unknown) => e instanceof Unprepared && e.statementId.equals(Buffer.alloc(16)));
    const sel = await h.qp.prepare({ opcode: 'PREPARE', query: 'SELECT v FROM t WHERE k = ? AND c IN ?', keyspace: null }, h.client, INFO);
    if (sel.result.kind !== 'prepared') throw new Error('not prepared');
    assert.deepEqual(sel.result.bindVariables.map((b) => b.name), ['k', 'in(c)']);
    assert.deepEqual(sel.result.resultColumns.map((c) => c.name), ['v']);
  } finally {
    await h.close();
  }
});

test('paging across rows and partitions resumes exactly', async () => {
  const h = await setup();
  try {
    for (let k = 0; k < 5; k++) for (let c = 0; c < 7; c++) await h.q('INSERT INTO t (k, c, v) VALUES (?, ?, ?)', [int(k), int(c), text(`${k}-${c}`)]);
    for (const pageSize of [1, 3, 7, 10, 100]) {
      const seen: string[] = [];
      let state: Buffer | null = null;
      let pages = 0;
      do {
        const r = asRows(await h.q('SELECT v FROM t', [], { pageSize, pagingState: state }));
        assert.ok(r.rows.length <= pageSize);
        seen.push(...decodeRows(r).map((x) => x[0] as string));
        state = r.pagingState;
        assert.ok(++pages < 100);
      } while (state);
      assert.equal(seen.length, 35, `page size ${pageSize}`);
      assert.equal(new Set(seen).size, 35);
    }
    const inRows: string[] = [];
    let state: Buffer | null = null;
    do {
      const r = asRows(await h.q('SELECT v FROM t WHERE k IN (3, 1) LIMIT 10', [], { pageSize: 4, pagingState: state }));
      inRows.push(...decodeRows(r).map((x) => x[0] as string));
      state = r.pagingState;
    } while (state);
    assert.deepEqual(inRows, ['1-0', '1-1', '1-2', '1-3', '1-4', '1-5', '1-6', '3-0', '3-1', '3-2']);
    await assert.rejects(h.q('SELECT v FROM t', [], { pageSize: 2, pagingState: Buffer.from('garbage') }), /paging state/);
    const perPartition = await h.rows('SELECT k, c FROM t PER PARTITION LIMIT 2', [], { pageSize: 3 });
    assert.equal(perPartition.length, 3);
  } finally {
    await h.close();
  }
});

test('restriction errors mirror Cassandra', async () => {
  const h = await setup();
  try {
    await h.q('CREATE TABLE t2 (a int, b int, c int, d int, v int, PRIMARY KEY ((a, b), c, d))');
    const cases: [string, RegExp][] = [
      ['SELECT * FROM t2 WHERE v = 1', /ALLOW FILTERING/],
      ['SELECT * FROM t2 WHERE a = 1 AND b = 1 AND d = 1', /PRIMARY KEY column "d" cannot be restricted as preceding column "c" is not restricted/],
      ['SELECT * FROM t2 WHERE a = 1', /Partition key parts: b must be restricted as other parts are/],
      ['INSERT INTO t2 (a, c, d) VALUES (1, 1, 1)', /Some partition key parts are missing: b/],
      ['UPDATE t2 SET v = 1 WHERE a = 1 AND b = 1 AND c = 1', /Some clustering keys are missing: d/],
      ['INSERT INTO t2 (a, b, c, d, v) VALUES (1, null, 1, 1, 1)', /Invalid null value in condition for column b/],
      ['SELECT * FROM t2 WHERE a = 1 AND b = 1 ORDER BY v', /Order by is currently only supported on the clustered columns/],
      ['SELECT nope FROM t2', /Undefined column name nope/],
      ['SELECT * FROM nope', /table nope does not exist/],
    ];
    for (const [cql, re] of cases) await assert.rejects(h.q(cql), (e: unknown) => e instanceof InvalidRequest && re.test(e.message), cql);
  } finally {
    await h.close();
  }
});

test('unset leaves columns untouched; null writes tombstones', async () => {
  const h = await setup();
  try {
    await h.q("INSERT INTO t (k, c, v) VALUES (1, 1, 'a')");
    await h.q('UPDATE t SET v = ? WHERE k = 1 AND c = 1', [UNSET]);
    assert.deepEqual(await h.rows('SELECT v FROM t WHERE k = 1'), [['a']]);
    await h.q('UPDATE t SET v = ? WHERE k = 1 AND c = 1', [null]);
    assert.deepEqual(await h.rows('SELECT v FROM t WHERE k = 1'), [[null]]);
  } finally {
    await h.close();
  }
});
