// src/server/admin: the HTTP admin API (JSON for nodetool, Prometheus text at /metrics).
//
// startAdminServer({ net, host, port, context })  listens; resolves once bound (port 0: ephemeral)
// AdminContext                                     what the node supplies; AdminError for 4xx answers
// statusReport / ringReport / describeRingReport   reports computed from a Ring, for AdminContext implementations
import type { Listener, Network } from '../../env/mod.js';
import type { AdminContext } from './context.js';
import { serveHttp, type HttpHandler } from './http.js';
import { route } from './routes.js';

export * from './api.js';
export * from './context.js';
export * from './reports.js';
export { ROUTES, matchPath, route } from './routes.js';
export { serveHttp, tryParse, type HttpHandler, type HttpRequest, type HttpResponse } from './http.js';

/** The admin API as an HttpHandler over a context (for a server the node already runs). */
export function createAdminHandler(context: AdminContext): HttpHandler {
  return (request) => route(context, request);
}

export interface AdminServerOptions {
  net: Network;
  host: string;
  port: number;
  context: AdminContext;
}

/** Starts the admin HTTP server; close() stops listening. */
export function startAdminServer(options: AdminServerOptions): Promise<Listener> {
  return serveHttp(options.net, options.host, options.port, createAdminHandler(options.context));
}
