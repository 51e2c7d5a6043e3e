// runCluster without starting nodes: create, list, switch, status of a stopped cluster, remove,
// exit codes, and where clusters live (--dir over CASSIA_CLUSTERS_DIR).
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCluster, type ClusterStatus } from './mod.js';

const root = mkdtempSync(join(tmpdir(), 'cassia-cluster-mod-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function run(argv: string[], environment: Record<string, string> = { CASSIA_CLUSTERS_DIR: root }): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCluster(argv, { io: { out: (t) => { out += t; }, err: (t) => { err += t; } }, environment });
  return { code, out, err };
}

test('create, list, switch, status of stopped nodes, remove', async () => {
  // Ports 20690-20692 on 127.0.0.7..9: nothing listens there, so every probe is refused.
  assert.equal((await run(['create', 'a', '-n', '2', '--dcs', '2', '--first-address', '127.0.0.7', '--base-port', '20690'])).code, 0);
  assert.equal((await run(['create', 'b', '-n', '1', '--first-address', '127.0.0.9', '--base-port', '20690', '--set', 'num_tokens=4'])).code, 0);
  assert.match(readFileSync(join(root, 'b', 'node1', 'cassia.yaml'), 'utf8'), /num_tokens: 4/);
  let list = await run(['list']);
  assert.match(list.out, /^ {2}a\s+2 node\(s\)\s+0 running$/m);
  assert.match(list.out, /^\* b\s+1 node\(s\)\s+0 running$/m);
  assert.equal((await run(['switch', 'a'])).code, 0);
  list = await run(['list']);
  assert.match(list.out, /^\* a/m);

  const status = await run(['status', '--json']);
  assert.equal(status.code, 0);
  const s = JSON.parse(status.out) as ClusterStatus;
  assert.equal(s.name, 'a');
  assert.deepEqual(s.nodes.map((n) => [n.name, n.address, n.dc, n.state, n.cql, n.pid]),
    [['node1', '127.0.0.7', 'datacenter1', 'DOWN', 'refused', null], ['node2', '127.0.0.8', 'datacenter2', 'DOWN', 'refused', null]]);
  assert.equal(s.replication, "{'class': 'NetworkTopologyStrategy', 'datacenter1': 1, 'datacenter2': 1}");

  const notRunning = await run(['node', 'node1', 'pause']);
  assert.equal(notRunning.code, 1);
  assert.match(notRunning.err, /node1: not running/);
  const noSuchNode = await run(['node', 'node9', 'kill']);
  assert.equal(noSuchNode.code, 1);
  assert.match(noSuchNode.err, /no node 'node9'; its nodes are node1, node2/);
  assert.equal((await run(['stop'])).code, 0);

  assert.equal((await run(['remove', 'b'])).code, 0);
  assert.equal(existsSync(join(root, 'b')), false);
  assert.equal(readFileSync(join(root, 'CURRENT'), 'utf8').trim(), 'a', 'removing another cluster keeps the current one');
  assert.equal((await run(['remove', 'a'])).code, 0);
  const none = await run(['status']);
  assert.equal(none.code, 1);
  assert.match(none.err, /no current cluster/);
});

test('--dir wins over CASSIA_CLUSTERS_DIR; usage errors exit 2; unknown cluster exits 1', async () => {
  const other = join(root, 'other');
  assert.equal((await run(['create', 'x', '-n', '1', '--dir', other, '--base-port', '20690'])).code, 0);
  assert.ok(existsSync(join(other, 'x', 'cluster.json')));
  assert.equal(existsSync(join(root, 'x')), false);
  const usage = await run(['create', 'x']);
  assert.equal(usage.code, 2);
  assert.match(usage.err, /needs -n N/);
  const missing = await run(['start', 'nope']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /no cluster 'nope'/);
  const help = await run([]);
  assert.equal(help.code, 0);
  assert.match(help.out, /usage: cassia cluster/);
});
