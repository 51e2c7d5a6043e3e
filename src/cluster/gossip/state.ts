// Endpoint states and the digest arithmetic of one gossip exchange, as pure functions.
//
// An endpoint's state is owned by that endpoint: it alone bumps its heartbeat and changes its
// application states, each change taking the next number from its one version counter. A state
// with a higher generation (the endpoint restarted) replaces the old one whole; within one
// generation, higher versions win field by field. So merging is commutative and idempotent,
// and every node converges to the owner's latest state.

import type { AppStateWire, EndpointStateWire, GossipDigest } from '../messaging/mod.js';

/** Application state names (Cassandra's ApplicationState where the concept is the same). */
export const APP_STATES = [
  'STATUS', 'TOKENS', 'HOST_ID', 'DC', 'RACK', 'SCHEMA', 'SCHEMA_SEQ', 'RPC_ADDRESS', 'NATIVE_PORT', 'STORAGE_PORT', 'RELEASE_VERSION',
] as const;
export type AppStateName = (typeof APP_STATES)[number];

/** STATUS values. A node is in the ring from NORMAL; SHUTDOWN is a graceful stop (marked down at once). */
export type NodeStatus = 'BOOTSTRAPPING' | 'NORMAL' | 'LEAVING' | 'LEFT' | 'SHUTDOWN';
export const NODE_STATUSES: readonly NodeStatus[] = ['BOOTSTRAPPING', 'NORMAL', 'LEAVING', 'LEFT', 'SHUTDOWN'];

export interface VersionedValue {
  value: string;
  version: number;
}

export interface EndpointState {
  generation: number;
  heartbeatVersion: number;
  appStates: Map<string, VersionedValue>;
}

export function maxVersion(s: EndpointState): number {
  let v = s.heartbeatVersion;
  for (const a of s.appStates.values()) if (a.version > v) v = a.version;
  return v;
}

export function digestOf(endpoint: string, s: EndpointState): GossipDigest {
  return { endpoint, generation: s.generation, maxVersion: maxVersion(s) };
}

/** The parts of a state newer than `afterVersion` (0: everything), on the wire. */
export function wireStateOf(endpoint: string, s: EndpointState, afterVersion: number): EndpointStateWire {
  const appStates: AppStateWire[] = [];
  for (const [name, v] of s.appStates) if (v.version > afterVersion) appStates.push({ name, value: v.value, version: v.version });
  return { endpoint, generation: s.generation, heartbeatVersion: s.heartbeatVersion, appStates };
}

/** What applying a remote state did. */
export type MergeOutcome =
  | { kind: 'ignored' }
  | { kind: 'new' }
  | { kind: 'restarted' }
  | { kind: 'updated'; heartbeat: boolean; changed: string[] };

/** Merges `remote` into `local` (mutating it); `local` undefined means a new endpoint. */
export function mergeState(local: EndpointState | undefined, remote: EndpointStateWire): { state: EndpointState; outcome: MergeOutcome } {
  if (!local) return { state: fromWire(remote), outcome: { kind: 'new' } };
  if (remote.generation > local.generation) return { state: fromWire(remote), outcome: { kind: 'restarted' } };
  if (remote.generation < local.generation) return { state: local, outcome: { kind: 'ignored' } };
  const heartbeat = remote.heartbeatVersion > local.heartbeatVersion;
  if (heartbeat) local.heartbeatVersion = remote.heartbeatVersion;
  const changed: string[] = [];
  for (const a of remote.appStates) {
    const mine = local.appStates.get(a.name);
    if (mine && mine.version >= a.version) continue;
    local.appStates.set(a.name, { value: a.value, version: a.version });
    changed.push(a.name);
  }
  return { state: local, outcome: heartbeat || changed.length > 0 ? { kind: 'updated', heartbeat, changed } : { kind: 'ignored' } };
}

function fromWire(w: EndpointStateWire): EndpointState {
  return {
    generation: w.generation,
    heartbeatVersion: w.heartbeatVersion,
    appStates: new Map(w.appStates.map((a) => [a.name, { value: a.value, version: a.version }])),
  };
}

/**
 * The receiver's half of a SYN: which states to ask the sender for (digests with the version we
 * have, 0 for everything) and which of ours to send (those the sender lacks or has older).
 */
export function answerSyn(states: ReadonlyMap<string, EndpointState>, digests: readonly GossipDigest[]): { requests: GossipDigest[]; send: EndpointStateWire[] } {
  const requests: GossipDigest[] = [];
  const send: EndpointStateWire[] = [];
  const mentioned = new Set<string>();
  for (const d of digests) {
    mentioned.add(d.endpoint);
    const local = states.get(d.endpoint);
    if (!local || d.generation > local.generation) { requests.push({ endpoint: d.endpoint, generation: d.generation, maxVersion: 0 }); continue; }
    if (d.generation < local.generation) { send.push(wireStateOf(d.endpoint, local, 0)); continue; }
    const mine = maxVersion(local);
    if (d.maxVersion > mine) requests.push({ endpoint: d.endpoint, generation: d.generation, maxVersion: mine });
    else if (d.maxVersion < mine) send.push(wireStateOf(d.endpoint, local, d.maxVersion));
  }
  for (const [endpoint, s] of states) if (!mentioned.has(endpoint)) send.push(wireStateOf(endpoint, s, 0));
  return { requests, send };
}

/** The SYN sender's answer to the ACK's requests (ACK2). */
export function answerRequests(states: ReadonlyMap<string, EndpointState>, requests: readonly GossipDigest[]): EndpointStateWire[] {
  const out: EndpointStateWire[] = [];
  for (const r of requests) {
    const local = states.get(r.endpoint);
    if (!local) continue;
    out.push(wireStateOf(r.endpoint, local, local.generation === r.generation ? r.maxVersion : 0));
  }
  return out;
}
