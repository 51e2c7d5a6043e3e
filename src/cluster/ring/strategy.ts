// Replication strategies: which endpoints hold the replicas of a token.
//
// Every strategy walks the ring clockwise from the range holding the token (the first ring token
// >= it) and picks endpoints in the order met:
// - SimpleStrategy: the first RF distinct endpoints, ignoring DCs and racks.
// - NetworkTopologyStrategy: per DC, RF endpoints of that DC, preferring endpoints on racks not
//   yet used in that DC. When a DC has fewer racks than its RF, the first (RF - racks) rack
//   repeats met are accepted, so every rack still gets a replica. Asking for more replicas than a
//   DC has endpoints gives every endpoint of that DC.
// - LocalStrategy: only the local endpoint (system keyspaces that are never replicated).

import { assert, assertNever } from '../../util/assert.js';
import type { ReplicationStrategy } from '../../schema/metadata.js';
import type { TokenMetadata } from './metadata.js';
import type { Token } from './token.js';

/** Replicas of `token`, primary first. */
export function calculateReplicas(strategy: ReplicationStrategy, metadata: TokenMetadata, token: Token, localEndpoint: string): string[] {
  switch (strategy.class) {
    case 'LocalStrategy': return [localEndpoint];
    case 'SimpleStrategy': return simpleReplicas(strategy.replicationFactor, metadata, token);
    case 'NetworkTopologyStrategy': return networkTopologyReplicas(strategy.dcs, metadata, token);
    default: return assertNever(strategy, 'replication strategy');
  }
}

function simpleReplicas(rf: number, metadata: TokenMetadata, token: Token): string[] {
  const ringSize = metadata.sortedTokens().length;
  if (ringSize === 0 || rf <= 0) return [];
  const replicas: string[] = [];
  const start = metadata.firstTokenIndex(token);
  for (let step = 0; step < ringSize && replicas.length < rf; step++) {
    const owner = metadata.ownerAt((start + step) % ringSize);
    if (!replicas.includes(owner)) replicas.push(owner);
  }
  return replicas;
}

/** Fills one DC's replicas: new racks first, then a limited number of rack repeats. */
class DatacenterFill {
  private replicasLeft: number;
  private rackRepeatsLeft: number;
  private readonly racksSeen = new Set<string>();

  constructor(rf: number, rackCount: number, endpointCount: number) {
    this.replicasLeft = Math.min(rf, endpointCount);
    this.rackRepeatsLeft = rf - rackCount;
  }

  get done(): boolean { return this.replicasLeft <= 0; }

  /** Decides whether the endpoint becomes a replica; `chosen` is every replica so far (all DCs). */
  offer(endpoint: string, rack: string, chosen: string[]): boolean {
    if (this.done || chosen.includes(endpoint)) return false;
    if (!this.racksSeen.has(rack)) {
      this.racksSeen.add(rack);
    } else {
      if (this.rackRepeatsLeft <= 0) return false;
      this.rackRepeatsLeft--;
    }
    this.replicasLeft--;
    chosen.push(endpoint);
    return true;
  }
}

function networkTopologyReplicas(dcs: Record<string, number>, metadata: TokenMetadata, token: Token): string[] {
  const ringSize = metadata.sortedTokens().length;
  if (ringSize === 0) return [];
  const topology = metadata.topology();
  const fills = new Map<string, DatacenterFill>();
  for (const [dc, rf] of Object.entries(dcs)) {
    const racks = topology.get(dc);
    if (rf <= 0 || !racks) continue;
    let endpointCount = 0;
    for (const members of racks.values()) endpointCount += members.length;
    fills.set(dc, new DatacenterFill(rf, racks.size, endpointCount));
  }
  let dcsToFill = fills.size;
  const replicas: string[] = [];
  const start = metadata.firstTokenIndex(token);
  for (let step = 0; step < ringSize && dcsToFill > 0; step++) {
    const owner = metadata.ownerAt((start + step) % ringSize);
    const info = metadata.endpoint(owner);
    assert(info !== undefined, `token owner ${owner} has no endpoint info`);
    const fill = fills.get(info.dc);
    if (!fill || fill.done) continue;
    if (fill.offer(owner, info.rack, replicas) && fill.done) dcsToFill--;
  }
  return replicas;
}

/** A string identifying a strategy's placement, equal for equal placements (cache key). */
export function strategyKey(strategy: ReplicationStrategy): string {
  switch (strategy.class) {
    case 'LocalStrategy': return 'L';
    case 'SimpleStrategy': return `S:${strategy.replicationFactor}`;
    case 'NetworkTopologyStrategy':
      return 'N:' + Object.entries(strategy.dcs).filter(([, rf]) => rf > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([dc, rf]) => `${dc}=${rf}`).join(',');
    default: return assertNever(strategy, 'replication strategy');
  }
}

/** Total replicas the strategy asks for (before capping by endpoints available). */
export function totalReplicationFactor(strategy: ReplicationStrategy): number {
  switch (strategy.class) {
    case 'LocalStrategy': return 1;
    case 'SimpleStrategy': return strategy.replicationFactor;
    case 'NetworkTopologyStrategy': return Object.values(strategy.dcs).reduce((sum, rf) => sum + rf, 0);
    default: return assertNever(strategy, 'replication strategy');
  }
}
