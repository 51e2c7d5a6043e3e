// Counts the node's system calls per operation under the prepared single-row write (the commit
// log's group commit: writes and fdatasyncs per operation), with `perf stat` on the syscall
// tracepoints of the server process during the measured window, and its context switches and CPU
// migrations (thread hand-offs). Also prints server CPU µs/op.
// Usage: npm run build && node bench/syscalls.mjs [SECONDS] [CONCURRENCY]
// Needs `perf` with tracepoint access (kernel.perf_event_paranoid ≤ 2 for one's own processes).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const secs = Number(process.argv[2] ?? '3');
const conc = Number(process.argv[3] ?? '128');
const distRoot = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const { BenchPool, int32 } = await import('./_client.mjs');
const { readProcCpu } = await import(pathToFileURL(`${distRoot}/src/cli/stress/cpu.js`).href);
const SYSCALLS = ['pwrite64', 'pwritev', 'write', 'writev', 'fdatasync', 'fsync', 'read', 'epoll_wait', 'futex'];

const dataDir = mkdtempSync(join(tmpdir(), 'cassia-syscalls-'));
const child = spawn(process.execPath, [`${distRoot}/src/cli/main.js`, 'start', '--listen-address', '127.0.0.1', '--native-port', '0', '--admin-port', '0', '--storage-port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((resolve) => { let out = ''; child.stdout.on('data', (c) => { out += c; const m = /listening for CQL clients on [^\s:]+:(\d+)/.exec(out); if (m && /admin API/.test(out)) resolve(Number(m[1])); }); });
const pool = await BenchPool.open('127.0.0.1', port, 2);
const c0 = pool.connections[0];
for (const q of ["CREATE KEYSPACE IF NOT EXISTS bench WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
  'CREATE TABLE IF NOT EXISTS bench.kv (k int PRIMARY KEY, v blob)']) await c0.query(q);
const cql = 'INSERT INTO bench.kv (k, v) VALUES (?, ?)';
const id = await c0.prepare(cql);
await pool.connections[1].prepare(cql);
const VALUE = Buffer.alloc(100, 0x61);
let i = 0;
async function loop(ms) {
  const end = Date.now() + ms;
  let n = 0;
  await Promise.all(Array.from({ length: conc }, async () => { while (Date.now() < end) { await pool.pick().execute(id, [int32(i++), VALUE]); n++; } }));
  return n;
}
await loop(1000); // warm-up
const SOFTWARE_EVENTS = ['context-switches', 'cpu-migrations']; // thread hand-offs show as context switches
const perf = spawn('perf', ['stat', '-x', ',', '-e', [...SYSCALLS.map((s) => `syscalls:sys_enter_${s}`), ...SOFTWARE_EVENTS].join(','), '-p', String(child.pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
let perfOut = '';
perf.stderr.on('data', (c) => { perfOut += c; });
await new Promise((r) => setTimeout(r, 300)); // perf attaches
const before = readProcCpu(child.pid);
const n = await loop(secs * 1000);
const after = readProcCpu(child.pid);
perf.kill('SIGINT');
await new Promise((r) => perf.once('exit', r));
const cpu = after.userMicros + after.systemMicros - before.userMicros - before.systemMicros;
console.log(`write: ${n} ops, ${(cpu / n).toFixed(1)} µs/op server CPU (user ${((after.userMicros - before.userMicros) / n).toFixed(1)}, system ${((after.systemMicros - before.systemMicros) / n).toFixed(1)}), concurrency ${conc}`);
for (const line of perfOut.split('\n')) {
  const [count, , event] = line.split(',');
  if (!event?.startsWith('syscalls:') && !SOFTWARE_EVENTS.includes(event)) continue;
  console.log(`  ${event.replace('syscalls:sys_enter_', '').padEnd(12)} ${count.padStart(9)}  ${(Number(count) / n * 128).toFixed(2)} per 128 ops`);
}
pool.close();
await new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); });
rmSync(dataDir, { recursive: true, force: true });
