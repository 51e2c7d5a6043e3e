// `cassia auditlog view DIR`, `cassia fql dump DIR` and `cassia fql replay DIR --target HOST:PORT`:
// read the rolled audit and full query log files a node wrote (src/observability), print them,
// or re-execute a full query log against another node with the npm driver, in the logged order.

import cassandra from 'cassandra-driver';
import type { FileSystem } from '../env/mod.js';
import { formatAuditLine, formatFqlEntry, readAuditLog, readFullQueryLog, type FqlEntry } from '../observability/mod.js';

export interface LogsIo {
  out(text: string): void;
  err(text: string): void;
}

/** Prints every audit entry, oldest first, one line each (the format cassia.yaml's docs describe). */
export async function auditlogView(fs: FileSystem, dir: string, io: LogsIo): Promise<number> {
  const events = await readAuditLog(fs, dir);
  for (const e of events) io.out(formatAuditLine(e) + '\n');
  if (events.length === 0) io.err(`cassia auditlog view: no audit entries in ${dir}\n`);
  return 0;
}

export async function fqlDump(fs: FileSystem, dir: string, io: LogsIo): Promise<number> {
  const entries = await readFullQueryLog(fs, dir);
  for (const e of entries) io.out(formatFqlEntry(e) + '\n');
  if (entries.length === 0) io.err(`cassia fql dump: no entries in ${dir}\n`);
  return 0;
}

export interface ReplayOptions {
  target: string;
  dc?: string;
  user?: string;
  password?: string;
}

export interface ReplaySummary {
  executed: number;
  failed: number;
}

/** Splits HOST:PORT ([v6]:port too); the port defaults to 9042. */
export function parseTarget(target: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(target) ?? /^([^:]+)(?::(\d+))?$/.exec(target);
  if (!m) throw new Error(`--target: '${target}' is not HOST or HOST:PORT`);
  const port = m[2] === undefined ? 9042 : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--target: '${m[2]}' is not a port`);
  return { host: m[1]!, port };
}

const BATCH_TYPES: Record<FqlEntry['batchType'], { logged: boolean; counter: boolean }> = {
  logged: { logged: true, counter: false }, unlogged: { logged: false, counter: false }, counter: { logged: false, counter: true },
};

/**
 * Replays every entry in order, one at a time, each at its logged consistency level and in its
 * logged keyspace (USE when it changes). Values go to the driver as the logged bytes (the npm
 * driver sends Buffers unchanged), so no type information is needed. Failures are reported and
 * counted; replay continues.
 */
export async function fqlReplay(fs: FileSystem, dir: string, options: ReplayOptions, io: LogsIo): Promise<ReplaySummary> {
  const entries = await readFullQueryLog(fs, dir);
  const { host, port } = parseTarget(options.target);
  const client = new cassandra.Client({
    contactPoints: [`${host.includes(':') ? `[${host}]` : host}:${port}`], localDataCenter: options.dc ?? 'datacenter1',
    ...(options.user !== undefined ? { credentials: { username: options.user, password: options.password ?? '' } } : {}),
  });
  const summary: ReplaySummary = { executed: 0, failed: 0 };
  await client.connect();
  try {
    let keyspace: string | null = null;
    for (const e of entries) {
      try {
        if (e.keyspace !== null && e.keyspace !== keyspace) {
          await client.execute(`USE "${e.keyspace.replace(/"/g, '""')}"`);
          keyspace = e.keyspace;
        }
        await replayOne(client, e);
        summary.executed++;
      } catch (err) {
        summary.failed++;
        io.err(`cassia fql replay: ${e.queries.map((q) => q.query).join('; ')}: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    }
  } finally {
    await client.shutdown();
  }
  io.out(`replayed ${summary.executed} of ${entries.length} entries (${summary.failed} failed) against ${host}:${port}\n`);
  return summary;
}

async function replayOne(client: cassandra.Client, e: FqlEntry): Promise<void> {
  const consistency = e.consistency;
  if (e.kind === 'batch') {
    await client.batch(e.queries.map((q) => ({ query: q.query, params: q.values })), { prepare: true, consistency, ...BATCH_TYPES[e.batchType] });
    return;
  }
  const q = e.queries[0]!;
  await client.execute(q.query, q.values, { prepare: q.values.length > 0, consistency });
}
