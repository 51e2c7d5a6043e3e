// Three real node processes on 127.0.0.1, 127.0.0.2, 127.0.0.3 (each listening on its own
// loopback address; the same native and storage ports, as a real cluster uses), driven by the
// npm driver: RF 3 keyspace, QUORUM writes, SIGKILL one node, QUORUM still works and the driver
// sees the node DOWN, ALL is Unavailable; restart it and ALL works again.
// Ports: two consecutive free ports picked at start, native then storage (admin ephemeral).

import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import cassandra from 'cassandra-driver';
import { freePortBase, startNodeProcess, type NodeProcess } from '../harness.js';

const ADDRESSES = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const NATIVE_PORT = await freePortBase(ADDRESSES, 2);
const STORAGE_PORT = NATIVE_PORT + 1;
/** Conviction takes up to ~37 s of silence (phi 8, see test/sim/cluster.test.ts); leave room. */
const CONVERGE_MS_MAX = 60_000;
const POLL_MS = 500;
const UNAVAILABLE = 0x1000;
const { consistencies } = cassandra.types;

const nodes: NodeProcess[] = [];
after(async () => {
  for (const n of nodes) await n.cleanup().catch(() => undefined);
});

function start(host: string, dataDir?: string): Promise<NodeProcess> {
  return startNodeProcess({
    host, ...(dataDir ? { dataDir } : {}),
    args: ['--native-port', String(NATIVE_PORT), '--storage-port', String(STORAGE_PORT), '--seeds', ADDRESSES[0]!],
    env: { CASSIA_LOG_LEVEL: 'warn' },
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(what: string, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + CONVERGE_MS_MAX;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== null) return v;
    } catch (err) {
      last = err;
    }
    await sleep(POLL_MS);
  }
  throw new Error(`${what} did not happen within ${CONVERGE_MS_MAX} ms${last ? ` (last error: ${String(last)})` : ''}`);
}

test('3 node processes: QUORUM survives a SIGKILL, ALL is Unavailable until the node is back', async () => {
  for (const host of ADDRESSES) nodes.push(await start(host));
  assert.equal(new Set(nodes.map((n) => n.host)).size, 3, 'each node on its own address');
  assert.ok(nodes.every((n) => n.port === NATIVE_PORT), 'same native port on every address');

  const client = new cassandra.Client({
    contactPoints: [ADDRESSES[0]!], localDataCenter: 'datacenter1', protocolOptions: { port: NATIVE_PORT },
    socketOptions: { readTimeout: 20_000 },
  });
  try {
    await client.connect();
    await eventually('driver sees 3 hosts up', async () => {
      await client.execute('SELECT release_version FROM system.local');
      const hosts = client.hosts.values();
      return hosts.length === 3 && hosts.every((h) => h.isUp()) ? hosts : null;
    });
    await client.execute("CREATE KEYSPACE rf3 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}");
    await client.execute('CREATE TABLE rf3.t (k int PRIMARY KEY, v text)');
    const insert = (k: number, v: string) => client.execute('INSERT INTO rf3.t (k, v) VALUES (?, ?)', [k, v], { prepare: true, consistency: consistencies.quorum });
    const readAll = (k: number) => client.execute('SELECT v FROM rf3.t WHERE k = ?', [k], { prepare: true, consistency: consistencies.all });
    for (let k = 0; k < 30; k++) await insert(k, `before-${k}`);
    assert.equal((await readAll(7)).rows[0]?.['v'], 'before-7', 'ALL read with every node up');

    const victim = nodes[2]!;
    await victim.kill();
    for (let k = 30; k < 60; k++) await insert(k, `during-${k}`);
    await eventually('driver sees the killed node DOWN', async () => {
      const host = client.hosts.values().find((h) => h.address.startsWith(`${victim.host}:`));
      return host && !host.isUp() ? host : null;
    });
    const unavailable = await eventually('ALL read answered Unavailable', async () => {
      try {
        await readAll(7);
        return null;
      } catch (err) {
        return (err as { code?: number }).code === UNAVAILABLE ? err as Error : null;
      }
    });
    // The npm driver rewrites the Unavailable message from its fields (the server's text, naming
    // the down replica with DC/rack, is checked in test/sim/cluster.test.ts).
    const fields = unavailable as unknown as { required: number; alive: number; consistencies: number };
    assert.deepEqual([fields.required, fields.alive, fields.consistencies], [3, 2, consistencies.all]);

    nodes[2] = await start(victim.host, victim.dataDir);
    const row = await eventually('ALL read works after the restart', async () => (await readAll(7)).rows[0] ?? null);
    assert.equal(row['v'], 'before-7');
    // No hints yet: rows written while the node was down may be missing there; QUORUM sees them.
    for (const k of [30, 45, 59]) {
      const r = await client.execute('SELECT v FROM rf3.t WHERE k = ?', [k], { prepare: true, consistency: consistencies.quorum });
      assert.equal(r.rows[0]?.['v'], `during-${k}`);
    }
  } finally {
    await client.shutdown();
  }
});
