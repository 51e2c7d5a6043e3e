// The commit log alone under small durable appends: CPU per append of the whole process and of
// the main (event-loop) thread, for each way of writing batches, alternated in rounds.
// Usage: npm run build && node bench/commitlog.mjs [--ops 100000] [--concurrency 128] [--rounds 3]
//        [--variants handles,thread,handles+dsync,thread+dsync,none]  (none: the loop without a log, to subtract;
//        a '+cb' suffix appends with appendThen's callback instead of the promise)
// CPU from /proc/self/stat (process: all threads) and /proc/self/task/<pid>/stat (main thread),
// 10 ms ticks. A 100-byte cell per append, group mode (1 ms window), 32 MiB segments, tmp dir.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeEnv } from '../dist/src/env/node/mod.js';
import { CommitLog } from '../dist/src/storage/commitlog/commitlog.js';

const flag = (name, fallback) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1] : fallback; };
const OPS = Number(flag('ops', '100000'));
const CONCURRENCY = Number(flag('concurrency', '128'));
const ROUNDS = Number(flag('rounds', '3'));
const VARIANTS = flag('variants', 'handles,thread,handles+dsync,thread+dsync').split(',');
const TICK_US = 10_000;

function ticks(path, which = 'all') {
  const f = readFileSync(path, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  const user = Number(rest[11]), sys = Number(rest[12]);
  return (which === 'sys' ? sys : user + sys) * TICK_US;
}
const MAIN = `/proc/self/task/${process.pid}/stat`;
const cpu = () => ({ proc: ticks('/proc/self/stat'), main: ticks(MAIN), mainSys: ticks(MAIN, 'sys') });

function update(i) {
  const key = Buffer.alloc(4);
  key.writeInt32BE(i);
  return { tableId: 't', key, token: BigInt(i), rangeTombstones: [], rows: [{ clustering: [], cells: [{ column: 'v', value: Buffer.alloc(100, i & 0xff), timestampMicros: i, ttlSec: 0, localExpirationTimeSec: 0 }] }] };
}

/** The loop alone (updates built, a resolved promise awaited): what every variant's figures include besides the log. */
async function runNone(variant) {
  let next = 0;
  const t0 = performance.now();
  const c0 = cpu();
  if (variant === 'none+cb') { while (next < OPS) update(next++); } // appendThen's loop: no promise per op
  else await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (next < OPS) { update(next++); await Promise.resolve(); } }));
  const c1 = cpu();
  return { variant, opsPerSec: Math.round(OPS / (performance.now() - t0) * 1000), procUsPerOp: (c1.proc - c0.proc) / OPS, mainUsPerOp: (c1.main - c0.main) / OPS, mainSysUsPerOp: (c1.mainSys - c0.mainSys) / OPS, perBatch: NaN };
}

async function run(variant) {
  if (variant.startsWith('none')) return runNone(variant);
  const env = nodeEnv();
  const dir = mkdtempSync(join(tmpdir(), 'cassia-clbench-'));
  const log = new CommitLog({
    fs: env.fs, clock: env.clock, scheduler: env.scheduler, dir, sync: 'group', groupWindowMs: 1, periodMs: 10_000,
    dsync: variant.includes('dsync'), writerThread: variant.startsWith('thread'), segmentBytes: 32 * 1024 * 1024,
    apply: () => {}, log: { info() {}, warn() {}, error() {} },
  });
  await log.start(await log.replay(() => {}));
  let next = 0;
  const t0 = performance.now();
  const c0 = cpu();
  const batches0 = log.batches;
  if (variant.endsWith('+cb')) {
    // appendThen: the callback of one append issues the next (no promise per append).
    await new Promise((resolve, reject) => {
      let active = CONCURRENCY;
      const step = (e) => {
        if (e) { reject(e); return; }
        if (next < OPS) log.appendThen(update(next++), step);
        else if (--active === 0) resolve();
      };
      for (let i = 0; i < CONCURRENCY; i++) step(undefined);
    });
  } else {
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (next < OPS) await log.append(update(next++)); }));
  }
  const c1 = cpu();
  const ms = performance.now() - t0;
  const batches = log.batches - batches0;
  await log.close();
  rmSync(dir, { recursive: true, force: true });
  return { variant, opsPerSec: Math.round(OPS / ms * 1000), procUsPerOp: (c1.proc - c0.proc) / OPS, mainUsPerOp: (c1.main - c0.main) / OPS, mainSysUsPerOp: (c1.mainSys - c0.mainSys) / OPS, perBatch: OPS / batches };
}

const all = new Map();
await run('handles'); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (const v of VARIANTS) {
    const x = await run(v);
    console.log(`round ${r + 1} ${v.padEnd(16)} ${String(x.opsPerSec).padStart(7)} ops/s  process ${x.procUsPerOp.toFixed(2)} µs/op  main thread ${x.mainUsPerOp.toFixed(2)} µs/op (system ${x.mainSysUsPerOp.toFixed(2)})  ${x.perBatch.toFixed(0)} appends/batch`);
    if (!all.has(v)) all.set(v, []);
    all.get(v).push(x);
  }
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
console.log('minimum / median over rounds, µs per append:');
for (const [v, xs] of all) {
  const proc = xs.map((x) => x.procUsPerOp), main = xs.map((x) => x.mainUsPerOp);
  console.log(`  ${v.padEnd(16)} process ${Math.min(...proc).toFixed(2)} / ${median(proc).toFixed(2)}, main thread ${Math.min(...main).toFixed(2)} / ${median(main).toFixed(2)}`);
}
