import test from 'node:test';
import assert from 'node:assert/strict';
import { InvalidRequest, ReadFailure, ReadTimeout, Unavailable, WriteFailure, WriteTimeout, type ConsistencyName } from '../util/errors.js';
import { tokenOf } from '../util/murmur3.js';
import { SimTime, SeededRandom } from '../env/sim/mod.js';
import { defaultTableOptions, type ColumnMetadata, type KeyspaceMetadata, type ReplicationStrategy, type TableMetadata } from '../schema/metadata.js';
import type { Storage } from '../storage/mod.js';
import type { Partition, PartitionUpdate, ReadCommand, ReadResult } from '../storage/data.js';
import { Ring, allocateRandomTokens, rangeContains, RING_SIZE, TOKEN_MIN } from '../cluster/ring/mod.js';
import { FAILURE_REASON, ReplicaFailed, ReplicaNoAnswer, UniformPlacement } from './transport.js';
import { Coordinator, reconcileWithMerge, requirementFor, blockForOf, serveReplicaRequest, splitRange, type ReplicaRequest, type ReplicaResponse } from './mod.js';

const text = { kind: 'native', name: 'text' } as const;
const TABLE: TableMetadata = (() => {
  const k = { name: 'k', type: text, kind: 'partition_key', position: 0, clusteringOrder: 'none' } as const;
  const v = { name: 'v', type: text, kind: 'regular', position: -1, clusteringOrder: 'none' } as const;
  return {
    keyspace: 'ks', name: 't', id: 'table-1', partitionKey: [k], clustering: [], columns: new Map<string, ColumnMetadata>([['k', k], ['v', v]]),
    options: defaultTableOptions(), isCounter: false, virtual: false,
  };
})();

/** Storage that keeps updates in memory; reads return every stored row of matching partitions. */
class MemoryStorage implements Storage {
  readonly partitions = new Map<string, Partition>();
  applied = 0;
  reads = 0;
  async open() {}
  async addTable() {}
  updateTable() {}
  async dropTable() {}
  async truncate() { this.partitions.clear(); }
  async flush() {}
  async compact() {}
  async close() {}
  async apply(u: PartitionUpdate) {
    this.applied++;
    const k = u.key.toString('hex');
    const p = this.partitions.get(k) ?? { key: u.key, token: u.token, rangeTombstones: [], rows: [] };
    p.rows.push(...u.rows);
    this.partitions.set(k, p);
  }
  async read(cmd: ReadCommand): Promise<ReadResult> {
    this.reads++;
    const sel = cmd.partitions;
    let parts: Partition[];
    if (sel.kind === 'keys') {
      parts = sel.keys.map((k) => this.partitions.get(k.key.toString('hex'))).filter((p): p is Partition => !!p);
    } else {
      // As the storage engine: a whole ring (start === end) in token order from TOKEN_MIN, else from
      // start; partitions ordered by token then key bytes; `after` resumes strictly after a partition.
      const from = sel.range.start === sel.range.end ? TOKEN_MIN : sel.range.start;
      const position = (token: bigint, key: Buffer) => ({ d: ringDistance(from, token), key });
      const before = (a: { d: bigint; key: Buffer }, b: { d: bigint; key: Buffer }) => a.d < b.d || (a.d === b.d && Buffer.compare(a.key, b.key) < 0);
      const after = sel.after ? position(sel.after.token, sel.after.key) : null;
      parts = [...this.partitions.values()].filter((p) => rangeContains(sel.range, p.token))
        .filter((p) => after === null || before(after, position(p.token, p.key)))
        .sort((a, b) => (before(position(a.token, a.key), position(b.token, b.key)) ? -1 : 1));
    }
    return { partitions: parts.slice(0, cmd.partitionLimit).map((p) => ({ ...p, rows: [...p.rows] })), stats: { sstablesRead: 0, tombstonesScanned: 0, liveRowsScanned: 0 }, warnings: [] };
  }
}

/** Distance from `from` to `token` going up the ring, in (0, RING_SIZE]. */
function ringDistance(from: bigint, token: bigint): bigint {
  const d = (token - from) % RING_SIZE;
  return d <= 0n ? d + RING_SIZE : d;
}

type Behaviour = 'ok' | 'hang' | 'fail' | 'no_answer' | 'node_down';

interface Cluster {
  time: SimTime;
  ring: Ring;
  storages: Map<string, MemoryStorage>;
  behaviour: Map<string, Behaviour>;
  down: Set<string>;
  sent: string[];
  coordinator(opts?: { reconcile?: (c: ReadCommand, r: ReadResult[]) => ReadResult }): Coordinator;
}

function cluster(layout: { dc: string; rack: string }[], seed = 1): Cluster {
  const time = new SimTime();
  const random = new SeededRandom(seed);
  const ring = new Ring({ localEndpoint: '127.0.0.1' });
  const storages = new Map<string, MemoryStorage>();
  const behaviour = new Map<string, Behaviour>();
  const taken = new Set<bigint>();
  layout.forEach(({ dc, rack }, i) => {
    const endpoint = `127.0.0.${i + 1}`;
    const tokens = allocateRandomTokens(16, random, taken);
    tokens.forEach((t) => taken.add(t));
    ring.metadata.setEndpoint({ endpoint, hostId: `host-${i + 1}`, dc, rack, tokens });
    storages.set(endpoint, new MemoryStorage());
    behaviour.set(endpoint, 'ok');
  });
  const down = new Set<string>();
  const sent: string[] = [];
  const remote = (endpoint: string, request: ReplicaRequest): Promise<ReplicaResponse> => {
    sent.push(`${request.verb} ${endpoint}`);
    const b = behaviour.get(endpoint);
    if (b === 'hang') return new Promise(() => undefined);
    if (b === 'fail') return Promise.reject(new Error('disk on fire'));
    if (b === 'no_answer') return Promise.reject(new ReplicaNoAnswer(endpoint, `${request.verb} to ${endpoint}: no answer in time`));
    if (b === 'node_down') return Promise.reject(new ReplicaFailed(endpoint, `connection to ${endpoint} lost`, FAILURE_REASON.NODE_DOWN));
    return serveReplicaRequest(storages.get(endpoint)!, request);
  };
  return {
    time, ring, storages, behaviour, down, sent,
    coordinator: (opts = {}) => new Coordinator({
      ring, storage: storages.get('127.0.0.1')!, clock: time, scheduler: time,
      liveness: (e) => !down.has(e), remote, ...opts,
    }),
  };
}

function keyspace(replication: ReplicationStrategy): KeyspaceMetadata {
  return { name: 'ks', replication, durableWrites: true, tables: new Map(), types: new Map(), system: false };
}

function update(key: string, value = 'v', timestampMicros = 1): PartitionUpdate {
  const k = Buffer.from(key);
  return {
    tableId: TABLE.id, key: k, token: tokenOf(k), rangeTombstones: [],
    rows: [{ clustering: [], liveness: { timestampMicros, ttlSec: 0, localExpirationTimeSec: 0 },
      cells: [{ column: 'v', value: Buffer.from(value), timestampMicros, ttlSec: 0, localExpirationTimeSec: 0 }] }],
  };
}

function keyRead(...keys: string[]): ReadCommand {
  return {
    table: TABLE, slices: [], reversed: false, rowLimit: Infinity, perPartitionLimit: Infinity, partitionLimit: Infinity, nowSec: 1,
    partitions: { kind: 'keys', keys: keys.map((s) => ({ key: Buffer.from(s), token: tokenOf(Buffer.from(s)) })) },
  };
}

/** Settles a promise while advancing virtual time; returns the value or the error. */
async function settle<T>(time: SimTime, p: Promise<T>, ms = 10_000): Promise<{ value?: T; error?: unknown }> {
  let out: { value?: T; error?: unknown } | undefined;
  p.then((value) => { out = { value }; }, (error) => { out = { error }; });
  for (let waited = 0; !out && waited <= ms; waited += 100) await time.runFor(100);
  assert.ok(out, 'promise did not settle');
  return out;
}

const simple = (rf: number): ReplicationStrategy => ({ class: 'SimpleStrategy', replicationFactor: rf });

test('consistency: blockFor for every level (NTS dc1:3 dc2:2, coordinator in dc1)', () => {
  const nts: ReplicationStrategy = { class: 'NetworkTopologyStrategy', dcs: { dc1: 3, dc2: 2 } };
  const want: [ConsistencyName, number][] = [
    ['ANY', 1], ['ONE', 1], ['TWO', 2], ['THREE', 3], ['QUORUM', 3], ['ALL', 5], ['LOCAL_QUORUM', 2],
    ['LOCAL_ONE', 1], ['EACH_QUORUM', 4], ['SERIAL', 3], ['LOCAL_SERIAL', 2], ['NODE_LOCAL', 1],
  ];
  for (const [cl, n] of want) assert.equal(blockForOf(requirementFor(cl, nts, 'dc1')), n, cl);
  assert.deepEqual(requirementFor('LOCAL_QUORUM', nts, 'dc2'), { kind: 'count', count: 2, dc: 'dc2' });
  assert.equal(blockForOf(requirementFor('QUORUM', simple(2), 'dc1')), 2);
  assert.equal(blockForOf(requirementFor('EACH_QUORUM', simple(3), 'dc1')), 2);
});

test('coordinator: one node, RF 1: writes and reads go to local storage at every level', async () => {
  const c = cluster([{ dc: 'datacenter1', rack: 'rack1' }]);
  const coord = c.coordinator();
  const ks = keyspace(simple(1));
  for (const cl of ['ONE', 'QUORUM', 'ALL', 'LOCAL_QUORUM', 'LOCAL_ONE', 'EACH_QUORUM', 'ANY', 'TWO'] as ConsistencyName[]) {
    if (cl === 'TWO') {
      await assert.rejects(coord.write(ks, [update('a')], cl), Unavailable);
      continue;
    }
    await coord.write(ks, [update('a', cl)], cl);
  }
  assert.equal(c.storages.get('127.0.0.1')!.applied, 7);
  assert.deepEqual(c.sent, [], 'nothing went through the remote transport');
  const result = await coord.read(ks, keyRead('a', 'missing'), 'SERIAL');
  assert.equal(result.partitions.length, 1);
  assert.equal(result.partitions[0]!.rows.length, 7);
  await assert.rejects(coord.read(ks, keyRead('a'), 'ANY'), InvalidRequest);
  await assert.rejects(coord.write(ks, [update('a')], 'SERIAL'), InvalidRequest);
  const local = await coord.read(keyspace({ class: 'LocalStrategy' }), keyRead('a'), 'ONE');
  assert.equal(local.partitions.length, 1);
});

test('coordinator: Unavailable names what was needed, what was there, and who is down; nothing is sent', async () => {
  const c = cluster([{ dc: 'datacenter1', rack: 'rack1' }, { dc: 'datacenter1', rack: 'rack2' }]);
  c.down.add('127.0.0.2');
  const coord = c.coordinator();
  const err = await coord.write(keyspace(simple(2)), [update('a'), update('b')], 'QUORUM').catch((e) => e);
  assert.ok(err instanceof Unavailable);
  assert.equal(err.message, 'Cannot achieve consistency level QUORUM for keyspace ks: 2 replicas required, 1 alive; down: 127.0.0.2 (datacenter1/rack2). With replication factor 2, QUORUM needs every replica; use ONE or raise the replication factor.');
  assert.equal(err.required, 2);
  assert.equal(err.alive, 1);
  assert.equal(c.storages.get('127.0.0.1')!.applied, 0);
  assert.deepEqual(c.sent, []);
  await coord.write(keyspace(simple(2)), [update('a')], 'ONE');
  assert.equal(c.storages.get('127.0.0.1')!.applied, 1);
});

test('coordinator: QUORUM write succeeds with one replica hanging, times out with two', async () => {
  const c = cluster([{ dc: 'dc1', rack: 'r1' }, { dc: 'dc1', rack: 'r2' }, { dc: 'dc1', rack: 'r3' }]);
  const coord = c.coordinator();
  const ks = keyspace(simple(3));
  c.behaviour.set('127.0.0.3', 'hang');
  assert.deepEqual(await settle(c.time, coord.write(ks, [update('k')], 'QUORUM')), { value: undefined });
  c.behaviour.set('127.0.0.2', 'hang');
  const { error } = await settle(c.time, coord.write(ks, [update('k')], 'QUORUM'));
  assert.ok(error instanceof WriteTimeout, String(error));
  assert.equal(error.received, 1);
  assert.equal(error.blockFor, 2);
  assert.equal(error.writeType, 'SIMPLE');
  assert.match(error.message, /received only 1 responses of 2 required at consistency QUORUM within 2000 ms/);
});

test('coordinator: replica failures that make the level impossible give WriteFailure', async () => {
  const c = cluster([{ dc: 'dc1', rack: 'r1' }, { dc: 'dc1', rack: 'r2' }, { dc: 'dc1', rack: 'r3' }]);
  c.behaviour.set('127.0.0.2', 'fail');
  c.behaviour.set('127.0.0.3', 'fail');
  const { error } = await settle(c.time, c.coordinator().write(keyspace(simple(3)), [update('k')], 'QUORUM'));
  assert.ok(error instanceof WriteFailure, String(error));
  assert.equal(error.reasons.length, 2);
  assert.match(error.message, /disk on fire/);
});

test('coordinator: a replica with no answer in the transport\'s time is a timeout, not a failure; failure reasons carry their code', async () => {
  const c = cluster([{ dc: 'dc1', rack: 'r1' }, { dc: 'dc1', rack: 'r2' }, { dc: 'dc1', rack: 'r3' }]);
  const ks = keyspace(simple(3));
  c.behaviour.set('127.0.0.2', 'no_answer');
  c.behaviour.set('127.0.0.3', 'no_answer');
  // The local replica acks; the others' "no answer" must not end the write as a WriteFailure.
  const w = await settle(c.time, c.coordinator().write(ks, [update('k')], 'QUORUM'));
  assert.ok(w.error instanceof WriteTimeout, String(w.error));
  assert.equal(w.error.received, 1);
  const r = await settle(c.time, c.coordinator().read(ks, keyRead('k'), 'ALL'));
  assert.ok(r.error instanceof ReadTimeout, String(r.error));
  c.behaviour.set('127.0.0.2', 'node_down');
  c.behaviour.set('127.0.0.3', 'node_down');
  const f = await settle(c.time, c.coordinator().write(ks, [update('k')], 'ALL'));
  assert.ok(f.error instanceof WriteFailure, String(f.error));
  assert.deepEqual(f.error.reasons.map((x) => x.reasonCode), [FAILURE_REASON.NODE_DOWN]);
});

test('coordinator: digest reads: one data request, digests from the others; a mismatch reads full data, reconciles and repairs stale replicas', async () => {
  const c = cluster([{ dc: 'dc1', rack: 'r1' }, { dc: 'dc1', rack: 'r2' }, { dc: 'dc1', rack: 'r3' }]);
  const ks = keyspace(simple(3));
  const coord = c.coordinator();
  await settle(c.time, coord.write(ks, [update('k', 'old', 1)], 'ALL'));
  // Only the local replica and 127.0.0.3 get the newer value; 127.0.0.2 is stale.
  c.behaviour.set('127.0.0.2', 'hang');
  await settle(c.time, coord.write(ks, [update('k', 'new', 2)], 'QUORUM'));
  c.behaviour.set('127.0.0.2', 'ok');
  // The newest cell (this test's MemoryStorage appends rows without merging them).
  const valueOf = (r: ReadResult) => r.partitions[0]!.rows.flatMap((row) => row.cells)
    .reduce((x, y) => (y.timestampMicros > x.timestampMicros ? y : x)).value!.toString();
  const direct = async (e: string) => valueOf(await c.storages.get(e)!.read(keyRead('k')));
  assert.equal(await direct('127.0.0.2'), 'old');
  assert.equal(await direct('127.0.0.1'), 'new');
  c.sent.length = 0;
  for (const cl of ['QUORUM', 'ALL'] as const) {
    // QUORUM with 127.0.0.3 down targets the local replica and the stale one.
    if (cl === 'QUORUM') c.down.add('127.0.0.3'); else c.down.clear();
    const { value, error } = await settle(c.time, coord.read(ks, keyRead('k'), cl));
    assert.equal(error, undefined, String(error));
    assert.equal(valueOf(value!), 'new', cl);
  }
  // QUORUM: data from the local replica, a digest from 127.0.0.2 that mismatches, then full data
  // from both and the merged partition written back to 127.0.0.2 (blocking read repair).
  assert.deepEqual(c.sent.slice(0, 3), ['READ_DIGEST 127.0.0.2', 'READ 127.0.0.2', 'MUTATION 127.0.0.2']);
  assert.equal(await direct('127.0.0.2'), 'new', 'the stale replica was repaired');
  // ALL: digests from both remote replicas first (this MemoryStorage keeps unmerged rows, so they
  // differ from the local data and a repair round follows; agreement is covered above).
  assert.deepEqual(c.sent.slice(3, 5).sort(), ['READ_DIGEST 127.0.0.2', 'READ_DIGEST 127.0.0.3']);
});

test('coordinator: LOCAL_QUORUM counts only the local DC; EACH_QUORUM needs every DC', async () => {
  const c = cluster([
    { dc: 'dc1', rack: 'r1' }, { dc: 'dc1', rack: 'r2' }, { dc: 'dc1', rack: 'r3' },
    { dc: 'dc2', rack: 'r1' }, { dc: 'dc2', rack: 'r2' }, { dc: 'dc2', rack: 'r3' },
  ]);
  const ks = keyspace({ class: 'NetworkTopologyStrategy', dcs: { dc1: 3, dc2: 3 } });
  c.down.add('127.0.0.4'); c.down.add('127.0.0.5');
  const coord = c.coordinator();
  // dc2 replicas hang: LOCAL_QUORUM still succeeds from dc1 alone.
  c.behaviour.set('127.0.0.6', 'hang');
  assert.deepEqual(await settle(c.time, coord.write(ks, [update('k')], 'LOCAL_QUORUM')), { value: undefined });
  const err = await coord.write(ks, [update('k')], 'EACH_QUORUM').catch((e) => e);
  assert.ok(err instanceof Unavailable);
  assert.match(err.message, /2 replicas required in datacenter dc2, 1 alive; down: 127\.0\.0\.4 \(dc2\/r1\), 127\.0\.0\.5 \(dc2\/r2\)/);
  c.down.clear(); c.down.add('127.0.0.1');
  const local = await settle(c.time, c.coordinator().write(ks, [update('k')], 'LOCAL_ONE'));
  assert.deepEqual(local, { value: undefined }, 'the local endpoint is always alive to itself');
});

test('coordinator: reads go to blockFor replicas, local first, and are reconciled', async () => {
  const c = cluster([{ dc: 'dc1', rack: 'r1' }, { dc: 'dc1', rack: 'r2' }, { dc: 'dc1', rack: 'r3' }]);
  const ks = keyspace(simple(3));
  let reconciled = 0;
  const coord = c.coordinator({
    reconcile: (_cmd, results) => { reconciled = results.length; return results[0]!; },
  });
  await settle(c.time, coord.write(ks, [update('k')], 'ALL'));
  c.sent.length = 0;
  const { value } = await settle(c.time, coord.read(ks, keyRead('k'), 'QUORUM'));
  assert.equal(value!.partitions.length, 1);
  assert.equal(reconciled, 0, 'one data answer and an agreeing digest: nothing to reconcile');
  assert.equal(c.storages.get('127.0.0.1')!.reads, 1, 'the local replica is read first');
  assert.equal(c.sent.length, 1);
  assert.match(c.sent[0]!, /^READ_DIGEST 127\.0\.0\.[23]$/, 'the other target sends a digest');
  // A failing target is replaced by the spare replica.
  c.behaviour.set('127.0.0.2', 'fail');
  const again = await settle(c.time, coord.read(ks, keyRead('k'), 'QUORUM'));
  assert.equal(again.value!.partitions.length, 1);
  // Both remote replicas hanging: ReadTimeout with what arrived.
  c.behaviour.set('127.0.0.2', 'hang'); c.behaviour.set('127.0.0.3', 'hang');
  const { error } = await settle(c.time, coord.read(ks, keyRead('k'), 'QUORUM'));
  assert.ok(error instanceof ReadTimeout, String(error));
  assert.equal(error.received, 1);
  assert.equal(error.blockFor, 2);
  assert.equal(error.dataPresent, true);
});

test('coordinator: a whole-ring range read over a vnode ring returns every partition once, respecting the partition limit', async () => {
  const c = cluster([{ dc: 'dc1', rack: 'r1' }, { dc: 'dc1', rack: 'r1' }, { dc: 'dc1', rack: 'r1' }]);
  const ks = keyspace(simple(1));
  const coord = c.coordinator();
  const keys = Array.from({ length: 60 }, (_, i) => `key${i}`);
  await settle(c.time, coord.write(ks, keys.map((k) => update(k)), 'ONE'));
  for (const s of c.storages.values()) assert.ok(s.applied > 0, 'every node holds some keys');
  const range: ReadCommand = { ...keyRead(), partitions: { kind: 'range', range: { start: TOKEN_MIN, end: TOKEN_MIN } } };
  const { value } = await settle(c.time, coord.read(ks, range, 'ONE'));
  const got = value!.partitions.map((p) => p.key.toString());
  assert.deepEqual([...got].sort(), [...keys].sort());
  const tokens = value!.partitions.map((p) => p.token);
  assert.deepEqual(tokens, [...tokens].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), 'token order');
  const limited = await settle(c.time, coord.read(ks, { ...range, partitionLimit: 7 }, 'ONE'));
  assert.deepEqual(limited.value!.partitions.map((p) => p.key.toString()), got.slice(0, 7));
  // Paging: resume after the 7th partition.
  const seventh = limited.value!.partitions[6]!;
  const page: ReadCommand = { ...range, partitions: { kind: 'range', range: { start: TOKEN_MIN, end: TOKEN_MIN }, after: { key: seventh.key, token: seventh.token } } };
  const rest = await settle(c.time, coord.read(ks, page, 'ONE'));
  assert.deepEqual(rest.value!.partitions.map((p) => p.key.toString()), got.slice(7));
});

test('splitRange: one node gives one piece; pieces cover the range in order', () => {
  const one = cluster([{ dc: 'dc1', rack: 'r1' }]);
  assert.equal(splitRange(one, keyspace(simple(1)), { start: TOKEN_MIN, end: TOKEN_MIN }).length, 1);
  const three = cluster([{ dc: 'dc1', rack: 'r1' }, { dc: 'dc1', rack: 'r1' }, { dc: 'dc1', rack: 'r1' }]);
  const pieces = splitRange(three, keyspace(simple(1)), { start: 10n, end: 5n });
  assert.equal(pieces[0]!.range.start, 10n);
  assert.equal(pieces[pieces.length - 1]!.range.end, 5n);
  for (let i = 1; i < pieces.length; i++) {
    assert.equal(pieces[i]!.range.start, pieces[i - 1]!.range.end);
    assert.notDeepEqual(pieces[i]!.replicas, pieces[i - 1]!.replicas, 'neighbours with equal replicas are joined');
  }
  assert.equal(splitRange(three, keyspace(simple(3)), { start: 10n, end: 5n }).length, 1, 'RF = nodes: one piece');
});

test('coordinator: QUORUM read merges replicas by timestamp (the newer value wins, whichever replica has it)', async () => {
  const c = cluster([{ dc: 'dc1', rack: 'r1' }, { dc: 'dc1', rack: 'r2' }, { dc: 'dc1', rack: 'r3' }]);
  const ks = keyspace(simple(3));
  // The local replica holds an old value, the others a newer one (as after a missed write).
  await c.storages.get('127.0.0.1')!.apply(update('k', 'old', 10));
  await c.storages.get('127.0.0.2')!.apply(update('k', 'new', 20));
  await c.storages.get('127.0.0.3')!.apply(update('k', 'new', 20));
  const { value } = await settle(c.time, c.coordinator().read(ks, keyRead('k', 'nope'), 'QUORUM'));
  assert.equal(value!.partitions.length, 1);
  const cells = value!.partitions[0]!.rows.flatMap((r) => r.cells).map((x) => x.value!.toString());
  assert.deepEqual(cells, ['new']);
  // Directly: keys come back in the order the command listed them, limits applied.
  const a = { partitions: [{ key: Buffer.from('b'), token: 2n, rangeTombstones: [], rows: update('b').rows }], stats: { sstablesRead: 1, tombstonesScanned: 0, liveRowsScanned: 1 }, warnings: ['w'] };
  const b = { partitions: [{ key: Buffer.from('a'), token: 1n, rangeTombstones: [], rows: update('a').rows }], stats: { sstablesRead: 2, tombstonesScanned: 0, liveRowsScanned: 1 }, warnings: ['w'] };
  const merged = reconcileWithMerge(keyRead('a', 'b'), [a, b]);
  assert.deepEqual(merged.partitions.map((p) => p.key.toString()), ['a', 'b']);
  assert.equal(merged.stats.sstablesRead, 3);
  assert.deepEqual(merged.warnings, ['w']);
  assert.equal(reconcileWithMerge({ ...keyRead('a', 'b'), rowLimit: 1 }, [a, b]).partitions.length, 1);
});

test('coordinator: paging a whole-ring range {start === end} that is not TOKEN_MIN returns every partition once (vnodes)', async () => {
  for (const nodes of [1, 3]) {
    const c = cluster(Array.from({ length: nodes }, () => ({ dc: 'dc1', rack: 'r1' })), 7);
    const ks = keyspace(simple(1));
    const coord = c.coordinator();
    const keys = Array.from({ length: 50 }, (_, i) => `key${i}`);
    await settle(c.time, coord.write(ks, keys.map((k) => update(k)), 'ONE'));
    for (const start of [0n, 1234567890123n, TOKEN_MIN]) {
      const seen: string[] = [];
      let after: { key: Buffer; token: bigint } | undefined;
      for (let page = 0; page < 100; page++) {
        const cmd: ReadCommand = { ...keyRead(), partitionLimit: 7, partitions: { kind: 'range', range: { start, end: start }, ...(after ? { after } : {}) } };
        const { value } = await settle(c.time, coord.read(ks, cmd, 'ONE'));
        const got = value!.partitions;
        seen.push(...got.map((p) => p.key.toString()));
        if (got.length < 7) break;
        after = { key: got[got.length - 1]!.key, token: got[got.length - 1]!.token };
      }
      assert.deepEqual([...seen].sort(), [...keys].sort(), `${nodes} node(s), start ${start}: every partition exactly once`);
    }
  }
});

test('coordinator: a replica ReadFailure is re-stated with the read level, counts and that replica\'s reason', async () => {
  const c = cluster([{ dc: 'dc1', rack: 'r1' }]);
  const READ_TOO_MANY_TOMBSTONES = 0x0001;
  class Overflowing extends MemoryStorage {
    override async read(): Promise<ReadResult> {
      throw new ReadFailure('read of ks.t scanned over 10 tombstones', 'ONE', 0, 1, [{ address: '', reasonCode: READ_TOO_MANY_TOMBSTONES }], false);
    }
  }
  c.storages.set('127.0.0.1', new Overflowing());
  const { error } = await settle(c.time, c.coordinator().read(keyspace(simple(1)), keyRead('a'), 'QUORUM'));
  assert.ok(error instanceof ReadFailure, String(error));
  assert.equal(error.message, 'read of ks.t scanned over 10 tombstones');
  assert.deepEqual([error.consistency, error.received, error.blockFor, error.reasons], ['QUORUM', 0, 1, [{ address: '127.0.0.1', reasonCode: READ_TOO_MANY_TOMBSTONES }]]);
  c.storages.set('127.0.0.1', new (class extends MemoryStorage { override async read(): Promise<ReadResult> { throw new InvalidRequest('bad'); } })());
  const other = await settle(c.time, c.coordinator().read(keyspace(simple(1)), keyRead('a'), 'ONE'));
  assert.ok(other.error instanceof InvalidRequest, 'other operating errors of a single replica pass through');
});

test('coordinator: a single local replica (direct storage call) keeps the timeouts and failures of the general path', async () => {
  const c = cluster([{ dc: 'dc1', rack: 'r1' }]);
  const ks = keyspace(simple(1));
  class Hanging extends MemoryStorage {
    override apply(): Promise<void> { return new Promise(() => undefined); }
    override read(): Promise<ReadResult> { return new Promise(() => undefined); }
  }
  c.storages.set('127.0.0.1', new Hanging());
  const w = await settle(c.time, c.coordinator().write(ks, [update('k')], 'LOCAL_ONE'));
  assert.ok(w.error instanceof WriteTimeout, String(w.error));
  assert.deepEqual([w.error.consistency, w.error.received, w.error.blockFor, w.error.writeType], ['LOCAL_ONE', 0, 1, 'SIMPLE']);
  assert.match(w.error.message, /received only 0 responses of 1 required at consistency LOCAL_ONE within 2000 ms/);
  const r = await settle(c.time, c.coordinator().read(ks, keyRead('k'), 'ONE'));
  assert.ok(r.error instanceof ReadTimeout, String(r.error));
  assert.deepEqual([r.error.received, r.error.blockFor], [0, 1]);
  class Broken extends MemoryStorage {
    override async apply(): Promise<void> { throw new Error('disk on fire'); }
    override async read(): Promise<ReadResult> { throw new Error('disk on fire'); }
  }
  c.storages.set('127.0.0.1', new Broken());
  const wf = await settle(c.time, c.coordinator().write(ks, [update('k')], 'ONE'));
  assert.ok(wf.error instanceof WriteFailure, String(wf.error));
  assert.deepEqual([wf.error.received, wf.error.blockFor, wf.error.reasons], [0, 1, [{ address: '127.0.0.1', reasonCode: 0 }]]);
  assert.match(wf.error.message, /127\.0\.0\.1: disk on fire/);
  const rf = await settle(c.time, c.coordinator().read(ks, keyRead('k'), 'ONE'));
  assert.ok(rf.error instanceof ReadFailure, String(rf.error));
  assert.deepEqual([rf.error.received, rf.error.blockFor, rf.error.reasons], [0, 1, [{ address: '127.0.0.1', reasonCode: 0 }]]);
  class Full extends MemoryStorage {
    override async apply(): Promise<void> { throw new WriteFailure('commit log disk full', 'ONE', 0, 1, [], 'SIMPLE'); }
  }
  c.storages.set('127.0.0.1', new Full());
  const full = await settle(c.time, c.coordinator().write(ks, [update('k')], 'ONE'));
  assert.ok(full.error instanceof WriteFailure && full.error.message === 'commit log disk full', 'a replica\'s own RequestError passes through');
  // Nothing left waiting: the deadline of every settled request was cancelled or expired.
  c.storages.set('127.0.0.1', new MemoryStorage());
  const coord = c.coordinator();
  for (let i = 0; i < 100; i++) await coord.write(ks, [update(`k${i}`)], 'ONE');
  assert.equal((await coord.read(ks, keyRead('k7'), 'ONE')).partitions.length, 1);
});

test('coordinator: writeThen gives write()\'s outcomes, with and without Storage.applyThen, exactly once', async () => {
  const c = cluster([{ dc: 'dc1', rack: 'r1' }]);
  const ks = keyspace(simple(1));
  type Kind = 'ok' | 'hang' | 'broken' | 'full';
  const storageOf = (kind: Kind, callback: boolean): MemoryStorage => {
    const s = new MemoryStorage();
    const apply = (u: PartitionUpdate): Promise<void> => {
      if (kind === 'hang') return new Promise(() => undefined);
      if (kind === 'broken') return Promise.reject(new Error('disk on fire'));
      if (kind === 'full') return Promise.reject(new WriteFailure('commit log disk full', 'ONE', 0, 1, [], 'SIMPLE'));
      return MemoryStorage.prototype.apply.call(s, u);
    };
    s.apply = apply;
    if (callback) (s as Storage).applyThen = (u, done) => { apply(u).then(() => done(undefined), done); };
    return s;
  };
  const describe = (r: { value?: unknown; error?: unknown }) => (r.error === undefined ? 'ok'
    : `${(r.error as Error).constructor.name}: ${(r.error as Error).message} ${JSON.stringify({ ...(r.error as object) })}`);
  for (const kind of ['ok', 'hang', 'broken', 'full'] as const) {
    for (const callback of [false, true]) {
      for (const cl of ['ONE', 'LOCAL_ONE', 'ANY', 'SERIAL'] as const) {
        c.storages.set('127.0.0.1', storageOf(kind, callback));
        const coord = c.coordinator();
        const viaPromise = await settle(c.time, coord.write(ks, [update('k')], cl));
        let calls = 0;
        const viaCallback = await settle(c.time, new Promise<void>((resolve, reject) => {
          coord.writeThen(ks, [update('k')], cl, (error) => { calls++; if (error === undefined) resolve(); else reject(error); });
        }));
        await c.time.runFor(5000); // a late answer or deadline must not call done again
        assert.equal(calls, 1, `${kind} ${callback} ${cl}`);
        assert.equal(describe(viaCallback), describe(viaPromise), `${kind} ${callback} ${cl}`);
      }
    }
  }
});

test('coordinator: writeThen\'s deadline starts at the caller\'s clock reading', async () => {
  const c = cluster([{ dc: 'dc1', rack: 'r1' }]);
  const ks = keyspace(simple(1));
  const hanging = new MemoryStorage();
  (hanging as Storage).applyThen = () => undefined;
  c.storages.set('127.0.0.1', hanging);
  const coord = c.coordinator();
  await c.time.runFor(5000);
  let error: unknown;
  coord.writeThen(ks, [update('k')], 'ONE', (e) => { error = e; }, c.time.monotonicMs() - 1500);
  await c.time.runFor(600);
  assert.ok(error instanceof WriteTimeout, 'timed out 2000 ms after the given start, not after the call');
});

test('UniformPlacement: a one-node ring\'s replicas for every token, equal to replicasFor; recomputed when the ring changes', async () => {
  const c = cluster([{ dc: 'dc1', rack: 'r1' }]);
  const placement = new UniformPlacement();
  const strategies: ReplicationStrategy[] = [simple(1), simple(3), { class: 'NetworkTopologyStrategy', dcs: { dc1: 1 } }, { class: 'NetworkTopologyStrategy', dcs: { dc2: 3 } }];
  for (const s of strategies) {
    const uniform = placement.of(c.ring, s);
    assert.ok(uniform !== null, JSON.stringify(s));
    for (const key of ['a', 'b', 'c', 'd', 'e']) assert.deepEqual(uniform, c.ring.replicasFor(s, tokenOf(Buffer.from(key))), `${JSON.stringify(s)} ${key}`);
  }
  // A second endpoint: replicas depend on the token again, and writes reach the new owner.
  const ks = keyspace(simple(1));
  const coord = c.coordinator();
  await settle(c.time, new Promise<void>((resolve, reject) => coord.writeThen(ks, [update('k0')], 'ONE', (e) => (e === undefined ? resolve() : reject(e)))));
  assert.deepEqual(c.sent, [], 'one node: written locally');
  c.ring.metadata.setEndpoint({ endpoint: '127.0.0.2', hostId: 'host-2', dc: 'dc1', rack: 'r1', tokens: allocateRandomTokens(16, new SeededRandom(7), new Set(c.ring.metadata.sortedTokens())) });
  c.storages.set('127.0.0.2', new MemoryStorage());
  c.behaviour.set('127.0.0.2', 'ok');
  assert.equal(placement.of(c.ring, simple(1)), null);
  const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
  for (const key of keys) {
    await settle(c.time, new Promise<void>((resolve, reject) => coord.writeThen(ks, [update(key)], 'ONE', (e) => (e === undefined ? resolve() : reject(e)))));
  }
  const remoteKeys = keys.filter((k) => c.ring.replicasFor(ks.replication, tokenOf(Buffer.from(k)))[0] === '127.0.0.2');
  assert.ok(remoteKeys.length > 0, 'some key belongs to the new node');
  assert.equal(c.sent.filter((s) => s === 'MUTATION 127.0.0.2').length, remoteKeys.length);
  assert.equal(c.storages.get('127.0.0.2')!.applied, remoteKeys.length);
});
