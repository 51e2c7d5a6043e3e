#!/usr/bin/env node
// Cassia's benchmark set (issue 5): server CPU µs per operation, max throughput, and p50/p99 at
// half of max throughput, for five operations, each beside the same figures for a do-nothing
// CQL responder (bench/responder.mjs) measured in the same run. Writes bench/results/<date>.json
// and prints a markdown table for the README. Never part of `npm test`.
//
// Usage: npm run build && node bench/run.mjs [--duration S] [--concurrency N] [--connections N] [--only a,b]
//                                            [--config cassia.yaml] [--generator c|node] [--nice N|off] [--rt P|off]
//
// Method per (operation, target): warm up, run closed-loop at --concurrency for --duration
// (max throughput; server CPU from /proc/PID/stat of the server process before and after, so
// the client's own CPU is not counted), then run at a fixed rate of half that throughput for
// --duration (latencies from intended start: coordinated-omission corrected). The responder's
// fixed-rate phase runs at the node's rate, so its latencies are the floor this machine and
// client reach at the same offered load. --config passes a cassia.yaml to the node (e.g.
// `commitlog_sync: periodic` to see write latency without a wait for fdatasync).
//
// The fixed-rate phase's generator (--generator): `c` (the default when gcc is there) is
// bench/loadgen.c, one pacing loop that sends each operation at its due time; `node` is
// src/cli/stress/load.ts over bench/_client.mjs, whose own pacing and event loop add milliseconds
// to the tail on this 2-vCPU machine. During the fixed-rate phase only, every thread of the target
// and the generator run at nice --nice N (default -15 when running as root, `off` to leave them
// alone), so other work on the shared machine takes little from them. --rt P (off by default)
// instead puts the target in SCHED_FIFO at priority P and the generator at P + 1. Do not use it
// for latency figures: when those two are busy for more than 95% of a second the kernel's RT
// throttling stops them for the rest of it, a 40-50 ms stall that became the p99 of session 4's
// half-rate read figures (bench/README.md "Half-rate latency without SCHED_FIFO, session 5").
// The max-throughput phase, which gives the CPU
// µs/op, is the same closed loop either way.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism, cpus } from 'node:os';
import { startNodeProcess } from '../dist/test/harness.js';
import { runLoad } from '../dist/src/cli/stress/load.js';
import { nodeClock } from '../dist/src/cli/stress/run.js';
import { Recorder, percentilesMs } from '../dist/src/cli/stress/stats.js';
import { readProcCpu } from '../dist/src/cli/stress/cpu.js';
import { BenchPool, int32 } from './_client.mjs';
import { loadgenAvailable, placeProcess, runLoadgen } from './_loadgen.mjs';
import { startResponderProcess } from './_responder_process.mjs';

const here = dirname(fileURLToPath(import.meta.url));

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const DURATION_S = Number(flag('duration', '3'));
const CONCURRENCY = Number(flag('concurrency', '128'));
const CONNECTIONS = Number(flag('connections', '2'));
const WARMUP_S = Math.min(1, DURATION_S);
const ONLY = flag('only', '')?.split(',').filter(Boolean) ?? [];
const NODE_CONFIG = flag('config', null);
const GENERATOR = flag('generator', loadgenAvailable() ? 'c' : 'node');
const RT_FLAG = flag('rt', 'off');
const RT = RT_FLAG === 'off' ? null : Number(RT_FLAG);
const NICE_FLAG = flag('nice', process.getuid?.() === 0 && RT === null ? '-15' : 'off');
const NICE = NICE_FLAG === 'off' ? null : Number(NICE_FLAG);
const LOADGEN_WARMUP_S = 0.5;
const VALUE = Buffer.alloc(100, 0x61); // 100-byte values
const WIDE_PARTITIONS = 10_000;
const ROWS_PER_SLICE = 10;

const SCHEMA = [
  "CREATE KEYSPACE IF NOT EXISTS bench WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
  'CREATE TABLE IF NOT EXISTS bench.kv (k int PRIMARY KEY, v blob)',
  'CREATE TABLE IF NOT EXISTS bench.wide (p int, c int, v blob, PRIMARY KEY (p, c))',
];

/** The operations, in run order (reads follow the writes that fill their tables). */
function cases(state) {
  return [
    { name: 'write', title: 'prepared single-row write', cql: 'INSERT INTO bench.kv (k, v) VALUES (?, ?)',
      gen: () => ({ op: 'write', keys: 1 }), generated: (end) => { state.keys = Math.max(state.keys, end); },
      op: (pool, id, i) => { state.keys = Math.max(state.keys, i + 1); return pool.pick().execute(id, [int32(i), VALUE]); } },
    { name: 'read_memtable', title: 'read from memtable', cql: 'SELECT v FROM bench.kv WHERE k = ?',
      gen: () => ({ op: 'key', keys: Math.max(1, state.keys) }), generated: () => {},
      op: (pool, id, i) => pool.pick().execute(id, [int32(hash(i) % Math.max(1, state.keys))]) },
    { name: 'batch10', title: 'batch of 10 (one partition)', cql: 'INSERT INTO bench.wide (p, c, v) VALUES (?, ?, ?)',
      gen: () => ({ op: 'batch10', keys: 1 }), generated: (end) => { state.wide = Math.max(state.wide, Math.min(WIDE_PARTITIONS, end)); },
      op: (pool, id, i) => {
        const p = i % WIDE_PARTITIONS;
        state.wide = Math.max(state.wide, Math.min(WIDE_PARTITIONS, i + 1));
        const statements = [];
        for (let c = 0; c < ROWS_PER_SLICE; c++) statements.push({ kind: 'prepared', id, values: [int32(p), int32(c), VALUE] });
        return pool.pick().batch(statements);
      } },
    { name: 'slice10', title: '10-row partition slice', cql: 'SELECT c, v FROM bench.wide WHERE p = ?',
      gen: () => ({ op: 'wide', keys: Math.max(1, state.wide) }), generated: () => {},
      op: (pool, id, i) => pool.pick().execute(id, [int32(hash(i) % Math.max(1, state.wide))]) },
    { name: 'read_sstable', title: 'read from SSTables (warm, after flush)', cql: 'SELECT v FROM bench.kv WHERE k = ?', flushFirst: true,
      gen: () => ({ op: 'key', keys: Math.max(1, state.keys) }), generated: () => {},
      op: (pool, id, i) => pool.pick().execute(id, [int32(hash(i) % Math.max(1, state.keys))]) },
  ];
}

function hash(i) {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  return (Math.imul(h, 0xc2b2ae35) ^ (h >>> 16)) >>> 0;
}


/** One phase: closed loop (rate null) or fixed rate; returns ops/s, server CPU µs/op, latencies. */
async function phase(target, pool, id, op, plan, opOffset) {
  const recorder = new Recorder(['op']);
  const before = readProcCpu(target.pid);
  const lt = { pick: () => 0, execute: (i) => op(pool, id, opOffset + i), classifyError: (e) => e?.name ?? 'error' };
  const out = await runLoad(plan, lt, nodeClock, recorder);
  const after = readProcCpu(target.pid);
  const seconds = (out.endUs - out.startUs) / 1e6;
  const cpuUs = before && after ? after.userMicros + after.systemMicros - before.userMicros - before.systemMicros : NaN;
  const result = {
    ops: recorder.ops, errors: recorder.errors, errorsByType: Object.fromEntries(recorder.errorsByType), opsPerSec: recorder.ops / seconds,
    serverCpuUsPerOp: cpuUs / Math.max(1, recorder.ops), latencyMs: percentilesMs(recorder.latency), serviceTimeMs: percentilesMs(recorder.service),
    started: out.started,
  };
  recorder.destroy();
  return result;
}

/** halfRate: the fixed rate for the latency phase; null = half of this target's own max. */
async function measure(target, pool, c, halfRate) {
  const ids = await Promise.all(pool.connections.map((conn) => conn.prepare(c.cql)));
  const id = ids[0];
  let offset = 0;
  const closed = { concurrency: CONCURRENCY, opsMax: null, durationUs: DURATION_S * 1e6, rateOpsPerSec: null };
  const warm = await phase(target, pool, id, c.op, { ...closed, durationUs: WARMUP_S * 1e6 }, offset);
  offset += warm.started;
  const max = await phase(target, pool, id, c.op, closed, offset);
  offset += max.started;
  const rate = halfRate ?? Math.max(1, Math.round(max.opsPerSec / 2));
  const half = GENERATOR === 'c'
    ? await loadgenPhase(target, c, id, rate, offset)
    : await phase(target, pool, id, c.op, { ...closed, rateOpsPerSec: rate }, offset);
  return { max, half: { rateOpsPerSec: rate, generator: GENERATOR, rt: RT, nice: NICE, ...half } };
}

/** The fixed-rate phase by bench/loadgen.c, the target's threads at --nice (or in SCHED_FIFO, --rt) meanwhile. */
async function loadgenPhase(target, c, id, rate, offset) {
  const { op, keys } = c.gen();
  if (RT !== null) placeProcess(target.pid, { rt: RT });
  if (NICE !== null) placeProcess(target.pid, { nice: NICE });
  const before = readProcCpu(target.pid);
  const main0 = readMainThreadCpu(target.pid);
  const wall0 = performance.now();
  const steal0 = readSteal();
  let r;
  try {
    r = await runLoadgen({ port: target.port, idHex: Buffer.from(id).toString('hex'), op, keys, rate, offset, durationS: DURATION_S,
      warmupS: LOADGEN_WARMUP_S, connections: CONNECTIONS, concurrency: CONCURRENCY, rt: RT === null ? null : RT + 1, nice: NICE, slowUs: 1e9 });
  } finally {
    if (RT !== null) placeProcess(target.pid, { rt: 0, policy: 'other' });
    if (NICE !== null) placeProcess(target.pid, { nice: 0 });
  }
  const after = readProcCpu(target.pid);
  const main1 = readMainThreadCpu(target.pid);
  const wallUs = (performance.now() - wall0) * 1000;
  const steal1 = readSteal();
  c.generated(offset + Math.round(rate * (LOADGEN_WARMUP_S + DURATION_S)));
  const ms = (u) => ({ p50: u.p50 / 1000, p90: u.p90 / 1000, p99: u.p99 / 1000, p999: u.p999 / 1000, max: u.max / 1000 });
  const cpuUs = before && after ? after.userMicros + after.systemMicros - before.userMicros - before.systemMicros : NaN;
  return {
    ops: r.ops, errors: r.errors, firstError: r.firstError, opsPerSec: r.ops / r.seconds, lateSends: r.lateSends, unanswered: r.unanswered,
    // Hypervisor steal over the phase, % of both CPUs' time (/proc/stat): the VM's own tail.
    stealPercent: (100 * (steal1.steal - steal0.steal)) / Math.max(1, steal1.total - steal0.total),
    // Includes the 0.5 s warm-up at the same rate; requests arrive one by one here, not 64 per read.
    serverCpuUsPerOp: cpuUs / Math.max(1, r.ops + Math.round(rate * LOADGEN_WARMUP_S)),
    // The share of wall time the target's main thread (its event loop) ran, warm-up included:
    // how busy "half of the closed-loop maximum" keeps it when requests arrive one at a time.
    mainThreadBusyPercent: main0 !== undefined && main1 !== undefined ? (100 * (main1 - main0)) / wallUs : NaN,
    latencyMs: ms(r.latencyUs), serviceTimeMs: ms(r.serviceUs),
  };
}

/** CPU µs (user + system) of a process's main thread, from /proc/PID/task/PID/stat; undefined if gone. */
function readMainThreadCpu(pid) {
  const c = readProcCpu(`${pid}/task/${pid}`);
  return c ? c.userMicros + c.systemMicros : undefined;
}

/** /proc/stat's aggregate line: total and steal jiffies. */
function readSteal() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { total: f.reduce((a, b) => a + b, 0), steal: f[7] ?? 0 };
}

async function flushNode(node) {
  const res = await fetch(`http://${node.host}:${node.adminPort}/flush`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ keyspace: 'bench' }) });
  if (!res.ok) throw new Error(`flush failed: ${res.status} ${await res.text()}`);
}

function fmt(n, digits = 1) {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

function table(results) {
  const lines = [
    '| operation | server CPU µs/op | responder µs/op | ratio | max ops/s | p50 / p99 ms at 50% | event loop busy at 50% | responder p50 / p99 ms, same rate | responder loop busy |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const n = r.node;
    const z = r.responder;
    lines.push(`| ${r.title} | ${fmt(n.max.serverCpuUsPerOp)} | ${fmt(z.max.serverCpuUsPerOp)} | ${fmt(n.max.serverCpuUsPerOp / z.max.serverCpuUsPerOp)}x | ${Math.round(n.max.opsPerSec)} | ${fmt(n.half.latencyMs.p50, 2)} / ${fmt(n.half.latencyMs.p99, 2)} | ${fmt(n.half.mainThreadBusyPercent, 0)}% | ${fmt(z.half.latencyMs.p50, 2)} / ${fmt(z.half.latencyMs.p99, 2)} | ${fmt(z.half.mainThreadBusyPercent, 0)}% |`);
  }
  return lines.join('\n');
}

async function main() {
  const state = { keys: 0, wide: 0 };
  const node = await startNodeProcess(NODE_CONFIG ? { args: ['--config', NODE_CONFIG] } : {});
  const responder = await startResponderProcess();
  const targets = { node: { pid: node.pid, port: node.port }, responder: { pid: responder.pid, port: responder.port } };
  const pools = {};
  const results = [];
  try {
    for (const [name, t] of Object.entries(targets)) {
      pools[name] = await BenchPool.open('127.0.0.1', t.port, CONNECTIONS);
      for (const cql of SCHEMA) await pools[name].connections[0].query(cql);
    }
    for (const c of cases(state)) {
      if (ONLY.length && !ONLY.includes(c.name)) continue;
      if (c.flushFirst) await flushNode(node);
      const row = { name: c.name, title: c.title, cql: c.cql };
      for (const name of ['node', 'responder']) {
        process.stderr.write(`${c.name} on ${name}...\n`);
        row[name] = await measure(targets[name], pools[name], c, name === 'responder' ? row.node.half.rateOpsPerSec : null);
      }
      results.push(row);
      process.stderr.write(`  node ${fmt(row.node.max.serverCpuUsPerOp)} µs/op (${Math.round(row.node.max.opsPerSec)} op/s, errors ${row.node.max.errors}); responder ${fmt(row.responder.max.serverCpuUsPerOp)} µs/op\n`);
    }
  } finally {
    for (const p of Object.values(pools)) p.close();
    await responder.stop();
    await node.cleanup();
  }
  const now = new Date();
  const doc = {
    date: now.toISOString(), node: process.version, cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown',
    method: { nodeConfig: NODE_CONFIG, responderHalfRate: 'the node\'s', halfRateGenerator: GENERATOR, halfRateSchedFifo: RT, halfRateNice: NICE, durationS: DURATION_S, warmupS: WARMUP_S, concurrency: CONCURRENCY, connections: CONNECTIONS, valueBytes: VALUE.length, cpuSource: '/proc/PID/stat (10 ms ticks)' },
    results,
  };
  const dir = join(here, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${now.toISOString().slice(0, 10)}.json`);
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  process.stdout.write(`${table(results)}\n\n${availableParallelism()} CPUs (${doc.cpuModel}), Node ${process.version}; ${DURATION_S} s per phase, concurrency ${CONCURRENCY} over ${CONNECTIONS} connections; half-rate phase by ${GENERATOR === 'c' ? 'bench/loadgen.c' : 'the node client'}${RT !== null ? `, SCHED_FIFO ${RT}` : ''}. Results: ${file}\n`);
}

await main();
