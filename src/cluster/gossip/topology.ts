// Keeps the token ring in step with gossip: an endpoint enters TokenMetadata when its STATUS is
// NORMAL (or LEAVING) and its TOKENS, HOST_ID, DC and RACK are known; LEFT removes it. Liveness
// does not change the ring (a DOWN replica is still a replica; the coordinator asks the
// failure detector).

import { parseToken, type TokenMetadata } from '../ring/mod.js';
import type { GossipListener, Gossiper } from './gossiper.js';
import type { EndpointState } from './state.js';

/** What the ring learned from one state change. */
export type RingChange = 'joined' | 'moved' | 'left' | 'none';

export interface RingSyncOptions {
  gossiper: Gossiper;
  metadata: TokenMetadata;
  /** Called after the ring changed because of `endpoint`. */
  onRingChange?: (endpoint: string, change: RingChange) => void;
  log?: (level: 'info' | 'warn', message: string) => void;
}

/** Subscribes to the gossiper and applies every endpoint's ring facts as they arrive. */
export function syncRingFromGossip(opts: RingSyncOptions): void {
  const apply = (endpoint: string, state: EndpointState) => {
    const change = applyEndpoint(opts, endpoint, state);
    if (change !== 'none') opts.onRingChange?.(endpoint, change);
  };
  const listener: GossipListener = {
    onJoin: apply,
    onChange: (endpoint, state, changed) => {
      if (changed.some((n) => n === 'STATUS' || n === 'TOKENS' || n === 'DC' || n === 'RACK' || n === 'HOST_ID')) apply(endpoint, state);
    },
  };
  opts.gossiper.subscribe(listener);
  for (const [endpoint, state] of opts.gossiper.peers()) apply(endpoint, state);
}

function applyEndpoint(opts: RingSyncOptions, endpoint: string, state: EndpointState): RingChange {
  const get = (name: string) => state.appStates.get(name)?.value;
  const status = get('STATUS');
  const known = opts.metadata.endpoint(endpoint);
  if (status === 'LEFT') {
    if (!known) return 'none';
    opts.metadata.removeEndpoint(endpoint);
    return 'left';
  }
  const inRing = status === 'NORMAL' || status === 'LEAVING' || (status === 'SHUTDOWN' && known !== undefined);
  const tokensText = get('TOKENS'), hostId = get('HOST_ID'), dc = get('DC'), rack = get('RACK');
  if (!inRing || !tokensText || !hostId || !dc || !rack) return 'none';
  let tokens: bigint[];
  try {
    tokens = tokensText.split(',').map(parseToken);
  } catch (err) {
    opts.log?.('warn', `${endpoint} gossips bad TOKENS: ${(err as Error).message}`);
    return 'none';
  }
  if (known && known.hostId === hostId && known.dc === dc && known.rack === rack && sameTokens(known.tokens, tokens)) return 'none';
  // A host id seen at another address is the same node moved: drop the old address first.
  for (const other of opts.metadata.endpoints()) {
    if (other.endpoint !== endpoint && other.hostId === hostId) opts.metadata.removeEndpoint(other.endpoint);
  }
  try {
    opts.metadata.setEndpoint({ endpoint, hostId, dc, rack, tokens });
  } catch (err) {
    opts.log?.('warn', `cannot place ${endpoint} in the ring: ${(err as Error).message}`);
    return 'none';
  }
  return known ? 'moved' : 'joined';
}

function sameTokens(a: readonly bigint[], b: readonly bigint[]): boolean {
  if (a.length !== b.length) return false;
  const sorted = [...b].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return a.every((t, i) => t === sorted[i]);
}
