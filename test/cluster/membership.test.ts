// MEMBERSHIP (needs gossip): the nodes that `cassia cluster` starts must find each other through
// their seeds, so that a driver given one contact point sees all three hosts with the dc and rack
// the tool assigned. This asserts the real thing and fails until src/cluster/gossip is wired into
// the node (H15's work); it is neither skipped nor weakened. Nodes on 127.0.0.4..6, three
// consecutive free ports picked at start.

import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import type { StatusReport } from '../../src/server/admin/api.js';
import { adminStatus as adminStatusAt, cliOk, eventually, killRecorded, readCluster } from './_helpers.js';
import { freePortBase } from '../harness.js';

const NAME = 'gossip3';
const PORT = await freePortBase(['127.0.0.4', '127.0.0.5', '127.0.0.6'], 3); // native; storage PORT + 1, admin PORT + 2
const ADMIN_PORT = PORT + 2;
const root = mkdtempSync(join(tmpdir(), 'cassia-membership-test-'));

after(() => {
  killRecorded(root, NAME);
  rmSync(root, { recursive: true, force: true });
});

interface SeenHost {
  address: string;
  dc: string;
  rack: string;
}

/** Hosts the driver learns from one contact point (system.local + system.peers_v2/peers), client.hosts. */
async function hostsSeenFrom(address: string): Promise<SeenHost[]> {
  const client = new cassandra.Client({ contactPoints: [`${address}:${PORT}`], localDataCenter: 'datacenter1',
    protocolOptions: { port: PORT }, socketOptions: { connectTimeout: 5000, readTimeout: 5000 } });
  try {
    await client.connect();
    return client.hosts.values().map((h) => ({ address: h.address.replace(/:\d+$/, ''), dc: h.datacenter, rack: h.rack }))
      .sort((a, b) => a.address.localeCompare(b.address));
  } finally {
    await client.shutdown();
  }
}

function adminStatus(address: string): Promise<StatusReport | null> {
  return adminStatusAt(address, ADMIN_PORT);
}

test('membership (needs gossip): from any one contact point the driver sees all 3 hosts with their dc and rack', async () => {
  await cliOk(root, ['create', NAME, '-n', '3', '--racks', '3', '--first-address', '127.0.0.4', '--base-port', String(PORT), '--start']);
  const c = readCluster(root, NAME);
  const expected: SeenHost[] = c.nodes.map((n) => ({ address: n.address, dc: n.dc, rack: n.rack }));
  for (const node of c.nodes) {
    const seen = await eventually(() => hostsSeenFrom(node.address), (h) => h.length === expected.length);
    assert.deepEqual(seen, expected, `hosts seen through ${node.address}`);
  }
  // The driver opens a pool to every host of its local DC once it knows them.
  // protocolOptions.port: the npm driver connects to every discovered peer on this one port.
  const client = new cassandra.Client({ contactPoints: [`${c.nodes[0]!.address}:${PORT}`], localDataCenter: 'datacenter1', protocolOptions: { port: PORT } });
  try {
    await client.connect();
    for (let i = 0; i < 30; i++) await client.execute('SELECT release_version FROM system.local');
    const connected = await eventually(async () => client.getState().getConnectedHosts().length, (n) => n === 3);
    assert.equal(connected, 3, 'connected hosts');
  } finally {
    await client.shutdown();
  }
  const status = await eventually(() => adminStatus(c.nodes[0]!.address), (s) => s !== null && s.nodes.filter((n) => n.up).length === 3);
  assert.deepEqual(status?.nodes.map((n) => [n.address, n.dc, n.rack, n.up]).sort(), expected.map((h) => [h.address, h.dc, h.rack, true]));
});

test('membership (needs gossip): a killed node is seen down by the others, and up again after node start', async () => {
  const c = readCluster(root, NAME);
  const [first, , third] = c.nodes;
  await cliOk(root, ['node', third!.name, 'kill']);
  const down = await eventually(() => adminStatus(first!.address), (s) => s?.nodes.find((n) => n.address === third!.address)?.up === false);
  assert.equal(down?.nodes.find((n) => n.address === third!.address)?.up, false, `${first!.address} sees ${third!.address} down`);
  await cliOk(root, ['node', third!.name, 'start']);
  const up = await eventually(() => adminStatus(first!.address), (s) => s?.nodes.find((n) => n.address === third!.address)?.up === true);
  assert.equal(up?.nodes.find((n) => n.address === third!.address)?.up, true, `${first!.address} sees ${third!.address} up again`);
  await cliOk(root, ['remove', NAME]);
});
