// The Gossiper: this node's view of every endpoint's state, spread by a SYN/ACK/ACK2 exchange
// with a random live peer every round (and sometimes a seed or an unreachable peer), with the
// failure detector deciding who is up.
//
//   A ── GOSSIP_SYN (digests of all A knows) ─────────────▶ B
//   A ◀── GOSSIP_ACK (digests B wants, states A lacks) ──── B
//   A ── GOSSIP_ACK2 (the states B asked for) ────────────▶ B
//
// Liveness: a new or restarted endpoint starts DOWN; when a newer heartbeat of a DOWN endpoint
// arrives we send it ECHO and mark it UP on the answer. An UP endpoint whose phi passes the
// threshold, or that announces STATUS SHUTDOWN, is marked DOWN.

import type { Clock, Random, Scheduler, TimerHandle } from '../../env/mod.js';
import { assert } from '../../util/assert.js';
import type { EndpointStateWire, MessagingService } from '../messaging/mod.js';
import { FailureDetector } from './failure_detector.js';
import { answerRequests, answerSyn, digestOf, mergeState, type AppStateName, type EndpointState, type MergeOutcome } from './state.js';

export const GOSSIP_INTERVAL_MS = 1000;
/** How long a SYN or ECHO waits for its answer. */
export const GOSSIP_REQUEST_TIMEOUT_MS = 1000;
/** Endpoints one node tracks (bounds the state map and every SYN). */
export const GOSSIP_ENDPOINTS_MAX = 4096;

/** Membership events, called after the state map is updated. */
export interface GossipListener {
  /** First state of an endpoint, or a new generation (restart). */
  onJoin?(endpoint: string, state: EndpointState): void;
  /** Application states that changed within a generation. */
  onChange?(endpoint: string, state: EndpointState, changed: readonly string[]): void;
  onAlive?(endpoint: string, state: EndpointState): void;
  onDead?(endpoint: string, state: EndpointState): void;
}

export interface GossiperOptions {
  clock: Clock;
  scheduler: Scheduler;
  random: Random;
  messaging: MessagingService;
  localEndpoint: string;
  clusterName: string;
  /** Seed addresses (may include this node's own). */
  seeds: readonly string[];
  generation: number;
  phiConvictThreshold?: number;
  log?: (level: 'info' | 'warn', message: string) => void;
}

export class Gossiper {
  private readonly states = new Map<string, EndpointState>();
  private readonly live = new Set<string>();
  private readonly echoing = new Set<string>();
  private readonly listeners: GossipListener[] = [];
  private readonly fd: FailureDetector;
  private version = 0;
  private timer: TimerHandle | null = null;
  private seedContacted = false;

  constructor(private readonly opts: GossiperOptions) {
    this.fd = new FailureDetector(opts.phiConvictThreshold);
    this.states.set(opts.localEndpoint, { generation: opts.generation, heartbeatVersion: 0, appStates: new Map() });
    opts.messaging.handle('GOSSIP_SYN', (from, m) => this.onSyn(from, m.clusterName, m.digests));
    opts.messaging.handle('GOSSIP_ACK2', (_from, m) => { this.applyStates(m.states); });
    opts.messaging.handle('ECHO', () => ({ verb: 'ECHO_RSP' }));
  }

  get localEndpoint(): string { return this.opts.localEndpoint; }

  subscribe(listener: GossipListener): void {
    this.listeners.push(listener);
  }

  /** Sets one of this node's application states (a new version; spread by the next rounds). */
  setLocal(name: AppStateName, value: string): void {
    const self = this.states.get(this.opts.localEndpoint)!;
    if (self.appStates.get(name)?.value === value) return;
    self.appStates.set(name, { value, version: ++this.version });
  }

  /** Starts the rounds (the first one at once). */
  start(): void {
    assert(this.timer === null, 'gossiper started twice');
    this.timer = this.opts.scheduler.every(GOSSIP_INTERVAL_MS, () => this.round());
    this.round();
  }

  /** Announces SHUTDOWN to live peers and stops the rounds. */
  stop(): void {
    this.timer?.cancel();
    this.timer = null;
    this.setLocal('STATUS', 'SHUTDOWN');
    const self = this.states.get(this.opts.localEndpoint)!;
    const state = { endpoint: this.opts.localEndpoint, generation: self.generation, heartbeatVersion: self.heartbeatVersion, appStates: [...self.appStates].map(([name, v]) => ({ name, ...v })) };
    for (const peer of this.live) this.opts.messaging.send(peer, { verb: 'GOSSIP_ACK2', states: [state] });
  }

  /** Whether an endpoint is believed up; the local endpoint always is. */
  isAlive(endpoint: string): boolean {
    return endpoint === this.opts.localEndpoint || this.live.has(endpoint);
  }

  /** Whether a seed (other than this node) has answered a SYN at least once. */
  get contactedSeed(): boolean { return this.seedContacted; }

  state(endpoint: string): EndpointState | undefined {
    return this.states.get(endpoint);
  }

  /** Every endpoint but this one, with its state. */
  peers(): [string, EndpointState][] {
    return [...this.states].filter(([e]) => e !== this.opts.localEndpoint);
  }

  liveEndpoints(): string[] {
    return [...this.live];
  }

  phi(endpoint: string): number {
    return this.fd.phi(endpoint, this.opts.clock.monotonicMs());
  }

  // ---- rounds ---------------------------------------------------------------------------------

  private round(): void {
    const self = this.states.get(this.opts.localEndpoint)!;
    self.heartbeatVersion = ++this.version;
    const live = [...this.live];
    const unreachable = this.peers().map(([e]) => e).filter((e) => !this.live.has(e));
    const seeds = this.opts.seeds.filter((s) => s !== this.opts.localEndpoint);
    const target = this.pick(live);
    if (target) this.syn(target);
    if (unreachable.length > 0 && this.opts.random.next() < unreachable.length / (live.length + 1)) this.syn(this.pick(unreachable)!);
    const seedChance = live.length === 0 ? 1 : seeds.length / (live.length + unreachable.length);
    if (seeds.length > 0 && (target === undefined || !seeds.includes(target)) && this.opts.random.next() < seedChance) this.syn(this.pick(seeds)!);
    this.checkLiveness();
  }

  private pick(list: readonly string[]): string | undefined {
    return list.length === 0 ? undefined : list[this.opts.random.int(list.length)];
  }

  private syn(peer: string): void {
    const digests = [...this.states].map(([e, s]) => digestOf(e, s));
    this.opts.messaging.request(peer, { verb: 'GOSSIP_SYN', clusterName: this.opts.clusterName, digests }, GOSSIP_REQUEST_TIMEOUT_MS).then((ack) => {
      if (this.opts.seeds.includes(peer)) this.seedContacted = true;
      this.applyStates(ack.states);
      const states = answerRequests(this.states, ack.digests);
      if (states.length > 0) this.opts.messaging.send(peer, { verb: 'GOSSIP_ACK2', states });
    }, () => { /* the failure detector notices silence; nothing to do per message */ });
  }

  private onSyn(from: string, clusterName: string, digests: Parameters<typeof answerSyn>[1]) {
    if (clusterName !== this.opts.clusterName) throw new Error(`gossip from cluster '${clusterName}', this is '${this.opts.clusterName}'`);
    const { requests, send } = answerSyn(this.states, digests);
    void from;
    return { verb: 'GOSSIP_ACK' as const, digests: requests, states: send };
  }

  private checkLiveness(): void {
    const now = this.opts.clock.monotonicMs();
    for (const endpoint of [...this.live]) {
      if (this.fd.convicts(endpoint, now)) {
        this.opts.log?.('info', `${endpoint} is now DOWN (phi ${this.fd.phi(endpoint, now).toFixed(1)} > ${this.fd.phiConvictThreshold})`);
        this.markDead(endpoint);
      }
    }
  }

  // ---- applying states ------------------------------------------------------------------------

  private applyStates(states: readonly EndpointStateWire[]): void {
    for (const remote of states) {
      if (remote.endpoint === this.opts.localEndpoint) continue; // we own our state
      const local = this.states.get(remote.endpoint);
      if (!local && this.states.size >= GOSSIP_ENDPOINTS_MAX) {
        this.opts.log?.('warn', `ignoring ${remote.endpoint}: already tracking ${GOSSIP_ENDPOINTS_MAX} endpoints`);
        continue;
      }
      const { state, outcome } = mergeState(local, remote);
      this.states.set(remote.endpoint, state);
      this.afterMerge(remote.endpoint, state, outcome);
    }
  }

  private afterMerge(endpoint: string, state: EndpointState, outcome: MergeOutcome): void {
    const now = this.opts.clock.monotonicMs();
    switch (outcome.kind) {
      case 'ignored': return;
      case 'new': case 'restarted':
        if (outcome.kind === 'restarted') {
          this.fd.remove(endpoint);
          if (this.live.delete(endpoint)) this.emit((l) => l.onDead?.(endpoint, state));
          this.opts.messaging.resetConnection(endpoint);
        }
        this.emit((l) => l.onJoin?.(endpoint, state));
        this.fd.report(endpoint, now);
        this.heard(endpoint, state, true);
        return;
      case 'updated':
        if (outcome.changed.length > 0) this.emit((l) => l.onChange?.(endpoint, state, outcome.changed));
        if (outcome.heartbeat) this.fd.report(endpoint, now);
        this.heard(endpoint, state, outcome.heartbeat);
        return;
    }
  }

  /** News of an endpoint: SHUTDOWN marks it down; a new heartbeat of a DOWN endpoint is echoed. */
  private heard(endpoint: string, state: EndpointState, newHeartbeat: boolean): void {
    if (state.appStates.get('STATUS')?.value === 'SHUTDOWN') {
      if (this.live.has(endpoint)) this.markDead(endpoint);
      return;
    }
    if (!newHeartbeat || this.live.has(endpoint) || this.echoing.has(endpoint)) return;
    this.echoing.add(endpoint);
    this.opts.messaging.request(endpoint, { verb: 'ECHO' }, GOSSIP_REQUEST_TIMEOUT_MS).then(() => {
      this.echoing.delete(endpoint);
      const current = this.states.get(endpoint);
      if (!current || current.appStates.get('STATUS')?.value === 'SHUTDOWN' || this.live.has(endpoint)) return;
      this.live.add(endpoint);
      this.opts.log?.('info', `${endpoint} is now UP`);
      this.emit((l) => l.onAlive?.(endpoint, current));
    }, () => { this.echoing.delete(endpoint); });
  }

  private markDead(endpoint: string): void {
    if (!this.live.delete(endpoint)) return;
    const state = this.states.get(endpoint)!;
    this.emit((l) => l.onDead?.(endpoint, state));
  }

  private emit(fn: (l: GossipListener) => void): void {
    for (const l of this.listeners) {
      try {
        fn(l);
      } catch (err) {
        this.opts.log?.('warn', `gossip listener failed: ${(err as Error).message}`);
      }
    }
  }
}
