// What the request observer needs to know about a CQL statement without executing it: audit
// category and type (Cassandra's AuditLogEntryType names), the keyspace and table it touches,
// and whether it is a lightweight transaction. Parsed once per query text (bounded cache).

import { parseStatement } from '../cql/mod.js';
import type { Statement } from '../cql/ast.js';
import type { AuditCategory } from '../observability/mod.js';

export interface StatementInfo {
  category: AuditCategory;
  /** SELECT, UPDATE (also INSERT, as Cassandra names it), DELETE, BATCH, CREATE_TABLE, ... */
  type: string;
  /** Keyspace named in the statement (null: the connection's keyspace applies). */
  keyspace: string | null;
  table: string | null;
  /** INSERT ... IF NOT EXISTS, UPDATE/DELETE ... IF. */
  conditional: boolean;
}

/** Statement kinds Cassandra audits as DCL (roles and permissions). */
const DCL_KINDS = new Set(['create_role', 'alter_role', 'drop_role', 'create_user', 'alter_user', 'drop_user', 'grant_role', 'revoke_role',
  'grant_permission', 'revoke_permission', 'list_roles', 'list_users', 'list_permissions']);

/** Cassandra's type names where they differ from the statement kind in upper case. */
const TYPE_NAMES: Record<string, string> = { insert: 'UPDATE', use: 'USE_KEYSPACE', create_materialized_view: 'CREATE_VIEW', alter_materialized_view: 'ALTER_VIEW', drop_materialized_view: 'DROP_VIEW', grant_permission: 'GRANT', revoke_permission: 'REVOKE', grant_role: 'GRANT', revoke_role: 'REVOKE' };

export function statementInfo(s: Statement): StatementInfo {
  const type = TYPE_NAMES[s.kind] ?? s.kind.toUpperCase();
  const named = s as unknown as { table?: { keyspace?: string; name: string }; keyspace?: string | { keyspace?: string }; name?: unknown };
  const table = named.table && typeof named.table === 'object' ? named.table : null;
  let keyspace: string | null = table?.keyspace ?? null;
  if (keyspace === null && typeof named.keyspace === 'string') keyspace = named.keyspace;
  switch (s.kind) {
    case 'select':
      return { category: 'QUERY', type, keyspace, table: table?.name ?? null, conditional: false };
    case 'insert':
      return { category: 'DML', type, keyspace, table: table?.name ?? null, conditional: s.ifNotExists };
    case 'update':
    case 'delete':
      return { category: 'DML', type, keyspace, table: table?.name ?? null, conditional: s.ifClause.kind !== 'none' };
    case 'batch': {
      const inner = s.statements.map(statementInfo);
      return { category: 'DML', type, keyspace: inner[0]?.keyspace ?? null, table: null, conditional: inner.some((i) => i.conditional) };
    }
    case 'truncate':
      return { category: 'DDL', type, keyspace, table: table?.name ?? null, conditional: false };
    case 'use':
      return { category: 'QUERY', type, keyspace, table: null, conditional: false };
    default:
      return { category: DCL_KINDS.has(s.kind) ? 'DCL' : 'DDL', type, keyspace, table: table?.name ?? null, conditional: false };
  }
}

/** Per-statement infos of a BATCH statement's text, or the statement's own info. */
export function batchMembers(s: Statement): StatementInfo[] {
  return s.kind === 'batch' ? s.statements.map(statementInfo) : [statementInfo(s)];
}

export const STATEMENT_INFO_CACHE_MAX = 10_000;

/** Parses query text into StatementInfo, caching by text (oldest evicted past the limit). */
export class StatementInfoCache {
  private readonly byText = new Map<string, StatementInfo | null>();
  constructor(private readonly max = STATEMENT_INFO_CACHE_MAX) {}

  /** null when the text does not parse (the processor will report the syntax error). */
  of(query: string): StatementInfo | null {
    const hit = this.byText.get(query);
    if (hit !== undefined) return hit;
    let info: StatementInfo | null;
    try {
      info = statementInfo(parseStatement(query));
    } catch {
      info = null;
    }
    this.remember(query, info);
    return info;
  }

  remember(query: string, info: StatementInfo | null): void {
    if (this.byText.size >= this.max) this.byText.delete(this.byText.keys().next().value!);
    this.byText.set(query, info);
  }
}
