import test from 'node:test';
import assert from 'node:assert/strict';
import { addressOf, cpuHosts, cpuSources } from './cpu.js';
import { buildResult, summaryText } from './report.js';
import { parseStressArgs } from './options.js';
import { Recorder } from './stats.js';

test('addressOf strips a port from IPv4, names and bracketed IPv6, keeps bare IPv6', () => {
  const cases: Array<[string, string]> = [
    ['127.0.0.2', '127.0.0.2'], ['127.0.0.2:9042', '127.0.0.2'], ['db1:9042', 'db1'], ['db1', 'db1'],
    ['[::1]:9042', '::1'], ['[::1]', '::1'], ['::1', '::1'], ['fe80::1:2', 'fe80::1:2'],
  ];
  for (const [input, want] of cases) assert.equal(addressOf(input), want, input);
});

test('cpuHosts: every discovered node (unique, sorted), else the contact points', () => {
  assert.deepEqual(cpuHosts(['127.0.0.2'], ['127.0.0.4:9042', '127.0.0.2:9042', '127.0.0.3:9042']), ['127.0.0.2', '127.0.0.3', '127.0.0.4']);
  assert.deepEqual(cpuHosts(['127.0.0.3:9042', '127.0.0.2'], []), ['127.0.0.2', '127.0.0.3']);
  assert.deepEqual(cpuHosts(['a'], ['b:1', 'b:2']), ['b']);
});

test('cpuSources label each node with the admin port; a pid source replaces them', () => {
  assert.deepEqual(cpuSources(['127.0.0.2', '127.0.0.3:9042'], 21102, null).map((s) => s.label), ['127.0.0.2:21102', '127.0.0.3:21102']);
  assert.deepEqual(cpuSources(['127.0.0.2'], 7199, 42).map((s) => s.label), ['pid 42']);
});

test('summary lists CPU per node and the sum when several nodes reported', () => {
  const parsed = parseStressArgs(['write', '--ops', '10']);
  assert.equal(parsed.kind, 'run');
  if (parsed.kind !== 'run') return;
  const r = new Recorder(['write']);
  for (let i = 0; i < 10; i++) r.record(0, 1000, 1000);
  const hosts = [
    { source: '127.0.0.2:7199', userMicros: 300, systemMicros: 100 },
    { source: '127.0.0.3:7199', userMicros: 150, systemMicros: 50 },
  ];
  const result = buildResult({ argv: ['write'], options: parsed.options, startedAt: new Date(0), elapsedMs: 1000, recorder: r, intervals: [],
    serverCpu: { available: true, note: 'only 2 of 3 hosts reported CPU', hosts, totalMicros: 600, microsPerOp: 60 }, workloadStats: {} });
  const text = summaryText(result);
  assert.match(text, /Server CPU\s+: 60\.0 µs\/op \(user 45\.0, system 15\.0; 2 host\(s\)\)\n/);
  assert.match(text, /  127\.0\.0\.2:7199\s+: 40\.0 µs\/op \(user 30\.0, system 10\.0\)\n/);
  assert.match(text, /  127\.0\.0\.3:7199\s+: 20\.0 µs\/op \(user 15\.0, system 5\.0\)\n/);
  assert.match(text, /  note\s+: only 2 of 3 hosts reported CPU\n/);
  r.destroy();
});
