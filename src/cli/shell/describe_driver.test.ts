// DESCRIBE from metadata built by the npm driver's own schema parser (Cassandra 4 parser), fed
// system_schema rows decoded as the shell configures the driver (maps as ShellMap, sets as Set).
// Checks that describe.ts reads the driver's real object shapes and that ShellMap keeps the
// parser working (replication, caching).

import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { ShellMap } from './driver_values.js';
import { keyspaceCql, tableCql, typeCql, type KeyspaceShape, type TableShape, type UdtShape } from './describe.js';

const require = createRequire(import.meta.url);
const { getByVersion } = require('cassandra-driver/lib/metadata/schema-parser.js') as {
  getByVersion: (options: unknown, cc: unknown, udtResolver: unknown, version: number[]) => DriverParser;
};
const Encoder = require('cassandra-driver/lib/encoder.js') as new (version: number, options: unknown) => unknown;

interface DriverParser {
  getKeyspace(name: string): Promise<unknown>;
  getTable(ks: string, name: string, cache: unknown, virtual: boolean | undefined): Promise<unknown>;
  getUdt(ks: string, name: string, cache: unknown): Promise<unknown>;
}

const map = (entries: Record<string, unknown>) => {
  const m = new ShellMap<string, unknown>();
  for (const [k, v] of Object.entries(entries)) m.set(k, v);
  return m;
};

const TABLE_ROW = {
  keyspace_name: 'ks', table_name: 'events', additional_write_policy: '99p', bloom_filter_fp_chance: 0.01,
  caching: map({ keys: 'ALL', rows_per_partition: 'NONE' }), cdc: null, comment: 'events log',
  compaction: map({ class: 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy', max_threshold: '32', min_threshold: '4' }),
  compression: map({ chunk_length_in_kb: '16', class: 'org.apache.cassandra.io.compress.LZ4Compressor' }),
  crc_check_chance: 1, dclocal_read_repair_chance: 0, default_time_to_live: 0, extensions: map({}), flags: new Set(['compound']),
  gc_grace_seconds: 864000, id: 'x', max_index_interval: 2048, memtable_flush_period_in_ms: 0, min_index_interval: 128,
  read_repair: 'BLOCKING', read_repair_chance: 0, speculative_retry: '99p',
};

const column = (name: string, kind: string, position: number, type: string, order = 'none') =>
  ({ keyspace_name: 'ks', table_name: 'events', column_name: name, kind, position, type, clustering_order: order });

const ROWS: Array<[RegExp, unknown[]]> = [
  [/system_schema\.keyspaces/, [{ keyspace_name: 'ks', durable_writes: true,
    replication: map({ class: 'org.apache.cassandra.locator.SimpleStrategy', replication_factor: '1' }) }]],
  [/system_schema\.tables/, [TABLE_ROW]],
  [/system_schema\.columns/, [
    column('day', 'partition_key', 1, 'date'), column('src', 'partition_key', 0, 'text'),
    column('at', 'clustering', 0, 'timestamp', 'desc'), column('seq', 'clustering', 1, 'int', 'asc'),
    column('who', 'regular', -1, 'frozen<address>'), column('tags', 'regular', -1, 'set<text>'),
    column('note', 'static', -1, 'text'), column('m', 'regular', -1, 'map<text, frozen<list<int>>>'),
    column('tu', 'regular', -1, 'frozen<tuple<int, text>>'), column('d', 'regular', -1, 'duration'),
  ]],
  [/system_schema\.indexes/, [{ keyspace_name: 'ks', table_name: 'events', index_name: 'events_note_idx', kind: 'COMPOSITES',
    options: map({ target: 'note' }) }]],
  [/system_schema\.types/, [{ keyspace_name: 'ks', type_name: 'address', field_names: ['street', 'zip'], field_types: ['text', 'int'] }]],
];

function parser(): DriverParser {
  const encoder = new Encoder(4, { encoding: { map: ShellMap, set: Set } });
  const cc = {
    getEncoder: () => encoder,
    query: async (q: string) => {
      const hit = ROWS.find(([re]) => re.test(q));
      if (/system_virtual_schema/.test(q)) return { rows: [] };
      return { rows: hit ? hit[1] : [] };
    },
  };
  const options = { encoding: { map: ShellMap, set: Set } };
  let p: DriverParser;
  const udtResolver = (ks: string, name: string) => p.getUdt(ks, name, null);
  p = getByVersion(options, cc, udtResolver, [4, 0, 0]);
  return p;
}

test('driver-parsed keyspace (ShellMap replication) describes as CREATE KEYSPACE', async () => {
  const ks = (await parser().getKeyspace('ks')) as KeyspaceShape;
  assert.equal(keyspaceCql(ks),
    "CREATE KEYSPACE ks WITH replication = {'class': 'org.apache.cassandra.locator.SimpleStrategy', 'replication_factor': '1'} AND durable_writes = true;");
});

test('driver-parsed table describes with keys, clustering order, types, options and index', async () => {
  const table = (await parser().getTable('ks', 'events', null, undefined)) as TableShape;
  const expectedColumns = [
    'CREATE TABLE ks.events (',
    '    src text,',
    '    day date,',
    '    at timestamp,',
    '    seq int,',
    '    d duration,',
    '    m map<text, frozen<list<int>>>,',
    '    note text static,',
    '    tags set<text>,',
    '    tu frozen<tuple<int, text>>,',
    '    who frozen<address>,',
    '    PRIMARY KEY ((src, day), at, seq)',
    ') WITH CLUSTERING ORDER BY (at DESC, seq ASC)',
  ];
  const fromRaw = tableCql('ks', { table, options: TABLE_ROW });
  assert.equal(fromRaw, [
    ...expectedColumns,
    "    AND additional_write_policy = '99p'",
    '    AND bloom_filter_fp_chance = 0.01',
    "    AND caching = {'keys': 'ALL', 'rows_per_partition': 'NONE'}",
    "    AND comment = 'events log'",
    "    AND compaction = {'class': 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy', 'max_threshold': '32', 'min_threshold': '4'}",
    "    AND compression = {'chunk_length_in_kb': '16', 'class': 'org.apache.cassandra.io.compress.LZ4Compressor'}",
    '    AND crc_check_chance = 1.0',
    '    AND default_time_to_live = 0',
    '    AND extensions = {}',
    '    AND gc_grace_seconds = 864000',
    '    AND max_index_interval = 2048',
    '    AND memtable_flush_period_in_ms = 0',
    '    AND min_index_interval = 128',
    "    AND read_repair = 'BLOCKING'",
    "    AND speculative_retry = '99p';",
    'CREATE INDEX events_note_idx ON ks.events (note);',
  ].join('\n'));
  // Without the raw row, the driver's own fields give the same options it models.
  const fromDriver = tableCql('ks', { table });
  assert.ok(fromDriver.startsWith(expectedColumns.join('\n') + '\n    AND bloom_filter_fp_chance = 0.01\n' +
    "    AND caching = {'keys': 'ALL', 'rows_per_partition': 'NONE'}\n    AND comment = 'events log'\n"), fromDriver);
  assert.ok(!fromDriver.includes('read_repair'));
});

test('driver-parsed user type describes as CREATE TYPE', async () => {
  const udt = (await parser().getUdt('ks', 'address', null)) as UdtShape;
  assert.equal(typeCql('ks', udt), 'CREATE TYPE ks.address (\n    street text,\n    zip int\n);');
});
