// End-to-end: `cassia shell` (node dist/src/cli/main.js shell ...) against a real node process.

import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_PATH, startNodeProcess, type NodeProcess } from '../harness.js';

const RUN_TIMEOUT_MS = 60_000;

let node: NodeProcess;
let workDir: string;

before(async () => {
  node = await startNodeProcess();
  workDir = mkdtempSync(join(tmpdir(), 'cassia-shell-e2e-'));
});

after(async () => {
  await node?.cleanup();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

interface CliResult { code: number | null; stdout: string; stderr: string }

function shell(args: string[], input?: string, env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, 'shell', ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`shell timed out\n${stdout}\n${stderr}`)); }, RUN_TIMEOUT_MS);
    child.once('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    if (input !== undefined) child.stdin.write(input);
    child.stdin.end();
  });
}

const target = () => `${node.host}:${node.port}`;

async function exec(cql: string): Promise<CliResult> {
  const r = await shell([target(), '-e', cql]);
  assert.equal(r.code, 0, `exit ${r.code} for ${cql}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r;
}

test('-e: DDL, writes and a SELECT print a cqlsh table', async () => {
  await exec("CREATE KEYSPACE e1 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await exec("CREATE TABLE e1.users (id int PRIMARY KEY, name text, score double); " +
    "INSERT INTO e1.users (id, name, score) VALUES (1, 'alice', 1.5); INSERT INTO e1.users (id, name, score) VALUES (22, 'bo', null);");
  const r = await exec('SELECT id, name, score FROM e1.users WHERE id = 22; SELECT id, name, score FROM e1.users WHERE id = 1');
  assert.equal(r.stdout,
    '\n id | name | score\n----+------+-------\n 22 |   bo |  null\n\n(1 rows)\n' +
    '\n id | name  | score\n----+-------+-------\n  1 | alice |   1.5\n\n(1 rows)\n');
});

test('values of many types print like cqlsh (EXPAND ON)', async () => {
  await exec("CREATE KEYSPACE e2 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await exec('CREATE TYPE e2.phone (kind text, number text)');
  await exec(`CREATE TABLE e2.v (k int PRIMARY KEY, b blob, bo boolean, ts timestamp, u uuid, d date, t time, l list<int>,
    s set<text>, m map<text, int>, tu frozen<tuple<int, text>>, p frozen<phone>, bi bigint, de decimal, i inet)`);
  await exec(`INSERT INTO e2.v (k, b, bo, ts, u, d, t, l, s, m, tu, p, bi, de, i) VALUES (1, 0xcafe, true, '2024-01-02 03:04:05.678+0000',
    12345678-1234-5678-1234-567812345678, '2024-01-02', '03:04:05.000000001', [3, 1], {'b', 'a'}, {'x': 1}, (7, 'it''s'),
    {kind: 'home', number: '555'}, 9223372036854775807, 1.25, '127.0.0.1')`);
  const r = await exec('EXPAND ON; SELECT * FROM e2.v WHERE k = 1');
  const want: Record<string, string> = {
    b: '0xcafe', bo: 'True', ts: '2024-01-02 03:04:05.678000+0000', u: '12345678-1234-5678-1234-567812345678', d: '2024-01-02',
    t: '03:04:05.000000001', l: '[3, 1]', s: "{'a', 'b'}", m: "{'x': 1}", tu: "(7, 'it''s')", p: "{kind: 'home', number: '555'}",
    bi: '9223372036854775807', de: '1.25', i: '127.0.0.1',
  };
  assert.ok(r.stdout.includes('@ Row 1'), r.stdout);
  for (const [col, value] of Object.entries(want)) {
    assert.match(r.stdout, new RegExp(`\\n ${col} +\\| ${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`), `column ${col}`);
  }
});

test('a server error prints like cqlsh and exits 2; later statements still run', async () => {
  const r = await shell([target(), '-e', 'SELECT * FROM nosuch.table_x; SELECT release_version FROM system.local']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^<stdin>:1:InvalidRequest: Error from server: code=2200 \[Invalid query\] message="[^"]+"\n$/);
  assert.ok(r.stdout.includes('(1 rows)'));
});

test('a syntax error names SyntaxException', async () => {
  const r = await shell([target(), '-e', 'SELEC * FROM system.local']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^<stdin>:1:SyntaxException: Error from server: code=2000 \[Syntax error in CQL query\] message=/);
});

test('DESCRIBE KEYSPACE output recreates the same schema', async () => {
  await exec("CREATE KEYSPACE e3 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1} AND durable_writes = true");
  await exec('CREATE TYPE e3.address (street text, zip int)');
  await exec('CREATE TYPE e3.person (name text, home frozen<address>)');
  await exec(`CREATE TABLE e3.events ("Part" int, day date, at timestamp, seq int, who frozen<person>, tags set<text>, note text static,
    PRIMARY KEY (("Part", day), at, seq)) WITH CLUSTERING ORDER BY (at DESC, seq ASC) AND comment = 'it''s here' AND gc_grace_seconds = 3600`);
  await exec('CREATE TABLE e3.simple (k text PRIMARY KEY, v map<int, frozen<list<text>>>)');
  const first = await exec('DESCRIBE KEYSPACE e3');
  assert.ok(first.stdout.includes('CREATE TYPE e3.address ('), first.stdout);
  assert.ok(first.stdout.indexOf('CREATE TYPE e3.address') < first.stdout.indexOf('CREATE TYPE e3.person'));
  assert.ok(first.stdout.includes('PRIMARY KEY (("Part", day), at, seq)'), first.stdout);
  assert.ok(first.stdout.includes('CLUSTERING ORDER BY (at DESC, seq ASC)'), first.stdout);
  assert.ok(first.stdout.includes("comment = 'it''s here'"), first.stdout);
  assert.ok(first.stdout.includes('note text static'), first.stdout);
  await exec('DROP KEYSPACE e3');
  const file = join(workDir, 'e3.cql');
  writeFileSync(file, first.stdout);
  const replay = await shell([target(), '-f', file]);
  assert.equal(replay.code, 0, replay.stderr);
  const second = await exec('DESCRIBE KEYSPACE e3');
  assert.equal(second.stdout, first.stdout);
});

test('DESCRIBE KEYSPACES, TABLES and TABLE', async () => {
  await exec("CREATE KEYSPACE e4 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await exec('CREATE TABLE e4.a (k int PRIMARY KEY); CREATE TABLE e4.b (k int PRIMARY KEY)');
  const ks = await exec('DESCRIBE KEYSPACES');
  for (const name of ['e4', 'system', 'system_schema']) assert.match(ks.stdout, new RegExp(`(^|\\s)${name}(\\s|$)`));
  const tables = await shell([target(), '-k', 'e4', '-e', 'DESCRIBE TABLES']);
  assert.equal(tables.stdout, '\na  b\n\n');
  const table = await exec('DESC TABLE e4.a');
  assert.ok(table.stdout.startsWith('\nCREATE TABLE e4.a (\n    k int PRIMARY KEY\n) WITH '), table.stdout);
});

test('paging: every page is printed in -e mode', async () => {
  await exec("CREATE KEYSPACE e5 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await exec('CREATE TABLE e5.t (p int, c int, PRIMARY KEY (p, c))');
  const inserts = Array.from({ length: 250 }, (_, i) => `INSERT INTO e5.t (p, c) VALUES (1, ${i});`).join('\n');
  const file = join(workDir, 'e5.cql');
  writeFileSync(file, inserts);
  assert.equal((await shell([target(), '-f', file])).code, 0);
  const r = await exec('PAGING 100; SELECT c FROM e5.t WHERE p = 1');
  assert.ok(r.stdout.endsWith('(250 rows)\n'), r.stdout.slice(-200));
  assert.equal(r.stdout.match(/\n c\n/g)?.length, 1, 'header printed once');
  assert.ok(r.stdout.includes('\n 249\n'));
});

test('CONSISTENCY applies to statements; SHOW VERSION names the server', async () => {
  const r = await exec('CONSISTENCY ALL; SELECT key FROM system.local; SHOW VERSION; SHOW HOST');
  assert.ok(r.stdout.startsWith('Consistency level set to ALL.\n'));
  assert.ok(r.stdout.includes('(1 rows)'));
  assert.match(r.stdout, /\[cassia shell \S+ \| Cassandra \S+ \| CQL spec \S+ \| Native protocol v[45]\]/);
  assert.ok(r.stdout.includes(`at ${node.host}:${node.port}`));
});

test('interactive over piped stdin (-t): prompts follow USE and multi-line statements', async () => {
  await exec("CREATE KEYSPACE e6 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  const history = join(workDir, 'history');
  const r = await shell([target(), '-t'], 'USE e6;\nCREATE TABLE t (k int PRIMARY KEY,\n v text);\nINSERT INTO t (k, v) VALUES (1, \'x\');\nSELECT * FROM t;\nEXIT\n',
    { CASSIA_HISTORY: history });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes('cassia> '));
  assert.ok(r.stdout.includes('cassia:e6> '));
  assert.ok(r.stdout.includes(' '.repeat('cassia:e6> '.length - 4) + '... '));
  assert.ok(r.stdout.includes('(1 rows)'));
});

test('a failed connection names host and port and exits 1', async () => {
  // A port in this suite's range, held closed: listen, note it, close, then connect to it.
  const port = await new Promise<number>((resolve) => {
    const srv = createServer();
    srv.listen(19600, '127.0.0.1', () => srv.close(() => resolve(19600)));
    srv.on('error', () => resolve(19601));
  });
  const r = await shell([`127.0.0.1:${port}`, '--connect-timeout', '2', '-e', 'SELECT 1']);
  assert.equal(r.code, 1);
  assert.ok(r.stderr.includes(`127.0.0.1:${port}`), r.stderr);
  assert.equal(r.stdout, '');
});
