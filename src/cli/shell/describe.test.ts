import test from 'node:test';
import assert from 'node:assert/strict';
import { cqlTypeName, describeOutput, indexCql, keyspaceCql, keyspaceStatements, sortTypesByDependency, tableCql, typeCql,
  type TableShape, type UdtShape } from './describe.js';
import { TypeCode, type TypeInfo } from './format.js';
import { ShellMap } from './driver_values.js';

const t = (code: number, info: unknown = null, frozen = false): TypeInfo => ({ code, info, options: { frozen } });
const INT = t(TypeCode.int);
const TEXT = t(TypeCode.text);
const udtRef = (name: string, frozen = true) => t(TypeCode.udt, { name, keyspace: 'ks', fields: [] }, frozen);

test('cqlTypeName covers simple, collection, frozen, tuple, udt, duration, vector and custom types', () => {
  const table: Array<[TypeInfo, string]> = [
    [INT, 'int'], [TEXT, 'text'], [t(TypeCode.varchar), 'varchar'], [t(TypeCode.timeuuid), 'timeuuid'],
    [t(TypeCode.list, INT), 'list<int>'],
    [t(TypeCode.set, TEXT, true), 'frozen<set<text>>'],
    [t(TypeCode.map, [TEXT, t(TypeCode.list, INT, true)]), 'map<text, frozen<list<int>>>'],
    [t(TypeCode.tuple, [INT, TEXT], true), 'frozen<tuple<int, text>>'],
    [udtRef('address'), 'frozen<address>'],
    [udtRef('Address', false), '"Address"'],
    [{ code: TypeCode.custom, info: 'org.apache.cassandra.db.marshal.DurationType' }, 'duration'],
    [{ code: TypeCode.custom, info: [t(TypeCode.float), 3], customTypeName: 'vector' }, 'vector<float, 3>'],
    [{ code: TypeCode.custom, info: 'com.example.MyType' }, "'com.example.MyType'"],
  ];
  for (const [type, want] of table) assert.equal(cqlTypeName(type), want);
});

test('keyspaceCql: replication map with class first, other options sorted', () => {
  const replication = new ShellMap<string, string>();
  assert.equal(keyspaceCql({ name: 'ks', strategy: 'org.apache.cassandra.locator.NetworkTopologyStrategy',
    strategyOptions: { dc2: '1', dc1: '3' }, durableWrites: true }),
  "CREATE KEYSPACE ks WITH replication = {'class': 'org.apache.cassandra.locator.NetworkTopologyStrategy', 'dc1': '3', 'dc2': '1'} AND durable_writes = true;");
  assert.equal(keyspaceCql({ name: 'My KS', strategy: 'SimpleStrategy', strategyOptions: { replication_factor: '1' }, durableWrites: false }),
    "CREATE KEYSPACE \"My KS\" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'} AND durable_writes = false;");
  assert.equal(replication.size, 0);
});

const baseTable = (over: Partial<TableShape> = {}): TableShape => {
  const k = { name: 'k', type: INT };
  const c1 = { name: 'c1', type: t(TypeCode.timestamp) };
  const c2 = { name: 'Select', type: TEXT };
  const v = { name: 'v', type: t(TypeCode.map, [TEXT, INT]) };
  const s = { name: 's', type: TEXT, isStatic: true };
  return { name: 'events', columns: [v, s, c2, k, c1], partitionKeys: [k], clusteringKeys: [c1, c2], clusteringOrder: ['DESC', 'ASC'],
    indexes: [], ...over };
};

test('tableCql: keys first, other columns sorted, static marked, clustering order and raw options', () => {
  const options = {
    keyspace_name: 'ks', table_name: 'events', id: 'ignored', flags: new Set(['compound']),
    bloom_filter_fp_chance: 0.01, caching: new ShellMap([['keys', 'ALL'], ['rows_per_partition', 'NONE']]),
    comment: "it's", compaction: new ShellMap([['min_threshold', '4'], ['class', 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy'], ['max_threshold', '32']]),
    crc_check_chance: 1, default_time_to_live: 0, extensions: new ShellMap(), gc_grace_seconds: 864000, speculative_retry: '99p',
    read_repair: 'BLOCKING', additional_write_policy: '99p',
  };
  assert.equal(tableCql('ks', { table: baseTable(), options }), [
    'CREATE TABLE ks.events (',
    '    k int,',
    '    c1 timestamp,',
    '    "Select" text,',
    '    s text static,',
    '    v map<text, int>,',
    '    PRIMARY KEY (k, c1, "Select")',
    ') WITH CLUSTERING ORDER BY (c1 DESC, "Select" ASC)',
    "    AND additional_write_policy = '99p'",
    '    AND bloom_filter_fp_chance = 0.01',
    "    AND caching = {'keys': 'ALL', 'rows_per_partition': 'NONE'}",
    "    AND comment = 'it''s'",
    "    AND compaction = {'class': 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy', 'max_threshold': '32', 'min_threshold': '4'}",
    '    AND crc_check_chance = 1.0',
    '    AND default_time_to_live = 0',
    '    AND extensions = {}',
    '    AND gc_grace_seconds = 864000',
    "    AND read_repair = 'BLOCKING'",
    "    AND speculative_retry = '99p';",
  ].join('\n'));
});

test('tableCql: single partition key inline, composite partition key, options from driver fields, indexes', () => {
  const k = { name: 'k', type: INT };
  const simple: TableShape = { name: 't', columns: [k, { name: 'v', type: TEXT }], partitionKeys: [k], clusteringKeys: [], clusteringOrder: [],
    comment: '', gcGraceSeconds: 10, caching: '{"keys":"ALL","rows_per_partition":"NONE"}', compactionClass: 'LeveledCompactionStrategy',
    compactionOptions: { sstable_size_in_mb: '160' }, indexes: [{ name: 't_v_idx', target: 'v', kind: 2, options: { target: 'v' } }] };
  assert.equal(tableCql('ks', { table: simple }), [
    'CREATE TABLE ks.t (',
    '    k int PRIMARY KEY,',
    '    v text',
    ") WITH caching = {'keys': 'ALL', 'rows_per_partition': 'NONE'}",
    "    AND comment = ''",
    "    AND compaction = {'class': 'LeveledCompactionStrategy', 'sstable_size_in_mb': '160'}",
    '    AND gc_grace_seconds = 10;',
    'CREATE INDEX t_v_idx ON ks.t (v);',
  ].join('\n'));
  const a = { name: 'a', type: INT };
  const b = { name: 'b', type: TEXT };
  const composite: TableShape = { name: 't2', columns: [a, b], partitionKeys: [a, b], clusteringKeys: [], clusteringOrder: [] };
  assert.equal(tableCql('ks', { table: composite }), 'CREATE TABLE ks.t2 (\n    a int,\n    b text,\n    PRIMARY KEY ((a, b))\n);');
});

test('indexCql: custom index with class and options', () => {
  assert.equal(indexCql('ks', 't', { name: 'sai', target: 'v', kind: 0,
    options: { class_name: 'StorageAttachedIndex', target: 'v', case_sensitive: 'false' } }),
  "CREATE CUSTOM INDEX sai ON ks.t (v) USING 'StorageAttachedIndex' WITH OPTIONS = {'case_sensitive': 'false'};");
  assert.equal(indexCql('ks', 't', { name: 'm_keys', target: 'keys(m)', kind: 2, options: {} }), 'CREATE INDEX m_keys ON ks.t (keys(m));');
});

test('virtual tables are described inside a comment', () => {
  const out = tableCql('system_views', { table: { ...baseTable(), virtual: true } });
  assert.ok(out.startsWith('/*\nWarning: Table system_views.events is a virtual table'));
  assert.ok(out.includes('VIRTUAL TABLE system_views.events ('));
  assert.ok(out.endsWith('*/'));
});

test('sortTypesByDependency puts used types first', () => {
  const types: UdtShape[] = [
    { name: 'a_person', fields: [{ name: 'home', type: udtRef('z_address') }, { name: 'phones', type: t(TypeCode.list, udtRef('phone'), true) }] },
    { name: 'phone', fields: [{ name: 'n', type: TEXT }] },
    { name: 'z_address', fields: [{ name: 'p', type: t(TypeCode.map, [TEXT, udtRef('phone')]) }] },
  ];
  assert.deepEqual(sortTypesByDependency(types).map((x) => x.name), ['phone', 'z_address', 'a_person']);
});

test('keyspaceStatements and describeOutput: keyspace, types, tables separated by blank lines', () => {
  const statements = keyspaceStatements({
    keyspace: { name: 'ks', strategy: 'SimpleStrategy', strategyOptions: { replication_factor: '1' }, durableWrites: true },
    types: [{ name: 'phone', fields: [{ name: 'n', type: TEXT }] }],
    tables: [{ table: { name: 'b', columns: [{ name: 'k', type: INT }], partitionKeys: [{ name: 'k', type: INT }], clusteringKeys: [], clusteringOrder: [] } }],
  });
  assert.equal(statements.length, 3);
  assert.equal(typeCql('ks', { name: 'phone', fields: [{ name: 'n', type: TEXT }] }), 'CREATE TYPE ks.phone (\n    n text\n);');
  const out = describeOutput(statements);
  assert.ok(out.startsWith('\nCREATE KEYSPACE ks'));
  assert.ok(out.includes(';\n\nCREATE TYPE ks.phone (\n    n text\n);\n\nCREATE TABLE ks.b (\n    k int PRIMARY KEY\n);\n'));
});
