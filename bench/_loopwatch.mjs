// Preloaded into a node under test (`node --import ./bench/_loopwatch.mjs ...`, bench/latency.mjs
// --watch): appends JSON lines to $LOOPWATCH_FILE: every GC with its wall-clock start and duration
// ({gc: kind, t: ms, ms}), and every 100 ms the event loop's largest delay in that window
// ({loop: maxMs, p99: ms, t: ms}). Costs a 1 ms-resolution uv timer; not for CPU measurements.

import { appendFileSync } from 'node:fs';
import { PerformanceObserver, constants, monitorEventLoopDelay, performance } from 'node:perf_hooks';

const FILE = process.env.LOOPWATCH_FILE;
const WINDOW_MS = 100;
const KINDS = new Map([[constants.NODE_PERFORMANCE_GC_MINOR, 'minor'], [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'], [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb']]);

if (FILE) {
  let lines = [];
  const flush = () => { if (lines.length) { appendFileSync(FILE, lines.join('\n') + '\n'); lines = []; } };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      lines.push(JSON.stringify({ gc: KINDS.get(e.detail?.kind) ?? String(e.detail?.kind), t: +(performance.timeOrigin + e.startTime).toFixed(2), ms: +e.duration.toFixed(3) }));
    }
  }).observe({ entryTypes: ['gc'] });
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  setInterval(() => {
    lines.push(JSON.stringify({ loop: +(h.max / 1e6).toFixed(3), p99: +(h.percentile(99) / 1e6).toFixed(3), t: +(performance.timeOrigin + performance.now()).toFixed(1) }));
    h.reset();
    if (lines.length > 200) flush();
  }, WINDOW_MS).unref();
  setInterval(flush, 1000).unref();
  process.on('exit', flush);
}
