// End-to-end audit log and full query log: both switched on at runtime with nodetool, a known
// workload through the npm driver, then `cassia auditlog view` shows exactly that workload and
// `cassia fql replay` reproduces the data on a second node.

import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import { CLI_PATH, startNodeProcess, type NodeProcess } from '../harness.js';

const INSERTS = 30;
const SELECTS = 12;

let source: NodeProcess;
let target: NodeProcess;
let logsDir: string;

function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI_PATH, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const nodetool = (n: NodeProcess, ...args: string[]) => cli('nodetool', '-h', n.host, '-p', String(n.adminPort), ...args);

before(async () => {
  logsDir = mkdtempSync(join(tmpdir(), 'cassia-logs-'));
  source = await startNodeProcess();
  target = await startNodeProcess();
  const on = [
    nodetool(source, 'enableauditlog', '--audit-logs-dir', join(logsDir, 'audit'), '--excluded-categories', 'PREPARE'),
    nodetool(source, 'enablefullquerylog', '--path', join(logsDir, 'fql')),
  ];
  for (const r of on) assert.equal(r.code, 0, r.err);
  const client = new cassandra.Client({ contactPoints: [`${source.host}:${source.port}`], localDataCenter: 'datacenter1' });
  await client.connect();
  try {
    await client.execute("CREATE KEYSPACE logs WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    await client.execute('CREATE TABLE logs.t (p int, c int, v text, m map<text, int>, PRIMARY KEY (p, c))');
    for (let i = 0; i < INSERTS; i++) {
      await client.execute('INSERT INTO logs.t (p, c, v, m) VALUES (?, ?, ?, ?)', [i % 7, i, `v${i}`, { k: i }], { prepare: true });
    }
    for (let i = 0; i < SELECTS; i++) await client.execute('SELECT v FROM logs.t WHERE p = ?', [i % 7], { prepare: true });
    await client.batch([
      { query: "UPDATE logs.t SET v = 'batched' WHERE p = 100 AND c = 1", params: [] },
      { query: 'DELETE FROM logs.t WHERE p = ? AND c = ?', params: [0, 0] },
    ], { prepare: true });
    await assert.rejects(client.execute('SELECT * FROM logs.missing'));
  } finally {
    await client.shutdown();
  }
  const status = nodetool(source, 'getauditlog');
  assert.equal(status.code, 0, status.err);
  for (const r of [nodetool(source, 'disableauditlog'), nodetool(source, 'disablefullquerylog')]) assert.equal(r.code, 0, r.err);
});

after(async () => {
  await source?.cleanup();
  await target?.cleanup();
  if (logsDir) rmSync(logsDir, { recursive: true, force: true });
});

interface AuditLine { type: string; category: string; ks?: string; scope?: string; operation: string }

function auditLines(): AuditLine[] {
  const r = cli('auditlog', 'view', join(logsDir, 'audit'));
  assert.equal(r.code, 0, r.err);
  return r.out.split('\n').filter((l) => l.length > 0).map((l) => {
    const fields = Object.fromEntries(l.split(/(?<!\\)\|/).map((f) => [f.slice(0, f.indexOf(':')), f.slice(f.indexOf(':') + 1)]));
    return fields as unknown as AuditLine;
  });
}

test('audit log: exactly the workload, by category and type; PREPARE excluded; system keyspaces excluded', () => {
  const lines = auditLines();
  const count = (pred: (l: AuditLine) => boolean) => lines.filter(pred).length;
  assert.equal(count((l) => l.type === 'CREATE_KEYSPACE' && l.category === 'DDL' && l.ks === 'logs'), 1);
  assert.equal(count((l) => l.type === 'CREATE_TABLE' && l.category === 'DDL'), 1);
  assert.equal(count((l) => l.type === 'UPDATE' && l.scope === 't' && l.operation.startsWith('INSERT INTO logs.t')), INSERTS);
  assert.equal(count((l) => l.type === 'SELECT' && l.category === 'QUERY' && l.ks === 'logs' && l.scope === 't'), SELECTS);
  assert.equal(count((l) => l.type === 'BATCH'), 1);
  assert.equal(count((l) => l.type === 'DELETE' && l.ks === 'logs'), 1);
  assert.equal(count((l) => l.category === 'ERROR' && l.operation.includes('logs.missing')), 1);
  assert.equal(count((l) => l.category === 'PREPARE'), 0);
  assert.equal(count((l) => l.ks === 'system' || l.ks === 'system_schema'), 0);
  const batchUpdates = count((l) => l.type === 'UPDATE' && l.operation.includes("'batched'"));
  assert.equal(lines.length, 1 + 1 + INSERTS + SELECTS + 1 + 1 + batchUpdates + 1, lines.map((l) => `${l.category} ${l.type} ${l.operation}`).join('\n'));
});

test('fql dump prints every logged query with its values', () => {
  assert.ok(readdirSync(join(logsDir, 'fql')).some((f) => /^fql\.\d+\.bin$/.test(f)));
  const r = cli('fql', 'dump', join(logsDir, 'fql'));
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.split('\n').filter((l) => l === 'Query: INSERT INTO logs.t (p, c, v, m) VALUES (?, ?, ?, ?)').length, INSERTS);
  assert.match(r.out, /Type: batch \(logged\)/);
});

test('fql replay on a second node reproduces the data', async () => {
  const r = cli('fql', 'replay', join(logsDir, 'fql'), '--target', `${target.host}:${target.port}`);
  assert.match(r.out, /replayed \d+ of \d+ entries/);
  const client = new cassandra.Client({ contactPoints: [`${target.host}:${target.port}`], localDataCenter: 'datacenter1' });
  const sourceClient = new cassandra.Client({ contactPoints: [`${source.host}:${source.port}`], localDataCenter: 'datacenter1' });
  await client.connect();
  await sourceClient.connect();
  try {
    const dump = async (c: cassandra.Client) => (await c.execute('SELECT p, c, v, m FROM logs.t', [], { fetchSize: 1000 })).rows
      .map((row) => JSON.stringify([row['p'], row['c'], row['v'], row['m']])).sort();
    const want = await dump(sourceClient);
    assert.equal(want.length, INSERTS - 1 + 1); // one row deleted, one batched row added
    assert.deepEqual(await dump(client), want);
  } finally {
    await client.shutdown();
    await sourceClient.shutdown();
  }
});
