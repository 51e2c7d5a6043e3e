import test from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeSession, INT, TEXT } from './_fake.js';
import { runShellWith, HISTORY_LINES_MAX, loadHistory, saveHistory } from './io.js';
import { parseHostPort, parseShellArgs } from './args.js';
import type { ShellOptions } from './args.js';

interface Run { code: number; stdout: string; stderr: string; session: FakeSession; options?: ShellOptions }

function users(n: number) {
  return { columns: [{ name: 'id', type: INT }, { name: 'name', type: TEXT }], rows: Array.from({ length: n }, (_, i) => [i + 1, `u${i + 1}`]) };
}

async function run(argv: string[], input: string | string[] | null, setup?: (s: FakeSession) => void, historyPath?: string): Promise<Run> {
  const session = new FakeSession();
  session.schema.addKeyspace('ks');
  session.tables.set('select * from users', users(3));
  setup?.(session);
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => { out += c; });
  stderr.on('data', (c) => { err += c; });
  let options: ShellOptions | undefined;
  const done = runShellWith(argv, {
    stdin, stdout, stderr, historyPath: historyPath ?? join(tmpdir(), 'cassia-shell-test-nohistory'),
    connect: async (o) => { options = o; return session; },
  });
  const chunks = input === null ? [] : Array.isArray(input) ? input : [input];
  for (const c of chunks) { stdin.write(c); await new Promise((r) => setImmediate(r)); }
  stdin.end();
  const code = await done;
  return { code, stdout: out, stderr: err, session, ...(options ? { options } : {}) };
}

test('-e runs every statement, prints results, and exits 2 after an error', async () => {
  const r = await run(['-e', 'SELECT * FROM users; SELECT * FROM nope; SELECT * FROM users'], null);
  assert.equal(r.code, 2);
  assert.equal(r.stdout.match(/\(3 rows\)/g)?.length, 2);
  assert.equal(r.stderr, '<stdin>:1:InvalidRequest: Error from server: code=2200 [Invalid query] message="unconfigured table for query: SELECT * FROM nope"\n');
  assert.ok(r.session.closed);
});

test('-e with no errors exits 0', async () => {
  const r = await run(['127.0.0.2:9999', '-e', 'SELECT * FROM users'], null);
  assert.equal(r.code, 0);
  assert.equal(r.options?.host, '127.0.0.2');
  assert.equal(r.options?.port, 9999);
  assert.equal(r.stderr, '');
});

test('-f runs a file, continues after errors, names the file and line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cassia-shell-'));
  try {
    const file = join(dir, 'script.cql');
    writeFileSync(file, '-- setup\nSELECT * FROM nope;\nSELECT *\n  FROM users;\n');
    const r = await run(['-f', file], null);
    assert.equal(r.code, 2);
    assert.ok(r.stderr.startsWith(`${file}:2:InvalidRequest:`));
    assert.ok(r.stdout.includes('(3 rows)'));
    const missing = await run(['-f', join(dir, 'missing.cql')], null);
    assert.equal(missing.code, 1);
    assert.ok(missing.stderr.startsWith("Could not open '"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failed connection names host and port and exits 1', async () => {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (c) => { err += c; });
  const code = await runShellWith(['10.0.0.1:9043', '-e', 'SELECT 1'], {
    stdin: new PassThrough(), stdout, stderr,
    connect: async () => { throw Object.assign(new Error('All host(s) tried for query failed.'), { name: 'NoHostAvailableError',
      innerErrors: { '10.0.0.1:9043': new Error('connect ECONNREFUSED 10.0.0.1:9043') } }); },
  });
  assert.equal(code, 1);
  assert.equal(err, 'Connection error: could not connect to 10.0.0.1:9043: connect ECONNREFUSED 10.0.0.1:9043\n');
});

test('piped input (no terminal): no prompts, statements across lines, errors located, exit 2', async () => {
  const r = await run([], 'SELECT *\nFROM users;\nSELECT * FROM nope;\nEXPAND\n');
  assert.equal(r.code, 2);
  assert.ok(!r.stdout.includes('cassia>'));
  assert.ok(r.stdout.includes('(3 rows)'));
  assert.ok(r.stdout.endsWith('Expanded output is currently disabled. Use EXPAND ON to enable.\n'));
  assert.ok(r.stderr.startsWith('<stdin>:3:InvalidRequest'));
});

test('piped input: a last statement without ; still runs at end of input', async () => {
  const r = await run([], 'SELECT * FROM users');
  assert.equal(r.code, 0);
  assert.ok(r.stdout.includes('(3 rows)'));
});

test('interactive (-t): banner, prompts, continuation prompt, USE changes the prompt, EXIT ends', async () => {
  const r = await run(['-t'], ['USE ks;\n', 'SELECT *\n', 'FROM users;\n', 'EXIT\n', 'SELECT * FROM users;\n']);
  assert.equal(r.code, 0);
  assert.ok(r.stdout.startsWith('Connected to Test Cluster at 127.0.0.1:9042\n[cassia shell 0.1.0 | Cassandra 4.1.0 | CQL spec 3.4.6 | Native protocol v5]\nUse HELP for help.\ncassia> '));
  assert.ok(r.stdout.includes('cassia:ks> '));
  assert.ok(r.stdout.includes('       ... '));
  assert.equal(r.stdout.match(/\(3 rows\)/g)?.length, 1, 'nothing runs after EXIT');
  assert.equal(r.session.calls.length, 2);
});

test('interactive (-t): ---MORE--- waits for a line between pages', async () => {
  const r = await run(['-t'], ['PAGING 2\n', 'SELECT * FROM users;\n', '\n']);
  assert.equal(r.code, 0);
  assert.ok(r.stdout.includes('---MORE---'));
  assert.ok(r.stdout.includes('(3 rows)'));
  assert.equal(r.session.calls.length, 2);
});

test('interactive errors do not change the exit code; history is saved and bounded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cassia-history-'));
  try {
    const path = join(dir, 'hist');
    writeFileSync(path, Array.from({ length: HISTORY_LINES_MAX }, (_, i) => `old ${i}`).join('\n') + '\n');
    const r = await run(['-t'], ['SELECT * FROM nope;\n', 'SELECT * FROM users;\n'], undefined, path);
    assert.equal(r.code, 0);
    assert.ok(r.stderr.startsWith('InvalidRequest:'));
    const saved = readFileSync(path, 'utf8').trimEnd().split('\n');
    assert.equal(saved.length, HISTORY_LINES_MAX);
    assert.deepEqual(saved.slice(-2), ['SELECT * FROM nope;', 'SELECT * FROM users;']);
    assert.equal(saved[0], 'old 2');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loadHistory of a missing file is empty; saveHistory reports an unwritable path', async () => {
  assert.deepEqual(await loadHistory('/nonexistent/dir/hist'), []);
  const problem = await saveHistory('/nonexistent/dir/hist', ['x']);
  assert.ok(problem?.startsWith('could not save history'));
});

test('argument parsing: defaults, host forms, options, help and errors', () => {
  const d = parseShellArgs([]);
  assert.ok(d.kind === 'options');
  assert.deepEqual(d.options, { host: '127.0.0.1', port: 9042, connectTimeoutS: 5, requestTimeoutS: 10, tty: false });
  const full = parseShellArgs(['db.local', '9100', '-u', 'bob', '-p', 'pw', '-k', 'ks', '--protocol-version', '4',
    '--connect-timeout', '2', '--request-timeout', '30', '-e', 'SELECT 1']);
  assert.ok(full.kind === 'options');
  assert.deepEqual(full.options, { host: 'db.local', port: 9100, username: 'bob', password: 'pw', keyspace: 'ks', protocolVersion: 4,
    connectTimeoutS: 2, requestTimeoutS: 30, execute: 'SELECT 1', tty: false });
  const help = parseShellArgs(['--help']);
  assert.ok(help.kind === 'exit' && help.code === 0 && help.output.includes('--execute'));
  for (const bad of [['--protocol-version', '9'], ['host:notaport'], ['-e', 'x', '-f', 'y'], ['--bogus'], ['-p', 'pw']]) {
    const r = parseShellArgs(bad);
    assert.ok(r.kind === 'exit' && r.code === 1, bad.join(' '));
  }
  assert.deepEqual(parseHostPort('[::1]:9042'), { host: '::1', port: 9042 });
  assert.deepEqual(parseHostPort('::1'), { host: '::1' });
  assert.deepEqual(parseHostPort('h:1'), { host: 'h', port: 1 });
  assert.equal(parseHostPort('h:0'), undefined);
});
