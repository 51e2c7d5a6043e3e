// `cassia cluster` end to end: a 3-node cluster of real node processes on 127.0.0.1..3 (three
// consecutive free ports picked at start), driven through the command, checked with the npm driver and by PID. What is
// checked is what the tool controls: processes, addresses, ports, dc/rack, status, signals.
// Membership between the nodes (gossip) is checked in membership.test.ts.

import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeCql, type ClusterStatus } from '../../src/cli/cluster/mod.js';
import { cli, cliOk, killRecorded, pidGone, readCluster, singleNodeClient } from './_helpers.js';
import { freePortBase } from '../harness.js';

const NAME = 'c3';
const ADDRESSES = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const PORT = await freePortBase(ADDRESSES, 3); // native; storage PORT + 1, admin PORT + 2
const root = mkdtempSync(join(tmpdir(), 'cassia-cluster-test-'));
const PAUSED_TIMEOUT_MS = 1500;

after(() => {
  killRecorded(root, NAME);
  rmSync(root, { recursive: true, force: true });
});

async function status(): Promise<ClusterStatus> {
  const r = await cliOk(root, ['status', NAME, '--json']);
  return JSON.parse(r.stdout) as ClusterStatus;
}

function pids(): number[] {
  return readCluster(root, NAME).nodes.map((n) => n.pid).filter((p): p is number => p !== null);
}

/** Asks the node at `address` who it is; the answer must come from that node itself. */
async function systemLocal(address: string): Promise<{ rpc: string; dc: string; rack: string; hostId: string }> {
  const client = singleNodeClient(address, PORT);
  try {
    const rs = await client.execute('SELECT rpc_address, data_center, rack, host_id FROM system.local');
    const row = rs.first();
    return { rpc: String(row['rpc_address']), dc: String(row['data_center']), rack: String(row['rack']), hostId: String(row['host_id']) };
  } finally {
    await client.shutdown();
  }
}

test('create writes cluster.json and a cassia.yaml per node, and makes the cluster current', async () => {
  const r = await cliOk(root, ['create', NAME, '-n', '3', '--racks', '3', '--base-port', String(PORT), '--rf', '2']);
  assert.match(r.stdout, /created cluster c3/);
  assert.match(r.stdout, /'datacenter1': 2/);
  const c = readCluster(root, NAME);
  assert.deepEqual(c.nodes.map((n) => [n.name, n.address, n.dc, n.rack, n.seed, n.pid]), [
    ['node1', '127.0.0.1', 'datacenter1', 'rack1', true, null],
    ['node2', '127.0.0.2', 'datacenter1', 'rack2', false, null],
    ['node3', '127.0.0.3', 'datacenter1', 'rack3', false, null],
  ]);
  assert.deepEqual(c.rf, { datacenter1: 2 });
  for (const n of c.nodes) {
    const yaml = readFileSync(join(root, NAME, n.name, 'cassia.yaml'), 'utf8');
    assert.match(yaml, new RegExp(`listen_address: ${n.address.replace(/\./g, '\\.')}`));
    assert.match(yaml, new RegExp(`native_transport_port: ${PORT}\\n`));
  }
  assert.equal(readFileSync(join(root, 'CURRENT'), 'utf8').trim(), NAME);
  const again = await cli(root, ['create', NAME, '-n', '1']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists/);
});

test('start runs every node detached; each answers CQL on its own address as itself', async () => {
  const r = await cliOk(root, ['start']); // the current cluster
  for (const n of ['node1', 'node2', 'node3']) assert.match(r.stdout, new RegExp(`${n}: ready \\(pid \\d+\\)`));
  const running = pids();
  assert.equal(running.length, 3);
  // The command has exited; the nodes it started must still be running.
  for (const pid of running) assert.equal(pidGone(pid), false, `pid ${pid} should be running`);
  const c = readCluster(root, NAME);
  const hostIds = new Set<string>();
  for (const n of c.nodes) {
    const local = await systemLocal(n.address);
    assert.equal(local.rpc, n.address);
    assert.equal(local.dc, n.dc);
    assert.equal(local.rack, n.rack);
    hostIds.add(local.hostId);
  }
  assert.equal(hostIds.size, 3, 'three distinct nodes');
  const again = await cliOk(root, ['start', NAME]);
  assert.match(again.stdout, /node1: already running/);
  assert.deepEqual(pids(), running, 'a second start starts nothing');
});

test('status: every node UP with its pid, CQL answering and admin /info', async () => {
  const s = await status();
  const c = readCluster(root, NAME);
  assert.deepEqual(s.nodes.map((n) => [n.name, n.state, n.cql, n.pid]), c.nodes.map((n) => [n.name, 'UP', 'up', n.pid]));
  for (const n of s.nodes) {
    assert.ok(n.info !== null, `${n.name} admin /info`);
    assert.equal(n.info.dc, n.dc);
    assert.equal(n.info.rack, n.rack);
  }
  const text = await cliOk(root, ['status']);
  assert.match(text.stdout, /3 of 3 node\(s\) up/);
  assert.match(text.stdout, new RegExp(`node2\\s+127\\.0\\.0\\.2:${PORT}\\s+datacenter1\\s+rack2\\s+UP`));
});

test('node node2 kill: the process is gone and status shows it DOWN; node node2 start brings it back', async () => {
  const before = readCluster(root, NAME).nodes[1]!.pid!;
  const hostId = (await systemLocal('127.0.0.2')).hostId;
  await cliOk(root, ['node', 'node2', 'kill']);
  assert.ok(pidGone(before), 'SIGKILLed pid is gone');
  assert.equal(readCluster(root, NAME).nodes[1]!.pid, null);
  const s = await status();
  assert.deepEqual(s.nodes.map((n) => n.state), ['UP', 'DOWN', 'UP']);
  assert.equal(s.nodes[1]!.cql, 'refused');
  const again = await cli(root, ['node', 'node2', 'kill']);
  assert.equal(again.code, 1, 'killing a node that is not running fails');

  await cliOk(root, ['node', 'node2', 'start']);
  const after = readCluster(root, NAME).nodes[1]!.pid!;
  assert.notEqual(after, before);
  const local = await systemLocal('127.0.0.2');
  assert.equal(local.hostId, hostId, 'same data directory, same host id');
  assert.deepEqual((await status()).nodes.map((n) => n.state), ['UP', 'UP', 'UP']);
});

test('a node killed outside the tool is detected as a stale pid, and start restarts only it', async () => {
  const stale = readCluster(root, NAME).nodes[2]!.pid!;
  process.kill(stale, 'SIGKILL');
  for (let i = 0; i < 100 && !pidGone(stale); i++) await new Promise((r) => setTimeout(r, 100));
  const s = await status();
  assert.equal(s.nodes[2]!.state, 'DOWN');
  assert.match(s.nodes[2]!.note ?? '', new RegExp(`recorded pid ${stale} is gone`));
  assert.equal(readCluster(root, NAME).nodes[2]!.pid, null, 'forgotten in cluster.json');
  const others = pids();
  const r = await cliOk(root, ['start']);
  assert.match(r.stdout, /node1: already running/);
  assert.match(r.stdout, /node3: ready/);
  assert.deepEqual(pids().slice(0, 2), others);
  assert.equal((await systemLocal('127.0.0.3')).rpc, '127.0.0.3');
});

test('pause: node2 does not answer within a short timeout; resume: it answers again', async () => {
  const pid = readCluster(root, NAME).nodes[1]!.pid!;
  await cliOk(root, ['node', 'node2', 'pause']);
  assert.equal(pidGone(pid), false, 'paused, not gone');
  assert.equal(await probeCql('127.0.0.2', PORT, PAUSED_TIMEOUT_MS), 'timeout');
  const client = singleNodeClient('127.0.0.2', PORT, PAUSED_TIMEOUT_MS);
  await assert.rejects(client.connect(), 'a paused node cannot complete the CQL handshake');
  await client.shutdown();
  assert.equal((await status()).nodes[1]!.state, 'PAUSED');
  assert.equal(await probeCql('127.0.0.1', PORT, PAUSED_TIMEOUT_MS), 'up', 'the other nodes still answer');

  await cliOk(root, ['node', 'node2', 'resume']);
  assert.equal(await probeCql('127.0.0.2', PORT), 'up');
  assert.equal((await systemLocal('127.0.0.2')).rpc, '127.0.0.2');
  assert.equal((await status()).nodes[1]!.state, 'UP');
  assert.equal(readCluster(root, NAME).nodes[1]!.pid, pid, 'the same process');
});

test('stop ends every process (a paused one too); remove deletes the cluster', async () => {
  await cliOk(root, ['node', 'node3', 'pause']);
  const running = pids();
  assert.equal(running.length, 3);
  const r = await cliOk(root, ['stop']);
  assert.match(r.stdout, /node3: stopped/);
  for (const pid of running) assert.ok(pidGone(pid), `pid ${pid} is gone after stop`);
  assert.deepEqual(pids(), []);
  assert.deepEqual((await status()).nodes.map((n) => n.state), ['DOWN', 'DOWN', 'DOWN']);
  for (const address of ADDRESSES) assert.equal(await probeCql(address, PORT), 'refused');

  await cliOk(root, ['start', NAME]);
  const restarted = pids();
  assert.equal(restarted.length, 3);
  const rm = await cliOk(root, ['remove', NAME]);
  assert.match(rm.stdout, /removed cluster c3/);
  for (const pid of restarted) assert.ok(pidGone(pid), `pid ${pid} is gone after remove`);
  assert.equal(existsSync(join(root, NAME)), false);
  assert.equal(existsSync(join(root, 'CURRENT')), false, 'the current cluster was removed');
  const list = await cliOk(root, ['list']);
  assert.match(list.stdout, /no clusters/);
});
