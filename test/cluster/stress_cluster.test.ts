// `cassia stress` against a local 3-node cluster made by `cassia cluster` (real processes, gossip,
// internode messaging): write at QUORUM with RF 3, read every key back at QUORUM, then a mixed
// run and a user-profile run. Checks the
// summary text and the --json document (no errors, CPU from each node's admin /cpu and the sum).
// Nodes on 127.0.0.7..9, three consecutive free ports picked at start (native, storage, admin).

import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventsProfileYaml } from '../stress/_profile.js';
import { CLI_PATH, freePortBase } from '../harness.js';
import { adminStatus, cliOk, eventually, killRecorded, pidGone, readCluster } from './_helpers.js';

const NAME = 'stress3';
const ADDRESSES = ['127.0.0.7', '127.0.0.8', '127.0.0.9'];
const NATIVE_PORT = await freePortBase(ADDRESSES, 3);
const STORAGE_PORT = NATIVE_PORT + 1;
const ADMIN_PORT = NATIVE_PORT + 2;
const STRESS_TIMEOUT_MS = 180_000;
const OPS = 5000;
const REPLICATION = "{'class':'SimpleStrategy','replication_factor':3}";
const root = mkdtempSync(join(tmpdir(), 'cassia-stress-cluster-'));

after(() => {
  killRecorded(root, NAME);
  rmSync(root, { recursive: true, force: true });
});

interface StressRun { code: number | null; stdout: string; stderr: string }

function stress(args: string[]): Promise<StressRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_PATH, 'stress', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), STRESS_TIMEOUT_MS);
    child.once('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

interface ResultJson {
  workload: string; ops: number; errors: number; errorsByType: Record<string, number>;
  options: { consistency: string; hosts: string[] };
  latencyMs: { count: number; p50: number; p99: number; max: number };
  workloadStats: Record<string, number>;
  serverCpu: { available: boolean; hosts: Array<{ source: string; userMicros: number; systemMicros: number }>; totalMicros: number; microsPerOp: number | null };
  intervals: unknown[];
}

function target(): string[] {
  return ['--hosts', ADDRESSES.join(','), '--port', String(NATIVE_PORT), '--admin-port', String(ADMIN_PORT), '--cl', 'QUORUM', '--concurrency', '32'];
}

/** The checks both runs share: exit 0, the summary's lines, and a JSON document without errors. */
function checkRun(r: StressRun, jsonFile: string, workload: string): ResultJson {
  const context = `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
  assert.equal(r.code, 0, context);
  assert.match(r.stdout, /elapsed_s\s+ops\/s\s+p50_ms\s+p99_ms\s+max_ms\s+errors\n/, context);
  assert.match(r.stdout, new RegExp(`Total operations\\s+: ${OPS}\\n`), context);
  assert.match(r.stdout, /Errors\s+: 0\n/, context);
  assert.match(r.stdout, /Server CPU\s+: \d+\.\d µs\/op \(user \d+\.\d, system \d+\.\d; 3 host\(s\)\)\n/, context);
  for (const a of ADDRESSES) assert.match(r.stdout, new RegExp(`  ${a.replace(/\./g, '\\.')}:${ADMIN_PORT}\\s+: \\d+\\.\\d µs/op`), context);
  // One line per operation of a mixed or user run, then the total.
  assert.match(r.stdout, /Latency \(ms\):\n\s+mean\s+p50\s+p75\s+p90\s+p95\s+p99\s+p99\.9\s+p99\.99\s+max\n(\s+\w+(\s+\d+\.\d+){9}\n)*\s+total(\s+\d+\.\d+){9}\n/, context);
  const result = JSON.parse(readFileSync(jsonFile, 'utf8')) as ResultJson;
  assert.equal(result.workload, workload);
  assert.equal(result.ops, OPS);
  assert.equal(result.errors, 0);
  assert.deepEqual(result.errorsByType, {});
  assert.equal(result.options.consistency, 'QUORUM');
  assert.equal(result.latencyMs.count, OPS);
  assert.ok(result.latencyMs.p50 > 0 && result.latencyMs.p50 <= result.latencyMs.p99 && result.latencyMs.p99 <= result.latencyMs.max);
  assert.ok(result.intervals.length >= 1);
  const cpu = result.serverCpu;
  assert.equal(cpu.available, true);
  assert.deepEqual(cpu.hosts.map((h) => h.source), ADDRESSES.map((a) => `${a}:${ADMIN_PORT}`));
  for (const h of cpu.hosts) assert.ok(h.userMicros + h.systemMicros > 0, `${h.source} did work (every node is a replica at RF 3)`);
  assert.equal(cpu.totalMicros, cpu.hosts.reduce((s, h) => s + h.userMicros + h.systemMicros, 0));
  assert.ok(cpu.microsPerOp !== null && Math.abs(cpu.microsPerOp - cpu.totalMicros / OPS) < 1e-6);
  return result;
}

test('stress write, read, mixed and user at QUORUM on a 3-node cluster with RF 3: no errors, CPU per node and summed', async () => {
  await cliOk(root, ['create', NAME, '-n', '3', '--first-address', ADDRESSES[0]!, '--native-port', String(NATIVE_PORT),
    '--storage-port', String(STORAGE_PORT), '--admin-port', String(ADMIN_PORT), '--start', '--timeout', '120']);
  assert.deepEqual(readCluster(root, NAME).nodes.map((n) => n.address), ADDRESSES);
  // QUORUM at RF 3 needs each coordinator to see its replicas up: wait for gossip on every node.
  for (const a of ADDRESSES) {
    const s = await eventually(() => adminStatus(a, ADMIN_PORT), (st) => st !== null && st.nodes.filter((n) => n.up).length === 3);
    assert.equal(s?.nodes.filter((n) => n.up).length, 3, `${a} sees 3 nodes up: ${JSON.stringify(s)}`);
  }

  const writeJson = join(root, 'write.json');
  const w = await stress(['write', '--ops', String(OPS), ...target(), '--replication', REPLICATION, '--json', writeJson, '--plot', join(root, 'write.svg')]);
  checkRun(w, writeJson, 'write');
  assert.ok(readFileSync(join(root, 'write.svg'), 'utf8').trimEnd().endsWith('</svg>'));

  const readJson = join(root, 'read.json');
  const r = await stress(['read', '--ops', String(OPS), '--population', String(OPS), ...target(), '--json', readJson]);
  const read = checkRun(r, readJson, 'read');
  assert.equal(read.workloadStats['emptyReads'], 0, 'every key written at QUORUM is read back at QUORUM');

  const mixedJson = join(root, 'mixed.json');
  const m = await stress(['mixed', '--ratio', 'write=1,read=1', '--ops', String(OPS), '--population', String(OPS), ...target(), '--json', mixedJson]);
  const mixed = checkRun(m, mixedJson, 'mixed');
  assert.equal(mixed.workloadStats['emptyReads'], 0, 'mixed reads find the keys written before');

  const profile = join(root, 'profile.yaml');
  writeFileSync(profile, eventsProfileYaml(100, 4));
  const userJson = join(root, 'user.json');
  const u = await stress(['user', '--profile', profile, '--ops', 'insert=1,byhost=1', '--ops', String(OPS), ...target(), '--replication', REPLICATION, '--json', userJson]);
  checkRun(u, userJson, 'user');

  const pids = readCluster(root, NAME).nodes.map((n) => n.pid).filter((p): p is number => p !== null);
  assert.equal(pids.length, 3);
  await cliOk(root, ['remove', NAME]);
  assert.equal(existsSync(join(root, NAME)), false, 'remove deletes the cluster folder');
  for (const pid of pids) assert.ok(pidGone(pid), `node pid ${pid} stopped`);
});
