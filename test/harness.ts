// Starts real Cassia node processes for end-to-end tests: `node dist/src/cli/main.js start`,
// on a loopback address, with ephemeral ports, in a fresh data directory. The node prints
// `cassia: listening for CQL clients on HOST:PORT` (and `cassia: admin API on HOST:PORT`) once
// ready; the harness waits for those lines. Tests stop what they start, by PID.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/ root: this file compiles to dist/test/harness.js. */
export const DIST_ROOT = join(here, '..');
export const CLI_PATH = join(DIST_ROOT, 'src', 'cli', 'main.js');

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 20_000;

export interface NodeProcess {
  host: string;
  port: number;
  adminPort: number;
  pid: number;
  dataDir: string;
  /** Everything the node wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
  /** Stop (or kill) and remove the data directory unless keepData. */
  cleanup(opts?: { keepData?: boolean }): Promise<void>;
}

export interface StartOptions {
  host?: string;
  dataDir?: string;
  /** Extra `cassia start` flags. */
  args?: string[];
  env?: Record<string, string>;
}

export async function startNodeProcess(opts: StartOptions = {}): Promise<NodeProcess> {
  const host = opts.host ?? '127.0.0.1';
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'cassia-test-'));
  const args = [CLI_PATH, 'start', '--listen-address', host, '--native-port', '0', '--admin-port', '0',
    '--storage-port', '0', '--data-dir', dataDir, ...(opts.args ?? [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<{ port: number; adminPort: number }>((resolve, reject) => {
    let port = 0;
    let adminPort = 0;
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening for CQL clients on [^\s:]+:(\d+)/.exec(out);
      if (m) port = Number(m[1]);
      const a = /admin API on [^\s:]+:(\d+)/.exec(out);
      if (a) adminPort = Number(a[1]);
      if (port && adminPort) resolve({ port, adminPort });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`node exited with ${code} before it was ready:\n${out}`)));
    setTimeout(() => reject(new Error(`node not ready after ${START_TIMEOUT_MS} ms:\n${out}`)), START_TIMEOUT_MS).unref();
  });
  let ports: { port: number; adminPort: number };
  try {
    ports = await ready;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return makeHandle(child, host, ports, dataDir, () => out, exited);
}

function makeHandle(child: ChildProcess, host: string, ports: { port: number; adminPort: number }, dataDir: string,
                    output: () => string, exited: Promise<number | null>): NodeProcess {
  let done = false;
  void exited.then(() => { done = true; });
  const stop = async (): Promise<number | null> => {
    if (!done) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  const kill = async (): Promise<void> => {
    if (!done) child.kill('SIGKILL');
    await exited;
  };
  return {
    host, port: ports.port, adminPort: ports.adminPort, pid: child.pid!, dataDir, output, stop, kill,
    cleanup: async (o = {}) => {
      await stop();
      if (!o.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs /usr/bin/python3 (Debian's, which sees python3-cassandra) with a script; resolves stdout or rejects with stderr. */
export function runPython(script: string, args: string[] = [], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', ['-c', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`python exited ${code}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    });
  });
}

/**
 * A base port whose `count` consecutive ports are free on every address: a random pick in
 * 20000-59999, checked by binding each one. Two checkouts running these tests at once then get
 * different ports (a fixed port made them fail each other).
 */
export async function freePortBase(addresses: string[], count: number, attempts = 50): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    let free = true;
    for (let p = base; free && p < base + count; p++) {
      for (const a of addresses) if (!(await canBind(a, p))) { free = false; break; }
    }
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports on ${addresses.join(', ')} after ${attempts} tries`);
}

function canBind(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, address, () => server.close(() => resolve(true)));
  });
}
