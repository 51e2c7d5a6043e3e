// Starts the admin HTTP API (nodetool, /metrics) over env.net and connects its routes to the
// running node's parts.

import type { Logger } from 'pino';
import type { Env } from '../env/mod.js';
import type { StorageEngine } from '../storage/mod.js';
import type { SchemaManager } from '../coordinator/schema/mod.js';
import type { Ring } from '../cluster/ring/mod.js';
import type { ClientInfo } from './native/mod.js';
import type { Config } from './config.js';
import type { NodeIdentity } from './identity.js';
import { serveHttp, type HttpRequest, type HttpResponse } from './admin/http.js';

export interface AdminDeps {
  env: Env;
  config: Config;
  storage: StorageEngine;
  schema: SchemaManager;
  ring: Ring;
  identity: NodeIdentity;
  logger: Logger;
  clients: () => ClientInfo[];
}

export interface AdminServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startAdmin(deps: AdminDeps): Promise<AdminServer> {
  const listener = await serveHttp(deps.env.net, deps.config.listenAddress, deps.config.adminPort, (req) => route(deps, req));
  return { port: listener.port, close: () => listener.close() };
}

function json(status: number, body: unknown): HttpResponse {
  return { status, contentType: 'application/json', body: JSON.stringify(body) };
}

async function route(deps: AdminDeps, req: HttpRequest): Promise<HttpResponse> {
  const path = req.path;
  if (req.method === 'GET' && path === '/info') {
    return json(200, {
      hostId: deps.identity.hostId, clusterName: deps.config.clusterName, dc: deps.config.dc, rack: deps.config.rack,
      tokens: deps.identity.tokens.length, clients: deps.clients().length,
    });
  }
  if (req.method === 'POST' && path === '/flush') {
    await deps.storage.flush();
    return json(200, { ok: true });
  }
  if (req.method === 'POST' && path === '/compact') {
    await deps.storage.compact();
    return json(200, { ok: true });
  }
  return json(404, { error: `no admin route ${req.method} ${path}` });
}
