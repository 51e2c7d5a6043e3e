// Self time of a V8 .cpuprofile (from bench/profile.mjs). Reads it (JSON: nodes with callFrame and children, samples, timeDeltas) and
// aggregates self time by function (name + file:line) and by file. Paths are shortened to the
// part after the repository root or node_modules; V8's own entries keep their names
// ("(garbage collector)", "(program)", "(idle)").
//
// Usage as a tool: node bench/_cpuprofile.mjs FILE.cpuprofile [TOP]

import { readFileSync } from 'node:fs';

export function loadProfile(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function shortUrl(url) {
  if (!url) return '';
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) return u.slice(nm);
  const dist = u.indexOf('/dist/');
  return dist >= 0 ? u.slice(dist + 1) : u;
}

/** { totalUs, byFunction: Map<key, us>, byFile: Map<file, us> } over every sample. */
export function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const { samples, timeDeltas } = profile;
  // timeDeltas[i] is the time before sample i; attribute it to the sample that follows it.
  for (let i = 0; i < samples.length; i++) selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, timeDeltas[i] ?? 0));
  const byFunction = new Map();
  const byFile = new Map();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id);
    const file = shortUrl(callFrame.url) || callFrame.functionName || '(native)';
    const fn = `${callFrame.functionName || '(anonymous)'} ${shortUrl(callFrame.url)}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
    totalUs += us;
  }
  return { totalUs, byFunction, byFile };
}

export function formatTop({ totalUs, byFunction, byFile }, top) {
  const busyUs = totalUs - (byFunction.get('(idle) ') ?? 0);
  const rows = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([k, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${(100 * us / busyUs).toFixed(1).padStart(5)}%  ${k}`).join('\n');
  return `total ${(totalUs / 1000).toFixed(0)} ms, busy (not idle) ${(busyUs / 1000).toFixed(0)} ms; % of busy\n\n` +
    `== self time by function ==\n${rows(byFunction)}\n\n== self time by file ==\n${rows(byFile)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t = selfTimes(loadProfile(process.argv[2]));
  process.stdout.write(formatTop(t, Number(process.argv[3] ?? 40)));
}
