import test from 'node:test';
import assert from 'node:assert/strict';
import { SimTime } from '../env/sim/mod.js';
import { createNodeMetrics, MetricsRegistry, renderPrometheus, snapshotOfValues, virtualTableRows, METRIC_VIRTUAL_TABLES, VIRTUAL_TABLE_SPECS,
  tpstatsSnapshot, tablestatsSnapshot, tablehistogramsSnapshot, proxyhistogramsSnapshot, infoSnapshot, Gcstats,
  formatTpstats, formatTablestats, formatTablehistograms, formatProxyhistograms, formatGcstats, type NodeMetrics } from './mod.js';

interface ParsedSample { name: string; labels: Record<string, string>; value: number }
interface Parsed { types: Map<string, string>; help: Map<string, string>; samples: ParsedSample[] }

/** A strict parser for the 0.0.4 text format: rejects anything it does not understand. */
function parsePrometheus(text: string): Parsed {
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: ParsedSample[] = [];
  assert.ok(text.endsWith('\n'), 'ends with a newline');
  const nameRe = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
  for (const line of text.slice(0, -1).split('\n')) {
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^# HELP (\S+) (.*)$/))) {
      assert.ok(!help.has(m[1]!), `HELP once for ${m[1]}`);
      help.set(m[1]!, m[2]!);
    } else if ((m = line.match(/^# TYPE (\S+) (counter|gauge|summary|histogram|untyped)$/))) {
      assert.ok(!types.has(m[1]!), `TYPE once for ${m[1]}`);
      types.set(m[1]!, m[2]!);
    } else if (line.startsWith('#')) {
      assert.fail(`unexpected comment: ${line}`);
    } else {
      m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/);
      assert.ok(m, `sample line: ${line}`);
      const labels: Record<string, string> = {};
      const body = m[2] ?? '';
      const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/gy;
      let consumed = 0;
      for (let lm; (lm = labelRe.exec(body)); ) {
        labels[lm[1]!] = lm[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
        consumed = labelRe.lastIndex;
      }
      assert.equal(consumed, body.length, `labels parse fully: ${body}`);
      const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
      assert.ok(m[3] === 'NaN' || !Number.isNaN(value), `value of ${line}`);
      const name = m[1]!;
      const family = types.has(name) ? name : name.replace(/_(sum|count)$/, '');
      assert.ok(types.has(family), `sample ${name} follows its TYPE line`);
      if (family !== name) assert.equal(types.get(family), 'summary');
      assert.ok(nameRe.test(name));
      samples.push({ name, labels, value });
    }
  }
  return { types, help, samples };
}

function find(p: Parsed, name: string, labels: Record<string, string>): number {
  const hit = p.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.equal(hit.length, 1, `one sample ${name} ${JSON.stringify(labels)} (found ${hit.length})`);
  return hit[0]!.value;
}

function workload(): { time: SimTime; m: NodeMetrics } {
  const time = new SimTime(0);
  const m = createNodeMetrics(new MetricsRegistry({ clock: time }));
  for (let i = 1; i <= 100; i++) m.clientRequests.recordLatency('Read', 'QUORUM', i * 100);
  for (let i = 1; i <= 10; i++) m.clientRequests.recordLatency('Write', 'ONE', 1000);
  m.clientRequests.recordTimeout('Read', 'QUORUM');
  m.clientRequests.recordUnavailable('Write', 'ALL');
  const t = m.tables.forTable('ks', 't');
  for (let i = 1; i <= 50; i++) {
    t.coordinatorReadLatency.updateMicros(2000);
    t.readLatency.updateMicros(500);
    t.tombstonesScanned.update(i % 5);
    t.liveRowsScanned.update(10);
    t.sstablesPerRead.update(i % 3);
  }
  t.writeLatency.updateMicros(40);
  t.bind({ liveSSTableCount: () => 3, totalDiskSpaceUsedBytes: () => 5 * 1024 * 1024 + 7, maxPartitionSizeBytes: () => 2 * 1024 * 1024,
    estimatedPartitionSizes: () => snapshotOfValues([100, 200, 300]), estimatedColumnCounts: () => snapshotOfValues([1, 2, 3]) });
  m.tables.forTable('ks', 'weird"name').writeLatency.updateMicros(1);
  const ntr = m.threadPools.get('Native-Transport-Requests');
  ntr.setMaxActive(128);
  ntr.enqueued(3);
  ntr.started();
  ntr.finished();
  ntr.started();
  ntr.blocked();
  m.cql.preparedStatementsExecuted.inc(3);
  m.cql.regularStatementsExecuted.inc(1);
  m.cql.bindPreparedCount(() => 2);
  m.caches.KeyCache.hit();
  m.caches.KeyCache.miss();
  m.caches.KeyCache.bind({ capacityBytes: () => 1000, entries: () => 1, sizeBytes: () => 10 });
  m.clients.bind({ connectedNativeClients: () => 4, connectedNativeClientsByUser: () => ({ alice: 3, bob: 1 }) });
  m.droppedMessages.byVerb.MUTATION.record(5000, false);
  m.storage.bindLoad(() => 12345);
  return { time, m };
}

test('prometheus: output parses back and carries the recorded values', async () => {
  const { time, m } = workload();
  await time.runFor(10_000);
  const p = parsePrometheus(renderPrometheus(m.registry));
  assert.equal(p.types.get('cassandra_clientrequest_latency'), 'summary');
  assert.equal(find(p, 'cassandra_clientrequest_latency_count', { scope: 'Read' }), 100);
  assert.equal(find(p, 'cassandra_clientrequest_latency_count', { scope: 'Read-QUORUM' }), 100);
  assert.equal(find(p, 'cassandra_clientrequest_latency_count', { scope: 'Read-ONE' }), 0);
  const p99 = find(p, 'cassandra_clientrequest_latency', { scope: 'Read', quantile: '0.99' });
  assert.ok(Math.abs(p99 - 9900) <= 99, `p99 ${p99}`);
  assert.equal(find(p, 'cassandra_clientrequest_latency_max', { scope: 'Read' }), 10_000);
  assert.equal(find(p, 'cassandra_clientrequest_latency_sum', { scope: 'Read' }), 505_000);
  assert.equal(p.types.get('cassandra_clientrequest_timeouts'), 'counter');
  assert.equal(find(p, 'cassandra_clientrequest_timeouts', { scope: 'Read-QUORUM' }), 1);
  assert.equal(find(p, 'cassandra_clientrequest_unavailables', { scope: 'Write-ALL' }), 1);
  assert.ok(find(p, 'cassandra_clientrequest_latency_rate', { scope: 'Read', window: '1m' }) > 0);
  assert.equal(find(p, 'cassandra_table_livesstablecount', { keyspace: 'ks', scope: 't' }), 3);
  assert.equal(find(p, 'cassandra_table_writelatency_count', { keyspace: 'ks', scope: 'weird"name' }), 1);
  assert.equal(find(p, 'cassandra_table_estimatedpartitionsizehistogram', { keyspace: 'ks', scope: 't', quantile: '0.5' }), 200);
  assert.equal(find(p, 'cassandra_threadpools_activetasks', { path: 'transport', scope: 'Native-Transport-Requests' }), 1);
  assert.equal(p.types.get('cassandra_threadpools_completedtasks'), 'counter');
  assert.equal(p.types.get('cassandra_threadpools_activetasks'), 'gauge');
  assert.equal(find(p, 'cassandra_client_connectednativeclientsbyuser', { user: 'alice' }), 3);
  assert.equal(find(p, 'cassandra_cql_preparedstatementsratio', {}), 0.75);
  assert.equal(find(p, 'cassandra_droppedmessage_dropped', { scope: 'MUTATION' }), 1);
  assert.equal(find(p, 'cassandra_storage_load', {}), 12345);
  assert.equal(find(p, 'cassandra_hintsservice_hint_delays_count', {}), 0);
  for (const [name] of p.types) assert.ok(p.help.has(name), `HELP for ${name}`);
});

test('prometheus: a throwing gauge renders NaN instead of failing the scrape', () => {
  const r = new MetricsRegistry({ clock: new SimTime(0) });
  r.gauge({ type: 'Test', name: 'Broken' }, () => { throw new Error('boom'); }, 'line one\nline \\ two');
  const text = renderPrometheus(r);
  const p = parsePrometheus(text);
  assert.ok(Number.isNaN(find(p, 'cassandra_test_broken', {})));
  assert.match(text, /# HELP cassandra_test_broken line one\\nline \\\\ two/);
});

test('virtual tables: rows after a known workload', async () => {
  const { time, m } = workload();
  await time.runFor(6_000);
  const rows = (t: string) => virtualTableRows(m.registry, t)!;
  const ntr = rows('thread_pools').find((r) => r.name === 'Native-Transport-Requests')!;
  assert.deepEqual(ntr, { name: 'Native-Transport-Requests', active_tasks: 1, active_tasks_limit: 128, blocked_tasks: 1, blocked_tasks_all_time: 1, completed_tasks: 1, pending_tasks: 1 });
  const coord = rows('coordinator_read_latency').find((r) => r.table_name === 't')!;
  assert.equal(coord.keyspace_name, 'ks');
  assert.equal(coord.count, 50);
  assert.equal(coord.max_ms, 2);
  assert.ok(Math.abs(Number(coord.p99th_ms) - 2) < 0.02);
  assert.ok(Math.abs(Number(coord.per_second) - 10) < 1e-9, `50 reads in the first 5 s tick: ${coord.per_second}`);
  assert.equal(rows('local_read_latency').find((r) => r.table_name === 't')!.count, 50);
  assert.equal(rows('local_write_latency').find((r) => r.table_name === 't')!.count, 1);
  const tomb = rows('tombstones_per_read').find((r) => r.table_name === 't')!;
  assert.deepEqual([tomb.count, tomb.max, tomb.p50th], [50, 4, 2]);
  assert.equal(rows('rows_per_read').find((r) => r.table_name === 't')!.p99th, 10);
  assert.deepEqual(rows('disk_usage').find((r) => r.table_name === 't'), { keyspace_name: 'ks', table_name: 't', mebibytes: 5 });
  assert.equal(rows('max_partition_size').find((r) => r.table_name === 't')!.mebibytes, 2);
  const keys = rows('caches').find((r) => r.name === 'keys')!;
  assert.deepEqual([keys.capacity_bytes, keys.entry_count, keys.hit_count, keys.request_count, keys.hit_ratio, keys.size_bytes], [1000, 1, 1, 2, 0.5, 10]);
  assert.deepEqual(rows('cql_metrics').find((r) => r.name === 'prepared_statements_count'), { name: 'prepared_statements_count', value: 2 });
  assert.deepEqual(virtualTableRows(m.registry, 'sstable_tasks', { sstableTasks: () => [{ keyspace: 'ks', table: 't', taskId: 'x', kind: 'compaction', progress: 5, total: 10, sstables: 2, unit: 'bytes' }] })![0]!.completion_ratio, 0.5);
  assert.equal(virtualTableRows(m.registry, 'clients'), undefined);
  // Every spec has a generator and every row has exactly the spec's columns.
  for (const spec of VIRTUAL_TABLE_SPECS) {
    assert.ok(METRIC_VIRTUAL_TABLES.includes(spec.name));
    const cols = spec.columns.split(', ').map((c) => c.split(' ')[0]).sort();
    const sample = spec.name === 'sstable_tasks' ? [] : rows(spec.name);
    for (const r of sample) assert.deepEqual(Object.keys(r).sort(), cols, spec.name);
  }
});

test('nodetool snapshots and text layouts', async () => {
  const { time, m } = workload();
  await time.runFor(3_000);
  const tp = tpstatsSnapshot(m);
  assert.deepEqual(tp.pools.find((p) => p.name === 'Native-Transport-Requests'), { name: 'Native-Transport-Requests', active: 1, pending: 1, completed: 1, blocked: 1, allTimeBlocked: 1 });
  assert.equal(tp.droppedMessages.find((d) => d.messageType === 'MUTATION')!.dropped, 1);
  assert.match(formatTpstats(tp), /^Pool Name\s+Active\s+Pending\s+Completed\s+Blocked\s+All time blocked\n/);
  assert.match(formatTpstats(tp), /\nNative-Transport-Requests\s+1\s+1\s+1\s+1\s+1\n/);

  const ts = tablestatsSnapshot(m, { keyspace: 'ks' });
  assert.equal(ts.keyspaces.length, 1);
  const t = ts.keyspaces[0]!.tables.find((x) => x.table === 't')!;
  assert.equal(t.sstableCount, 3);
  assert.equal(t.localReadCount, 50);
  assert.equal(t.localReadLatencyMs, 0.5);
  assert.equal(ts.keyspaces[0]!.readCount, 50);
  assert.match(formatTablestats(ts), /\t\tLocal read latency: 0\.500 ms/);

  const th = tablehistogramsSnapshot(m, 'ks', 't')!;
  assert.deepEqual(th.rows.map((r) => r.percentile), ['50%', '75%', '95%', '98%', '99%', 'Min', 'Max']);
  assert.equal(th.rows[6]!.readLatencyMicros, 500);
  assert.equal(th.rows[0]!.partitionSizeBytes, 200);
  assert.equal(tablehistogramsSnapshot(m, 'ks', 'nope'), null);
  assert.match(formatTablehistograms(th), /^ks\/t histograms\nPercentile/);

  const ph = proxyhistogramsSnapshot(m);
  assert.equal(ph.rows[6]!.readLatencyMicros, 10_000);
  assert.equal(ph.rows[5]!.writeLatencyMicros, 1000);
  assert.match(formatProxyhistograms(ph), /proxy histograms/);

  const info = infoSnapshot(m);
  assert.equal(info.uptimeSeconds, 3);
  assert.equal(info.loadBytes, 12345);
  assert.equal(info.caches.keyCache.requests, 2);

  const gc = new Gcstats(m);
  await time.runFor(2_000);
  const g = gc.snapshot();
  assert.equal(g.intervalMs, 5_000);
  assert.equal(g.heapUsedBytes, 0, 'no provider in simulation');
  assert.match(formatGcstats(g), /Interval \(ms\)/);
  assert.equal(JSON.parse(JSON.stringify(tp)).pools.length, tp.pools.length, 'snapshots are JSON');
});

test('table metrics: drop removes a table from every exposition', () => {
  const { m } = workload();
  m.tables.drop('ks', 't');
  assert.equal(m.tables.find('ks', 't'), undefined);
  assert.equal(virtualTableRows(m.registry, 'local_read_latency')!.some((r) => r.table_name === 't'), false);
  assert.doesNotMatch(renderPrometheus(m.registry), /scope="t"/);
});

test('client requests: per-CL scopes for every kind, helpers update both', () => {
  const { m } = workload();
  const r = m.clientRequests;
  assert.equal(r.byKind.Read.latency.count(), 100);
  assert.equal(r.byKindAndCl.Read.QUORUM.latency.count(), 100);
  assert.equal(r.byKindAndCl.Write.ALL.unavailables.count(), 1);
  assert.equal(r.byKind.Write.unavailables.count(), 1);
  r.recordFailure('CASWrite', 'SERIAL');
  assert.equal(r.byKindAndCl.CASWrite.SERIAL.failures.count(), 1);
  assert.ok(m.registry.get({ type: 'ClientRequest', scope: 'RangeSlice-LOCAL_ONE', name: 'Latency' }));
});
