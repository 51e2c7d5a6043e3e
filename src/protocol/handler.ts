// The interfaces between the native transport (src/server/native) and the node that executes
// requests (src/server/query). The transport owns the connection: framing, STARTUP, OPTIONS,
// REGISTER and authentication. It hands QUERY, PREPARE, EXECUTE and BATCH to a QueryHandler.
// Stable: add members, never rename.

import type { Batch, Execute, Prepare, Query, ResultBody } from './messages.js';

/** One client connection as the node sees it. The transport creates it; handlers may update keyspace. */
export interface ClientState {
  /** Unique per transport, increasing from 1. */
  readonly id: number;
  /** The connection's current keyspace (USE); the transport sets it on a set_keyspace result. */
  keyspace: string | null;
  /** Negotiated native protocol version (3, 4 or 5); 0 before the first message. */
  protocolVersion: number;
  /** Authenticated user name; null before authentication or with AllowAllAuthenticator. */
  user: string | null;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** From STARTUP DRIVER_NAME / DRIVER_VERSION. */
  driverName?: string;
  driverVersion?: string;
  /** Every STARTUP option as the client sent it (system_views.clients.client_options). */
  startupOptions?: ReadonlyMap<string, string>;
  /** STARTUP COMPRESSION value ('lz4', 'snappy') or null. */
  compression: string | null;
  /** STARTUP THROW_ON_OVERLOAD = "1": answer Overloaded instead of applying backpressure. */
  throwOnOverload: boolean;
  /** True once STARTUP (and authentication, if required) completed. */
  ready: boolean;
  /** Requests answered on this connection so far. */
  requestsServed: number;
  /** Clock.nowMs() when the connection was accepted. */
  readonly connectedAtMs: number;
}

/** Per-request facts from the envelope that a handler may use. */
export interface RequestInfo {
  /** Stream id of the request (for logs only). */
  streamId: number;
  /** The client set the tracing flag: the handler should trace and return a tracingId. */
  tracing: boolean;
  /** The request's custom payload (flag 0x04), if any. */
  customPayload: Map<string, Buffer> | null;
  /**
   * Clock.monotonicMs() when the request's last byte was read from the socket. The transport
   * already sheds requests that waited longer than native_transport_timeout before starting;
   * a handler may shed earlier against the read or write timeout (answer Overloaded).
   */
  receivedAtMs?: number;
}

/**
 * What a handler returns: a result and the envelope extras to send with it. The transport
 * memoizes the encoding of a rows result's `columns` array by identity (reuse one array per
 * prepared statement to benefit): never mutate an array once it was returned.
 */
export interface ResultResponse {
  result: ResultBody;
  /** Client warnings (sent with the warning flag 0x08). */
  warnings?: string[];
  /** 16-byte session id (sent with the tracing flag 0x02 only if the request asked for tracing). */
  tracingId?: Buffer;
  customPayload?: Map<string, Buffer>;
}

/**
 * Executes CQL. Each method resolves with the RESULT to send or rejects with a RequestError
 * subclass (src/util/errors.ts), which the transport encodes as an ERROR with all of that code's
 * fields. Any other thrown value is reported to the client as ServerError and logged.
 * Methods may run concurrently for different streams of the same connection.
 */
export interface QueryHandler {
  query(req: Query, client: ClientState, info: RequestInfo): Promise<ResultResponse>;
  prepare(req: Prepare, client: ClientState, info: RequestInfo): Promise<ResultResponse>;
  execute(req: Execute, client: ClientState, info: RequestInfo): Promise<ResultResponse>;
  batch(req: Batch, client: ClientState, info: RequestInfo): Promise<ResultResponse>;
  /**
   * execute() in callback form, used by the transport when present (no promise or reaction per
   * request): `done(undefined, response)` where execute() would resolve, `done(error)` where it
   * would reject. Called exactly once, possibly before executeThen returns; executeThen itself
   * never throws.
   */
  executeThen?(req: Execute, client: ClientState, info: RequestInfo, done: RequestDone): void;
}

/**
 * The end of a request handled in callback form (QueryHandler.executeThen). Must not throw.
 * `done(undefined)` without a response answers VOID_RESPONSE (every write's result), so a write
 * can hand `done` on as its own completion callback.
 */
export type RequestDone = (error: unknown, response?: ResultResponse) => void;

/** The RESULT of a write: Void. Shared and frozen. */
export const VOID_RESPONSE: ResultResponse = Object.freeze({ result: Object.freeze({ kind: 'void' as const }) });

/** Calls a handler's executeThen, or its execute() with the outcome passed on to `done`. */
export function executeThen(handler: QueryHandler, req: Execute, client: ClientState, info: RequestInfo, done: RequestDone): void {
  if (handler.executeThen !== undefined) {
    handler.executeThen(req, client, info, done);
    return;
  }
  let p: Promise<ResultResponse>;
  try {
    p = handler.execute(req, client, info);
  } catch (e) {
    p = Promise.reject(e);
  }
  p.then((response) => done(undefined, response), (error: unknown) => done(error));
}

// ---------------------------------------------------------------------------------------------
// Authentication (SASL)

/** The outcome of one SASL step: another challenge, or success with the authenticated user. */
export type SaslStep =
  | { kind: 'challenge'; token: Buffer | null }
  | { kind: 'success'; user: string; token: Buffer | null };

/** One connection's SASL exchange; created after STARTUP when authentication is required. */
export interface SaslNegotiator {
  /**
   * Evaluates the client's AUTH_RESPONSE token. Rejects with AuthenticationError (bad
   * credentials) — the transport answers ERROR 0x0100 and the client may try again.
   */
  evaluateResponse(token: Buffer | null): Promise<SaslStep>;
}

export interface Authenticator {
  /** Class name sent in AUTHENTICATE (drivers pick their SASL mechanism from it). */
  readonly className: string;
  /** False: STARTUP is answered with READY and no SASL exchange takes place. */
  requireAuthentication(): boolean;
  newSaslNegotiator(client: ClientState): SaslNegotiator;
}

/** Lets everyone in (Cassandra's AllowAllAuthenticator). */
export class AllowAllAuthenticator implements Authenticator {
  readonly className = 'org.apache.cassandra.auth.AllowAllAuthenticator';
  requireAuthentication(): boolean {
    return false;
  }
  newSaslNegotiator(): SaslNegotiator {
    return { evaluateResponse: async () => ({ kind: 'success', user: 'anonymous', token: null }) };
  }
}

/** Class name of the password authenticator drivers recognize (PLAIN SASL: \0user\0password). */
export const PASSWORD_AUTHENTICATOR_CLASS = 'org.apache.cassandra.auth.PasswordAuthenticator';

/**
 * Parses a SASL PLAIN initial response: [authzid] NUL authcid NUL password. Returns null if the
 * token is not of that shape. For PasswordAuthenticator implementations.
 */
export function parsePlainSaslToken(token: Buffer | null): { user: string; password: string } | null {
  if (token === null) return null;
  const first = token.indexOf(0);
  if (first < 0) return null;
  const second = token.indexOf(0, first + 1);
  if (second < 0) return null;
  return { user: token.toString('utf8', first + 1, second), password: token.toString('utf8', second + 1) };
}
