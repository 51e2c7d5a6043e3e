// End-to-end: the parts of issue 2's "Done when" list that npm-driver.test.ts does not cover, through
// the npm cassandra-driver with default options against a real node process.

import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import cassandra from 'cassandra-driver';
import { startNodeProcess, type NodeProcess } from '../harness.js';
import { connectNpmClient } from './_drivers.js';

let node: NodeProcess;
let client: cassandra.Client;
const T = cassandra.types;

before(async () => {
  node = await startNodeProcess();
  client = await connectNpmClient(node, 'nc');
});

after(async () => {
  await client?.shutdown();
  await node?.cleanup();
});

type ErrorWithCode = Error & { code?: number };

function rejectsWith(code: number, pattern: RegExp): (err: ErrorWithCode) => boolean {
  return (err) => {
    assert.equal(err.code, code, err.message);
    assert.match(err.message, pattern);
    return true;
  };
}

test('named values in prepared and simple statements', async () => {
  await client.execute('CREATE TABLE nc.named (k int, c int, v text, PRIMARY KEY (k, c))');
  await client.execute('INSERT INTO nc.named (k, c, v) VALUES (:k, :c, :v)', { v: 'x', c: 2, k: 1 }, { prepare: true });
  const rs = await client.execute('SELECT v FROM nc.named WHERE k = :key AND c = :cc', { cc: 2, key: 1 }, { prepare: true });
  assert.equal(rs.first()['v'], 'x');
});

test('unlogged and counter batches; a counter in a logged batch is refused', async () => {
  await client.execute('CREATE TABLE nc.bt (k int, c int, v int, PRIMARY KEY (k, c))');
  await client.execute('CREATE TABLE nc.bc (k int PRIMARY KEY, n counter)');
  const ins = 'INSERT INTO nc.bt (k, c, v) VALUES (?, ?, ?)';
  await client.batch([1, 2, 3].map((k) => ({ query: ins, params: [k, 0, k] })), { prepare: true, logged: false });
  const inc = 'UPDATE nc.bc SET n = n + ? WHERE k = ?';
  await client.batch([{ query: inc, params: [T.Long.fromNumber(5), 1] }, { query: inc, params: [T.Long.fromNumber(-2), 1] }],
    { prepare: true, counter: true });
  assert.equal((await client.execute('SELECT n FROM nc.bc WHERE k = 1')).first()['n'].toString(), '3');
  assert.equal((await client.execute('SELECT * FROM nc.bt')).rows.length, 3);
  await assert.rejects(client.batch([{ query: inc, params: [T.Long.fromNumber(1), 1] }], { prepare: true }), /counter/i);
});

test('IF conditions: result shapes for missing rows and failed conditions', async () => {
  await client.execute('CREATE TABLE nc.lwt (k int PRIMARY KEY, v int, w text)');
  let rs = await client.execute('UPDATE nc.lwt SET v = 1 WHERE k = 1 IF v = 0');
  assert.deepEqual(rs.columns.map((c) => c.name), ['[applied]']);
  assert.equal(rs.first()['[applied]'], false);
  await client.execute("INSERT INTO nc.lwt (k, v, w) VALUES (1, 1, 'a')");
  rs = await client.execute("UPDATE nc.lwt SET v = 2 WHERE k = 1 IF v = 0 AND w = 'a'");
  assert.deepEqual(rs.columns.map((c) => c.name), ['[applied]', 'v', 'w']);
  rs = await client.execute('DELETE FROM nc.lwt WHERE k = 1 IF EXISTS');
  assert.equal(rs.first()['[applied]'], true);
});

test('token() range scans over system.size_estimates cover the ring exactly once', async () => {
  await client.execute('CREATE TABLE nc.scan (k int PRIMARY KEY, v int)');
  await Promise.all(Array.from({ length: 200 }, (_, k) => client.execute('INSERT INTO nc.scan (k, v) VALUES (?, ?)', [k, k], { prepare: true })));
  const est = await client.execute("SELECT range_start, range_end FROM system.size_estimates WHERE keyspace_name = 'nc' AND table_name = 'scan'");
  assert.ok(est.rows.length >= 2);
  const seen: number[] = [];
  const run = async (where: string, params: unknown[]) => {
    let pageState: string | undefined;
    do {
      const rs = await client.execute(`SELECT k FROM nc.scan WHERE ${where}`, params, { prepare: true, fetchSize: 17, pageState });
      seen.push(...rs.rows.map((r) => r['k'] as number));
      pageState = rs.pageState ?? undefined;
    } while (pageState);
  };
  for (const r of est.rows) {
    const start = T.Long.fromString(r['range_start']);
    const end = T.Long.fromString(r['range_end']);
    if (start.lessThan(end)) await run('token(k) > ? AND token(k) <= ?', [start, end]);
    else {
      await run('token(k) > ?', [start]);
      await run('token(k) <= ?', [end]);
    }
  }
  assert.equal(seen.length, 200);
  assert.equal(new Set(seen).size, 200);
});

test('USE switches the keyspace of the connection pool', async () => {
  const other = new cassandra.Client({ contactPoints: [`${node.host}:${node.port}`], localDataCenter: 'datacenter1', keyspace: 'nc' });
  try {
    await other.connect();
    await other.execute('CREATE TABLE IF NOT EXISTS kt (k int PRIMARY KEY, v text)');
    await other.execute("INSERT INTO kt (k, v) VALUES (1, 'x')");
    assert.equal((await client.execute('SELECT v FROM nc.kt WHERE k = 1')).first()['v'], 'x');
  } finally {
    await other.shutdown();
  }
});

test('schema changes: ALTER ADD is seen by prepared statements, DROP, metadata refresh', async () => {
  await client.execute('CREATE TABLE nc.sch (k int PRIMARY KEY, a int)');
  await client.execute('INSERT INTO nc.sch (k, a) VALUES (1, 1)');
  const q = 'SELECT * FROM nc.sch WHERE k = ?';
  assert.deepEqual((await client.execute(q, [1], { prepare: true })).columns.map((c) => c.name), ['k', 'a']);
  await client.execute('ALTER TABLE nc.sch ADD b text');
  await client.execute("UPDATE nc.sch SET b = 'bee' WHERE k = 1");
  const rs = await client.execute(q, [1], { prepare: true });
  assert.deepEqual(rs.columns.map((c) => c.name), ['k', 'a', 'b']);
  assert.equal(rs.first()['b'], 'bee');
  let table = await client.metadata.getTable('nc', 'sch');
  for (let i = 0; i < 50 && table && !table.columnsByName['b']; i++) {
    await new Promise((r) => setTimeout(r, 100));
    table = await client.metadata.getTable('nc', 'sch');
  }
  assert.ok(table?.columnsByName['b'], 'metadata refreshed after ALTER');
  await client.execute('DROP TABLE nc.sch');
  // The cached prepared id is refused (the driver reports the failed re-prepare as it sees it).
  await assert.rejects(client.execute(q, [1], { prepare: true }));
  await assert.rejects(client.execute(q, [1]), rejectsWith(0x2200, /sch/));
});

test('aggregates, GROUP BY and functions', async () => {
  await client.execute('CREATE TABLE nc.agg (p int, c int, v int, d decimal, ts timestamp, PRIMARY KEY (p, c))');
  for (let c = 1; c <= 4; c++) {
    await client.execute('INSERT INTO nc.agg (p, c, v, d, ts) VALUES (?, ?, ?, ?, ?)',
      [c % 2, c, c * 10, T.BigDecimal.fromString(`${c}.5`), new Date(Date.UTC(2024, 0, c))], { prepare: true });
  }
  const grouped = await client.execute('SELECT p, count(*) AS n, sum(v) AS s FROM nc.agg GROUP BY p');
  assert.deepEqual(grouped.rows.map((r) => [r['p'], r['n'].toString(), r['s']]).sort(), [[0, '2', 60], [1, '2', 40]]);
  const f = await client.execute('SELECT v + 1 AS v1, d * 2 AS d2, toDate(ts) AS dt, ts + 1d AS next FROM nc.agg WHERE p = 1 AND c = 1');
  const r = f.first();
  assert.equal(r['v1'], 11);
  assert.equal(r['d2'].toString(), '3.0');
  assert.equal(r['dt'].toString(), '2024-01-01');
  assert.equal((r['next'] as Date).toISOString(), '2024-01-02T00:00:00.000Z');
  const marker = await client.execute('SELECT c FROM nc.agg WHERE p = 1 AND ts >= toTimestamp(?) ALLOW FILTERING', [T.LocalDate.fromString('2024-01-02')], { prepare: true }).catch((e: Error) => e);
  assert.ok(marker instanceof Error && /Ambiguous/.test(marker.message), 'toTimestamp(?) is ambiguous, as in Cassandra');
  const hinted = await client.execute('SELECT c FROM nc.agg WHERE p = 1 AND ts >= toTimestamp((date) ?) ALLOW FILTERING', [T.LocalDate.fromString('2024-01-02')], { prepare: true });
  assert.deepEqual(hinted.rows.map((x) => x['c']), [3]);
});

test('error codes and messages: syntax position, unknown names, wrong value types', async () => {
  await client.execute('CREATE TABLE nc.err (k int PRIMARY KEY, v text)');
  await assert.rejects(client.execute('SELECT * FROM nc.err WHERE k = = 1'), rejectsWith(0x2000, /line 1:\d+.*'='/));
  await assert.rejects(client.execute('SELECT * FROM nc.nosuch'), rejectsWith(0x2200, /nosuch/));
  await assert.rejects(client.execute('SELECT * FROM nosuchks.err'), rejectsWith(0x2200, /nosuchks/));
  await assert.rejects(client.execute('SELECT nocol FROM nc.err'), rejectsWith(0x2200, /nocol/));
  await assert.rejects(client.execute('UPDATE nc.err SET nocol = 1 WHERE k = 1'), rejectsWith(0x2200, /nocol/));
  await assert.rejects(client.execute("INSERT INTO nc.err (k, v) VALUES ('x', 'y')"), rejectsWith(0x2200, /k/));
  await assert.rejects(client.execute('INSERT INTO nc.err (k, v) VALUES (?, ?)', [Buffer.from([1, 2, 3]), 'y'], { hints: ['blob', 'text'] }),
    rejectsWith(0x2200, /k/));
  await assert.rejects(client.execute("CREATE TABLE nc.err (k int PRIMARY KEY)"), rejectsWith(0x2400, /err/));
  assert.equal((await client.execute('SELECT count(*) FROM nc.err')).first()['count'].toString(), '0');
});
