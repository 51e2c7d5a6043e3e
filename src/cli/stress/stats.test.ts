import test from 'node:test';
import assert from 'node:assert/strict';
import { Recorder, percentileCurve, percentilesMs } from './stats.js';
import { cpuDelta, parseProcStat, type CpuSource } from './cpu.js';
import { buildResult, progressLine, summaryText } from './report.js';
import { parseStressArgs } from './options.js';

test('percentiles in ms never exceed the max; interval samples reset', () => {
  const r = new Recorder(['write']);
  for (let i = 1; i <= 1000; i++) r.record(0, i * 10, i * 10);
  const p = percentilesMs(r.latency);
  assert.equal(p.count, 1000);
  assert.ok(Math.abs(p.p50 - 5) < 0.01, `p50 ${p.p50}`);
  assert.ok(Math.abs(p.p99 - 9.9) < 0.01, `p99 ${p.p99}`);
  assert.equal(p.max, 10);
  for (const k of ['p50', 'p75', 'p90', 'p95', 'p99', 'p999', 'p9999'] as const) assert.ok(p[k] <= p.max, k);
  const s = r.takeInterval(2, 2);
  assert.equal(s.ops, 1000);
  assert.equal(s.opsPerSec, 500);
  assert.equal(r.takeInterval(3, 1).ops, 0);
  const curve = percentileCurve(r.latency);
  assert.ok(curve.length > 10);
  for (let i = 1; i < curve.length; i++) assert.ok(curve[i]!.latencyMs >= curve[i - 1]!.latencyMs && curve[i]!.percentile >= curve[i - 1]!.percentile);
  assert.equal(curve[curve.length - 1]!.percentile, 100);
  r.destroy();
});

test('/proc/PID/stat parsing handles spaces in the command name', () => {
  const stat = '1234 (node main) S 1 1234 1234 0 -1 4194560 5000 0 0 0 250 37 0 0 20 0 11 0 100 1000 100 18446744073709551615';
  assert.deepEqual(parseProcStat(stat), { userMicros: 2_500_000, systemMicros: 370_000 });
  assert.equal(parseProcStat('garbage'), undefined);
});

test('server CPU delta per op, with a missing host', () => {
  const sources: CpuSource[] = [{ label: 'a', read: async () => undefined }, { label: 'b', read: async () => undefined }];
  const d = cpuDelta(sources, [{ userMicros: 100, systemMicros: 10 }, undefined], [{ userMicros: 1100, systemMicros: 210 }, { userMicros: 5, systemMicros: 5 }], 100);
  assert.equal(d.available, true);
  assert.equal(d.totalMicros, 1200);
  assert.equal(d.microsPerOp, 12);
  assert.match(d.note!, /only 1 of 2/);
  const none = cpuDelta(sources, [undefined, undefined], [undefined, undefined], 100);
  assert.equal(none.available, false);
  assert.equal(none.microsPerOp, null);
});

test('summary and JSON result carry counts, errors, percentiles', () => {
  const parsed = parseStressArgs(['mixed', '--ops', '30', '--rate', '100/s']);
  assert.equal(parsed.kind, 'run');
  if (parsed.kind !== 'run') return;
  const r = new Recorder(['write', 'read']);
  for (let i = 0; i < 20; i++) r.record(i % 2, 1000 + i, 900);
  r.recordError(1, 'readTimeout', 'Operation timed out\n  - received only 0 responses.');
  r.recordError(1, 'readTimeout', 'a later message is not kept');
  const result = buildResult({ argv: ['mixed'], options: parsed.options, startedAt: new Date(0), elapsedMs: 2000, recorder: r, intervals: [r.takeInterval(1, 1)],
    serverCpu: { available: true, hosts: [{ source: 'x', userMicros: 150, systemMicros: 50 }], totalMicros: 200, microsPerOp: 10 }, workloadStats: { emptyReads: 3 } });
  assert.equal(result.ops, 20);
  assert.equal(result.opsPerSec, 10);
  assert.equal(result.mode, 'fixed-rate');
  assert.deepEqual(result.errorsByType, { readTimeout: 2 });
  assert.deepEqual(result.errorExamples, { readTimeout: 'Operation timed out\n  - received only 0 responses.' });
  assert.equal(result.byOperation['read']!.errors, 2);
  assert.equal(result.byOperation['write']!.ops, 10);
  assert.ok(result.latencyMs.p50 > result.serviceTimeMs.p50);
  const text = summaryText(result);
  for (const s of ['Total operations          : 20', 'Op rate                   : 10 op/s', 'readTimeout', '    first                 : Operation timed out - received only 0 responses.\n', 'Server CPU                : 10.0 µs/op', 'p99.99', 'from intended start', 'Service time', 'emptyReads']) {
    assert.ok(text.includes(s), `summary has ${s}:\n${text}`);
  }
  assert.match(progressLine(result.intervals[0]!), /^\s+1\.0\s+20\s/);
  JSON.parse(JSON.stringify(result));
  r.destroy();
});
