// The native transport: the CQL front door. Accepts client connections over env.net, runs each
// through ClientConnection, pushes events to the connections that registered for them, and
// lists connected clients (for system_views.clients and nodetool clientstats).

import type { Env, Listener } from '../../env/mod.js';
import { assert } from '../../util/assert.js';
import { AllowAllAuthenticator, type Authenticator, type QueryHandler } from '../../protocol/handler.js';
import type { ProtocolEvent } from '../../protocol/messages.js';
import { ClientConnection, SILENT_LOGGER, type TransportLogger } from './connection.js';
import { DEFAULT_NATIVE_TRANSPORT_LIMITS, type NativeTransportLimits } from './limits.js';

export interface NativeTransportOptions {
  env: Env;
  handler: QueryHandler;
  /** Defaults to AllowAllAuthenticator. */
  authenticator?: Authenticator;
  limits?: Partial<NativeTransportLimits>;
  logger?: TransportLogger;
}

/** A snapshot of one connected client. */
export interface ClientInfo {
  id: number;
  address: string;
  port: number;
  protocolVersion: number;
  driverName: string | null;
  driverVersion: string | null;
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
  private readonly limits: NativeTransportLimits;
  private readonly logger: TransportLogger;
  private readonly connections = new Set<ClientConnection>();
  private listener: Listener | null = null;
  private nextClientId = 1;

  constructor(options: NativeTransportOptions) {
    this.env = options.env;
    this.handler = options.handler;
    this.authenticator = options.authenticator ?? new AllowAllAuthenticator();
    this.limits = { ...DEFAULT_NATIVE_TRANSPORT_LIMITS, ...options.limits };
    this.logger = options.logger ?? SILENT_LOGGER;
    assert(this.limits.maxInFlightPerConnection >= 1, 'maxInFlightPerConnection must be at least 1');
    assert(this.limits.maxConnections >= 1, 'maxConnections must be at least 1');
  }

  /** Starts accepting clients on host:port (0 = ephemeral); resolves with the bound port. */
  async listen(host: string, port: number): Promise<number> {
    assert(this.listener === null, 'NativeTransport is already listening');
    this.listener = await this.env.net.listen(host, port, (conn) => {
      if (this.connections.size >= this.limits.maxConnections) {
        this.logger.warn({ address: conn.remoteAddress, limit: this.limits.maxConnections }, 'refusing client connection: too many connections');
        conn.destroy();
        return;
      }
      const id = this.nextClientId++;
      const client = new ClientConnection(conn, id, {
        env: this.env, handler: this.handler, authenticator: this.authenticator, limits: this.limits, logger: this.logger,
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

  clients(): ClientInfo[] {
    return [...this.connections].map(({ client: c }) => ({
      id: c.id,
      address: c.remoteAddress,
      port: c.remotePort,
      protocolVersion: c.protocolVersion,
      driverName: c.driverName ?? null,
      driverVersion: c.driverVersion ?? null,
      keyspace: c.keyspace,
      user: c.user,
      compression: c.compression,
      ready: c.ready,
      requestsServed: c.requestsServed,
      connectedAtMs: c.connectedAtMs,
    }));
  }
}
