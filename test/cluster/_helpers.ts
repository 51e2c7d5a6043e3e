// Shared by the cluster tests: run `cassia cluster` as a separate process (so the nodes it starts
// are detached from the test and must outlive the command), read cluster.json, check PIDs.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import cassandra from 'cassandra-driver';
import type { ClusterRecord } from '../../src/cli/cluster/mod.js';
import type { StatusReport } from '../../src/server/admin/api.js';

const ENTRY = join(dirname(fileURLToPath(import.meta.url)), 'cli_entry.js');
const CLI_TIMEOUT_MS = 240_000;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `cassia cluster ...args --dir root` to completion (bounded). */
export function cli(root: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY, ...args, '--dir', root], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`cassia cluster ${args.join(' ')}: no exit after ${CLI_TIMEOUT_MS} ms\n${stdout}\n${stderr}`)); }, CLI_TIMEOUT_MS);
    child.once('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/** Like cli(), but fails the test unless the exit code is 0. */
export async function cliOk(root: string, args: string[]): Promise<CliResult> {
  const r = await cli(root, args);
  if (r.code !== 0) throw new Error(`cassia cluster ${args.join(' ')} exited ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r;
}

export function readCluster(root: string, name: string): ClusterRecord {
  return JSON.parse(readFileSync(join(root, name, 'cluster.json'), 'utf8')) as ClusterRecord;
}

/** True when no live process has this PID (a zombie awaiting its reaper counts as gone). */
export function pidGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/** A driver client that talks to exactly one node (the allow list keeps it from routing elsewhere). */
export function singleNodeClient(address: string, port: number, timeoutMs = 10_000): cassandra.Client {
  const contact = `${address}:${port}`;
  return new cassandra.Client({
    contactPoints: [contact],
    localDataCenter: 'datacenter1',
    protocolOptions: { port },
    policies: { loadBalancing: new cassandra.policies.loadBalancing.AllowListPolicy(new cassandra.policies.loadBalancing.RoundRobinPolicy(), [contact]) },
    socketOptions: { connectTimeout: timeoutMs, readTimeout: timeoutMs },
    pooling: { heartBeatInterval: 0 },
  });
}

/** SIGKILLs every PID still recorded in cluster.json (test cleanup after a failure). */
export function killRecorded(root: string, name: string): void {
  let c: ClusterRecord;
  try {
    c = readCluster(root, name);
  } catch {
    return;
  }
  for (const n of c.nodes) {
    if (n.pid === null) continue;
    try {
      const cmdline = readFileSync(`/proc/${n.pid}/cmdline`, 'utf8');
      if (cmdline.includes(join(root, name))) process.kill(n.pid, 'SIGKILL');
    } catch { /* gone */ }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** How long `eventually` polls by default, and how often. */
export const CONVERGE_TIMEOUT_MS = 60_000;
export const POLL_MS = 1000;

/** Polls until `done(value)` or the deadline passes; returns the last value either way. */
export async function eventually<T>(probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = CONVERGE_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!done(last) && Date.now() < deadline) {
    await sleep(POLL_MS);
    last = await probe();
  }
  return last;
}

/** GET /status from a node's admin API; null when it does not answer. */
export async function adminStatus(address: string, adminPort: number): Promise<StatusReport | null> {
  try {
    const r = await fetch(`http://${address}:${adminPort}/status`, { signal: AbortSignal.timeout(5000) });
    return r.ok ? (await r.json()) as StatusReport : null;
  } catch {
    return null;
  }
}

