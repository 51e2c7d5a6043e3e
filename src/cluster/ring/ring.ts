// The ring as the coordinator sees it: token metadata, the local endpoint, and replica placement
// per replication strategy, cached per ring version.

import { assert } from '../../util/assert.js';
import type { ReplicationStrategy } from '../../schema/metadata.js';
import { TokenMetadata } from './metadata.js';
import { calculateReplicas, strategyKey } from './strategy.js';
import { RING_SIZE, rangeWidth, type Token, type TokenRange } from './token.js';

/** Distinct strategies whose placements are cached at once; beyond it the cache starts over. */
export const REPLICA_CACHE_STRATEGIES_MAX = 1024;

export interface EndpointLocation {
  dc: string;
  rack: string;
}

export interface RangeReplicas {
  range: TokenRange;
  /** Replicas, primary first. */
  endpoints: readonly string[];
}

export class Ring {
  readonly metadata: TokenMetadata;
  readonly localEndpoint: string;
  private cacheVersion = -1;
  /** strategy key → replicas per ring token index (filled lazily). */
  private readonly cache = new Map<string, (readonly string[] | undefined)[]>();
  /** The last strategy object asked about and its placements (keyspace metadata objects are reused per request). */
  private lastReplication: ReplicationStrategy | null = null;
  private lastPlacements: (readonly string[] | undefined)[] = [];

  constructor(options: { localEndpoint: string; metadata?: TokenMetadata }) {
    this.localEndpoint = options.localEndpoint;
    this.metadata = options.metadata ?? new TokenMetadata();
  }

  /** Replicas of token under the strategy, primary first. The array is shared: do not modify it. */
  replicasFor(replication: ReplicationStrategy, token: Token): readonly string[] {
    if (replication.class === 'LocalStrategy') return [this.localEndpoint];
    if (this.metadata.sortedTokens().length === 0) return [];
    const index = this.metadata.firstTokenIndex(token);
    const perToken = this.placementsFor(replication);
    let replicas = perToken[index];
    if (!replicas) {
      replicas = Object.freeze(calculateReplicas(replication, this.metadata, this.metadata.sortedTokens()[index]!, this.localEndpoint));
      perToken[index] = replicas;
    }
    return replicas;
  }

  /** DC and rack of an endpoint, if it is in the ring. */
  location(endpoint: string): EndpointLocation | undefined {
    const info = this.metadata.endpoint(endpoint);
    return info ? { dc: info.dc, rack: info.rack } : undefined;
  }

  /** The local endpoint's DC; the local node must be in the ring. */
  get localDc(): string {
    const info = this.metadata.endpoint(this.localEndpoint);
    assert(info !== undefined, `local endpoint ${this.localEndpoint} is not in the ring`);
    return info.dc;
  }

  /** One range per ring token, (previous token, token], in token order. */
  ranges(): TokenRange[] {
    const tokens = this.metadata.sortedTokens();
    return tokens.map((end, i) => ({ start: tokens[(i + tokens.length - 1) % tokens.length]!, end }));
  }

  /** Ranges whose primary replica (token owner) is the endpoint. */
  primaryRanges(endpoint: string): TokenRange[] {
    return this.ranges().filter((_, i) => this.metadata.ownerAt(i) === endpoint);
  }

  /** Every range with its replicas under the strategy (nodetool describering). */
  describeRing(replication: ReplicationStrategy): RangeReplicas[] {
    return this.ranges().map((range) => ({ range, endpoints: this.replicasFor(replication, range.end) }));
  }

  /** Ranges the endpoint holds a replica of under the strategy. */
  rangesOwnedBy(endpoint: string, replication: ReplicationStrategy): TokenRange[] {
    return this.describeRing(replication).filter((r) => r.endpoints.includes(endpoint)).map((r) => r.range);
  }

  /**
   * Fraction of the ring (0..1) the endpoint holds: its primary ranges, or with a strategy every
   * range it replicates (nodetool status "Owns (effective)").
   */
  ownership(endpoint: string, replication?: ReplicationStrategy): number {
    const ranges = replication ? this.rangesOwnedBy(endpoint, replication) : this.primaryRanges(endpoint);
    let total = 0n;
    for (const range of ranges) total += rangeWidth(range);
    // Scale to parts per billion in bigint, then to a float.
    return Number((total * 1_000_000_000n) / RING_SIZE) / 1_000_000_000;
  }

  private placementsFor(replication: ReplicationStrategy): (readonly string[] | undefined)[] {
    if (this.cacheVersion !== this.metadata.version) {
      this.cache.clear();
      this.cacheVersion = this.metadata.version;
      this.lastReplication = null;
    } else if (replication === this.lastReplication) {
      return this.lastPlacements;
    }
    const key = strategyKey(replication);
    let perToken = this.cache.get(key);
    if (!perToken) {
      if (this.cache.size >= REPLICA_CACHE_STRATEGIES_MAX) this.cache.clear();
      perToken = new Array(this.metadata.sortedTokens().length);
      this.cache.set(key, perToken);
    }
    this.lastReplication = replication;
    this.lastPlacements = perToken;
    return perToken;
  }
}
