import test from 'node:test';
import assert from 'node:assert/strict';
import { harness, asRows, decodeRows, int, text } from './_harness.js';

test('paging across 20 partitions x 15 rows with page size 37 returns every row once', async () => {
  const h = await harness();
  try {
    await h.q("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    await h.q('CREATE TABLE ks.pages (p int, c int, v text, PRIMARY KEY (p, c))');
    for (let p = 0; p < 20; p++) for (let c = 0; c < 15; c++) await h.q('INSERT INTO ks.pages (p, c, v) VALUES (?, ?, ?)', [int(p), int(c), text(`${p}.${c}`)]);
    for (const pageSize of [37, 15, 16, 14, 299, 300, 301]) {
      const seen = new Set<string>();
      let state: Buffer | null = null;
      let total = 0;
      do {
        const r = asRows(await h.q('SELECT p, c, v FROM ks.pages', [], { pageSize, pagingState: state }));
        for (const row of decodeRows(r)) { seen.add(row[2] as string); total++; }
        state = r.pagingState;
      } while (state);
      assert.equal(total, 300, `page size ${pageSize}`);
      assert.equal(seen.size, 300);
    }
  } finally {
    await h.close();
  }
});
