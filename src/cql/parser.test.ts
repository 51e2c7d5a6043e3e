import test from 'node:test';
import assert from 'node:assert/strict';
import { parseStatement, parseStatements, parseTypeString, CQL_NESTING_DEPTH_MAX, CQL_TEXT_LENGTH_MAX } from './parser.js';
import { tokenize } from './lexer.js';
import { summarize } from './summary.js';
import type { InsertStatement, SelectStatement, Statement, Term } from './ast.js';
import { CqlSyntaxError } from '../util/errors.js';

function syntaxError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof CqlSyntaxError && pattern.test(e.message));
}

test('parseTypeString reads system_schema type strings', () => {
  const cases: [string, string][] = [
    ['int', '(native name=int)'],
    ['varchar', '(native name=text)'],
    ['frozen<map<text, int>>', '(map key=(native name=text) value=(native name=int) frozen)'],
    ['list<frozen<tuple<int, text>>>', '(list element=(tuple elements=[(native name=int) (native name=text)] frozen))'],
    ['frozen<"MyType">', '(udt_ref name=MyType frozen)'],
    ['map<frozen<address>, set<"Quoted""Name">>', '(map key=(udt_ref name=address frozen) value=(set element=(udt_ref name="Quoted\\"Name")))'],
    ["'org.apache.cassandra.db.marshal.BytesType'", '(custom className=org.apache.cassandra.db.marshal.BytesType)'],
    ['vector<float, 5>', '(vector element=(native name=float) dimension=5)'],
    ['  TIMESTAMP ', '(native name=timestamp)'],
  ];
  for (const [input, expected] of cases) assert.equal(summarize(parseTypeString(input)), expected, input);
  syntaxError(() => parseTypeString('map<int>'), /line 1:7 mismatched input '>' expecting ','/);
  syntaxError(() => parseTypeString('int int'), /expecting EOF/);
  syntaxError(() => parseTypeString(''), /expecting a type/);
});

test('parseStatements splits scripts on ; but not inside BATCH, strings or comments', () => {
  const script = `
    CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};
    -- a comment; with a semicolon
    INSERT INTO ks.t (k, v) VALUES (1, 'a;b');;
    BEGIN BATCH INSERT INTO t (k) VALUES (?); DELETE FROM t WHERE k = ?; APPLY BATCH;
    SELECT * FROM t WHERE k = ?`;
  const out = parseStatements(script);
  assert.deepEqual(out.map((s) => s.statement.kind), ['create_keyspace', 'insert', 'batch', 'select']);
  assert.equal(out[1]!.text, "INSERT INTO ks.t (k, v) VALUES (1, 'a;b')");
  assert.equal(out[2]!.text, 'BEGIN BATCH INSERT INTO t (k) VALUES (?); DELETE FROM t WHERE k = ?; APPLY BATCH');
  // Markers are numbered per statement.
  assert.deepEqual(out[2]!.statement.bindMarkers.map((b) => b.index), [0, 1]);
  assert.deepEqual(out[3]!.statement.bindMarkers.map((b) => b.index), [0]);
  assert.deepEqual(parseStatements(' ;; -- nothing\n'), []);
  syntaxError(() => parseStatements('SELECT * FROM t SELECT * FROM u'), /line 1:16 mismatched input 'SELECT' expecting ';'/);
});

test('spans point at the statement, terms and relations', () => {
  const text = "SELECT a FROM t WHERE k = 'x' AND c > 5";
  const s = parseStatement(text) as SelectStatement;
  assert.deepEqual(s.span, { start: 0, end: text.length });
  const [r0, r1] = s.where;
  assert.equal(text.slice(r0!.span.start, r0!.span.end), "k = 'x'");
  assert.equal(text.slice(r1!.span.start, r1!.span.end), 'c > 5');
  assert.ok(r0!.kind === 'compare');
  assert.equal(text.slice(r0.value.span.start, r0.value.span.end), "'x'");
  const withSemicolon = parseStatement('  USE ks ; ');
  assert.deepEqual(withSemicolon.span, { start: 2, end: 8 });
});

test('batch children carry their own slice of the batch markers', () => {
  const s = parseStatement('BEGIN BATCH INSERT INTO t (a, b) VALUES (?, :x); UPDATE t SET v = ? WHERE k = :y APPLY BATCH');
  assert.ok(s.kind === 'batch');
  assert.deepEqual(s.bindMarkers.map((b) => [b.index, b.name]), [[0, undefined], [1, 'x'], [2, undefined], [3, 'y']]);
  assert.deepEqual(s.statements[0]!.bindMarkers.map((b) => b.index), [0, 1]);
  assert.deepEqual(s.statements[1]!.bindMarkers.map((b) => b.index), [2, 3]);
  assert.equal(s.statements[1]!.span.start, 'BEGIN BATCH INSERT INTO t (a, b) VALUES (?, :x); '.length);
});

test('negative numbers fold into literals, subtraction stays binary', () => {
  const ins = parseStatement('INSERT INTO t (a, b, c, d) VALUES (-5, 3 - 1, 3 -1, -x(1))') as InsertStatement;
  assert.ok(ins.values.kind === 'values');
  const [a, b, c, d] = ins.values.values as [Term, Term, Term, Term];
  assert.deepEqual(a.kind === 'literal' && a.value, { kind: 'integer', text: '-5' });
  assert.equal(b.kind, 'binary');
  assert.equal(c.kind, 'binary');
  assert.equal(d.kind, 'negate');
});

test('nesting depth and text length are bounded with syntax errors', () => {
  const deepList = `SELECT * FROM t WHERE k = ${'['.repeat(CQL_NESTING_DEPTH_MAX + 5)}1${']'.repeat(CQL_NESTING_DEPTH_MAX + 5)}`;
  syntaxError(() => parseStatement(deepList), /nesting deeper than the maximum of 64/);
  const deepType = `CREATE TABLE t (k ${'list<'.repeat(200)}int${'>'.repeat(200)} PRIMARY KEY)`;
  syntaxError(() => parseStatement(deepType), /nesting deeper/);
  const deepNeg = `SELECT * FROM t WHERE k = ${'- '.repeat(10_000)}1`;
  syntaxError(() => parseStatement(deepNeg), /nesting deeper/);
  const deepParen = `SELECT ${'('.repeat(10_000)}a FROM t`;
  syntaxError(() => parseStatement(deepParen), /nesting deeper/);
  const longSum = `SELECT * FROM t WHERE k = ${Array(200).fill('1').join(' + ')}`;
  syntaxError(() => parseStatement(longSum), /nesting deeper/);
  const longProduct = `SELECT ${Array(200).fill('a').join(' * ')} FROM t`;
  syntaxError(() => parseStatement(longProduct), /nesting deeper/);
  assert.equal(parseStatement(`SELECT * FROM t WHERE k = ${Array(30).fill('1').join(' + ')}`).kind, 'select');
  const okDepth = `SELECT * FROM t WHERE k = ${'['.repeat(20)}1${']'.repeat(20)}`;
  assert.equal(parseStatement(okDepth).kind, 'select');
  syntaxError(() => tokenize(' '.repeat(CQL_TEXT_LENGTH_MAX + 1)), /exceeds the maximum/);
});

test('every statement kind parses from at least one example', () => {
  const examples = [
    'SELECT * FROM t', 'INSERT INTO t (k) VALUES (1)', 'UPDATE t SET v = 1 WHERE k = 1', 'DELETE FROM t WHERE k = 1',
    'BEGIN BATCH APPLY BATCH', "CREATE KEYSPACE k WITH replication = {'class': 'SimpleStrategy'}",
    'ALTER KEYSPACE k WITH durable_writes = false', 'DROP KEYSPACE k', 'USE k', 'CREATE TABLE t (k int PRIMARY KEY)',
    'ALTER TABLE t ADD v int', 'DROP TABLE t', 'TRUNCATE t', 'CREATE TYPE u (a int)', 'ALTER TYPE u ADD b int',
    'DROP TYPE u', 'CREATE INDEX ON t (v)', 'DROP INDEX i',
    'CREATE MATERIALIZED VIEW v AS SELECT * FROM t WHERE k IS NOT NULL PRIMARY KEY (k)',
    'ALTER MATERIALIZED VIEW v WITH comment = \'\'', 'DROP MATERIALIZED VIEW v',
    "CREATE FUNCTION f (a int) CALLED ON NULL INPUT RETURNS int LANGUAGE java AS 'return a;'", 'DROP FUNCTION f',
    'CREATE AGGREGATE a (int) SFUNC f STYPE int', 'DROP AGGREGATE a', 'CREATE ROLE r', 'ALTER ROLE r WITH LOGIN = true',
    'DROP ROLE r', 'CREATE USER u', 'ALTER USER u SUPERUSER', 'DROP USER u', 'GRANT r TO u', 'REVOKE r FROM u',
    'GRANT ALL ON ALL KEYSPACES TO r', 'REVOKE ALL ON ALL KEYSPACES FROM r', 'LIST ROLES', 'LIST USERS', 'LIST ALL',
  ];
  const kinds = new Set<Statement['kind']>();
  for (const e of examples) kinds.add(parseStatement(e).kind);
  const all: Record<Statement['kind'], true> = {
    select: true, insert: true, update: true, delete: true, batch: true, create_keyspace: true, alter_keyspace: true,
    drop_keyspace: true, use: true, create_table: true, alter_table: true, drop_table: true, truncate: true,
    create_type: true, alter_type: true, drop_type: true, create_index: true, drop_index: true,
    create_materialized_view: true, alter_materialized_view: true, drop_materialized_view: true,
    create_function: true, drop_function: true, create_aggregate: true, drop_aggregate: true, create_role: true,
    alter_role: true, drop_role: true, create_user: true, alter_user: true, drop_user: true, grant_role: true,
    revoke_role: true, grant_permission: true, revoke_permission: true, list_roles: true, list_users: true,
    list_permissions: true,
  };
  assert.deepEqual([...kinds].sort(), Object.keys(all).sort());
});

test('lexer: tokens for tricky inputs', () => {
  const types = (s: string) => tokenize(s).map((t) => `${t.type}:${t.value}`);
  assert.deepEqual(types('s[1..3]'), ['ident:s', 'punct:[', 'integer:1', 'punct:..', 'integer:3', 'punct:]', 'eof:<EOF>']);
  assert.deepEqual(types('a<=b>=c!=d+=1-=2'), ['ident:a', 'punct:<=', 'ident:b', 'punct:>=', 'ident:c', 'punct:!=', 'ident:d', 'punct:+=', 'integer:1', 'punct:-=', 'integer:2', 'eof:<EOF>']);
  assert.deepEqual(types('12abc'), ['integer:12', 'ident:abc', 'eof:<EOF>']);
  assert.deepEqual(types('3h 4µs 5us'), ['duration:3h', 'duration:4µs', 'duration:5us', 'eof:<EOF>']);
  assert.deepEqual(types('deadbeef-dead-beef-dead-beefdeadbeef'), ['uuid:deadbeef-dead-beef-dead-beefdeadbeef', 'eof:<EOF>']);
  assert.deepEqual(types('deadbeef - 1'), ['ident:deadbeef', 'punct:-', 'integer:1', 'eof:<EOF>']);
  assert.deepEqual(types("'a''b' $$c'd$$"), ["string:a'b", "string:c'd", 'eof:<EOF>']);
});
