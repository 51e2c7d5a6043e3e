import test from 'node:test';
import assert from 'node:assert/strict';
import { parseCommand, parseQualifiedName, type Command } from './commands.js';

const cases: Array<[string, Command]> = [
  ['SELECT * FROM t', { kind: 'cql', text: 'SELECT * FROM t' }],
  ['use ks;', { kind: 'cql', text: 'use ks' }],
  ['DESCRIBE KEYSPACES', { kind: 'describe', target: { kind: 'keyspaces' } }],
  ['desc keyspace', { kind: 'describe', target: { kind: 'keyspace' } }],
  ['DESC KEYSPACE "MyKs"', { kind: 'describe', target: { kind: 'keyspace', keyspace: 'MyKs' } }],
  ['describe tables', { kind: 'describe', target: { kind: 'tables' } }],
  ['DESCRIBE TABLE ks.T1', { kind: 'describe', target: { kind: 'table', keyspace: 'ks', name: 't1' } }],
  ['DESCRIBE COLUMNFAMILY "Tab"', { kind: 'describe', target: { kind: 'table', name: 'Tab' } }],
  ['DESCRIBE TYPES', { kind: 'describe', target: { kind: 'types' } }],
  ['DESCRIBE TYPE ks.address', { kind: 'describe', target: { kind: 'type', keyspace: 'ks', name: 'address' } }],
  ['DESCRIBE CLUSTER', { kind: 'describe', target: { kind: 'cluster' } }],
  ['DESCRIBE SCHEMA', { kind: 'describe', target: { kind: 'schema', full: false } }],
  ['DESCRIBE FULL SCHEMA', { kind: 'describe', target: { kind: 'schema', full: true } }],
  ['DESCRIBE ks.t', { kind: 'describe', target: { kind: 'object', keyspace: 'ks', name: 't' } }],
  ['CONSISTENCY', { kind: 'consistency' }],
  ['consistency local_quorum', { kind: 'consistency', level: 'LOCAL_QUORUM' }],
  ['SERIAL CONSISTENCY', { kind: 'serial_consistency' }],
  ['serial consistency local_serial;', { kind: 'serial_consistency', level: 'LOCAL_SERIAL' }],
  ['TRACING', { kind: 'tracing', setting: { kind: 'show' } }],
  ['tracing on', { kind: 'tracing', setting: { kind: 'set', on: true } }],
  ['EXPAND OFF', { kind: 'expand', setting: { kind: 'set', on: false } }],
  ['PAGING', { kind: 'paging', setting: { kind: 'show' } }],
  ['PAGING off', { kind: 'paging', setting: { kind: 'set', on: false } }],
  ['PAGING 50', { kind: 'paging', setting: { kind: 'size', pageSize: 50 } }],
  ["SOURCE '/tmp/it''s.cql'", { kind: 'source', file: "/tmp/it's.cql" }],
  ['SHOW VERSION', { kind: 'show', what: 'version' }],
  ['show host', { kind: 'show', what: 'host' }],
  ['HELP', { kind: 'help' }],
  ['help describe', { kind: 'help', topic: 'DESCRIBE' }],
  ['exit', { kind: 'exit' }],
  ['QUIT;', { kind: 'exit' }],
  ['CLEAR', { kind: 'clear' }],
];

for (const [input, want] of cases) {
  test(`parseCommand: ${input}`, () => assert.deepEqual(parseCommand(input), want));
}

test('parseCommand: malformed shell commands are invalid with a message', () => {
  for (const input of ['CONSISTENCY BOGUS', 'SERIAL CONSISTENCY ONE', 'TRACING maybe', 'PAGING 0', 'PAGING abc', 'SOURCE file',
    'SHOW TABLES', 'DESCRIBE', 'DESCRIBE TABLE', 'DESCRIBE FULL TABLES', 'EXPAND ON OFF']) {
    const c = parseCommand(input);
    assert.equal(c.kind, 'invalid', input);
    assert.ok(c.kind === 'invalid' && c.message.startsWith('Improper'), input);
  }
});

test('parseQualifiedName handles quotes and rejects junk', () => {
  assert.deepEqual(parseQualifiedName('"A.b"."C"'), { keyspace: 'A.b', name: 'C' });
  assert.deepEqual(parseQualifiedName('Ks.T'), { keyspace: 'ks', name: 't' });
  assert.equal(parseQualifiedName('a.b.c'), undefined);
  assert.equal(parseQualifiedName(''), undefined);
});
