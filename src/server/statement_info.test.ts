import test from 'node:test';
import assert from 'node:assert/strict';
import { StatementInfoCache } from './statement_info.js';

test('statement info: audit category, type, keyspace, table and LWT for each kind of statement', () => {
  const cache = new StatementInfoCache();
  const cases: Array<[string, { category: string; type: string; keyspace: string | null; table: string | null; conditional: boolean } | null]> = [
    ['SELECT * FROM ks.t WHERE p = 1', { category: 'QUERY', type: 'SELECT', keyspace: 'ks', table: 't', conditional: false }],
    ['SELECT * FROM t', { category: 'QUERY', type: 'SELECT', keyspace: null, table: 't', conditional: false }],
    ['INSERT INTO ks.t (p) VALUES (1)', { category: 'DML', type: 'UPDATE', keyspace: 'ks', table: 't', conditional: false }],
    ['INSERT INTO ks.t (p) VALUES (1) IF NOT EXISTS', { category: 'DML', type: 'UPDATE', keyspace: 'ks', table: 't', conditional: true }],
    ['UPDATE ks.t SET v = 1 WHERE p = 1 IF v = 2', { category: 'DML', type: 'UPDATE', keyspace: 'ks', table: 't', conditional: true }],
    ['DELETE FROM ks.t WHERE p = 1', { category: 'DML', type: 'DELETE', keyspace: 'ks', table: 't', conditional: false }],
    ['BEGIN BATCH INSERT INTO ks.t (p) VALUES (1); DELETE FROM ks.t WHERE p = 2; APPLY BATCH', { category: 'DML', type: 'BATCH', keyspace: 'ks', table: null, conditional: false }],
    ['TRUNCATE ks.t', { category: 'DDL', type: 'TRUNCATE', keyspace: 'ks', table: 't', conditional: false }],
    ["CREATE KEYSPACE k2 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}", { category: 'DDL', type: 'CREATE_KEYSPACE', keyspace: 'k2', table: null, conditional: false }],
    ['CREATE TABLE ks.t2 (p int PRIMARY KEY)', { category: 'DDL', type: 'CREATE_TABLE', keyspace: 'ks', table: 't2', conditional: false }],
    ['USE ks', { category: 'QUERY', type: 'USE_KEYSPACE', keyspace: 'ks', table: null, conditional: false }],
    ['SELEC nonsense', null],
  ];
  for (const [cql, want] of cases) assert.deepEqual(cache.of(cql), want, cql);
});

test('statement info cache is bounded (oldest evicted)', () => {
  const cache = new StatementInfoCache(2);
  cache.of('SELECT * FROM a');
  cache.of('SELECT * FROM b');
  cache.of('SELECT * FROM c');
  const size = (cache as unknown as { byText: Map<string, unknown> }).byText.size;
  assert.equal(size, 2);
});
