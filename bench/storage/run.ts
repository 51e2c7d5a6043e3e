// The storage benchmark (issue 3): Cassia's engine (group commit) against LevelDB through
// classic-level (sync: true writes) on the same generated data, same sizes, counts and
// concurrency. Each engine runs in its own child process (engine.ts), rounds alternate the
// engines, and the median round is reported. Writes bench/results/storage-<date>.json.
// Never part of npm test.
//
// Usage: npm run build && node dist/bench/storage/run.js [--rounds 3] [--keys 200000] [--reads 200000]
//        [--concurrency 64] [--key-bytes 16] [--value-bytes 100] [--memtable-mb 64] [--cache-mb 64]
//        [--only cassia|leveldb] [--out FILE]

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { paramsFrom, type EngineResult } from './engine.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/bench/storage
const repo = resolve(here, '../../..');

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

/** Passes the child every flag we were given except our own. */
function childArgs(engine: string, dir: string): string[] {
  const own = new Set(['--rounds', '--only', '--out']);
  const out: string[] = [];
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (own.has(argv[i]!)) { i++; continue; }
    out.push(argv[i]!);
  }
  return [join(here, 'engine.js'), '--engine', engine, '--dir', dir, ...out];
}

function runChild(engine: string, concurrency: number): EngineResult {
  const dir = mkdtempSync(join(tmpdir(), `cassia-bench-${engine}-`));
  try {
    // Equal thread pools: LevelDB's writes block a libuv thread each until their group's sync, and
    // Cassia's file I/O runs there too; both get one thread per concurrent operation.
    const env = { ...process.env, UV_THREADPOOL_SIZE: String(Math.min(1024, Math.max(4, concurrency))) };
    const r = spawnSync(process.execPath, [...(process.env['BENCH_NODE_FLAGS']?.split(' ').filter(Boolean) ?? []), ...childArgs(engine, dir)],
      { env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) throw new Error(`${engine} run failed with status ${r.status}`);
    const line = r.stdout.trim().split('\n').pop()!;
    return JSON.parse(line) as EngineResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

interface Summary {
  writeOpsPerSec: number;
  writeCpuMicrosPerOp: number;
  readOpsPerSec: number;
  readCpuMicrosPerOp: number;
  prepareMs: number;
}

function summarize(rs: EngineResult[]): Summary {
  return {
    writeOpsPerSec: median(rs.map((r) => r.write.opsPerSec)),
    writeCpuMicrosPerOp: median(rs.map((r) => r.write.cpuMicrosPerOp)),
    readOpsPerSec: median(rs.map((r) => r.read.opsPerSec)),
    readCpuMicrosPerOp: median(rs.map((r) => r.read.cpuMicrosPerOp)),
    prepareMs: median(rs.map((r) => r.prepareMs)),
  };
}

async function main(): Promise<void> {
  const rounds = Number(flag('rounds', '3'));
  const only = flag('only', '');
  const params = paramsFrom(process.argv.slice(2));
  const engines = only ? [only] : ['cassia', 'leveldb'];
  const results: Record<string, EngineResult[]> = { cassia: [], leveldb: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? engines : [...engines].reverse();
    for (const e of order) {
      const r = runChild(e, params.concurrency);
      results[e]!.push(r);
      process.stderr.write(`round ${round + 1}/${rounds} ${e}: write ${fmt(r.write.opsPerSec)} ops/s (${fmt(r.write.cpuMicrosPerOp, 1)} µs CPU/op)`
        + `${r.syncs !== undefined ? `, ${r.syncs} syncs` : ''}; read ${fmt(r.read.opsPerSec)} ops/s (${fmt(r.read.cpuMicrosPerOp, 1)} µs CPU/op)`
        + `${r.mismatches ? `; ${r.mismatches} WRONG READS` : ''}\n`);
      if (r.mismatches > 0) throw new Error(`${e}: ${r.mismatches} reads did not return the written value`);
    }
  }
  const summary: Record<string, Summary> = {};
  for (const e of engines) summary[e] = summarize(results[e]!);
  const c = summary['cassia'];
  const l = summary['leveldb'];
  const ratios = c && l ? {
    writeThroughput: c.writeOpsPerSec / l.writeOpsPerSec,
    readThroughput: c.readOpsPerSec / l.readOpsPerSec,
    writeCpuPerOp: c.writeCpuMicrosPerOp / l.writeCpuMicrosPerOp,
    readCpuPerOp: c.readCpuMicrosPerOp / l.readCpuMicrosPerOp,
  } : undefined;
  console.log('| engine | durable writes/s | write CPU µs/op | point reads/s | read CPU µs/op | flush+compact ms |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const e of engines) {
    const s = summary[e]!;
    console.log(`| ${e} | ${fmt(s.writeOpsPerSec)} | ${fmt(s.writeCpuMicrosPerOp, 1)} | ${fmt(s.readOpsPerSec)} | ${fmt(s.readCpuMicrosPerOp, 1)} | ${fmt(s.prepareMs)} |`);
  }
  if (ratios) {
    console.log(`\ncassia ÷ leveldb: write throughput ${ratios.writeThroughput.toFixed(2)}x (target ≥ 2), `
      + `read throughput ${ratios.readThroughput.toFixed(2)}x (target ≥ 1); CPU per op: write ${ratios.writeCpuPerOp.toFixed(2)}x, read ${ratios.readCpuPerOp.toFixed(2)}x`);
  }
  const date = new Date().toISOString().slice(0, 10);
  const out = flag('out', join(repo, 'bench', 'results', `storage-${date}.json`));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({
    date, node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, params, rounds, summary, ratios, results,
  }, null, 2) + '\n');
  console.log(`\nwrote ${out}`);
}

await main();
