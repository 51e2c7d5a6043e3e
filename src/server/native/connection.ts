// One client connection: decode → dispatch → encode → coalesced write.
//
// Phases: 'new' (OPTIONS and STARTUP only) → 'authenticating' (AUTH_RESPONSE, OPTIONS) →
// 'ready' (everything but STARTUP). The connection's protocol version is fixed by its first
// envelope. For v5 the STARTUP reply is the last unframed envelope in both directions.
// Responses queued during one turn of the event loop leave in one writev.

import type { Connection, Env } from '../../env/mod.js';
import { AuthenticationError, Overloaded, ProtocolError, RequestError, ServerError } from '../../util/errors.js';
import { assertNever } from '../../util/assert.js';
import { VOID_RESPONSE, type Authenticator, type ClientState, type QueryHandler, type RequestDone, type RequestInfo, type ResultResponse, type SaslNegotiator } from '../../protocol/handler.js';
import type { EventType, MessageExtras, ProtocolEvent, Request, Response, Startup } from '../../protocol/messages.js';
import {
  BETA_VERSIONS, EVENT_STREAM_ID, MAX_SUPPORTED_VERSION, FLAG_COMPRESSION, FLAG_TRACING, FLAG_USE_BETA, OPCODE, SUPPORTED_VERSIONS,
  unsupportedVersionMessage, versionForVersionError, EnvelopeView,
} from '../../protocol/envelope.js';
import { ENVELOPE_HEADER_BYTES } from '../../protocol/envelope.js';
import { RequestDecoder, encodeBodyInto } from '../../protocol/codec.js';
import { EnvelopeOutput, type OutgoingHeader } from '../../protocol/output.js';
import { bodyCompressor, supportedCompressions, type BodyCompressor, type CompressionName } from '../../protocol/compression.js';
import { InboundDecoder, type InboundError } from '../../protocol/decoder.js';
import { SegmentEncoder } from '../../protocol/segment.js';
import { TRANSPORT_SETTING_NAMES, type TransportSettings } from './limits.js';
import type { BudgetDecision, BudgetWaiter, InFlightBudget, RateWaiter, RequestRateLimiter } from './overload.js';
import type { TransportHooks } from './hooks.js';

export const CQL_VERSION = '3.4.5';
const CQL_MAJOR_VERSION = 3;

export interface TransportLogger {
  debug(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

export const SILENT_LOGGER: TransportLogger = { debug() {}, warn() {}, error() {} };

export interface ConnectionDeps {
  env: Env;
  handler: QueryHandler;
  authenticator: Authenticator;
  settings: TransportSettings;
  budget: InFlightBudget;
  rate: RequestRateLimiter;
  hooks: TransportHooks;
  logger: TransportLogger;
}

type Phase = 'new' | 'authenticating' | 'ready';

/** A request handed to the handler and not yet answered; also the RequestInfo the handler gets (one object per request). */
interface RunningRequest extends RequestInfo {
  /** Opcode name, for the log of an unexpected error. */
  what: string;
  /** In-flight bytes released when its answer is handed to the socket. */
  bytes: number;
}

/**
 * A request read from the socket: its envelope (header fields, body in the received bytes) and
 * what admission needs. The connection decodes every envelope into one reused Admission (no
 * objects per request on the direct path); one that must wait for a rate token or in-flight
 * bytes is copied first (kept(): at most one waits per connection).
 */
class Admission extends EnvelopeView {
  /** Envelope header + body: what the in-flight budget counts. */
  bytes = 0;
  /** Clock.monotonicMs() when its last byte was read. */
  receivedAtMs = 0;
  /** It waited for a rate token or in-flight bytes (counted as pending in the request pool). */
  queued = false;
}

/** Opcodes counted by the request rate limiter. */
function isRateLimited(opcode: number): boolean {
  return opcode === OPCODE.EXECUTE || opcode === OPCODE.QUERY || opcode === OPCODE.BATCH || opcode === OPCODE.PREPARE;
}
/**
 * Request bytes / requests one connection may start in one event-loop turn; then it yields
 * (scheduler.soon) so other sockets' I/O runs in between: a connection resumed with 16 MiB of
 * queued 256 KiB writes would otherwise hold the loop for all of their synchronous work.
 */
const TURN_BYTES_MAX = 1024 * 1024;
const TURN_REQUESTS_MAX = 1024;
/** Arrival records consumed before the array is compacted. */
const ARRIVALS_COMPACT_AT = 256;

export class ClientConnection {
  readonly client: ClientState;
  private readonly decoder: InboundDecoder;
  private readonly requests = new RequestDecoder();
  /** The envelope being admitted (reused; see Admission). */
  private readonly arrival = new Admission();
  /** Header of the response being encoded (reused). */
  private readonly outHeader: OutgoingHeader = { version: 0, flags: 0, streamId: 0, opcode: 0 };
  /** Clock.monotonicMs() for this pump's admission checks, read at most once per pump (-1: not yet). */
  private pumpNowMs = -1;
  private phase: Phase = 'new';
  private version = 0;
  private compressor: BodyCompressor | null = null;
  private segmentEncoder: SegmentEncoder | null = null;
  private sasl: SaslNegotiator | null = null;
  private readonly registered = new Set<EventType>();
  private inFlight = 0;
  /** Responses encoded this turn, back to back (see src/protocol/output.ts). */
  private readonly output = new EnvelopeOutput();
  /** In-flight request bytes released when this turn's responses are handed to the socket. */
  private outRelease = 0;
  /** v5: offset (in the pending output) of the first framed envelope this turn, or -1. */
  private framedFrom = -1;
  /** v5: end offsets of the framed envelopes this turn. */
  private readonly framedEnds: number[] = [];
  private readonly flushFn = (): void => this.flush();
  private flushScheduled = false;
  private outputBlocked = false;
  private inputPaused = false;
  /** A request waiting for a rate token or in-flight bytes; reading stops while it waits. */
  private waiting: { admission: Admission; budgetWaiter: BudgetWaiter | null; rateWaiter: RateWaiter | null } | null = null;
  /** In-flight bytes acquired by this connection and not yet released. */
  private budgetBytes = 0;
  /** Bytes of the request being dispatched right now; the next enqueue() carries them. */
  private pendingRelease = 0;
  /** Set by track(): the request being started finishes asynchronously. */
  private startedAsync = false;
  /** [end offset, monotonic ms] of each chunk read and not yet decoded, flattened. */
  private readonly arrivals: number[] = [];
  private arrivalsHead = 0;
  private pushedBytes = 0;
  /** Yielded after a full turn's worth of requests; a pump is scheduled. */
  private yielding = false;
  private closing = false;
  private closed = false;
  /** end() was called: nothing more may be written. */
  private ended = false;

  constructor(private readonly conn: Connection, id: number, private readonly deps: ConnectionDeps, private readonly onGone: () => void) {
    this.client = {
      id, keyspace: null, protocolVersion: 0, user: null, remoteAddress: conn.remoteAddress, remotePort: conn.remotePort,
      compression: null, throwOnOverload: false, ready: false, requestsServed: 0, connectedAtMs: deps.env.clock.nowMs(),
    };
    const limits = deps.settings.get();
    this.decoder = new InboundDecoder({ maxEnvelopeBytes: limits.maxEnvelopeBytes });
    if (limits.keepAliveDelayMs > 0) conn.setKeepAlive?.(true, limits.keepAliveDelayMs);
    conn.onData((chunk) => this.onData(chunk));
    conn.onDrain(() => { this.outputBlocked = false; this.pump(); });
    conn.onError((err) => deps.logger.debug({ client: id, err: err.message }, 'client connection error'));
    conn.onClose(() => this.onClosed());
  }

  /** True when this connection REGISTERed for the event's type and finished STARTUP. */
  wants(type: EventType): boolean {
    return this.phase === 'ready' && this.registered.has(type) && !this.closing;
  }

  pushEvent(event: ProtocolEvent): void {
    const pending = this.pendingRelease; // an event may be pushed while a request is being dispatched
    this.pendingRelease = 0;
    this.enqueue(EVENT_STREAM_ID, { opcode: 'EVENT', event });
    this.pendingRelease = pending;
  }

  /** In-flight request bytes this connection holds (read, not yet answered to the socket). */
  get inFlightBytes(): number { return this.budgetBytes; }

  /** True while reading is stopped (in-flight limits, rate limit, or a socket not draining). */
  get paused(): boolean { return this.inputPaused; }

  /** Closes the socket at once (transport shutdown). */
  destroy(): void {
    this.closing = true;
    this.conn.destroy();
  }

  // ---- input ---------------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    this.pushedBytes += chunk.length;
    const nowMs = this.deps.env.clock.monotonicMs();
    this.arrivals.push(this.pushedBytes, nowMs);
    this.decoder.push(chunk);
    this.pump(nowMs);
  }

  /**
   * Decodes and admits requests while the connection may read; pauses the socket otherwise.
   * `nowMs`: the clock reading the caller already has (onData), else read once when needed.
   */
  private pump(nowMs = -1): void {
    this.pumpNowMs = nowMs;
    let turnBytes = 0;
    let turnRequests = 0;
    while (!this.yielding && this.mayRead()) {
      if (turnBytes >= TURN_BYTES_MAX || turnRequests >= TURN_REQUESTS_MAX) { this.yieldTurn(); break; }
      const item = this.decoder.pull(this.arrival);
      if (item === null) break;
      turnRequests++;
      if (item.kind === 'error') { this.handleErrorSafely(item); continue; }
      const a = this.arrival;
      a.bytes = ENVELOPE_HEADER_BYTES + this.countedBodyBytes(a);
      a.receivedAtMs = this.arrivalMs(this.decoder.consumedBytes);
      a.queued = false;
      turnBytes += a.bytes;
      this.admit(a);
    }
    this.pumpNowMs = -1;
    const stop = !this.closing && !this.mayRead();
    if (stop && !this.inputPaused) { this.inputPaused = true; this.conn.pause(); this.onPaused(true); }
    if (!stop && this.inputPaused) { this.inputPaused = false; this.conn.resume(); this.onPaused(false); }
  }

  /**
   * The clock for admission checks: one reading per pump (a request checked late in a long turn
   * is off by at most that turn, against a timeout of seconds).
   */
  private admissionNowMs(): number {
    if (this.pumpNowMs < 0) this.pumpNowMs = this.deps.env.clock.monotonicMs();
    return this.pumpNowMs;
  }

  /**
   * Body bytes the in-flight budget counts: a v4 compressed body counts as its announced
   * uncompressed size (clamped to the envelope limit; decompression enforces it), since that
   * is the memory it takes once decoded. A compressible flood would otherwise slip past the limits.
   */
  private countedBodyBytes(a: Admission): number {
    const wire = a.end - a.offset;
    if ((a.flags & FLAG_COMPRESSION) === 0 || this.compressor === null) return wire;
    return Math.max(wire, Math.min(this.compressor.declaredLength(a.body()), this.deps.settings.get().maxEnvelopeBytes));
  }

  private onPaused(paused: boolean): void {
    const m = this.deps.hooks.metrics;
    if (!m) return;
    if (paused) { m.pool.blocked(); m.clients.connectionPaused.inc(); } else m.pool.unblocked();
  }

  private mayRead(): boolean {
    return !this.closing && !this.outputBlocked && this.waiting === null && this.hasRoom();
  }

  /** Lets other I/O run before this connection starts more; the socket keeps being read (≤ one read per turn). */
  private yieldTurn(): void {
    this.yielding = true;
    this.deps.env.scheduler.soon(() => { this.yielding = false; this.pump(); });
  }

  /** Monotonic time at which the byte just before offset `consumed` was read. */
  private arrivalMs(consumed: number): number {
    const a = this.arrivals;
    let h = this.arrivalsHead;
    while (h < a.length - 2 && a[h]! < consumed) h += 2;
    const t = a[h + 1]!;
    if (h >= ARRIVALS_COMPACT_AT) { a.splice(0, h); h = 0; }
    this.arrivalsHead = h;
    return t;
  }

  // ---- admission: rate limit, then in-flight bytes -------------------------------------------

  private admit(a: Admission): void {
    if (isRateLimited(a.opcode) && !this.deps.rate.tryTake()) {
      if (this.client.throwOnOverload) {
        this.refuse(a, new Overloaded(`Request rate over ${TRANSPORT_SETTING_NAMES.maxRequestsPerSecond} (${this.deps.settings.get().maxRequestsPerSecond}/s)`));
        return;
      }
      const k = this.kept(a);
      this.markQueued(k);
      const rateWaiter: RateWaiter = { wake: () => this.resumeAdmission(() => this.admitBytes(k)) };
      this.waiting = { admission: k, budgetWaiter: null, rateWaiter };
      this.deps.rate.wait(rateWaiter);
      return;
    }
    this.admitBytes(a);
  }

  private admitBytes(a: Admission): void {
    const ip = this.client.remoteAddress;
    const decision = this.deps.budget.tryAcquire(ip, a.bytes);
    if (decision === 'ok') { this.start(a); return; }
    if (this.client.throwOnOverload) {
      this.refuse(a, this.overloadedBy(decision));
      return;
    }
    const k = this.kept(a);
    this.markQueued(k);
    const budgetWaiter: BudgetWaiter = { ip, bytes: k.bytes, wake: () => this.resumeAdmission(() => this.start(k)) };
    this.waiting = { admission: k, budgetWaiter, rateWaiter: null };
    this.deps.budget.wait(budgetWaiter);
  }

  /** An Admission that outlives this pump: the reused one is copied, a kept one returned as is. */
  private kept(a: Admission): Admission {
    if (a !== this.arrival) return a;
    const k = new Admission();
    k.copyFrom(a);
    k.bytes = a.bytes;
    k.receivedAtMs = a.receivedAtMs;
    k.queued = a.queued;
    return k;
  }

  private markQueued(a: Admission): void {
    if (a.queued) return;
    a.queued = true;
    this.deps.hooks.metrics?.pool.enqueued();
  }

  /** Answers Overloaded instead of running the request (never started; bytes not held). */
  private refuse(a: Admission, error: Overloaded): void {
    const m = this.deps.hooks.metrics;
    if (m) { if (a.queued) m.pool.discarded(); m.clients.requestDiscarded.mark(); }
    this.enqueueError(a.streamId, error);
  }

  private resumeAdmission(next: () => void): void {
    this.waiting = null;
    this.pumpNowMs = -1;
    next();
    this.pump();
  }

  private overloadedBy(decision: Exclude<BudgetDecision, 'ok'>): Overloaded {
    const limits = this.deps.settings.get();
    return decision === 'ip'
      ? new Overloaded(`Request data in flight from ${this.client.remoteAddress} is over ${TRANSPORT_SETTING_NAMES.maxRequestDataInFlightPerIpBytes} (${limits.maxRequestDataInFlightPerIpBytes} bytes)`)
      : new Overloaded(`Request data in flight on this node is over ${TRANSPORT_SETTING_NAMES.maxRequestDataInFlightBytes} (${limits.maxRequestDataInFlightBytes} bytes)`);
  }

  /** The bytes are acquired: shed the request if it waited too long, else handle it. */
  private start(a: Admission): void {
    this.budgetBytes += a.bytes;
    this.pendingRelease = a.bytes;
    const waitedMs = this.admissionNowMs() - a.receivedAtMs;
    const timeoutMs = this.deps.settings.get().requestTimeoutMs;
    if (waitedMs > timeoutMs) {
      this.refuse(a, new Overloaded(`Request waited ${Math.round(waitedMs)} ms before it could start, over ${TRANSPORT_SETTING_NAMES.requestTimeoutMs} (${timeoutMs} ms)`));
    } else {
      const pool = this.deps.hooks.metrics?.pool;
      if (pool) { if (a.queued) pool.started(); else pool.startedDirectly(); }
      this.startedAsync = false;
      this.handleSafely(a);
      if (pool && !this.startedAsync) pool.finished();
    }
    if (this.pendingRelease > 0) { this.releaseBudget(this.pendingRelease); this.pendingRelease = 0; }
  }

  private handleSafely(a: Admission): void {
    try {
      this.handleEnvelope(a);
    } catch (e) {
      this.failedDispatch(a.streamId, e);
    }
  }

  private handleErrorSafely(item: InboundError): void {
    try {
      this.handleDecoderError(item);
    } catch (e) {
      this.failedDispatch(item.streamId, e);
    }
  }

  /** A bug (or a throwing authenticator): answer it, drop this connection, keep the process. */
  private failedDispatch(streamId: number, e: unknown): void {
    this.enqueueError(streamId, this.toRequestError(e, 'dispatch'));
    this.closeAfterFlush();
  }

  private releaseBudget(bytes: number): void {
    if (bytes === 0 || this.closed) return;
    this.budgetBytes -= bytes;
    this.deps.budget.release(this.client.remoteAddress, bytes);
  }

  /** Under the in-flight limit; with THROW_ON_OVERLOAD reading goes on and extra requests get Overloaded. */
  private hasRoom(): boolean {
    return this.client.throwOnOverload || this.inFlight < this.deps.settings.get().maxInFlightPerConnection;
  }

  private handleDecoderError(item: InboundError): void {
    // A bad first header is most likely a client speaking another version: say that first.
    if (item.version !== 0 && !this.checkVersion(item.version, 0, item.streamId)) return;
    this.enqueueError(item.streamId, item.error, this.version || replyVersion(item.version));
    if (item.fatal) this.closeAfterFlush();
  }

  /** Decodes the request `a` points at and dispatches it; everything read from `a` before anything else runs (it is reused). */
  private handleEnvelope(a: Admission): void {
    const stream = a.streamId;
    if (!this.checkVersion(a.version, a.flags, stream)) return;
    let request: Request;
    try {
      request = this.decodeRequest(a);
    } catch (e) {
      this.enqueueError(stream, e instanceof ProtocolError ? e : new ProtocolError(String(e)));
      return;
    }
    this.dispatch(request, a);
  }

  /** The first envelope fixes the version; unsupported or changing versions close the connection. */
  private checkVersion(v: number, flags: number, streamId: number): boolean {
    if (v === this.version && v !== 0) return true;
    if (this.version === 0) {
      if (!SUPPORTED_VERSIONS.includes(v)) {
        this.enqueueError(streamId, new ProtocolError(unsupportedVersionMessage(v)), versionForVersionError(v));
        this.closeAfterFlush();
        return false;
      }
      if (BETA_VERSIONS.includes(v) && (flags & FLAG_USE_BETA) === 0) {
        this.enqueueError(streamId, new ProtocolError(`Beta version of the protocol used (${v}/v${v}-beta), but USE_BETA flag is unset`), v);
        this.closeAfterFlush();
        return false;
      }
      this.version = v;
      this.client.protocolVersion = v;
      return true;
    }
    this.enqueueError(streamId, new ProtocolError(`Invalid message version. Got ${v} but previous messages on this connection had version ${this.version}`));
    this.closeAfterFlush();
    return false;
  }

  /** The request `a` carries (v4 bodies decompressed first); its custom payload is left in this.requests.customPayload. */
  private decodeRequest(a: Admission): Request {
    if ((a.flags & FLAG_COMPRESSION) === 0 || this.version >= 5) return this.requests.decode(a, this.version);
    if (!this.compressor) throw new ProtocolError('envelope has the compression flag set but no compression was negotiated in STARTUP');
    const plain = new EnvelopeView();
    plain.setHeader(a);
    plain.setBody(this.compressor.decompress(a.body(), this.deps.settings.get().maxEnvelopeBytes));
    return this.requests.decode(plain, this.version);
  }

  // ---- dispatch ------------------------------------------------------------------------------

  /** Answers or starts `req`; reads what it needs from `a` before anything else can reuse it. */
  private dispatch(req: Request, a: Admission): void {
    const stream = a.streamId;
    switch (req.opcode) {
      case 'OPTIONS': return this.enqueue(stream, this.supported());
      case 'STARTUP': return this.startup(req, stream);
      case 'AUTH_RESPONSE': return this.authResponse(req.token, stream);
      case 'REGISTER':
        if (!this.requireReady(req.opcode, stream)) return;
        for (const t of req.events) this.registered.add(t);
        return this.enqueue(stream, { opcode: 'READY' });
      case 'QUERY': case 'PREPARE': case 'EXECUTE': case 'BATCH':
        if (!this.requireReady(req.opcode, stream)) return;
        return this.execute(req, a);
      default: assertNever(req, 'request');
    }
  }

  private requireReady(opcode: string, stream: number): boolean {
    if (this.phase === 'ready') return true;
    const expected = this.phase === 'new' ? 'STARTUP or OPTIONS' : 'AUTH_RESPONSE';
    this.enqueueError(stream, new ProtocolError(`Unexpected message ${opcode}, expecting ${expected}`));
    return false;
  }

  private supported(): Response {
    const options = new Map<string, string[]>([
      ['CQL_VERSION', [CQL_VERSION]],
      ['COMPRESSION', supportedCompressions(this.version)],
      ['PROTOCOL_VERSIONS', SUPPORTED_VERSIONS.map((v) => `${v}/v${v}${BETA_VERSIONS.includes(v) ? '-beta' : ''}`)],
    ]);
    return { opcode: 'SUPPORTED', options };
  }

  private startup(req: Startup, stream: number): void {
    if (this.phase !== 'new') {
      this.enqueueError(stream, new ProtocolError('Unexpected message STARTUP, the connection is already started'));
      return;
    }
    const problem = validateStartup(req.options, this.version);
    if (problem) { this.enqueueError(stream, new ProtocolError(problem)); return; }
    const compression = (req.options.get('COMPRESSION')?.toLowerCase() || null) as CompressionName | null;
    this.client.compression = compression;
    this.client.throwOnOverload = isTrue(req.options.get('THROW_ON_OVERLOAD'));
    this.client.startupOptions = req.options;
    const driverName = req.options.get('DRIVER_NAME');
    const driverVersion = req.options.get('DRIVER_VERSION');
    if (driverName !== undefined) this.client.driverName = driverName;
    if (driverVersion !== undefined) this.client.driverVersion = driverVersion;
    if (this.deps.authenticator.requireAuthentication()) {
      this.sasl = this.deps.authenticator.newSaslNegotiator(this.client);
      this.phase = 'authenticating';
      this.enqueue(stream, { opcode: 'AUTHENTICATE', authenticator: this.deps.authenticator.className });
    } else {
      this.becomeReady();
      this.enqueue(stream, { opcode: 'READY' });
    }
    // Everything after the STARTUP reply is compressed (v4) or framed (v5).
    if (this.version >= 5) {
      this.segmentEncoder = new SegmentEncoder(compression === 'lz4');
      this.decoder.useSegments(compression === 'lz4');
    } else if (compression) {
      this.compressor = bodyCompressor(compression);
    }
  }

  private becomeReady(): void {
    this.phase = 'ready';
    this.client.ready = true;
  }

  private authResponse(token: Buffer | null, stream: number): void {
    if (this.phase !== 'authenticating' || !this.sasl) {
      this.enqueueError(stream, new ProtocolError(`Unexpected message AUTH_RESPONSE (${this.phase === 'new' ? 'send STARTUP first' : 'already authenticated'})`));
      return;
    }
    const sasl = this.sasl;
    this.track(async () => {
      let step: Awaited<ReturnType<SaslNegotiator['evaluateResponse']>>;
      try {
        step = await sasl.evaluateResponse(token);
      } catch (e) {
        this.authOutcome(null, e instanceof Error ? e.message : String(e));
        throw e;
      }
      if (step.kind === 'challenge') return { opcode: 'AUTH_CHALLENGE', token: step.token } satisfies Response;
      this.client.user = step.user;
      this.sasl = null;
      this.becomeReady();
      this.authOutcome(step.user, undefined);
      return { opcode: 'AUTH_SUCCESS', token: step.token } satisfies Response;
    }, stream, 'AUTH_RESPONSE');
  }

  /** Reports a SASL outcome to metrics and the audit hook (user null: failed). */
  private authOutcome(user: string | null, message: string | undefined): void {
    const { metrics, onAuth } = this.deps.hooks;
    if (user === null) metrics?.clients.authFailure.mark(); else metrics?.clients.authSuccess.mark();
    if (!onAuth) return;
    try {
      onAuth({ client: this.client, user: user ?? this.client.user ?? '', success: user !== null, ...(message === undefined ? {} : { message }) });
    } catch (e) {
      this.deps.logger.error({ client: this.client.id, err: (e as Error).message }, 'onAuth hook failed');
    }
  }

  private execute(req: Extract<Request, { opcode: 'QUERY' | 'PREPARE' | 'EXECUTE' | 'BATCH' }>, a: Admission): void {
    const stream = a.streamId;
    const maxInFlight = this.deps.settings.get().maxInFlightPerConnection;
    if (this.inFlight >= maxInFlight) {
      this.enqueueError(stream, new Overloaded(`Too many requests in flight on this connection (${TRANSPORT_SETTING_NAMES.maxInFlightPerConnection} ${maxInFlight}); the client asked for THROW_ON_OVERLOAD`));
      return;
    }
    const running: RunningRequest = {
      streamId: stream, tracing: (a.flags & FLAG_TRACING) !== 0, customPayload: this.requests.customPayload, receivedAtMs: a.receivedAtMs,
      what: req.opcode, bytes: this.beginRequest(),
    };
    if (req.opcode === 'EXECUTE' && this.deps.handler.executeThen !== undefined) {
      this.executeThen(req, running);
      return;
    }
    let result: Promise<ResultResponse>;
    try {
      result = this.callHandler(req, running);
    } catch (e) {
      result = Promise.reject(e);
    }
    // One reaction per request, no async frame: the handler's promise settles straight into enqueue.
    result.then((res) => this.onResult(running, res), (err: unknown) => this.onFailure(running, err));
  }

  /**
   * EXECUTE through the handler's callback form: one closure per request instead of a promise and
   * its reaction. An answer given before executeThen returns (an error found at once) is handled
   * in a microtask, as a promise's would be: the pump that started the request is still running.
   * A second call of `done` is ignored, as a promise's second settlement would be.
   */
  private executeThen(req: Extract<Request, { opcode: 'EXECUTE' }>, running: RunningRequest): void {
    let returned = false;
    let settled = false;
    const done: RequestDone = (error, response) => {
      if (settled) return;
      settled = true;
      if (returned) this.settle(running, error, response);
      else queueMicrotask(() => this.settle(running, error, response));
    };
    try {
      this.deps.handler.executeThen!(req, this.client, running, done);
    } catch (e) {
      done(e, undefined);
    }
    returned = true;
  }

  private settle(r: RunningRequest, error: unknown, response: ResultResponse | undefined): void {
    if (error === undefined) this.onResult(r, response ?? VOID_RESPONSE);
    else this.onFailure(r, error);
  }

  private callHandler(req: Extract<Request, { opcode: 'QUERY' | 'PREPARE' | 'EXECUTE' | 'BATCH' }>, info: RequestInfo): Promise<ResultResponse> {
    const h = this.deps.handler;
    switch (req.opcode) {
      case 'QUERY': return h.query(req, this.client, info);
      case 'PREPARE': return h.prepare(req, this.client, info);
      case 'EXECUTE': return h.execute(req, this.client, info);
      case 'BATCH': return h.batch(req, this.client, info);
      default: return assertNever(req, 'request');
    }
  }

  /** Counts a request in flight; returns the in-flight bytes its answer will release. */
  private beginRequest(): number {
    this.inFlight++;
    this.startedAsync = true;
    const bytes = this.pendingRelease; // taken before the handler runs: its synchronous part may push events
    this.pendingRelease = 0;
    return bytes;
  }

  private onResult(r: RunningRequest, res: ResultResponse): void {
    try {
      if (res.result.kind === 'set_keyspace') this.client.keyspace = res.result.keyspace;
      let extras: MessageExtras | undefined;
      if ((res.warnings !== undefined && res.warnings.length > 0) || (r.tracing && res.tracingId) || res.customPayload) {
        extras = {};
        if (res.warnings && res.warnings.length > 0) extras.warnings = res.warnings;
        if (r.tracing && res.tracingId) extras.tracingId = res.tracingId;
        if (res.customPayload) extras.customPayload = res.customPayload;
      }
      this.pendingRelease = r.bytes;
      this.enqueue(r.streamId, { opcode: 'RESULT', result: res.result }, extras);
    } catch (e) {
      this.pendingRelease = r.bytes;
      this.enqueueError(r.streamId, this.toRequestError(e, r.what));
    } finally {
      this.endRequest();
    }
  }

  private onFailure(r: RunningRequest, err: unknown): void {
    try {
      this.pendingRelease = r.bytes;
      this.enqueueError(r.streamId, this.toRequestError(err, r.what));
    } finally {
      this.endRequest();
    }
  }

  private endRequest(): void {
    this.pendingRelease = 0;
    this.deps.hooks.metrics?.pool.finished();
    this.inFlight--;
    this.client.requestsServed++;
    // Input is left undecoded only while the socket is paused (or a yield's pump is scheduled).
    if (this.inputPaused) this.pump();
    // Nothing else in flight here: no later response could join this write, so waiting for the
    // end of the turn only adds the rest of the turn (other sockets' work) to this client's latency.
    if (this.inFlight === 0 && this.flushScheduled) this.flush();
  }

  /** Runs one asynchronous exchange (SASL), counting it in flight, and queues its answer or error. */
  private track(run: () => Promise<Response>, stream: number, what: string): void {
    const r: RunningRequest = { streamId: stream, tracing: false, customPayload: null, receivedAtMs: 0, what, bytes: this.beginRequest() };
    run().then(
      (out) => { try { this.pendingRelease = r.bytes; this.enqueue(stream, out); } finally { this.endRequest(); } },
      (err: unknown) => this.onFailure(r, err),
    );
  }

  private toRequestError(err: unknown, what: string): RequestError {
    if (err instanceof RequestError) return err;
    const e = err instanceof Error ? err : new Error(String(err));
    this.deps.logger.error({ client: this.client.id, request: what, err: e.stack ?? e.message }, 'request failed with an unexpected error');
    return new ServerError(`${e.name}: ${e.message}`);
  }

  // ---- output --------------------------------------------------------------------------------

  private enqueueError(stream: number, error: RequestError, version = this.version): void {
    const m = this.deps.hooks.metrics;
    if (m && error instanceof ProtocolError) m.clients.protocolException.mark();
    else if (m && error instanceof ServerError) m.clients.unknownException.mark();
    this.enqueue(stream, { opcode: 'ERROR', error }, undefined, version);
  }

  /**
   * Encodes a response straight into the connection's output slab, queued for the next flush.
   * Encoding failures become ServerError.
   */
  private enqueue(stream: number, msg: Response, extras?: MessageExtras, version = this.version): void {
    const releaseBytes = this.pendingRelease;
    this.pendingRelease = 0;
    if (this.closed || this.ended) { this.releaseBudget(releaseBytes); return; }
    const v = version || MAX_SUPPORTED_VERSION;
    const out = this.output;
    const framed = this.segmentEncoder !== null;
    if (framed && this.framedFrom < 0) this.framedFrom = out.pendingBytes;
    const mark = out.begin(v);
    let flags: number;
    try {
      flags = encodeBodyInto(out, msg, v, extras);
    } catch (e) {
      out.rewind(mark);
      out.begin(v);
      const err = this.toRequestError(e, `encoding ${msg.opcode}`);
      flags = encodeBodyInto(out, { opcode: 'ERROR', error: msg.opcode === 'ERROR' ? new ServerError('response could not be encoded') : err }, v);
      msg = { opcode: 'ERROR', error: err };
    }
    if (this.compressor !== null) flags = this.compressBody(mark, v, flags);
    const h = this.outHeader;
    h.version = v;
    h.flags = flags;
    h.streamId = stream;
    h.opcode = OPCODE[msg.opcode];
    out.finish(mark, h);
    if (framed) this.framedEnds.push(out.pendingBytes);
    this.outRelease += releaseBytes;
    if (out.pendingBytes > this.deps.settings.get().maxQueuedOutputBytesPerConnection) this.outputBlocked = true;
    this.scheduleFlush();
  }

  /** v4 with compression: replaces the body just encoded at `mark` by its compressed form. */
  private compressBody(mark: number, version: number, flags: number): number {
    const out = this.output;
    const body = out.bodyOf(mark, version);
    if (body.length === 0) return flags;
    const compressed = this.compressor!.compress(body);
    out.rewind(mark);
    out.begin(version);
    out.bytes(compressed);
    return flags | FLAG_COMPRESSION;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.deps.env.scheduler.soon(this.flushFn);
  }

  /**
   * Writes everything queued: one write (v4), or one writev of segments (v5). Runs at the end of
   * the turn (scheduleFlush), or at once when the connection's last request in flight is answered.
   */
  private flush(): void {
    this.flushScheduled = false;
    if (this.closed || this.ended) return;
    const out = this.output;
    if (out.pendingBytes === 0) {
      if (this.closing) { this.ended = true; this.conn.end(); }
      return;
    }
    const bytes = out.take();
    const releaseBytes = this.outRelease;
    this.outRelease = 0;
    let ok: boolean;
    if (this.framedFrom < 0) ok = this.conn.write(bytes);
    else ok = this.conn.writev(this.framedBuffers(bytes));
    if (this.inFlight === 0) out.release();
    this.releaseBudget(releaseBytes);
    if (this.closing) { this.ended = true; this.conn.end(); return; }
    if (!ok) this.outputBlocked = true;
    else if (this.outputBlocked) { this.outputBlocked = false; this.pump(); }
  }

  /** v5: the unframed envelopes (the STARTUP reply) as they are, then the framed ones in segments. */
  private framedBuffers(bytes: Buffer): Buffer[] {
    const buffers: Buffer[] = [];
    if (this.framedFrom > 0) buffers.push(bytes.subarray(0, this.framedFrom));
    const envelopes: Buffer[] = [];
    let from = this.framedFrom;
    for (const end of this.framedEnds) { envelopes.push(bytes.subarray(from, end)); from = end; }
    this.framedFrom = -1;
    this.framedEnds.length = 0;
    for (const b of this.segmentEncoder!.encodeEnvelopes(envelopes)) buffers.push(b);
    return buffers;
  }

  /** Stops reading; the socket ends once queued responses are written. */
  private closeAfterFlush(): void {
    this.closing = true;
    this.scheduleFlush();
  }

  private onClosed(): void {
    if (this.closed) return;
    if (this.waiting?.admission.queued) this.deps.hooks.metrics?.pool.discarded();
    if (this.inputPaused) { this.inputPaused = false; this.onPaused(false); }
    if (this.waiting?.budgetWaiter) this.deps.budget.cancel(this.waiting.budgetWaiter);
    if (this.waiting?.rateWaiter) this.deps.rate.cancel(this.waiting.rateWaiter);
    this.waiting = null;
    const held = this.budgetBytes;
    this.budgetBytes = 0;
    this.closed = true;
    this.closing = true;
    if (held > 0) this.deps.budget.release(this.client.remoteAddress, held);
    this.onGone();
  }
}

/** Returns why a STARTUP option map is unacceptable, or null. */
export function validateStartup(options: ReadonlyMap<string, string>, version: number): string | null {
  const cql = options.get('CQL_VERSION');
  if (cql === undefined) return 'Missing value CQL_VERSION in STARTUP message';
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(cql);
  if (!m || Number(m[1]) !== CQL_MAJOR_VERSION) return `Invalid or unsupported CQL version ${JSON.stringify(cql)}; supported: ${CQL_VERSION}`;
  const compression = options.get('COMPRESSION');
  if (compression !== undefined && compression !== '') {
    const names = supportedCompressions(version);
    if (!(names as string[]).includes(compression.toLowerCase())) {
      return `Unknown compression algorithm: ${compression} (supported with protocol v${version}: ${names.join(', ')})`;
    }
  }
  return null;
}

/** STARTUP flag values: "1" (Cassandra's own test clients) and "true" (drivers' other flags). */
function isTrue(v: string | undefined): boolean {
  return v === '1' || v?.toLowerCase() === 'true';
}

/** The version to answer a decoder error in when the connection has none yet. */
function replyVersion(v: number): number {
  return SUPPORTED_VERSIONS.includes(v) ? v : versionForVersionError(v);
}
