// End-to-end: a known workload through the npm driver against a real node process, then the
// counts in system_views, Prometheus /metrics and nodetool output must match what was sent.

import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import cassandra from 'cassandra-driver';
import { CLI_PATH, startNodeProcess, type NodeProcess } from '../harness.js';
import { connectNpmClient } from '../e2e/_drivers.js';

const INSERTS = 40;
const SELECTS = 25;
const RANGE_SELECTS = 3;

let node: NodeProcess;
let client: cassandra.Client;

before(async () => {
  node = await startNodeProcess();
  client = await connectNpmClient(node, 'obs');
  await client.execute('CREATE TABLE obs.t (p int, c int, v text, PRIMARY KEY (p, c))');
  for (let i = 0; i < INSERTS; i++) {
    await client.execute('INSERT INTO obs.t (p, c, v) VALUES (?, ?, ?)', [i % 10, i, `v${i}`], { prepare: true, consistency: cassandra.types.consistencies.one });
  }
  for (let i = 0; i < SELECTS; i++) {
    await client.execute('SELECT v FROM obs.t WHERE p = ?', [i % 10], { prepare: true, consistency: cassandra.types.consistencies.localOne });
  }
  for (let i = 0; i < RANGE_SELECTS; i++) await client.execute('SELECT p, c FROM obs.t');
});

after(async () => {
  await client?.shutdown();
  await node?.cleanup();
});

function nodetool(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI_PATH, 'nodetool', '-h', node.host, '-p', String(node.adminPort), ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function metricsText(): Promise<string> {
  const res = await fetch(`http://${node.host}:${node.adminPort}/metrics`);
  assert.equal(res.status, 200);
  return res.text();
}

/** The value of one Prometheus sample line, e.g. `cassandra_clientrequest_latency_count{scope="Write"}`. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  assert.ok(line, `no sample ${series}`);
  return Number(line.slice(series.length + 1));
}

test('Prometheus /metrics counts the workload per kind, per CL and per table', async () => {
  const text = await metricsText();
  assert.equal(sample(text, 'cassandra_clientrequest_latency_count{scope="Write"}'), INSERTS);
  assert.equal(sample(text, 'cassandra_clientrequest_latency_count{scope="Write-ONE"}'), INSERTS);
  assert.equal(sample(text, 'cassandra_clientrequest_latency_count{scope="Read"}'), SELECTS);
  assert.equal(sample(text, 'cassandra_clientrequest_latency_count{scope="Read-LOCAL_ONE"}'), SELECTS);
  assert.ok(sample(text, 'cassandra_clientrequest_latency_count{scope="RangeSlice"}') >= RANGE_SELECTS);
  assert.equal(sample(text, 'cassandra_table_writelatency_count{keyspace="obs",scope="t"}'), INSERTS);
  assert.equal(sample(text, 'cassandra_table_coordinatorwritelatency_count{keyspace="obs",scope="t"}'), INSERTS);
  assert.equal(sample(text, 'cassandra_table_readlatency_count{keyspace="obs",scope="t"}'), SELECTS);
  assert.equal(sample(text, 'cassandra_table_sstablesperreadhistogram_count{keyspace="obs",scope="t"}'), SELECTS);
  assert.equal(sample(text, 'cassandra_cql_preparedstatementsexecuted'), INSERTS + SELECTS);
  assert.ok(sample(text, 'cassandra_client_connectednativeclients') >= 1);
  assert.ok(sample(text, 'cassandra_threadpools_completedtasks{path="transport",scope="Native-Transport-Requests"}') >= INSERTS + SELECTS + RANGE_SELECTS);
  assert.ok(sample(text, 'cassandra_memory_heapused') > 0);
});

test('system_views tables show the same counts', async () => {
  const read = await client.execute("SELECT count FROM system_views.local_read_latency WHERE keyspace_name = 'obs' AND table_name = 't'");
  assert.equal(Number(read.rows[0]!['count']), SELECTS);
  const write = await client.execute("SELECT count FROM system_views.coordinator_write_latency WHERE keyspace_name = 'obs' AND table_name = 't'");
  assert.equal(Number(write.rows[0]!['count']), INSERTS);
  const lw = await client.execute("SELECT count FROM system_views.local_write_latency WHERE keyspace_name = 'obs' AND table_name = 't'");
  assert.equal(Number(lw.rows[0]!['count']), INSERTS);
  const rows = await client.execute("SELECT count, max FROM system_views.rows_per_read WHERE keyspace_name = 'obs' AND table_name = 't'");
  // Single-partition selects plus at least one local read per range select.
  assert.ok(Number(rows.rows[0]!['count']) >= SELECTS + RANGE_SELECTS);
  assert.ok(rows.rows[0]!['max'] >= INSERTS / 10);
  const tomb = await client.execute("SELECT count, max FROM system_views.tombstones_per_read WHERE keyspace_name = 'obs' AND table_name = 't'");
  assert.ok(Number(tomb.rows[0]!['count']) >= SELECTS + RANGE_SELECTS);
  assert.equal(tomb.rows[0]!['max'], 0);
  const pools = await client.execute("SELECT name, completed_tasks FROM system_views.thread_pools WHERE name = 'Native-Transport-Requests'");
  assert.ok(Number(pools.rows[0]!['completed_tasks']) >= INSERTS + SELECTS);
  const cql = await client.execute("SELECT value FROM system_views.cql_metrics WHERE name = 'prepared_statements_executed'");
  assert.ok(cql.rows[0]!['value'] >= INSERTS + SELECTS);
  const caches = await client.execute('SELECT name FROM system_views.caches');
  assert.deepEqual(caches.rows.map((r) => r['name']).sort(), ['chunks', 'counters', 'keys', 'rows']);
  for (const t of ['disk_usage', 'max_partition_size', 'sstable_tasks', 'coordinator_read_latency', 'settings']) {
    await client.execute(`SELECT * FROM system_views.${t}`);
  }
});

test('nodetool tablestats, proxyhistograms, tpstats, clientstats, info, gcstats, compactionstats', () => {
  const ts = nodetool('tablestats', 'obs');
  assert.equal(ts.code, 0, ts.err);
  assert.match(ts.out, /Keyspace : obs/);
  assert.match(ts.out, new RegExp(`Local read count: ${SELECTS}\\b`));
  assert.match(ts.out, new RegExp(`Local write count: ${INSERTS}\\b`));
  const ph = nodetool('proxyhistograms');
  assert.equal(ph.code, 0, ph.err);
  assert.match(ph.out, /Percentile\s+Read Latency/);
  const tp = nodetool('tpstats');
  assert.equal(tp.code, 0, tp.err);
  assert.match(tp.out, /Native-Transport-Requests/);
  const cs = nodetool('clientstats');
  assert.equal(cs.code, 0, cs.err);
  assert.match(cs.out, /Total connected clients: \d+/);
  const info = nodetool('info');
  assert.equal(info.code, 0, info.err);
  assert.match(info.out, /Key Cache/);
  const gc = nodetool('gcstats');
  assert.equal(gc.code, 0, gc.err);
  const cp = nodetool('compactionstats');
  assert.equal(cp.code, 0, cp.err);
  assert.match(cp.out, /pending tasks: \d+/);
  const th = nodetool('tablehistograms', 'obs', 't');
  assert.equal(th.code, 0, th.err);
  assert.match(th.out, /obs\/t histograms/);
});

test('runtime settings and logging levels change through nodetool and show in system_views.settings', async () => {
  assert.equal(nodetool('setsetting', 'native_transport_max_requests_per_second', '12345').code, 0);
  assert.equal(nodetool('enableratelimit').code, 0);
  assert.equal(nodetool('setmaxrequestdatainflight', '64MiB').code, 0);
  assert.equal(nodetool('setmaxrequestdatainflightperip', '16MiB').code, 0);
  const rs = await client.execute("SELECT name, value FROM system_views.settings WHERE name IN ('native_transport_max_requests_per_second', 'native_transport_rate_limiting_enabled', 'native_transport_max_request_data_in_flight', 'native_transport_max_request_data_in_flight_per_ip')");
  const got = Object.fromEntries(rs.rows.map((r) => [r['name'], r['value']]));
  assert.deepEqual(got, {
    native_transport_max_requests_per_second: '12345', native_transport_rate_limiting_enabled: 'true',
    native_transport_max_request_data_in_flight: String(64 * 1024 * 1024), native_transport_max_request_data_in_flight_per_ip: String(16 * 1024 * 1024),
  });
  const bad = nodetool('setsetting', 'cluster_name', 'x');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /cannot be changed at runtime/);
  assert.equal(nodetool('setlogginglevel', 'storage', 'debug').code, 0);
  const levels = nodetool('getlogginglevels');
  assert.match(levels.out, /storage\s+debug/);
  assert.equal(nodetool('settraceprobability', '0.25').code, 0);
  assert.match(nodetool('gettraceprobability').out, /0\.25/);
  assert.equal(nodetool('settraceprobability', '0').code, 0);
});
