import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StatementSplitter, splitStatements } from './split.js';

const cases: Array<{ name: string; input: string; want: Array<[string, number]> }> = [
  { name: 'one statement', input: 'SELECT * FROM t;', want: [['SELECT * FROM t', 1]] },
  { name: 'two on a line', input: 'SELECT 1; SELECT 2;', want: [['SELECT 1', 1], ['SELECT 2', 1]] },
  { name: 'multi-line', input: 'SELECT *\nFROM t\nWHERE k = 1;', want: [['SELECT *\nFROM t\nWHERE k = 1', 1]] },
  { name: 'semicolon in string', input: "INSERT INTO t (k, v) VALUES (1, 'a;b');", want: [["INSERT INTO t (k, v) VALUES (1, 'a;b')", 1]] },
  { name: 'escaped quote in string', input: "SELECT 'it''s;' FROM t;", want: [["SELECT 'it''s;' FROM t", 1]] },
  { name: 'quoted identifier', input: 'SELECT "a;b" FROM t;', want: [['SELECT "a;b" FROM t', 1]] },
  { name: 'line comments', input: '-- hello;\nSELECT 1; // x;\n', want: [['SELECT 1', 2]] },
  { name: 'block comment', input: '/* a; b\n c; */ SELECT /* ; */ 1;', want: [['SELECT   1', 2]] },
  { name: 'dollar block', input: 'CREATE FUNCTION f() RETURNS NULL ON NULL INPUT RETURNS int LANGUAGE java AS $$ return 1; $$;',
    want: [['CREATE FUNCTION f() RETURNS NULL ON NULL INPUT RETURNS int LANGUAGE java AS $$ return 1; $$', 1]] },
  { name: 'string across lines', input: "INSERT INTO t (k, v) VALUES (1, 'a\n;b');", want: [["INSERT INTO t (k, v) VALUES (1, 'a\n;b')", 1]] },
  { name: 'batch keeps inner semicolons', input: 'BEGIN BATCH\nINSERT INTO t (k) VALUES (1);\nINSERT INTO t (k) VALUES (2);\nAPPLY BATCH;\nSELECT 1;',
    want: [['BEGIN BATCH\nINSERT INTO t (k) VALUES (1);\nINSERT INTO t (k) VALUES (2);\nAPPLY BATCH', 1], ['SELECT 1', 5]] },
  { name: 'unlogged batch', input: 'begin unlogged batch insert into t (k) values (1); apply batch;',
    want: [['begin unlogged batch insert into t (k) values (1); apply batch', 1]] },
  { name: 'shell command ends at newline', input: 'DESCRIBE KEYSPACES\nexpand on\nSELECT 1\n;', want: [['DESCRIBE KEYSPACES', 1], ['expand on', 2], ['SELECT 1', 3]] },
  { name: 'empty statements skipped', input: ';;\n  ;\nSELECT 1;', want: [['SELECT 1', 3]] },
  { name: 'unterminated rest at end', input: 'SELECT 1', want: [['SELECT 1', 1]] },
  { name: 'comment-only input', input: '-- nothing\n/* here */', want: [] },
];

for (const c of cases) {
  test(`splitStatements: ${c.name}`, () => {
    assert.deepEqual(splitStatements(c.input).map((s) => [s.text, s.line]), c.want);
  });
}

test('StatementSplitter.pending reports open statements, strings and comments', () => {
  const s = new StatementSplitter();
  assert.equal(s.pending(), false);
  assert.deepEqual(s.feedLine('SELECT *'), []);
  assert.equal(s.pending(), true);
  assert.deepEqual(s.feedLine('FROM t;').map((x) => x.text), ['SELECT *\nFROM t']);
  assert.equal(s.pending(), false);
  s.feedLine("INSERT INTO t (k, v) VALUES (1, 'open");
  assert.equal(s.pending(), true);
  s.reset();
  assert.equal(s.pending(), false);
  s.feedLine('/* open comment');
  assert.equal(s.pending(), true);
  s.feedLine('closed */');
  assert.equal(s.pending(), false);
});

test('splitting is independent of where lines break between statements', () => {
  const statements = ['SELECT 1', "INSERT INTO t (k, v) VALUES (1, 'x;y')", 'SELECT "q;" FROM t'];
  fc.assert(fc.property(fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), (breaks) => {
    const input = statements.map((s, i) => s + ';' + (breaks[i] ? '\n' : ' ')).join('');
    assert.deepEqual(splitStatements(input).map((s) => s.text), statements);
  }));
});

test('a random string never crashes the splitter and never loses statement text', () => {
  fc.assert(fc.property(fc.string({ maxLength: 60 }), (input) => {
    const out = splitStatements(input);
    for (const s of out) assert.ok(s.text.length > 0 && s.line >= 1);
  }));
});
