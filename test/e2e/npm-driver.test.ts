// End-to-end: a real node process driven by the npm cassandra-driver with default options.

import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import cassandra from 'cassandra-driver';
import { startNodeProcess, type NodeProcess } from '../harness.js';
import { connectNpmClient } from './_drivers.js';

let node: NodeProcess;
let client: cassandra.Client;

before(async () => {
  node = await startNodeProcess();
  client = await connectNpmClient(node, 'ks');
});

after(async () => {
  await client?.shutdown();
  await node?.cleanup();
});

test('connects stepping down to a Cassandra protocol version and reads system.local', async () => {
  assert.ok(client.getState().getConnectedHosts().length === 1);
  const version = (client as unknown as { controlConnection: { protocolVersion: number } }).controlConnection.protocolVersion;
  assert.ok(version === 4 || version === 5, `negotiated protocol version ${version}`);
  const rs = await client.execute('SELECT cluster_name, data_center, rack, partitioner FROM system.local');
  assert.equal(rs.rows.length, 1);
  assert.equal(rs.rows[0]!['data_center'], 'datacenter1');
  assert.equal(rs.rows[0]!['partitioner'], 'org.apache.cassandra.dht.Murmur3Partitioner');
});

test('metadata.getTable gives keys, columns and clustering order', async () => {
  await client.execute(`CREATE TABLE ks.meta (a int, b text, c timestamp, d bigint, v text, s int static,
    PRIMARY KEY ((a, b), c, d)) WITH CLUSTERING ORDER BY (c DESC, d ASC) AND comment = 'hello'`);
  const table = await client.metadata.getTable('ks', 'meta');
  assert.ok(table, 'table metadata loaded');
  assert.deepEqual(table.partitionKeys.map((c) => c.name), ['a', 'b']);
  assert.deepEqual(table.clusteringKeys.map((c) => c.name), ['c', 'd']);
  assert.deepEqual(table.clusteringOrder, ['DESC', 'ASC']);
  assert.equal(table.comment, 'hello');
  assert.deepEqual(table.columns.map((c) => c.name).sort(), ['a', 'b', 'c', 'd', 's', 'v']);
  const s = table.columnsByName['s'];
  assert.ok(s && (s as unknown as { isStatic: boolean }).isStatic);
});

test('schema change events reach the driver', async () => {
  // A second client creates a keyspace; the first learns of it only through the SCHEMA_CHANGE
  // event pushed on its control connection (the driver refreshes keyspace metadata on events).
  const other = new cassandra.Client({ contactPoints: [`${node.host}:${node.port}`], localDataCenter: 'datacenter1' });
  await other.connect();
  try {
    await other.execute("CREATE KEYSPACE evks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  } finally {
    await other.shutdown();
  }
  const keyspaces = () => (client.metadata as unknown as { keyspaces: Record<string, unknown> }).keyspaces;
  for (let i = 0; i < 50 && !keyspaces()['evks']; i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(keyspaces()['evks'], 'keyspace known from the event');
});

test('every native type round-trips through prepared statements', async () => {
  await client.execute(`CREATE TABLE ks.types (k int PRIMARY KEY, a ascii, b bigint, bl blob, bo boolean, d date,
    de decimal, db double, du duration, f float, i inet, si smallint, t text, ti time, ts timestamp,
    tu timeuuid, tt tinyint, u uuid, vi varint)`);
  const T = cassandra.types;
  const values = {
    k: 1, a: 'ascii', b: T.Long.fromString('-9223372036854775808'), bl: Buffer.from('cafe', 'hex'), bo: true,
    d: T.LocalDate.fromString('2024-02-29'), de: T.BigDecimal.fromString('-123.4500'), db: 3.25,
    du: new T.Duration(1, 2, T.Long.fromNumber(3000000000)), f: 1.5, i: T.InetAddress.fromString('::1'),
    si: -32768, t: 'héllo ✓', ti: T.LocalTime.fromString('12:34:56.789012345'), ts: new Date('2024-01-02T03:04:05.678Z'),
    tu: T.TimeUuid.now(), tt: 127, u: T.Uuid.random(), vi: T.Integer.fromString('123456789012345678901234567890'),
  };
  const cols = Object.keys(values);
  await client.execute(`INSERT INTO ks.types (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
    Object.values(values), { prepare: true });
  const rs = await client.execute('SELECT * FROM ks.types WHERE k = ?', [1], { prepare: true });
  const row = rs.first();
  for (const [name, v] of Object.entries(values)) {
    const got = row[name];
    const want = v as { toString(): string };
    if (Buffer.isBuffer(v)) assert.ok(got.equals(v), name);
    else if (v instanceof Date) assert.equal(got.getTime(), v.getTime(), name);
    else assert.equal(String(got), String(want), name);
  }
});

test('collections, tuples and UDTs round-trip and support element operations', async () => {
  await client.execute('CREATE TYPE ks.addr (street text, zip int)');
  await client.execute(`CREATE TABLE ks.coll (k int PRIMARY KEY, l list<int>, s set<text>, m map<text, int>,
    fl frozen<list<frozen<map<int, text>>>>, tp tuple<int, text>, ad frozen<addr>, adl list<frozen<addr>>)`);
  const T = cassandra.types;
  await client.execute('INSERT INTO ks.coll (k, l, s, m, fl, tp, ad, adl) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    [1, [1, 2], ['b', 'a'], { x: 1 }, [{ 1: 'one' }], new T.Tuple(7, 'seven'), { street: 'Main', zip: 12345 },
      [{ street: 'Side', zip: 1 }]], { prepare: true });
  await client.execute("UPDATE ks.coll SET l = l + [3], l = [0] + l, s = s - {'a'}, m['y'] = 2 WHERE k = 1");
  const row = (await client.execute('SELECT * FROM ks.coll WHERE k = 1')).first();
  assert.deepEqual(row['l'], [0, 1, 2, 3]);
  assert.deepEqual(row['s'], ['b']);
  assert.deepEqual(row['m'], { x: 1, y: 2 });
  assert.deepEqual(row['fl'], [{ 1: 'one' }]);
  assert.equal(row['tp'].get(1), 'seven');
  assert.deepEqual(row['ad'], { street: 'Main', zip: 12345 });
  assert.equal(row['adl'][0].street, 'Side');
  await client.execute("DELETE m['x'], l[0] FROM ks.coll WHERE k = 1");
  const row2 = (await client.execute('SELECT m, l FROM ks.coll WHERE k = 1')).first();
  assert.deepEqual(row2['m'], { y: 2 });
  assert.deepEqual(row2['l'], [1, 2, 3]);
});

test('paging across partitions returns every row exactly once', async () => {
  await client.execute('CREATE TABLE ks.pages (p int, c int, v text, PRIMARY KEY (p, c))');
  const q = 'INSERT INTO ks.pages (p, c, v) VALUES (?, ?, ?)';
  const inserts: Promise<unknown>[] = [];
  for (let p = 0; p < 20; p++) for (let c = 0; c < 15; c++) inserts.push(client.execute(q, [p, c, `${p}-${c}`], { prepare: true }));
  await Promise.all(inserts);
  const seen = new Set<string>();
  let pages = 0;
  let pageState: string | undefined;
  do {
    const rs = await client.execute('SELECT p, c, v FROM ks.pages', [], { fetchSize: 37, pageState, prepare: true });
    pages++;
    for (const r of rs.rows) {
      const key = `${r['p']}-${r['c']}`;
      assert.ok(!seen.has(key), `row ${key} seen twice`);
      assert.equal(r['v'], key);
      seen.add(key);
    }
    pageState = rs.pageState ?? undefined;
  } while (pageState);
  assert.equal(seen.size, 300);
  assert.ok(pages >= 9, `paged in ${pages} pages`);
  const count = await client.execute('SELECT count(*) FROM ks.pages', [], { fetchSize: 10 });
  assert.equal(count.first()['count'].toString(), '300');
});

test('batches, TTL, tombstones of every kind and static columns', async () => {
  await client.execute('CREATE TABLE ks.t (p int, c int, s int static, v int, PRIMARY KEY (p, c))');
  await client.batch([
    { query: 'INSERT INTO ks.t (p, c, v) VALUES (?, ?, ?)', params: [1, 1, 10] },
    { query: 'INSERT INTO ks.t (p, c, v) VALUES (?, ?, ?)', params: [1, 2, 20] },
    { query: 'INSERT INTO ks.t (p, c, v) VALUES (?, ?, ?)', params: [1, 3, 30] },
    { query: 'UPDATE ks.t SET s = ? WHERE p = ?', params: [7, 1] },
  ], { prepare: true });
  let rs = await client.execute('SELECT c, s, v FROM ks.t WHERE p = 1');
  assert.deepEqual(rs.rows.map((r) => [r['c'], r['s'], r['v']]), [[1, 7, 10], [2, 7, 20], [3, 7, 30]]);
  await client.execute('DELETE v FROM ks.t WHERE p = 1 AND c = 1');        // cell tombstone
  await client.execute('DELETE FROM ks.t WHERE p = 1 AND c = 2');          // row tombstone
  rs = await client.execute('SELECT c, v FROM ks.t WHERE p = 1');
  assert.deepEqual(rs.rows.map((r) => [r['c'], r['v']]), [[1, null], [3, 30]]);
  await client.execute('DELETE FROM ks.t WHERE p = 1 AND c >= 1 AND c < 3'); // range tombstone
  rs = await client.execute('SELECT c FROM ks.t WHERE p = 1');
  assert.deepEqual(rs.rows.map((r) => r['c']), [3]);
  await client.execute('DELETE FROM ks.t WHERE p = 1');                    // partition tombstone
  rs = await client.execute('SELECT * FROM ks.t WHERE p = 1');
  assert.equal(rs.rows.length, 0);
  // TTLs count whole seconds from the second the write lands in (as in Cassandra), so a TTL of
  // 1 may expire within milliseconds; 3 leaves the immediate read room on a loaded machine.
  await client.execute('INSERT INTO ks.t (p, c, v) VALUES (2, 1, 1) USING TTL 3');
  rs = await client.execute('SELECT TTL(v), WRITETIME(v) FROM ks.t WHERE p = 2 AND c = 1');
  const ttl = rs.first()['ttl(v)'];
  assert.ok(ttl >= 1 && ttl <= 3, `ttl ${ttl}`);
  await new Promise((r) => setTimeout(r, 3100));
  rs = await client.execute('SELECT * FROM ks.t WHERE p = 2');
  assert.equal(rs.rows.length, 0, 'TTL expired');
});

test('counters, IF conditions, aggregates, JSON and ALLOW FILTERING', async () => {
  await client.execute('CREATE TABLE ks.cnt (k text PRIMARY KEY, n counter)');
  await client.execute("UPDATE ks.cnt SET n = n + 5 WHERE k = 'a'");
  await client.execute("UPDATE ks.cnt SET n = n - 2 WHERE k = 'a'");
  assert.equal((await client.execute("SELECT n FROM ks.cnt WHERE k = 'a'")).first()['n'].toString(), '3');

  await client.execute('CREATE TABLE ks.lwt (k int PRIMARY KEY, v int)');
  let rs = await client.execute('INSERT INTO ks.lwt (k, v) VALUES (1, 1) IF NOT EXISTS');
  assert.equal(rs.first()['[applied]'], true);
  rs = await client.execute('INSERT INTO ks.lwt (k, v) VALUES (1, 2) IF NOT EXISTS');
  assert.equal(rs.first()['[applied]'], false);
  assert.equal(rs.first()['v'], 1);
  rs = await client.execute('UPDATE ks.lwt SET v = 3 WHERE k = 1 IF v = 1');
  assert.equal(rs.first()['[applied]'], true);

  await client.execute('CREATE TABLE ks.agg (p int, c int, v int, PRIMARY KEY (p, c))');
  for (let c = 1; c <= 4; c++) await client.execute('INSERT INTO ks.agg (p, c, v) VALUES (1, ?, ?)', [c, c * 10], { prepare: true });
  rs = await client.execute('SELECT count(*), min(v), max(v), sum(v), avg(v) FROM ks.agg WHERE p = 1');
  const r = rs.first();
  assert.deepEqual([r['count'].toString(), r['system.min(v)'], r['system.max(v)'], r['system.sum(v)'], r['system.avg(v)']],
    ['4', 10, 40, 100, 25]);

  rs = await client.execute('SELECT JSON p, c, v FROM ks.agg WHERE p = 1 AND c = 2');
  assert.deepEqual(JSON.parse(rs.first()['[json]']), { p: 1, c: 2, v: 20 });
  await client.execute(`INSERT INTO ks.agg JSON '{"p": 2, "c": 1, "v": 99}'`);
  assert.equal((await client.execute('SELECT v FROM ks.agg WHERE p = 2 AND c = 1')).first()['v'], 99);

  await assert.rejects(client.execute('SELECT * FROM ks.agg WHERE v = 20'), /ALLOW FILTERING/);
  rs = await client.execute('SELECT p, c FROM ks.agg WHERE v = 20 ALLOW FILTERING');
  assert.deepEqual(rs.rows.map((x) => [x['p'], x['c']]), [[1, 2]]);
});

test('errors name what was wrong and the connection keeps working', async () => {
  await assert.rejects(client.execute('SELEC * FROM ks.agg'), (err: Error & { code?: number }) => {
    assert.equal(err.code, 0x2000);
    assert.match(err.message, /SELEC/);
    return true;
  });
  await assert.rejects(client.execute('SELECT * FROM ks.nope'), (err: Error & { code?: number }) => {
    assert.equal(err.code, 0x2200);
    assert.match(err.message, /nope/);
    return true;
  });
  await assert.rejects(client.execute('SELECT nocol FROM ks.agg'), /nocol/);
  await assert.rejects(client.execute('INSERT INTO ks.agg (p, c, v) VALUES (?, ?, ?)', ['x', 1, 1], { prepare: true }));
  const rs = await client.execute('SELECT release_version FROM system.local');
  assert.equal(rs.rows.length, 1);
});

test('token-aware routing: the driver computes the same token as the node', async () => {
  await client.execute('CREATE TABLE ks.tok (k text PRIMARY KEY)');
  await client.execute("INSERT INTO ks.tok (k) VALUES ('abc')");
  const rs = await client.execute("SELECT token(k) FROM ks.tok WHERE k = 'abc'");
  const serverToken = rs.first()['system.token(k)'].toString();
  const replicas = client.getReplicas('ks', Buffer.from('abc'));
  assert.equal(replicas.length, 1);
  const tokenizer = (client.metadata as unknown as { tokenizer: unknown }).tokenizer as { hash(b: Buffer): { toString(): string } };
  assert.equal(tokenizer.hash(Buffer.from('abc')).toString(), serverToken);
});
