// End-to-end: a real node process driven by Debian's python3-cassandra at protocol v4 and v5.

import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startNodeProcess, type NodeProcess } from '../harness.js';
import { PYTHON_CONNECT, runPythonJson } from './_drivers.js';

let node: NodeProcess;

before(async () => { node = await startNodeProcess(); });
after(async () => { await node?.cleanup(); });

const SCRIPT = String.raw`${PYTHON_CONNECT}
import json, uuid, datetime, decimal
from cassandra.query import SimpleStatement, BatchStatement
from cassandra.util import Date, Time, Duration

out = {"protocol_version": cluster.protocol_version}
session.execute("CREATE KEYSPACE %s WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}" % ks)
session.set_keyspace(ks)
session.execute("""CREATE TABLE t (p int, c int, s text static, v text, n list<int>, m map<text, int>,
  ts timestamp, u uuid, d decimal, dt date, tm time, PRIMARY KEY (p, c)) WITH CLUSTERING ORDER BY (c DESC)""")
ins = session.prepare("INSERT INTO t (p, c, v, n, m, ts, u, d, dt, tm) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
uid = uuid.UUID('12345678-1234-5678-1234-567812345678')
for p in range(5):
    for c in range(10):
        session.execute(ins, (p, c, "v%d-%d" % (p, c), [c, c + 1], {"k": c},
            datetime.datetime(2024, 1, 2, 3, 4, 5, 678000), uid, decimal.Decimal("1.25"), Date(19000), Time(3723000000000)))
session.execute("UPDATE t SET s = 'static' WHERE p = 0")
rows = list(session.execute(SimpleStatement("SELECT p, c, s, v FROM t", fetch_size=7)))
out["rows"] = len(rows)
first = list(session.execute("SELECT c, s, v, n, m, ts, u, d, dt, tm FROM t WHERE p = 0 LIMIT 2"))
out["order"] = [r.c for r in first]
r = first[0]
out["values"] = [r.s, r.v, list(r.n), dict(r.m), r.ts.isoformat(), str(r.u), str(r.d), str(r.dt), str(r.tm)]
b = BatchStatement()
b.add(ins, (9, 1, "batched", None, None, None, None, None, None, None))
b.add(ins, (9, 2, "batched", None, None, None, None, None, None, None))
session.execute(b)
out["batch"] = session.execute("SELECT count(*) FROM t WHERE p = 9").one()[0]
md = cluster.metadata.keyspaces[ks].tables["t"]
out["pk"] = [c.name for c in md.partition_key]
out["ck"] = [c.name for c in md.clustering_key]
out["cql"] = md.export_as_string()
try:
    session.execute("SELECT * FROM nosuchtable")
except Exception as e:
    out["error"] = type(e).__name__ + ": " + str(e)
cluster.shutdown()
print(json.dumps(out))
`;

interface PyOut { protocol_version: number; rows: number; order: number[]; values: unknown[]; batch: number; pk: string[]; ck: string[]; cql: string; error: string }

for (const version of [4, 5]) {
  test(`python3-cassandra with protocol v${version}: connect, metadata, types, paging, batch`, async () => {
    const out = await runPythonJson<PyOut>(SCRIPT, node, { version, keyspace: `py${version}` });
    assert.equal(out.protocol_version, version);
    assert.equal(out.rows, 50);
    assert.deepEqual(out.order, [9, 8]);
    assert.deepEqual(out.values, ['static', 'v0-9', [9, 10], { k: 9 }, '2024-01-02T03:04:05.678000',
      '12345678-1234-5678-1234-567812345678', '1.25', '2022-01-08', '01:02:03.000000000']);
    assert.equal(out.batch, 2);
    assert.deepEqual(out.pk, ['p']);
    assert.deepEqual(out.ck, ['c']);
    assert.match(out.cql, /CLUSTERING ORDER BY \(c DESC\)/);
    assert.match(out.error, /InvalidRequest.*nosuchtable/);
  });
}
