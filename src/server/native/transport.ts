// The native transport: the CQL front door. Accepts client connections over env.net, runs each
// through ClientConnection, pushes events to the connections that registered for them, and
// lists connected clients (for system_views.clients and nodetool clientstats).

import type { Env, Listener } from '../../env/mod.js';
import { assert } from '../../util/assert.js';
import { AllowAllAuthenticator, type Authenticator, type QueryHandler } from '../../protocol/handler.js';
import type { ProtocolEvent } from '../../protocol/messages.js';
import { ClientConnection, SILENT_LOGGER, type TransportLogger } from './connection.js';
import { TransportSettingsStore, type NativeTransportLimits, type TransportSettings } from './limits.js';
import { InFlightBudget, RequestRateLimiter, type BudgetSnapshot } from './overload.js';
import type { AuthEvent, TransportMetrics } from './hooks.js';

export interface NativeTransportOptions {
  env: Env;
  handler: QueryHandler;
  /** Defaults to AllowAllAuthenticator. */
  authenticator?: Authenticator;
  /** Starting limits when no `settings` object is given (defaults: DEFAULT_NATIVE_TRANSPORT_LIMITS). */
  limits?: Partial<NativeTransportLimits>;
  /** A runtime-changeable settings object shared with nodetool / system_views.settings. */
  settings?: TransportSettings;
  logger?: TransportLogger;
  /** Request-pool and client metrics (src/observability's ThreadPoolMetrics and ClientMetrics fit). */
  metrics?: TransportMetrics;
  /** Called after each authentication outcome (audit log AUTH category). */
  onAuth?: (event: AuthEvent) => void;
}

/** What overload protection is doing right now (for metrics and tests). */
export interface OverloadSnapshot extends BudgetSnapshot {
  /** Connections whose reading is stopped (limits, rate, or a socket not draining). */
  pausedConnections: number;
  /** Requests waiting for a rate-limit token. */
  rateWaiters: number;
}

/** A snapshot of one connected client. */
export interface ClientInfo {
  id: number;
  address: string;
  port: number;
  protocolVersion: number;
  driverName: string | null;
  driverVersion: string | null;
  /** The STARTUP options map; null before STARTUP. */
  options: ReadonlyMap<string, string> | null;
  keyspace: string | null;
  user: string | null;
  compression: string | null;
  ready: boolean;
  requestsServed: number;
  connectedAtMs: number;
}

export class NativeTransport {
  private readonly env: Env;
  private readonly handler: QueryHandler;
  private readonly authenticator: Authenticator;
  /** The live limits; set() on it changes them for the next request. */
  readonly settings: TransportSettings;
  private readonly budget: InFlightBudget;
  private readonly rate: RequestRateLimiter;
  private readonly logger: TransportLogger;
  private readonly hooks: { metrics?: TransportMetrics; onAuth?: (event: AuthEvent) => void };
  private readonly connections = new Set<ClientConnection>();
  private listener: Listener | null = null;
  private nextClientId = 1;

  constructor(options: NativeTransportOptions) {
    this.env = options.env;
    this.handler = options.handler;
    this.authenticator = options.authenticator ?? new AllowAllAuthenticator();
    this.settings = options.settings ?? new TransportSettingsStore(options.limits);
    this.budget = new InFlightBudget(this.settings);
    this.rate = new RequestRateLimiter(this.settings, this.env.clock, this.env.scheduler);
    this.logger = options.logger ?? SILENT_LOGGER;
    this.hooks = {};
    if (options.metrics) this.hooks.metrics = options.metrics;
    if (options.onAuth) this.hooks.onAuth = options.onAuth;
  }

  /** Starts accepting clients on host:port (0 = ephemeral); resolves with the bound port. */
  async listen(host: string, port: number): Promise<number> {
    assert(this.listener === null, 'NativeTransport is already listening');
    this.listener = await this.env.net.listen(host, port, (conn) => {
      const maxConnections = this.settings.get().maxConnections;
      if (this.connections.size >= maxConnections) {
        this.logger.warn({ address: conn.remoteAddress, limit: maxConnections }, 'refusing client connection: too many connections');
        conn.destroy();
        return;
      }
      const id = this.nextClientId++;
      const client = new ClientConnection(conn, id, {
        env: this.env, handler: this.handler, authenticator: this.authenticator, settings: this.settings,
        budget: this.budget, rate: this.rate, hooks: this.hooks, logger: this.logger,
      }, () => this.connections.delete(client));
      this.connections.add(client);
    });
    return this.listener.port;
  }

  /** The port being listened on, or null before listen(). */
  get port(): number | null {
    return this.listener?.port ?? null;
  }

  /** Stops accepting, closes every client connection, and resolves when the listener is closed. */
  async close(): Promise<void> {
    const listener = this.listener;
    this.listener = null;
    const closing = listener?.close();
    this.rate.close();
    for (const c of this.connections) c.destroy();
    this.connections.clear();
    await closing;
  }

  /** Sends the event to every connection that REGISTERed for its type. */
  broadcastEvent(event: ProtocolEvent): number {
    let sent = 0;
    for (const c of this.connections) {
      if (!c.wants(event.type)) continue;
      c.pushEvent(event);
      sent++;
    }
    return sent;
  }

  overload(): OverloadSnapshot {
    let pausedConnections = 0;
    for (const c of this.connections) if (c.paused) pausedConnections++;
    return { ...this.budget.snapshot(), pausedConnections, rateWaiters: this.rate.waiting };
  }

  /** Connections not being read right now (Client.PausedConnections). */
  pausedConnections(): number {
    let n = 0;
    for (const c of this.connections) if (c.paused) n++;
    return n;
  }

  /** Request bytes read and not yet answered, whole node (Client.RequestsSize). */
  requestBytesInFlight(): number {
    return this.budget.snapshot().nodeBytes;
  }

  clients(): ClientInfo[] {
    return [...this.connections].map(({ client: c }) => ({
      id: c.id,
      address: c.remoteAddress,
      port: c.remotePort,
      protocolVersion: c.protocolVersion,
      driverName: c.driverName ?? null,
      driverVersion: c.driverVersion ?? null,
      options: c.startupOptions ?? null,
      keyspace: c.keyspace,
      user: c.user,
      compression: c.compression,
      ready: c.ready,
      requestsServed: c.requestsServed,
      connectedAtMs: c.connectedAtMs,
    }));
  }
}
