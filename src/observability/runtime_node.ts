// The RuntimeStatsProvider over Node's perf_hooks and process.memoryUsage. This file is the one
// place in src/observability that touches the process; only the composition root (src/server)
// imports it, and simulations pass no provider (the runtime gauges then read 0). It could live
// in src/env/node; it is here so the observability layer owns its one Node dependency.

import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import type { RuntimeMemory, RuntimeStatsProvider } from './groups.js';
import type { HistogramSnapshot } from './metrics.js';

/** Sampling resolution of the event loop delay monitor. */
export const EVENT_LOOP_RESOLUTION_MS = 10;

export interface NodeRuntimeStats extends RuntimeStatsProvider {
  /** Stops the delay monitor (call on node shutdown). */
  close(): void;
}

export function nodeRuntimeStats(): NodeRuntimeStats {
  const delay: IntervalHistogram = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
  delay.enable();
  let lastElu: EventLoopUtilization = performance.eventLoopUtilization();
  return {
    eventLoopDelayMicros(): HistogramSnapshot {
      const count = delay.count;
      const us = (ns: number) => (Number.isFinite(ns) ? ns / 1000 : 0);
      if (count === 0) return { count: 0, sum: 0, windowCount: 0, min: 0, max: 0, mean: 0, p50: 0, p75: 0, p95: 0, p98: 0, p99: 0, p999: 0 };
      return {
        count, sum: us(delay.mean) * count, windowCount: count,
        min: us(delay.min), max: us(delay.max), mean: us(delay.mean),
        p50: us(delay.percentile(50)), p75: us(delay.percentile(75)), p95: us(delay.percentile(95)),
        p98: us(delay.percentile(98)), p99: us(delay.percentile(99)), p999: us(delay.percentile(99.9)),
      };
    },
    resetEventLoopDelay(): void {
      delay.reset();
    },
    eventLoopUtilization(): number {
      const now = performance.eventLoopUtilization();
      const diff = performance.eventLoopUtilization(now, lastElu);
      lastElu = now;
      return diff.utilization;
    },
    memory(): RuntimeMemory {
      const m = process.memoryUsage();
      return { heapUsedBytes: m.heapUsed, heapTotalBytes: m.heapTotal, rssBytes: m.rss, externalBytes: m.external };
    },
    close(): void {
      delay.disable();
    },
  };
}
