#!/usr/bin/env node
// Latency at a fixed rate, one target at a time, repeated: the tool behind bench/README.md
// "Latency at half load, session 3 (tail)". Prints one line per run (p50/p99/p99.9/max, server CPU
// µs/op from /proc, hypervisor steal, load average) and, with --watch, what the node's event loop
// and GC did during the run (bench/_loopwatch.mjs preloaded into the node).
//
// Usage: npm run build && node bench/latency.mjs --target responder|node --op write|read
//          --rate R[,R...] [--runs 3] [--duration 3] [--generator c|node] [--pin] [--nice N]
//          [--rt P] [--rt-main-only] [--server-nice N] [--node-options '--v8-flag ...'] [--config cassia.yaml] [--watch] [--slow-ms 2] [--keys 20000] [--connections 2] [--concurrency 128]
//
// --generator c: bench/loadgen.c (one pacing loop, compiled with gcc); node: src/cli/stress/load.ts
// with bench/_client.mjs. --pin: the client on CPU 0, every thread of the server on CPU 1.
// --nice N: the client and every server thread at nice N (negative needs root; other work on the
// machine then disturbs the measurement less). --rt P: the server in SCHED_FIFO at priority P, the
// generator at P + 1 (root; --server-nice N keeps the server in SCHED_OTHER at nice N instead;
// the kernel's RT throttling leaves others 5% of each second). Every run is bounded by --duration.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_PATH } from '../dist/test/harness.js';
import { runLoad } from '../dist/src/cli/stress/load.js';
import { nodeClock } from '../dist/src/cli/stress/run.js';
import { Recorder, percentilesMs } from '../dist/src/cli/stress/stats.js';
import { readProcCpu } from '../dist/src/cli/stress/cpu.js';
import { BenchPool, int32 } from './_client.mjs';
import { placeProcess, runLoadgen } from './_loadgen.mjs';

const here = dirname(fileURLToPath(import.meta.url));
function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const has = (name) => process.argv.includes(`--${name}`);
const TARGET = flag('target', 'responder');
const OP = flag('op', 'write');
const RATES = flag('rate', '5000').split(',').map(Number);
const RUNS = Number(flag('runs', '3'));
const DURATION_S = Number(flag('duration', '3'));
const GENERATOR = flag('generator', 'c');
const PIN = has('pin');
const NICE = flag('nice', null);
const RT = flag('rt', null);
const SERVER_NICE = flag('server-nice', null);
const RT_MAIN_ONLY = has('rt-main-only');
const NODE_OPTIONS = (flag('node-options', '') ?? '').split(' ').filter(Boolean);
const CONFIG = flag('config', null);
const WATCH = has('watch');
const KEYS = Number(flag('keys', '20000'));
const SLOW_MS = Number(flag('slow-ms', '2'));
const CONNECTIONS = Number(flag('connections', '2'));
const CONCURRENCY = Number(flag('concurrency', '128'));
const SERVER_CPU = '1';
const CLIENT_CPU = '0';
const VALUE = Buffer.alloc(100, 0x61);
const WRITE_CQL = 'INSERT INTO bench.kv (k, v) VALUES (?, ?)';
const READ_CQL = 'SELECT v FROM bench.kv WHERE k = ?';
const SCHEMA = [
  "CREATE KEYSPACE IF NOT EXISTS bench WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
  'CREATE TABLE IF NOT EXISTS bench.kv (k int PRIMARY KEY, v blob)',
];
const READY_TIMEOUT_MS = 30_000;

function hash(i) {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  return (Math.imul(h, 0xc2b2ae35) ^ (h >>> 16)) >>> 0;
}

/** Spawns the responder or a node; resolves { pid, port, stop }. */
function startTarget(watchFile) {
  const dataDir = mkdtempSync(join(tmpdir(), 'cassia-lat-'));
  const args = TARGET === 'responder'
    ? [join(here, 'responder.mjs'), '0']
    : [...NODE_OPTIONS, ...(WATCH ? ['--import', join(here, '_loopwatch.mjs')] : []), CLI_PATH, 'start', '--listen-address', '127.0.0.1', '--native-port', '0',
      '--admin-port', '0', '--storage-port', '0', '--data-dir', dataDir, ...(CONFIG ? ['--config', CONFIG] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOOPWATCH_FILE: watchFile } });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (c) => {
      out += c;
      const m = /(?:listening on|listening for CQL clients on) [^\s:]+:(\d+)/.exec(out);
      if (!m) return;
      child.stdout.off('data', onData);
      child.stdout.resume();
      resolve({
        pid: child.pid, port: Number(m[1]),
        stop: () => new Promise((r) => { child.once('exit', () => { rmSync(dataDir, { recursive: true, force: true }); r(); }); child.kill('SIGTERM'); }),
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c) => { out += c; });
    child.once('exit', (code) => reject(new Error(`target exited ${code}: ${out.slice(-2000)}`)));
    setTimeout(() => reject(new Error(`target not ready: ${out.slice(-2000)}`)), READY_TIMEOUT_MS).unref();
  });
}

/** /proc/stat's aggregate line: total and steal jiffies. */
function readSteal() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { total: f.reduce((a, b) => a + b, 0), steal: f[7] ?? 0 };
}

async function fixedRateNode(pool, id, offset, RATE) {
  const recorder = new Recorder(['op']);
  const op = OP === 'write'
    ? (i) => pool.pick().execute(id, [int32(offset + i), VALUE])
    : (i) => pool.pick().execute(id, [int32(hash(offset + i) % KEYS)]);
  const target = { pick: () => 0, execute: (i) => op(i), classifyError: (e) => e?.name ?? 'error' };
  await runLoad({ concurrency: CONCURRENCY, opsMax: null, durationUs: DURATION_S * 1e6, rateOpsPerSec: RATE }, target, nodeClock, recorder);
  const l = percentilesMs(recorder.latency);
  const out = { ops: recorder.ops, errors: recorder.errors, latencyUs: { p50: l.p50 * 1000, p99: l.p99 * 1000, p999: l.p999 * 1000, max: l.max * 1000 }, slow: [] };
  recorder.destroy();
  return out;
}

function watchSummary(file, fromMs, toMs, slow) {
  let lines = [];
  try { lines = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)); } catch { return null; }
  const inWindow = lines.filter((e) => e.t >= fromMs && e.t <= toMs);
  const gcs = inWindow.filter((e) => e.gc);
  const byKind = {};
  for (const g of gcs) {
    const k = (byKind[g.gc] ??= { n: 0, ms: 0, maxMs: 0 });
    k.n++; k.ms += g.ms; k.maxMs = Math.max(k.maxMs, g.ms);
  }
  const loops = inWindow.filter((e) => e.loop !== undefined).map((e) => e.loop).sort((a, b) => a - b);
  // A slow operation "met a GC" if a pause of ≥ 0.5 ms started within its latency before its answer.
  const pauses = gcs.filter((g) => g.ms >= 0.5);
  const metGc = slow.filter(([startMs, us]) => pauses.some((g) => g.t + g.ms >= startMs && g.t <= startMs + us / 1000)).length;
  return { gc: byKind, loopMaxMsPer100ms: { p50: loops[Math.floor(loops.length / 2)], p90: loops[Math.floor(loops.length * 0.9)], max: loops.at(-1) }, slowOps: slow.length, slowOpsMeetingGc: metGc };
}

async function main() {
  const watchFile = join(tmpdir(), `loopwatch-${process.pid}.jsonl`);
  const t = await startTarget(watchFile);
  const pool = await BenchPool.open('127.0.0.1', t.port, CONNECTIONS);
  try {
    for (const cql of SCHEMA) await pool.connections[0].query(cql);
    const ids = await Promise.all(pool.connections.map((c) => c.prepare(OP === 'write' ? WRITE_CQL : READ_CQL)));
    const writeIds = await Promise.all(pool.connections.map((c) => c.prepare(WRITE_CQL)));
    // Fill the keys reads will ask for (and warm the write path): closed loop, bounded by count.
    const fill = { pick: () => 0, execute: (i) => pool.pick().execute(writeIds[0], [int32(i), VALUE]), classifyError: (e) => e?.name ?? 'error' };
    await runLoad({ concurrency: CONCURRENCY, opsMax: KEYS, durationUs: 60e6, rateOpsPerSec: null }, fill, nodeClock, null);
    let offset = KEYS;
    // Placed after the closed-loop fill, so a server at SCHED_FIFO runs only the bounded fixed-rate phases.
    const place = { nice: NICE === null ? null : Number(NICE), rt: RT === null ? null : Number(RT) };
    placeProcess(t.pid, SERVER_NICE === null ? { ...place, mainThreadOnly: RT_MAIN_ONLY, cpu: PIN ? SERVER_CPU : null } : { nice: Number(SERVER_NICE), cpu: PIN ? SERVER_CPU : null });
    placeProcess(process.pid, { ...place, cpu: PIN ? CLIENT_CPU : null });
    process.stdout.write(`target ${TARGET} op ${OP} rates ${RATES.join(', ')}/s generator ${GENERATOR}${PIN ? ' pinned' : ''}${NICE !== null ? ` nice ${NICE}` : ''}${RT !== null ? ` SCHED_FIFO ${RT}` : ''}${SERVER_NICE !== null ? ` server at nice ${SERVER_NICE}` : ''}${RT_MAIN_ONLY ? ' (server main thread only)' : ''}${CONFIG ? ` config ${CONFIG}` : ''}${NODE_OPTIONS.length ? ` node ${NODE_OPTIONS.join(' ')}` : ''}\n`);
    for (const RATE of RATES) for (let run = 0; run < RUNS; run++) {
      const cpu0 = readProcCpu(t.pid);
      const st0 = readSteal();
      const load = loadavg()[0];
      const fromMs = Date.now();
      const r = GENERATOR === 'c'
        ? await runLoadgen({ port: t.port, idHex: Buffer.from(ids[0]).toString('hex'), op: OP === 'write' ? 'write' : 'key', rate: RATE, durationS: DURATION_S, warmupS: 0.5,
          connections: CONNECTIONS, concurrency: CONCURRENCY, offset, keys: KEYS, slowUs: SLOW_MS * 1000, cpu: PIN ? CLIENT_CPU : null, nice: NICE, rt: RT === null ? null : Number(RT) + 1 })
        : await fixedRateNode(pool, ids[0], offset, RATE);
      const toMs = Date.now();
      const cpu1 = readProcCpu(t.pid);
      const st1 = readSteal();
      offset += Math.round(RATE * (DURATION_S + 1));
      const cpuUs = cpu1.userMicros + cpu1.systemMicros - cpu0.userMicros - cpu0.systemMicros;
      const steal = (100 * (st1.steal - st0.steal)) / Math.max(1, st1.total - st0.total);
      const l = r.latencyUs;
      const f = (us) => (us / 1000).toFixed(2);
      process.stdout.write(`${RATE}/s run ${run + 1}: ops ${r.ops} errors ${r.errors} p50 ${f(l.p50)} p99 ${f(l.p99)} p99.9 ${f(l.p999)} max ${f(l.max)} ms; server ${(cpuUs / Math.max(1, r.ops)).toFixed(1)} µs/op (whole process incl. warm-up); steal ${steal.toFixed(1)}%; load ${load.toFixed(1)}${r.serviceUs ? `; service p99 ${f(r.serviceUs.p99)} ms; late sends ${r.lateSends}` : ''}\n`);
      if (WATCH) process.stdout.write(`  watch: ${JSON.stringify(watchSummary(watchFile, fromMs, toMs, r.slow ?? []))}\n`);
    }
  } finally {
    pool.close();
    await t.stop();
    rmSync(watchFile, { force: true });
  }
}

await main();
