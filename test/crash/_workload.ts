// The crash test's workload and its model. Each writer owns a disjoint set of keys and runs one
// operation at a time, so the model knows the exact state of every key after every acknowledged
// operation. An operation that was in flight when the node died is "pending": after the restart
// its partition must show either none or all of its effects (a mutation is atomic per partition).
//
// State of a key: a canonical string, or undefined when the row is absent.
//   kv/K      → the text value, + ' (ttl)' with a TTL (crash.kv: inserts, TTL inserts, updates, deletes)
//   rows/P/C  → hex of the blob                     (crash.rows: inserts, row/range/partition deletes)
//   coll/K    → JSON {l, s, m} of the collections   (crash.coll: appends, adds, puts, overwrites, deletes)
//   ctr/K     → decimal counter value               (crash.ctr: increments)

import type cassandra from 'cassandra-driver';
import { Rng } from './_support.js';

export const KEYSPACE = 'crash';
export const WRITERS = 6;
const KV_KEYS = 600;
const ROW_PARTITIONS = 48;
const ROW_CLUSTERINGS = 40;
const COLL_KEYS = 120;
const CTR_KEYS = 120;
const TTL_SEC = 86_400;
/** Appended to a kv state whose cell carries a TTL (read back with TTL(v)). */
const TTL_MARK = ' (ttl)';

export const SCHEMA: readonly string[] = [
  `CREATE KEYSPACE ${KEYSPACE} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
  // gc_grace_seconds 0: compaction may purge tombstones at once, so a crash mid-compaction that
  // left a purged output beside an input holding shadowed data would resurrect it.
  `CREATE TABLE ${KEYSPACE}.kv (k int PRIMARY KEY, v text) WITH gc_grace_seconds = 0
     AND compaction = {'class': 'SizeTieredCompactionStrategy', 'min_threshold': '2'}`,
  `CREATE TABLE ${KEYSPACE}.rows (p int, c int, v blob, PRIMARY KEY (p, c))
     WITH compaction = {'class': 'LeveledCompactionStrategy', 'sstable_size_in_mb': '1'}`,
  `CREATE TABLE ${KEYSPACE}.coll (k int PRIMARY KEY, l list<int>, s set<int>, m map<int, text>)
     WITH compaction = {'class': 'SizeTieredCompactionStrategy', 'min_threshold': '2'}`,
  `CREATE TABLE ${KEYSPACE}.ctr (k int PRIMARY KEY, n counter)
     WITH compaction = {'class': 'TimeWindowCompactionStrategy', 'compaction_window_unit': 'MINUTES', 'compaction_window_size': '1'}`,
];

export const TABLES = ['kv', 'rows', 'coll', 'ctr'] as const;

export interface Effect {
  key: string;
  state: string | undefined;
}

export interface Op {
  describe: string;
  cql: string;
  params: unknown[];
  effects: Effect[];
}

interface Coll {
  l: number[];
  s: number[];
  m: [number, string][];
}

export function collState(c: Coll): string | undefined {
  if (c.l.length === 0 && c.s.length === 0 && c.m.length === 0) return undefined;
  const s = [...new Set(c.s)].sort((a, b) => a - b);
  const m = [...c.m].sort((a, b) => a[0] - b[0]);
  return JSON.stringify({ l: c.l, s, m });
}

function parseColl(state: string | undefined): Coll {
  return state === undefined ? { l: [], s: [], m: [] } : (JSON.parse(state) as Coll);
}

/** The expected state of every key, and a short history per key for failure messages. */
export class Model {
  readonly state = new Map<string, string>();
  private readonly history = new Map<string, string[]>();

  get(key: string): string | undefined {
    return this.state.get(key);
  }

  apply(op: Op, life: number): void {
    for (const e of op.effects) {
      if (e.state === undefined) this.state.delete(e.key);
      else this.state.set(e.key, e.state);
      const h = this.history.get(e.key) ?? [];
      h.push(`life ${life}: ${op.describe}`);
      if (h.length > 6) h.shift();
      this.history.set(e.key, h);
    }
  }

  historyOf(key: string): string[] {
    return this.history.get(key) ?? [];
  }
}

function owned(rng: Rng, writer: number, count: number): number {
  const perWriter = Math.floor(count / WRITERS);
  return rng.int(0, perWriter - 1) * WRITERS + writer;
}

/** One random operation of `writer`, its effects computed from the model's current state. */
export function nextOp(rng: Rng, writer: number, model: Model, seq: number): Op {
  const r = rng.next();
  const text = `w${writer}-${seq}-${rng.int(0, 1e9).toString(36)}`;
  if (r < 0.22) {
    const k = owned(rng, writer, KV_KEYS);
    return { describe: `insert kv ${k}=${text}`, cql: `INSERT INTO ${KEYSPACE}.kv (k, v) VALUES (?, ?)`, params: [k, text], effects: [{ key: `kv/${k}`, state: text }] };
  }
  if (r < 0.30) {
    const k = owned(rng, writer, KV_KEYS);
    return { describe: `insert kv ${k}=${text} ttl`, cql: `INSERT INTO ${KEYSPACE}.kv (k, v) VALUES (?, ?) USING TTL ${TTL_SEC}`, params: [k, text], effects: [{ key: `kv/${k}`, state: `${text}${TTL_MARK}` }] };
  }
  if (r < 0.36) {
    const k = owned(rng, writer, KV_KEYS);
    return { describe: `update kv ${k}=${text}`, cql: `UPDATE ${KEYSPACE}.kv SET v = ? WHERE k = ?`, params: [text, k], effects: [{ key: `kv/${k}`, state: text }] };
  }
  if (r < 0.45) {
    const k = owned(rng, writer, KV_KEYS);
    return { describe: `delete kv ${k}`, cql: `DELETE FROM ${KEYSPACE}.kv WHERE k = ?`, params: [k], effects: [{ key: `kv/${k}`, state: undefined }] };
  }
  if (r < 0.66) {
    const p = owned(rng, writer, ROW_PARTITIONS);
    const c = rng.int(0, ROW_CLUSTERINGS - 1);
    const v = rng.bytes(rng.int(100, 4000));
    return { describe: `insert rows ${p}/${c} (${v.length} bytes)`, cql: `INSERT INTO ${KEYSPACE}.rows (p, c, v) VALUES (?, ?, ?)`, params: [p, c, v], effects: [{ key: `rows/${p}/${c}`, state: v.toString('hex') }] };
  }
  if (r < 0.71) {
    const p = owned(rng, writer, ROW_PARTITIONS);
    const c = rng.int(0, ROW_CLUSTERINGS - 1);
    return { describe: `delete rows ${p}/${c}`, cql: `DELETE FROM ${KEYSPACE}.rows WHERE p = ? AND c = ?`, params: [p, c], effects: [{ key: `rows/${p}/${c}`, state: undefined }] };
  }
  if (r < 0.74) {
    const p = owned(rng, writer, ROW_PARTITIONS);
    const a = rng.int(0, ROW_CLUSTERINGS - 1);
    const b = Math.min(ROW_CLUSTERINGS, a + rng.int(1, 8));
    const effects: Effect[] = [];
    for (let c = a; c < b; c++) effects.push({ key: `rows/${p}/${c}`, state: undefined });
    return { describe: `range delete rows ${p}/[${a},${b})`, cql: `DELETE FROM ${KEYSPACE}.rows WHERE p = ? AND c >= ? AND c < ?`, params: [p, a, b], effects };
  }
  if (r < 0.75) {
    const p = owned(rng, writer, ROW_PARTITIONS);
    const effects: Effect[] = [];
    for (let c = 0; c < ROW_CLUSTERINGS; c++) effects.push({ key: `rows/${p}/${c}`, state: undefined });
    return { describe: `partition delete rows ${p}`, cql: `DELETE FROM ${KEYSPACE}.rows WHERE p = ?`, params: [p], effects };
  }
  if (r < 0.94) return collOp(rng, writer, model, text);
  const k = owned(rng, writer, CTR_KEYS);
  const d = rng.int(1, 1000);
  const before = BigInt(model.get(`ctr/${k}`) ?? '0');
  return { describe: `ctr ${k} += ${d}`, cql: `UPDATE ${KEYSPACE}.ctr SET n = n + ? WHERE k = ?`, params: [d, k], effects: [{ key: `ctr/${k}`, state: (before + BigInt(d)).toString() }] };
}

function collOp(rng: Rng, writer: number, model: Model, text: string): Op {
  const k = owned(rng, writer, COLL_KEYS);
  const key = `coll/${k}`;
  const c = parseColl(model.get(key));
  const x = rng.int(-1000, 1000);
  const r = rng.next();
  const op = (describe: string, cql: string, params: unknown[], next: Coll): Op =>
    ({ describe: `${describe} coll ${k}`, cql, params, effects: [{ key, state: collState(next) }] });
  const set = `UPDATE ${KEYSPACE}.coll SET`;
  if (r < 0.35) return op(`append ${x} to l of`, `${set} l = l + ? WHERE k = ?`, [[x], k], { ...c, l: [...c.l, x] });
  if (r < 0.60) return op(`add ${x} to s of`, `${set} s = s + ? WHERE k = ?`, [[x], k], { ...c, s: [...c.s, x] });
  if (r < 0.85) return op(`put m[${x}]=${text} in`, `${set} m[?] = ? WHERE k = ?`, [x, text, k], { ...c, m: [...c.m.filter(([mk]) => mk !== x), [x, text]] });
  if (r < 0.92) return op(`overwrite l=[${x}] of`, `${set} l = ? WHERE k = ?`, [[x], k], { ...c, l: [x] });
  if (r < 0.97) return op('delete s of', `DELETE s FROM ${KEYSPACE}.coll WHERE k = ?`, [k], { ...c, s: [] });
  return op('delete row', `DELETE FROM ${KEYSPACE}.coll WHERE k = ?`, [k], { l: [], s: [], m: [] });
}

/** Every row of every crash table, read back with paging, as key → canonical state. */
export async function readActual(client: cassandra.Client): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const scan = async (cql: string, onRow: (row: cassandra.types.Row) => void) => {
    let pageState: string | undefined;
    do {
      const rs = await client.execute(cql, [], { prepare: true, fetchSize: 500, ...(pageState ? { pageState } : {}) });
      for (const row of rs.rows) onRow(row);
      pageState = rs.pageState ?? undefined;
    } while (pageState);
  };
  await scan(`SELECT k, v, TTL(v) AS t FROM ${KEYSPACE}.kv`, (row) => {
    const ttl = row['t'] as number | null;
    out.set(`kv/${row['k']}`, `${row['v'] as string}${ttl === null ? '' : TTL_MARK}`);
  });
  await scan(`SELECT p, c, v FROM ${KEYSPACE}.rows`, (row) => { out.set(`rows/${row['p']}/${row['c']}`, (row['v'] as Buffer).toString('hex')); });
  await scan(`SELECT k, l, s, m FROM ${KEYSPACE}.coll`, (row) => {
    const m = row['m'] as Record<string, string> | null;
    const state = collState({
      l: (row['l'] as number[] | null) ?? [],
      s: (row['s'] as number[] | null) ?? [],
      m: Object.entries(m ?? {}).map(([mk, mv]) => [Number(mk), mv] as [number, string]),
    });
    if (state !== undefined) out.set(`coll/${row['k']}`, state);
  });
  await scan(`SELECT k, n FROM ${KEYSPACE}.ctr`, (row) => { out.set(`ctr/${row['k']}`, String(row['n'])); });
  return out;
}

/**
 * Resolves the pending operations against what the node holds (all effects or none), then
 * compares every key. Returns human-readable problems (empty when the node agrees).
 */
export function reconcile(model: Model, actual: Map<string, string>, pending: Op[], life: number): string[] {
  const problems: string[] = [];
  const show = (s: string | undefined) => (s === undefined ? '(absent)' : s.length > 80 ? `${s.slice(0, 80)}…` : s);
  for (const op of pending) {
    const none = op.effects.every((e) => actual.get(e.key) === model.get(e.key));
    const all = op.effects.every((e) => actual.get(e.key) === e.state);
    if (all && !none) model.apply(op, life);
    else if (!all && !none) {
      problems.push(`in-flight operation applied partly: ${op.describe}: ${op.effects.map((e) => `${e.key} expected ${show(model.get(e.key))} or ${show(e.state)}, got ${show(actual.get(e.key))}`).join('; ')}`);
    }
  }
  const keys = new Set([...model.state.keys(), ...actual.keys()]);
  for (const key of [...keys].sort()) {
    const want = model.get(key);
    const got = actual.get(key);
    if (want !== got) problems.push(`${key}: expected ${show(want)}, read ${show(got)}; acknowledged history: ${model.historyOf(key).join(' | ') || '(none)'}`);
  }
  return problems;
}
