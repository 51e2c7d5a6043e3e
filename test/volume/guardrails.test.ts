// Tombstone guardrails through a real node and the npm driver: a read scanning more than
// tombstone_warn_threshold tombstones returns its rows with a client warning; more than
// tombstone_failure_threshold fails with ReadFailure (0x1300) naming the table and the threshold;
// the node keeps serving. Thresholds are set low in the node's cassia.yaml.
// The npm driver replaces a Read_failure's message with its own text, so the server's message
// (table, threshold) is checked through Debian's python3-cassandra, which keeps it.

import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type cassandra from 'cassandra-driver';
import { runPython, startNodeProcess, type NodeProcess } from '../harness.js';
import { adminPost, newClient, writeConfig } from '../crash/_support.js';
import { forEachBounded } from './_data.js';

const WARN = 100;
const FAIL = 500;
const CONFIG = `
tombstone_warn_threshold: ${WARN}
tombstone_failure_threshold: ${FAIL}
`;
const READ_FAILURE = 0x1300;

/** Partition → rows written then deleted one by one (row tombstones), and live rows kept. */
const PARTITIONS = [
  { p: 1, deleted: WARN / 2, live: 10 },      // under both thresholds
  { p: 2, deleted: WARN + 50, live: 10 },     // over warn, under failure
  { p: 3, deleted: FAIL + 100, live: 10 },    // over failure
] as const;

let workDir: string;
let node: NodeProcess;
let client: cassandra.Client;

before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'cassia-guardrails-'));
  node = await startNodeProcess({ dataDir: join(workDir, 'node'), args: ['--config', writeConfig(workDir, CONFIG)] });
  client = newClient(node);
  await client.connect();
  await client.execute(`CREATE KEYSPACE g WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
  await client.execute('CREATE TABLE g.t (p int, c int, v int, PRIMARY KEY (p, c))');
  for (const { p, deleted, live } of PARTITIONS) {
    const total = deleted + live;
    await forEachBounded(total, 32, async (c) => { await client.execute('INSERT INTO g.t (p, c, v) VALUES (?, ?, ?)', [p, c, c], { prepare: true }); });
    await forEachBounded(deleted, 32, async (c) => { await client.execute('DELETE FROM g.t WHERE p = ? AND c = ?', [p, c], { prepare: true }); });
  }
});

after(async () => {
  await client?.shutdown().catch(() => {});
  await node?.cleanup();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

async function readPartition(p: number): Promise<cassandra.types.ResultSet> {
  return client.execute('SELECT c, v FROM g.t WHERE p = ?', [p], { prepare: true });
}

async function readFailure(p: number): Promise<{ code: number; message: string }> {
  try {
    await readPartition(p);
  } catch (err) {
    return { code: (err as { code: number }).code, message: (err as Error).message };
  }
  assert.fail(`the read of partition ${p} succeeded; expected ReadFailure`);
}

const PY_READ = String.raw`
import sys, json
from cassandra.cluster import Cluster
from cassandra import ReadFailure
host, port, version = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cluster = Cluster([host], port=port, protocol_version=version)
session = cluster.connect()
out = {}
try:
    session.execute("SELECT c, v FROM g.t WHERE p = 3")
    out["error"] = None
except ReadFailure as e:
    out = {"error": "ReadFailure", "message": str(e), "failures": e.failures, "received": e.received_responses,
           "required": e.required_responses, "reasons": {str(k): v for k, v in (e.error_code_map or {}).items()}}
except Exception as e:
    out = {"error": type(e).__name__, "message": str(e)}
cluster.shutdown()
print(json.dumps(out))
`;

interface PyFailure { error: string | null; message: string; failures?: number; received?: number; required?: number; reasons?: Record<string, number> }

async function pythonReadFailure(version: number): Promise<PyFailure> {
  const raw = await runPython(PY_READ, [node.host, String(node.port), String(version)]);
  return JSON.parse(raw.trim().split('\n').pop()!) as PyFailure;
}

async function checkGuardrails(when: string): Promise<void> {
  const quiet = await readPartition(1);
  assert.equal(quiet.rows.length, 10, `${when}: partition 1 live rows`);
  assert.equal((quiet.info.warnings ?? []).length, 0, `${when}: no warning under the threshold: ${quiet.info.warnings}`);

  const warned = await readPartition(2);
  assert.equal(warned.rows.length, 10, `${when}: the warned read still returns its rows`);
  assert.deepEqual(warned.rows.map((r) => r['c']), Array.from({ length: 10 }, (_, i) => WARN + 50 + i));
  const warnings = warned.info.warnings ?? [];
  assert.equal(warnings.length, 1, `${when}: one client warning: ${JSON.stringify(warnings)}`);
  assert.match(warnings[0]!, /tombstone/i);
  assert.match(warnings[0]!, /g\.t/);
  assert.match(warnings[0]!, new RegExp(`\\b${WARN + 50}\\b`), `${when}: the warning gives the tombstones scanned`);

  const failed = await readFailure(3);
  assert.equal(failed.code, READ_FAILURE, `${when}: ReadFailure code (got 0x${failed.code?.toString(16)}: ${failed.message})`);
  const py = await pythonReadFailure(4);
  assert.equal(py.error, 'ReadFailure', `${when}: python sees ReadFailure: ${JSON.stringify(py)}`);
  assert.match(py.message, /g\.t/, `${when}: the failure names the table`);
  assert.match(py.message, new RegExp(`\\b${FAIL}\\b`), `${when}: the failure names the count`);
  assert.match(py.message, /tombstone/i);

  // The node keeps serving, on the same connection pool.
  const ok = await client.execute('SELECT release_version FROM system.local');
  assert.equal(ok.rows.length, 1, `${when}: the node still answers`);
  assert.equal((await readPartition(1)).rows.length, 10);
}

test('guardrails: tombstone warning and ReadFailure from the memtable', async () => {
  await checkGuardrails('memtable');
});

test('guardrails: the same after a flush (tombstones in SSTables) and a major compaction within gc_grace_seconds', async () => {
  await adminPost(node, 'flush', 'g');
  await checkGuardrails('after flush');
  await adminPost(node, 'compact', 'g');
  await checkGuardrails('after major compaction');
});

test('guardrails: LIMIT does not hide tombstones scanned before the first live row', async () => {
  const rs = await client.execute('SELECT c FROM g.t WHERE p = ? LIMIT 1', [2], { prepare: true });
  assert.deepEqual(rs.rows.map((r) => r['c']), [WARN + 50]);
  assert.equal((rs.info.warnings ?? []).length, 1, `warning with LIMIT 1: ${JSON.stringify(rs.info.warnings)}`);
});

test('guardrails: the ReadFailure names the failing replica (1 failure; v5 reason READ_TOO_MANY_TOMBSTONES)', async () => {
  // Cassandra answers a tombstone overflow on the only replica with received 0, blockFor 1,
  // failures 1 and, in v5, the reason map {replica: 0x0001 READ_TOO_MANY_TOMBSTONES}.
  const npmErr = await readFailure(3);
  assert.match(npmErr.message, /0 replicas responded, 1 failed/, `npm driver: ${npmErr.message}`);
  const py = await pythonReadFailure(5);
  assert.equal(py.failures, 1, JSON.stringify(py));
  assert.equal(py.received, 0, JSON.stringify(py));
  assert.equal(py.required, 1, JSON.stringify(py));
  assert.deepEqual(Object.values(py.reasons ?? {}), [1], `reason map ${JSON.stringify(py.reasons)}`);
});
