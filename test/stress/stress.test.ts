// End to end: `cassia stress` (the real CLI, as a child process) against a node process.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import { eventsProfileYaml } from './_profile.js';
import { CLI_PATH, startNodeProcess, type NodeProcess } from '../harness.js';

const RUN_TIMEOUT_MS = 120_000;

function cassia(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.once('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

interface ResultJson {
  tool: string; workload: string; ops: number; errors: number; opsPerSec: number;
  errorsByType: Record<string, number>;
  latencyMs: { count: number; p50: number; p99: number; p9999: number; max: number };
  byOperation: Record<string, { ops: number }>;
  workloadStats: Record<string, number>;
  serverCpu: { available: boolean; microsPerOp: number | null };
  intervals: unknown[];
  percentileCurve: { latency: unknown[] };
}

let node: NodeProcess;
let dir: string;

test.before(async () => {
  node = await startNodeProcess();
  dir = mkdtempSync(join(tmpdir(), 'cassia-stress-'));
});

test.after(async () => {
  await node?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function target(): string[] {
  return ['--hosts', node.host, '--port', String(node.port), '--admin-port', String(node.adminPort)];
}

test('cassia stress write --ops 2000 --concurrency 16: summary and --json', async () => {
  const json = join(dir, 'write.json');
  const svg = join(dir, 'write.svg');
  const r = await cassia(['stress', 'write', '--ops', '2000', '--concurrency', '16', ...target(), '--json', json, '--plot', svg]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /elapsed_s\s+ops\/s\s+p50_ms\s+p99_ms\s+max_ms\s+errors/);
  assert.match(r.stdout, /Total operations\s+: 2000\n/);
  assert.match(r.stdout, /Errors\s+: 0\n/);
  assert.match(r.stdout, /Latency \(ms\):\n\s+mean\s+p50\s+p75\s+p90\s+p95\s+p99\s+p99\.9\s+p99\.99\s+max\n\s+total(\s+\d+\.\d+){9}\n/);
  const result = JSON.parse(readFileSync(json, 'utf8')) as ResultJson;
  assert.equal(result.tool, 'cassia stress');
  assert.equal(result.workload, 'write');
  assert.equal(result.ops, 2000);
  assert.equal(result.errors, 0);
  assert.deepEqual(result.errorsByType, {});
  assert.equal(result.latencyMs.count, 2000);
  assert.ok(result.latencyMs.p50 > 0 && result.latencyMs.p50 <= result.latencyMs.p99 && result.latencyMs.p99 <= result.latencyMs.max);
  assert.equal(result.byOperation['write']!.ops, 2000);
  assert.ok(result.intervals.length >= 1);
  assert.ok(result.percentileCurve.latency.length > 10);
  if (result.serverCpu.available) assert.ok(result.serverCpu.microsPerOp! > 0);
  else assert.match(r.stdout, /Server CPU\s+: unavailable/);
  const plot = readFileSync(svg, 'utf8');
  assert.ok(plot.startsWith('<?xml') && plot.trimEnd().endsWith('</svg>'));
});

test('read finds every key the write workload wrote (deterministic keys), at a fixed rate', async () => {
  const json = join(dir, 'read.json');
  const r = await cassia(['stress', 'read', '--ops', '400', '--population', '2000', '--rate', '400/s', '--concurrency', '8', ...target(), '--json', json, '--no-progress']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const result = JSON.parse(readFileSync(json, 'utf8')) as ResultJson & { mode: string; serviceTimeMs: { count: number } };
  assert.equal(result.mode, 'fixed-rate');
  assert.equal(result.ops, 400);
  assert.equal(result.errors, 0);
  assert.equal(result.workloadStats['emptyReads'], 0);
  assert.equal(result.serviceTimeMs.count, 400);
  assert.match(r.stdout, /Service time \(ms\), from actual start:/);
});

test('mixed write=1,read=3 over the written keys: both operations by ratio, no errors, no empty reads', async () => {
  const json = join(dir, 'mixed.json');
  const r = await cassia(['stress', 'mixed', '--ratio', 'write=1,read=3', '--ops', '800', '--population', '2000', '--concurrency', '8', ...target(), '--json', json, '--no-progress']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const result = JSON.parse(readFileSync(json, 'utf8')) as ResultJson;
  assert.equal(result.workload, 'mixed');
  assert.equal(result.ops, 800);
  assert.equal(result.errors, 0, JSON.stringify(result.errorsByType));
  const writes = result.byOperation['write']!.ops;
  const reads = result.byOperation['read']!.ops;
  assert.equal(writes + reads, 800);
  assert.ok(reads > 2 * writes, `reads ${reads} about three times writes ${writes}`);
  assert.equal(result.workloadStats['emptyReads'], 0);
});

test('counter_write then counter_read: every increment applied, every counter found', async () => {
  const wJson = join(dir, 'counter_write.json');
  const w = await cassia(['stress', 'counter_write', '--ops', '600', '--population', '200', '--concurrency', '8', ...target(), '--json', wJson, '--no-progress']);
  assert.equal(w.code, 0, w.stderr + w.stdout);
  const written = JSON.parse(readFileSync(wJson, 'utf8')) as ResultJson;
  assert.equal(written.workload, 'counter_write');
  assert.equal(written.errors, 0, JSON.stringify(written.errorsByType));
  assert.equal(written.ops, 600);
  // The write workload's keys are a sequence over the population: 600 ops give each of the 200
  // counters three increments of 1 in every column.
  const client = new cassandra.Client({ contactPoints: [`${node.host}:${node.port}`], localDataCenter: 'datacenter1' });
  try {
    const rs = await client.execute('SELECT "C0", "C4" FROM keyspace1.counter1');
    assert.equal(rs.rowLength, 200);
    for (const row of rs.rows) assert.deepEqual([Number(row['C0']), Number(row['C4'])], [3, 3]);
  } finally {
    await client.shutdown();
  }
  const rJson = join(dir, 'counter_read.json');
  const r = await cassia(['stress', 'counter_read', '--ops', '200', '--population', '200', '--concurrency', '8', ...target(), '--json', rJson, '--no-progress']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const read = JSON.parse(readFileSync(rJson, 'utf8')) as ResultJson;
  assert.equal(read.errors, 0, JSON.stringify(read.errorsByType));
  assert.equal(read.ops, 200);
  assert.equal(read.workloadStats['emptyReads'], 0);
});

test('user profile: insert and a named query by ratio', async () => {
  const profile = join(dir, 'profile.yaml');
  writeFileSync(profile, eventsProfileYaml(50, 3));
  const json = join(dir, 'user.json');
  const r = await cassia(['stress', 'user', '--profile', profile, '--ops', 'insert=1,byhost=1', '--ops', '300', '--concurrency', '8', ...target(), '--json', json, '--no-progress']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const result = JSON.parse(readFileSync(json, 'utf8')) as ResultJson;
  assert.equal(result.errors, 0, JSON.stringify(result.errorsByType));
  assert.equal(result.ops, 300);
  assert.ok(result.byOperation['insert']!.ops > 50 && result.byOperation['byhost']!.ops > 50);
});

test('bad options exit 2 and name the problem', async () => {
  const r = await cassia(['stress', 'write', '--cl', 'SOMETIMES']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--cl 'SOMETIMES' is not a consistency level/);
});
