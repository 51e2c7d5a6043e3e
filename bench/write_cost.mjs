// The prepared single-row write's server cost, for before/after comparisons of builds: CPU µs/op
// (as run.mjs measures it: /proc/PID/stat of the node, closed loop at 128 in flight over 2
// connections) and young-generation bytes allocated per op (from the node's own --trace-gc lines:
// the heap size before each GC minus the size after the previous one, summed over the measured
// window) with the scavenges per 1000 ops and their pause time per op. Rounds alternate the given builds (dist roots).
// Usage: npm run build && node bench/write_cost.mjs [--dist DIR,DIR] [--rounds 3] [--seconds 3]
//                                                  [--op write|read] [--alloc-prof FILE] [--node-flags 'A;B']
// --alloc-prof FILE (one build, one round): instead of the GC trace, V8's sampling heap profiler over
// the window (bench/_heapsample.mjs, collected objects included); prints bytes/op by allocating
// function and writes the .heapprofile to FILE. The profiler costs CPU: its µs/op are not comparable.
// Run under `flock /work/notes/cpu.lock`; each round starts a fresh node per build.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const DISTS = flag('dist', join(here, '..', 'dist')).split(',').map((d) => resolve(d));
const ROUNDS = Number(flag('rounds', '3'));
const SECONDS = Number(flag('seconds', '3'));
const OP = flag('op', 'write');
const ALLOC_PROF = flag('alloc-prof', null);
/** Extra node flags per build, ';'-separated in --dist order (e.g. --node-flags ';--single-threaded-gc'). */
const NODE_FLAGS = (flag('node-flags', '') ?? '').split(';').map((f) => f.split(' ').filter(Boolean));
const WARMUP_MS = 1000;
const CONCURRENCY = 128;
const READ_KEYS = 20_000;
const VALUE = Buffer.alloc(100, 0x61);
const { BenchPool, int32 } = await import('./_client.mjs');
const { readProcCpu } = await import(pathToFileURL(join(DISTS[0], 'src/cli/stress/cpu.js')).href);

/** Starts `cassia start --trace-gc` from one build; collects its GC lines. */
async function startNode(dist, nodeFlags) {
  const dataDir = mkdtempSync(join(tmpdir(), 'cassia-wcost-'));
  const tracing = ALLOC_PROF === null ? ['--trace-gc'] : ['--import', join(here, '_heapsample.mjs')];
  const child = spawn(process.execPath, [...tracing, ...nodeFlags, join(dist, 'src/cli/main.js'), 'start', '--listen-address', '127.0.0.1',
    '--native-port', '0', '--admin-port', '0', '--storage-port', '0', '--data-dir', dataDir],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, HEAPSAMPLE_FILE: ALLOC_PROF ?? '' } });
  const gcLines = [];
  let out = '';
  const port = await new Promise((res) => {
    let found = 0;
    child.stdout.on('data', (c) => {
      out += c;
      const lines = out.split('\n');
      out = lines.pop();
      for (const l of lines) {
        if (/: (Scavenge|Mark-Compact|Mark-sweep|Minor)/.test(l)) gcLines.push(l);
        const m = /listening for CQL clients on [^\s:]+:(\d+)/.exec(l);
        if (m) found = Number(m[1]);
        if (found && /admin API/.test(l)) res(found);
      }
    });
  });
  const stop = () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }).then(() => rmSync(dataDir, { recursive: true, force: true }));
  return { pid: child.pid, port, gcLines, stop };
}

/** Bytes allocated between GC lines [from, to): each GC's "before" minus the previous GC's "after". */
function allocated(lines, from, to) {
  let bytes = 0;
  let scavenges = 0;
  let scavengeMs = 0;
  let prevAfter = null;
  for (let i = Math.max(0, from - 1); i < to; i++) {
    const m = /(Scavenge|Mark-Compact|Mark-sweep|Minor)[^ ]* ([\d.]+) \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB, ([\d.]+)/.exec(lines[i]);
    if (!m) continue;
    if (i >= from) {
      if (prevAfter !== null) bytes += (Number(m[2]) - prevAfter) * 1024 * 1024;
      if (m[1] === 'Scavenge') { scavenges++; scavengeMs += Number(m[4]); }
    }
    prevAfter = Number(m[3]);
  }
  return { bytes, scavenges, scavengeMs };
}

/** Stops the node's heap sampling, waits for its file, prints bytes/op by allocating function. */
async function writeAllocProfile(pid, ops) {
  rmSync(ALLOC_PROF, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 100 && !existsSync(ALLOC_PROF); i++) await new Promise((r) => setTimeout(r, 100));
  const profile = JSON.parse(readFileSync(ALLOC_PROF, 'utf8'));
  const bySite = new Map();
  let total = 0;
  const walk = (n) => {
    const f = n.callFrame;
    const site = `${f.functionName || '(anon)'} ${f.url.replace(/^.*\/dist\//, '')}:${f.lineNumber + 1}`;
    bySite.set(site, (bySite.get(site) ?? 0) + n.selfSize);
    total += n.selfSize;
    for (const c of n.children) walk(c);
  };
  walk(profile.head);
  console.log(`allocated (sampled): ${Math.round(total / ops)} B/op; by function:`);
  for (const [site, b] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${String(Math.round(b / ops)).padStart(6)} B/op  ${site}`);
}

async function loop(fn, ms) {
  let i = 0;
  let n = 0;
  const end = Date.now() + ms;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (Date.now() < end) { await fn(i++); n++; } }));
  return n;
}

async function measure(dist, nodeFlags) {
  const node = await startNode(dist, nodeFlags);
  const pool = await BenchPool.open('127.0.0.1', node.port, 2);
  try {
    const c0 = pool.connections[0];
    await c0.query("CREATE KEYSPACE IF NOT EXISTS bench WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    await c0.query('CREATE TABLE IF NOT EXISTS bench.kv (k int PRIMARY KEY, v blob)');
    const cql = OP === 'write' ? 'INSERT INTO bench.kv (k, v) VALUES (?, ?)' : 'SELECT v FROM bench.kv WHERE k = ?';
    const ids = await Promise.all(pool.connections.map((c) => c.prepare(cql)));
    let key = 0;
    if (OP === 'read') {
      const w = await c0.prepare('INSERT INTO bench.kv (k, v) VALUES (?, ?)');
      await loop(() => (key < READ_KEYS ? pool.pick().execute(w, [int32(key++), VALUE]) : Promise.resolve()), 500);
    }
    const op = OP === 'write' ? () => pool.pick().execute(ids[0], [int32(key++), VALUE]) : (i) => pool.pick().execute(ids[0], [int32((i * 7919) % READ_KEYS)]);
    await loop(op, WARMUP_MS);
    if (ALLOC_PROF !== null) process.kill(node.pid, 'SIGUSR2');
    const before = readProcCpu(node.pid);
    const gc0 = node.gcLines.length;
    const n = await loop(op, SECONDS * 1000);
    const after = readProcCpu(node.pid);
    if (ALLOC_PROF !== null) await writeAllocProfile(node.pid, n);
    await new Promise((r) => setTimeout(r, 50)); // the last GC lines of the window
    const gc = allocated(node.gcLines, gc0, node.gcLines.length);
    const cpu = after.userMicros + after.systemMicros - before.userMicros - before.systemMicros;
    return { ops: n, cpuUsPerOp: cpu / n, bytesPerOp: gc.bytes / n, scavengesPer1k: (1000 * gc.scavenges) / n, scavengeUsPerOp: (1000 * gc.scavengeMs) / n };
  } finally {
    pool.close();
    await node.stop();
  }
}

const results = DISTS.map(() => []);
for (let r = 0; r < ROUNDS; r++) {
  for (let d = 0; d < DISTS.length; d++) {
    const m = await measure(DISTS[d], NODE_FLAGS[d] ?? []);
    results[d].push(m);
    console.log(`round ${r + 1} ${DISTS[d]}: ${OP} ${m.ops} ops, ${m.cpuUsPerOp.toFixed(2)} µs/op, ${Math.round(m.bytesPerOp)} B/op allocated, ${m.scavengesPer1k.toFixed(2)} scavenges/1k ops, scavenge pauses ${m.scavengeUsPerOp.toFixed(2)} µs/op`);
  }
}
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
for (let d = 0; d < DISTS.length; d++) {
  const cpu = results[d].map((m) => m.cpuUsPerOp);
  const bytes = results[d].map((m) => m.bytesPerOp);
  console.log(`${DISTS[d]}: µs/op min ${Math.min(...cpu).toFixed(2)} median ${median(cpu).toFixed(2)}; B/op min ${Math.round(Math.min(...bytes))} median ${Math.round(median(bytes))}`);
}
