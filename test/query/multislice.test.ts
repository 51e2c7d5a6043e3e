// Multi-column slices over clustering columns of mixed ASC/DESC order, checked against a brute-force
// filter that compares tuples lexicographically in each type's natural order (CQL's semantics).

import test from 'node:test';
import assert from 'node:assert/strict';
import { harness } from './_harness.js';

const N = 3;

type Triple = [number, number, number];

function lexCompare(x: number[], y: number[]): number {
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

function holds(row: Triple, op: string, bound: number[]): boolean {
  const r = lexCompare(row.slice(0, bound.length), bound);
  return op === '>' ? r > 0 : op === '>=' ? r >= 0 : op === '<' ? r < 0 : r <= 0;
}

/** Rows in clustering order: a ASC, b DESC, c ASC. */
function clusteringOrder(rows: Triple[]): Triple[] {
  return [...rows].sort((x, y) => x[0] - y[0] || y[1] - x[1] || x[2] - y[2]);
}

test('multi-column slices on mixed ASC/DESC clustering columns match tuple comparison', async () => {
  const h = await harness();
  try {
    await h.q("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    await h.q('USE ks');
    await h.q('CREATE TABLE t (k int, a int, b int, c int, PRIMARY KEY (k, a, b, c)) WITH CLUSTERING ORDER BY (a ASC, b DESC, c ASC)');
    const all: Triple[] = [];
    for (let a = 0; a < N; a++) for (let b = 0; b < N; b++) for (let c = 0; c < N; c++) {
      all.push([a, b, c]);
      await h.q(`INSERT INTO t (k, a, b, c) VALUES (1, ${a}, ${b}, ${c})`);
    }
    const bounds: number[][] = [[1], [1, 1], [1, 1, 1], [0, 2, 0], [2, 0]];
    const lowerOps = ['>', '>='];
    const upperOps = ['<', '<='];
    const columns = (n: number) => ['a', 'b', 'c'].slice(0, n).join(', ');
    const check = async (where: string, keep: (r: Triple) => boolean) => {
      const got = await h.rows(`SELECT a, b, c FROM t WHERE k = 1 AND ${where}`);
      assert.deepEqual(got, clusteringOrder(all.filter(keep)), where);
      const reversed = await h.rows(`SELECT a, b, c FROM t WHERE k = 1 AND ${where} ORDER BY a DESC`);
      assert.deepEqual(reversed, clusteringOrder(all.filter(keep)).reverse(), `${where} ORDER BY a DESC`);
      const paged = await h.rows(`SELECT a, b, c FROM t WHERE k = 1 AND ${where}`, [], { pageSize: 2 });
      assert.equal(paged.length <= 2, true);
    };
    for (const lo of bounds) {
      for (const op of [...lowerOps, ...upperOps]) {
        await check(`(${columns(lo.length)}) ${op} (${lo.join(', ')})`, (r) => holds(r, op, lo));
      }
      for (const hi of bounds) {
        for (const lop of lowerOps) for (const hop of upperOps) {
          await check(`(${columns(lo.length)}) ${lop} (${lo.join(', ')}) AND (${columns(hi.length)}) ${hop} (${hi.join(', ')})`,
            (r) => holds(r, lop, lo) && holds(r, hop, hi));
        }
      }
    }
  } finally {
    await h.close();
  }
});

test('GROUP BY with PER PARTITION LIMIT counts groups per partition, also across pages', async () => {
  const h = await harness();
  try {
    await h.q("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    await h.q('USE ks');
    await h.q('CREATE TABLE g (k int, a int, b int, v int, PRIMARY KEY (k, a, b))');
    for (let k = 0; k < 3; k++) for (let a = 0; a < 4; a++) for (let b = 0; b < 3; b++) await h.q(`INSERT INTO g (k, a, b, v) VALUES (${k}, ${a}, ${b}, 1)`);
    const expected = [0, 1, 2].flatMap((k) => [[k, 0, 3n], [k, 1, 3n]]).sort((x, y) => Number(x[0]) - Number(y[0]));
    const sortByKey = (rows: unknown[][]) => [...rows].sort((x, y) => Number(x[0]) - Number(y[0]) || Number(x[1]) - Number(y[1]));
    assert.deepEqual(sortByKey(await h.rows('SELECT k, a, count(*) FROM g GROUP BY k, a PER PARTITION LIMIT 2')), expected);
    for (const pageSize of [1, 2, 3, 5]) {
      const seen: unknown[][] = [];
      let state: Buffer | null = null;
      for (let i = 0; i < 20; i++) {
        const res = await h.q('SELECT k, a, count(*) FROM g GROUP BY k, a PER PARTITION LIMIT 2', [], { pageSize, pagingState: state });
        assert.equal(res.result.kind, 'rows');
        const r = res.result as Extract<typeof res.result, { kind: 'rows' }>;
        const { decodeRows } = await import('./_harness.js');
        seen.push(...decodeRows(r));
        state = r.pagingState;
        if (!state) break;
      }
      assert.deepEqual(sortByKey(seen), expected, `page size ${pageSize}`);
    }
    assert.deepEqual(await h.rows('SELECT k, a, count(*) FROM g WHERE k = 1 GROUP BY k, a PER PARTITION LIMIT 3 LIMIT 2'), [[1, 0, 3n], [1, 1, 3n]]);
  } finally {
    await h.close();
  }
});

test('conditional UPDATE on a missing row answers [applied]=false alone; existing row shows condition columns', async () => {
  const h = await harness();
  try {
    await h.q("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    await h.q('USE ks');
    await h.q('CREATE TABLE l (k int PRIMARY KEY, v int, w int)');
    const missing = await h.q('UPDATE l SET v = 2 WHERE k = 1 IF v = 1');
    assert.equal(missing.result.kind, 'rows');
    const m = missing.result as Extract<typeof missing.result, { kind: 'rows' }>;
    assert.deepEqual(m.columns.map((c) => c.name), ['[applied]']);
    assert.deepEqual(await h.rows('UPDATE l SET v = 2 WHERE k = 1 IF EXISTS'), [[false]]);
    await h.q('INSERT INTO l (k, v, w) VALUES (1, 5, 6)');
    const present = await h.q('UPDATE l SET v = 2 WHERE k = 1 IF v = 1');
    const p = present.result as Extract<typeof present.result, { kind: 'rows' }>;
    assert.deepEqual(p.columns.map((c) => c.name), ['[applied]', 'v']);
    assert.deepEqual(await h.rows('UPDATE l SET v = 2 WHERE k = 1 IF v = 1'), [[false, 5]]);
    assert.deepEqual(await h.rows('INSERT INTO l (k, v) VALUES (1, 9) IF NOT EXISTS'), [[false, 1, 5, 6]]);
  } finally {
    await h.close();
  }
});
