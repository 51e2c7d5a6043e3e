import test from 'node:test';
import assert from 'node:assert/strict';
import { loadProfile, profileOpNames } from './profile.js';
import { qualifyCreateTable } from './workload.js';

const PROFILE = `
keyspace: stress_user
keyspace_definition: |
  CREATE KEYSPACE stress_user WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};
table: events
table_definition: |
  CREATE TABLE events (
    host text, bucket int, at timestamp, metric double, state text,
    PRIMARY KEY ((host, bucket), at)
  ) WITH CLUSTERING ORDER BY (at DESC)
columnspec:
  - name: host
    size: fixed(12)
    population: uniform(1..50)
  - name: state
    size: uniform(5..20)
partitions: 10k
partition_dist: gaussian
rows_per_partition: uniform(1..10)
insert:
  rows: fixed(1)
  batchtype: logged
queries:
  read1:
    cql: SELECT * FROM events WHERE host = ? AND bucket = ? LIMIT 10
    fields: samerow
  one: SELECT * FROM events WHERE host = ? AND bucket = ? AND at = ?
`;

test('loads a full profile', () => {
  const p = loadProfile(PROFILE, 'events.yaml');
  assert.equal(p.keyspace, 'stress_user');
  assert.match(p.keyspaceDefinition!, /^CREATE KEYSPACE stress_user/);
  assert.ok(!p.keyspaceDefinition!.endsWith(';'));
  assert.equal(p.table, 'events');
  assert.match(p.tableDefinition, /PRIMARY KEY \(\(host, bucket\), at\)/);
  assert.deepEqual(p.columns.get('host'), { name: 'host', size: { kind: 'fixed', min: 12, max: 12 }, population: { kind: 'uniform', min: 1, max: 50 } });
  assert.deepEqual(p.columns.get('state')!.size, { kind: 'uniform', min: 5, max: 20 });
  assert.equal(p.columns.get('state')!.population, null);
  assert.equal(p.partitions, 10_000);
  assert.equal(p.partitionDist, 'gaussian');
  assert.deepEqual(p.rowsPerPartition, { kind: 'uniform', min: 1, max: 10 });
  assert.deepEqual(p.insertRows, { kind: 'fixed', min: 1, max: 1 });
  assert.equal(p.insertBatchType, 'LOGGED');
  assert.deepEqual(p.queries.map((q) => [q.name, q.fields]), [['read1', 'samerow'], ['one', 'samerow']]);
  assert.deepEqual(profileOpNames(p), ['insert', 'read1', 'one']);
});

test('defaults for a minimal profile', () => {
  const p = loadProfile('keyspace: k\ntable: t\ntable_definition: CREATE TABLE t (k int PRIMARY KEY, v text)\n');
  assert.equal(p.keyspaceDefinition, null);
  assert.equal(p.partitions, 1000);
  assert.equal(p.partitionDist, 'uniform');
  assert.deepEqual(p.rowsPerPartition, { kind: 'fixed', min: 1, max: 1 });
  assert.equal(p.insertRows, 'all');
  assert.equal(p.insertBatchType, 'UNLOGGED');
  assert.deepEqual(p.queries, []);
  assert.equal(p.columns.size, 0);
});

test('profile errors name the file and the key', () => {
  const base = 'keyspace: k\ntable: t\ntable_definition: CREATE TABLE t (k int PRIMARY KEY)\n';
  const cases: Array<[string, RegExp]> = [
    ['keyspace: [unclosed', /p.yaml: not valid YAML/],
    ['- a\n- b\n', /expected a mapping/],
    ['table: t\ntable_definition: x\n', /keyspace: expected text/],
    [base + 'colour: red\n', /unknown key 'colour'/],
    [base.replace('keyspace: k', 'keyspace: "bad name"'), /not a CQL identifier/],
    [base + 'columnspec:\n  - name: v\n    size: zipf(1..2)\n', /columnspec\[0\]\.size: .*unknown distribution/],
    [base + 'columnspec:\n  - name: v\n  - name: v\n', /appears twice/],
    [base + 'columnspec:\n  - name: v\n    weight: 3\n', /unknown key 'weight'/],
    [base + 'partitions: 0\n', /partitions: /],
    [base + 'partition_dist: zipf\n', /partition_dist/],
    [base + 'rows_per_partition: fixed(5000)\n', /at most 1000/],
    [base + 'insert:\n  batchtype: COUNTER\n', /batchtype/],
    [base + 'queries:\n  insert: SELECT 1\n', /reserved|generated insert/],
    [base + 'queries:\n  q:\n    cql: SELECT * FROM t\n    fields: anyrow\n', /samerow or multirow/],
    [base + 'queries:\n  q:\n    fields: samerow\n', /queries\.q\.cql: expected text/],
  ];
  for (const [text, pattern] of cases) assert.throws(() => loadProfile(text, 'p.yaml'), pattern, text);
});

test('unqualified CREATE TABLE gets the keyspace', () => {
  assert.equal(qualifyCreateTable('CREATE TABLE events (k int PRIMARY KEY)', 'ks'), 'CREATE TABLE ks.events (k int PRIMARY KEY)');
  assert.equal(qualifyCreateTable('create table if not exists t(k int PRIMARY KEY)', 'ks'), 'create table if not exists ks.t(k int PRIMARY KEY)');
  assert.equal(qualifyCreateTable('CREATE TABLE other.t (k int PRIMARY KEY)', 'ks'), 'CREATE TABLE other.t (k int PRIMARY KEY)');
});
