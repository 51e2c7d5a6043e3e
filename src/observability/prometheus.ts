// Prometheus text exposition format 0.0.4 for a MetricsRegistry (served at the admin port's
// /metrics). Names follow the Cassandra exporters' habit: cassandra_<type>_<name>, lower case,
// tags as labels. See README.md for the mapping of each metric kind to families.

import type { Metric } from './metrics.js';
import { type HistogramSnapshot, type MeterRates } from './metrics.js';
import { TAG_ORDER, type MetricsRegistry, type RegisteredMetric } from './registry.js';
import { assertNever } from '../util/assert.js';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const PROMETHEUS_PREFIX = 'cassandra';

type PromType = 'counter' | 'gauge' | 'summary';

interface Sample {
  suffix: string;
  labels: Array<[string, string]>;
  value: number;
}

interface Family {
  name: string;
  type: PromType;
  help: string;
  samples: Sample[];
}

/** `cassandra_clientrequest_latency` for type=ClientRequest name=Latency. */
export function prometheusName(type: string, name: string): string {
  return sanitize(`${PROMETHEUS_PREFIX}_${type}_${name}`.toLowerCase());
}

function sanitize(s: string): string {
  return s.replace(/[^a-zA-Z0-9_]/g, '_');
}

export function renderPrometheus(registry: MetricsRegistry): string {
  const families = new Map<string, Family>();
  const conflicts: string[] = [];
  for (const m of registry.all()) {
    for (const f of familiesOf(m)) {
      const existing = families.get(f.name);
      if (existing === undefined) families.set(f.name, f);
      else if (existing.type === f.type) existing.samples.push(...f.samples);
      else conflicts.push(`${m.id} (${f.type}) conflicts with ${existing.type} family ${f.name}`);
    }
  }
  const out: string[] = [];
  for (const c of conflicts) out.push(`# skipped: ${c.replace(/\n/g, ' ')}`);
  for (const name of [...families.keys()].sort()) {
    const f = families.get(name)!;
    out.push(`# HELP ${f.name} ${escapeHelp(f.help || f.name)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) out.push(`${f.name}${s.suffix}${renderLabels(s.labels)} ${formatValue(s.value)}`);
  }
  return out.join('\n') + '\n';
}

function familiesOf(m: RegisteredMetric): Family[] {
  const base = prometheusName(m.name.type, m.name.name);
  const labels: Array<[string, string]> = TAG_ORDER.filter((t) => m.name[t] !== undefined).map((t) => [t, m.name[t]!]);
  const one = (type: PromType, value: number, suffix = ''): Family => ({ name: base + suffix, type, help: m.help, samples: [{ suffix: '', labels, value }] });
  const metric: Metric = m.metric;
  switch (metric.kind) {
    case 'gauge':
      return [one('gauge', safeRead(() => metric.value()))];
    case 'gaugeMap':
      return [{ name: base, type: 'gauge', help: m.help, samples: safeEntries(() => metric.values()).map(([k, v]) => ({ suffix: '', labels: [...labels, [metric.labelName, k]], value: v })) }];
    case 'counter':
      return [one(metric.direction === 'monotonic' ? 'counter' : 'gauge', metric.count())];
    case 'meter':
      return [one('counter', metric.count()), rateFamily(base, m.help, labels, metric.rates())];
    case 'histogram':
      return summaryFamilies(base, m.help, labels, metric.snapshot());
    case 'timer':
      return [...summaryFamilies(base, m.help, labels, metric.snapshot()), rateFamily(base, m.help, labels, metric.meter.rates())];
    case 'histogramGauge':
      return summaryFamilies(base, m.help, labels, safeSnapshot(() => metric.snapshot()));
    default:
      return assertNever(metric, 'metric kind');
  }
}

function rateFamily(base: string, help: string, labels: Array<[string, string]>, r: MeterRates): Family {
  const windows: Array<[string, number]> = [['1m', r.oneMinuteRate], ['5m', r.fiveMinuteRate], ['15m', r.fifteenMinuteRate], ['mean', r.meanRate]];
  return {
    name: `${base}_rate`, type: 'gauge', help: `${help || base} (events per second)`,
    samples: windows.map(([w, v]) => ({ suffix: '', labels: [...labels, ['window', w]], value: v })),
  };
}

const QUANTILES: Array<[string, keyof HistogramSnapshot]> = [['0.5', 'p50'], ['0.75', 'p75'], ['0.95', 'p95'], ['0.98', 'p98'], ['0.99', 'p99'], ['0.999', 'p999']];

function summaryFamilies(base: string, help: string, labels: Array<[string, string]>, s: HistogramSnapshot): Family[] {
  const samples: Sample[] = QUANTILES.map(([q, key]) => ({ suffix: '', labels: [...labels, ['quantile', q]], value: s[key] }));
  samples.push({ suffix: '_sum', labels, value: s.sum }, { suffix: '_count', labels, value: s.count });
  const gauge = (suffix: string, what: string, value: number): Family => ({ name: base + suffix, type: 'gauge', help: `${help || base} (${what} over the recent window)`, samples: [{ suffix: '', labels, value }] });
  return [{ name: base, type: 'summary', help, samples }, gauge('_min', 'minimum', s.min), gauge('_max', 'maximum', s.max), gauge('_mean', 'mean', s.mean)];
}

function safeRead(read: () => number): number {
  try {
    return read();
  } catch {
    return Number.NaN;
  }
}

function safeEntries(read: () => Array<[string, number]>): Array<[string, number]> {
  try {
    return read();
  } catch {
    return [];
  }
}

function safeSnapshot(read: () => HistogramSnapshot): HistogramSnapshot {
  try {
    return read();
  } catch {
    return { count: 0, sum: 0, windowCount: 0, min: Number.NaN, max: Number.NaN, mean: Number.NaN, p50: Number.NaN, p75: Number.NaN, p95: Number.NaN, p98: Number.NaN, p99: Number.NaN, p999: Number.NaN };
  }
}

function renderLabels(labels: Array<[string, string]>): string {
  if (labels.length === 0) return '';
  return `{${labels.map(([k, v]) => `${sanitize(k)}="${escapeLabel(v)}"`).join(',')}}`;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}
