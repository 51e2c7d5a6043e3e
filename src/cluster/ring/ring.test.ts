import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ConfigError } from '../../util/errors.js';
import type { ReplicationStrategy } from '../../schema/metadata.js';
import {
  Ring, TokenMetadata, allocateRandomTokens, parseReplication, replicationOptions, rangeContains, rangeWidth,
  RING_SIZE, TOKEN_MIN, type EndpointInfo,
} from './mod.js';

/** A seeded byte source (xorshift32), so rings are the same every run. */
function seededRandom(seed: number): { bytes(n: number): Buffer } {
  let x = seed | 1;
  return {
    bytes(n: number): Buffer {
      const out = Buffer.alloc(n);
      for (let i = 0; i < n; i++) {
        x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
        out[i] = x & 0xff;
      }
      return out;
    },
  };
}

function node(n: number, dc: string, rack: string, tokens: bigint[]): EndpointInfo {
  return { endpoint: `127.0.0.${n}`, hostId: `00000000-0000-0000-0000-00000000000${n}`, dc, rack, tokens };
}

function handRing(): Ring {
  const ring = new Ring({ localEndpoint: '127.0.0.1' });
  ring.metadata.setEndpoint(node(1, 'dc1', 'r1', [0n]));
  ring.metadata.setEndpoint(node(2, 'dc1', 'r1', [100n]));
  ring.metadata.setEndpoint(node(3, 'dc1', 'r1', [200n]));
  ring.metadata.setEndpoint(node(4, 'dc1', 'r1', [300n]));
  return ring;
}

test('ring: SimpleStrategy walks clockwise from the range end, wrapping', () => {
  const ring = handRing();
  const rf3: ReplicationStrategy = { class: 'SimpleStrategy', replicationFactor: 3 };
  const cases: [bigint, string[]][] = [
    [50n, ['127.0.0.2', '127.0.0.3', '127.0.0.4']],
    [100n, ['127.0.0.2', '127.0.0.3', '127.0.0.4']],
    [101n, ['127.0.0.3', '127.0.0.4', '127.0.0.1']],
    [350n, ['127.0.0.1', '127.0.0.2', '127.0.0.3']],
    [TOKEN_MIN, ['127.0.0.1', '127.0.0.2', '127.0.0.3']],
    [-5n, ['127.0.0.1', '127.0.0.2', '127.0.0.3']],
  ];
  for (const [token, want] of cases) assert.deepEqual([...ring.replicasFor(rf3, token)], want, `token ${token}`);
  assert.deepEqual([...ring.replicasFor({ class: 'SimpleStrategy', replicationFactor: 9 }, 1n)].length, 4);
  assert.deepEqual([...ring.replicasFor({ class: 'LocalStrategy' }, 1n)], ['127.0.0.1']);
});

test('ring: ranges, primary ranges and ownership', () => {
  const ring = handRing();
  assert.deepEqual(ring.ranges(), [
    { start: 300n, end: 0n }, { start: 0n, end: 100n }, { start: 100n, end: 200n }, { start: 200n, end: 300n },
  ]);
  assert.deepEqual(ring.primaryRanges('127.0.0.2'), [{ start: 0n, end: 100n }]);
  assert.equal(ring.rangesOwnedBy('127.0.0.2', { class: 'SimpleStrategy', replicationFactor: 2 }).length, 2);
  assert.ok(Math.abs(ring.ownership('127.0.0.1') - 1) < 1e-6, 'node 1 owns the wrapping range, nearly all');
  const total = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'].reduce((s, e) => s + ring.ownership(e, { class: 'SimpleStrategy', replicationFactor: 3 }), 0);
  assert.ok(Math.abs(total - 3) < 1e-6, `effective ownership sums to RF, got ${total}`);
  assert.ok(rangeContains({ start: 300n, end: 0n }, TOKEN_MIN));
  assert.ok(!rangeContains({ start: 0n, end: 100n }, 0n));
  assert.equal(rangeWidth({ start: 5n, end: 5n }), RING_SIZE);
});

test('ring: a token owned by another endpoint is refused; version grows on change', () => {
  const ring = handRing();
  const v = ring.metadata.version;
  assert.throws(() => ring.metadata.setEndpoint(node(5, 'dc1', 'r1', [100n])), /already owned by 127.0.0.2/);
  ring.metadata.setEndpoint(node(5, 'dc1', 'r1', [150n]));
  assert.equal(ring.metadata.version, v + 1);
  assert.deepEqual([...ring.replicasFor({ class: 'SimpleStrategy', replicationFactor: 1 }, 120n)], ['127.0.0.5']);
  ring.metadata.removeEndpoint('127.0.0.5');
  assert.deepEqual([...ring.replicasFor({ class: 'SimpleStrategy', replicationFactor: 1 }, 120n)], ['127.0.0.3']);
});

test('vnodes: random tokens are distinct, sorted, reproducible from the seed', () => {
  const a = allocateRandomTokens(256, seededRandom(7));
  const b = allocateRandomTokens(256, seededRandom(7));
  assert.deepEqual(a, b);
  assert.equal(new Set(a).size, 256);
  for (let i = 1; i < a.length; i++) assert.ok(a[i - 1]! < a[i]!);
  const c = allocateRandomTokens(16, seededRandom(7), new Set(a.slice(0, 16)));
  for (const t of c) assert.ok(!a.slice(0, 16).includes(t));
});

/** A multi-DC, multi-rack ring with 16 vnodes per endpoint. */
function buildRing(layout: { dc: string; racks: number[] }[], seed: number): Ring {
  const random = seededRandom(seed);
  const ring = new Ring({ localEndpoint: '127.0.0.1' });
  const taken = new Set<bigint>();
  let n = 1;
  for (const { dc, racks } of layout) {
    racks.forEach((count, r) => {
      for (let i = 0; i < count; i++) {
        const tokens = allocateRandomTokens(16, random, taken);
        for (const t of tokens) taken.add(t);
        ring.metadata.setEndpoint(node(n++, dc, `rack${r + 1}`, tokens));
      }
    });
  }
  return ring;
}

test('NetworkTopologyStrategy stripes replicas across racks in each DC', () => {
  const ring = buildRing([{ dc: 'dc1', racks: [2, 2, 2] }, { dc: 'dc2', racks: [3, 1] }], 42);
  const nts: ReplicationStrategy = { class: 'NetworkTopologyStrategy', dcs: { dc1: 3, dc2: 3 } };
  const random = seededRandom(9);
  for (let i = 0; i < 500; i++) {
    const token = random.bytes(8).readBigInt64BE(0);
    const replicas = ring.replicasFor(nts, token);
    assert.equal(new Set(replicas).size, 6);
    const inDc = (dc: string) => replicas.map((e) => ring.location(e)!).filter((l) => l.dc === dc);
    assert.equal(new Set(inDc('dc1').map((l) => l.rack)).size, 3, 'three racks in dc1');
    assert.equal(inDc('dc2').length, 3);
    assert.equal(new Set(inDc('dc2').map((l) => l.rack)).size, 2, 'both racks of dc2 get a replica');
    // The rack with one endpoint must always hold a replica in dc2.
    assert.ok(replicas.includes('127.0.0.10'), 'the lone rack2 endpoint of dc2 is a replica');
  }
});

/** Cassandra 3.x's formulation (skip repeated racks, add the skipped ones once all racks are seen), as an oracle. */
function referenceNts(ring: Ring, dcs: Record<string, number>, token: bigint): Set<string> {
  const meta = ring.metadata;
  const topo = meta.topology();
  const tokens = meta.sortedTokens();
  const start = meta.firstTokenIndex(token);
  const chosen = new Map<string, string[]>(), seen = new Map<string, Set<string>>(), skipped = new Map<string, string[]>();
  for (let s = 0; s < tokens.length; s++) {
    const ep = meta.ownerAt((start + s) % tokens.length);
    const { dc, rack } = ring.location(ep)!;
    const racks = topo.get(dc);
    const rf = dcs[dc] ?? 0;
    if (!racks || rf <= 0) continue;
    const want = Math.min(rf, [...racks.values()].reduce((a, m) => a + m.length, 0));
    const mine = chosen.get(dc) ?? []; chosen.set(dc, mine);
    const seenRacks = seen.get(dc) ?? new Set(); seen.set(dc, seenRacks);
    const skip = skipped.get(dc) ?? []; skipped.set(dc, skip);
    if (mine.length >= want || mine.includes(ep)) continue;
    if (seenRacks.size === racks.size) { mine.push(ep); continue; } // every rack seen: take anything
    if (seenRacks.has(rack)) { if (!skip.includes(ep)) skip.push(ep); continue; }
    mine.push(ep); seenRacks.add(rack);
    if (seenRacks.size === racks.size) for (const e of skip) if (mine.length < want && !mine.includes(e)) mine.push(e);
  }
  return new Set([...chosen.values()].flat());
}

test('NetworkTopologyStrategy agrees with the reference formulation on random topologies', () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
      fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 3, maxLength: 3 }),
      fc.integer(), fc.bigInt({ min: TOKEN_MIN, max: 2n ** 63n - 1n }),
      (racksPerDc, rfs, seed, token) => {
        const ring = buildRing(racksPerDc.map((racks, i) => ({ dc: `dc${i + 1}`, racks })), seed);
        const dcs: Record<string, number> = { dc1: rfs[0]!, dc2: rfs[1]!, dc3: rfs[2]!, dcGhost: 2 };
        const got = ring.replicasFor({ class: 'NetworkTopologyStrategy', dcs }, token);
        assert.equal(new Set(got).size, got.length, 'no endpoint twice');
        assert.deepEqual(new Set(got), referenceNts(ring, dcs, token));
      },
    ),
    { numRuns: 300 },
  );
});

test('replicasFor is cached per ring version and recomputed after a change', () => {
  const ring = buildRing([{ dc: 'dc1', racks: [2, 2] }], 3);
  const nts: ReplicationStrategy = { class: 'NetworkTopologyStrategy', dcs: { dc1: 2 } };
  const first = ring.replicasFor(nts, 12345n);
  assert.equal(ring.replicasFor(nts, 12345n), first, 'same array from the cache');
  ring.metadata.removeEndpoint(first[0]!);
  const after = ring.replicasFor(nts, 12345n);
  assert.ok(!after.includes(first[0]!));
});

test('parseReplication: valid maps, errors and warnings', () => {
  const ring = buildRing([{ dc: 'dc1', racks: [1, 1] }, { dc: 'dc2', racks: [1] }], 5);
  const ctx = { keyspace: 'ks', metadata: ring.metadata };
  assert.deepEqual(parseReplication({ class: 'SimpleStrategy', replication_factor: '2' }, ctx),
    { strategy: { class: 'SimpleStrategy', replicationFactor: 2 }, warnings: [] });
  assert.deepEqual(parseReplication({ class: 'org.apache.cassandra.locator.NetworkTopologyStrategy', replication_factor: '1', dc2: '0' }, ctx).strategy,
    { class: 'NetworkTopologyStrategy', dcs: { dc1: 1, dc2: 0 } });
  const warned = parseReplication({ class: 'NetworkTopologyStrategy', dc1: '3', dc9: '1' }, ctx);
  assert.deepEqual(warned.strategy, { class: 'NetworkTopologyStrategy', dcs: { dc1: 3, dc9: 1 } });
  assert.equal(warned.warnings.length, 2);
  assert.match(warned.warnings.join('\n'), /replication factor 3 for keyspace ks is higher than the number of nodes 2 for datacenter dc1/);
  assert.match(warned.warnings.join('\n'), /Datacenter dc9 .* has no nodes \(known datacenters: dc1, dc2\)/);
  assert.match(parseReplication({ class: 'SimpleStrategy', replication_factor: '5' }, ctx).warnings[0]!, /higher than the number of nodes 3/);

  const bad: [Record<string, string>, RegExp][] = [
    [{ replication_factor: '1' }, /Missing replication strategy class/],
    [{ class: 'FooStrategy' }, /Unable to find replication strategy class 'FooStrategy'/],
    [{ class: 'SimpleStrategy' }, /requires a replication_factor/],
    [{ class: 'SimpleStrategy', replication_factor: 'x' }, /must be numeric; found x/],
    [{ class: 'SimpleStrategy', replication_factor: '-1' }, /non-negative; found -1/],
    [{ class: 'SimpleStrategy', replication_factor: '1', dc1: '1' }, /Unrecognized strategy option \{dc1\} passed to SimpleStrategy/],
    [{ class: 'NetworkTopologyStrategy', dc1: '3/1' }, /Transient replication/],
    [{ class: 'LocalStrategy' }, /reserved for internal use/],
  ];
  for (const [options, message] of bad) {
    assert.throws(() => parseReplication(options, ctx), (err: unknown) => err instanceof ConfigError && message.test(err.message), JSON.stringify(options));
  }
  assert.deepEqual(replicationOptions({ class: 'NetworkTopologyStrategy', dcs: { dc2: 1, dc1: 3 } }),
    { class: 'org.apache.cassandra.locator.NetworkTopologyStrategy', dc1: '3', dc2: '1' });
});
