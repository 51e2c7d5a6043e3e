// Schema agreement over gossip: every node gossips its schema version (SCHEMA) and log position
// (SCHEMA_SEQ); a node behind a live peer pulls the missing log entries (SCHEMA_PULL → logSince)
// and applies them in order; a node that commits an entry pushes it to every live peer at once.
//
// Ordering of DDL: the log is one total order only if one node at a time appends to it. Every
// DDL is therefore executed by the *schema leader*: the live NORMAL node with the lowest host id
// (this node included). Other nodes forward the statement (SCHEMA_FORWARD) and apply the
// entries the leader returns before answering their client. Two concurrent DDLs on different
// nodes thus meet at the leader and are serialized there. If nodes disagree on who is live (a
// partition), two leaders can each append the same seq; such a fork is detected (same
// SCHEMA_SEQ, different SCHEMA) and logged, not repaired (see README).

import { assert } from '../../util/assert.js';
import { AlreadyExists, ConfigError, CqlSyntaxError, InvalidRequest, ServerError, Unauthorized } from '../../util/errors.js';
import type { Scheduler, TimerHandle } from '../../env/mod.js';
import { RemoteFailure, type MessagingService } from '../messaging/mod.js';
import type { Gossiper } from './gossiper.js';

/** One schema log entry as far as replication cares: numbered 1, 2, 3, ... */
export interface LogEntry {
  seq: number;
}

/** What schema sync needs from the schema (the SchemaManager has exactly these). */
export interface ReplicatedSchema {
  seq(): number;
  version(): string;
  logSince(seq: number): readonly LogEntry[] | null;
  applyEntry(entry: LogEntry): Promise<void>;
  execute(statement: unknown, clientKeyspace?: string): Promise<DdlOutcome>;
  onChange(listener: (event: { entry: LogEntry }) => void): () => void;
}

export interface DdlOutcome {
  change: unknown;
  warnings: string[];
}

export const SCHEMA_CHECK_INTERVAL_MS = 1000;
export const SCHEMA_PULL_TIMEOUT_MS = 5000;
export const SCHEMA_FORWARD_TIMEOUT_MS = 10_000;

export interface SchemaSyncOptions {
  scheduler: Scheduler;
  gossiper: Gossiper;
  messaging: MessagingService;
  schema: ReplicatedSchema;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export class SchemaSync {
  private pulling = false;
  private timer: TimerHandle | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly forksLogged = new Set<string>();

  constructor(private readonly opts: SchemaSyncOptions) {
    const { messaging, schema } = opts;
    messaging.handle('SCHEMA_PULL', (_from, m) => {
      const entries = schema.logSince(m.sinceSeq);
      if (entries === null) throw new ServerError(`schema log entries after ${m.sinceSeq} are no longer retained here; copy schema.json from an up-to-date node`);
      return { verb: 'SCHEMA_PUSH', entries: [...entries] };
    });
    messaging.handle('SCHEMA_PUSH', (from, m) => { void this.applyPushed(from, m.entries); });
    messaging.handle('SCHEMA_FORWARD', (_from, m) => this.executeForPeer(m.statement, m.keyspace));
  }

  /** Publishes the schema state to gossip, pushes new entries, and starts the catch-up checks. */
  start(): void {
    this.publish();
    this.unsubscribe = this.opts.schema.onChange((event) => {
      this.publish();
      for (const peer of this.opts.gossiper.liveEndpoints()) this.opts.messaging.send(peer, { verb: 'SCHEMA_PUSH', entries: [event.entry] });
    });
    this.opts.gossiper.subscribe({ onChange: () => this.check(), onAlive: () => this.check(), onJoin: () => this.check() });
    this.timer = this.opts.scheduler.every(SCHEMA_CHECK_INTERVAL_MS, () => this.check());
  }

  stop(): void {
    this.timer?.cancel();
    this.unsubscribe?.();
  }

  /** The live NORMAL endpoint with the lowest host id: where DDL executes. */
  leader(): string {
    const g = this.opts.gossiper;
    let best = g.localEndpoint;
    let bestId = g.state(best)?.appStates.get('HOST_ID')?.value ?? '';
    for (const endpoint of g.liveEndpoints()) {
      const s = g.state(endpoint);
      const id = s?.appStates.get('HOST_ID')?.value;
      if (!id || s?.appStates.get('STATUS')?.value !== 'NORMAL') continue;
      if (id < bestId) { best = endpoint; bestId = id; }
    }
    return best;
  }

  /** Executes a DDL statement (a JSON-safe DdlStatement) at the schema leader; returns once applied here. */
  async execute(statement: unknown, clientKeyspace?: string): Promise<DdlOutcome> {
    const leader = this.leader();
    if (leader === this.opts.gossiper.localEndpoint) return this.opts.schema.execute(statement, clientKeyspace);
    const sinceSeq = this.opts.schema.seq();
    let answer;
    try {
      answer = await this.opts.messaging.request(leader, { verb: 'SCHEMA_FORWARD', statement: { ddl: statement, sinceSeq }, keyspace: clientKeyspace ?? null }, SCHEMA_FORWARD_TIMEOUT_MS);
    } catch (err) {
      throw typedError(err, leader);
    }
    await this.applyEntries(answer.entries);
    return answer.result as DdlOutcome;
  }

  private async executeForPeer(statement: unknown, keyspace: string | null) {
    const { ddl, sinceSeq } = statement as { ddl: unknown; sinceSeq: number };
    assert(typeof sinceSeq === 'number', 'SCHEMA_FORWARD carries the sender\'s seq');
    const result = await this.opts.schema.execute(ddl, keyspace ?? undefined);
    return { verb: 'SCHEMA_FORWARD_RSP' as const, result, entries: [...(this.opts.schema.logSince(sinceSeq) ?? [])] };
  }

  private publish(): void {
    this.opts.gossiper.setLocal('SCHEMA', this.opts.schema.version());
    this.opts.gossiper.setLocal('SCHEMA_SEQ', String(this.opts.schema.seq()));
  }

  /** Pulls from a live peer ahead of us (one pull at a time); logs forks. */
  private check(): void {
    if (this.pulling) return;
    const mine = this.opts.schema.seq();
    let ahead: string | null = null;
    for (const endpoint of this.opts.gossiper.liveEndpoints()) {
      const s = this.opts.gossiper.state(endpoint);
      const seq = Number(s?.appStates.get('SCHEMA_SEQ')?.value ?? 'NaN');
      if (seq > mine) { ahead = endpoint; break; }
      const version = s?.appStates.get('SCHEMA')?.value;
      if (seq === mine && version && version !== this.opts.schema.version()) this.logFork(endpoint, mine, version);
    }
    if (ahead) void this.pull(ahead);
  }

  private async pull(peer: string): Promise<void> {
    this.pulling = true;
    try {
      const answer = await this.opts.messaging.request(peer, { verb: 'SCHEMA_PULL', sinceSeq: this.opts.schema.seq() }, SCHEMA_PULL_TIMEOUT_MS);
      await this.applyEntries(answer.entries);
    } catch (err) {
      this.opts.log?.('warn', `schema pull from ${peer} failed: ${(err as Error).message}`);
    } finally {
      this.pulling = false;
    }
  }

  private async applyPushed(from: string, entries: unknown[]): Promise<void> {
    try {
      const sorted = validEntries(entries);
      if (sorted.length > 0 && sorted[0]!.seq > this.opts.schema.seq() + 1) { void this.pullIfIdle(from); return; }
      await this.applyEntries(sorted);
    } catch (err) {
      this.opts.log?.('warn', `schema push from ${from} not applied: ${(err as Error).message}`);
    }
  }

  private async pullIfIdle(peer: string): Promise<void> {
    if (!this.pulling) await this.pull(peer);
  }

  private async applyEntries(entries: unknown[]): Promise<void> {
    for (const entry of validEntries(entries)) {
      if (entry.seq <= this.opts.schema.seq()) continue;
      await this.opts.schema.applyEntry(entry);
    }
  }

  private logFork(endpoint: string, seq: number, version: string): void {
    const key = `${endpoint}/${version}`;
    if (this.forksLogged.has(key)) return;
    this.forksLogged.add(key);
    this.opts.log?.('error', `schema disagreement: ${endpoint} has schema ${version} at log entry ${seq}, this node has ${this.opts.schema.version()}; two nodes executed DDL as leader at once (partition?). Recreate the diverging objects or copy schema.json from one node.`);
  }
}

function validEntries(entries: unknown[]): LogEntry[] {
  const out = entries.map((e) => {
    if (typeof e !== 'object' || e === null || typeof (e as LogEntry).seq !== 'number') throw new Error('schema log entry without seq');
    return e as LogEntry;
  });
  return out.sort((a, b) => a.seq - b.seq);
}

/** The leader's error as the client-facing error it was there. */
function typedError(err: unknown, leader: string): Error {
  if (!(err instanceof RemoteFailure)) {
    return new ServerError(`schema change could not reach the schema leader ${leader}: ${(err as Error).message}; retry`);
  }
  const d = err.details;
  switch (err.errorName) {
    case 'InvalidRequest': return new InvalidRequest(err.message);
    case 'AlreadyExists': return new AlreadyExists(err.message, d['keyspace'] ?? '', d['table'] ?? '');
    case 'ConfigError': return new ConfigError(err.message);
    case 'SyntaxError': return new CqlSyntaxError(err.message);
    case 'Unauthorized': return new Unauthorized(err.message);
    default: return new ServerError(`schema leader ${leader} failed: ${err.message}`);
  }
}
