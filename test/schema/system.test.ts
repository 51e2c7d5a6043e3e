import test from 'node:test';
import assert from 'node:assert/strict';
import { deserialize, serialize, type CqlValue } from '../../src/schema/codec.js';
import type { TableMetadata } from '../../src/schema/metadata.js';
import type { Partition, ReadCommand } from '../../src/storage/data.js';
import { tokenOf } from '../../src/util/murmur3.js';
import { SystemTables, localPrimaryRanges, type SystemInfo } from '../../src/coordinator/system/mod.js';
import { harness, type Harness } from './_helpers.js';

const TOKENS = [-5000000000000000000n, 100n, 4000000000000000000n];

function info(h: Harness): SystemInfo {
  return {
    local: () => ({
      clusterName: 'Test Cluster', hostId: '11111111-2222-4333-8444-555555555555', broadcastAddress: '127.0.0.1',
      listenAddress: '127.0.0.1', storagePort: 7000, rpcAddress: '127.0.0.1', rpcPort: 9042, dataCenter: 'datacenter1',
      rack: 'rack1', tokens: TOKENS, gossipGeneration: 1700000000,
    }),
    peers: () => [{
      address: '127.0.0.2', storagePort: 7000, dataCenter: 'datacenter1', rack: 'rack1', hostId: '21111111-2222-4333-8444-555555555555',
      nativeAddress: '127.0.0.2', nativePort: 9042, schemaVersion: h.schema.version(), tokens: [0n],
    }],
    clients: () => [{ address: '127.0.0.1', port: 50000, hostname: 'localhost', connectionStage: 'ready', protocolVersion: 5, requestCount: 3, sslEnabled: false, driverName: 'drv' }],
    settings: () => [['cluster_name', 'Test Cluster'], ['num_tokens', '3']],
    estimateSize: () => ({ partitionsCount: 42, meanPartitionSizeBytes: 100 }),
  };
}

function readAll(table: TableMetadata, extra: Partial<ReadCommand> = {}): ReadCommand {
  return {
    table, partitions: { kind: 'range', range: { start: 0n, end: 0n } }, slices: [], reversed: false,
    rowLimit: Infinity, perPartitionLimit: Infinity, partitionLimit: Infinity, nowSec: 0, ...extra,
  };
}

/** Decodes partitions into plain rows the way a driver sees them. */
function decode(table: TableMetadata, parts: Partition[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const p of parts) {
    assert.equal(table.partitionKey.length, 1);
    assert.equal(p.token, tokenOf(p.key));
    for (const r of p.rows) {
      assert.ok(r.liveness, 'rows are live');
      const row: Record<string, unknown> = { [table.partitionKey[0]!.name]: deserialize(table.partitionKey[0]!.type, p.key) };
      table.clustering.forEach((c, i) => { row[c.name] = deserialize(c.type, r.clustering[i]!); });
      for (const cell of r.cells) {
        const col = table.columns.get(cell.column)!;
        if (cell.path) {
          assert.equal(col.type.kind, 'set');
          const el = col.type.kind === 'set' ? col.type.element : col.type;
          ((row[cell.column] ??= []) as CqlValue[]).push(deserialize(el, cell.path));
        } else row[cell.column] = deserialize(col.type, cell.value!);
      }
      out.push(row);
    }
  }
  return out;
}

async function setup(): Promise<{ h: Harness; sys: SystemTables }> {
  const h = await harness();
  await h.run("CREATE KEYSPACE ks WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 3}");
  await h.run('CREATE TYPE ks.addr (street text, zip int)');
  await h.run(`CREATE TABLE ks.t (a int, b text, c timeuuid, s int static, v map<text, frozen<list<int>>>, u addr, f frozen<addr>,
      PRIMARY KEY ((a, b), c)) WITH CLUSTERING ORDER BY (c DESC) AND comment = 'x'`);
  await h.run('CREATE TABLE ks.cnt (k int PRIMARY KEY, n counter)');
  await h.run('ALTER TABLE ks.t ADD gone int');
  await h.run('ALTER TABLE ks.t DROP gone USING TIMESTAMP 1700000000000000');
  return { h, sys: new SystemTables({ schema: h.schema, info: info(h), clock: h.time }) };
}

async function rows(sys: SystemTables, h: Harness, ks: string, name: string, extra: Partial<ReadCommand> = {}): Promise<Record<string, unknown>[]> {
  const t = h.schema.table(ks, name)!;
  assert.ok(sys.serves(t), `${ks}.${name} is virtual`);
  return decode(t, (await sys.read(readAll(t, extra))).partitions);
}

test('system_schema.keyspaces: replication map with full class names, durable_writes; no virtual keyspaces', async () => {
  const { h, sys } = await setup();
  const ks = await rows(sys, h, 'system_schema', 'keyspaces');
  const byName = new Map(ks.map((r) => [r['keyspace_name'], r]));
  assert.deepEqual(byName.get('ks'), {
    keyspace_name: 'ks', durable_writes: true,
    replication: new Map([['class', 'org.apache.cassandra.locator.NetworkTopologyStrategy'], ['dc1', '3']]),
  });
  assert.deepEqual(byName.get('system')!['replication'], new Map([['class', 'org.apache.cassandra.locator.LocalStrategy']]));
  assert.deepEqual([...byName.keys()].sort(), ['ks', 'system', 'system_auth', 'system_distributed', 'system_schema', 'system_traces']);
  const virt = await rows(sys, h, 'system_virtual_schema', 'keyspaces');
  assert.deepEqual(virt.map((r) => r['keyspace_name']).sort(), ['system_views', 'system_virtual_schema']);
});

test('system_schema.tables and columns for a created table decode to what drivers expect', async () => {
  const { h, sys } = await setup();
  const key = serialize({ kind: 'native', name: 'text' }, 'ks');
  const tables = await rows(sys, h, 'system_schema', 'tables', { partitions: { kind: 'keys', keys: [{ key, token: tokenOf(key) }] } });
  assert.deepEqual(tables.map((r) => r['table_name']), ['cnt', 't']);
  const t = tables[1]!;
  assert.deepEqual(t['flags'], ['compound']);
  assert.deepEqual(tables[0]!['flags'], ['compound', 'counter']);
  assert.equal(t['comment'], 'x');
  assert.equal(t['id'], h.schema.table('ks', 't')!.id);
  assert.equal((t['compaction'] as Map<string, string>).get('class'), 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy');
  assert.equal((t['compression'] as Map<string, string>).get('class'), 'org.apache.cassandra.io.compress.LZ4Compressor');
  assert.deepEqual(t['caching'], new Map([['keys', 'ALL'], ['rows_per_partition', 'NONE']]));
  assert.equal(t['gc_grace_seconds'], 864000);
  assert.equal(t['speculative_retry'], '99p');
  assert.equal(t['read_repair'], 'BLOCKING');

  const tk = serialize({ kind: 'native', name: 'text' }, 't');
  const cols = await rows(sys, h, 'system_schema', 'columns', {
    partitions: { kind: 'keys', keys: [{ key, token: tokenOf(key) }] },
    slices: [{ start: { values: [tk], inclusive: true }, end: { values: [tk], inclusive: true } }],
  });
  const view = cols.map((r) => [r['column_name'], r['kind'], r['position'], r['clustering_order'], r['type']]);
  assert.deepEqual(view, [
    ['a', 'partition_key', 0, 'none', 'int'],
    ['b', 'partition_key', 1, 'none', 'text'],
    ['c', 'clustering', 0, 'desc', 'timeuuid'],
    ['f', 'regular', -1, 'none', 'frozen<addr>'],
    ['s', 'static', -1, 'none', 'int'],
    ['u', 'regular', -1, 'none', 'addr'],
    ['v', 'regular', -1, 'none', 'map<text, frozen<list<int>>>'],
  ]);
  assert.ok(cols.every((r) => r['table_name'] === 't' && Buffer.isBuffer(r['column_name_bytes'])));
});

test('system_schema.types and dropped_columns', async () => {
  const { h, sys } = await setup();
  const types = (await rows(sys, h, 'system_schema', 'types')).filter((r) => r['keyspace_name'] === 'ks');
  assert.deepEqual(types, [{ keyspace_name: 'ks', type_name: 'addr', field_names: ['street', 'zip'], field_types: ['text', 'int'] }]);
  const dropped = await rows(sys, h, 'system_schema', 'dropped_columns');
  assert.deepEqual(dropped, [{ keyspace_name: 'ks', table_name: 't', column_name: 'gone', dropped_time: 1700000000000, kind: 'regular', type: 'int' }]);
  for (const empty of ['functions', 'aggregates', 'indexes', 'views', 'triggers']) assert.deepEqual(await rows(sys, h, 'system_schema', empty), []);
});

test('system.local, peers, peers_v2 from SystemInfo; schema_version follows the schema', async () => {
  const { h, sys } = await setup();
  const [local] = await rows(sys, h, 'system', 'local');
  assert.equal(local!['key'], 'local');
  assert.equal(local!['bootstrapped'], 'COMPLETED');
  assert.equal(local!['release_version'], '4.1.3');
  assert.equal(local!['cql_version'], '3.4.7');
  assert.equal(local!['native_protocol_version'], '5');
  assert.equal(local!['partitioner'], 'org.apache.cassandra.dht.Murmur3Partitioner');
  assert.equal(local!['rpc_address'], '127.0.0.1');
  assert.equal(local!['rpc_port'], 9042);
  assert.equal(local!['data_center'], 'datacenter1');
  assert.equal(local!['host_id'], '11111111-2222-4333-8444-555555555555');
  assert.equal(local!['schema_version'], h.schema.version());
  assert.deepEqual([...(local!['tokens'] as string[])].sort(), TOKENS.map(String).sort());
  const peers = await rows(sys, h, 'system', 'peers');
  assert.deepEqual(peers.map((p) => [p['peer'], p['rpc_address'], p['tokens']]), [['127.0.0.2', '127.0.0.2', ['0']]]);
  const v2 = await rows(sys, h, 'system', 'peers_v2');
  assert.deepEqual(v2.map((p) => [p['peer'], p['peer_port'], p['native_address'], p['native_port']]), [['127.0.0.2', 7000, '127.0.0.2', 9042]]);
  const before = h.schema.version();
  await h.run('DROP TABLE ks.cnt');
  const [after] = await rows(sys, h, 'system', 'local');
  assert.notEqual(after!['schema_version'], before);
});

test('size_estimates: one row per user table and local primary range, wrap-around split at the minimum token', async () => {
  const { h, sys } = await setup();
  const ranges = localPrimaryRanges(info(h));
  // ring: -5e18(local) 0(peer) 100(local) 4e18(local) → local primary ranges: (4e18, MIN], (MIN, -5e18], (0, 100], (100, 4e18]
  assert.deepEqual(ranges.map((r) => [r.start, r.end]), [
    [4000000000000000000n, -(2n ** 63n)], [-(2n ** 63n), -5000000000000000000n], [0n, 100n], [100n, 4000000000000000000n],
  ]);
  const est = await rows(sys, h, 'system', 'size_estimates');
  assert.equal(est.length, 2 * 4);
  assert.ok(est.every((r) => r['keyspace_name'] === 'ks' && r['partitions_count'] === 42n && r['mean_partition_size'] === 100n));
  const te = await rows(sys, h, 'system', 'table_estimates');
  assert.equal(te.length, 2 * 4 * 2);
});

test('system_views.clients and settings; system_virtual_schema lists their columns', async () => {
  const { h, sys } = await setup();
  const clients = await rows(sys, h, 'system_views', 'clients');
  assert.deepEqual(clients.map((c) => [c['address'], c['port'], c['connection_stage'], c['request_count'], c['driver_name']]), [['127.0.0.1', 50000, 'ready', 3n, 'drv']]);
  const settings = await rows(sys, h, 'system_views', 'settings');
  assert.deepEqual(new Map(settings.map((s) => [s['name'], s['value']])), new Map([['cluster_name', 'Test Cluster'], ['num_tokens', '3']]));
  const vt = await rows(sys, h, 'system_virtual_schema', 'tables');
  assert.deepEqual(vt.map((r) => `${r['keyspace_name']}.${r['table_name']}`).sort(),
    [...['caches', 'clients', 'coordinator_read_latency', 'coordinator_scan_latency', 'coordinator_write_latency', 'cql_metrics',
      'disk_usage', 'local_read_latency', 'local_scan_latency', 'local_write_latency', 'max_partition_size', 'rows_per_read',
      'settings', 'sstable_tasks', 'thread_pools', 'tombstones_per_read'].map((t) => `system_views.${t}`),
    'system_virtual_schema.columns', 'system_virtual_schema.keyspaces', 'system_virtual_schema.tables']);
  const vc = (await rows(sys, h, 'system_virtual_schema', 'columns')).filter((r) => r['table_name'] === 'clients');
  assert.deepEqual(vc.filter((r) => r['kind'] !== 'regular').map((r) => [r['column_name'], r['kind']]), [['address', 'partition_key'], ['port', 'clustering']]);
});

test('reads honour limits, paging after a partition, reversed order and column selection', async () => {
  const { h, sys } = await setup();
  const cols = h.schema.table('system_schema', 'columns')!;
  const all = (await sys.read(readAll(cols))).partitions;
  assert.ok(all.length >= 5);
  const limited = await sys.read(readAll(cols, { rowLimit: 3 }));
  assert.equal(limited.partitions.reduce((n, p) => n + p.rows.length, 0), 3);
  const perPart = await sys.read(readAll(cols, { perPartitionLimit: 1 }));
  assert.ok(perPart.partitions.every((p) => p.rows.length === 1));
  assert.equal(perPart.partitions.length, all.length);
  const after = { key: all[1]!.key, token: all[1]!.token };
  const paged = await sys.read(readAll(cols, { partitions: { kind: 'range', range: { start: 0n, end: 0n }, after } }));
  assert.deepEqual(paged.partitions.map((p) => p.key.toString('hex')), all.slice(2).map((p) => p.key.toString('hex')));
  const first = all[0]!;
  const rev = await sys.read(readAll(cols, { partitions: { kind: 'keys', keys: [{ key: first.key, token: first.token }] }, reversed: true }));
  assert.deepEqual(rev.partitions[0]!.rows.map((r) => r.clustering), [...first.rows].reverse().map((r) => r.clustering));
  const proj = await sys.read(readAll(cols, { columns: new Set(['kind']), partitionLimit: 1 }));
  assert.ok(proj.partitions[0]!.rows.every((r) => r.cells.length === 1 && r.cells[0]!.column === 'kind'));
});
