// End-to-end: issue 2's "Done when" list through Debian's python3-cassandra (3.25) at protocol v4
// and v5 against a real node process. One Python run per version; each section reports its
// results (or the exception it met) under its own name, so a failure names the section.

import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startNodeProcess, type NodeProcess } from '../harness.js';
import { PYTHON_CONNECT, runPythonJson } from './_drivers.js';

let node: NodeProcess;

before(async () => { node = await startNodeProcess(); });
after(async () => { await node?.cleanup(); });

const SCRIPT = String.raw`${PYTHON_CONNECT}
import json, uuid, datetime, decimal, time, ipaddress, traceback
from cassandra.query import SimpleStatement, BatchStatement, BatchType, named_tuple_factory
from cassandra.util import Date, Time, Duration, OrderedMapSerializedKey, SortedSet
from cassandra import InvalidRequest, ConsistencyLevel
from cassandra.protocol import SyntaxException

out = {"errors": {}}

def plain(v):
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2 ** 53: return str(v)
    if hasattr(v, '_fields'): return {f: plain(getattr(v, f)) for f in v._fields}
    if isinstance(v, (OrderedMapSerializedKey, dict)): return [[plain(k), plain(x)] for k, x in v.items()]
    if isinstance(v, (list, tuple, set, frozenset, SortedSet)): return [plain(x) for x in v]
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time)): return v.isoformat()
    if isinstance(v, (uuid.UUID, decimal.Decimal, Date, Time, Duration)): return str(v)
    if isinstance(v, (ipaddress.IPv4Address, ipaddress.IPv6Address)): return str(v)
    if isinstance(v, bytes): return v.hex()
    if hasattr(v, '__dict__') and not isinstance(v, (int, float, str, bool)): return {k: plain(x) for k, x in vars(v).items()}
    return v

def section(name):
    def wrap(fn):
        try:
            out[name] = fn()
        except Exception as e:
            out["errors"][name] = type(e).__name__ + ": " + str(e) + " | " + traceback.format_exc().splitlines()[-3]
        return fn
    return wrap

session.execute("CREATE KEYSPACE %s WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}" % ks)
session.set_keyspace(ks)

@section("types")
def _():
    session.execute("CREATE TYPE addr (street text, zip int, tags frozen<set<text>>)")
    session.execute("""CREATE TABLE types (k int PRIMARY KEY, a ascii, b bigint, bl blob, bo boolean, d date,
      de decimal, db double, du duration, f float, i inet, i6 inet, si smallint, t text, ti time, ts timestamp,
      tu timeuuid, tt tinyint, u uuid, vi varint, tp tuple<int, text, frozen<list<int>>>,
      nested frozen<map<text, frozen<list<frozen<set<int>>>>>>, ad addr, adl list<frozen<addr>>)""")
    class Addr(object):
        def __init__(self, street=None, zip=None, tags=None):
            self.street, self.zip, self.tags = street, zip, tags
    cluster.register_user_type(ks, 'addr', Addr)
    vals = dict(k=1, a='ascii', b=-9223372036854775808, bl=b'\xca\xfe', bo=True, d=Date(19782),
        de=decimal.Decimal('-123.4500'), db=3.25, du=Duration(1, 2, 3000000000), f=1.5,
        i=ipaddress.ip_address('10.1.2.3'), i6=ipaddress.ip_address('2001:db8::1'), si=-32768, t=u'h\u00e9llo \u2713',
        ti=Time(45296789012345), ts=datetime.datetime(2024, 1, 2, 3, 4, 5, 678000),
        tu=uuid.UUID('d2177dd0-eaa2-11de-a572-001b779c76e3'), tt=127, u=uuid.UUID('12345678-1234-5678-1234-567812345678'),
        vi=123456789012345678901234567890, tp=(7, 'seven', [1, 2]), nested={'x': [{1, 2}, {3}]},
        ad=Addr('Main', 12345, {'home'}), adl=[Addr('Side', 1, set())])
    cols = list(vals.keys())
    ins = session.prepare("INSERT INTO types (%s) VALUES (%s)" % (", ".join(cols), ", ".join("?" * len(cols))))
    session.execute(ins, [vals[c] for c in cols])
    row = session.execute(session.prepare("SELECT * FROM types WHERE k = ?"), [1]).one()
    simple = session.execute("SELECT * FROM types WHERE k = 1").one()
    return {"prepared": {c: plain(getattr(row, c)) for c in cols}, "same_unprepared": plain(row) == plain(simple)}

@section("named_values")
def _():
    session.execute("CREATE TABLE named (k int, c int, v text, PRIMARY KEY (k, c))")
    p = session.prepare("INSERT INTO named (k, c, v) VALUES (:k, :c, :v)")
    session.execute(p, {"v": "x", "c": 2, "k": 1})
    q = session.prepare("SELECT v FROM named WHERE k = :key AND c = :cc")
    return [session.execute(q, {"cc": 2, "key": 1}).one().v, [c.name for c in q.column_metadata]]

@section("paging")
def _():
    session.execute("CREATE TABLE pages (p int, c int, v text, PRIMARY KEY (p, c))")
    ins = session.prepare("INSERT INTO pages (p, c, v) VALUES (?, ?, ?)")
    for p in range(20):
        for c in range(15): session.execute(ins, (p, c, "%d-%d" % (p, c)))
    seen = []
    for fetch in (1, 7, 37, 1000):
        rows = [(r.p, r.c) for r in session.execute(SimpleStatement("SELECT p, c FROM pages", fetch_size=fetch))]
        seen.append([len(rows), len(set(rows))])
    prepared = session.prepare("SELECT p, c FROM pages")
    prepared.fetch_size = 11
    rows = [(r.p, r.c) for r in session.execute(prepared)]
    rs = session.execute(SimpleStatement("SELECT p, c FROM pages", fetch_size=50))
    first = len(rs.current_rows)
    resumed = list(session.execute(SimpleStatement("SELECT p, c FROM pages", fetch_size=50), paging_state=rs.paging_state))
    return {"simple": seen, "prepared": [len(rows), len(set(rows))], "first_page": first, "resumed_rows": len(resumed)}

@section("batches")
def _():
    session.execute("CREATE TABLE bt (k int, c int, v int, PRIMARY KEY (k, c))")
    session.execute("CREATE TABLE bc (k int PRIMARY KEY, n counter)")
    ins = session.prepare("INSERT INTO bt (k, c, v) VALUES (?, ?, ?)")
    logged = BatchStatement(batch_type=BatchType.LOGGED)
    for c in range(3): logged.add(ins, (1, c, c))
    session.execute(logged)
    unlogged = BatchStatement(batch_type=BatchType.UNLOGGED)
    for k in range(2, 5): unlogged.add(ins, (k, 0, k))
    unlogged.add(SimpleStatement("DELETE FROM bt WHERE k = 1 AND c = 0"))
    session.execute(unlogged)
    counter = BatchStatement(batch_type=BatchType.COUNTER)
    inc = session.prepare("UPDATE bc SET n = n + ? WHERE k = ?")
    counter.add(inc, (5, 1)); counter.add(inc, (-2, 1)); counter.add(inc, (7, 2))
    session.execute(counter)
    session.execute("BEGIN BATCH INSERT INTO bt (k, c, v) VALUES (9, 9, 9); UPDATE bt SET v = 10 WHERE k = 9 AND c = 9; APPLY BATCH")
    mixed = None
    try:
        bad = BatchStatement(batch_type=BatchType.LOGGED); bad.add(inc, (1, 1)); session.execute(bad)
    except InvalidRequest as e:
        mixed = str(e)
    return {"bt": sorted([r.k, r.c, r.v] for r in session.execute("SELECT k, c, v FROM bt")),
            "bc": sorted([r.k, r.n] for r in session.execute("SELECT k, n FROM bc")), "counter_in_logged": mixed}

@section("ttl")
def _():
    session.execute("CREATE TABLE ttl (k int PRIMARY KEY, v int, w int) WITH default_time_to_live = 100")
    session.execute("INSERT INTO ttl (k, v) VALUES (1, 1) USING TTL 1")
    session.execute("INSERT INTO ttl (k, v, w) VALUES (2, 2, 2)")
    session.execute("UPDATE ttl USING TTL 1 SET w = 3 WHERE k = 2")
    before = session.execute("SELECT TTL(v) AS t FROM ttl WHERE k = 2").one().t
    time.sleep(2.2)
    return {"expired_row": session.execute("SELECT * FROM ttl WHERE k = 1").one() is None,
            "expired_cell": plain(session.execute("SELECT v, w FROM ttl WHERE k = 2").one()), "default_ttl": 90 < before <= 100}

@section("tombstones")
def _():
    session.execute("CREATE TABLE tomb (p int, c int, s int static, v int, l list<int>, m map<text, int>, PRIMARY KEY (p, c))")
    for c in range(6): session.execute("INSERT INTO tomb (p, c, v, l, m) VALUES (1, %d, %d, [1, 2, 3], {'a': 1, 'b': 2})" % (c, c))
    session.execute("UPDATE tomb SET s = 7 WHERE p = 1")
    session.execute("DELETE v FROM tomb WHERE p = 1 AND c = 0")
    session.execute("DELETE FROM tomb WHERE p = 1 AND c = 1")
    session.execute("DELETE FROM tomb WHERE p = 1 AND c > 3")
    session.execute("DELETE l[0], m['a'] FROM tomb WHERE p = 1 AND c = 2")
    session.execute("DELETE l FROM tomb WHERE p = 1 AND c = 3")
    session.execute("DELETE s FROM tomb WHERE p = 1")
    rows = [plain(r) for r in session.execute("SELECT c, s, v, l, m FROM tomb WHERE p = 1")]
    session.execute("INSERT INTO tomb (p, c, v) VALUES (2, 1, 1)")
    session.execute("DELETE FROM tomb WHERE p = 2")
    session.execute("INSERT INTO tomb (p, c, v) VALUES (2, 2, 2) USING TIMESTAMP 1")
    return {"rows": rows, "partition": [plain(r) for r in session.execute("SELECT c FROM tomb WHERE p = 2")]}

@section("statics")
def _():
    session.execute("CREATE TABLE st (p int, c int, s text static, v int, PRIMARY KEY (p, c))")
    session.execute("UPDATE st SET s = 'only static' WHERE p = 1")
    only = [plain(r) for r in session.execute("SELECT p, c, s, v FROM st WHERE p = 1")]
    session.execute("INSERT INTO st (p, c, s, v) VALUES (1, 1, 'shared', 1)")
    session.execute("INSERT INTO st (p, c, v) VALUES (1, 2, 2)")
    return {"only": only, "rows": [plain(r) for r in session.execute("SELECT c, s, v FROM st WHERE p = 1")],
            "distinct": [plain(r) for r in session.execute("SELECT DISTINCT p, s FROM st")]}

@section("collections")
def _():
    session.execute("CREATE TABLE coll (k int PRIMARY KEY, l list<text>, s set<int>, m map<text, int>, fm frozen<map<int, frozen<list<text>>>>)")
    session.execute("INSERT INTO coll (k, l, s, m, fm) VALUES (1, ['b'], {3, 1}, {'x': 1}, {1: ['a', 'b']})")
    session.execute("UPDATE coll SET l = l + ['c'], l = ['a'] + l, s = s + {2}, s = s - {3}, m['y'] = 2, m = m + {'z': 3} WHERE k = 1")
    session.execute("UPDATE coll SET l[1] = 'B' WHERE k = 1")
    session.execute(session.prepare("UPDATE coll SET m = m - ? WHERE k = 1"), [{'x'}])
    r = session.execute("SELECT l, s, m, fm, m['y'] AS my, s CONTAINS 2 FROM coll WHERE k = 1") if False else session.execute("SELECT l, s, m, fm FROM coll WHERE k = 1").one()
    elem = session.execute("SELECT m['z'] AS mz FROM coll WHERE k = 1").one().mz
    return {"row": plain(r), "element": elem}

@section("counters")
def _():
    session.execute("CREATE TABLE cnt (k text, c int, n counter, PRIMARY KEY (k, c))")
    up = session.prepare("UPDATE cnt SET n = n + ? WHERE k = ? AND c = ?")
    for i in range(10): session.execute(up, (i, 'a', i % 2))
    session.execute("UPDATE cnt SET n = n - 100 WHERE k = 'a' AND c = 0")
    err = None
    try: session.execute("UPDATE cnt SET n = 5 WHERE k = 'a' AND c = 0")
    except InvalidRequest as e: err = str(e)
    return {"rows": sorted([r.c, r.n] for r in session.execute("SELECT c, n FROM cnt WHERE k = 'a'")), "set_error": err}

@section("lwt")
def _():
    session.execute("CREATE TABLE lwt (k int PRIMARY KEY, v int, w text)")
    res = []
    for q in ["INSERT INTO lwt (k, v, w) VALUES (1, 1, 'a') IF NOT EXISTS", "INSERT INTO lwt (k, v) VALUES (1, 2) IF NOT EXISTS",
              "UPDATE lwt SET v = 3 WHERE k = 1 IF v = 1", "UPDATE lwt SET v = 4 WHERE k = 1 IF v = 1 AND w = 'a'",
              "UPDATE lwt SET v = 5 WHERE k = 2 IF v = 1", "UPDATE lwt SET v = 5 WHERE k = 2 IF EXISTS",
              "UPDATE lwt SET w = 'b' WHERE k = 1 IF v IN (2, 3) AND w != 'z'", "DELETE FROM lwt WHERE k = 1 IF w = 'b'",
              "DELETE FROM lwt WHERE k = 1 IF EXISTS"]:
        r = session.execute(q)
        res.append([list(r.column_names), plain(list(r.one()))])
    return res

@section("aggregates")
def _():
    session.execute("CREATE TABLE agg (p int, c int, v int, d decimal, f double, PRIMARY KEY (p, c))")
    for c in range(1, 5): session.execute("INSERT INTO agg (p, c, v, d, f) VALUES (1, %d, %d, %d.5, %d.25)" % (c, c * 10, c, c))
    r = session.execute("SELECT count(*), min(v), max(v), sum(v), avg(v), sum(d), avg(f) FROM agg WHERE p = 1").one()
    grouped = [list(x) for x in session.execute("SELECT p, c, count(*) FROM agg GROUP BY p, c LIMIT 2")]
    return {"one": plain(list(r)), "names": list(r._fields), "grouped": grouped,
            "all": session.execute(SimpleStatement("SELECT count(*) FROM agg", fetch_size=2)).one()[0]}

@section("json")
def _():
    session.execute("CREATE TABLE js (k int PRIMARY KEY, v text, l list<int>, m map<text, frozen<list<int>>>, u uuid, ts timestamp)")
    session.execute("""INSERT INTO js JSON '{"k": 1, "v": "x", "l": [1, 2], "m": {"a": [3]}, "u": "12345678-1234-5678-1234-567812345678", "ts": "2024-01-02 03:04:05.000Z"}'""")
    session.execute(session.prepare("INSERT INTO js JSON ?"), ['{"k": 2, "v": "y"}'])
    session.execute("""INSERT INTO js JSON '{"k": 2, "l": [9]}' DEFAULT UNSET""")
    return {"rows": sorted((json.loads(r[0]) for r in session.execute("SELECT JSON * FROM js")), key=lambda d: d["k"]),
            "fn": session.execute("SELECT toJson(l) AS j FROM js WHERE k = 1").one().j}

@section("filtering")
def _():
    session.execute("CREATE TABLE flt (p int, c int, v int, tags set<text>, PRIMARY KEY (p, c))")
    for p in range(3):
        for c in range(4): session.execute("INSERT INTO flt (p, c, v, tags) VALUES (%d, %d, %d, {'t%d'})" % (p, c, p * 10 + c, c % 2))
    err = None
    try: session.execute("SELECT * FROM flt WHERE v = 21")
    except InvalidRequest as e: err = str(e)
    return {"error": err, "eq": [list(r) for r in session.execute("SELECT p, c FROM flt WHERE v = 21 ALLOW FILTERING")],
            "range": len(list(session.execute(SimpleStatement("SELECT * FROM flt WHERE v > 5 AND v < 22 ALLOW FILTERING", fetch_size=2)))),
            "contains": len(list(session.execute("SELECT * FROM flt WHERE tags CONTAINS 't1' ALLOW FILTERING"))),
            "clustering": len(list(session.execute("SELECT * FROM flt WHERE c = 2 ALLOW FILTERING")))}

@section("token_scan")
def _():
    # As the Spark connector: ranges from system.size_estimates, then token(k) > start AND token(k) <= end.
    session.execute("CREATE TABLE scan (k int PRIMARY KEY, v int)")
    ins = session.prepare("INSERT INTO scan (k, v) VALUES (?, ?)")
    for k in range(300): session.execute(ins, (k, k))
    ranges = [(int(r.range_start), int(r.range_end)) for r in session.execute(
        "SELECT range_start, range_end FROM system.size_estimates WHERE keyspace_name = %s AND table_name = 'scan'", [ks])]
    q = session.prepare("SELECT k FROM scan WHERE token(k) > ? AND token(k) <= ?")
    q_from = session.prepare("SELECT k FROM scan WHERE token(k) > ?")
    q_to = session.prepare("SELECT k FROM scan WHERE token(k) <= ?")
    seen = []
    for start, end in ranges:
        if start < end: seen += [r.k for r in session.execute(q, (start, end))]
        else:
            seen += [r.k for r in session.execute(q_from, (start,))]
            seen += [r.k for r in session.execute(q_to, (end,))]
    tok = session.execute("SELECT token(k) AS t FROM scan WHERE k = 7").one().t
    return {"ranges": len(ranges), "rows": len(seen), "distinct": len(set(seen)),
            "exact": [r.k for r in session.execute(q, (tok - 1, tok))]}

@section("keyspaces")
def _():
    session.execute("CREATE KEYSPACE %s_other WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}" % ks)
    session.execute("CREATE TABLE %s_other.kt (k int PRIMARY KEY, v text)" % ks)
    session.execute("USE %s_other" % ks)
    session.execute("INSERT INTO kt (k, v) VALUES (1, 'used')")
    session.execute("USE %s" % ks)
    res = {"use": session.execute("SELECT v FROM %s_other.kt WHERE k = 1" % ks).one().v}
    if version >= 5:
        st = SimpleStatement("SELECT v FROM kt WHERE k = 1", keyspace=ks + "_other")
        res["per_query"] = session.execute(st).one().v
        p = session.prepare("SELECT v FROM kt WHERE k = ?", keyspace=ks + "_other")
        res["per_prepare"] = session.execute(p, [1]).one().v
    return res

@section("schema")
def _():
    session.execute("CREATE TABLE sch (k int PRIMARY KEY, a int) WITH comment = 'first' AND gc_grace_seconds = 10")
    session.execute("INSERT INTO sch (k, a) VALUES (1, 1)")
    p = session.prepare("SELECT * FROM sch WHERE k = ?")
    id1 = p.result_metadata_id
    session.execute("ALTER TABLE sch ADD b text")
    session.execute("ALTER TABLE sch WITH comment = 'second'")
    session.execute("UPDATE sch SET b = 'bee' WHERE k = 1")
    row = session.execute(p, [1]).one()
    cluster.refresh_table_metadata(ks, 'sch')
    md = cluster.metadata.keyspaces[ks].tables['sch']
    session.execute("ALTER TABLE sch DROP a")
    after_drop = plain(session.execute("SELECT * FROM sch WHERE k = 1").one())
    session.execute("CREATE TABLE IF NOT EXISTS sch (k int PRIMARY KEY)")
    session.execute("DROP TABLE sch")
    session.execute("DROP TABLE IF EXISTS sch")
    gone = None
    try: session.execute("SELECT * FROM sch")
    except InvalidRequest as e: gone = str(e)
    session.execute("CREATE TYPE t1 (a int)"); session.execute("ALTER TYPE t1 ADD b text")
    cluster.refresh_user_type_metadata(ks, 't1')
    ut = cluster.metadata.keyspaces[ks].user_types['t1']
    session.execute("TRUNCATE pages")
    return {"row": plain(row), "metadata_id_changed": (id1 != p.result_metadata_id) if version >= 5 else None,
            "columns": sorted(md.columns.keys()), "comment": md.options.get('comment'), "after_drop": after_drop, "gone": gone,
            "udt": list(ut.field_names), "truncated": session.execute("SELECT count(*) FROM pages").one()[0]}

@section("metadata_changed")
def _():
    # Another client re-prepares after ALTER; this one still holds the old result metadata id and
    # asks to skip metadata: the rows must come with the new metadata (Metadata_changed on v5).
    session.execute("CREATE TABLE mc (k int PRIMARY KEY, a int)")
    session.execute("INSERT INTO mc (k, a) VALUES (1, 1)")
    p = session.prepare("SELECT * FROM mc WHERE k = ?")
    other = Cluster([host], port=port, protocol_version=version)
    s2 = other.connect(ks)
    s2.execute("ALTER TABLE mc ADD b int")
    s2.execute("UPDATE mc SET b = 2 WHERE k = 1")
    q = s2.prepare("SELECT * FROM mc WHERE k = ?")
    other.shutdown()
    row = session.execute(p, [1]).one()
    return {"row": plain(row), "same_id": q.query_id == p.query_id}

@section("error_codes")
def _():
    res = {}
    for name, q in [("syntax", "SELEC * FROM pages"), ("syntax2", "SELECT * FROM pages WHERE p = = 1"),
                    ("table", "SELECT * FROM nosuchtable"), ("column", "SELECT nocol FROM pages"),
                    ("keyspace", "SELECT * FROM nosuchks.t"), ("literal", "INSERT INTO pages (p, c, v) VALUES ('x', 1, 'a')"),
                    ("where_column", "SELECT * FROM pages WHERE nocol = 1")]:
        try:
            session.execute(q); res[name] = None
        except Exception as e:
            res[name] = [type(e).__name__, getattr(e, 'code', None), str(e)]
    try:
        session.execute(session.prepare("INSERT INTO pages (p, c, v) VALUES (?, ?, ?)"), ("x", 1, "a")); res["bound"] = None
    except Exception as e:
        res["bound"] = [type(e).__name__, str(e)]
    from cassandra.query import BoundStatement
    p = session.prepare("INSERT INTO pages (p, c, v) VALUES (?, ?, ?)")
    bs = BoundStatement(p); bs.raw_values = [b'\x00\x00\x00\x01\x00', b'\x00\x00\x00\x01', b'a']
    bs.values = bs.raw_values
    try:
        session.execute(bs); res["bad_bytes"] = None
    except Exception as e:
        res["bad_bytes"] = [type(e).__name__, str(e)]
    res["still_works"] = session.execute("SELECT release_version FROM system.local").one() is not None
    return res

cluster.shutdown()
print(json.dumps(out))
`;

interface Out { errors: Record<string, string>; [section: string]: unknown }

const runs = new Map<number, Promise<Out>>();
function run(version: number): Promise<Out> {
  let r = runs.get(version);
  if (!r) {
    r = runPythonJson<Out>(SCRIPT, node, { version, keyspace: `cov${version}`, timeoutMs: 180_000 });
    runs.set(version, r);
  }
  return r;
}

async function section<T>(version: number, name: string): Promise<T> {
  const out = await run(version);
  assert.equal(out.errors[name], undefined, `section ${name} failed: ${out.errors[name]}`);
  return out[name] as T;
}

for (const version of [4, 5]) {
  const v = `python v${version}`;

  test(`${v}: every type round-trips (duration, varint, decimal, inet, tuple, nested frozen, UDT)`, async () => {
    const t = await section<{ prepared: Record<string, unknown>; same_unprepared: boolean }>(version, 'types');
    assert.deepEqual(t.prepared, {
      k: 1, a: 'ascii', b: '-9223372036854775808', bl: 'cafe', bo: true, d: '2024-02-29', de: '-123.4500', db: 3.25,
      du: '1mo2d3000000000ns', f: 1.5, i: '10.1.2.3', i6: '2001:db8::1', si: -32768,
      t: 'héllo ✓', ti: '12:34:56.789012345', ts: '2024-01-02T03:04:05.678000', tu: 'd2177dd0-eaa2-11de-a572-001b779c76e3',
      tt: 127, u: '12345678-1234-5678-1234-567812345678', vi: '123456789012345678901234567890', tp: [7, 'seven', [1, 2]],
      nested: [['x', [[1, 2], [3]]]], ad: { street: 'Main', zip: 12345, tags: ['home'] },
      adl: [{ street: 'Side', zip: 1, tags: [] }],
    });
    assert.equal(t.same_unprepared, true);
  });

  test(`${v}: prepared statements with named values`, async () => {
    assert.deepEqual(await section(version, 'named_values'), ['x', ['key', 'cc']]);
  });

  test(`${v}: paging across partitions (simple, prepared, resumed from a paging state)`, async () => {
    assert.deepEqual(await section(version, 'paging'), {
      simple: [[300, 300], [300, 300], [300, 300], [300, 300]], prepared: [300, 300], first_page: 50, resumed_rows: 250,
    });
  });

  test(`${v}: logged, unlogged and counter batches`, async () => {
    const b = await section<{ bt: number[][]; bc: number[][]; counter_in_logged: string }>(version, 'batches');
    assert.deepEqual(b.bt, [[1, 1, 1], [1, 2, 2], [2, 0, 2], [3, 0, 3], [4, 0, 4], [9, 9, 10]]);
    assert.deepEqual(b.bc, [[1, 3], [2, 7]]);
    assert.match(b.counter_in_logged, /counter/i);
  });

  test(`${v}: TTL expiry of rows and cells, default_time_to_live`, async () => {
    assert.deepEqual(await section(version, 'ttl'), { expired_row: true, expired_cell: { v: 2, w: null }, default_ttl: true });
  });

  test(`${v}: tombstones of every kind`, async () => {
    assert.deepEqual(await section(version, 'tombstones'), {
      rows: [
        { c: 0, s: null, v: null, l: [1, 2, 3], m: [['a', 1], ['b', 2]] },
        { c: 2, s: null, v: 2, l: [2, 3], m: [['b', 2]] },
        { c: 3, s: null, v: 3, l: null, m: [['a', 1], ['b', 2]] },
      ],
      partition: [],
    });
  });

  test(`${v}: static columns`, async () => {
    assert.deepEqual(await section(version, 'statics'), {
      only: [{ p: 1, c: null, s: 'only static', v: null }],
      rows: [{ c: 1, s: 'shared', v: 1 }, { c: 2, s: 'shared', v: 2 }],
      distinct: [{ p: 1, s: 'shared' }],
    });
  });

  test(`${v}: collection operations`, async () => {
    assert.deepEqual(await section(version, 'collections'), {
      row: { l: ['a', 'B', 'c'], s: [1, 2], m: [['y', 2], ['z', 3]], fm: [[1, ['a', 'b']]] }, element: 3,
    });
  });

  test(`${v}: counters`, async () => {
    const c = await section<{ rows: number[][]; set_error: string }>(version, 'counters');
    assert.deepEqual(c.rows, [[0, -80], [1, 25]]);
    assert.match(c.set_error, /counter/i);
  });

  test(`${v}: IF conditions (LWT results as Cassandra shapes them)`, async () => {
    assert.deepEqual(await section(version, 'lwt'), [
      [['[applied]'], [true]],
      [['[applied]', 'k', 'v', 'w'], [false, 1, 1, 'a']],
      [['[applied]'], [true]],
      [['[applied]', 'v', 'w'], [false, 3, 'a']],
      [['[applied]'], [false]],
      [['[applied]'], [false]],
      [['[applied]'], [true]],
      [['[applied]'], [true]],
      [['[applied]'], [false]],
    ]);
  });

  test(`${v}: aggregates`, async () => {
    assert.deepEqual(await section(version, 'aggregates'), {
      one: [4, 10, 40, 100, 25, '12.0', 2.75],
      names: ['count', 'system_min_v', 'system_max_v', 'system_sum_v', 'system_avg_v', 'system_sum_d', 'system_avg_f'],
      grouped: [[1, 1, 1], [1, 2, 1]],
      all: 4,
    });
  });

  test(`${v}: SELECT JSON, toJson and INSERT JSON (literal, bound, DEFAULT UNSET)`, async () => {
    assert.deepEqual(await section(version, 'json'), {
      rows: [
        { k: 1, v: 'x', l: [1, 2], m: { a: [3] }, u: '12345678-1234-5678-1234-567812345678', ts: '2024-01-02 03:04:05.000Z' },
        { k: 2, v: 'y', l: [9], m: null, u: null, ts: null },
      ],
      fn: '[1, 2]',
    });
  });

  test(`${v}: ALLOW FILTERING`, async () => {
    const f = await section<{ error: string; eq: number[][]; range: number; contains: number; clustering: number }>(version, 'filtering');
    assert.match(f.error, /ALLOW FILTERING/);
    assert.deepEqual([f.eq, f.range, f.contains, f.clustering], [[[2, 1]], 6, 6, 3]);
  });

  test(`${v}: token() range scans over system.size_estimates cover the ring exactly once`, async () => {
    const s = await section<{ ranges: number; rows: number; distinct: number; exact: number[] }>(version, 'token_scan');
    assert.ok(s.ranges >= 2, `${s.ranges} ranges`);
    assert.deepEqual([s.rows, s.distinct, s.exact], [300, 300, [7]]);
  });

  test(`${v}: USE and per-query keyspace`, async () => {
    const k = await section<Record<string, string>>(version, 'keyspaces');
    assert.deepEqual(k, version >= 5 ? { use: 'used', per_query: 'used', per_prepare: 'used' } : { use: 'used' });
  });

  test(`${v}: schema changes (ALTER ADD/DROP/WITH, DROP, types, TRUNCATE) and prepared statements`, async () => {
    const s = await section<Record<string, unknown>>(version, 'schema');
    assert.deepEqual(s.row, { k: 1, a: 1, b: 'bee' });
    if (version >= 5) assert.equal(s.metadata_id_changed, true);
    assert.deepEqual(s.columns, ['a', 'b', 'k']);
    assert.equal(s.comment, 'second');
    assert.deepEqual(s.after_drop, { k: 1, b: 'bee' });
    assert.match(String(s.gone), /sch/);
    assert.deepEqual(s.udt, ['a', 'b']);
    assert.equal(s.truncated, 0);
  });

  test(`${v}: a stale result metadata id gets the new metadata`, async () => {
    assert.deepEqual(await section(version, 'metadata_changed'), { row: { k: 1, a: 1, b: 2 }, same_id: true });
  });

  test(`${v}: error codes and messages`, async () => {
    const e = await section<Record<string, [string, number | null, string] | null | boolean>>(version, 'error_codes');
    const err = (name: string) => e[name] as [string, number | null, string];
    assert.equal(err('syntax')[0], 'SyntaxException');
    assert.match(err('syntax')[2], /SELEC/);
    assert.match(err('syntax2')[2], /line 1:\d+/);
    for (const name of ['table', 'column', 'keyspace', 'literal', 'where_column']) assert.equal(err(name)[0], 'InvalidRequest', name);
    assert.match(err('table')[2], /nosuchtable/);
    assert.match(err('column')[2], /nocol/);
    assert.match(err('keyspace')[2], /nosuchks/);
    assert.match(err('literal')[2], /p/);
    assert.match(err('where_column')[2], /nocol/);
    assert.ok(e['bound'], 'a wrongly typed bound value is refused');
    assert.match((e['bad_bytes'] as unknown as string[])[1]!, /p|int|4 bytes/i);
    assert.equal(e['still_works'], true);
  });
}
