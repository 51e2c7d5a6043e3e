import test from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../../server/config.js';
import { DEFAULT_PORTS, LayoutError, nodeYaml, parseRf, planCluster, replicationHint, seedAddresses, type LayoutOptions } from './layout.js';

const base: LayoutOptions = { name: 'c1', nodes: 3, dcs: 1, racks: 1, ports: { ...DEFAULT_PORTS }, firstAddress: '127.0.0.1', createdAt: '2024-01-01T00:00:00.000Z' };

test('layout: names, addresses, round-robin DCs, racks within each DC, seeds', () => {
  const cases: Array<{ o: Partial<LayoutOptions>; want: string[] }> = [
    { o: { nodes: 1 }, want: ['node1 127.0.0.1 datacenter1 rack1 seed'] },
    { o: { nodes: 3, racks: 3 }, want: ['node1 127.0.0.1 datacenter1 rack1 seed', 'node2 127.0.0.2 datacenter1 rack2', 'node3 127.0.0.3 datacenter1 rack3'] },
    { o: { nodes: 4, dcs: 2 }, want: ['node1 127.0.0.1 datacenter1 rack1 seed', 'node2 127.0.0.2 datacenter2 rack1 seed',
      'node3 127.0.0.3 datacenter1 rack1', 'node4 127.0.0.4 datacenter2 rack1'] },
    { o: { nodes: 6, dcs: 2, racks: 3 }, want: ['node1 127.0.0.1 datacenter1 rack1 seed', 'node2 127.0.0.2 datacenter2 rack1 seed',
      'node3 127.0.0.3 datacenter1 rack2', 'node4 127.0.0.4 datacenter2 rack2', 'node5 127.0.0.5 datacenter1 rack3', 'node6 127.0.0.6 datacenter2 rack3'] },
    { o: { nodes: 5, dcs: 2, racks: 2 }, want: ['node1 127.0.0.1 datacenter1 rack1 seed', 'node2 127.0.0.2 datacenter2 rack1 seed',
      'node3 127.0.0.3 datacenter1 rack2', 'node4 127.0.0.4 datacenter2 rack2', 'node5 127.0.0.5 datacenter1 rack1'] },
    { o: { nodes: 2, firstAddress: '127.0.1.7' }, want: ['node1 127.0.1.7 datacenter1 rack1 seed', 'node2 127.0.1.8 datacenter1 rack1'] },
  ];
  for (const { o, want } of cases) {
    const c = planCluster({ ...base, ...o });
    assert.deepEqual(c.nodes.map((n) => `${n.name} ${n.address} ${n.dc} ${n.rack}${n.seed ? ' seed' : ''}`), want, JSON.stringify(o));
    assert.ok(c.nodes.every((n) => n.pid === null && n.dir === n.name));
  }
});

test('layout: refuses options that cannot make a cluster, naming the option', () => {
  const cases: Array<{ o: Partial<LayoutOptions>; match: RegExp }> = [
    { o: { nodes: 0 }, match: /-n: 0/ },
    { o: { nodes: 255 }, match: /-n: 255/ },
    { o: { nodes: 2, dcs: 3 }, match: /--dcs: 3/ },
    { o: { nodes: 3, dcs: 2, racks: 2 }, match: /--racks: 2 racks, but the smallest data center has 1/ },
    { o: { name: '../etc' }, match: /cluster name/ },
    { o: { name: '' }, match: /cluster name/ },
    { o: { firstAddress: '127.0.0' }, match: /--first-address/ },
    { o: { firstAddress: '127.0.0.250', nodes: 6 }, match: /would pass 127\.0\.0\.254/ },
    { o: { ports: { native: 9042, storage: 9042, admin: 7199 } }, match: /must differ/ },
    { o: { ports: { native: 0, storage: 7000, admin: 7199 } }, match: /native port 0/ },
    { o: { rf: '4' }, match: /datacenter1 has 3 node\(s\)/ },
    { o: { rf: 'dc9:1' }, match: /unknown data center 'dc9'/ },
    { o: { rf: 'three' }, match: /not DC:N/ },
  ];
  for (const { o, match } of cases) assert.throws(() => planCluster({ ...base, ...o }), (e: unknown) => e instanceof LayoutError && match.test(e.message), JSON.stringify(o));
});

test('rf: one number for every DC, or per DC; the replication hint uses it, else min(3, nodes in DC)', () => {
  const dcs = new Map([['datacenter1', 3], ['datacenter2', 2]]);
  assert.deepEqual(parseRf('2', dcs), { datacenter1: 2, datacenter2: 2 });
  assert.deepEqual(parseRf('datacenter1:3, datacenter2=1', dcs), { datacenter1: 3, datacenter2: 1 });
  const five = planCluster({ ...base, nodes: 5, dcs: 2 });
  assert.equal(replicationHint(five), "{'class': 'NetworkTopologyStrategy', 'datacenter1': 3, 'datacenter2': 2}");
  const withRf = planCluster({ ...base, nodes: 5, dcs: 2, rf: 'datacenter2:1' });
  assert.deepEqual(withRf.rf, { datacenter2: 1 });
  assert.equal(replicationHint(withRf), "{'class': 'NetworkTopologyStrategy', 'datacenter1': 3, 'datacenter2': 1}");
  assert.equal(replicationHint(planCluster({ ...base, nodes: 8 })), "{'class': 'NetworkTopologyStrategy', 'datacenter1': 3}");
});

test('nodeYaml: the node accepts it, with its own address, the shared ports, seeds, dc/rack and dirs', () => {
  const c = planCluster({ ...base, nodes: 4, dcs: 2, ports: { native: 20600, storage: 20601, admin: 20602 } });
  assert.deepEqual(seedAddresses(c), ['127.0.0.1', '127.0.0.2']);
  const node = c.nodes[3]!;
  const text = nodeYaml(c, node, { dataDir: '/x/node4/data', commitlogDir: '/x/node4/commitlog', extra: { num_tokens: 8 } });
  const config = parseConfig(text);
  assert.equal(config.clusterName, 'c1');
  assert.equal(config.listenAddress, '127.0.0.4');
  assert.equal(config.rpcAddress, '127.0.0.4');
  assert.equal(config.nativeTransportPort, 20600);
  assert.equal(config.storagePort, 20601);
  assert.equal(config.adminPort, 20602);
  assert.deepEqual(config.seeds, ['127.0.0.1', '127.0.0.2']);
  assert.equal(config.dc, 'datacenter2');
  assert.equal(config.rack, 'rack1');
  assert.deepEqual(config.dataFileDirectories, ['/x/node4/data']);
  assert.equal(config.commitlogDirectory, '/x/node4/commitlog');
  assert.equal(config.numTokens, 8);
  assert.equal((parseYaml(text) as Record<string, unknown>)['endpoint_snitch'], 'GossipingPropertyFileSnitch');
});
