// End-to-end tracing: the protocol's tracing flag set by the npm driver and by python3-cassandra
// returns a session id whose system_traces rows the drivers read back with events for each step;
// nodetool settraceprobability 1 traces untraced requests too.

import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import cassandra from 'cassandra-driver';
import { CLI_PATH, runPython, startNodeProcess, type NodeProcess } from '../harness.js';
import { connectNpmClient } from '../e2e/_drivers.js';

let node: NodeProcess;
let client: cassandra.Client;

before(async () => {
  node = await startNodeProcess();
  client = await connectNpmClient(node, 'tr');
  await client.execute('CREATE TABLE tr.t (p int, c int, v text, PRIMARY KEY (p, c))');
  await client.execute("INSERT INTO tr.t (p, c, v) VALUES (1, 1, 'a')");
});

after(async () => {
  await client?.shutdown();
  await node?.cleanup();
});

test('npm driver: traceQuery returns info.traceId; metadata.getTrace reads with coordinator and storage events', async () => {
  const rs = await client.execute('SELECT v FROM tr.t WHERE p = ?', [1], { prepare: true, traceQuery: true });
  const traceId = rs.info.traceId;
  assert.ok(traceId, 'the response carries a tracing id');
  const trace = await client.metadata.getTrace(traceId);
  assert.equal(trace.coordinator.toString(), node.host);
  assert.ok(trace.duration > 0);
  assert.equal(trace.parameters['query'], 'SELECT v FROM tr.t WHERE p = ?');
  const activities = trace.events.map((e: { activity: string }) => e.activity);
  assert.ok(activities.some((a: string) => a.startsWith('Parsing SELECT v FROM tr.t')), activities.join(' / '));
  assert.ok(activities.some((a: string) => a.startsWith('Reading data at')), activities.join(' / '));
  assert.ok(activities.some((a: string) => a.startsWith('Executing single-partition query on t')), activities.join(' / '));
  assert.ok(activities.some((a: string) => a === 'Read 1 live rows and 0 tombstone cells'), activities.join(' / '));
  assert.ok(!activities.includes('Request complete'), 'the shell, not the server, adds the closing line');

  const write = await client.execute("INSERT INTO tr.t (p, c, v) VALUES (2, 1, 'b')", [], { traceQuery: true });
  const wtrace = await client.metadata.getTrace(write.info.traceId);
  const wact = wtrace.events.map((e: { activity: string }) => e.activity);
  assert.ok(wact.some((a: string) => a.startsWith('Determining replicas for mutation')), wact.join(' / '));
  assert.ok(wact.includes('Appending to commitlog'), wact.join(' / '));
  assert.ok(wact.includes('Adding to t memtable'), wact.join(' / '));
});

test('untraced requests leave no trace; settraceprobability 1 traces every request', async () => {
  const before = await client.execute('SELECT session_id FROM system_traces.sessions');
  await client.execute('SELECT v FROM tr.t WHERE p = 1');
  const same = await client.execute('SELECT session_id FROM system_traces.sessions');
  assert.equal(same.rows.length, before.rows.length);
  const nodetool = (...args: string[]) => spawnSync(process.execPath, [CLI_PATH, 'nodetool', '-p', String(node.adminPort), ...args], { encoding: 'utf8' });
  assert.equal(nodetool('settraceprobability', '1').status, 0);
  try {
    await client.execute('SELECT v FROM tr.t WHERE p = 2');
  } finally {
    assert.equal(nodetool('settraceprobability', '0').status, 0);
  }
  const after = await client.execute('SELECT session_id, parameters FROM system_traces.sessions');
  assert.ok(after.rows.some((r) => r['parameters']?.['query'] === 'SELECT v FROM tr.t WHERE p = 2'));
});

const PYTHON = String.raw`
import sys, json
from cassandra.cluster import Cluster
host, port = sys.argv[1], int(sys.argv[2])
cluster = Cluster([host], port=port, protocol_version=4)
session = cluster.connect()
rs = session.execute("SELECT v FROM tr.t WHERE p = 1", trace=True)
trace = rs.get_query_trace(max_wait_sec=5)
print(json.dumps({"coordinator": str(trace.coordinator), "duration": trace.duration.total_seconds(), "request": trace.request_type,
  "events": [e.description for e in trace.events]}))
cluster.shutdown()
`;

test('python driver: ResultSet.get_query_trace() returns the events', async () => {
  const out = JSON.parse(await runPython(PYTHON, [node.host, String(node.port)])) as { coordinator: string; duration: number; request: string; events: string[] };
  assert.equal(out.coordinator, node.host);
  assert.ok(out.duration > 0);
  assert.equal(out.request, 'Execute CQL3 query');
  assert.ok(out.events.some((e) => e.startsWith('Parsing SELECT v FROM tr.t')), out.events.join(' / '));
  assert.ok(out.events.includes('Read 1 live rows and 0 tombstone cells'), out.events.join(' / '));
});
