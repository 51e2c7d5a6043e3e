import test from 'node:test';
import assert from 'node:assert/strict';
import { FakeSession, INT, TEXT } from './_fake.js';
import { Shell, type ShellIO } from './shell.js';
import { TypeCode } from './format.js';

function harness(opts: { tty?: boolean; moreAnswers?: boolean[]; files?: Record<string, string> } = {}) {
  const session = new FakeSession();
  let out = '';
  const errs: string[] = [];
  let moreCount = 0;
  const answers = [...(opts.moreAnswers ?? [])];
  const io: ShellIO = {
    out: (t) => { out += t; },
    err: (l) => { errs.push(l); },
    more: async () => { moreCount += 1; out += '---MORE---\n'; return answers.shift() ?? true; },
    readFile: async (p) => {
      const text = opts.files?.[p];
      if (text === undefined) throw new Error('ENOENT: no such file');
      return text;
    },
  };
  const shell = new Shell(session, io, { tty: opts.tty ?? false });
  return { session, shell, output: () => out, errors: () => errs, moreCount: () => moreCount, reset: () => { out = ''; errs.length = 0; } };
}

function users(n: number) {
  return { columns: [{ name: 'id', type: INT }, { name: 'name', type: TEXT }], rows: Array.from({ length: n }, (_, i) => [i + 1, `user${i + 1}`]) };
}

test('SELECT prints a cqlsh table with a row count (non-terminal)', async () => {
  const h = harness();
  h.session.tables.set('select * from users', users(2));
  await h.shell.runText('SELECT * FROM users;', '<stdin>');
  assert.equal(h.output(), '\n id | name\n----+-------\n  1 | user1\n  2 | user2\n\n(2 rows)\n');
  assert.equal(h.shell.errorCount, 0);
  assert.deepEqual(h.session.calls[0]!.opts, { fetchSize: 100, consistency: 'ONE', trace: false });
});

test('all pages print without pausing when not in a terminal; header only once', async () => {
  const h = harness();
  h.session.tables.set('select * from users', users(5));
  await h.shell.runText('PAGING 2\nSELECT * FROM users;', '<stdin>');
  const out = h.output();
  assert.ok(out.startsWith('Page size: 2\n'));
  assert.equal(out.match(/ id \| name/g)?.length, 1);
  assert.ok(out.includes('  5 | user5'));
  assert.ok(out.endsWith('(5 rows)\n'));
  assert.equal(h.session.calls.length, 3);
  assert.deepEqual(h.session.calls.map((c) => c.opts.pageState), [undefined, '2', '4']);
  assert.equal(h.moreCount(), 0);
});

test('in a terminal, ---MORE--- waits between pages and the header repeats; end of input stops paging', async () => {
  const h = harness({ tty: true, moreAnswers: [true, false] });
  h.session.tables.set('select * from users', users(7));
  await h.shell.runText('PAGING 3\nSELECT * FROM users;', undefined);
  assert.equal(h.moreCount(), 2);
  assert.equal(h.output().match(/ id \| name/g)?.length, 2);
  assert.ok(h.output().endsWith('(6 rows)\n'));
});

test('PAGING OFF fetches big pages and never pauses', async () => {
  const h = harness({ tty: true });
  h.session.tables.set('select * from users', users(3));
  await h.shell.runText('PAGING OFF\nSELECT * FROM users;', undefined);
  assert.equal(h.session.calls[0]!.opts.fetchSize, 5000);
  assert.equal(h.moreCount(), 0);
  assert.ok(h.output().startsWith('Disabled Query paging.\n'));
});

test('EXPAND ON prints rows vertically, numbered across pages', async () => {
  const h = harness();
  h.session.tables.set('select * from users', users(3));
  await h.shell.runText('EXPAND ON\nPAGING 2\nSELECT * FROM users;', '<stdin>');
  const out = h.output();
  assert.ok(out.startsWith('Now Expanded output is enabled\n'));
  assert.ok(out.includes('@ Row 1\n------+-------\n id   | 1\n name | user1\n\n@ Row 2\n'));
  assert.ok(out.includes('@ Row 3\n'));
  assert.ok(out.endsWith('(3 rows)\n'));
});

test('empty result shows the header and (0 rows)', async () => {
  const h = harness();
  h.session.tables.set('select * from users', users(0));
  await h.shell.runText('SELECT * FROM users', '<stdin>');
  assert.equal(h.output(), '\n id | name\n----+------\n\n\n(0 rows)\n');
});

test('writes print nothing; server errors print like cqlsh with the location and are counted', async () => {
  const h = harness();
  await h.shell.runText("INSERT INTO users (id) VALUES (1);\n\nSELECT * FROM nope;\nSELECT 1 FROM missing;", 'script.cql');
  assert.equal(h.output(), '');
  assert.deepEqual(h.errors(), [
    'script.cql:3:InvalidRequest: Error from server: code=2200 [Invalid query] message="unconfigured table for query: SELECT * FROM nope"',
    'script.cql:4:InvalidRequest: Error from server: code=2200 [Invalid query] message="unconfigured table for query: SELECT 1 FROM missing"',
  ]);
  assert.equal(h.shell.errorCount, 2);
});

test('interactive errors carry no location; bad shell commands are errors', async () => {
  const h = harness({ tty: true });
  await h.shell.runText('CONSISTENCY SOMETIMES', undefined);
  assert.equal(h.errors().length, 1);
  assert.ok(h.errors()[0]!.startsWith('Improper CONSISTENCY command'));
  assert.equal(h.shell.errorCount, 1);
});

test('CONSISTENCY and SERIAL CONSISTENCY show, set and apply to later statements', async () => {
  const h = harness();
  h.session.tables.set('select * from users', users(1));
  await h.shell.runText('CONSISTENCY\nCONSISTENCY quorum\nSERIAL CONSISTENCY\nSERIAL CONSISTENCY LOCAL_SERIAL\nSELECT * FROM users;', '<stdin>');
  assert.ok(h.output().startsWith('Current consistency level is ONE.\nConsistency level set to QUORUM.\n' +
    'Current serial consistency level is SERIAL.\nSerial consistency level set to LOCAL_SERIAL.\n'));
  assert.equal(h.session.calls[0]!.opts.consistency, 'QUORUM');
  assert.equal(h.session.calls[0]!.opts.serialConsistency, 'LOCAL_SERIAL');
});

test('TRACING ON requests a trace and prints its events', async () => {
  const h = harness();
  h.session.tables.set('select * from users', users(1));
  await h.shell.runText('TRACING\nTRACING ON\nSELECT * FROM users;\nTRACING OFF', '<stdin>');
  const out = h.output();
  assert.ok(out.startsWith('Tracing is currently disabled. Use TRACING ON to enable.\nNow Tracing is enabled\n'));
  assert.equal(h.session.calls[0]!.opts.trace, true);
  assert.ok(out.includes('Tracing session: 6f1e5a10-0000-1000-8000-000000000001'));
  assert.ok(/ activity\s+\| timestamp\s+\| source\s+\| source_elapsed \| client/.test(out), out);
  assert.ok(out.includes('Parsing statement | 2024-01-02 03:04:05.001000'));
  assert.ok(/Request complete \| 2024-01-02 03:04:05\.001000 \| 127\.0\.0\.1 \|\s+1500/.test(out), out);
  assert.ok(out.endsWith('Disabled Tracing.\n'));
});

test('server warnings are printed after the result', async () => {
  const h = harness();
  h.session.tables.set('select * from users', users(1));
  h.session.warnings.set('select * from users', ['Aggregation query used without partition key']);
  await h.shell.runText('SELECT * FROM users;', '<stdin>');
  assert.ok(h.output().endsWith('(1 rows)\n\nWarnings :\nAggregation query used without partition key\n\n'));
});

test('USE changes the prompt; SHOW VERSION and SHOW HOST describe the connection', async () => {
  const h = harness({ tty: true });
  h.session.schema.addKeyspace('ks');
  assert.equal(h.shell.prompt(), 'cassia> ');
  await h.shell.runText('USE ks;\nSHOW VERSION\nSHOW HOST', undefined);
  assert.equal(h.shell.prompt(), 'cassia:ks> ');
  assert.equal(h.shell.continuationPrompt(), '       ... ');
  assert.equal(h.output(), '[cassia shell 0.1.0 | Cassandra 4.1.0 | CQL spec 3.4.6 | Native protocol v5]\nConnected to Test Cluster at 127.0.0.1:9042\n');
});

function schemaHarness() {
  const h = harness();
  const s = h.session.schema;
  s.addKeyspace('ks');
  s.addKeyspace('other');
  s.addKeyspace('system');
  s.addType('ks', { name: 'phone', fields: [{ name: 'number', type: TEXT }] });
  const k = { name: 'k', type: INT };
  const v = { name: 'v', type: { code: TypeCode.udt, info: { name: 'phone' }, options: { frozen: true } } };
  s.addTable('ks', { table: { name: 't', columns: [k, v], partitionKeys: [k], clusteringKeys: [], clusteringOrder: [], comment: 'c' } });
  s.addTable('other', { table: { name: 'u', columns: [k], partitionKeys: [k], clusteringKeys: [], clusteringOrder: [] } });
  s.addTable('system', { table: { name: 'local', columns: [k], partitionKeys: [k], clusteringKeys: [], clusteringOrder: [] } });
  return h;
}

test('DESCRIBE KEYSPACES, TABLES (all keyspaces) and TYPES', async () => {
  const h = schemaHarness();
  await h.shell.runText('DESCRIBE KEYSPACES', '<stdin>');
  assert.equal(h.output(), '\nks  other  system\n\n');
  h.reset();
  await h.shell.runText('DESC TABLES', '<stdin>');
  assert.equal(h.output(), '\nKeyspace ks\n-----------\nt\n\nKeyspace other\n--------------\nu\n\nKeyspace system\n---------------\nlocal\n\n');
  h.reset();
  h.session.current = 'ks';
  await h.shell.runText('DESC TYPES', '<stdin>');
  assert.equal(h.output(), '\nphone\n\n');
});

test('DESCRIBE KEYSPACE, TABLE, TYPE and a bare name give CQL', async () => {
  const h = schemaHarness();
  await h.shell.runText('DESCRIBE KEYSPACE ks', '<stdin>');
  assert.equal(h.output(), [
    '',
    "CREATE KEYSPACE ks WITH replication = {'class': 'org.apache.cassandra.locator.SimpleStrategy', 'replication_factor': '1'} AND durable_writes = true;",
    '',
    'CREATE TYPE ks.phone (\n    number text\n);',
    '',
    "CREATE TABLE ks.t (\n    k int PRIMARY KEY,\n    v frozen<phone>\n) WITH comment = 'c';",
    '',
  ].join('\n'));
  h.reset();
  await h.shell.runText('DESCRIBE TABLE ks.t\nDESCRIBE TYPE ks.phone\nDESCRIBE other', '<stdin>');
  assert.ok(h.output().includes('CREATE TABLE ks.t ('));
  assert.ok(h.output().includes('CREATE TYPE ks.phone ('));
  assert.ok(h.output().includes('CREATE KEYSPACE other'));
  assert.equal(h.shell.errorCount, 0);
});

test('DESCRIBE SCHEMA leaves out system keyspaces unless FULL', async () => {
  const h = schemaHarness();
  await h.shell.runText('DESCRIBE SCHEMA', '<stdin>');
  assert.ok(h.output().includes('CREATE KEYSPACE other'));
  assert.ok(!h.output().includes('CREATE KEYSPACE system'));
  h.reset();
  await h.shell.runText('DESCRIBE FULL SCHEMA', '<stdin>');
  assert.ok(h.output().includes('CREATE KEYSPACE system '));
});

test('DESCRIBE of missing objects and without a keyspace are errors', async () => {
  const h = schemaHarness();
  await h.shell.runText('DESCRIBE TABLE nope\nDESCRIBE TABLE ks.nope\nDESCRIBE KEYSPACE nope\nDESCRIBE TYPE ks.nope\nDESCRIBE ks.zzz', '<stdin>');
  assert.deepEqual(h.errors(), [
    '<stdin>:1:No keyspace specified and no current keyspace (USE one, or name it as ks.name)',
    "<stdin>:2:Table 'nope' not found in keyspace 'ks'",
    "<stdin>:3:Keyspace 'nope' not found",
    "<stdin>:4:User type 'nope' not found in keyspace 'ks'",
    "<stdin>:5:'zzz' not found in keyspace 'ks'",
  ]);
});

test('SOURCE runs a file, reports its errors with the file name, and stops on nesting too deep', async () => {
  const h = harness({ files: { 'a.cql': "SELECT * FROM users;\nSOURCE 'b.cql'", 'b.cql': 'SELECT * FROM bad;', 'loop.cql': "SOURCE 'loop.cql'" } });
  h.session.tables.set('select * from users', users(1));
  await h.shell.runText("SOURCE 'a.cql'\nSOURCE 'missing.cql'\nSOURCE 'loop.cql'", '<stdin>');
  assert.ok(h.output().includes('(1 rows)'));
  assert.equal(h.errors()[0], 'b.cql:1:InvalidRequest: Error from server: code=2200 [Invalid query] message="unconfigured table for query: SELECT * FROM bad"');
  assert.ok(h.errors()[1]!.startsWith("<stdin>:2:Could not open 'missing.cql'"));
  assert.ok(h.errors()[2]!.includes('SOURCE nested deeper than 16 files'));
});

test('EXIT stops a text run; HELP prints help', async () => {
  const h = harness();
  h.session.tables.set('select * from users', users(1));
  const r = await h.shell.runText('HELP\nEXIT\nSELECT * FROM users;', '<stdin>');
  assert.equal(r, 'exit');
  assert.ok(h.output().includes('Shell commands'));
  assert.equal(h.session.calls.length, 0);
  h.reset();
  await h.shell.runText('HELP DESCRIBE', '<stdin>');
  assert.ok(h.output().includes('DESCRIBE KEYSPACES'));
});

test('a conditional write prints its [applied] row without a row count', async () => {
  const h = harness();
  h.session.tables.set("insert into users (id) values (1) if not exists", { columns: [{ name: '[applied]', type: { code: TypeCode.boolean } }], rows: [[false]] });
  await h.shell.runText('INSERT INTO users (id) VALUES (1) IF NOT EXISTS;', '<stdin>');
  assert.equal(h.output(), '\n [applied]\n-----------\n     False\n');
});
