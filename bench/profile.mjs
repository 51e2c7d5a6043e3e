// Profiles the node under one benchmark operation: starts `cassia start` with --cpu-prof, runs the
// operation closed-loop (128 in flight over 2 connections) for SECONDS, prints the server CPU µs/op
// and the measured window (monotonic µs, the clock of the .cpuprofile), then stops the node so the
// profile is written to OUTDIR. Summarize with bench/profile_summary.mjs.
// Usage: npm run build && node bench/profile.mjs write|read|batch|slice SECONDS OUTDIR
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [op, secs, outDir] = process.argv.slice(2);
const distRoot = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
if (!['write', 'read', 'batch', 'slice'].includes(op) || !(Number(secs) > 0) || !outDir) { console.error('usage: node bench/profile.mjs write|read|batch|slice SECONDS OUTDIR'); process.exit(2); }
const { BenchPool, int32 } = await import('./_client.mjs');
const { readProcCpu } = await import(pathToFileURL(`${distRoot}/src/cli/stress/cpu.js`).href);
mkdirSync(outDir, { recursive: true });
const dataDir = mkdtempSync(join(tmpdir(), 'cassia-profile-'));
const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${outDir}`, `${distRoot}/src/cli/main.js`, 'start', '--listen-address', '127.0.0.1', '--native-port', '0', '--admin-port', '0', '--storage-port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
const node = await new Promise((resolve) => { let out = ''; child.stdout.on('data', (c) => { out += c; const m = /listening for CQL clients on [^\s:]+:(\d+)/.exec(out); if (m && /admin API/.test(out)) resolve({ port: Number(m[1]), pid: child.pid }); }); });
const pool = await BenchPool.open('127.0.0.1', node.port, 2);
const c0 = pool.connections[0];
for (const q of ["CREATE KEYSPACE IF NOT EXISTS bench WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
  'CREATE TABLE IF NOT EXISTS bench.kv (k int PRIMARY KEY, v blob)', 'CREATE TABLE IF NOT EXISTS bench.wide (p int, c int, v blob, PRIMARY KEY (p, c))']) await c0.query(q);
const VALUE = Buffer.alloc(100, 0x61);
const ids = {};
for (const [k, q] of Object.entries({ write: 'INSERT INTO bench.kv (k, v) VALUES (?, ?)', read: 'SELECT v FROM bench.kv WHERE k = ?', wide: 'INSERT INTO bench.wide (p, c, v) VALUES (?, ?, ?)', slice: 'SELECT c, v FROM bench.wide WHERE p = ?' })) {
  ids[k] = await c0.prepare(q); await pool.connections[1].prepare(q);
}
const ops = {
  write: (i) => pool.pick().execute(ids.write, [int32(i), VALUE]),
  read: (i) => pool.pick().execute(ids.read, [int32(i % 20000)]),
  batch: (i) => { const p = i % 2000; const st = []; for (let c = 0; c < 10; c++) st.push({ kind: 'prepared', id: ids.wide, values: [int32(p), int32(c), VALUE] }); return pool.pick().batch(st); },
  slice: (i) => pool.pick().execute(ids.slice, [int32(i % 2000)]),
};
/** Closed loop: `conc` requests in flight until `ms` elapsed (bounded by time). */
async function loop(fn, ms, conc = 128) {
  let i = 0; const end = Date.now() + ms; let n = 0;
  await Promise.all(Array.from({ length: conc }, async () => { while (Date.now() < end) { await fn(i++); n++; } }));
  return n;
}
if (op === 'read') for (let i = 0; i < 20000; i += 200) await Promise.all(Array.from({ length: 200 }, (_, j) => ops.write(i + j)));
if (op === 'slice') await loop(ops.batch, 1500);
const before = readProcCpu(node.pid);
const winStart = process.hrtime.bigint() / 1000n;
const n = await loop(ops[op], Number(secs) * 1000);
const winEnd = process.hrtime.bigint() / 1000n;
const after = readProcCpu(node.pid);
const cpu = after.userMicros + after.systemMicros - before.userMicros - before.systemMicros;
console.log(`${op}: ${n} ops, ${(cpu / n).toFixed(1)} µs/op server CPU (profiled) window ${winStart} ${winEnd}`);
pool.close();
await new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); });
rmSync(dataDir, { recursive: true, force: true });
