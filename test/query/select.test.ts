import test from 'node:test';
import assert from 'node:assert/strict';
import { harness, int } from './_harness.js';

async function setup() {
  const h = await harness();
  await h.q("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await h.q('USE ks');
  await h.q('CREATE TABLE t (k int, c int, v int, tags set<text>, PRIMARY KEY (k, c))');
  for (let k = 0; k < 3; k++) for (let c = 0; c < 4; c++) await h.q(`INSERT INTO t (k, c, v, tags) VALUES (?, ?, ?, {'t${c % 2}'})`, [int(k), int(c), int(k * 10 + c)]);
  return h;
}

test('aggregates, GROUP BY, DISTINCT, token ranges', async () => {
  const h = await setup();
  try {
    assert.deepEqual(await h.rows('SELECT count(*), min(v), max(v), sum(v), avg(v) FROM t WHERE k = 1'), [[4n, 10, 13, 46, 11]]);
    const all = await h.q('SELECT count(*) FROM t', [], { pageSize: 5 });
    assert.equal(all.result.kind === 'rows' && all.result.rows.length, 1);
    assert.match(all.warnings?.[0] ?? '', /Aggregation query used without partition key/);
    const grouped = await h.rows('SELECT k, count(*) FROM t GROUP BY k', [], { pageSize: 2 });
    assert.equal(grouped.length, 2);
    assert.deepEqual((await h.rows('SELECT DISTINCT k FROM t')).length, 3);
    const tokens = await h.rows('SELECT k, token(k) FROM t WHERE token(k) > -9223372036854775808 AND c = 0 ALLOW FILTERING');
    assert.equal(tokens.length, 3);
  } finally {
    await h.close();
  }
});

test('ALLOW FILTERING on regular columns and CONTAINS', async () => {
  const h = await setup();
  try {
    assert.deepEqual(await h.rows('SELECT v FROM t WHERE k = 2 AND v > 21 ALLOW FILTERING'), [[22], [23]]);
    assert.equal((await h.rows("SELECT v FROM t WHERE tags CONTAINS 't1' ALLOW FILTERING")).length, 6);
    assert.deepEqual(await h.rows('SELECT v FROM t WHERE k = 0 AND (c) >= (2)'), [[2], [3]]);
    assert.deepEqual(await h.rows('SELECT v FROM t WHERE k = 0 AND c IN (3, 1)'), [[1], [3]]);
    assert.deepEqual(await h.rows('SELECT v FROM t WHERE k = 0 LIMIT 2'), [[0], [1]]);
    assert.deepEqual(await h.rows('SELECT CAST(v AS text) FROM t WHERE k = 0 AND c = 1'), [['1']]);
  } finally {
    await h.close();
  }
});

test('a prepared SELECT (run without the general async frames) answers as the same QUERY does: rows, pages, metadata, errors', async () => {
  const h = await setup();
  try {
    const { INFO, params } = await import('./_harness.js');
    const cases: [string, Buffer[], Record<string, unknown>][] = [
      ['SELECT v FROM t WHERE k = ?', [int(1)], {}],
      ['SELECT * FROM t WHERE k = ? AND c > ?', [int(2), int(0)], {}],
      ['SELECT k, c, v FROM t', [], { pageSize: 5 }],
      ['SELECT v FROM t WHERE k = ? LIMIT 2', [int(0)], { skipMetadata: true }],
      ['SELECT count(*) FROM t WHERE k = ?', [int(1)], {}],
      ['SELECT v FROM t WHERE v = ?', [int(3)], {}], // needs ALLOW FILTERING: an error either way
      ['SELECT v FROM t WHERE k = ?', [], {}], // too few values
    ];
    const settle = (p: Promise<unknown>) => p.then((value) => ({ value }), (e: Error) => ({ error: `${e.constructor.name}: ${e.message}` }));
    for (const [cql, values, opts] of cases) {
      const viaQuery = await settle(h.qp.query({ opcode: 'QUERY', query: cql, params: params(opts, values) }, h.client, INFO));
      const prepared = await h.qp.prepare({ opcode: 'PREPARE', query: cql, keyspace: null }, h.client, INFO).catch(() => null);
      if (prepared === null || prepared.result.kind !== 'prepared') { assert.ok('error' in viaQuery, cql); continue; }
      const viaExecute = await settle(h.qp.execute({ opcode: 'EXECUTE', id: prepared.result.id, resultMetadataId: null, params: params(opts, values) }, h.client, INFO));
      assert.deepEqual(viaExecute, viaQuery, cql);
    }
  } finally {
    await h.close();
  }
});
