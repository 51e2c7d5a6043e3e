// The replica side of coordination: the requests a coordinator sends to replicas, their answers,
// and serveReplicaRequest, which a replica runs for a request, whether it arrived over the
// network (cluster/messaging calls it) or came from its own coordinator (one code path).

import { assertNever } from '../util/assert.js';
import { ReadFailure, WriteFailure } from '../util/errors.js';
import { createHash } from 'node:crypto';
import { ByteWriter } from '../util/bytes.js';
import { writePartitionUpdate } from '../cluster/messaging/data_codec.js';
import type { Storage } from '../storage/mod.js';
import type { PartitionUpdate, ReadCommand, ReadResult } from '../storage/data.js';
import type { Clock, Scheduler } from '../env/mod.js';
import type { Ring } from '../cluster/ring/mod.js';
import type { ReplicationStrategy } from '../schema/metadata.js';
import type { Deadlines } from './deadlines.js';
import type { Requirement } from './consistency.js';

export type ReplicaRequest =
  | { verb: 'MUTATION'; keyspace: string; update: PartitionUpdate }
  | { verb: 'READ'; keyspace: string; command: ReadCommand }
  | { verb: 'READ_DIGEST'; keyspace: string; command: ReadCommand }
  | { verb: 'TRUNCATE'; keyspace: string; tableId: string };

export type ReplicaResponse =
  | { verb: 'MUTATION_ACK' }
  | { verb: 'READ_RESPONSE'; result: ReadResult }
  | { verb: 'READ_DIGEST_RESPONSE'; digest: Buffer }
  | { verb: 'TRUNCATE_ACK' };

/**
 * Sends one request to a remote replica. Resolves with its answer; rejects when the replica
 * answered with a failure or the connection broke. Timeouts are the coordinator's job, so an
 * implementation may leave a request pending forever (it must bound its own queues).
 */
export type RemoteTransport = (endpoint: string, request: ReplicaRequest) => Promise<ReplicaResponse>;

/**
 * Cassandra's RequestFailureReason codes, the values of the v5 ERROR reason map
 * (WriteFailure/ReadFailure: endpoint → code).
 */
export const FAILURE_REASON = {
  UNKNOWN: 0x0000,
  READ_TOO_MANY_TOMBSTONES: 0x0001,
  TIMEOUT: 0x0002,
  INCOMPATIBLE_SCHEMA: 0x0003,
  READ_SIZE: 0x0004,
  NODE_DOWN: 0x0005,
} as const;

/**
 * A remote replica did not answer within the transport's own time limit (its request timed out
 * or expired in a queue). Not a failure: the coordinator keeps waiting for its own deadline and
 * reports WriteTimeout/ReadTimeout, as Cassandra does.
 */
export class ReplicaNoAnswer extends Error {
  override name = 'ReplicaNoAnswer';
  constructor(readonly endpoint: string, message: string) {
    super(message);
  }
}

/** A remote replica failed a request; `reasonCode` is one of FAILURE_REASON for the reason map. */
export class ReplicaFailed extends Error {
  override name = 'ReplicaFailed';
  constructor(readonly endpoint: string, message: string, readonly reasonCode: number) {
    super(message);
  }
}

/** The reason-map code of a replica's error (ReplicaFailed, or a local Read/WriteFailure's own code). */
export function failureReasonOf(error: unknown): number {
  if (error instanceof ReplicaFailed) return error.reasonCode;
  if (error instanceof ReadFailure || error instanceof WriteFailure) return error.reasons[0]?.reasonCode ?? FAILURE_REASON.UNKNOWN;
  return FAILURE_REASON.UNKNOWN;
}

/** Stores writes for replicas that are down (hinted handoff); optional. */
export interface HintSink {
  store(endpoint: string, update: PartitionUpdate): Promise<void>;
}

/** Executes a replica request against local storage. */
export async function serveReplicaRequest(storage: Storage, request: ReplicaRequest): Promise<ReplicaResponse> {
  switch (request.verb) {
    case 'MUTATION':
      await storage.apply(request.update);
      return { verb: 'MUTATION_ACK' };
    case 'READ':
      return { verb: 'READ_RESPONSE', result: await storage.read(request.command) };
    case 'READ_DIGEST':
      return { verb: 'READ_DIGEST_RESPONSE', digest: digestOf(await storage.read(request.command)) };
    case 'TRUNCATE':
      await storage.truncate(request.tableId);
      return { verb: 'TRUNCATE_ACK' };
    default:
      return assertNever(request, 'replica request');
  }
}

/**
 * The digest of a read's answer: MD5 of its partitions (keys, deletions, rows, cells with their
 * timestamps) in the internode encoding; stats and warnings are not part of it. Replicas holding
 * the same data for a command give the same digest; digest reads compare these.
 */
export function digestOf(result: ReadResult): Buffer {
  const w = new ByteWriter(256);
  for (const p of result.partitions) writePartitionUpdate(w, { tableId: '', ...p });
  return createHash('md5').update(w.toBuffer()).digest();
}

export interface RequestTimeouts {
  writeMs: number;
  readMs: number;
  rangeMs: number;
  truncateMs: number;
}

/** cassandra.yaml defaults: write_request_timeout 2000ms, read 5000ms, range 10000ms, truncate 60000ms. */
export const DEFAULT_TIMEOUTS: RequestTimeouts = { writeMs: 2000, readMs: 5000, rangeMs: 10000, truncateMs: 60000 };

/** What read.ts and write.ts need from the Coordinator. */
export interface CoordinatorContext {
  ring: Ring;
  storage: Storage;
  clock: Clock;
  scheduler: Scheduler;
  isAlive: (endpoint: string) => boolean;
  remote: RemoteTransport | undefined;
  hints: HintSink | undefined;
  timeouts: RequestTimeouts;
  /** Request timeouts: one timer per timeout length, not one per request. */
  deadlines: Deadlines;
  /** Replicas that are the same for every token (a one-node ring): no token lookup per write. */
  placement: UniformPlacement;
}

/**
 * The replicas of a strategy when they are the same for every token, which is the case on a
 * ring of one endpoint (every token's replicas are that node, or none): a single-partition write
 * then needs no token lookup. Computed from Ring.replicasFor at every ring token, kept for the
 * last strategy object asked about (keyspace metadata objects are reused across requests) and
 * recomputed when the ring's version changes. Rings of several endpoints are not examined (null).
 */
export class UniformPlacement {
  private replication: ReplicationStrategy | null = null;
  private version = -1;
  private replicas: readonly string[] | null = null;

  /** replicasFor(replication, t), equal for every token t, or null when it may depend on the token. */
  of(ring: Ring, replication: ReplicationStrategy): readonly string[] | null {
    const version = ring.metadata.version;
    if (replication === this.replication && version === this.version) return this.replicas;
    this.replication = replication;
    this.version = version;
    this.replicas = ring.metadata.endpointCount === 1 ? uniformReplicas(ring, replication) : null;
    return this.replicas;
  }
}

/** The replicas shared by every ring token under the strategy, or null if two tokens differ (or the ring has none). */
function uniformReplicas(ring: Ring, replication: ReplicationStrategy): readonly string[] | null {
  const tokens = ring.metadata.sortedTokens();
  if (tokens.length === 0) return null;
  const first = ring.replicasFor(replication, tokens[0]!);
  for (const t of tokens) {
    const r = ring.replicasFor(replication, t);
    if (r.length !== first.length || r.some((e, i) => e !== first[i])) return null;
  }
  return first;
}

/**
 * True when the request's only replica is this node and one answer from it meets the level:
 * then storage is called directly, without per-replica bookkeeping (same outcomes).
 */
export function onlyLocalReplica(ctx: CoordinatorContext, req: Requirement, replicas: readonly string[]): boolean {
  return replicas.length === 1 && replicas[0] === ctx.ring.localEndpoint && req.kind === 'count' && req.count === 1
    && (req.dc === undefined || req.dc === ctx.ring.localDc);
}

/** Sends a request to one replica: local storage for the local endpoint, the transport otherwise. */
export function sendToReplica(ctx: CoordinatorContext, endpoint: string, request: ReplicaRequest): Promise<ReplicaResponse> {
  if (endpoint === ctx.ring.localEndpoint) return serveReplicaRequest(ctx.storage, request);
  if (!ctx.remote) return Promise.reject(new Error(`no transport to replica ${endpoint} (node started without cluster messaging)`));
  return ctx.remote(endpoint, request);
}
