// Makes a node a member of a cluster: internode messaging on storage_port, gossip with the
// seeds, the ring kept from gossip, schema agreement, the replica side of coordination, and
// the Coordinator's RemoteTransport and liveness. node.ts calls createCluster() before the
// Coordinator exists, join() before clients are accepted, and announceNormal() once the
// native port is known.
//
// Join (no streaming yet): a node contacts its seeds, learns the ring and the schema, and
// announces STATUS NORMAL with the tokens it took on first start (identity.ts). It does not
// receive the data of the ranges it takes over; repair/streaming will do that.

import { join as joinPath } from 'node:path/posix';
import type { Logger } from 'pino';
import type { Env } from '../env/mod.js';
import type { Storage } from '../storage/mod.js';
import type { ProtocolEvent } from '../protocol/messages.js';
import type { TokenMetadata } from '../cluster/ring/mod.js';
import { ConnectionLost, MessageDropped, MessagingService, RemoteFailure, RequestTimedOut } from '../cluster/messaging/mod.js';
import { Gossiper, SchemaSync, syncRingFromGossip, GOSSIP_INTERVAL_MS, type EndpointState, type RingChange } from '../cluster/gossip/mod.js';
import { FAILURE_REASON, ReplicaFailed, ReplicaNoAnswer, serveReplicaRequest, type RemoteTransport, type ReplicaRequest, type ReplicaResponse } from '../coordinator/transport.js';
import { ddlFromAst, type SchemaManager } from '../coordinator/schema/mod.js';
import type { PeerInfo } from '../coordinator/system/mod.js';
import { RELEASE_VERSION } from '../coordinator/system/node_rows.js';
import type { Config } from './config.js';
import type { NodeIdentity } from './identity.js';

const GOSSIP_FILE = 'gossip.json';
/** How long a joining node waits for a seed and for the schema before it serves anyway. */
export const JOIN_WAIT_MS = 15_000;
const JOIN_POLL_MS = 100;
/** Added to the coordinator's own timeout so the coordinator, not messaging, reports it. */
const REMOTE_TIMEOUT_SLACK_MS = 1000;
/** Replica failures are logged at most once per this interval per kind (with the count since). */
export const FAILURE_LOG_INTERVAL_MS = 10_000;

export type ClusterConfig = Pick<Config, 'clusterName' | 'listenAddress' | 'rpcAddress' | 'storagePort' | 'seeds' | 'dc' | 'rack' | 'dataDir'
  | 'phiConvictThreshold' | 'internodeSendQueueBytes' | 'readRequestTimeoutMs' | 'writeRequestTimeoutMs' | 'rangeRequestTimeoutMs'>;

export interface ClusterDeps {
  env: Env;
  config: ClusterConfig;
  identity: NodeIdentity;
  schema: SchemaManager;
  /** Replica-side storage (requests from other coordinators run against it). */
  storage: Storage;
  metadata: TokenMetadata;
  logger: Logger;
  /** Sends a protocol event to registered clients (the native transport's broadcastEvent). */
  broadcast: (event: ProtocolEvent) => void;
}

export interface ClusterMember {
  readonly generation: number;
  readonly gossiper: Gossiper;
  readonly messaging: MessagingService;
  /** Failure detector view for the Coordinator (local endpoint always alive). */
  isAlive(endpoint: string): boolean;
  /** The Coordinator's RemoteTransport. */
  remote: RemoteTransport;
  /** system.peers / peers_v2 rows. */
  peers(): PeerInfo[];
  /** The schema as the query processor should use it: DDL goes to the schema leader. */
  routedSchema(): RoutedSchema;
  /** Listens on storage_port, gossips, waits (bounded) for a seed and the schema. */
  join(): Promise<void>;
  /** Publishes the native address and STATUS NORMAL (clients may now be sent here). */
  announceNormal(nativePort: number): void;
  /** Announces SHUTDOWN and closes internode connections. */
  stop(): Promise<void>;
}

export interface RoutedSchema {
  keyspace: SchemaManager['keyspace'];
  table: SchemaManager['table'];
  execute(statement: never, clientKeyspace?: string): Promise<{ change: never; warnings: string[] }>;
}

export async function createCluster(deps: ClusterDeps): Promise<ClusterMember> {
  const { env, config, identity, schema, logger } = deps;
  const log = (level: 'info' | 'warn' | 'error', message: string) => logger[level](message);
  const generation = await nextGeneration(env, config.dataDir);
  const messaging: MessagingService = new MessagingService({
    env, address: config.listenAddress, port: config.storagePort, clusterName: config.clusterName,
    portOf: (e): number => Number(gossiper.state(e)?.appStates.get('STORAGE_PORT')?.value ?? config.storagePort),
    tables: (id) => schema.tableById(id),
    limits: { queueBytesMax: config.internodeSendQueueBytes },
    log,
  });
  const gossiper: Gossiper = new Gossiper({
    clock: env.clock, scheduler: env.scheduler, random: env.random, messaging, localEndpoint: config.listenAddress,
    clusterName: config.clusterName, seeds: config.seeds, generation, phiConvictThreshold: config.phiConvictThreshold, log,
  });
  const sync = new SchemaSync({ scheduler: env.scheduler, gossiper, messaging, schema, log });
  const warn = rateLimitedWarn(env, logger);
  serveReplicas(messaging, deps.storage, schema, warn);
  wireEvents(gossiper, deps);
  const timeouts = config;
  const remote: RemoteTransport = (endpoint, request) => sendReplicaRequest(messaging, endpoint, request, timeouts).catch((error: unknown) => {
    const classified = classifyReplicaError(endpoint, request.verb, error);
    warn(`coordinator:${request.verb}:${classified.name}:${classified instanceof ReplicaFailed ? classified.reasonCode : ''}`, classified.message);
    throw classified;
  });

  return {
    generation, gossiper, messaging, remote,
    isAlive: (e) => gossiper.isAlive(e),
    peers: () => peersOf(gossiper, deps.metadata),
    routedSchema: () => ({
      keyspace: (name) => schema.keyspace(name),
      table: (ks, name) => schema.table(ks, name),
      execute: (statement, clientKeyspace) => {
        const stmt = statement as Parameters<SchemaManager['execute']>[0];
        const ddl = 'span' in stmt ? ddlFromAst(stmt) : stmt;
        return sync.execute(ddl, clientKeyspace) as Promise<{ change: never; warnings: string[] }>;
      },
    }),
    join: async () => {
      const port = await messaging.listen();
      publishLocal(gossiper, deps, port);
      gossiper.start();
      sync.start();
      await waitForJoin(env, gossiper, schema, config, log);
    },
    announceNormal: (nativePort) => {
      gossiper.setLocal('RPC_ADDRESS', config.rpcAddress);
      gossiper.setLocal('NATIVE_PORT', String(nativePort));
      gossiper.setLocal('STATUS', 'NORMAL');
    },
    stop: async () => {
      sync.stop();
      gossiper.stop();
      // Let the SHUTDOWN announcement leave before the sockets close.
      await new Promise<void>((resolve) => env.scheduler.after(50, resolve));
      await messaging.close();
    },
  };
}

/** Generation = start time in seconds, and always above the last one this data directory used. */
async function nextGeneration(env: Env, dataDir: string): Promise<number> {
  const path = joinPath(dataDir, GOSSIP_FILE);
  let last = 0;
  if (await env.fs.stat(path)) {
    const saved = JSON.parse((await env.fs.readFile(path)).toString('utf8')) as { generation?: unknown };
    if (typeof saved.generation === 'number') last = saved.generation;
  }
  const generation = Math.max(Math.floor(env.clock.nowMs() / 1000), last + 1);
  await env.fs.mkdirp(dataDir);
  await env.fs.writeFileAtomic(path, Buffer.from(JSON.stringify({ generation })));
  return generation;
}

function publishLocal(gossiper: Gossiper, deps: ClusterDeps, storagePort: number): void {
  const { config, identity } = deps;
  gossiper.setLocal('STATUS', 'BOOTSTRAPPING');
  gossiper.setLocal('HOST_ID', identity.hostId);
  gossiper.setLocal('TOKENS', identity.tokens.join(','));
  gossiper.setLocal('DC', config.dc);
  gossiper.setLocal('RACK', config.rack);
  gossiper.setLocal('STORAGE_PORT', String(storagePort));
  gossiper.setLocal('RELEASE_VERSION', RELEASE_VERSION);
}

/** Waits until a seed answered and no live peer is ahead in the schema log, or JOIN_WAIT_MS. */
async function waitForJoin(env: Env, gossiper: Gossiper, schema: SchemaManager, config: ClusterConfig,
                           log: (level: 'info' | 'warn', message: string) => void): Promise<void> {
  const otherSeeds = config.seeds.filter((s) => s !== config.listenAddress);
  if (otherSeeds.length === 0) return;
  const caughtUp = () => gossiper.liveEndpoints().every((e) => Number(gossiper.state(e)?.appStates.get('SCHEMA_SEQ')?.value ?? 0) <= schema.seq());
  const deadline = env.clock.monotonicMs() + JOIN_WAIT_MS;
  // Two gossip rounds after contact so the ring and the schema state have arrived.
  let contactAtMs: number | null = null;
  while (env.clock.monotonicMs() < deadline) {
    if (gossiper.contactedSeed && contactAtMs === null) contactAtMs = env.clock.monotonicMs();
    if (contactAtMs !== null && env.clock.monotonicMs() - contactAtMs >= 2 * GOSSIP_INTERVAL_MS && caughtUp()) return;
    await new Promise<void>((resolve) => env.scheduler.after(JOIN_POLL_MS, resolve));
  }
  log('warn', gossiper.contactedSeed
    ? `joined, but the schema is not caught up with the live peers after ${JOIN_WAIT_MS} ms; continuing`
    : `no seed (${otherSeeds.join(', ')}) answered within ${JOIN_WAIT_MS} ms; serving alone until one does`);
}

/** The replica side: requests from other coordinators run through serveReplicaRequest. */
function serveReplicas(messaging: MessagingService, storage: Storage, schema: SchemaManager, warn: RateLimitedWarn): void {
  const keyspaceOf = (tableId: string) => schema.tableById(tableId)?.keyspace ?? '';
  // A failed replica request is answered with FAILURE_RSP (the coordinator reports it) and logged here.
  const logged = <T>(from: string, verb: string, work: () => Promise<T>): Promise<T> => work().catch((error: unknown) => {
    const e = error instanceof Error ? error : new Error(String(error));
    warn(`replica:${verb}:${e.name}`, `${verb} from ${from} failed on this replica: ${e.name}: ${e.message}`);
    throw error;
  });
  messaging.handle('MUTATION', (from, m) => logged(from, 'MUTATION', async () => {
    await serveReplicaRequest(storage, { verb: 'MUTATION', keyspace: keyspaceOf(m.update.tableId), update: m.update });
    return { verb: 'MUTATION_ACK' as const };
  }));
  messaging.handle('READ', (from, m) => logged(from, 'READ', async () => {
    const answer = await serveReplicaRequest(storage, { verb: 'READ', keyspace: m.command.table.keyspace, command: m.command });
    if (answer.verb !== 'READ_RESPONSE') throw new Error(`READ answered with ${answer.verb}`);
    return { verb: 'READ_RESPONSE' as const, result: answer.result };
  }));
  messaging.handle('READ_DIGEST', (from, m) => logged(from, 'READ_DIGEST', async () => {
    const answer = await serveReplicaRequest(storage, { verb: 'READ_DIGEST', keyspace: m.command.table.keyspace, command: m.command });
    if (answer.verb !== 'READ_DIGEST_RESPONSE') throw new Error(`READ_DIGEST answered with ${answer.verb}`);
    return { verb: 'READ_DIGEST_RSP' as const, digest: answer.digest };
  }));
  messaging.handle('TRUNCATE', (from, m) => logged(from, 'TRUNCATE', async () => {
    await serveReplicaRequest(storage, { verb: 'TRUNCATE', keyspace: keyspaceOf(m.tableId), tableId: m.tableId });
    return { verb: 'TRUNCATE_ACK' as const };
  }));
}

/**
 * A messaging error as the coordinator's view of it: no answer in time (request timeout, or
 * expired in the queue) is ReplicaNoAnswer, not a failure; everything else is ReplicaFailed with
 * Cassandra's reason code (connection loss NODE_DOWN, a replica's unknown table
 * INCOMPATIBLE_SCHEMA, a replica's own Read/WriteFailure its code, otherwise UNKNOWN).
 */
export function classifyReplicaError(endpoint: string, verb: string, error: unknown): Error {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const failed = (code: number, why: string) => new ReplicaFailed(endpoint, `${verb} to replica ${endpoint} failed (${why}): ${text}`, code);
  if (error instanceof RequestTimedOut) return new ReplicaNoAnswer(endpoint, `${verb} to replica ${endpoint}: no answer in time: ${text}`);
  if (error instanceof MessageDropped) {
    if (error.dropped.reason === 'expired') return new ReplicaNoAnswer(endpoint, `${verb} to replica ${endpoint}: expired before it was sent: ${text}`);
    return failed(error.dropped.reason === 'closed' ? FAILURE_REASON.NODE_DOWN : FAILURE_REASON.UNKNOWN, `not sent, ${error.dropped.reason}`);
  }
  if (error instanceof ConnectionLost) return failed(FAILURE_REASON.NODE_DOWN, 'connection lost');
  if (error instanceof RemoteFailure) {
    if (error.errorName === 'UnknownTable') return failed(FAILURE_REASON.INCOMPATIBLE_SCHEMA, 'unknown table on the replica');
    const code = Number(error.details['reasonCode'] ?? FAILURE_REASON.UNKNOWN);
    return failed(Number.isInteger(code) && code >= 0 && code <= 0xffff ? code : FAILURE_REASON.UNKNOWN, 'replica error');
  }
  return failed(FAILURE_REASON.UNKNOWN, 'error');
}

type RateLimitedWarn = (kind: string, message: string) => void;

/** Warn logs keyed by kind: the first at once, then at most one per FAILURE_LOG_INTERVAL_MS with the count suppressed. */
function rateLimitedWarn(env: Env, logger: Logger): RateLimitedWarn {
  const kinds = new Map<string, { lastMs: number; suppressed: number }>();
  const KINDS_MAX = 1024;
  return (kind, message) => {
    const now = env.clock.monotonicMs();
    const k = kinds.get(kind);
    if (k && now - k.lastMs < FAILURE_LOG_INTERVAL_MS) { k.suppressed++; return; }
    if (!k && kinds.size >= KINDS_MAX) kinds.clear();
    const suppressed = k?.suppressed ?? 0;
    kinds.set(kind, { lastMs: now, suppressed: 0 });
    logger.warn(suppressed > 0 ? `${message} (and ${suppressed} more like it in the last ${FAILURE_LOG_INTERVAL_MS / 1000} s)` : message);
  };
}

/** The coordinator side: a ReplicaRequest as a message, its answer as a ReplicaResponse. */
async function sendReplicaRequest(messaging: MessagingService, endpoint: string, request: ReplicaRequest,
                                  t: Pick<ClusterConfig, 'readRequestTimeoutMs' | 'writeRequestTimeoutMs' | 'rangeRequestTimeoutMs'>): Promise<ReplicaResponse> {
  switch (request.verb) {
    case 'MUTATION':
      await messaging.request(endpoint, { verb: 'MUTATION', update: request.update }, t.writeRequestTimeoutMs + REMOTE_TIMEOUT_SLACK_MS);
      return { verb: 'MUTATION_ACK' };
    case 'READ': {
      const timeoutMs = Math.max(t.readRequestTimeoutMs, t.rangeRequestTimeoutMs) + REMOTE_TIMEOUT_SLACK_MS;
      const answer = await messaging.request(endpoint, { verb: 'READ', command: request.command }, timeoutMs);
      return { verb: 'READ_RESPONSE', result: answer.result };
    }
    case 'READ_DIGEST': {
      const timeoutMs = Math.max(t.readRequestTimeoutMs, t.rangeRequestTimeoutMs) + REMOTE_TIMEOUT_SLACK_MS;
      const answer = await messaging.request(endpoint, { verb: 'READ_DIGEST', command: request.command }, timeoutMs);
      return { verb: 'READ_DIGEST_RESPONSE', digest: answer.digest };
    }
    case 'TRUNCATE':
      await messaging.request(endpoint, { verb: 'TRUNCATE', tableId: request.tableId }, 60_000 + REMOTE_TIMEOUT_SLACK_MS);
      return { verb: 'TRUNCATE_ACK' };
  }
}

/** Gossip and ring changes as native protocol events for drivers. */
function wireEvents(gossiper: Gossiper, deps: ClusterDeps): void {
  const nodeOf = (endpoint: string, state: EndpointState | undefined) => ({
    address: state?.appStates.get('RPC_ADDRESS')?.value ?? endpoint,
    port: Number(state?.appStates.get('NATIVE_PORT')?.value ?? 9042),
  });
  const topology: Record<Exclude<RingChange, 'none'>, 'NEW_NODE' | 'MOVED_NODE' | 'REMOVED_NODE'> = { joined: 'NEW_NODE', moved: 'MOVED_NODE', left: 'REMOVED_NODE' };
  syncRingFromGossip({
    gossiper, metadata: deps.metadata,
    onRingChange: (endpoint, change) => {
      if (change === 'none') return;
      deps.logger.info({ endpoint, change }, 'ring changed');
      deps.broadcast({ type: 'TOPOLOGY_CHANGE', change: topology[change], node: nodeOf(endpoint, gossiper.state(endpoint)) });
    },
    log: (level, message) => deps.logger[level](message),
  });
  gossiper.subscribe({
    onAlive: (endpoint, state) => deps.broadcast({ type: 'STATUS_CHANGE', change: 'UP', node: nodeOf(endpoint, state) }),
    onDead: (endpoint, state) => deps.broadcast({ type: 'STATUS_CHANGE', change: 'DOWN', node: nodeOf(endpoint, state) }),
  });
}

/** Every peer the ring holds, with what gossip says about it. */
function peersOf(gossiper: Gossiper, metadata: TokenMetadata): PeerInfo[] {
  const out: PeerInfo[] = [];
  for (const info of metadata.endpoints()) {
    if (info.endpoint === gossiper.localEndpoint) continue;
    const app = gossiper.state(info.endpoint)?.appStates;
    const get = (name: string) => app?.get(name)?.value;
    out.push({
      address: info.endpoint, storagePort: Number(get('STORAGE_PORT') ?? 0), dataCenter: info.dc, rack: info.rack, hostId: info.hostId,
      releaseVersion: get('RELEASE_VERSION') ?? RELEASE_VERSION, nativeAddress: get('RPC_ADDRESS') ?? info.endpoint,
      nativePort: Number(get('NATIVE_PORT') ?? 9042), schemaVersion: get('SCHEMA') ?? '00000000-0000-0000-0000-000000000000',
      tokens: [...info.tokens],
    });
  }
  return out;
}

