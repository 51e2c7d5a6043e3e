// Audit log: one line per audited event, in Cassandra's field layout
// (user:U|host:H|source:S|port:P|timestamp:MS|type:T|category:C|ks:K|scope:S|operation:Q), written to
// rolled files through env.fs. Filters include/exclude by keyspace, user and category; an empty
// include list means "all". `|` and newlines inside values are escaped so each line parses back.

import type { Clock, FileSystem } from '../env/mod.js';
import { RolledLogWriter, listRolledFiles } from './rolled.js';

export const AUDIT_CATEGORIES = ['QUERY', 'DML', 'DDL', 'DCL', 'AUTH', 'ERROR', 'PREPARE', 'ADMIN'] as const;
export type AuditCategory = (typeof AUDIT_CATEGORIES)[number];

export interface AuditEvent {
  user: string;
  /** Client address and port. */
  source: string;
  sourcePort: number;
  /** This node. */
  host: string;
  category: AuditCategory;
  /** Statement or event type: SELECT, UPDATE, CREATE_TABLE, LOGIN_SUCCESS, REQUEST_FAILURE, ... */
  type: string;
  keyspace?: string;
  /** Table (or other object) name. */
  scope?: string;
  /** The query text or a description. */
  operation: string;
  /** Set by the logger from its clock when absent. */
  timestampMs?: number;
}

export interface AuditFilter {
  includedKeyspaces?: string[];
  excludedKeyspaces?: string[];
  includedCategories?: AuditCategory[];
  excludedCategories?: AuditCategory[];
  includedUsers?: string[];
  excludedUsers?: string[];
}

export interface AuditLogOptions {
  fs: FileSystem;
  clock: Clock;
  dir: string;
  filter?: AuditFilter;
  /** Defaults: 16 MiB per file, 10 files, 4 MiB queued. */
  maxFileBytes?: number;
  maxFiles?: number;
  maxPendingBytes?: number;
}

export const AUDIT_FILE_PREFIX = 'audit';
export const AUDIT_FILE_EXT = 'log';

/** Whether an event passes the filter (Cassandra's semantics: exclusions win over inclusions). */
export function auditAllows(filter: AuditFilter, e: Pick<AuditEvent, 'user' | 'category' | 'keyspace'>): boolean {
  const allowed = <T>(value: T | undefined, include?: T[], exclude?: T[]) =>
    !(value !== undefined && exclude?.includes(value)) && (include === undefined || include.length === 0 || (value !== undefined && include.includes(value)));
  return allowed(e.category, filter.includedCategories, filter.excludedCategories)
    && allowed(e.user, filter.includedUsers, filter.excludedUsers)
    && (e.keyspace === undefined ? !(filter.includedKeyspaces?.length) : allowed(e.keyspace, filter.includedKeyspaces, filter.excludedKeyspaces));
}

const escapeField = (v: string) => v.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, '\\n');

export function formatAuditLine(e: AuditEvent & { timestampMs: number }): string {
  const fields: Array<[string, string | undefined]> = [
    ['user', e.user], ['host', e.host], ['source', e.source], ['port', String(e.sourcePort)], ['timestamp', String(e.timestampMs)],
    ['type', e.type], ['category', e.category], ['ks', e.keyspace], ['scope', e.scope], ['operation', e.operation],
  ];
  return fields.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}:${escapeField(v!)}`).join('|');
}

/** Parses one line written by formatAuditLine (for `cassia auditlog view` and tests). */
export function parseAuditLine(line: string): AuditEvent & { timestampMs: number } {
  const fields = new Map<string, string>();
  let key = '';
  let value = '';
  let inKey = true;
  const put = () => { fields.set(key, value); key = ''; value = ''; inKey = true; };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (inKey) {
      if (c === ':') inKey = false;
      else key += c;
    } else if (c === '\\' && i + 1 < line.length) {
      const n = line[++i]!;
      value += n === 'n' ? '\n' : n;
    } else if (c === '|') put();
    else value += c;
  }
  put();
  const get = (k: string) => fields.get(k) ?? '';
  return {
    user: get('user'), host: get('host'), source: get('source'), sourcePort: Number(get('port')), timestampMs: Number(get('timestamp')),
    type: get('type'), category: get('category') as AuditCategory, keyspace: fields.get('ks'), scope: fields.get('scope'), operation: get('operation'),
  };
}

export class AuditLogger {
  private filter: AuditFilter;
  /** Events written (queued) and skipped by the filter. */
  logged = 0;
  filtered = 0;

  private constructor(private readonly writer: RolledLogWriter, private readonly clock: Clock, filter: AuditFilter) {
    this.filter = filter;
  }

  static async open(o: AuditLogOptions): Promise<AuditLogger> {
    const writer = await RolledLogWriter.open({
      fs: o.fs, dir: o.dir, prefix: AUDIT_FILE_PREFIX, ext: AUDIT_FILE_EXT,
      maxFileBytes: o.maxFileBytes ?? 16 * 1024 * 1024, maxFiles: o.maxFiles ?? 10, maxPendingBytes: o.maxPendingBytes ?? 4 * 1024 * 1024,
    });
    return new AuditLogger(writer, o.clock, o.filter ?? {});
  }

  setFilter(filter: AuditFilter): void {
    this.filter = filter;
  }

  /** Cheap pre-check for callers that would build an event only to have it filtered out. */
  wants(e: Pick<AuditEvent, 'user' | 'category' | 'keyspace'>): boolean {
    return auditAllows(this.filter, e);
  }

  /** Queues the event if the filter allows it; never awaits I/O. Returns whether it was queued. */
  log(e: AuditEvent): boolean {
    if (!auditAllows(this.filter, e)) {
      this.filtered++;
      return false;
    }
    const line = formatAuditLine({ ...e, timestampMs: e.timestampMs ?? this.clock.nowMs() }) + '\n';
    const queued = this.writer.append(Buffer.from(line, 'utf8'));
    if (queued) this.logged++;
    return queued;
  }

  /** Events dropped because the write queue was full. */
  dropped(): number {
    return this.writer.dropped;
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}

/** Every event in a directory's audit files, oldest first (`cassia auditlog view`). */
export async function readAuditLog(fs: FileSystem, dir: string): Promise<Array<AuditEvent & { timestampMs: number }>> {
  const out: Array<AuditEvent & { timestampMs: number }> = [];
  for (const f of await listRolledFiles(fs, dir, AUDIT_FILE_PREFIX, AUDIT_FILE_EXT)) {
    const text = (await fs.readFile(f.path)).toString('utf8');
    for (const line of text.split('\n')) if (line.length > 0) out.push(parseAuditLine(line));
  }
  return out;
}
