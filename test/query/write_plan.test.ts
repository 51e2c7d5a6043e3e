// Prepared single-row writes bound by a WritePlan (src/server/query/_write_plan.ts) against the
// general path: the same statement and values sent as QUERY (general path) and as EXECUTE of the
// prepared statement (write plan) must give deep-equal PartitionUpdates or the same error.

import test from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeEnv } from '../../src/env/node/mod.js';
import { createStorage } from '../../src/storage/mod.js';
import type { PartitionUpdate, ReadCommand, ReadResult } from '../../src/storage/data.js';
import { SchemaManager } from '../../src/coordinator/schema/mod.js';
import { QueryProcessor, type QueryCoordinator } from '../../src/server/query/mod.js';
import { VOID_RESPONSE } from '../../src/protocol/handler.js';
import type { KeyspaceMetadata } from '../../src/schema/metadata.js';
import { UNSET, type BoundValue, type QueryParameters } from '../../src/protocol/messages.js';
import type { ConsistencyName } from '../../src/util/errors.js';
import { INFO, newClient, params, int, text } from './_harness.js';

const HOST_ID = '11111111-2222-4333-8444-555555555555';

interface Recorded { via: 'write' | 'writeThen'; updates: PartitionUpdate[]; cl: ConsistencyName }

/** A coordinator that records each write and acknowledges it. */
class RecordingCoordinator implements QueryCoordinator {
  readonly writes: Recorded[] = [];
  write(_ks: KeyspaceMetadata, updates: PartitionUpdate[], cl: ConsistencyName): Promise<unknown> {
    this.writes.push({ via: 'write', updates, cl });
    return Promise.resolve();
  }
  writeThen(_ks: KeyspaceMetadata, updates: PartitionUpdate[], cl: ConsistencyName, done: (error: unknown) => void): void {
    this.writes.push({ via: 'writeThen', updates, cl });
    queueMicrotask(() => done(undefined));
  }
  read(_ks: KeyspaceMetadata, _cmd: ReadCommand): Promise<ReadResult> {
    return Promise.resolve({ partitions: [], stats: { sstablesRead: 0, tombstonesScanned: 0, liveRowsScanned: 0 }, warnings: [] });
  }
}

async function setup() {
  const env = nodeEnv();
  const dir = join(tmpdir(), `cassia-write-plan-${process.pid}-${Date.now()}`);
  const storage = createStorage({ env, dataDir: join(dir, 'data'), commitlogDir: join(dir, 'commitlog'), hostId: HOST_ID, config: {}, workerThreads: 0 });
  const schema = await SchemaManager.open({ env, dataDir: join(dir, 'schema'), storage });
  await storage.open();
  const coordinator = new RecordingCoordinator();
  const systemTables = { read: (cmd: ReadCommand) => coordinator.read(null as never, cmd) };
  const qp = new QueryProcessor({ schema, coordinator, storage, systemTables, clock: env.clock, random: env.random, hostId: HOST_ID });
  const client = newClient();
  const q = (cql: string, values: BoundValue[] = [], opts: Partial<QueryParameters> = {}) => qp.query({ opcode: 'QUERY', query: cql, params: params(opts, values) }, client, INFO);
  for (const cql of [
    "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
    'CREATE TABLE ks.kv (k int PRIMARY KEY, v blob)',
    'CREATE TABLE ks.wide (p int, c int, v text, w int, PRIMARY KEY (p, c))',
    'CREATE TABLE ks.comp (a int, b text, c int, x int, y text, PRIMARY KEY ((a, b), c)) WITH default_time_to_live = 100',
    'CREATE TABLE ks.st (p int, c int, s int static, v int, PRIMARY KEY (p, c))',
    'CREATE TABLE ks.coll (k int PRIMARY KEY, l list<int>, f frozen<list<int>>)',
    'CREATE TABLE ks.n (k int PRIMARY KEY, c counter)',
  ]) await q(cql);
  const prepare = async (cql: string): Promise<Buffer> => {
    const r = await qp.prepare({ opcode: 'PREPARE', query: cql, keyspace: null }, client, INFO);
    assert.equal(r.result.kind, 'prepared');
    return (r.result as { id: Buffer }).id;
  };
  const execute = (id: Buffer, values: BoundValue[], opts: Partial<QueryParameters> = {}) =>
    qp.execute({ opcode: 'EXECUTE', id, resultMetadataId: null, params: params(opts, values) }, client, INFO);
  /** The callback form (what the transport calls), as a promise. */
  const executeThen = (id: Buffer, values: BoundValue[], opts: Partial<QueryParameters> = {}) => new Promise<unknown>((resolve, reject) => {
    qp.executeThen({ opcode: 'EXECUTE', id, resultMetadataId: null, params: params(opts, values) }, client, INFO,
      (error, response) => (error === undefined ? resolve(response ?? VOID_RESPONSE) : reject(error)));
  });
  return { qp, q, prepare, execute, executeThen, coordinator, close: async () => { await storage.close(); await env.fs.rmrf(dir); } };
}

type Outcome = { updates: PartitionUpdate[]; via: string } | { error: string };

async function outcome(run: () => Promise<unknown>, coordinator: RecordingCoordinator): Promise<Outcome> {
  const before = coordinator.writes.length;
  try {
    await run();
  } catch (e) {
    assert.equal(coordinator.writes.length, before, 'nothing written on error');
    return { error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
  assert.equal(coordinator.writes.length, before + 1);
  const w = coordinator.writes[before]!;
  return { updates: w.updates, via: w.via };
}

const bigint = (n: bigint): Buffer => { const b = Buffer.alloc(8); b.writeBigInt64BE(n); return b; };
const TS = { defaultTimestamp: 1_700_000_000_000_000n, nowInSeconds: 1_700_000_000 };

/** [statement, values, request options]: each compared between the general path and the write plan. */
const CASES: [string, BoundValue[], Partial<QueryParameters>][] = [
  ['INSERT INTO ks.kv (k, v) VALUES (?, ?)', [int(1), Buffer.from('abc')], TS],
  ['INSERT INTO ks.kv (k, v) VALUES (?, ?)', [int(1), null], TS],
  ['INSERT INTO ks.kv (k, v) VALUES (?, ?)', [int(1), UNSET], TS],
  ['INSERT INTO ks.kv (k, v) VALUES (?, ?)', [int(1), Buffer.alloc(0)], TS],
  ['INSERT INTO ks.kv (k, v) VALUES (?, ?)', [null, Buffer.from('x')], TS],
  ['INSERT INTO ks.kv (k, v) VALUES (?, ?)', [UNSET, Buffer.from('x')], TS],
  ['INSERT INTO ks.kv (k, v) VALUES (?, ?)', [Buffer.alloc(0), Buffer.from('x')], TS],
  ['INSERT INTO ks.kv (k, v) VALUES (?, ?)', [Buffer.alloc(3), Buffer.from('x')], TS],
  ['INSERT INTO ks.kv (k, v) VALUES (?, ?)', [int(1), Buffer.from('x')], { ...TS, consistency: 'QUORUM' }],
  ['INSERT INTO ks.kv (k, v) VALUES (?, ?) USING TTL ?', [int(2), Buffer.from('x'), int(50)], TS],
  ['INSERT INTO ks.kv (k, v) VALUES (?, ?) USING TTL ?', [int(2), Buffer.from('x'), null], TS],
  ['INSERT INTO ks.kv (k, v) VALUES (?, ?) USING TTL ?', [int(2), Buffer.from('x'), UNSET], TS],
  ['INSERT INTO ks.kv (k, v) VALUES (?, ?) USING TTL ?', [int(2), Buffer.from('x'), int(-1)], TS],
  ['INSERT INTO ks.kv (k, v) VALUES (?, ?) USING TTL ?', [int(2), Buffer.from('x'), int(700_000_000)], TS],
  ['INSERT INTO ks.kv (k, v) VALUES (?, ?) USING TTL ?', [int(2), null, int(50)], TS],
  ['INSERT INTO ks.kv (k, v) VALUES (?, ?) USING TIMESTAMP ?', [int(3), Buffer.from('x'), bigint(42n)], TS],
  ['INSERT INTO ks.kv (k, v) VALUES (?, ?) USING TIMESTAMP ?', [int(3), Buffer.from('x'), null], TS],
  ['INSERT INTO ks.kv (k, v) VALUES (?, ?) USING TIMESTAMP ?', [int(3), Buffer.from('x'), UNSET], TS],
  ['INSERT INTO ks.kv (k, v) VALUES (?, ?) USING TIMESTAMP ?', [int(3), Buffer.from('x'), int(1)], TS],
  ['INSERT INTO ks.kv (k, v) VALUES (?, ?) USING TIMESTAMP ? AND TTL ?', [int(3), Buffer.from('x'), bigint(7n), int(9)], TS],
  ['INSERT INTO ks.kv (k, v) VALUES (?, ?) USING TTL 10 AND TIMESTAMP 5', [int(3), Buffer.from('x')], TS],
  ['INSERT INTO ks.kv (k) VALUES (?)', [int(4)], TS],
  ['INSERT INTO ks.wide (p, c, v, w) VALUES (?, ?, ?, ?)', [int(1), int(2), text('t'), int(3)], TS],
  ['INSERT INTO ks.wide (p, c, w, v) VALUES (?, ?, ?, ?)', [int(1), int(2), int(3), text('t')], TS],
  ['INSERT INTO ks.wide (p, c, v) VALUES (?, ?, ?)', [int(1), null, text('t')], TS],
  ['INSERT INTO ks.wide (p, c, v) VALUES (?, ?, ?)', [int(1), UNSET, text('t')], TS],
  ['INSERT INTO ks.wide (p, c, v) VALUES (?, ?, ?)', [int(1), int(2), Buffer.from([0xff, 0xfe])], TS],
  ['INSERT INTO ks.wide (p, c, v) VALUES (?, 5, \'lit\')', [int(1)], TS],
  ['INSERT INTO ks.wide (p, c, v) VALUES (?, 5, null)', [int(1)], TS],
  ['UPDATE ks.wide SET w = ?, v = ? WHERE p = ? AND c = ?', [int(9), text('u'), int(1), int(2)], TS],
  ['UPDATE ks.wide SET w = ?, v = ? WHERE p = ? AND c = ?', [int(9), UNSET, int(1), int(2)], TS],
  ['UPDATE ks.wide USING TTL ? SET v = ? WHERE p = ? AND c = ?', [int(5), null, int(1), int(2)], TS],
  ['UPDATE ks.wide SET v = ? WHERE c = ? AND p = ?', [text('u'), int(2), int(1)], TS],
  ['INSERT INTO ks.comp (a, b, c, x, y) VALUES (?, ?, ?, ?, ?)', [int(1), text('b'), int(2), int(3), text('y')], TS],
  ['INSERT INTO ks.comp (a, b, c, x) VALUES (?, ?, ?, ?)', [int(1), Buffer.alloc(0), int(2), int(3)], TS],
  ['INSERT INTO ks.comp (a, b, c, x) VALUES (?, ?, ?, ?) USING TTL ?', [int(1), text('b'), int(2), int(3), int(0)], TS],
  ['INSERT INTO ks.comp (a, b, c, x) VALUES (?, ?, ?, ?)', [int(1), null, int(2), int(3)], TS],
  // Not covered by a write plan (general path either way): static, collections, counters, conditions, deletes.
  ['INSERT INTO ks.st (p, c, s, v) VALUES (?, ?, ?, ?)', [int(1), int(2), int(3), int(4)], TS],
  ['INSERT INTO ks.st (p, s) VALUES (?, ?)', [int(1), int(3)], TS],
  ['INSERT INTO ks.coll (k, l, f) VALUES (?, ?, ?)', [int(1), null, null], TS],
  ['UPDATE ks.n SET c = c + ? WHERE k = ?', [bigint(1n), int(1)], TS],
  ['INSERT INTO ks.kv (k, v) VALUES (?, ?) IF NOT EXISTS', [int(1), Buffer.from('x')], { ...TS, serialConsistency: 'SERIAL' }],
  ['DELETE FROM ks.kv WHERE k = ?', [int(1)], TS],
  ['UPDATE ks.kv SET v = ? WHERE k IN (?, ?)', [Buffer.from('x'), int(1), int(2)], TS],
];

/** Cases from here on are not covered by a write plan. */
const GENERAL_FROM = CASES.findIndex(([cql]) => cql.startsWith('INSERT INTO ks.st'));

test('write plan: the same updates and errors as the general path', async () => {
  const s = await setup();
  try {
    for (const [i, [cql, values, opts]] of CASES.entries()) {
      const general = await outcome(() => s.q(cql, values, opts), s.coordinator);
      const id = await s.prepare(cql);
      const planned = await outcome(() => s.execute(id, values, opts), s.coordinator);
      const callback = await outcome(() => s.executeThen(id, values, opts), s.coordinator);
      assert.deepEqual(callback, planned, `case ${i}: executeThen differs from execute: ${cql}`);
      if ('error' in general) {
        assert.deepEqual(planned, general, `case ${i}: ${cql}`);
        continue;
      }
      assert.ok('updates' in planned, `case ${i}: ${cql}: ${'error' in planned ? planned.error : ''}`);
      assert.deepEqual(planned.updates, general.updates, `case ${i}: ${cql}`);
      assert.equal(planned.via, i < GENERAL_FROM ? 'writeThen' : 'write', `case ${i}: ${cql}`);
    }
  } finally {
    await s.close();
  }
});

test('write plan: default timestamps and now come from the clock when the request gives none', async () => {
  const s = await setup();
  try {
    const id = await s.prepare('INSERT INTO ks.kv (k, v) VALUES (?, ?) USING TTL 60');
    const beforeMicros = Date.now() * 1000;
    const r = await outcome(() => s.execute(id, [int(1), Buffer.from('x')]), s.coordinator);
    const afterMicros = Date.now() * 1000 + 1000;
    assert.ok('updates' in r);
    const row = r.updates[0]!.rows[0]!;
    assert.ok(row.liveness!.timestampMicros >= beforeMicros && row.liveness!.timestampMicros <= afterMicros);
    const expires = row.cells[0]!.localExpirationTimeSec;
    assert.ok(expires >= Math.floor(beforeMicros / 1e6) + 60 && expires <= Math.ceil(afterMicros / 1e6) + 60, `expiry ${expires}`);
    assert.equal(row.cells[0]!.timestampMicros, row.liveness!.timestampMicros);
  } finally {
    await s.close();
  }
});

test('write plan: named values bind like positional ones', async () => {
  const s = await setup();
  try {
    const id = await s.prepare('INSERT INTO ks.kv (k, v) VALUES (:k, :v)');
    const run = (names: string[], values: BoundValue[]) => outcome(() => s.qp.execute({
      opcode: 'EXECUTE', id, resultMetadataId: null, params: { ...params(TS), values: { kind: 'named', names, values } },
    }, newClient(), INFO), s.coordinator);
    const a = await run(['v', 'k'], [Buffer.from('x'), int(1)]);
    const b = await outcome(() => s.execute(id, [int(1), Buffer.from('x')], TS), s.coordinator);
    assert.ok('updates' in a && 'updates' in b);
    assert.deepEqual(a.updates, b.updates);
    assert.deepEqual(await run(['k'], [int(1)]), { error: 'InvalidRequest: No value bound for v' });
  } finally {
    await s.close();
  }
});

test('executeThen: an unknown id is Unprepared, a SELECT and an INSERT answer as execute() does', async () => {
  const s = await setup();
  try {
    await assert.rejects(s.executeThen(Buffer.alloc(16, 7), []), (e: Error) => e.constructor.name === 'Unprepared');
    const id = await s.prepare('SELECT v FROM ks.kv WHERE k = ?');
    assert.deepEqual(await s.executeThen(id, [int(1)]), await s.execute(id, [int(1)]));
    const write = await s.prepare('INSERT INTO ks.kv (k, v) VALUES (?, ?)');
    assert.deepEqual(await s.executeThen(write, [int(1), Buffer.from('x')]), await s.execute(write, [int(1), Buffer.from('x')]));
  } finally {
    await s.close();
  }
});
