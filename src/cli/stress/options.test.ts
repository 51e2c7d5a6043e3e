import test from 'node:test';
import assert from 'node:assert/strict';
import { parseDurationMs, parseRate, parseStressArgs, type StressOptions } from './options.js';

function run(argv: string[]): StressOptions {
  const r = parseStressArgs(argv);
  assert.equal(r.kind, 'run', r.kind === 'exit' ? r.err : '');
  return (r as { options: StressOptions }).options;
}

function fails(argv: string[], pattern: RegExp): void {
  const r = parseStressArgs(argv);
  assert.equal(r.kind, 'exit');
  if (r.kind === 'exit') {
    assert.equal(r.code, 2);
    assert.match(r.err, pattern);
  }
}

test('defaults: bounded by 10 s when no count, cassandra-stress-like table shape', () => {
  const o = run(['write']);
  assert.equal(o.workload, 'write');
  assert.equal(o.opsCount, null);
  assert.equal(o.durationMs, 10_000);
  assert.equal(o.concurrency, 32);
  assert.equal(o.consistency, 'ONE');
  assert.deepEqual(o.hosts, ['127.0.0.1']);
  assert.equal(o.port, 9042);
  assert.equal(o.keyspace, 'keyspace1');
  assert.equal(o.population, 1_000_000);
  assert.equal(o.columns, 5);
  assert.equal(o.columnSizeBytes, 34);
  assert.equal(o.serverCpu, true);
  assert.equal(o.progress, true);
});

test('every option is parsed', () => {
  const o = run(['read', '--ops', '2k', '--concurrency', '16', '--connections', '4', '--rate', '5000/s', '--cl', 'local_quorum',
    '--hosts', '127.0.0.1,127.0.0.2:9043', '--port', '19042', '--dc', 'dc2', '--replication', "{'class': 'NetworkTopologyStrategy', 'dc2': 3}",
    '--keyspace', 'ks', '--json', 'r.json', '--plot', 'p.svg', '--seed', '7', '--warmup', '100', '--admin-port', '17199',
    '--server-pid', '1234', '--population', '500', '--key-dist', 'gaussian(1..500)', '--no-progress']);
  assert.equal(o.opsCount, 2000);
  assert.equal(o.durationMs, null);
  assert.equal(o.concurrency, 16);
  assert.equal(o.connectionsPerHost, 4);
  assert.equal(o.rateOpsPerSec, 5000);
  assert.equal(o.consistency, 'LOCAL_QUORUM');
  assert.deepEqual(o.hosts, ['127.0.0.1', '127.0.0.2:9043']);
  assert.equal(o.port, 19042);
  assert.equal(o.dc, 'dc2');
  assert.match(o.replication, /NetworkTopologyStrategy/);
  assert.equal(o.keyspace, 'ks');
  assert.equal(o.jsonFile, 'r.json');
  assert.equal(o.plotFile, 'p.svg');
  assert.equal(o.seed, 7);
  assert.equal(o.warmupOps, 100);
  assert.equal(o.adminPort, 17199);
  assert.equal(o.serverPid, 1234);
  assert.equal(o.population, 500);
  assert.deepEqual(o.keyDist, { kind: 'gaussian', min: 1, max: 500, stdvs: 3 });
  assert.equal(o.progress, false);
});

test('population defaults to the op count', () => {
  assert.equal(run(['write', '--ops', '2000']).population, 2000);
  assert.equal(run(['write', '-n', '300']).population, 300);
});

test('mixed ratio and user --ops ratio with a count', () => {
  assert.deepEqual(run(['mixed', '--ops', '10']).opRatio, [['write', 1], ['read', 1]]);
  assert.deepEqual(run(['mixed', '--ratio', 'write=1,read=3', '--ops', '10']).opRatio, [['write', 1], ['read', 3]]);
  const u = run(['user', '--profile', 'p.yaml', '--ops', 'insert=1,read1=3', '--ops', '5000']);
  assert.deepEqual(u.opRatio, [['insert', 1], ['read1', 3]]);
  assert.equal(u.opsCount, 5000);
  const v = run(['user', '--profile', 'p.yaml', '--ops', 'insert=2', '-n', '50', '--duration', '1m']);
  assert.equal(v.opsCount, 50);
  assert.equal(v.durationMs, 60_000);
});

test('durations and rates', () => {
  const cases: Array<[string, number]> = [['30s', 30_000], ['2m', 120_000], ['500ms', 500], ['1h', 3_600_000], ['1.5s', 1500], ['7', 7000]];
  for (const [text, ms] of cases) assert.equal(parseDurationMs(text), ms, text);
  for (const bad of ['', 'x', '-1s', '0s', '10d']) assert.throws(() => parseDurationMs(bad), bad);
  assert.equal(parseRate('100'), 100);
  assert.equal(parseRate('5k/s'), 5000);
  assert.throws(() => parseRate('0/s'));
});

test('bad command lines exit 2 with a reason', () => {
  fails(['explode'], /unknown workload 'explode'/);
  fails(['write', '--cl', 'SOME'], /not a consistency level/);
  fails(['write', '--concurrency', '0'], /--concurrency 0 must be between 1/);
  fails(['write', '--ops', '10', '--ops', '20'], /count is given twice/);
  fails(['write', '--ops', 'insert=1'], /applies to the user workload/);
  fails(['write', '--ratio', 'write=1'], /--ratio applies to the mixed workload/);
  fails(['mixed', '--ratio', 'write=1,scan=2'], /unknown operation 'scan'/);
  fails(['user'], /needs --profile/);
  fails(['write', '--profile', 'x.yaml'], /user workload only/);
  fails(['write', '--key-dist', 'zipf(1..3)'], /unknown distribution/);
  fails(['write', '--rate', 'fast'], /--rate/);
  fails(['write', '--hosts', ','], /names no host/);
  const r = parseStressArgs(['write', '--bogus']);
  assert.equal(r.kind === 'exit' && r.code, 2);
  assert.match(r.kind === 'exit' ? r.err : '', /unknown option/);
});

test('--help exits 0 and lists the options', () => {
  const r = parseStressArgs(['--help']);
  assert.equal(r.kind, 'exit');
  if (r.kind === 'exit') {
    assert.equal(r.code, 0);
    for (const flag of ['--ops', '--duration', '--concurrency', '--connections', '--rate', '--cl', '--hosts', '--port', '--replication', '--keyspace', '--json', '--plot', '--seed', '--warmup', '--admin-port']) {
      assert.ok(r.out.includes(flag), flag);
    }
  }
});
