// Prepared SELECTs answered inline (QueryProcessor.selectInline: the coordinator's and storage's
// readSync, no promise) against the general path: random data (TTLs live and expiring, static
// columns, collections, row/range/partition/cell deletions, some of it flushed to SSTables), then
// every statement shape with random values, page sizes, "now" and protocol versions, paged to the
// end through both processors: every page must be deep-equal, paging states included.
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { harness, params, INFO, int, text, asRows, newClient, type Harness } from './_harness.js';
import { VOID_RESPONSE, type ClientState, type ResultResponse } from '../../src/protocol/handler.js';
import type { BoundValue, QueryParameters } from '../../src/protocol/messages.js';
import type { QueryProcessor } from '../../src/server/query/mod.js';

const SCHEMA = [
  "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
  'CREATE TABLE ks.t (p int, c int, d text, s int static, v int, w text, l list<int>, m map<text, int>, PRIMARY KEY (p, c, d)) WITH CLUSTERING ORDER BY (c DESC, d ASC)',
  'CREATE TABLE ks.kv (k int PRIMARY KEY, v int, w text)',
  'CREATE TABLE ks.ck (a int, b text, c int, v int, PRIMARY KEY ((a, b), c))',
];

type Gen = (p: number, r: Rand) => BoundValue[];
interface Rand { c(): number; d(): string; n(): number }

/** Statement shapes, inline-eligible or not (the general path answers the others in both processors). */
const SELECTS: [string, Gen][] = [
  ['SELECT * FROM ks.t WHERE p = ?', (p) => [int(p)]],
  ['SELECT v, w FROM ks.t WHERE p = ? AND c = ?', (p, r) => [int(p), int(r.c())]],
  ['SELECT c, d, v, s FROM ks.t WHERE p = ? AND c >= ? AND c < ?', (p, r) => [int(p), int(r.c()), int(r.c())]],
  ['SELECT * FROM ks.t WHERE p = ? ORDER BY c ASC, d DESC', (p) => [int(p)]],
  ['SELECT c, v FROM ks.t WHERE p = ? LIMIT ?', (p, r) => [int(p), int(r.n())]],
  ['SELECT c, d, v FROM ks.t WHERE p = ? PER PARTITION LIMIT ?', (p, r) => [int(p), int(r.n())]],
  ['SELECT s FROM ks.t WHERE p = ?', (p) => [int(p)]],
  ['SELECT p, s FROM ks.t WHERE p = ?', (p) => [int(p)]],
  ['SELECT DISTINCT p, s FROM ks.t WHERE p = ?', (p) => [int(p)]],
  ['SELECT writetime(v), ttl(v), v FROM ks.t WHERE p = ? AND c = ? AND d = ?', (p, r) => [int(p), int(r.c()), text(r.d())]],
  ['SELECT * FROM ks.t WHERE p = ? AND (c, d) > (?, ?)', (p, r) => [int(p), int(r.c()), text(r.d())]],
  ['SELECT c, d FROM ks.t WHERE p = ? AND c IN (?, ?)', (p, r) => [int(p), int(r.c()), int(r.c())]],
  ['SELECT c, v FROM ks.t WHERE p = ? AND v > ? ALLOW FILTERING', (p, r) => [int(p), int(r.n())]],
  ['SELECT JSON c, v, l, m FROM ks.t WHERE p = ?', (p) => [int(p)]],
  ['SELECT l, m FROM ks.t WHERE p = ? AND c = ?', (p, r) => [int(p), int(r.c())]],
  ['SELECT count(*) FROM ks.t WHERE p = ?', (p) => [int(p)]],
  ['SELECT * FROM ks.t WHERE p IN (?, ?)', (p) => [int(p), int(p + 1)]],
  ['SELECT v, w FROM ks.kv WHERE k = ?', (p) => [int(p)]],
  ['SELECT * FROM ks.ck WHERE a = ? AND b = ?', (p, r) => [int(p), text(r.d())]],
];

type Write = { stmt: string; values: (p: number, r: Rand, ts: number, ttl: number) => BoundValue[] };
const WRITES: Write[] = [
  { stmt: 'INSERT INTO ks.t (p, c, d, v, w, l) VALUES (?, ?, ?, ?, ?, [1, 2]) USING TIMESTAMP ? AND TTL ?', values: (p, r, ts, ttl) => [int(p), int(r.c()), text(r.d()), int(r.n()), text(`w${r.n()}`), bigint(ts), int(ttl)] },
  { stmt: 'UPDATE ks.t USING TIMESTAMP ? AND TTL ? SET v = ? WHERE p = ? AND c = ? AND d = ?', values: (p, r, ts, ttl) => [bigint(ts), int(ttl), int(r.n()), int(p), int(r.c()), text(r.d())] },
  { stmt: 'UPDATE ks.t USING TIMESTAMP ? AND TTL ? SET s = ? WHERE p = ?', values: (p, r, ts, ttl) => [bigint(ts), int(ttl), int(r.n()), int(p)] },
  { stmt: 'UPDATE ks.t USING TIMESTAMP ? SET m[?] = ? WHERE p = ? AND c = ? AND d = ?', values: (p, r, ts) => [bigint(ts), text(r.d()), int(r.n()), int(p), int(r.c()), text(r.d())] },
  { stmt: 'DELETE FROM ks.t USING TIMESTAMP ? WHERE p = ? AND c = ? AND d = ?', values: (p, r, ts) => [bigint(ts), int(p), int(r.c()), text(r.d())] },
  { stmt: 'DELETE FROM ks.t USING TIMESTAMP ? WHERE p = ? AND c >= ?', values: (p, r, ts) => [bigint(ts), int(p), int(r.c())] },
  { stmt: 'DELETE FROM ks.t USING TIMESTAMP ? WHERE p = ?', values: (p, _r, ts) => [bigint(ts), int(p)] },
  { stmt: 'DELETE v FROM ks.t USING TIMESTAMP ? WHERE p = ? AND c = ? AND d = ?', values: (p, r, ts) => [bigint(ts), int(p), int(r.c()), text(r.d())] },
  { stmt: 'INSERT INTO ks.kv (k, v, w) VALUES (?, ?, ?) USING TIMESTAMP ? AND TTL ?', values: (p, r, ts, ttl) => [int(p), int(r.n()), text(r.d()), bigint(ts), int(ttl)] },
  { stmt: 'INSERT INTO ks.ck (a, b, c, v) VALUES (?, ?, ?, ?) USING TIMESTAMP ?', values: (p, r, ts) => [int(p), text(r.d()), int(r.c()), int(r.n()), bigint(ts)] },
];

function bigint(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return b;
}

/** Deterministic choices from a fast-check seed. */
function rand(seed: number): Rand {
  let x = seed >>> 0 || 1;
  const next = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
  return { c: () => next() % 6, d: () => ['a', 'b', 'c'][next() % 3]!, n: () => 1 + (next() % 4) };
}

type Op = { k: 'write'; w: number; p: number; seed: number; ts: number; ttl: number } | { k: 'flush' };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ k: fc.constant('write' as const), w: fc.integer({ min: 0, max: WRITES.length - 1 }), p: fc.integer({ min: 0, max: 2 }),
    seed: fc.integer(), ts: fc.integer({ min: 1, max: 30 }), ttl: fc.constantFrom(0, 0, 1000, 100_000) }) },
  { weight: 1, arbitrary: fc.constant({ k: 'flush' as const }) },
);
const queryArb = fc.record({
  s: fc.integer({ min: 0, max: SELECTS.length - 1 }), p: fc.integer({ min: 0, max: 3 }), seed: fc.integer(),
  pageSize: fc.constantFrom<number | null>(null, 1, 2, 3, 100), later: fc.boolean(), v4: fc.boolean(),
});

function prepareBoth(h: Harness, client: ClientState, cql: string): Promise<[Buffer, Buffer]> {
  const one = async (qp: QueryProcessor) => {
    const r = await qp.prepare({ opcode: 'PREPARE', query: cql, keyspace: null }, client, INFO);
    return (r.result as { id: Buffer }).id;
  };
  return Promise.all([one(h.qp), one(h.general)]);
}

function executeThen(qp: QueryProcessor, client: ClientState, id: Buffer, p: QueryParameters): Promise<ResultResponse> {
  return new Promise((resolve, reject) => qp.executeThen({ opcode: 'EXECUTE', id, resultMetadataId: null, params: p }, client, INFO,
    (error, response) => (error === undefined ? resolve(response ?? VOID_RESPONSE) : reject(error))));
}

async function outcome(run: () => Promise<ResultResponse>): Promise<ResultResponse | { error: string }> {
  try {
    return await run();
  } catch (e) {
    return { error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
}

test('prepared SELECTs answered inline give the general path\'s pages (random data, shapes, paging)', { timeout: 900_000 }, async () => {
  const h = await harness();
  const v5 = newClient();
  const v4 = { ...newClient(), protocolVersion: 4 };
  let base = 0;
  try {
    for (const cql of SCHEMA) await h.q(cql);
    const writes = await Promise.all(WRITES.map(async (w) => (await h.qp.prepare({ opcode: 'PREPARE', query: w.stmt, keyspace: null }, v5, INFO)).result as { id: Buffer }));
    const selects = await Promise.all(SELECTS.map(([cql]) => prepareBoth(h, v5, cql)));
    await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), fc.array(queryArb, { minLength: 1, maxLength: 12 }), async (ops, queries) => {
      base += 10; // each run has partitions of its own
      for (const op of ops) {
        if (op.k === 'flush') { await h.storage.flush(); continue; }
        const w = WRITES[op.w]!;
        await h.qp.execute({ opcode: 'EXECUTE', id: writes[op.w]!.id, resultMetadataId: null, params: params({}, w.values(base + op.p, rand(op.seed), op.ts, op.ttl)) }, v5, INFO);
      }
      const nowSec = Math.floor(Date.now() / 1000);
      for (const q of queries) {
        const [inlineId, generalId] = selects[q.s]!;
        const values = SELECTS[q.s]![1](base + q.p, rand(q.seed));
        const client = q.v4 ? v4 : v5;
        let state: Buffer | null = null;
        for (let page = 0; page < 60; page++) {
          const p = params({ pageSize: q.pageSize, pagingState: state, nowInSeconds: q.later ? nowSec + 1_000_000 : nowSec }, values);
          const inline = await outcome(() => (page % 2 === 0 ? executeThen(h.qp, client, inlineId, p) : h.qp.execute({ opcode: 'EXECUTE', id: inlineId, resultMetadataId: null, params: p }, client, INFO)));
          const general = await outcome(() => h.general.execute({ opcode: 'EXECUTE', id: generalId, resultMetadataId: null, params: p }, client, INFO));
          assert.deepEqual(inline, general, `${SELECTS[q.s]![0]} page ${page}`);
          if ('error' in inline) break;
          state = asRows(inline).pagingState;
          if (state === null) break;
        }
      }
    }), { numRuns: 25, endOnFailure: true });
    assert.ok(h.qp.selectsInline > 100, `selects answered inline: ${h.qp.selectsInline}`);
    assert.equal(h.general.selectsInline, 0);
  } finally {
    await h.close();
  }
});

test('the inline path is taken for a prepared single-partition SELECT, and only where it applies', async () => {
  const h = await harness();
  const client = newClient();
  try {
    for (const cql of SCHEMA) await h.q(cql);
    await h.q('INSERT INTO ks.kv (k, v, w) VALUES (1, 10, \'x\')');
    const prepare = async (cql: string) => ((await h.qp.prepare({ opcode: 'PREPARE', query: cql, keyspace: null }, client, INFO)).result as { id: Buffer }).id;
    const point = await prepare('SELECT v, w FROM ks.kv WHERE k = ?');
    const range = await prepare('SELECT v FROM ks.kv');
    const many = await prepare('SELECT v FROM ks.kv WHERE k IN (?, ?)');
    const count = async (id: Buffer, values: BoundValue[], opts: Partial<QueryParameters> = {}) => {
      const before = h.qp.selectsInline;
      const r = asRows(await executeThen(h.qp, client, id, params(opts, values)));
      return { inline: h.qp.selectsInline - before, rows: r.rows.length };
    };
    assert.deepEqual(await count(point, [int(1)]), { inline: 1, rows: 1 });
    assert.deepEqual(await count(point, [int(2)]), { inline: 1, rows: 0 });
    assert.deepEqual(await count(range, []), { inline: 0, rows: 1 });
    assert.deepEqual(await count(many, [int(1), int(2)]), { inline: 0, rows: 1 });
    // QUORUM on one node with RF 1 is still one local answer: inline.
    assert.deepEqual(await count(point, [int(1)], { consistency: 'QUORUM' }), { inline: 1, rows: 1 });
    // Errors come as the general path's: a null key.
    await assert.rejects(executeThen(h.qp, client, point, params({}, [null])), /Invalid null value/);
    // After a flush the data is read from the SSTable, still inline (its pages are in the page cache).
    await h.storage.flush();
    const after = await count(point, [int(1)]);
    assert.equal(after.rows, 1);
    assert.equal(after.inline + h.qp.selectsInlineFallBack > 0, true);
    assert.ok(h.storage.metrics().readsSync >= 4);
  } finally {
    await h.close();
  }
});

test('a partition with only a live static row and a clustering restriction ends the page (was an endless loop at page size 1)', { timeout: 30_000 }, async () => {
  const h = await harness();
  const client = newClient();
  try {
    for (const cql of SCHEMA) await h.q(cql);
    await h.q('UPDATE ks.t SET s = 1 WHERE p = 5');
    await h.q("INSERT INTO ks.t (p, c, d, v) VALUES (6, 1, 'a', 1)");
    await h.q("INSERT INTO ks.t (p, c, d, v) VALUES (6, 1, 'b', 2)");
    await h.q("DELETE FROM ks.t WHERE p = 6 AND c = 1 AND d = 'b'");
    await h.q('UPDATE ks.t SET s = 2 WHERE p = 6');
    const id = ((await h.qp.prepare({ opcode: 'PREPARE', query: 'SELECT v FROM ks.t WHERE p = ? AND c = ?', keyspace: null }, client, INFO)).result as { id: Buffer }).id;
    for (const pageSize of [1, 2, null]) {
      // General path (QUERY) and inline path (EXECUTE): no rows for p = 5, one row for p = 6 then the end.
      assert.equal(asRows(await h.q('SELECT v FROM ks.t WHERE p = ? AND c = ?', [int(5), int(1)], { pageSize })).rows.length, 0);
      assert.equal(asRows(await executeThen(h.qp, client, id, params({ pageSize }, [int(5), int(1)]))).rows.length, 0);
      let state: Buffer | null = null;
      let rows = 0;
      for (let page = 0; page < 5; page++) {
        const r = asRows(await executeThen(h.qp, client, id, params({ pageSize, pagingState: state }, [int(6), int(1)])));
        rows += r.rows.length;
        state = r.pagingState;
        if (state === null) break;
      }
      assert.equal(rows, 1);
      assert.equal(state, null);
    }
  } finally {
    await h.close();
  }
});
