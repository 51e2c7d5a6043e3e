// Request tracing: what system_traces.sessions and system_traces.events show. A traced request
// gets a session (timeuuid id); each step adds an event with its activity, the node it ran on,
// microseconds since the session began on that node, and the stage ("thread") that ran it.
// Sessions live in memory, bounded in number, events per session and age (Cassandra keeps them
// in a replicated table with a 24 h TTL; a bounded in-memory store serves the same reads here).

import type { Clock, Random } from '../env/mod.js';
import { assert } from '../util/assert.js';

export const TRACE_SESSIONS_MAX = 10_000;
export const TRACE_EVENTS_PER_SESSION_MAX = 1_000;
/** Cassandra's default TTL for system_traces rows. */
export const TRACE_SESSION_TTL_MS = 24 * 3600 * 1000;

export interface TracingLimits {
  sessionsMax: number;
  eventsPerSessionMax: number;
  sessionTtlMs: number;
}

export interface TraceSessionInfo {
  /** Client address (inet text). */
  client: string;
  /** QUERY, EXECUTE, BATCH, PREPARE ... (the protocol request kind). */
  command: string;
  /** This node's address (inet text) and native port. */
  coordinator: string;
  coordinatorPort?: number;
  /** e.g. "Execute CQL3 query" as Cassandra writes it. */
  request: string;
  /** query, consistency_level, page_size, serial_consistency_level, ... */
  parameters?: Record<string, string>;
}

export interface TraceEvent {
  eventId: string;
  activity: string;
  source: string;
  sourcePort: number | null;
  sourceElapsedMicros: number;
  thread: string;
}

export interface TraceEventOptions {
  /** Node the step ran on; default the coordinator. */
  source?: string;
  sourcePort?: number;
  /** Stage name, e.g. Native-Transport-Requests-1, ReadStage-2. */
  thread?: string;
}

export type TraceRow = Record<string, string | number | null | Map<string, string>>;

export class TraceSession {
  readonly events: TraceEvent[] = [];
  /** Events refused once the session held eventsPerSessionMax. */
  droppedEvents = 0;
  /** µs from begin to finish; null while running (drivers poll until it is set). */
  durationMicros: number | null = null;
  private readonly startMonotonicMs: number;

  constructor(
    private readonly tracing: Tracing,
    readonly id: string,
    readonly info: TraceSessionInfo,
    readonly startedAtMs: number,
  ) {
    this.startMonotonicMs = tracing.clock.monotonicMs();
  }

  /** Microseconds since the session began on this node. */
  elapsedMicros(): number {
    return Math.round((this.tracing.clock.monotonicMs() - this.startMonotonicMs) * 1000);
  }

  /** Records a step on this node. */
  event(activity: string, options: TraceEventOptions = {}): void {
    this.add({
      activity,
      source: options.source ?? this.info.coordinator,
      sourcePort: options.sourcePort ?? this.info.coordinatorPort ?? null,
      sourceElapsedMicros: this.elapsedMicros(),
      thread: options.thread ?? 'Native-Transport-Requests-1',
    });
  }

  /** Records a step another node reported (its own elapsed time and thread). */
  remoteEvent(event: Omit<TraceEvent, 'eventId'>): void {
    this.add(event);
  }

  /** Ends the session; later calls are ignored. */
  finish(): void {
    if (this.durationMicros !== null) return;
    if (this.droppedEvents > 0) {
      this.events.push({ eventId: this.tracing.timeuuid(), activity: `${this.droppedEvents} trace events dropped (limit ${this.tracing.limits.eventsPerSessionMax} per session)`,
        source: this.info.coordinator, sourcePort: this.info.coordinatorPort ?? null, sourceElapsedMicros: this.elapsedMicros(), thread: 'Tracing' });
    }
    this.durationMicros = this.elapsedMicros();
  }

  private add(e: Omit<TraceEvent, 'eventId'>): void {
    if (this.events.length >= this.tracing.limits.eventsPerSessionMax) {
      this.droppedEvents++;
      return;
    }
    this.events.push({ eventId: this.tracing.timeuuid(), ...e });
  }
}

export interface TracingOptions {
  clock: Clock;
  random: Random;
  limits?: Partial<TracingLimits>;
  /** Initial probability of tracing an untraced request (nodetool settraceprobability). */
  probability?: number;
}

export class Tracing {
  readonly clock: Clock;
  readonly limits: TracingLimits;
  private readonly random: Random;
  private probability: number;
  /** Insertion order = start order, so the oldest session is first. */
  private readonly sessions = new Map<string, TraceSession>();
  private readonly clockSeqAndNode: bigint;

  constructor(options: TracingOptions) {
    this.clock = options.clock;
    this.random = options.random;
    this.limits = {
      sessionsMax: options.limits?.sessionsMax ?? TRACE_SESSIONS_MAX,
      eventsPerSessionMax: options.limits?.eventsPerSessionMax ?? TRACE_EVENTS_PER_SESSION_MAX,
      sessionTtlMs: options.limits?.sessionTtlMs ?? TRACE_SESSION_TTL_MS,
    };
    assert(this.limits.sessionsMax > 0 && this.limits.eventsPerSessionMax > 0 && this.limits.sessionTtlMs > 0, 'tracing limits must be positive');
    this.probability = 0;
    this.setProbability(options.probability ?? 0);
    // Variant bits 10, 14-bit clock sequence, 48-bit node with the multicast bit set (random node).
    const b = this.random.bytes(8);
    b[0] = (b[0]! & 0x3f) | 0x80;
    b[2] = b[2]! | 0x01;
    this.clockSeqAndNode = b.readBigUInt64BE(0);
  }

  /** nodetool settraceprobability: 0 disables sampling, 1 traces every request. */
  setProbability(p: number): void {
    assert(Number.isFinite(p), 'trace probability must be a number');
    if (p < 0 || p > 1) throw new RangeError(`trace probability must be between 0 and 1, got ${p}`);
    this.probability = p;
  }

  getProbability(): number {
    return this.probability;
  }

  /** Whether to trace a request that did not set the tracing flag. Draws no randomness at 0 or 1. */
  shouldSample(): boolean {
    if (this.probability <= 0) return false;
    if (this.probability >= 1) return true;
    return this.random.next() < this.probability;
  }

  /** A fresh session id (a timeuuid, as Cassandra uses). */
  newSessionId(): string {
    return this.timeuuid();
  }

  /** Starts a session; evicts expired sessions and, past sessionsMax, the oldest. */
  begin(sessionId: string, info: TraceSessionInfo): TraceSession {
    this.expire();
    const existing = this.sessions.get(sessionId);
    if (existing !== undefined) return existing;
    while (this.sessions.size >= this.limits.sessionsMax) this.sessions.delete(this.sessions.keys().next().value!);
    const s = new TraceSession(this, sessionId, info, this.clock.nowMs());
    this.sessions.set(sessionId, s);
    return s;
  }

  get(sessionId: string): TraceSession | undefined {
    return this.sessions.get(sessionId);
  }

  sessionCount(): number {
    this.expire();
    return this.sessions.size;
  }

  /** system_traces.sessions rows (columns in README.md), oldest first. */
  sessionsRows(sessionId?: string): TraceRow[] {
    this.expire();
    return this.selected(sessionId).map((s) => ({
      session_id: s.id,
      client: s.info.client,
      command: s.info.command,
      coordinator: s.info.coordinator,
      coordinator_port: s.info.coordinatorPort ?? null,
      duration: s.durationMicros,
      parameters: new Map(Object.entries(s.info.parameters ?? {})),
      request: s.info.request,
      started_at: s.startedAtMs,
    }));
  }

  /** system_traces.events rows, by session then event order. */
  eventsRows(sessionId?: string): TraceRow[] {
    this.expire();
    return this.selected(sessionId).flatMap((s) => s.events.map((e) => ({
      session_id: s.id,
      event_id: e.eventId,
      activity: e.activity,
      source: e.source,
      source_port: e.sourcePort,
      source_elapsed: e.sourceElapsedMicros,
      thread: e.thread,
    })));
  }

  /** A version-1 UUID from the clock's strictly increasing microseconds. */
  timeuuid(): string {
    const UUID_EPOCH_OFFSET_100NS = 0x01b21dd213814000n; // 1582-10-15 to 1970-01-01 in 100 ns units
    const t = BigInt(this.clock.nowMicros()) * 10n + UUID_EPOCH_OFFSET_100NS;
    const timeLow = t & 0xffffffffn;
    const timeMid = (t >> 32n) & 0xffffn;
    const timeHiAndVersion = ((t >> 48n) & 0x0fffn) | 0x1000n;
    const msb = (timeLow << 32n) | (timeMid << 16n) | timeHiAndVersion;
    const hex = msb.toString(16).padStart(16, '0') + this.clockSeqAndNode.toString(16).padStart(16, '0');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  private selected(sessionId?: string): TraceSession[] {
    if (sessionId === undefined) return [...this.sessions.values()];
    const s = this.sessions.get(sessionId);
    return s === undefined ? [] : [s];
  }

  private expire(): void {
    const cutoffMs = this.clock.nowMs() - this.limits.sessionTtlMs;
    for (const [id, s] of this.sessions) {
      if (s.startedAtMs > cutoffMs) break;
      this.sessions.delete(id);
    }
  }
}
