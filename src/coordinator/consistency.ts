// Consistency levels: how many replica answers a request waits for, which replicas count, and
// the liveness check that fails fast with Unavailable before anything is sent.
//
// blockFor, as Cassandra computes it (RF is what the strategy asks for, not what was placed):
//   ONE/LOCAL_ONE/ANY 1, TWO 2, THREE 3, QUORUM floor(RF/2)+1, ALL RF,
//   LOCAL_QUORUM floor(RF_local/2)+1, EACH_QUORUM floor(RF_dc/2)+1 in every DC,
//   SERIAL like QUORUM, LOCAL_SERIAL like LOCAL_QUORUM, NODE_LOCAL 1 (the coordinator itself).
// LOCAL_* count only replicas in the coordinator's DC. With SimpleStrategy, "local RF" is the
// whole RF (as in Cassandra), but only replicas in the local DC count toward it.

import { assert, assertNever } from '../util/assert.js';
import { InvalidRequest, Unavailable, type ConsistencyName } from '../util/errors.js';
import type { KeyspaceMetadata, ReplicationStrategy } from '../schema/metadata.js';

export type RequestKind = 'read' | 'write';

/** Where replicas live: enough of the ring for the consistency math. */
export interface ReplicaLocator {
  /** DC and rack of an endpoint; undefined when unknown. */
  location(endpoint: string): { dc: string; rack: string } | undefined;
  /** The coordinator's DC. */
  readonly localDc: string;
  readonly localEndpoint: string;
}

/** What a request must collect: a count per group of replicas. */
export type Requirement =
  /** `count` answers from replicas accepted by `counts` (all replicas, or one DC's). */
  | { kind: 'count'; count: number; dc?: string }
  /** `count[dc]` answers from each DC. */
  | { kind: 'each'; perDc: Map<string, number> };

export function quorumFor(rf: number): number {
  return Math.floor(rf / 2) + 1;
}

function totalRf(strategy: ReplicationStrategy): number {
  switch (strategy.class) {
    case 'LocalStrategy': return 1;
    case 'SimpleStrategy': return strategy.replicationFactor;
    case 'NetworkTopologyStrategy': return Object.values(strategy.dcs).reduce((a, b) => a + b, 0);
    default: return assertNever(strategy, 'replication strategy');
  }
}

function localRf(strategy: ReplicationStrategy, localDc: string): number {
  if (strategy.class === 'NetworkTopologyStrategy') return strategy.dcs[localDc] ?? 0;
  return totalRf(strategy);
}

/** Rejects levels that make no sense for the request kind (InvalidRequest, Cassandra's wording). */
export function validateConsistency(cl: ConsistencyName, kind: RequestKind): void {
  if (kind === 'read' && cl === 'ANY') {
    throw new InvalidRequest('ANY ConsistencyLevel is only supported for writes');
  }
  if (kind === 'write' && (cl === 'SERIAL' || cl === 'LOCAL_SERIAL')) {
    throw new InvalidRequest(`You must use conditional updates for serializable writes (consistency ${cl}); use QUORUM or LOCAL_QUORUM for plain writes`);
  }
}

/** What `cl` requires for a keyspace, computed from its replication strategy. */
const COUNT_1: Requirement = Object.freeze({ kind: 'count', count: 1 });
const COUNT_2: Requirement = Object.freeze({ kind: 'count', count: 2 });
const COUNT_3: Requirement = Object.freeze({ kind: 'count', count: 3 });

/** Whether requirementFor needs the local DC for this level (the caller may skip looking it up). */
export function usesLocalDc(cl: ConsistencyName): boolean {
  return cl === 'LOCAL_ONE' || cl === 'LOCAL_QUORUM' || cl === 'LOCAL_SERIAL';
}

/** The answers a level waits for. Requirements are shared and frozen: never modify one. */
export function requirementFor(cl: ConsistencyName, strategy: ReplicationStrategy, localDc: string): Requirement {
  switch (cl) {
    case 'ANY': case 'ONE': return COUNT_1;
    case 'TWO': return COUNT_2;
    case 'THREE': return COUNT_3;
    case 'QUORUM': case 'SERIAL': return { kind: 'count', count: quorumFor(totalRf(strategy)) };
    case 'ALL': return { kind: 'count', count: totalRf(strategy) };
    case 'LOCAL_ONE': return { kind: 'count', count: 1, dc: localDc };
    case 'LOCAL_QUORUM': case 'LOCAL_SERIAL': return { kind: 'count', count: quorumFor(localRf(strategy, localDc)), dc: localDc };
    case 'NODE_LOCAL': return COUNT_1;
    case 'EACH_QUORUM': {
      if (strategy.class !== 'NetworkTopologyStrategy') {
        // Cassandra treats EACH_QUORUM on a non-NTS keyspace as QUORUM for reads and writes.
        return { kind: 'count', count: quorumFor(totalRf(strategy)) };
      }
      const perDc = new Map<string, number>();
      for (const [dc, rf] of Object.entries(strategy.dcs)) if (rf > 0) perDc.set(dc, quorumFor(rf));
      return { kind: 'each', perDc };
    }
    default: return assertNever(cl, 'consistency level');
  }
}

/** Total answers the requirement waits for (the protocol's block_for). */
export function blockForOf(req: Requirement): number {
  if (req.kind === 'count') return req.count;
  let sum = 0;
  for (const n of req.perDc.values()) sum += n;
  return sum;
}

/** Whether an answer from `endpoint` counts toward the requirement. */
export function counts(req: Requirement, endpoint: string, locator: ReplicaLocator): boolean {
  if (req.kind === 'each') return true;
  if (req.dc === undefined) return true;
  return locator.location(endpoint)?.dc === req.dc;
}

/** Tracks answers against a requirement; `satisfied` once enough have arrived. */
export class AckCounter {
  private received = 0;
  private readonly perDc = new Map<string, number>();

  constructor(private readonly req: Requirement, private readonly locator: ReplicaLocator) {}

  /** Records an answer from endpoint; returns whether it counted. */
  ack(endpoint: string): boolean {
    if (!counts(this.req, endpoint, this.locator)) return false;
    this.received++;
    if (this.req.kind === 'each') {
      const dc = this.locator.location(endpoint)?.dc ?? '';
      this.perDc.set(dc, (this.perDc.get(dc) ?? 0) + 1);
    }
    return true;
  }

  get receivedCount(): number { return this.received; }

  get satisfied(): boolean {
    if (this.req.kind === 'count') return this.received >= this.req.count;
    for (const [dc, need] of this.req.perDc) if ((this.perDc.get(dc) ?? 0) < need) return false;
    return true;
  }
}

export interface LivenessInput {
  keyspace: KeyspaceMetadata;
  cl: ConsistencyName;
  replicas: readonly string[];
  isAlive: (endpoint: string) => boolean;
  locator: ReplicaLocator;
}

/**
 * Throws Unavailable unless enough replicas are alive to meet the consistency level. The message
 * says what was required, what is alive, which replicas are down (with DC/rack) and what to do.
 */
export function assureSufficientLiveReplicas(input: LivenessInput): void {
  const { keyspace, cl, replicas, isAlive, locator } = input;
  const req = requirementFor(cl, keyspace.replication, locator.localDc);
  if (req.kind === 'count' && req.dc === undefined) {
    // Every replica counts: the common case needs only a count of the live ones.
    // An indexed loop: replica lists are frozen (Ring shares them), and for-of over a frozen
    // array leaves V8's fast array iteration (an iterator result allocated per step).
    let alive = 0;
    for (let i = 0; i < replicas.length; i++) if (isAlive(replicas[i]!)) alive++;
    if (alive >= req.count) return;
  }
  const live = replicas.filter(isAlive);
  if (req.kind === 'each') {
    for (const [dc, need] of req.perDc) {
      const inDc = (e: string) => locator.location(e)?.dc === dc;
      const alive = live.filter(inDc).length;
      if (alive < need) throw unavailable({ ...input, required: need, alive, relevant: replicas.filter(inDc), scope: dc });
    }
    return;
  }
  const relevant = replicas.filter((e) => counts(req, e, locator));
  const alive = live.filter((e) => counts(req, e, locator)).length;
  if (alive < req.count) throw unavailable({ ...input, required: req.count, alive, relevant, scope: req.dc });
}

function unavailable(input: LivenessInput & { required: number; alive: number; relevant: readonly string[]; scope: string | undefined }): Unavailable {
  const { keyspace, cl, required, alive, relevant, isAlive, locator, scope } = input;
  assert(alive < required, 'unavailable while enough replicas are alive');
  const down = relevant.filter((e) => !isAlive(e)).map((e) => {
    const where = locator.location(e);
    return where ? `${e} (${where.dc}/${where.rack})` : `${e} (location unknown)`;
  });
  const inDc = scope ? ` in datacenter ${scope}` : '';
  let message = `Cannot achieve consistency level ${cl} for keyspace ${keyspace.name}: ${required} replica${required === 1 ? '' : 's'} required${inDc}, ${alive} alive`;
  message += down.length > 0 ? `; down: ${down.join(', ')}.` : '.';
  message += ' ' + advice({ ...input, relevantCount: relevant.length });
  return new Unavailable(message, cl, required, alive);
}

function advice(input: LivenessInput & { required: number; relevantCount: number; scope: string | undefined }): string {
  const { keyspace, cl, required, relevantCount, scope } = input;
  if (relevantCount === 0 && scope) {
    return `Keyspace ${keyspace.name} has no replicas in datacenter ${scope}; use a consistency level that is not LOCAL_ or add ${scope} to the keyspace's replication.`;
  }
  if (relevantCount < required) {
    return `Only ${relevantCount} replica${relevantCount === 1 ? ' is' : 's are'} placed${scope ? ` in ${scope}` : ''} (the replication factor is larger than the nodes there); add nodes or lower the replication factor.`;
  }
  const rf = scope ? localRf(keyspace.replication, scope) : totalRf(keyspace.replication);
  if (required >= rf && rf > 1 && cl !== 'ALL') {
    return `With replication factor ${rf}, ${cl} needs every replica; use ONE or raise the replication factor.`;
  }
  if (rf === 1) return `With replication factor 1 the only replica must be up; bring it back or raise the replication factor.`;
  return `Bring the down replicas back, or use a lower consistency level.`;
}
