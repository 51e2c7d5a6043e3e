// One peer's outbound link: a bounded queue of encoded frames, the connection that drains it,
// and reconnection with backoff.
//
// States:  idle ──enqueue──▶ connecting ──connected──▶ handshaking ──HELLO_ACK ok──▶ ready
//            ▲                   │ fail                   │ refused / timeout / close   │ close
//            └── queue empty ── backoff ◀─────────────────┴─────────────────────────────┘
// Frames are written whole (one frame never spans two writes), everything queued in one tick
// leaves in one writev. Responses to our requests come back on the same connection.

import type { Connection, Env, TimerHandle } from '../../env/mod.js';
import { assert } from '../../util/assert.js';
import { encodeFrame, readFrames, type Frame } from './frame.js';
import { MESSAGING_VERSION, VERB_CODES, decodeBody, encodeBody, type Verb } from './messages.js';
import type { DropReason } from './errors.js';

export interface OutboundLimits {
  /** Bytes of frames queued for one peer; beyond it new messages are dropped (queue_full). */
  queueBytesMax: number;
  /** Frames queued for one peer. */
  queueMessagesMax: number;
  reconnectBackoffMinMs: number;
  /** Cassandra retries at most every second while messages wait. */
  reconnectBackoffMaxMs: number;
  connectTimeoutMs: number;
  handshakeTimeoutMs: number;
}

export interface QueuedFrame {
  verb: Verb;
  requestId: number;
  frame: Buffer;
  expiresAtMs: number;
  /** Called when the frame is handed to a connection, with that connection's epoch. */
  onWritten?: (epoch: number) => void;
}

/** What the link needs from the service that owns it. */
export interface OutboundOwner {
  readonly env: Pick<Env, 'clock' | 'scheduler' | 'net'>;
  readonly localAddress: string;
  readonly localPort: () => number;
  readonly clusterName: string;
  readonly limits: OutboundLimits;
  dropped(peer: string, item: QueuedFrame, reason: DropReason): void;
  /** A frame arrived on this link (a response to one of our requests). */
  response(peer: string, frame: Frame): void;
  /** The link's connection closed; requests sent on epoch `epoch` will not be answered. */
  connectionLost(peer: string, epoch: number): void;
  log(level: 'info' | 'warn', message: string): void;
}

type LinkState = 'idle' | 'connecting' | 'handshaking' | 'ready' | 'backoff' | 'closed';

export class OutboundLink {
  private state: LinkState = 'idle';
  private queue: QueuedFrame[] = [];
  private queuedBytes = 0;
  private conn: Connection | null = null;
  private backoffMs: number;
  private timer: TimerHandle | null = null;
  private flushScheduled = false;
  /** Grows with every connection; requests remember the epoch they were written in. */
  epoch = 0;
  connectAttempts = 0;
  connectSuccesses = 0;

  constructor(private readonly owner: OutboundOwner, readonly peer: string, private readonly port: () => number) {
    this.backoffMs = owner.limits.reconnectBackoffMinMs;
  }

  get pendingBytes(): number { return this.queuedBytes; }
  get pendingMessages(): number { return this.queue.length; }
  get connected(): boolean { return this.state === 'ready'; }

  /** Queues a frame; returns the drop reason when it cannot be queued. */
  enqueue(item: QueuedFrame): DropReason | null {
    if (this.state === 'closed') return 'closed';
    const { queueBytesMax, queueMessagesMax } = this.owner.limits;
    if (this.queuedBytes + item.frame.length > queueBytesMax || this.queue.length >= queueMessagesMax) this.pruneExpired();
    if (this.queuedBytes + item.frame.length > queueBytesMax || this.queue.length >= queueMessagesMax) return 'queue_full';
    this.queue.push(item);
    this.queuedBytes += item.frame.length;
    if (this.state === 'idle') this.connect();
    else if (this.state === 'ready') this.scheduleFlush();
    return null;
  }

  /** Closes the connection and drops everything queued. */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.timer?.cancel();
    this.conn?.destroy();
    for (const item of this.queue) this.owner.dropped(this.peer, item, 'closed');
    this.queue = [];
    this.queuedBytes = 0;
  }

  /** Drops the current connection (e.g. the peer restarted); queued frames wait for the next one. */
  reset(): void {
    this.conn?.destroy();
  }

  private pruneExpired(): void {
    const now = this.owner.env.clock.monotonicMs();
    const keep: QueuedFrame[] = [];
    for (const item of this.queue) {
      if (item.expiresAtMs <= now) {
        this.queuedBytes -= item.frame.length;
        this.owner.dropped(this.peer, item, 'expired');
      } else {
        keep.push(item);
      }
    }
    this.queue = keep;
  }

  private connect(): void {
    assert(this.state === 'idle' || this.state === 'backoff', `connect from ${this.state}`);
    this.state = 'connecting';
    this.connectAttempts++;
    const { env, limits } = this.owner;
    env.net.connect(this.peer, this.port(), { localAddress: this.owner.localAddress, timeoutMs: limits.connectTimeoutMs }).then(
      (conn) => this.connected_(conn),
      (err: Error) => { this.owner.log('info', `cannot connect to ${this.peer}:${this.port()}: ${err.message}`); this.retry(); },
    );
  }

  private connected_(conn: Connection): void {
    if (this.state === 'closed') { conn.destroy(); return; }
    assert(this.state === 'connecting', `connected while ${this.state}`);
    this.state = 'handshaking';
    this.conn = conn;
    this.epoch++;
    const epoch = this.epoch;
    const handshakeTimer = this.owner.env.scheduler.after(this.owner.limits.handshakeTimeoutMs, () => {
      if (this.conn === conn && this.state === 'handshaking') {
        this.owner.log('warn', `no handshake answer from ${this.peer} within ${this.owner.limits.handshakeTimeoutMs} ms`);
        conn.destroy();
      }
    });
    readFrames(conn, (frame) => this.onFrame(conn, frame, handshakeTimer),
      (err) => this.owner.log('warn', `corrupt frame from ${this.peer}: ${err.message}; reconnecting`));
    conn.onError(() => { /* onClose follows */ });
    conn.onClose(() => this.disconnected(conn, epoch, handshakeTimer));
    const hello = encodeBody({ verb: 'HELLO', version: MESSAGING_VERSION, clusterName: this.owner.clusterName, address: this.owner.localAddress, port: this.owner.localPort() });
    conn.write(encodeFrame({ verbCode: VERB_CODES.HELLO, requestId: 0, timeoutMs: 0 }, hello));
  }

  private onFrame(conn: Connection, frame: Frame, handshakeTimer: TimerHandle): void {
    if (this.conn !== conn) return;
    if (this.state !== 'handshaking') { this.owner.response(this.peer, frame); return; }
    handshakeTimer.cancel();
    let ack;
    try {
      ack = decodeBody(frame.verbCode, frame.body, () => undefined);
    } catch (err) {
      this.owner.log('warn', `bad handshake answer from ${this.peer}: ${(err as Error).message}`);
      conn.destroy();
      return;
    }
    if (ack.verb !== 'HELLO_ACK' || !ack.accepted) {
      this.owner.log('warn', `peer ${this.peer} refused the connection: ${ack.verb === 'HELLO_ACK' ? ack.reason : `answered ${ack.verb}`}`);
      this.backoffMs = this.owner.limits.reconnectBackoffMaxMs;
      conn.destroy();
      return;
    }
    this.state = 'ready';
    this.connectSuccesses++;
    this.backoffMs = this.owner.limits.reconnectBackoffMinMs;
    this.scheduleFlush();
  }

  private disconnected(conn: Connection, epoch: number, handshakeTimer: TimerHandle): void {
    handshakeTimer.cancel();
    if (this.conn !== conn) return;
    this.conn = null;
    this.owner.connectionLost(this.peer, epoch);
    if (this.state === 'closed') return;
    this.retry();
  }

  private retry(): void {
    if (this.state === 'closed') return;
    this.pruneExpired();
    if (this.queue.length === 0) { this.state = 'idle'; return; }
    this.state = 'backoff';
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.owner.limits.reconnectBackoffMaxMs, this.backoffMs * 2);
    this.timer = this.owner.env.scheduler.after(delay, () => {
      this.timer = null;
      if (this.state === 'backoff') this.connect();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.owner.env.scheduler.soon(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Writes every queued, unexpired frame in one writev. */
  private flush(): void {
    if (this.state !== 'ready' || !this.conn || this.queue.length === 0) return;
    this.pruneExpired();
    const items = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    if (items.length === 0) return;
    this.conn.writev(items.map((q) => q.frame));
    for (const item of items) item.onWritten?.(this.epoch);
  }
}
