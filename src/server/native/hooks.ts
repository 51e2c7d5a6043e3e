// Optional observers of the transport, supplied by the node (src/server/node.ts): request-pool
// and client metrics (src/observability's ThreadPoolMetrics 'Native-Transport-Requests' and
// ClientMetrics, matched structurally) and the audit log's authentication events.

import type { ClientState } from '../../protocol/handler.js';

interface Mark { mark(n?: number): void }

export interface TransportMetrics {
  /** Native-Transport-Requests: enqueued() when a request waits behind a limit, started() when it then starts, startedDirectly() when it starts without waiting, discarded() when a waiting one is shed or its connection closes, finished() when it is answered; blocked()/unblocked() per socket pause/resume. */
  pool: {
    enqueued(n?: number): void; started(): void; startedDirectly(): void; discarded(): void; finished(): void;
    blocked(): void; unblocked(): void;
  };
  clients: {
    /** Requests answered Overloaded (THROW_ON_OVERLOAD refusals, rate refusals, requests shed after waiting). */
    requestDiscarded: Mark;
    /** Times a connection stopped being read. */
    connectionPaused: { inc(n?: number): void };
    protocolException: Mark;
    unknownException: Mark;
    authSuccess: Mark;
    authFailure: Mark;
  };
}

export interface AuthEvent {
  client: ClientState;
  /** The authenticated user, or on failure the user known so far ('' if none). */
  user: string;
  success: boolean;
  /** Why authentication failed. */
  message?: string;
}

export interface TransportHooks {
  metrics?: TransportMetrics;
  /** Called after each SASL outcome (not for challenges); exceptions are logged and ignored. */
  onAuth?: (event: AuthEvent) => void;
}
