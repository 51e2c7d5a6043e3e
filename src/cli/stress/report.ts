// Text and JSON output of a stress run: progress lines, the summary, the results document.

import type { ServerCpuResult } from './cpu.js';
import type { StressOptions } from './options.js';
import { percentileCurve, percentilesMs, type IntervalSample, type PercentilesMs, type Recorder } from './stats.js';

export const RESULT_FORMAT_VERSION = 1;

export interface StressResult {
  tool: 'cassia stress';
  formatVersion: number;
  command: string[];
  workload: string;
  options: Record<string, unknown>;
  startedAt: string;
  elapsedMs: number;
  mode: 'max-throughput' | 'fixed-rate';
  ops: number;
  opsPerSec: number;
  errors: number;
  errorsByType: Record<string, number>;
  /** First message of each error type. */
  errorExamples: Record<string, string>;
  latencyMs: PercentilesMs;
  serviceTimeMs: PercentilesMs;
  byOperation: Record<string, { ops: number; errors: number; opsPerSec: number; latencyMs: PercentilesMs; serviceTimeMs: PercentilesMs }>;
  workloadStats: Record<string, number>;
  serverCpu: ServerCpuResult;
  intervals: IntervalSample[];
  percentileCurve: { latency: Array<{ percentile: number; latencyMs: number }>; serviceTime: Array<{ percentile: number; latencyMs: number }> };
}

export interface ResultInput {
  argv: readonly string[];
  options: StressOptions;
  startedAt: Date;
  elapsedMs: number;
  recorder: Recorder;
  intervals: IntervalSample[];
  serverCpu: ServerCpuResult;
  workloadStats: Record<string, number>;
}

export function buildResult(r: ResultInput): StressResult {
  const seconds = r.elapsedMs / 1000;
  const byOperation: StressResult['byOperation'] = {};
  for (const k of r.recorder.kinds) {
    byOperation[k.name] = { ops: k.ops, errors: k.errors, opsPerSec: seconds > 0 ? k.ops / seconds : 0, latencyMs: percentilesMs(k.latency), serviceTimeMs: percentilesMs(k.service) };
  }
  const { workload, ...options } = r.options;
  return {
    tool: 'cassia stress',
    formatVersion: RESULT_FORMAT_VERSION,
    command: [...r.argv],
    workload,
    options: { ...options, keyDist: r.options.keyDist },
    startedAt: r.startedAt.toISOString(),
    elapsedMs: r.elapsedMs,
    mode: r.options.rateOpsPerSec === null ? 'max-throughput' : 'fixed-rate',
    ops: r.recorder.ops,
    opsPerSec: seconds > 0 ? r.recorder.ops / seconds : 0,
    errors: r.recorder.errors,
    errorsByType: Object.fromEntries(r.recorder.errorsByType),
    errorExamples: Object.fromEntries(r.recorder.errorExamples),
    latencyMs: percentilesMs(r.recorder.latency),
    serviceTimeMs: percentilesMs(r.recorder.service),
    byOperation,
    workloadStats: r.workloadStats,
    serverCpu: r.serverCpu,
    intervals: r.intervals,
    percentileCurve: { latency: percentileCurve(r.recorder.latency), serviceTime: percentileCurve(r.recorder.service) },
  };
}

function ms(n: number): string {
  return n >= 100 ? n.toFixed(1) : n.toFixed(3);
}

function pad(s: string, width: number): string {
  return s.length >= width ? s : ' '.repeat(width - s.length) + s;
}

export const PROGRESS_HEADER = `${pad('elapsed_s', 9)} ${pad('ops/s', 10)} ${pad('p50_ms', 9)} ${pad('p99_ms', 9)} ${pad('max_ms', 9)} ${pad('errors', 7)}\n`;

export function progressLine(s: IntervalSample): string {
  return `${pad(s.elapsedS.toFixed(1), 9)} ${pad(Math.round(s.opsPerSec).toString(), 10)} ${pad(ms(s.p50Ms), 9)} ${pad(ms(s.p99Ms), 9)} ${pad(ms(s.maxMs), 9)} ${pad(String(s.errors), 7)}\n`;
}

const TABLE_COLUMNS: Array<[string, keyof PercentilesMs]> = [
  ['mean', 'mean'], ['p50', 'p50'], ['p75', 'p75'], ['p90', 'p90'], ['p95', 'p95'], ['p99', 'p99'], ['p99.9', 'p999'], ['p99.99', 'p9999'], ['max', 'max'],
];

function percentileTable(title: string, rows: Array<[string, PercentilesMs]>): string {
  const nameWidth = Math.max(10, ...rows.map(([n]) => n.length));
  let out = `${title}\n${' '.repeat(nameWidth + 2)}${TABLE_COLUMNS.map(([h]) => pad(h, 9)).join(' ')}\n`;
  for (const [name, p] of rows) out += `  ${name.padEnd(nameWidth)}${TABLE_COLUMNS.map(([, k]) => pad(ms(p[k]), 9)).join(' ')}\n`;
  return out;
}

export function summaryText(r: StressResult): string {
  const lines: string[] = ['', 'Results:'];
  const row = (label: string, value: string) => lines.push(`${label.padEnd(26)}: ${value}`);
  row('Workload', `${r.workload} (${r.mode}${r.mode === 'fixed-rate' ? ` at ${r.options['rateOpsPerSec']}/s` : ''})`);
  row('Total operations', String(r.ops));
  row('Op rate', `${Math.round(r.opsPerSec)} op/s`);
  row('Elapsed', `${(r.elapsedMs / 1000).toFixed(2)} s`);
  row('Errors', String(r.errors));
  for (const [type, n] of Object.entries(r.errorsByType).sort((a, b) => b[1] - a[1])) {
    row(`  ${type}`, String(n));
    const example = r.errorExamples[type];
    if (example !== undefined) row('    first', example.replace(/\s+/g, ' '));
  }
  for (const [name, n] of Object.entries(r.workloadStats)) row(name, String(n));
  if (r.serverCpu.available && r.serverCpu.microsPerOp !== null) {
    const user = r.serverCpu.hosts.reduce((s, h) => s + h.userMicros, 0);
    const sys = r.serverCpu.hosts.reduce((s, h) => s + h.systemMicros, 0);
    row('Server CPU', `${r.serverCpu.microsPerOp.toFixed(1)} µs/op (user ${(user / r.ops).toFixed(1)}, system ${(sys / r.ops).toFixed(1)}; ${r.serverCpu.hosts.length} host(s))`);
    if (r.serverCpu.hosts.length > 1) {
      for (const h of r.serverCpu.hosts) row(`  ${h.source}`, `${((h.userMicros + h.systemMicros) / r.ops).toFixed(1)} µs/op (user ${(h.userMicros / r.ops).toFixed(1)}, system ${(h.systemMicros / r.ops).toFixed(1)})`);
    }
    if (r.serverCpu.note !== undefined) row('  note', r.serverCpu.note);
  } else row('Server CPU', `unavailable (${r.serverCpu.note ?? 'not read'})`);
  lines.push('');
  const ops = Object.entries(r.byOperation).map(([n, o]) => [n, o.latencyMs] as [string, PercentilesMs]);
  const latencyRows = ops.length > 1 ? [...ops, ['total', r.latencyMs] as [string, PercentilesMs]] : [['total', r.latencyMs] as [string, PercentilesMs]];
  let text = lines.join('\n') + '\n';
  text += percentileTable(r.mode === 'fixed-rate' ? 'Latency (ms), from intended start:' : 'Latency (ms):', latencyRows);
  if (r.mode === 'fixed-rate') text += '\n' + percentileTable('Service time (ms), from actual start:', [['total', r.serviceTimeMs]]);
  return text;
}
