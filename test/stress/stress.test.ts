// End to end: `cassia stress` (the real CLI, as a child process) against a node process.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

test('user profile: insert and a named query by ratio', async () => {
  const profile = join(dir, 'profile.yaml');
  writeFileSync(profile, [
    'keyspace: stress_user',
    'table: events',
    'table_definition: |',
    '  CREATE TABLE events (host text, bucket int, at timestamp, state text, PRIMARY KEY ((host, bucket), at))',
    'columnspec:',
    '  - name: host',
    '    size: fixed(12)',
    '  - name: state',
    '    size: uniform(5..20)',
    'partitions: 50',
    'rows_per_partition: fixed(3)',
    'queries:',
    '  byhost:',
    '    cql: SELECT * FROM events WHERE host = ? AND bucket = ?',
    '',
  ].join('\n'));
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
