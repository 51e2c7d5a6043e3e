#!/usr/bin/env node
// CPU cost of Memtable.apply alone, as the write benchmarks use it: one row per update (liveness +
// one 100-byte blob cell), N distinct int partition keys in `write`'s order (table bench.kv), and
// 10 rows per partition (bench.wide) for the batch shape. Process CPU (user+system) / update.
// GC: time of the GC events (PerformanceObserver 'gc') during the round / update; "young" counts
// scavenges (minor), "full" mark-compacts.
// Usage: npm run build && node bench/memtable.mjs [--ops 300000] [--rounds 3] [--dist DIR (another build)]
import { PerformanceObserver } from 'node:perf_hooks';
import { constants } from 'node:perf_hooks';

const distDir = flagEarly('dist', new URL('../dist', import.meta.url).pathname);
const { Memtable } = await import(`${distDir}/src/storage/memtable/memtable.js`);
const { tokenOf } = await import(`${distDir}/src/util/murmur3.js`);
function flagEarly(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
let gcYoungMs = 0;
let gcFullMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) gcYoungMs += e.duration; else gcFullMs += e.duration;
  }
}).observe({ entryTypes: ['gc'] });
const tick = () => new Promise((resolve) => setTimeout(resolve, 50)); // lets the observer deliver

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const OPS = Number(flag('ops', '300000'));
const ROUNDS = Number(flag('rounds', '3'));
const VALUE = Buffer.alloc(100, 0x61);
const int32 = (n) => { const b = Buffer.allocUnsafe(4); b.writeInt32BE(n | 0, 0); return b; };
const blob = { kind: 'native', name: 'blob' };
const int = { kind: 'native', name: 'int' };
const col = (name, kind, position, type) => ({ keyspace: 'bench', table: 't', name, kind, position, type, clusteringOrder: 'asc' });
const table = (name, clustered) => {
  const columns = new Map();
  const pk = col(clustered ? 'p' : 'k', 'partition_key', 0, int);
  const ck = clustered ? [col('c', 'clustering', 0, int)] : [];
  for (const c of [pk, ...ck, col('v', 'regular', -1, blob)]) columns.set(c.name, c);
  return { keyspace: 'bench', name, id: `id-${name}`, columns, partitionKey: [pk], clustering: ck, isCounter: false, virtual: false, options: { default_time_to_live: 0 } };
};
const kv = table('kv', false);
const wide = table('wide', true);
const update = (t, key, clusterings, ts) => ({
  tableId: t.id, key, token: tokenOf(key), rangeTombstones: [],
  rows: clusterings.map((c) => ({ clustering: c, liveness: { timestampMicros: ts, ttlSec: 0, localExpirationTimeSec: 0 },
    cells: [{ column: 'v', value: VALUE, timestampMicros: ts, ttlSec: 0, localExpirationTimeSec: 0 }] })),
});
async function run(name, fn) {
  const out = [];
  const gcs = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (globalThis.gc) globalThis.gc();
    await tick();
    gcYoungMs = 0;
    gcFullMs = 0;
    const before = process.cpuUsage();
    const n = fn();
    const used = process.cpuUsage(before);
    await tick();
    out.push((used.user + used.system) / n);
    gcs.push(`${(gcYoungMs * 1000 / n).toFixed(2)}+${(gcFullMs * 1000 / n).toFixed(2)}`);
  }
  console.log(`${name}: ${out.map((x) => x.toFixed(2)).join(' ')} µs/update (min ${Math.min(...out).toFixed(2)}); GC young+full µs/update ${gcs.join(' ')}`);
}
await run('kv (one row, new partition each)', () => {
  const m = new Memtable(kv);
  for (let i = 0; i < OPS; i++) m.apply(update(kv, int32(i), [[]], 1000 + i));
  return OPS;
});
await run('wide (10 rows per partition in one update)', () => {
  const m = new Memtable(wide);
  const cs = Array.from({ length: 10 }, (_, c) => [int32(c)]);
  const n = OPS / 10;
  for (let i = 0; i < n; i++) m.apply(update(wide, int32(i), cs, 1000 + i));
  return n;
});
