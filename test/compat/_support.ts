// Shared by the compatibility tests: one table of CQL steps run through BOTH drivers (the npm
// cassandra-driver in-process, Debian's python3-cassandra 3.25 at protocol v4 and v5 in a child
// process), with results normalized to plain JSON so one expectation covers every driver.
//
// Normalization (both sides): numbers and numeric objects (bigint, varint, decimal, counter) become
// decimal strings (10, 10.0 and Long 10 all give "10"); blobs "0x…" hex; timestamps ISO with
// milliseconds and Z; uuid, inet, date, time their canonical text; sets and lists arrays; tuples
// arrays; maps and UDTs objects with string keys. Errors become { code, message }.

import assert from 'node:assert/strict';
import cassandra from 'cassandra-driver';
import { runPython, type NodeProcess } from '../harness.js';

/** One statement; `params` are bound to a prepared statement (positional array or named object). */
export interface Step {
  q: string;
  params?: unknown[] | Record<string, unknown>;
  /** Expected rows, each an array of the selected columns' values (normalized). */
  rows?: unknown[][];
  /** Expected column names of the result. */
  cols?: string[];
  /** JSON text of the normalized rows must match. */
  like?: RegExp;
  /** Expected server error: protocol code and a message pattern. */
  error?: { code: number; match: RegExp };
  /** A client warning the response must carry. */
  warn?: RegExp;
}

export interface Case {
  name: string;
  steps: Step[];
}

export interface StepResult {
  rows?: unknown[][];
  cols?: string[];
  error?: { code: number | null; message: string };
  warnings?: string[];
}

export type Driver = 'npm' | 'python v4' | 'python v5';
export const DRIVERS: readonly Driver[] = ['npm', 'python v4', 'python v5'];

// ---------------------------------------------------------------------------------------------
// npm

export function plainNpm(v: unknown): unknown {
  const T = cassandra.types;
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return numberText(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (Buffer.isBuffer(v)) return '0x' + v.toString('hex');
  if (v instanceof Date) return v.toISOString();
  if (v instanceof T.Tuple) return v.values().map(plainNpm);
  if (Array.isArray(v)) return v.map(plainNpm);
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(plainNpm(k)), plainNpm(x)]));
  if (v instanceof T.Long || v instanceof T.Integer || v instanceof T.BigDecimal || v instanceof T.Uuid
      || v instanceof T.InetAddress || v instanceof T.LocalDate || v instanceof T.LocalTime || v instanceof T.Duration) return String(v);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, plainNpm(x)]));
  return String(v);
}

function numberText(n: number): string {
  return String(n);
}

/** `$ks` in a statement stands for the driver's own keyspace. */
export async function runStepsNpm(client: cassandra.Client, keyspace: string, cases: readonly Case[]): Promise<Map<string, StepResult[]>> {
  const out = new Map<string, StepResult[]>();
  for (const c of cases) {
    const results: StepResult[] = [];
    for (const s of c.steps) {
      try {
        const q = s.q.replaceAll('$ks', keyspace);
        const rs = s.params === undefined ? await client.execute(q) : await client.execute(q, s.params, { prepare: true });
        const cols = (rs.columns ?? []).map((col) => col.name);
        const rows = (rs.rows ?? []).map((r) => cols.map((name) => plainNpm(r[name])));
        results.push({ rows, cols, warnings: rs.info.warnings ?? [] });
      } catch (err) {
        const e = err as Error & { code?: number };
        results.push({ error: { code: e.code ?? null, message: e.message } });
      }
    }
    out.set(c.name, results);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// python

const PYTHON_RUNNER = String.raw`
import sys, json, uuid, datetime, decimal, ipaddress
from cassandra.cluster import Cluster
from cassandra.util import Date, Time, Duration, OrderedMapSerializedKey, SortedSet

host, port, version, ks, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
cases = json.load(open(path))
cluster = Cluster([host], port=port, protocol_version=version)
session = cluster.connect()
session.execute("CREATE KEYSPACE %s WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}" % ks)
session.set_keyspace(ks)

CODES = {"SyntaxException": 0x2000, "InvalidRequest": 0x2200, "ConfigurationException": 0x2300, "AlreadyExists": 0x2400,
         "Unauthorized": 0x2100, "Unavailable": 0x1000, "WriteTimeout": 0x1100, "ReadTimeout": 0x1200, "ReadFailure": 0x1300,
         "FunctionFailure": 0x1400, "WriteFailure": 0x1500, "ServerError": 0x0000, "ProtocolException": 0x000A}

def num(v):
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e16: return str(int(v))
    return str(v)

def plain(v):
    if v is None: return None
    if isinstance(v, bool) or isinstance(v, str): return v
    if isinstance(v, (int, float, decimal.Decimal)): return num(v)
    if isinstance(v, bytes): return "0x" + v.hex()
    if isinstance(v, datetime.datetime): return v.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    if isinstance(v, (uuid.UUID, Date, Time, Duration, ipaddress.IPv4Address, ipaddress.IPv6Address)): return str(v)
    if isinstance(v, (OrderedMapSerializedKey, dict)): return {str(plain(k)): plain(x) for k, x in v.items()}
    if hasattr(v, "_fields"): return {f: plain(getattr(v, f)) for f in v._fields}
    if isinstance(v, (list, tuple, set, frozenset, SortedSet)): return [plain(x) for x in v]
    if hasattr(v, "__dict__"): return {k: plain(x) for k, x in vars(v).items()}
    return str(v)

out = {}
for case in cases:
    results = []
    for s in case["steps"]:
        try:
            q = s["q"].replace("$ks", ks)
            if "params" in s:
                rs = session.execute(session.prepare(q), s["params"])
            else:
                rs = session.execute(q)
            cols = list(rs.column_names or [])
            rows = [[plain(x) for x in r] for r in rs]
            results.append({"rows": rows, "cols": cols, "warnings": rs.response_future.warnings or []})
        except Exception as e:
            name = type(e).__name__
            code = getattr(e, "error_code", None)
            if code is None: code = CODES.get(name)
            results.append({"error": {"code": code, "message": name + ": " + str(e)}})
    out[case["name"]] = results
cluster.shutdown()
print(json.dumps(out))
`;

export async function runStepsPython(node: NodeProcess, version: number, keyspace: string, cases: readonly Case[], casesFile: string): Promise<Map<string, StepResult[]>> {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(casesFile, JSON.stringify(cases.map((c) => ({ name: c.name, steps: c.steps.map((s) => ({ q: s.q, ...(s.params === undefined ? {} : { params: s.params }) })) }))));
  const raw = await runPython(PYTHON_RUNNER, [node.host, String(node.port), String(version), keyspace, casesFile], 240_000);
  const parsed = JSON.parse(raw.trim().split('\n').pop()!) as Record<string, StepResult[]>;
  return new Map(Object.entries(parsed));
}

// ---------------------------------------------------------------------------------------------
// checking

/** Expected values are normalized like results: numbers become their decimal text. */
export function plainExpected(v: unknown): unknown {
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.map(plainExpected);
  if (v && typeof v === 'object' && !(v instanceof RegExp)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainExpected(x)]));
  return v;
}

/** Asserts every step of `c` against what `driver` returned. */
export function checkCase(c: Case, driver: Driver, results: StepResult[] | undefined): void {
  assert.ok(results, `${driver}: no results for ${c.name}`);
  c.steps.forEach((s, i) => {
    const r = results[i]!;
    const where = `${driver} step ${i + 1}: ${s.q}`;
    if (s.error) {
      assert.ok(r.error, `${where}: expected error 0x${s.error.code.toString(16)}, got rows ${JSON.stringify(r.rows)}`);
      assert.equal(r.error.code, s.error.code, `${where}: ${r.error.message}`);
      assert.match(r.error.message, s.error.match, where);
      return;
    }
    assert.equal(r.error, undefined, `${where}: ${r.error?.message}`);
    if (s.rows) assert.deepEqual(r.rows, plainExpected(s.rows), where);
    if (s.cols) assert.deepEqual(r.cols, s.cols, where);
    if (s.like) assert.match(JSON.stringify(r.rows), s.like, where);
    if (s.warn) assert.ok((r.warnings ?? []).some((w) => s.warn!.test(w)), `${where}: warnings ${JSON.stringify(r.warnings)}`);
  });
}

/** An npm client with default options, its keyspace created and set. */
export async function npmClient(node: NodeProcess, keyspace?: string, created?: (c: cassandra.Client) => void): Promise<cassandra.Client> {
  const client = new cassandra.Client({ contactPoints: [`${node.host}:${node.port}`], localDataCenter: 'datacenter1' });
  created?.(client); // so the caller can shut it down even when the set-up below fails
  await client.connect();
  if (keyspace) {
    await client.execute(`CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
    await client.execute(`USE ${keyspace}`);
  }
  return client;
}

/**
 * Registers one node:test test per case and driver. The node starts in `before`; each driver runs
 * all cases once (npm in-process, each python version in one child process), in its own keyspace.
 */
export function registerCases(prefix: string, cases: readonly Case[], hooks: {
  test: (name: string, fn: () => Promise<void>) => void;
  before: (fn: () => Promise<void>) => void;
  after: (fn: () => Promise<void>) => void;
  start: () => Promise<NodeProcess>;
}): void {
  let node: NodeProcess;
  let client: cassandra.Client | undefined;
  const runs = new Map<Driver, Promise<Map<string, StepResult[]>>>();
  hooks.before(async () => { node = await hooks.start(); });
  hooks.after(async () => {
    await client?.shutdown();
    await node?.cleanup();
  });
  const run = (driver: Driver): Promise<Map<string, StepResult[]>> => {
    let r = runs.get(driver);
    if (!r) {
      const ks = `${prefix}_${driver}`.replace(/[^a-z0-9_]/g, '');
      r = driver === 'npm'
        ? npmClient(node, ks, (c) => { client = c; }).then((c) => runStepsNpm(c, ks, cases))
        : runStepsPython(node, driver === 'python v4' ? 4 : 5, ks, cases, `${node.dataDir}/${ks}.cases.json`);
      runs.set(driver, r);
    }
    return r;
  };
  for (const driver of DRIVERS) {
    for (const c of cases) {
      hooks.test(`${prefix}: ${c.name} [${driver}]`, async () => checkCase(c, driver, (await run(driver)).get(c.name)));
    }
  }
}
