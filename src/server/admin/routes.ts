// The admin API's route table: method + path pattern → handler over an AdminContext.
//
// | method | path | answer |
// |---|---|---|
// | GET | /status?keyspace=KS | StatusReport |
// | GET | /info | InfoReport |
// | GET | /ring?keyspace=KS | RingReport |
// | GET | /describering/:keyspace | DescribeRingReport |
// | GET | /getendpoints/:keyspace/:table/:key | EndpointsReport |
// | POST | /flush, /compact (JSON TablesRequest body or ?keyspace=&tables=a,b) | OkReport |
// | POST | /snapshot (TablesRequest + optional tag) | {tag, files} |
// | POST | /clearsnapshot ({tag} or none: all) | OkReport |
// | POST | /cleanup (TablesRequest) | OkReport |
// | POST | /drain | OkReport |
// | GET | /metrics | Prometheus text |
// | GET | /tpstats, /proxyhistograms, /clientstats, /compactionstats, /gcstats | snapshots (ObservabilityAdmin) |
// | GET | /tablestats?keyspace=&table=, /tablehistograms/:keyspace/:table | snapshots |
// | GET, POST | /traceprobability ({probability}) | {probability} / OkReport |
// | GET | /logginglevels; POST /logginglevel ({logger, level}) | levels / OkReport |
// | GET | /settings; POST /settings ({name, value}) | SettingsReport / OkReport |
// | POST | /auditlog/enable (options), /auditlog/disable, /fullquerylog/enable (options), /fullquerylog/disable | OkReport |
// | GET | /logs | LogsStatusReport |
// Errors: JSON ErrorReport with 400 (bad input, RequestError), 404 (unknown route/keyspace),
// 405 (known path, wrong method), 500 (anything else).

import { RequestError } from '../../util/errors.js';
import { AdminError, type AdminContext, type ObservabilityAdmin } from './context.js';
import type { TablesRequest } from './api.js';
import type { HttpRequest, HttpResponse } from './http.js';

type Params = Record<string, string>;
interface Route {
  method: 'GET' | 'POST';
  pattern: string;
  handle(ctx: AdminContext, params: Params, request: HttpRequest): Promise<HttpResponse>;
}

const json = (value: unknown, status = 200): HttpResponse => ({ status, contentType: 'application/json', body: JSON.stringify(value) + '\n' });
const ok = (): HttpResponse => json({ ok: true });
const optional = (v: string | null): string | undefined => (v === null || v === '' ? undefined : v);

export const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: '/status', handle: async (ctx, _p, r) => json(await ctx.status(optional(r.query.get('keyspace')))) },
  { method: 'GET', pattern: '/info', handle: async (ctx) => json(await ctx.info()) },
  { method: 'GET', pattern: '/ring', handle: async (ctx, _p, r) => json(await ctx.ring(optional(r.query.get('keyspace')))) },
  { method: 'GET', pattern: '/describering/:keyspace', handle: async (ctx, p) => json(await ctx.describeRing(p['keyspace']!)) },
  { method: 'GET', pattern: '/getendpoints/:keyspace/:table/:key', handle: async (ctx, p) => json(await ctx.getEndpoints(p['keyspace']!, p['table']!, p['key']!)) },
  { method: 'POST', pattern: '/flush', handle: async (ctx, _p, r) => { await ctx.flush(tablesRequest(r)); return ok(); } },
  { method: 'POST', pattern: '/compact', handle: async (ctx, _p, r) => { await ctx.compact(tablesRequest(r)); return ok(); } },
  { method: 'POST', pattern: '/snapshot', handle: async (ctx, _p, r) => json(await ctx.snapshot({ ...tablesRequest(r), ...snapshotTag(r) })) },
  { method: 'POST', pattern: '/clearsnapshot', handle: async (ctx, _p, r) => { await ctx.clearSnapshot(snapshotTag(r).tag); return ok(); } },
  { method: 'POST', pattern: '/cleanup', handle: async (ctx, _p, r) => { await ctx.cleanup(tablesRequest(r)); return ok(); } },
  { method: 'POST', pattern: '/drain', handle: async (ctx) => { await ctx.drain(); return ok(); } },
  { method: 'GET', pattern: '/metrics', handle: async (ctx) => ({ status: 200, contentType: 'text/plain; version=0.0.4; charset=utf-8', body: await ctx.metrics() }) },
  ...observabilityRoutes(),
];

function obs(ctx: AdminContext): ObservabilityAdmin {
  if (ctx.observability === undefined) throw new AdminError(404, 'this node has no metrics');
  return ctx.observability;
}

/** Body fields as an object (empty body: {}). */
function bodyOf(request: HttpRequest): Record<string, unknown> {
  if (request.body.length === 0) return {};
  let body: unknown;
  try { body = JSON.parse(request.body.toString('utf8')); } catch { throw new AdminError(400, 'request body is not JSON'); }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AdminError(400, 'request body must be a JSON object');
  return body as Record<string, unknown>;
}

function stringField(body: Record<string, unknown>, name: string, allowEmpty = false): string {
  const v = body[name];
  if (typeof v !== 'string' || (!allowEmpty && v === '')) throw new AdminError(400, `${name} must be a${allowEmpty ? '' : ' non-empty'} string`);
  return v;
}

function observabilityRoutes(): Route[] {
  const get = (pattern: string, fn: (o: ObservabilityAdmin, p: Params, r: HttpRequest) => Promise<unknown>): Route =>
    ({ method: 'GET', pattern, handle: async (ctx, p, r) => json(await fn(obs(ctx), p, r)) });
  const post = (pattern: string, fn: (o: ObservabilityAdmin, body: Record<string, unknown>) => Promise<void>): Route =>
    ({ method: 'POST', pattern, handle: async (ctx, _p, r) => { await fn(obs(ctx), bodyOf(r)); return ok(); } });
  return [
    get('/tpstats', (o) => o.tpstats()),
    get('/tablestats', (o, _p, r) => o.tablestats({
      ...(optional(r.query.get('keyspace')) ? { keyspace: r.query.get('keyspace')! } : {}),
      ...(optional(r.query.get('table')) ? { table: r.query.get('table')! } : {}),
    })),
    get('/tablehistograms/:keyspace/:table', (o, p) => o.tablehistograms(p['keyspace']!, p['table']!)),
    get('/proxyhistograms', (o) => o.proxyhistograms()),
    get('/clientstats', (o) => o.clientstats()),
    get('/compactionstats', (o) => o.compactionstats()),
    get('/gcstats', (o) => o.gcstats()),
    get('/traceprobability', async (o) => ({ probability: await o.traceProbability() })),
    post('/traceprobability', (o, b) => {
      const p = b['probability'];
      if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new AdminError(400, 'probability must be a number between 0 and 1');
      return o.setTraceProbability(p);
    }),
    get('/logginglevels', (o) => o.loggingLevels()),
    post('/logginglevel', (o, b) => o.setLoggingLevel(typeof b['logger'] === 'string' ? b['logger'] : '', stringField(b, 'level'))),
    get('/settings', (o) => o.settings()),
    post('/settings', (o, b) => o.setSetting(stringField(b, 'name'), stringField(b, 'value'))),
    post('/auditlog/enable', (o, b) => o.enableAuditLog(b)),
    post('/auditlog/disable', (o) => o.disableAuditLog()),
    post('/fullquerylog/enable', (o, b) => o.enableFullQueryLog(b)),
    post('/fullquerylog/disable', (o) => o.disableFullQueryLog()),
    get('/logs', (o) => o.logsStatus()),
  ];
}

/** The optional snapshot tag from ?tag= or the JSON body; a plain name (letters, digits, _ . -). */
function snapshotTag(request: HttpRequest): { tag?: string } {
  const tag = optional(request.query.get('tag')) ?? bodyOf(request)['tag'];
  if (tag === undefined) return {};
  if (typeof tag !== 'string' || !/^[\w.-]{1,200}$/.test(tag)) throw new AdminError(400, `snapshot tag must be a plain name (letters, digits, _ . -), got ${JSON.stringify(tag)}`);
  return { tag };
}

function tablesRequest(request: HttpRequest): TablesRequest {
  let body: unknown = {};
  if (request.body.length > 0) {
    try { body = JSON.parse(request.body.toString('utf8')); } catch { throw new AdminError(400, 'request body is not JSON'); }
  }
  const b = body as { keyspace?: unknown; tables?: unknown };
  const keyspace = optional(request.query.get('keyspace')) ?? b.keyspace;
  const tablesText = optional(request.query.get('tables'));
  const tables = tablesText !== undefined ? tablesText.split(',') : b.tables;
  if (keyspace !== undefined && typeof keyspace !== 'string') throw new AdminError(400, 'keyspace must be a string');
  if (tables !== undefined && (!Array.isArray(tables) || !tables.every((t) => typeof t === 'string'))) throw new AdminError(400, 'tables must be a list of names');
  if (tables !== undefined && keyspace === undefined) throw new AdminError(400, 'tables given without a keyspace');
  return { ...(keyspace !== undefined ? { keyspace } : {}), ...(tables !== undefined ? { tables: tables as string[] } : {}) };
}

/** Matches a path against a pattern, decoding each parameter; undefined when it does not match. */
export function matchPath(pattern: string, path: string): Params | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Params = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    if (w.startsWith(':')) {
      let value: string;
      try { value = decodeURIComponent(got[i]!); } catch { return undefined; }
      if (value === '') return undefined;
      params[w.slice(1)] = value;
    } else if (w !== got[i]) {
      return undefined;
    }
  }
  return params;
}

/** Routes one request; never rejects. */
export async function route(ctx: AdminContext, request: HttpRequest): Promise<HttpResponse> {
  let pathMatched = false;
  for (const r of ROUTES) {
    const params = matchPath(r.pattern, request.path);
    if (!params) continue;
    pathMatched = true;
    if (r.method !== request.method) continue;
    try {
      return await r.handle(ctx, params, request);
    } catch (err) {
      return errorResponse(err);
    }
  }
  if (pathMatched) return json({ error: `${request.method} not allowed on ${request.path}` }, 405);
  return json({ error: `no admin route ${request.method} ${request.path}; routes: ${ROUTES.map((r) => `${r.method} ${r.pattern}`).join(', ')}` }, 404);
}

function errorResponse(err: unknown): HttpResponse {
  if (err instanceof AdminError) return json({ error: err.message }, err.status);
  if (err instanceof RequestError) return json({ error: err.message }, 400);
  return json({ error: `internal error: ${err instanceof Error ? err.message : String(err)}` }, 500);
}
