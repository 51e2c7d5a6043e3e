// MessagingService: this node's end of internode messaging. It listens on the storage port,
// accepts peers' connections (HELLO first, then requests answered on the same connection), and
// keeps one OutboundLink per peer for what this node sends. Requests get ids and timeouts from
// env.scheduler; every queue and in-flight table has a named limit.

import type { Connection, Env, Listener } from '../../env/mod.js';
import { assert } from '../../util/assert.js';
import { REQUEST_ID_MAX, encodeFrame, readFrames, type Frame } from './frame.js';
import {
  MESSAGING_VERSION, MESSAGING_VERSION_MIN, RESPONSE_OF, VERB_CODES, decodeBody, encodeBody, isRequestVerb, verbOfCode,
  type Message, type MessageOf, type OneWayMessage, type RequestVerb, type ResponseTo, type Verb,
} from './messages.js';
import { ConnectionLost, MessageDropped, RemoteFailure, RequestTimedOut, type DropReason, type DroppedMessage } from './errors.js';
import { OutboundLink, type OutboundLimits, type OutboundOwner, type QueuedFrame } from './outbound.js';
import type { TableResolver } from './data_codec.js';

export interface MessagingLimits extends OutboundLimits {
  /** Requests this node awaits answers to, over all peers. */
  requestsInFlightMax: number;
  /** Requests from one inbound connection being handled at once; beyond it reading pauses. */
  inboundInFlightMax: number;
  /** Lifetime of one-way messages (gossip, schema push) in a queue before they are dropped. */
  oneWayExpiryMs: number;
}

export const DEFAULT_MESSAGING_LIMITS: MessagingLimits = {
  queueBytesMax: 128 * 1024 * 1024,
  queueMessagesMax: 65536,
  reconnectBackoffMinMs: 50,
  reconnectBackoffMaxMs: 1000,
  connectTimeoutMs: 2000,
  handshakeTimeoutMs: 5000,
  requestsInFlightMax: 131072,
  inboundInFlightMax: 1024,
  oneWayExpiryMs: 2000,
};

/** Handles one verb: request verbs answer with their response verb; one-way verbs return nothing. */
export type Handler<V extends Verb> = (from: string, message: MessageOf<V>) =>
  V extends RequestVerb ? Promise<ResponseTo<V>> | ResponseTo<V> : void;

export interface MessagingStats {
  sent: number;
  received: number;
  requestsInFlight: number;
  /** "VERB/reason" → count. */
  dropped: Record<string, number>;
  peers: { peer: string; connected: boolean; pendingMessages: number; pendingBytes: number; connectAttempts: number; connectSuccesses: number }[];
}

export interface MessagingOptions {
  env: Pick<Env, 'clock' | 'scheduler' | 'net'>;
  /** This node's address: listened on, bound for outbound connections, and its name in HELLO. */
  address: string;
  /** Storage port to listen on (0: ephemeral). */
  port: number;
  clusterName: string;
  /** Storage port of a peer (all nodes share storage_port unless gossip says otherwise). */
  portOf?: (endpoint: string) => number;
  tables: TableResolver;
  limits?: Partial<MessagingLimits>;
  log?: (level: 'info' | 'warn', message: string) => void;
  /** Called for each dropped outbound message (after it is counted). */
  onDropped?: (d: DroppedMessage) => void;
}

interface Pending {
  peer: string;
  verb: RequestVerb;
  epoch: number | null;
  resolve: (m: Message) => void;
  reject: (e: Error) => void;
  timer: { cancel(): void };
}

export class MessagingService implements OutboundOwner {
  readonly env: Pick<Env, 'clock' | 'scheduler' | 'net'>;
  readonly localAddress: string;
  readonly clusterName: string;
  readonly limits: MessagingLimits;
  private listener: Listener | null = null;
  private readonly links = new Map<string, OutboundLink>();
  private readonly inbound = new Set<Connection>();
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<Verb, (from: string, m: Message) => unknown>();
  private readonly droppedCounts = new Map<string, number>();
  private readonly answers = new Map<Connection, Buffer[]>();
  private nextId = 1;
  private sentCount = 0;
  private receivedCount = 0;
  private closed = false;

  constructor(private readonly opts: MessagingOptions) {
    this.env = opts.env;
    this.localAddress = opts.address;
    this.clusterName = opts.clusterName;
    this.limits = { ...DEFAULT_MESSAGING_LIMITS, ...opts.limits };
    assert(this.limits.reconnectBackoffMinMs > 0 && this.limits.reconnectBackoffMinMs <= this.limits.reconnectBackoffMaxMs, 'reconnect backoff bounds');
  }

  /** The port listened on (after listen()). */
  readonly localPort = (): number => this.listener?.port ?? this.opts.port;

  /** Starts accepting peers; resolves with the port. */
  async listen(): Promise<number> {
    assert(this.listener === null, 'listen twice');
    this.listener = await this.env.net.listen(this.localAddress, this.opts.port, (conn) => this.accept(conn));
    return this.listener.port;
  }

  /** Registers the handler for a verb (one per verb). */
  handle<V extends Verb>(verb: V, handler: Handler<V>): void {
    assert(!this.handlers.has(verb), `handler for ${verb} registered twice`);
    this.handlers.set(verb, handler as (from: string, m: Message) => unknown);
  }

  /**
   * Sends a request and resolves with the peer's answer. Rejects with RequestTimedOut,
   * MessageDropped (queue full, expired, too many in flight), ConnectionLost or RemoteFailure.
   */
  request<V extends RequestVerb>(to: string, message: MessageOf<V>, timeoutMs: number): Promise<ResponseTo<V>> {
    const m: Message = message;
    const verb = m.verb as RequestVerb;
    assert(to !== this.localAddress, `request ${verb} to self`);
    assert(timeoutMs > 0, 'requests need a timeout');
    return new Promise<ResponseTo<V>>((resolve, reject) => {
      if (this.closed || this.pending.size >= this.limits.requestsInFlightMax) {
        reject(new MessageDropped(this.countDrop(to, verb, 0, this.closed ? 'closed' : 'too_many_in_flight')));
        return;
      }
      const id = this.allocateId();
      const frame = this.encode(m, id, timeoutMs);
      const timer = this.env.scheduler.after(timeoutMs, () => {
        if (this.pending.delete(id)) reject(new RequestTimedOut(to, verb, timeoutMs));
      });
      const p: Pending = { peer: to, verb, epoch: null, resolve: resolve as (m: Message) => void, reject, timer };
      this.pending.set(id, p);
      const item: QueuedFrame = { verb, requestId: id, frame, expiresAtMs: this.env.clock.monotonicMs() + timeoutMs, onWritten: (epoch) => { p.epoch = epoch; } };
      const refused = this.link(to).enqueue(item);
      if (refused) this.dropped(to, item, refused);
    });
  }

  /** Sends a one-way message; dropped (and counted) when the peer's queue is full or it expires. */
  send(to: string, message: OneWayMessage): void {
    assert(to !== this.localAddress, `send ${message.verb} to self`);
    const frame = this.encode(message, 0, this.limits.oneWayExpiryMs);
    const item: QueuedFrame = { verb: message.verb, requestId: 0, frame, expiresAtMs: this.env.clock.monotonicMs() + this.limits.oneWayExpiryMs };
    const refused = this.closed ? 'closed' : this.link(to).enqueue(item);
    if (refused) this.dropped(to, item, refused);
  }

  /** Drops the connection to a peer (it restarted or was convicted); queued messages wait for a new one. */
  resetConnection(peer: string): void {
    this.links.get(peer)?.reset();
  }

  stats(): MessagingStats {
    return {
      sent: this.sentCount,
      received: this.receivedCount,
      requestsInFlight: this.pending.size,
      dropped: Object.fromEntries(this.droppedCounts),
      peers: [...this.links.values()].map((l) => ({
        peer: l.peer, connected: l.connected, pendingMessages: l.pendingMessages, pendingBytes: l.pendingBytes,
        connectAttempts: l.connectAttempts, connectSuccesses: l.connectSuccesses,
      })),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const link of this.links.values()) link.close();
    for (const conn of this.inbound) conn.destroy();
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.timer.cancel();
      p.reject(new ConnectionLost(p.peer, p.verb));
    }
    await this.listener?.close();
  }

  // ---- OutboundOwner ------------------------------------------------------------------------------

  dropped(peer: string, item: QueuedFrame, reason: DropReason): void {
    const d = this.countDrop(peer, item.verb, item.frame.length, reason);
    const p = item.requestId !== 0 ? this.pending.get(item.requestId) : undefined;
    if (p) {
      this.pending.delete(item.requestId);
      p.timer.cancel();
      p.reject(new MessageDropped(d));
    }
  }

  response(peer: string, frame: Frame): void {
    this.receivedCount++;
    const p = this.pending.get(frame.requestId);
    if (!p || p.peer !== peer) return; // timed out already, or a stray id
    this.pending.delete(frame.requestId);
    p.timer.cancel();
    let m: Message;
    try {
      m = decodeBody(frame.verbCode, frame.body, this.opts.tables);
    } catch (err) {
      p.reject(err as Error);
      return;
    }
    if (m.verb === 'FAILURE_RSP') p.reject(new RemoteFailure(peer, m.errorName, m.message, m.details));
    else if (m.verb !== RESPONSE_OF[p.verb]) p.reject(new Error(`${peer} answered ${p.verb} with ${m.verb}`));
    else p.resolve(m);
  }

  connectionLost(peer: string, epoch: number): void {
    for (const [id, p] of this.pending) {
      if (p.peer !== peer || p.epoch !== epoch) continue;
      this.pending.delete(id);
      p.timer.cancel();
      p.reject(new ConnectionLost(peer, p.verb));
    }
  }

  log(level: 'info' | 'warn', message: string): void {
    this.opts.log?.(level, message);
  }

  // ---- internals ----------------------------------------------------------------------------------

  private link(peer: string): OutboundLink {
    let link = this.links.get(peer);
    if (!link) {
      link = new OutboundLink(this, peer, () => this.opts.portOf?.(peer) ?? this.localPort());
      this.links.set(peer, link);
    }
    return link;
  }

  private encode(message: Message, requestId: number, timeoutMs: number): Buffer {
    this.sentCount++;
    return encodeFrame({ verbCode: VERB_CODES[message.verb], requestId, timeoutMs }, encodeBody(message));
  }

  private allocateId(): number {
    for (;;) {
      const id = this.nextId;
      this.nextId = id >= REQUEST_ID_MAX ? 1 : id + 1;
      if (!this.pending.has(id)) return id;
    }
  }

  private countDrop(peer: string, verb: Verb, sizeBytes: number, reason: DropReason): DroppedMessage {
    const key = `${verb}/${reason}`;
    this.droppedCounts.set(key, (this.droppedCounts.get(key) ?? 0) + 1);
    const d: DroppedMessage = { peer, verb, reason, sizeBytes };
    this.opts.onDropped?.(d);
    return d;
  }

  /** An inbound connection: HELLO first, then requests and one-way messages from that peer. */
  private accept(conn: Connection): void {
    if (this.closed) { conn.destroy(); return; }
    this.inbound.add(conn);
    const state = { peer: null as string | null, inFlight: 0, paused: false };
    readFrames(conn, (frame) => {
      if (state.peer === null) state.peer = this.greet(conn, frame);
      else this.dispatch(conn, state as { peer: string; inFlight: number; paused: boolean }, frame);
    }, (err) => this.log('warn', `corrupt frame from ${conn.remoteAddress}: ${err.message}; closing`));
    conn.onError(() => { /* onClose follows */ });
    conn.onClose(() => { this.inbound.delete(conn); });
  }

  /** Answers HELLO; returns the peer's address, or null (and closes) when refused. */
  private greet(conn: Connection, frame: Frame): string | null {
    let hello: Message;
    try {
      hello = decodeBody(frame.verbCode, frame.body, this.opts.tables);
    } catch (err) {
      this.log('warn', `bad first frame from ${conn.remoteAddress}: ${(err as Error).message}`);
      conn.destroy();
      return null;
    }
    const refuse = (reason: string): null => {
      this.log('warn', `refusing connection from ${conn.remoteAddress}: ${reason}`);
      const ack = encodeBody({ verb: 'HELLO_ACK', version: MESSAGING_VERSION, accepted: false, reason });
      conn.write(encodeFrame({ verbCode: VERB_CODES.HELLO_ACK, requestId: 0, timeoutMs: 0 }, ack));
      conn.end();
      return null;
    };
    if (hello.verb !== 'HELLO') return refuse(`expected HELLO, got ${hello.verb}`);
    if (hello.version < MESSAGING_VERSION_MIN || hello.version > MESSAGING_VERSION) {
      return refuse(`messaging version ${hello.version} not supported (${MESSAGING_VERSION_MIN}..${MESSAGING_VERSION})`);
    }
    if (hello.clusterName !== this.clusterName) return refuse(`cluster name '${hello.clusterName}' differs from '${this.clusterName}'`);
    this.writeTo(conn, 0, { verb: 'HELLO_ACK', version: MESSAGING_VERSION, accepted: true, reason: '' });
    return hello.address;
  }

  private dispatch(conn: Connection, state: { peer: string; inFlight: number; paused: boolean }, frame: Frame): void {
    this.receivedCount++;
    const verb = verbOfCode(frame.verbCode);
    let message: Message;
    try {
      message = decodeBody(frame.verbCode, frame.body, this.opts.tables);
    } catch (err) {
      this.log('warn', `cannot decode ${verb ?? `verb ${frame.verbCode}`} from ${state.peer}: ${(err as Error).message}`);
      if (frame.requestId !== 0) this.writeTo(conn, frame.requestId, failureOf(err));
      return;
    }
    const handler = this.handlers.get(message.verb);
    if (!isRequestVerb(message.verb)) {
      if (handler) handler(state.peer, message);
      return;
    }
    const deadline = frame.timeoutMs > 0 ? this.env.clock.monotonicMs() + frame.timeoutMs : Infinity;
    state.inFlight++;
    if (state.inFlight >= this.limits.inboundInFlightMax && !state.paused) { state.paused = true; conn.pause(); }
    const answer = handler
      ? Promise.resolve().then(() => handler(state.peer, message) as Promise<Message>)
      : Promise.reject(new Error(`no handler for ${message.verb}`));
    answer.then((m) => m, (err: unknown) => failureOf(err)).then((m) => {
      state.inFlight--;
      if (state.paused && state.inFlight < this.limits.inboundInFlightMax / 2) { state.paused = false; conn.resume(); }
      if (this.env.clock.monotonicMs() > deadline) {
        this.countDrop(state.peer, m.verb, 0, 'expired');
        return;
      }
      this.writeTo(conn, frame.requestId, m);
    });
  }

  /** Answers leave in one writev per connection per tick. */
  private writeTo(conn: Connection, requestId: number, m: Message): void {
    this.sentCount++;
    const frame = encodeFrame({ verbCode: VERB_CODES[m.verb], requestId, timeoutMs: 0 }, encodeBody(m));
    const batch = this.answers.get(conn);
    if (batch) { batch.push(frame); return; }
    this.answers.set(conn, [frame]);
    this.env.scheduler.soon(() => {
      const frames = this.answers.get(conn) ?? [];
      this.answers.delete(conn);
      conn.writev(frames);
    });
  }
}

/** An error as FAILURE_RSP: its name, message, and its own string or number fields as details. */
export function failureOf(err: unknown): Message {
  const e = err instanceof Error ? err : new Error(String(err));
  const details: Record<string, string> = {};
  for (const [k, v] of Object.entries(e)) {
    if (typeof v === 'string' || typeof v === 'number') details[k] = String(v);
  }
  // A Read/WriteFailure's own reason code (v5 reason map) travels as details.reasonCode.
  const reasons = (e as { reasons?: unknown }).reasons;
  const code = Array.isArray(reasons) ? (reasons[0] as { reasonCode?: unknown } | undefined)?.reasonCode : undefined;
  if (typeof code === 'number') details['reasonCode'] = String(code);
  return { verb: 'FAILURE_RSP', errorName: e.name, message: e.message, details };
}
