// Compatibility: schema persistence across a restart and re-prepare on UNPREPARED, through both
// drivers. Each driver prepares statements, the node restarts on the same port and data directory
// (its prepared cache is gone), and the driver's next EXECUTE gets UNPREPARED, re-prepares and
// succeeds; metadata and system_schema show the same schema as before. Also DROP + CREATE of a
// table under a prepared statement.

import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import cassandra from 'cassandra-driver';
import { startNodeProcess, type NodeProcess } from '../harness.js';

// The node restarts on the same native port (drivers reconnect to it): a free ephemeral port found
// once, not a fixed one that a concurrent run of this file (another checkout's CI) could hold.
let PORT = 0;
let ARGS: string[] = [];
let dataDir: string;
let node: NodeProcess | undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'cassia-compat-restart-'));
  PORT = await freePort();
  ARGS = ['--native-port', String(PORT)];
});
after(async () => {
  await node?.cleanup({ keepData: true });
  rmSync(dataDir, { recursive: true, force: true });
  // cassandra-driver 4.x sometimes keeps rescheduling a pool connection attempt
  // (HostConnectionPool.scheduleNewConnectionAttempt from Host._checkPoolState) after shutdown()
  // when the node restarted under it; that ref'd timer would hold this file open until the suite's
  // timeout. Everything of ours is stopped by now, so end the process if it lingers.
  setTimeout(() => process.exit(), 3000).unref();
});

async function restart(): Promise<void> {
  await node?.stop();
  node = await startNodeProcess({ dataDir, args: ARGS });
}

/** A python child that runs `script` in parts; each `input()` in the script waits for next(). */
function pythonSession(script: string): { next(): void; line(): Promise<string>; done: Promise<string> } {
  const child = spawn('/usr/bin/python3', ['-u', '-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: ((l: string) => void)[] = [];
  const lines: string[] = [];
  child.stdout.on('data', (d) => {
    out += d;
    let i;
    while ((i = out.indexOf('\n')) >= 0) {
      const l = out.slice(0, i);
      out = out.slice(i + 1);
      const w = waiters.shift();
      if (w) w(l); else lines.push(l);
    }
  });
  child.stderr.on('data', (d) => { err += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
  const done = new Promise<string>((resolve, reject) => child.once('exit', (code) => {
    clearTimeout(timer);
    child.stdin.destroy(); // an open stdin pipe would keep this test process alive
    if (code === 0) resolve(err); else reject(new Error(`python exited ${code}: ${err}`));
  }));
  return {
    next: () => child.stdin.write('\n'),
    line: () => new Promise((resolve, reject) => {
      const l = lines.shift();
      if (l !== undefined) resolve(l);
      else { waiters.push(resolve); void done.catch(reject); }
    }),
    done,
  };
}

const python = (): string => String.raw`
import json, sys, time
from cassandra.cluster import Cluster
cluster = Cluster(['127.0.0.1'], port=${PORT}, protocol_version=int(sys.argv[1]) if len(sys.argv) > 1 else 4,
                  reprepare_on_up=False)  # so the next EXECUTE meets UNPREPARED
session = cluster.connect('rs')
p = session.prepare("SELECT v FROM t WHERE k = ?")
print(json.dumps(session.execute(p, [1]).one().v))
input()
out = None
for i in range(60):
    try:
        out = session.execute(p, [1]).one().v
        break
    except Exception as e:
        time.sleep(0.5)
for i in range(60):
    try:
        cluster.refresh_schema_metadata()
        break
    except Exception:
        time.sleep(0.5)
t = cluster.metadata.keyspaces['rs'].tables['t']
print(json.dumps({"v": out, "columns": sorted(t.columns.keys()), "comment": t.options.get('comment'),
                  "udt": list(cluster.metadata.keyspaces['rs'].user_types['u'].field_names)}))
cluster.shutdown()
`;

/**
 * Runs a driver call, retrying for up to 30 s while the driver is still reconnecting after the
 * restart (under load its pool can answer "a connection could not be acquired" for a while);
 * the last error is thrown if it never succeeds.
 */
async function afterReconnect<T>(call: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (let i = 0; i < 60; i++) {
    try {
      return await call();
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw last;
}

test('schema survives a restart; npm and python drivers re-prepare on UNPREPARED and keep working', { timeout: 240_000 }, async () => {
  await restart();
  const npm = new cassandra.Client({ contactPoints: [`127.0.0.1:${PORT}`], localDataCenter: 'datacenter1',
    rePrepareOnUp: false }); // so the next EXECUTE meets UNPREPARED
  try {
    await npm.connect();
    await npm.execute("CREATE KEYSPACE rs WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    await npm.execute('CREATE TYPE rs.u (a int, b text)');
    await npm.execute("CREATE TABLE rs.t (k int PRIMARY KEY, v text, d int, x frozen<u>) WITH comment = 'kept' AND gc_grace_seconds = 77");
    await npm.execute('ALTER TABLE rs.t DROP d');
    await npm.execute("INSERT INTO rs.t (k, v) VALUES (1, 'one')");
    const q = 'SELECT v FROM rs.t WHERE k = ?';
    assert.equal((await npm.execute(q, [1], { prepare: true })).first()['v'], 'one');
    const before = (await npm.execute("SELECT * FROM system_schema.tables WHERE keyspace_name = 'rs'")).rows.map((r) => JSON.stringify(r));
    const py = pythonSession(python());
    assert.equal(await py.line(), '"one"');

    await restart();
    const got = await afterReconnect(async () => (await npm.execute(q, [1], { prepare: true })).first()['v'] as string);
    assert.equal(got, 'one', 'npm: the prepared statement works after the restart');
    const after = (await afterReconnect(() => npm.execute("SELECT * FROM system_schema.tables WHERE keyspace_name = 'rs'"))).rows.map((r) => JSON.stringify(r));
    assert.deepEqual(after, before, 'system_schema.tables unchanged by the restart');
    const dropped = await afterReconnect(() => npm.execute("SELECT column_name FROM system_schema.dropped_columns WHERE keyspace_name = 'rs' AND table_name = 't'"));
    assert.deepEqual(dropped.rows.map((r) => r['column_name']), ['d']);
    const table = await afterReconnect(() => npm.metadata.getTable('rs', 't'));
    assert.deepEqual(table?.columns.map((c) => c.name).sort(), ['k', 'v', 'x']);

    py.next();
    assert.deepEqual(JSON.parse(await py.line()), { v: 'one', columns: ['k', 'v', 'x'], comment: 'kept', udt: ['a', 'b'] });
    await py.done;
  } finally {
    // The npm driver (4.x) keeps rescheduling a pool connection attempt that was pending when
    // shutdown() ran (seen under load after the restart): let the pool settle first.
    await new Promise((r) => setTimeout(r, 2000));
    await npm.shutdown();
  }
});

test('DROP and re-CREATE under a prepared statement: both drivers re-prepare against the new table', { timeout: 120_000 }, async () => {
  if (!node) await restart();
  const npm = new cassandra.Client({ contactPoints: [`127.0.0.1:${PORT}`], localDataCenter: 'datacenter1', keyspace: 'rs' });
  try {
    await npm.connect();
    await npm.execute('CREATE TABLE dr (k int PRIMARY KEY, v text)');
    await npm.execute("INSERT INTO dr (k, v) VALUES (1, 'old')");
    const q = 'SELECT * FROM dr WHERE k = ?';
    assert.equal((await npm.execute(q, [1], { prepare: true })).first()['v'], 'old');
    await npm.execute('DROP TABLE dr');
    await npm.execute('CREATE TABLE dr (k int PRIMARY KEY, v text, w int)');
    await npm.execute("INSERT INTO dr (k, v, w) VALUES (1, 'new', 2)");
    const rs = await npm.execute(q, [1], { prepare: true });
    assert.deepEqual([rs.first()['v'], rs.first()['w']], ['new', 2]);
  } finally {
    await npm.shutdown();
  }
});
