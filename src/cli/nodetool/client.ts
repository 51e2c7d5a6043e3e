// HTTP/JSON client of the admin API (global fetch, so src/cli needs no http module).

export const ADMIN_TIMEOUT_MS = 10 * 60 * 1000; // flush and compact of big tables take a while

export class AdminCallError extends Error {
  override name = 'AdminCallError';
}

export interface AdminTarget {
  host: string;
  port: number;
}

/** Calls one route; resolves with the parsed JSON (or text for /metrics); rejects with a readable error. */
export async function callAdmin(target: AdminTarget, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const url = `http://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(ADMIN_TIMEOUT_MS),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new AdminCallError(`cannot reach the admin API at ${target.host}:${target.port} (${cause}); is the node running, and is --admin-port right?`);
  }
  const text = await response.text();
  const isJson = (response.headers.get('content-type') ?? '').startsWith('application/json');
  if (!response.ok) {
    const message = isJson ? (JSON.parse(text) as { error?: string }).error ?? text : text;
    throw new AdminCallError(`${method} ${path} failed (${response.status}): ${message.trim()}`);
  }
  return isJson ? JSON.parse(text) : text;
}
