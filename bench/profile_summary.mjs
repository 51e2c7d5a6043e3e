// Summarizes a .cpuprofile from bench/profile.mjs: the share of busy samples per part of the node
// (each sample charged to the nearest project frame; src/util, src/env and node internals charged to
// their caller), and the top functions so charged. With the measured server CPU µs/op it prints µs/op
// per part (share × measured). Samples outside the measured window (start-up, fill) are skipped.
// Usage: node bench/profile_summary.mjs FILE.cpuprofile CPU_US_PER_OP WINDOW_START WINDOW_END [TOP]
import { readFileSync } from 'node:fs';
const [file, cpuUsPerOpArg, winStartArg, winEndArg, topArg = '25'] = process.argv.slice(2);
const winStart = winStartArg ? Number(winStartArg) : -Infinity, winEnd = winEndArg ? Number(winEndArg) : Infinity;
const cpu = Number(cpuUsPerOpArg);
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const w = new Map();
let t = p.startTime;
for (let i = 0; i < p.samples.length; i++) { t += p.timeDeltas[i]; if (t < winStart || t > winEnd) continue; w.set(p.samples[i], (w.get(p.samples[i]) ?? 0) + (p.timeDeltas[i + 1] ?? 0)); }
const layerOf = (url) => {
  const m = /\/dist\/src\/(.*)$/.exec(url);
  if (!m) return null;
  const f = m[1];
  if (f.startsWith('util/') || f.startsWith('env/')) return null;
  if (f.startsWith('server/query/')) return 'query processor (src/server/query)';
  if (f.startsWith('coordinator/schema/') || f.startsWith('coordinator/system/')) return 'schema / system tables';
  if (f.startsWith('coordinator/')) return 'coordinator (src/coordinator)';
  if (f === 'server/metrics_wiring.js' || f === 'server/request_observer.js' || f.startsWith('observability/') || f === 'server/trace_scope.js') return 'metrics + request observer';
  if (f.startsWith('server/native/') || f.startsWith('protocol/')) return 'native transport + protocol';
  if (f.startsWith('storage/memtable/')) return 'storage: memtable';
  if (f.startsWith('storage/commitlog/')) return 'storage: commit log';
  if (f.startsWith('storage/sstable/') || f.startsWith('storage/compaction/')) return 'storage: sstable flush/compaction';
  if (f.startsWith('storage/')) return 'storage: engine/read/codec';
  if (f.startsWith('cluster/')) return 'cluster (ring)';
  if (f.startsWith('schema/') || f.startsWith('cql/')) return 'schema codecs / cql';
  return 'other: ' + f;
};
const acc = new Map();
const fns = new Map();
const key = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*\/dist\//, '')}:${n.callFrame.lineNumber + 1}`;
let busy = 0;
for (const [id, c] of w) {
  const n = byId.get(id);
  const fn = n.callFrame.functionName;
  if (fn === '(idle)') continue;
  busy += c;
  let layer = null;
  if (fn === '(garbage collector)') layer = 'GC (all layers\' allocations)';
  else {
    for (let x = id; x !== undefined && layer === null; x = parent.get(x)) {
      layer = layerOf(byId.get(x).callFrame.url);
      if (layer !== null) fns.set(key(byId.get(x)), (fns.get(key(byId.get(x))) ?? 0) + c);
    }
  }
  layer ??= fn === '(program)' ? '(program: V8/native, unattributed)' : 'startup / node internals';
  acc.set(layer, (acc.get(layer) ?? 0) + c);
}
const line = (k, c) => console.log(`${(100 * c / busy).toFixed(1).padStart(5)}%  ${cpu ? (cpu * c / busy).toFixed(2).padStart(6) + ' µs/op' : ''}  ${k}`);
console.log('--- by part');
for (const [k, c] of [...acc].sort((a, b) => b[1] - a[1])) line(k, c);
console.log('--- by function (nearest project frame)');
for (const [k, c] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg))) line(k, c);
