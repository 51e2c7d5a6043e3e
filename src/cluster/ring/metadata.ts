// Token metadata: which endpoint owns which tokens, and where each endpoint lives (DC, rack).
//
// Invariants: every token belongs to exactly one endpoint; sortedTokens() is strictly
// increasing; `version` grows by one on every change, so caches keyed by it stay correct.

import { assert } from '../../util/assert.js';
import { compareTokens, type Token } from './token.js';

/** Upper bound on tokens in one ring (e.g. 1000 nodes x 256 vnodes with room to spare). */
export const RING_TOKENS_MAX = 1 << 20;
/** Upper bound on tokens of one endpoint (Cassandra's num_tokens limit is 1536). */
export const ENDPOINT_TOKENS_MAX = 1536;

export interface EndpointInfo {
  /** The endpoint's address as peers see it (listen_address), e.g. "127.0.0.2". */
  endpoint: string;
  /** Host id (UUID string), stable across address changes. */
  hostId: string;
  dc: string;
  rack: string;
  tokens: readonly Token[];
}

export class TokenMetadata {
  private readonly byEndpoint = new Map<string, EndpointInfo>();
  private readonly ownerByToken = new Map<Token, string>();
  private sorted: Token[] = [];
  private sortedOwners: string[] = [];
  private versionCount = 0;

  /** Grows by one on every change to tokens or topology. */
  get version(): number { return this.versionCount; }

  /** Adds an endpoint, or replaces its tokens and location. Throws if a token is taken by another endpoint. */
  setEndpoint(info: EndpointInfo): void {
    assert(info.tokens.length > 0, `endpoint ${info.endpoint} has no tokens`);
    assert(info.tokens.length <= ENDPOINT_TOKENS_MAX, `endpoint ${info.endpoint} has ${info.tokens.length} tokens, limit ${ENDPOINT_TOKENS_MAX}`);
    for (const token of info.tokens) {
      const owner = this.ownerByToken.get(token);
      if (owner !== undefined && owner !== info.endpoint) {
        throw new Error(`token ${token} of ${info.endpoint} is already owned by ${owner}`);
      }
    }
    this.dropTokensOf(info.endpoint);
    const copy: EndpointInfo = { ...info, tokens: [...info.tokens].sort(compareTokens) };
    for (const token of copy.tokens) this.ownerByToken.set(token, info.endpoint);
    assert(this.ownerByToken.size <= RING_TOKENS_MAX, `ring over ${RING_TOKENS_MAX} tokens`);
    this.byEndpoint.set(info.endpoint, copy);
    this.rebuild();
  }

  /** Removes an endpoint and its tokens; no-op when unknown. */
  removeEndpoint(endpoint: string): void {
    if (!this.byEndpoint.has(endpoint)) return;
    this.dropTokensOf(endpoint);
    this.byEndpoint.delete(endpoint);
    this.rebuild();
  }

  endpoint(endpoint: string): EndpointInfo | undefined {
    return this.byEndpoint.get(endpoint);
  }

  /** Every endpoint, sorted by address for stable output. */
  endpoints(): EndpointInfo[] {
    return [...this.byEndpoint.values()].sort((a, b) => compareAddresses(a.endpoint, b.endpoint));
  }

  get endpointCount(): number { return this.byEndpoint.size; }

  /** All tokens, ascending. */
  sortedTokens(): readonly Token[] { return this.sorted; }

  /** Owner of sortedTokens()[index]. */
  ownerAt(index: number): string {
    const owner = this.sortedOwners[index];
    assert(owner !== undefined, `no token at index ${index}`);
    return owner;
  }

  ownerOf(token: Token): string | undefined { return this.ownerByToken.get(token); }

  /** Index of the first ring token >= token, wrapping to 0: the end of the range holding token. */
  firstTokenIndex(token: Token): number {
    assert(this.sorted.length > 0, 'empty ring');
    let lo = 0, hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid]! < token) lo = mid + 1; else hi = mid;
    }
    return lo === this.sorted.length ? 0 : lo;
  }

  /** DC name → rack name → endpoints, for topology-aware placement. */
  topology(): Map<string, Map<string, string[]>> {
    const dcs = new Map<string, Map<string, string[]>>();
    for (const info of this.endpoints()) {
      let racks = dcs.get(info.dc);
      if (!racks) dcs.set(info.dc, racks = new Map());
      let members = racks.get(info.rack);
      if (!members) racks.set(info.rack, members = []);
      members.push(info.endpoint);
    }
    return dcs;
  }

  private dropTokensOf(endpoint: string): void {
    const old = this.byEndpoint.get(endpoint);
    if (!old) return;
    for (const token of old.tokens) this.ownerByToken.delete(token);
  }

  private rebuild(): void {
    this.sorted = [...this.ownerByToken.keys()].sort(compareTokens);
    this.sortedOwners = this.sorted.map((t) => this.ownerByToken.get(t)!);
    this.versionCount++;
  }
}

/** Orders dotted IPv4 addresses numerically ("127.0.0.10" after "127.0.0.9"), others as text. */
export function compareAddresses(a: string, b: string): number {
  const pa = a.split('.'), pb = b.split('.');
  if (pa.length === 4 && pb.length === 4) {
    for (let i = 0; i < 4; i++) {
      const d = Number(pa[i]) - Number(pb[i]);
      if (d !== 0 && !Number.isNaN(d)) return d;
    }
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
