// A small HTTP/1.1 server over env.Network, enough for the admin API: one request per
// connection (the response carries `Connection: close`), Content-Length bodies only.
//
// Why not node:http: outside src/env/node and src/cli, sockets come only from the injected Env,
// so the admin API runs unchanged in the simulator; nodetool is the only client and needs none
// of keep-alive, chunked uploads or pipelining.

import type { Connection, Listener, Network } from '../../env/mod.js';

/** Request line plus headers. */
export const HTTP_HEAD_BYTES_MAX = 16 * 1024;
export const HTTP_BODY_BYTES_MAX = 1024 * 1024;
/** Connections served at once; more are closed with 503. */
export const HTTP_CONNECTIONS_MAX = 64;

export interface HttpRequest {
  method: string;
  /** Path without the query string, still percent-encoded. */
  path: string;
  query: URLSearchParams;
  headers: Map<string, string>;
  body: Buffer;
  remoteAddress: string;
}

export interface HttpResponse {
  status: number;
  contentType: string;
  body: string | Buffer;
}

export type HttpHandler = (request: HttpRequest) => Promise<HttpResponse>;

const REASONS: Record<number, string> = {
  200: 'OK', 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict',
  413: 'Payload Too Large', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

export async function serveHttp(net: Network, host: string, port: number, handler: HttpHandler): Promise<Listener> {
  let open = 0;
  return net.listen(host, port, (conn) => {
    if (open >= HTTP_CONNECTIONS_MAX) {
      writeResponse(conn, { status: 503, contentType: 'text/plain', body: 'too many admin connections\n' });
      return;
    }
    open++;
    conn.onClose(() => { open--; });
    conn.onError(() => conn.destroy());
    readRequest(conn, handler);
  });
}

function readRequest(conn: Connection, handler: HttpHandler): void {
  let buffered = Buffer.alloc(0);
  let handled = false;
  conn.onData((chunk) => {
    if (handled) return;
    buffered = Buffer.concat([buffered, chunk]);
    const parsed = tryParse(buffered, conn.remoteAddress);
    if (parsed === 'incomplete') return;
    handled = true;
    conn.pause();
    if ('status' in parsed) { writeResponse(conn, parsed); return; }
    handler(parsed).then((response) => writeResponse(conn, response), (err: unknown) => {
      writeResponse(conn, { status: 500, contentType: 'application/json', body: JSON.stringify({ error: String((err as Error)?.message ?? err) }) + '\n' });
    });
  });
}

/** Parses a complete request, or says more bytes are needed, or gives the error response. */
export function tryParse(buf: Buffer, remoteAddress: string): HttpRequest | HttpResponse | 'incomplete' {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) {
    return buf.length > HTTP_HEAD_BYTES_MAX ? { status: 431, contentType: 'text/plain', body: 'request head too large\n' } : 'incomplete';
  }
  if (headEnd > HTTP_HEAD_BYTES_MAX) return { status: 431, contentType: 'text/plain', body: 'request head too large\n' };
  const lines = buf.toString('latin1', 0, headEnd).split('\r\n');
  const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(lines[0] ?? '');
  if (!m) return { status: 400, contentType: 'text/plain', body: 'bad request line\n' };
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return { status: 400, contentType: 'text/plain', body: 'bad header line\n' };
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const lengthText = headers.get('content-length') ?? '0';
  if (!/^\d+$/.test(lengthText)) return { status: 400, contentType: 'text/plain', body: 'bad content-length\n' };
  const length = Number(lengthText);
  if (length > HTTP_BODY_BYTES_MAX) return { status: 413, contentType: 'text/plain', body: `body over ${HTTP_BODY_BYTES_MAX} bytes\n` };
  if (buf.length < headEnd + 4 + length) return 'incomplete';
  const target = m[2]!;
  const q = target.indexOf('?');
  return {
    method: m[1]!,
    path: q < 0 ? target : target.slice(0, q),
    query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)),
    headers,
    body: buf.subarray(headEnd + 4, headEnd + 4 + length),
    remoteAddress,
  };
}

function writeResponse(conn: Connection, response: HttpResponse): void {
  const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  const head = `HTTP/1.1 ${response.status} ${REASONS[response.status] ?? 'Status'}\r\n` +
    `Content-Type: ${response.contentType}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  conn.writev([Buffer.from(head, 'latin1'), body]);
  conn.end();
}
