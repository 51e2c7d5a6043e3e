// A hand-written SVG chart of a stress run: latency by percentile (x on the 1/(1-p) log scale,
// as HdrHistogram plots) above throughput over time. Pure: returns the document text.

import { assertNever } from '../../util/assert.js';

export interface PlotSeries {
  label: string;
  /** (percentile 0..100, latency ms) points, percentile ascending. */
  points: Array<{ percentile: number; latencyMs: number }>;
}

export interface PlotInput {
  title: string;
  latency: PlotSeries[];
  /** (elapsed s, ops/s) per progress interval. */
  throughput: Array<{ elapsedS: number; opsPerSec: number }>;
}

const WIDTH = 900;
const PANEL_HEIGHT = 320;
const MARGIN = { left: 80, right: 30, top: 50, bottom: 50 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
/** Percentiles above this many nines are drawn at the axis end. */
const NINES_MAX = 5;

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function fmt(n: number): string {
  return Number.isFinite(n) ? String(Math.round(n * 100) / 100) : '0';
}

/** A "nice" upper bound and tick step for an axis from 0 to max. */
export function niceScale(max: number, ticks = 5): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 0.2 };
  const raw = max / ticks;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  return { top: Math.ceil(max / step) * step, step };
}

function ninesOf(percentile: number): number {
  if (percentile >= 100) return NINES_MAX;
  return Math.min(NINES_MAX, -Math.log10(1 - percentile / 100));
}

interface Frame { x0: number; y0: number; w: number; h: number }

function frameAt(index: number): Frame {
  return { x0: MARGIN.left, y0: MARGIN.top + index * (PANEL_HEIGHT + MARGIN.top + MARGIN.bottom), w: WIDTH - MARGIN.left - MARGIN.right, h: PANEL_HEIGHT };
}

function axes(f: Frame, title: string, xLabel: string, yLabel: string): string[] {
  return [
    `<text x="${f.x0}" y="${f.y0 - 15}" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    `<rect x="${f.x0}" y="${f.y0}" width="${f.w}" height="${f.h}" fill="none" stroke="#444"/>`,
    `<text x="${f.x0 + f.w / 2}" y="${f.y0 + f.h + 38}" text-anchor="middle" font-size="12">${escapeXml(xLabel)}</text>`,
    `<text x="${f.x0 - 55}" y="${f.y0 + f.h / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 ${f.x0 - 55} ${f.y0 + f.h / 2})">${escapeXml(yLabel)}</text>`,
  ];
}

function yTicks(f: Frame, top: number, step: number): string[] {
  const out: string[] = [];
  for (let v = 0; v <= top + step / 2; v += step) {
    const y = f.y0 + f.h - (v / top) * f.h;
    out.push(`<line x1="${f.x0}" y1="${fmt(y)}" x2="${f.x0 + f.w}" y2="${fmt(y)}" stroke="#ddd"/>`);
    out.push(`<text x="${f.x0 - 6}" y="${fmt(y + 4)}" text-anchor="end" font-size="11">${fmt(v)}</text>`);
  }
  return out;
}

/** A latency axis: linear from 0, or logarithmic by decades when the curve spans a wide range. */
export type LatencyAxis =
  | { kind: 'linear'; top: number; step: number }
  | { kind: 'log'; lowExp: number; highExp: number };

/** max ÷ min latency from which the axis turns logarithmic (else p50 would sit on the floor). */
export const LOG_AXIS_SPREAD_MIN = 50;

export function latencyAxis(values: readonly number[]): LatencyAxis {
  const positive = values.filter((v) => v > 0);
  const max = Math.max(0, ...positive);
  const min = positive.length > 0 ? Math.min(...positive) : 0;
  if (min > 0 && max / min >= LOG_AXIS_SPREAD_MIN) {
    return { kind: 'log', lowExp: Math.floor(Math.log10(min)), highExp: Math.max(Math.floor(Math.log10(min)) + 1, Math.ceil(Math.log10(max))) };
  }
  return { kind: 'linear', ...niceScale(max) };
}

/** Height fraction (0 bottom .. 1 top) of a latency on the axis. */
export function axisFraction(axis: LatencyAxis, ms: number): number {
  switch (axis.kind) {
    case 'linear': return ms / axis.top;
    case 'log': {
      const clamped = Math.max(ms, Math.pow(10, axis.lowExp));
      return (Math.log10(clamped) - axis.lowExp) / (axis.highExp - axis.lowExp);
    }
    default: return assertNever(axis);
  }
}

function logTicks(f: Frame, axis: { lowExp: number; highExp: number }): string[] {
  const out: string[] = [];
  for (let e = axis.lowExp; e <= axis.highExp; e++) {
    for (const m of e < axis.highExp ? [1, 2, 5] : [1]) {
      const frac = (Math.log10(m) + e - axis.lowExp) / (axis.highExp - axis.lowExp);
      const y = f.y0 + f.h - frac * f.h;
      out.push(`<line x1="${f.x0}" y1="${fmt(y)}" x2="${f.x0 + f.w}" y2="${fmt(y)}" stroke="${m === 1 ? '#ccc' : '#eee'}"/>`);
      out.push(`<text x="${f.x0 - 6}" y="${fmt(y + 4)}" text-anchor="end" font-size="11">${fmt(m * Math.pow(10, e))}</text>`);
    }
  }
  return out;
}

function latencyPanel(f: Frame, series: PlotSeries[]): string[] {
  const axis = latencyAxis(series.flatMap((s) => s.points.map((p) => p.latencyMs)));
  const out = axes(f, 'Latency by percentile', 'percentile', axis.kind === 'log' ? 'latency (ms, log scale)' : 'latency (ms)');
  out.push(...(axis.kind === 'log' ? logTicks(f, axis) : yTicks(f, axis.top, axis.step)));
  for (let n = 0; n <= NINES_MAX; n++) {
    const x = f.x0 + (n / NINES_MAX) * f.w;
    const label = n === 0 ? '0%' : `${(100 * (1 - Math.pow(10, -n))).toFixed(Math.max(0, n - 2))}%`;
    out.push(`<line x1="${fmt(x)}" y1="${f.y0}" x2="${fmt(x)}" y2="${f.y0 + f.h}" stroke="#eee"/>`);
    out.push(`<text x="${fmt(x)}" y="${f.y0 + f.h + 16}" text-anchor="middle" font-size="11">${label}</text>`);
  }
  series.forEach((s, i) => {
    const pts = s.points.map((p) => `${fmt(f.x0 + (ninesOf(p.percentile) / NINES_MAX) * f.w)},${fmt(f.y0 + f.h - axisFraction(axis, p.latencyMs) * f.h)}`);
    const color = COLORS[i % COLORS.length]!;
    if (pts.length > 0) out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(' ')}"/>`);
    out.push(`<text x="${f.x0 + 10}" y="${f.y0 + 18 + i * 16}" font-size="12" fill="${color}">${escapeXml(s.label)}</text>`);
  });
  return out;
}

function throughputPanel(f: Frame, samples: PlotInput['throughput']): string[] {
  const out = axes(f, 'Throughput over time', 'elapsed (s)', 'operations per second');
  const maxRate = Math.max(0, ...samples.map((s) => s.opsPerSec));
  const maxT = Math.max(1, ...samples.map((s) => s.elapsedS));
  const y = niceScale(maxRate);
  const x = niceScale(maxT, 10);
  out.push(...yTicks(f, y.top, y.step));
  for (let t = 0; t <= x.top + x.step / 2; t += x.step) {
    const px = f.x0 + (t / x.top) * f.w;
    out.push(`<text x="${fmt(px)}" y="${f.y0 + f.h + 16}" text-anchor="middle" font-size="11">${fmt(t)}</text>`);
  }
  const pts = samples.map((s) => `${fmt(f.x0 + (s.elapsedS / x.top) * f.w)},${fmt(f.y0 + f.h - (s.opsPerSec / y.top) * f.h)}`);
  if (pts.length > 0) out.push(`<polyline fill="none" stroke="${COLORS[0]}" stroke-width="2" points="${pts.join(' ')}"/>`);
  return out;
}

export function renderPlot(input: PlotInput): string {
  const height = 2 * (PANEL_HEIGHT + MARGIN.top + MARGIN.bottom) + 20;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    `<title>${escapeXml(input.title)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="16">${escapeXml(input.title)}</text>`,
    ...latencyPanel(frameAt(0), input.latency),
    ...throughputPanel(frameAt(1), input.throughput),
    '</svg>',
  ];
  return lines.join('\n') + '\n';
}
