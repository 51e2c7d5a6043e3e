// Seeded simulation of a 4-node cluster in one process: join through one seed, concurrent DDL
// on two nodes converging to one schema, failure detection of a partitioned node within a
// bounded virtual time and its return after the heal, and QUORUM/ALL writes with a node down.
// SIM_SEED=<n> replays a run; a failure prints the seed.

import test from 'node:test';
import assert from 'node:assert/strict';
import { SimNetwork, SimTime } from '../../src/env/sim/mod.js';
import { parseStatement } from '../../src/cql/mod.js';
import { tokenOf } from '../../src/util/murmur3.js';
import { Unavailable } from '../../src/util/errors.js';
import { Ring } from '../../src/cluster/ring/mod.js';
import { ARRIVAL_INTERVAL_MS_MAX, GOSSIP_INTERVAL_MS } from '../../src/cluster/gossip/mod.js';
import { PartitionedNetwork, runUntil, settle, startSimNode, type SimNode } from './_cluster.js';
import type { PartitionUpdate } from '../../src/storage/data.js';

const NODES = 4;
/**
 * phi > 8 needs silence > 8 * ln(10) * mean interval; the mean is at most ARRIVAL_INTERVAL_MS_MAX
 * (longer gaps are not recorded), so conviction comes within 36.8 s plus one gossip round.
 */
const DETECT_DOWN_MS_MAX = Math.ceil(8 * Math.LN10 * ARRIVAL_INTERVAL_MS_MAX) + GOSSIP_INTERVAL_MS + 1000;
const DETECT_UP_MS_MAX = 10_000;
const JOIN_MS_MAX = 30_000;
const SCHEMA_CONVERGE_MS_MAX = 10_000;

const seed = Number(process.env['SIM_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

async function withSeed(name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    console.error(`${name} failed with SIM_SEED=${seed} (replay: SIM_SEED=${seed} node scripts/run-tests.mjs test/sim)`);
    throw err;
  }
}

async function startCluster(time: SimTime, net: PartitionedNetwork): Promise<SimNode[]> {
  const nodes: SimNode[] = [];
  for (let i = 1; i <= NODES; i++) {
    const node = await startSimNode({ seed, index: i, time, net, seeds: ['127.0.0.1'] });
    await settle(time, node.cluster.join(), 60_000);
    node.cluster.announceNormal(9042);
    nodes.push(node);
  }
  return nodes;
}

function ddl(node: SimNode, cql: string) {
  return node.cluster.routedSchema().execute(parseStatement(cql) as never);
}

function update(node: SimNode, ks: string, key: string, value: string): PartitionUpdate {
  const table = node.schema.table(ks, 't')!;
  const k = Buffer.from(key);
  return {
    tableId: table.id, key: k, token: tokenOf(k), rangeTombstones: [],
    rows: [{ clustering: [], cells: [{ column: 'v', value: Buffer.from(value), timestampMicros: 1, ttlSec: 0, localExpirationTimeSec: 0 }] }],
  };
}

test(`sim: ${NODES} nodes join, agree on schema, detect a partitioned node, write at QUORUM/ALL (seed ${seed})`, () => withSeed('sim cluster', async () => {
  const time = new SimTime();
  const net = new PartitionedNetwork(new SimNetwork(time, 2));
  const nodes = await startCluster(time, net);
  const addresses = nodes.map((n) => n.address);

  // Join: every node knows every other as UP and has all of them in its ring.
  const joined = await runUntil(time, () => nodes.every((n) =>
    n.metadata.endpointCount === NODES && addresses.every((a) => n.cluster.isAlive(a))), JOIN_MS_MAX);
  assert.notEqual(joined, null, `not all nodes joined: ${nodes.map((n) => `${n.address}: ring ${n.metadata.endpointCount}, live ${n.cluster.gossiper.liveEndpoints().length}`).join('; ')}`);
  for (const n of nodes) assert.equal(n.cluster.peers().length, NODES - 1, `${n.address} system.peers`);
  assert.ok(nodes[0]!.events.some((e) => e.type === 'TOPOLOGY_CHANGE' && e.change === 'NEW_NODE'), 'NEW_NODE events');
  assert.ok(nodes[0]!.events.some((e) => e.type === 'STATUS_CHANGE' && e.change === 'UP'), 'UP events');

  // Concurrent DDL on two different nodes ends in one schema everywhere.
  await settle(time, Promise.all([
    ddl(nodes[1]!, "CREATE KEYSPACE ks1 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}"),
    ddl(nodes[2]!, "CREATE KEYSPACE ks2 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}"),
  ]));
  await settle(time, Promise.all([
    ddl(nodes[3]!, 'CREATE TABLE ks1.t (k text PRIMARY KEY, v text)'),
    ddl(nodes[0]!, 'CREATE TABLE ks2.t (k text PRIMARY KEY, v text)'),
  ]));
  const agreed = await runUntil(time, () => new Set(nodes.map((n) => n.schema.version())).size === 1, SCHEMA_CONVERGE_MS_MAX);
  assert.notEqual(agreed, null, `schema versions differ: ${nodes.map((n) => `${n.address} seq ${n.schema.seq()}`).join(', ')}`);
  for (const n of nodes) {
    assert.equal(n.schema.seq(), 4, `${n.address} applied all four entries`);
    assert.ok(n.schema.table('ks1', 't') && n.schema.table('ks2', 't'), `${n.address} has both tables`);
  }

  // Writes at QUORUM reach the replicas over messaging.
  const ks1 = nodes[0]!.schema.keyspace('ks1')!;
  await settle(time, nodes[0]!.coordinator.write(ks1, [update(nodes[0]!, 'ks1', 'a', '1')], 'QUORUM'));
  await time.runFor(100);
  const tableId = nodes[0]!.schema.table('ks1', 't')!.id;
  assert.equal(nodes.reduce((sum, n) => sum + n.storage.partitionCount(tableId), 0), 3, 'RF 3 copies');

  // Partition node 4: the others mark it DOWN within the bound.
  const victim = nodes[3]!;
  net.isolate(victim.address, addresses.filter((a) => a !== victim.address));
  const others = nodes.slice(0, 3);
  const downAfter = await runUntil(time, () => others.every((n) => !n.cluster.isAlive(victim.address)), DETECT_DOWN_MS_MAX, 100);
  assert.notEqual(downAfter, null, `${victim.address} not marked DOWN within ${DETECT_DOWN_MS_MAX} ms (phi ${others.map((n) => n.cluster.gossiper.phi(victim.address).toFixed(1)).join(', ')})`);
  assert.ok(downAfter! >= 5000, `DOWN after only ${downAfter} ms: the detector is too eager`);
  assert.ok(others.every((n) => n.events.some((e) => e.type === 'STATUS_CHANGE' && e.change === 'DOWN' && e.node.address === victim.address)));
  assert.ok(others.every((a) => others.every((b) => a.cluster.isAlive(b.address))), 'the rest stay UP');

  // A key whose replicas include the victim: QUORUM succeeds, ALL is Unavailable naming it.
  const ring = nodes[0]!;
  let key = '';
  for (let i = 0; i < 1000 && key === ''; i++) {
    const candidate = `key${i}`;
    const token = tokenOf(Buffer.from(candidate));
    const replicas = ringReplicas(ring, token);
    if (replicas.includes(victim.address)) key = candidate;
  }
  assert.notEqual(key, '', 'found a key replicated on the victim');
  await settle(time, ring.coordinator.write(ks1, [update(ring, 'ks1', key, 'q')], 'QUORUM'));
  await assert.rejects(settle(time, ring.coordinator.write(ks1, [update(ring, 'ks1', key, 'all')], 'ALL')), (e: unknown) =>
    e instanceof Unavailable && e.message.includes(`${victim.address} (datacenter1/rack4)`) && e.alive === 2 && e.required === 3);

  // Heal: UP again within the bound.
  net.heal();
  const upAfter = await runUntil(time, () => others.every((n) => n.cluster.isAlive(victim.address)), DETECT_UP_MS_MAX, 100);
  assert.notEqual(upAfter, null, `${victim.address} not UP within ${DETECT_UP_MS_MAX} ms of the heal`);
  await settle(time, ring.coordinator.write(ks1, [update(ring, 'ks1', key, 'all')], 'ALL'));
}));

function ringReplicas(node: SimNode, token: bigint): readonly string[] {
  return new Ring({ localEndpoint: node.address, metadata: node.metadata }).replicasFor(node.schema.keyspace('ks1')!.replication, token);
}
