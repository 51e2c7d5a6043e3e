import test from 'node:test';
import assert from 'node:assert/strict';
import { AlreadyExists, ConfigError, CqlSyntaxError, InvalidRequest } from '../../src/util/errors.js';
import { typeToCql } from '../../src/schema/types.js';
import { harness } from './_helpers.js';

const KS = "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}";

test('create keyspace: SimpleStrategy and NetworkTopologyStrategy, durable_writes, IF NOT EXISTS, AlreadyExists', async () => {
  const h = await harness();
  const r = await h.run(KS);
  assert.deepEqual(r.change, { change: 'CREATED', target: 'KEYSPACE', keyspace: 'ks' });
  assert.deepEqual(h.schema.keyspace('ks')?.replication, { class: 'SimpleStrategy', replicationFactor: 1 });
  assert.equal((await h.run(KS.replace('KEYSPACE', 'KEYSPACE IF NOT EXISTS'))).change, null);
  await assert.rejects(h.run(KS), (e: unknown) => e instanceof AlreadyExists && e.keyspace === 'ks' && e.table === '');
  await h.run("CREATE KEYSPACE nts WITH replication = {'class': 'org.apache.cassandra.locator.NetworkTopologyStrategy', 'dc1': 3, 'dc2': '2'} AND durable_writes = false");
  const nts = h.schema.keyspace('nts')!;
  assert.deepEqual(nts.replication, { class: 'NetworkTopologyStrategy', dcs: { dc1: 3, dc2: 2 } });
  assert.equal(nts.durableWrites, false);
  await h.run("CREATE KEYSPACE rf WITH replication = {'class': 'NetworkTopologyStrategy', 'replication_factor': 2}");
  assert.deepEqual(h.schema.keyspace('rf')!.replication, { class: 'NetworkTopologyStrategy', dcs: { dc1: 2, dc2: 2 } });
});

test('keyspace option errors name what is wrong', async () => {
  const h = await harness();
  const cases: [string, new (...a: never[]) => Error, RegExp][] = [
    ["CREATE KEYSPACE a WITH replication = {'class': 'SimpleStrategy'}", ConfigError, /requires a replication_factor/],
    ["CREATE KEYSPACE a WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 'x'}", ConfigError, /replication_factor/],
    ["CREATE KEYSPACE a WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1, 'dc1': 2}", ConfigError, /Unrecognized strategy option \{dc1\}/],
    ["CREATE KEYSPACE a WITH replication = {'class': 'FooStrategy'}", ConfigError, /Unable to find replication strategy class 'org.apache.cassandra.locator.FooStrategy'/],
    ["CREATE KEYSPACE a WITH replication = {'class': 'LocalStrategy'}", ConfigError, /reserved for internal use/],
    ["CREATE KEYSPACE a WITH replication = {'replication_factor': 1}", ConfigError, /Missing replication strategy class/],
    ["CREATE KEYSPACE a WITH durable_writes = true", InvalidRequest, /Missing mandatory option 'replication'/],
    ["CREATE KEYSPACE a WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1} AND foo = 1", CqlSyntaxError, /Unknown property 'foo'/],
  ];
  for (const [cql, cls, re] of cases) {
    await assert.rejects(h.run(cql), (e: unknown) => e instanceof cls && re.test((e as Error).message), cql);
  }
  assert.equal(h.schema.keyspace('a'), undefined);
});

test('system keyspaces cannot be dropped; local ones cannot be altered; replicated ones can change replication', async () => {
  const h = await harness();
  await assert.rejects(h.run('DROP KEYSPACE system'), /Cannot drop system keyspace system/);
  await assert.rejects(h.run('DROP KEYSPACE system_auth'), /Cannot drop system keyspace/);
  await assert.rejects(h.run("ALTER KEYSPACE system_schema WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}"), /Cannot alter system keyspace/);
  await h.run("ALTER KEYSPACE system_auth WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 3}");
  assert.deepEqual(h.schema.keyspace('system_auth')!.replication, { class: 'NetworkTopologyStrategy', dcs: { dc1: 3 } });
  await assert.rejects(h.run('CREATE TABLE system.x (a int PRIMARY KEY)'), /not user-modifiable/);
  await h.reopen();
  assert.deepEqual(h.schema.keyspace('system_auth')!.replication, { class: 'NetworkTopologyStrategy', dcs: { dc1: 3 } });
  assert.ok(h.schema.table('system_auth', 'roles'), 'system tables come back from code after reopen');
});

test('create table: composite partition key, clustering order, statics, options, SELECT * column order', async () => {
  const h = await harness();
  await h.run(KS);
  const r = await h.run(`CREATE TABLE ks.t (a int, b text, c timeuuid, d bigint, s text static, z map<text, int>, m list<int>,
    PRIMARY KEY ((a, b), c, d)) WITH CLUSTERING ORDER BY (c DESC, d ASC) AND gc_grace_seconds = 3600
    AND compaction = {'class': 'LeveledCompactionStrategy', 'sstable_size_in_mb': 160} AND comment = 'hi'
    AND caching = {'keys': 'ALL', 'rows_per_partition': '10'} AND speculative_retry = '95PERCENTILE' AND default_time_to_live = 60`);
  assert.deepEqual(r.change, { change: 'CREATED', target: 'TABLE', keyspace: 'ks', name: 't' });
  const t = h.schema.table('ks', 't')!;
  assert.deepEqual([...t.columns.keys()], ['a', 'b', 'c', 'd', 's', 'm', 'z']);
  assert.deepEqual(t.partitionKey.map((c) => [c.name, c.position]), [['a', 0], ['b', 1]]);
  assert.deepEqual(t.clustering.map((c) => [c.name, c.clusteringOrder]), [['c', 'desc'], ['d', 'asc']]);
  assert.equal(t.columns.get('s')!.kind, 'static');
  assert.equal(typeToCql(t.columns.get('z')!.type), 'map<text, int>');
  assert.equal(t.options.gc_grace_seconds, 3600);
  assert.equal(t.options.comment, 'hi');
  assert.equal(t.options.speculative_retry, '95p');
  assert.equal(t.options.default_time_to_live, 60);
  assert.deepEqual(t.options.compaction, { class: 'org.apache.cassandra.db.compaction.LeveledCompactionStrategy', max_threshold: '32', min_threshold: '4', sstable_size_in_mb: '160' });
  assert.deepEqual(t.options.caching, { keys: 'ALL', rows_per_partition: '10' });
  assert.match(t.id, /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'time-based uuid');
  await assert.rejects(h.run('CREATE TABLE ks.t (a int PRIMARY KEY)'), (e: unknown) => e instanceof AlreadyExists && e.keyspace === 'ks' && e.table === 't');
  assert.equal((await h.run('CREATE TABLE IF NOT EXISTS ks.t (a int PRIMARY KEY)')).change, null);
  await h.run('CREATE TABLE u (k int PRIMARY KEY, v text)', 'ks');
  assert.ok(h.schema.table('ks', 'u'), 'client keyspace used for unqualified names');
});

test('create table errors', async () => {
  const h = await harness();
  await h.run(KS);
  await h.run('CREATE TYPE ks.addr (street text, zip int)');
  const cases: [string, RegExp][] = [
    ['CREATE TABLE nope.t (a int PRIMARY KEY)', /Keyspace 'nope' doesn't exist/],
    ['CREATE TABLE t (a int PRIMARY KEY)', /No keyspace has been specified/],
    ['CREATE TABLE ks.t (a int, s int static, PRIMARY KEY (a))', /Static columns are only useful/],
    ['CREATE TABLE ks.t (a int, b int, c counter, d int, PRIMARY KEY (a, b))', /Cannot mix counter and non counter columns/],
    ['CREATE TABLE ks.t (a counter PRIMARY KEY, b counter)', /counter type is not supported for PRIMARY KEY column 'a'/],
    ['CREATE TABLE ks.t (a list<int> PRIMARY KEY)', /Invalid non-frozen collection type list<int> for PRIMARY KEY component a/],
    ['CREATE TABLE ks.t (a int, b duration, PRIMARY KEY (a, b))', /duration type is not supported for PRIMARY KEY column 'b'/],
    ['CREATE TABLE ks.t (a int PRIMARY KEY, b list<list<int>>)', /Non-frozen collections are not allowed inside collections: list<list<int>>/],
    ['CREATE TABLE ks.t (a int PRIMARY KEY, b list<addr>)', /Non-frozen UDTs are not allowed inside collections/],
    ['CREATE TABLE ks.t (a addr PRIMARY KEY)', /Invalid non-frozen user-defined type/],
    ['CREATE TABLE ks.t (a int PRIMARY KEY, b list<counter>)', /Counters are not allowed inside collections/],
    ['CREATE TABLE ks.t (a int PRIMARY KEY, b set<duration>)', /Durations are not allowed inside sets/],
    ['CREATE TABLE ks.t (a int PRIMARY KEY, b nosuch)', /Unknown type ks.nosuch/],
    ['CREATE TABLE ks.t (a int, b int, c int, PRIMARY KEY (a, b, c)) WITH CLUSTERING ORDER BY (c DESC)', /must match that of the clustering columns/],
    ['CREATE TABLE ks.t (a int, b int, PRIMARY KEY (a, b)) WITH CLUSTERING ORDER BY (a DESC)', /Only clustering key columns/],
    ['CREATE TABLE ks.t (a int PRIMARY KEY) WITH foo = 1', /Unknown property 'foo'/],
    ["CREATE TABLE ks.t (a int PRIMARY KEY) WITH compaction = {'class': 'SizeTieredCompactionStrategy', 'sstable_size_in_mb': 1}", /not understood by SizeTieredCompactionStrategy/],
    ["CREATE TABLE ks.t (a int PRIMARY KEY) WITH compression = {'class': 'LZ4Compressor', 'chunk_length_in_kb': 3}", /power of 2/],
    ['CREATE TABLE ks.t (a int PRIMARY KEY) WITH bloom_filter_fp_chance = 0', /bloom_filter_fp_chance/],
    ["CREATE TABLE ks.t (a int PRIMARY KEY) WITH caching = {'keys': 'SOME'}", /caching/],
    ["CREATE TABLE ks.t (a int PRIMARY KEY, c counter) WITH default_time_to_live = 5", /Cannot set default_time_to_live on a table with counters/],
    ['CREATE TABLE ks.t (a int, a text, PRIMARY KEY (a))', /Duplicate column 'a'/],
    ['CREATE TABLE ks.t (a int, PRIMARY KEY (b))', /Unknown column 'b' referenced in PRIMARY KEY/],
  ];
  for (const [cql, re] of cases) {
    await assert.rejects(h.run(cql), (e: unknown) => (e instanceof InvalidRequest || e instanceof ConfigError || e instanceof CqlSyntaxError) && re.test((e as Error).message), cql);
  }
  assert.equal(h.schema.table('ks', 't'), undefined);
  await h.run('CREATE TABLE ks.ok (a frozen<addr> PRIMARY KEY, b addr, c frozen<list<frozen<addr>>>, d tuple<int, list<int>>)');
  const ok = h.schema.table('ks', 'ok')!;
  assert.equal(typeToCql(ok.columns.get('c')!.type), 'frozen<list<frozen<addr>>>');
  assert.equal(typeToCql(ok.columns.get('d')!.type), 'frozen<tuple<int, frozen<list<int>>>>');
  const b = ok.columns.get('b')!.type;
  assert.ok(b.kind === 'udt' && !b.frozen && b.fieldNames.join() === 'street,zip');
});

test('counter tables', async () => {
  const h = await harness();
  await h.run(KS);
  await h.run('CREATE TABLE ks.c (k int PRIMARY KEY, n counter, m counter)');
  assert.equal(h.schema.table('ks', 'c')!.isCounter, true);
  await assert.rejects(h.run('ALTER TABLE ks.c ADD x int'), /Cannot add a non counter column \(x\) in a counter table/);
  await h.run('CREATE TABLE ks.p (k int PRIMARY KEY, v int)');
  await assert.rejects(h.run('ALTER TABLE ks.p ADD n counter'), /Cannot add a counter column \(n\) in a non counter table/);
});

test('alter table: add, drop (recorded), rename keys only, with options, IF EXISTS', async () => {
  const h = await harness();
  await h.run(KS);
  await h.run('CREATE TABLE ks.t (a int, b int, v text, w int, PRIMARY KEY (a, b))');
  await h.run('ALTER TABLE ks.t ADD (x list<int>, y int)');
  assert.deepEqual([...h.schema.table('ks', 't')!.columns.keys()], ['a', 'b', 'v', 'w', 'x', 'y']);
  await assert.rejects(h.run('ALTER TABLE ks.t ADD y int'), /Column with name 'y' already exists/);
  assert.equal((await h.run('ALTER TABLE ks.t ADD IF NOT EXISTS y int')).change, null);
  const before = h.schema.table('ks', 't')!;
  await h.run('ALTER TABLE ks.t DROP w USING TIMESTAMP 12345');
  await h.run('ALTER TABLE ks.t DROP x');
  assert.equal(h.schema.table('ks', 't')!.columns.has('w'), false);
  assert.equal(before.columns.has('w'), true, 'published metadata is never mutated');
  const dropped = h.schema.droppedColumns(before.id);
  assert.deepEqual(dropped.map((d) => [d.name, typeToCql(d.type), d.kind]), [['w', 'int', 'regular'], ['x', 'list<int>', 'regular']]);
  assert.equal(dropped[0]!.droppedTimeMicros, 12345);
  await assert.rejects(h.run('ALTER TABLE ks.t ADD x int'), /Cannot re-add previously dropped column 'x'/);
  await assert.rejects(h.run('ALTER TABLE ks.t DROP a'), /Cannot drop PRIMARY KEY column a/);
  await assert.rejects(h.run('ALTER TABLE ks.t DROP nope'), /Column nope was not found in table ks.t/);
  await assert.rejects(h.run('ALTER TABLE ks.t RENAME v TO vv'), /Cannot rename non PRIMARY KEY column v/);
  await assert.rejects(h.run('ALTER TABLE ks.t RENAME b TO v'), /another column of that name already exist/);
  await h.run('ALTER TABLE ks.t RENAME b TO bb');
  const t = h.schema.table('ks', 't')!;
  assert.deepEqual(t.clustering.map((c) => c.name), ['bb']);
  assert.equal(t.id, before.id);
  await h.run("ALTER TABLE ks.t WITH gc_grace_seconds = 10 AND comment = 'c'");
  assert.equal(h.schema.table('ks', 't')!.options.gc_grace_seconds, 10);
  assert.equal((await h.run('ALTER TABLE IF EXISTS ks.nope ADD q int')).change, null);
  await assert.rejects(h.run('ALTER TABLE ks.nope ADD q int'), /Table 'ks.nope' doesn't exist/);
  await assert.rejects(h.run('ALTER TABLE ks.t ALTER v TYPE blob'), /Altering column types is no longer supported/);
});

test('user types: create, in-use checks, alter add/rename cascades into tables, drop', async () => {
  const h = await harness();
  await h.run(KS);
  await h.run('CREATE TYPE ks.a (x int, y text)');
  await assert.rejects(h.run('CREATE TYPE ks.a (x int)'), (e: unknown) => e instanceof AlreadyExists && e.keyspace === 'ks' && e.table === 'a');
  assert.equal((await h.run('CREATE TYPE IF NOT EXISTS ks.a (x int)')).change, null);
  await assert.rejects(h.run('CREATE TYPE ks.b (inner a)'), /A user type cannot contain non-frozen UDTs/);
  await h.run('CREATE TYPE ks.b (inner frozen<a>, n int)');
  await h.run('CREATE TABLE ks.t (k int PRIMARY KEY, v frozen<b>)');
  await assert.rejects(h.run('DROP TYPE ks.a'), /still used by (table|user type)/);
  const r = await h.run('ALTER TYPE ks.a ADD z int');
  assert.deepEqual(r.change, { change: 'UPDATED', target: 'TYPE', keyspace: 'ks', name: 'a' });
  await h.run('ALTER TYPE ks.a RENAME x TO xx');
  const v = h.schema.table('ks', 't')!.columns.get('v')!.type;
  assert.ok(v.kind === 'udt');
  const inner = v.fieldTypes[0]!;
  assert.ok(inner.kind === 'udt' && inner.fieldNames.join() === 'xx,y,z', 'tables see the altered nested type');
  assert.deepEqual(h.schema.type('ks', 'b')!.fieldTypes[0]!.kind === 'udt' && (h.schema.type('ks', 'b')!.fieldTypes[0] as { fieldNames: string[] }).fieldNames, ['xx', 'y', 'z']);
  await assert.rejects(h.run('ALTER TYPE ks.a ADD y int'), /a field of the same name already exists/);
  await h.run('DROP TABLE ks.t');
  await h.run('DROP TYPE ks.b');
  const d = await h.run('DROP TYPE ks.a');
  assert.deepEqual(d.change, { change: 'DROPPED', target: 'TYPE', keyspace: 'ks', name: 'a' });
  assert.equal((await h.run('DROP TYPE IF EXISTS ks.a')).change, null);
  await assert.rejects(h.run('DROP TYPE ks.a'), /Type 'ks.a' doesn't exist/);
});

test('drop table and keyspace; IF EXISTS; version changes on every change', async () => {
  const h = await harness();
  const v0 = h.schema.version();
  await h.run(KS);
  const v1 = h.schema.version();
  assert.notEqual(v0, v1);
  await h.run('CREATE TABLE ks.t (a int PRIMARY KEY)');
  const v2 = h.schema.version();
  assert.notEqual(v1, v2);
  assert.equal((await h.run('DROP TABLE IF EXISTS ks.nope')).change, null);
  assert.equal(h.schema.version(), v2, 'no-op leaves the version');
  await assert.rejects(h.run('DROP TABLE ks.nope'), /Table 'ks.nope' doesn't exist/);
  await h.run('DROP TABLE ks.t');
  assert.equal(h.schema.table('ks', 't'), undefined);
  await h.run('DROP KEYSPACE ks');
  assert.equal(h.schema.keyspace('ks'), undefined);
  assert.equal((await h.run('DROP KEYSPACE IF EXISTS ks')).change, null);
  await assert.rejects(h.run('DROP KEYSPACE ks'), /Keyspace 'ks' doesn't exist/);
  assert.equal(h.schema.seq(), 4);
});

test('persistence: schema, dropped columns, log and version survive reopen', async () => {
  const h = await harness();
  await h.run(KS);
  await h.run('CREATE TYPE ks.a (x int)');
  await h.run('CREATE TABLE ks.t (k int, c int, v frozen<a>, w text, PRIMARY KEY (k, c)) WITH CLUSTERING ORDER BY (c DESC)');
  await h.run('ALTER TABLE ks.t DROP w');
  const id = h.schema.table('ks', 't')!.id;
  const version = h.schema.version();
  const reopened = await h.reopen();
  assert.equal(reopened.version(), version);
  assert.equal(reopened.seq(), 4);
  const t = reopened.table('ks', 't')!;
  assert.equal(t.id, id);
  assert.deepEqual(t.clustering.map((c) => c.clusteringOrder), ['desc']);
  assert.deepEqual(reopened.droppedColumns(id).map((d) => d.name), ['w']);
  assert.deepEqual(reopened.logSince(2)!.map((e) => e.change.target), ['TABLE', 'TABLE']);
  await h.run('CREATE TABLE ks.u (k int PRIMARY KEY)');
  assert.equal(reopened.seq(), 5);
});

test('persistence: a corrupted schema file is refused with a clear error', async () => {
  const h = await harness();
  await h.run(KS);
  const data = await h.fs.readFile('/data/schema/schema.json');
  data[data.length - 10] = data[data.length - 10]! ^ 1;
  await h.fs.writeFileAtomic('/data/schema/schema.json', data);
  await assert.rejects(h.reopen(), /Schema file .* (fails its checksum|is not valid JSON)/);
});

test('listeners see each change after it is visible; applyEntry replays a log on another node', async () => {
  const a = await harness(1);
  const b = await harness(2);
  const seen: string[] = [];
  b.schema.onChange((e) => {
    seen.push(`${e.change.change} ${e.change.target} ${e.tables.created.map((t) => t.name).join()}`);
    assert.equal(b.schema.version(), e.version);
  });
  await a.run(KS);
  await a.run('CREATE TABLE ks.t (a int PRIMARY KEY)');
  for (const e of a.schema.logSince(0)!) await b.schema.applyEntry(e);
  assert.deepEqual(seen, ['CREATED KEYSPACE ', 'CREATED TABLE t']);
  assert.equal(b.schema.table('ks', 't')!.id, a.schema.table('ks', 't')!.id);
  assert.equal(b.schema.version(), a.schema.version(), 'same log, same version');
});
