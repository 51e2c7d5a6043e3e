// Compatibility: the shell items of issue 2 that test/shell does not cover: -f exits non-zero on the
// first failing statement's error (and still runs the rest, as cqlsh does), DESCRIBE TABLE output with
// every table option is runnable and recreates the same options, -e "DESCRIBE KEYSPACES".

import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_PATH, startNodeProcess, type NodeProcess } from '../harness.js';

let node: NodeProcess;
let dir: string;

before(async () => {
  node = await startNodeProcess();
  dir = mkdtempSync(join(tmpdir(), 'cassia-compat-shell-'));
});
after(async () => {
  await node?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function shell(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, 'shell', `${node.host}:${node.port}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('shell timed out')); }, 60_000);
    child.once('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

test('shell -f: an error gives a non-zero exit naming file and line; the other statements run', async () => {
  const file = join(dir, 'bad.cql');
  writeFileSync(file, [
    "CREATE KEYSPACE sf WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};",
    'CREATE TABLE sf.t (k int PRIMARY KEY, v text);',
    "INSERT INTO sf.t (k, v) VALUES ('not an int', 'x');",
    "INSERT INTO sf.t (k, v) VALUES (1, 'after');",
  ].join('\n') + '\n');
  const r = await shell(['-f', file]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, new RegExp(`bad\\.cql:3:InvalidRequest`), r.stderr);
  const check = await shell(['-e', 'SELECT v FROM sf.t WHERE k = 1']);
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stdout, /after/);
  const ok = join(dir, 'ok.cql');
  writeFileSync(ok, 'SELECT release_version FROM system.local;\n');
  assert.equal((await shell(['-f', ok])).code, 0);
});

test('shell: DESCRIBE TABLE with every option is runnable and recreates the same options', async () => {
  const opts = "compaction = {'class': 'LeveledCompactionStrategy', 'sstable_size_in_mb': '160'} AND compression = {'chunk_length_in_kb': '16', 'class': 'LZ4Compressor'} "
    + "AND caching = {'keys': 'ALL', 'rows_per_partition': '10'} AND gc_grace_seconds = 3600 AND default_time_to_live = 60 "
    + "AND bloom_filter_fp_chance = 0.02 AND comment = 'c''1' AND speculative_retry = '99p' AND crc_check_chance = 0.5 "
    + "AND memtable_flush_period_in_ms = 1000 AND min_index_interval = 64 AND max_index_interval = 1024 AND read_repair = 'NONE' "
    + "AND additional_write_policy = '90p'";
  const create = await shell(['-e', "CREATE KEYSPACE sd WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}; "
    + `CREATE TABLE sd.o (k int, c int, v text, PRIMARY KEY (k, c)) WITH CLUSTERING ORDER BY (c DESC) AND ${opts}`]);
  assert.equal(create.code, 0, create.stderr);
  const first = await shell(['-e', 'DESCRIBE TABLE sd.o']);
  assert.equal(first.code, 0, first.stderr);
  for (const piece of ["'sstable_size_in_mb': '160'", 'gc_grace_seconds = 3600', 'default_time_to_live = 60', "comment = 'c''1'",
    "speculative_retry = '99p'", 'CLUSTERING ORDER BY (c DESC)', "'rows_per_partition': '10'", 'crc_check_chance = 0.5']) {
    assert.ok(first.stdout.includes(piece), `${piece} in\n${first.stdout}`);
  }
  assert.equal((await shell(['-e', 'DROP TABLE sd.o'])).code, 0);
  const file = join(dir, 'o.cql');
  writeFileSync(file, first.stdout);
  const replay = await shell(['-f', file]);
  assert.equal(replay.code, 0, replay.stderr);
  const second = await shell(['-e', 'DESCRIBE TABLE sd.o']);
  assert.equal(second.stdout, first.stdout);
});

test('shell -e "DESCRIBE KEYSPACES" lists user and system keyspaces', async () => {
  const r = await shell(['-e', 'DESCRIBE KEYSPACES']);
  assert.equal(r.code, 0, r.stderr);
  for (const ks of ['system', 'system_schema', 'system_views', 'system_auth', 'system_distributed', 'system_traces']) {
    assert.match(r.stdout, new RegExp(`(^|\\s)${ks}(\\s|$)`), `${ks} in ${r.stdout}`);
  }
});
