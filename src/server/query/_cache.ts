// The prepared statement cache: a bounded LRU keyed by the statement id (hex), with an index from
// table to ids so a schema change to a table drops every statement that used it.

import { createHash } from 'node:crypto';
import { assert } from '../../util/assert.js';

/** MD5 of the query text, prefixed by the keyspace when the statement did not name one (as Cassandra). */
export function statementId(query: string, keyspace: string | null): Buffer {
  const h = createHash('md5');
  if (keyspace !== null) h.update(keyspace, 'utf8');
  h.update(query, 'utf8');
  return h.digest();
}

/** A hash of anything that can be written as text (e.g. the result column specs). */
export function md5Of(text: string): Buffer {
  return createHash('md5').update(text, 'utf8').digest();
}

/**
 * LRU, approximated so a hit is usually one Map lookup: a hit moves its entry to the young end only
 * when more than entriesMax/2 operations happened since it was last moved. An entry is evicted
 * only after entriesMax - 1 others were inserted or moved after it, so one used in the last
 * entriesMax/2 operations is never the one evicted.
 */
export class LruCache<V extends { tables: readonly string[] }> {
  private readonly entries = new Map<string, { value: V; movedAt: number }>();
  /** Operations (gets and sets) so far: the clock of `movedAt`. */
  private ops = 0;
  /** table key (`ks.table`) → ids of cached statements using it. */
  private readonly byTable = new Map<string, Set<string>>();

  constructor(readonly entriesMax: number) {
    assert(entriesMax > 0, 'cache must hold at least one entry');
  }

  get size(): number {
    return this.entries.size;
  }

  get(id: string): V | undefined {
    const e = this.entries.get(id);
    if (e === undefined) return undefined;
    const now = ++this.ops;
    if (now - e.movedAt > this.entriesMax / 2) {
      this.entries.delete(id);
      e.movedAt = now;
      this.entries.set(id, e);
    }
    return e.value;
  }

  set(id: string, value: V): void {
    this.delete(id);
    this.entries.set(id, { value, movedAt: ++this.ops });
    for (const t of value.tables) {
      let ids = this.byTable.get(t);
      if (ids === undefined) this.byTable.set(t, (ids = new Set()));
      ids.add(id);
    }
    while (this.entries.size > this.entriesMax) {
      const oldest = this.entries.keys().next().value as string;
      this.delete(oldest);
    }
  }

  delete(id: string): void {
    const e = this.entries.get(id);
    if (e === undefined) return;
    this.entries.delete(id);
    for (const t of e.value.tables) {
      const ids = this.byTable.get(t);
      ids?.delete(id);
      if (ids?.size === 0) this.byTable.delete(t);
    }
  }

  /** Drops every statement that uses `tableKey`, or any table of keyspace `ks` when tableKey is `ks.*`. */
  invalidate(tableKey: string): number {
    let dropped = 0;
    const prefix = tableKey.endsWith('.*') ? tableKey.slice(0, -1) : null;
    for (const [t, ids] of [...this.byTable]) {
      if (t !== tableKey && (prefix === null || !t.startsWith(prefix))) continue;
      for (const id of [...ids]) {
        this.delete(id);
        dropped++;
      }
    }
    return dropped;
  }

  clear(): void {
    this.entries.clear();
    this.byTable.clear();
  }
}
