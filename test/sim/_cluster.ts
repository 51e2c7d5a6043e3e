// A simulated cluster: N nodes in one process on one SimTime, each with its own SimFileSystem,
// schema, ring, coordinator and the real cluster wiring (messaging over a SimNetwork, gossip,
// schema sync). Storage is an in-memory Storage (the engine is tested elsewhere).
//
// PartitionedNetwork wraps SimNetwork so a partition also silences connections that already
// exist (bytes written across it vanish, as on a black-holed link), not only new connects.

import { pino } from 'pino';
import type { Connection, Listener, Network } from '../../src/env/mod.js';
import { SimNetwork, SimTime, simEnv } from '../../src/env/sim/mod.js';
import { SchemaManager } from '../../src/coordinator/schema/mod.js';
import { Coordinator } from '../../src/coordinator/mod.js';
import { Ring, TokenMetadata, parseToken } from '../../src/cluster/ring/mod.js';
import { mergePartitions } from '../../src/storage/mod.js';
import type { Storage } from '../../src/storage/mod.js';
import type { Partition, PartitionUpdate, ReadCommand, ReadResult } from '../../src/storage/data.js';
import type { TableMetadata } from '../../src/schema/metadata.js';
import type { ProtocolEvent } from '../../src/protocol/messages.js';
import { loadOrCreateIdentity } from '../../src/server/identity.js';
import { createCluster, type ClusterConfig, type ClusterMember } from '../../src/server/cluster_wiring.js';

export class PartitionedNetwork implements Network {
  private readonly blocked = new Set<string>();
  constructor(private readonly inner: SimNetwork) {}

  /** Cuts every link between `host` and the others. */
  isolate(host: string, others: readonly string[]): void {
    for (const o of others) { this.blocked.add(`${host}|${o}`); this.blocked.add(`${o}|${host}`); this.inner.partition(host, o); }
  }

  heal(): void {
    this.blocked.clear();
    this.inner.heal();
  }

  private wrap(conn: Connection): Connection {
    const cut = () => this.blocked.has(`${conn.localAddress}|${conn.remoteAddress}`);
    return Object.assign(Object.create(conn) as Connection, {
      write: (data: Buffer) => (cut() ? true : conn.write(data)),
      writev: (data: Buffer[]) => (cut() ? true : conn.writev(data)),
    });
  }

  listen(host: string, port: number, onConnection: (conn: Connection) => void): Promise<Listener> {
    return this.inner.listen(host, port, (conn) => onConnection(this.wrap(conn)));
  }

  async connect(host: string, port: number, options?: { localAddress?: string; timeoutMs?: number }): Promise<Connection> {
    return this.wrap(await this.inner.connect(host, port, options));
  }
}

/** Keeps updates in memory, merged per partition (storage's own merge). */
export class MemoryStorage implements Storage {
  private readonly tables = new Map<string, Map<string, Partition>>();
  private readonly meta = new Map<string, TableMetadata>();
  async open() {}
  async addTable(t: TableMetadata) { this.meta.set(t.id, t); if (!this.tables.has(t.id)) this.tables.set(t.id, new Map()); }
  updateTable() {}
  async dropTable(id: string) { this.tables.delete(id); }
  async truncate(id: string) { this.tables.get(id)?.clear(); }
  async flush() {}
  async compact() {}
  async close() {}
  async apply(u: PartitionUpdate) {
    const t = this.tables.get(u.tableId);
    if (!t) throw new Error(`no table ${u.tableId}`);
    const k = u.key.toString('hex');
    const incoming: Partition = { key: u.key, token: u.token, rangeTombstones: u.rangeTombstones, rows: u.rows, ...(u.staticRow ? { staticRow: u.staticRow } : {}) };
    const old = t.get(k);
    t.set(k, old ? mergePartitions(this.meta.get(u.tableId)!, old, incoming) : incoming);
  }
  async read(cmd: ReadCommand): Promise<ReadResult> {
    const t = this.tables.get(cmd.table.id) ?? new Map<string, Partition>();
    const sel = cmd.partitions;
    const parts = sel.kind === 'keys'
      ? sel.keys.map((k) => t.get(k.key.toString('hex'))).filter((p): p is Partition => p !== undefined)
      : [...t.values()];
    return { partitions: parts, stats: { sstablesRead: 0, tombstonesScanned: 0, liveRowsScanned: 0 }, warnings: [] };
  }
  partitionCount(tableId: string): number { return this.tables.get(tableId)?.size ?? 0; }
}

export interface SimNode {
  address: string;
  schema: SchemaManager;
  metadata: TokenMetadata;
  coordinator: Coordinator;
  cluster: ClusterMember;
  storage: MemoryStorage;
  events: ProtocolEvent[];
}

export const CLUSTER_NAME = 'sim';

export async function startSimNode(opts: { seed: number; index: number; time: SimTime; net: Network; seeds: string[] }): Promise<SimNode> {
  const address = `127.0.0.${opts.index}`;
  const env = { ...simEnv({ seed: opts.seed * 31 + opts.index, time: opts.time, net: opts.net as SimNetwork }), net: opts.net };
  const config: ClusterConfig = {
    clusterName: CLUSTER_NAME, listenAddress: address, rpcAddress: address, storagePort: 7000, seeds: opts.seeds, dc: 'datacenter1',
    rack: `rack${opts.index}`, dataDir: '/data', phiConvictThreshold: 8, internodeSendQueueBytes: 16 * 1024 * 1024,
    readRequestTimeoutMs: 5000, writeRequestTimeoutMs: 2000, rangeRequestTimeoutMs: 10000,
  };
  const identity = await loadOrCreateIdentity(env, '/data', { numTokens: 4, clusterName: CLUSTER_NAME });
  const storage = new MemoryStorage();
  const schema = await SchemaManager.open({ env, dataDir: '/data', storage });
  const metadata = new TokenMetadata();
  metadata.setEndpoint({ endpoint: address, hostId: identity.hostId, dc: config.dc, rack: config.rack, tokens: identity.tokens.map(parseToken) });
  const events: ProtocolEvent[] = [];
  const cluster = await createCluster({
    env, config, identity, schema, storage, metadata, logger: pino({ level: process.env['SIM_LOG'] ?? 'silent' }),
    broadcast: (e) => { events.push(e); },
  });
  const ring = new Ring({ localEndpoint: address, metadata });
  const coordinator = new Coordinator({
    ring, storage, clock: env.clock, scheduler: env.scheduler, liveness: (e) => cluster.isAlive(e), remote: cluster.remote,
    timeouts: { writeMs: 2000, readMs: 5000, rangeMs: 10000 },
  });
  return { address, schema, metadata, coordinator, cluster, storage, events };
}

/** Advances virtual time in small steps until `done()` or `limitMs`; returns the virtual ms it took, or null. */
export async function runUntil(time: SimTime, done: () => boolean, limitMs: number, stepMs = 50): Promise<number | null> {
  for (let elapsed = 0; elapsed <= limitMs; elapsed += stepMs) {
    if (done()) return elapsed;
    await time.runFor(stepMs);
  }
  return done() ? limitMs : null;
}

/** Awaits a promise while virtual time runs (it may need timers to settle). */
export async function settle<T>(time: SimTime, p: Promise<T>, limitMs = 30_000): Promise<T> {
  let finished = false;
  const watched = p.finally(() => { finished = true; });
  watched.catch(() => undefined);
  await runUntil(time, () => finished, limitMs, 10);
  if (!finished) throw new Error(`still pending after ${limitMs} virtual ms`);
  return watched;
}
