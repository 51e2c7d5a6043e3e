// Builds and runs bench/loadgen.c (the C fixed-rate generator). The binary goes to
// bench/.build/loadgen, rebuilt when loadgen.c is newer; gcc is needed only when a benchmark asks
// for `--generator c`, never by npm test or CI.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(here, 'loadgen.c');
const BINARY = join(here, '.build', 'loadgen');

/** Path of an up-to-date loadgen binary (compiles it with gcc -O2 if needed). */
export function loadgenBinary() {
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= statSync(SOURCE).mtimeMs) return BINARY;
  mkdirSync(dirname(BINARY), { recursive: true });
  execFileSync('gcc', ['-O2', '-Wall', '-o', BINARY, SOURCE], { stdio: ['ignore', 'inherit', 'inherit'] });
  return BINARY;
}

/** True when gcc is on PATH (or the binary is already built). */
export function loadgenAvailable() {
  try { loadgenBinary(); return true; } catch { return false; }
}

/**
 * Runs one fixed-rate phase. opts: { host, port, idHex, op: write|key|batch10|wide, rate, durationS,
 * warmupS, connections, concurrency, offset, keys, slowUs, cpu (taskset CPU list or null), nice (or null),
 * rt (SCHED_FIFO priority or null) }.
 * Resolves with loadgen's JSON (latencyUs/serviceUs percentiles, counts, slow: [[wallMs, us], ...]).
 */
export function runLoadgen(opts) {
  const args = ['--host', opts.host ?? '127.0.0.1', '--port', String(opts.port), '--id', opts.idHex, '--op', opts.op,
    '--rate', String(opts.rate), '--duration-s', String(opts.durationS), '--warmup-s', String(opts.warmupS ?? 0),
    '--connections', String(opts.connections ?? 2), '--concurrency', String(opts.concurrency ?? 128),
    '--offset', String(opts.offset ?? 0), '--keys', String(opts.keys ?? 1), '--slow-us', String(opts.slowUs ?? 1000)];
  let argv = [loadgenBinary(), ...args];
  if (opts.nice !== null && opts.nice !== undefined) argv = ['nice', '-n', String(opts.nice), ...argv];
  if (opts.rt !== null && opts.rt !== undefined) argv = ['chrt', '-f', String(opts.rt), ...argv];
  if (opts.cpu !== null && opts.cpu !== undefined) argv = ['taskset', '-c', String(opts.cpu), ...argv];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { err += c; });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) { reject(new Error(`loadgen exited ${code}: ${err}`)); return; }
      try { resolve(JSON.parse(out)); } catch (e) { reject(new Error(`loadgen output: ${out.slice(0, 300)} (${e})`)); }
    });
  });
}

/**
 * Pins every thread of a running process to `cpu` (taskset list), sets their nice value, and/or
 * puts them in SCHED_FIFO at priority `rt` (root only; bounded by the kernel's RT throttling);
 * `{ rt: 0, policy: 'other' }` puts them back in SCHED_OTHER.
 */
export function placeProcess(pid, { cpu = null, nice = null, rt = null, policy = 'fifo', mainThreadOnly = false } = {}) {
  if (rt !== null) execFileSync('chrt', [...(mainThreadOnly ? [] : ['-a']), policy === 'fifo' ? '-f' : '-o', '-p', String(rt), String(pid)], { stdio: 'ignore' });
  if (cpu !== null) execFileSync('taskset', ['-a', '-cp', String(cpu), String(pid)], { stdio: 'ignore' });
  if (nice !== null) {
    const tids = execFileSync('ls', [`/proc/${pid}/task`]).toString().trim().split(/\s+/);
    execFileSync('renice', ['-n', String(nice), '-p', ...tids], { stdio: 'ignore' });
  }
}
