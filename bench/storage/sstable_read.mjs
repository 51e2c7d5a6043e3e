// Issue 5's "read from SSTables, large data set": a node loaded by `cassia stress write`, then
// `cassia stress read` of uniformly random keys over the whole population, server CPU per op.
//
//   npm run build
//   node bench/storage/sstable_read.mjs prepare DIR [--ops 1000000] [--memtable]
//   node bench/storage/sstable_read.mjs read DIR [--seconds 30] [--concurrency 256] [--dist ROOT] [--label L]
//
// prepare: a fresh node on DIR (127.0.0.1, ephemeral ports) takes `stress write --ops N
// --concurrency 256` and is stopped with SIGTERM (memtable flushed: only SSTables remain) or, with
// --memtable, SIGKILL (the commit log replays into a memtable at the next start, as after the
// write itself: the heap then holds that memtable).
// read: copies DIR (so it stays pristine for the next run), starts a node on the copy from the
// build in ROOT/dist (default: this checkout), runs `stress read --duration S --population N`
// after a 2000-op warm-up, prints op/s, server CPU µs/op, p50/p99/max, errors, seconds with under
// 10% of the median op rate, and the ChunkCache hit rate; appends the run to
// bench/results/sstable-read-YYYY-MM-DD.json.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const [mode, dir, ...rest] = process.argv.slice(2);
const opt = (name, dflt) => { const i = rest.indexOf(`--${name}`); return i < 0 ? dflt : rest[i + 1]; };
const flag = (name) => rest.includes(`--${name}`);
if (!['prepare', 'read'].includes(mode) || !dir) {
  console.error('usage: sstable_read.mjs prepare DIR [--ops N] [--memtable] | read DIR [--seconds S] [--concurrency C] [--dist ROOT] [--label L]');
  process.exit(2);
}

/** Starts `cassia start` on dataDir; resolves with its ports once it listens. */
function startNode(root, dataDir) {
  const child = spawn(process.execPath, [join(root, 'dist/src/cli/main.js'), 'start', '--listen-address', '127.0.0.1', '--native-port', '0',
    '--admin-port', '0', '--storage-port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`node did not start in 120 s:\n${out}`)), 120_000);
    child.stdout.on('data', (c) => {
      out += c;
      const cql = /listening for CQL clients on [^\s:]+:(\d+)/.exec(out);
      const admin = /admin API on [^\s:]+:(\d+)/.exec(out);
      if (cql && admin) { clearTimeout(timer); ok({ child, port: Number(cql[1]), adminPort: Number(admin[1]) }); }
    });
    child.once('exit', (code) => fail(new Error(`node exited (${code}) before listening:\n${out}`)));
  });
}

function stop(node, signal) {
  return new Promise((ok) => { node.child.once('exit', ok); node.child.kill(signal); });
}

function stress(node, args, jsonFile) {
  const r = spawnSync(process.execPath, [join(repo, 'dist/src/cli/main.js'), 'stress', ...args, '--hosts', '127.0.0.1', '--port', String(node.port),
    '--admin-port', String(node.adminPort), '--no-progress', '--json', jsonFile], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
  if (r.status !== 0) throw new Error(`stress ${args[0]} exited ${r.status}`);
  return JSON.parse(readFileSync(jsonFile, 'utf8'));
}

async function chunkCacheHitRate(node) {
  const text = await (await fetch(`http://127.0.0.1:${node.adminPort}/metrics`)).text();
  const m = /cassandra_cache_hitrate\{scope="ChunkCache"\} ([0-9.eE+-]+|NaN)/.exec(text);
  return m ? Number(m[1]) : null;
}

const work = mkdtempSync(join(tmpdir(), 'cassia-sstable-read-'));
try {
  if (mode === 'prepare') {
    const ops = opt('ops', '1000000');
    if (existsSync(dir)) throw new Error(`${dir} exists; prepare needs a new directory`);
    mkdirSync(dir, { recursive: true });
    const node = await startNode(repo, dir);
    const w = stress(node, ['write', '--ops', ops, '--concurrency', '256'], join(work, 'write.json'));
    await stop(node, flag('memtable') ? 'SIGKILL' : 'SIGTERM');
    writeFileSync(join(dir, 'bench-prepare.json'), JSON.stringify({ ops: Number(ops), memtable: flag('memtable') }));
    console.log(`prepared ${dir}: write ${w.opsPerSec.toFixed(0)} op/s, server CPU ${w.serverCpu?.microsPerOp?.toFixed(1)} µs/op, `
      + `p99 ${w.latencyMs.p99.toFixed(1)} ms, max ${w.latencyMs.max.toFixed(0)} ms, errors ${w.errors}`);
  } else {
    const prep = JSON.parse(readFileSync(join(dir, 'bench-prepare.json'), 'utf8'));
    const root = resolve(opt('dist', repo));
    const copy = join(work, 'data');
    cpSync(dir, copy, { recursive: true });
    const node = await startNode(root, copy);
    const seconds = opt('seconds', '30');
    const r = stress(node, ['read', '--duration', `${seconds}s`, '--population', String(prep.ops), '--concurrency', opt('concurrency', '256'),
      '--warmup', '2000'], join(work, 'read.json'));
    const hitRate = await chunkCacheHitRate(node);
    await stop(node, 'SIGTERM');
    const rates = r.intervals.map((i) => i.opsPerSec ?? i.ops ?? 0);
    const median = [...rates].sort((a, b) => a - b)[Math.floor(rates.length / 2)] ?? 0;
    const stalls = rates.filter((x) => x < median / 10).length;
    const result = {
      label: opt('label', root), at: new Date().toISOString(), population: prep.ops, memtable: prep.memtable, seconds: Number(seconds),
      opsPerSec: r.opsPerSec, serverCpuMicrosPerOp: r.serverCpu?.microsPerOp ?? null, latencyMs: r.latencyMs, errors: r.errors,
      errorsByType: r.errorsByType, stallSeconds: stalls, chunkCacheHitRate: hitRate, node: process.version,
    };
    console.log(`${result.label}: ${r.opsPerSec.toFixed(0)} op/s, server CPU ${result.serverCpuMicrosPerOp?.toFixed(1)} µs/op, p50 ${r.latencyMs.p50.toFixed(1)} ms, `
      + `p99 ${r.latencyMs.p99.toFixed(1)} ms, max ${r.latencyMs.max.toFixed(0)} ms, errors ${r.errors}, stall seconds ${stalls}, chunk cache hit rate ${hitRate?.toFixed(3)}`);
    const out = join(repo, 'bench', 'results', `sstable-read-${result.at.slice(0, 10)}.json`);
    const all = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : [];
    all.push(result);
    writeFileSync(out, `${JSON.stringify(all, null, 1)}\n`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
