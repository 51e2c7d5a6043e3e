// What a (non-DCL) statement needs under CassandraAuthorizer, as Cassandra's checkAccess asks:
// SELECT on the table to read, MODIFY to write or truncate (plus SELECT for IF conditions),
// CREATE on all keyspaces / the keyspace to create a keyspace / a table or type, ALTER and DROP
// on the object itself. Computed once per compiled statement; checked on every execution.

import type { Statement } from '../../cql/ast.js';
import { ALL_KEYSPACES, isAlwaysReadable, type AuthResource, type Permission } from '../../auth/mod.js';

export interface Requirement {
  permission: Permission;
  resource: AuthResource;
}

const table = (ks: string, t: string): AuthResource => ({ kind: 'table', keyspace: ks, table: t });
const keyspace = (ks: string): AuthResource => ({ kind: 'keyspace', keyspace: ks });

/** `keyspace` is the one unqualified names resolve to (already validated by planning). */
export function requirementsOf(s: Statement, current: string | null): Requirement[] {
  const ks = (name: { keyspace?: string }): string => name.keyspace ?? current ?? '';
  switch (s.kind) {
    case 'select': {
      const k = ks(s.table);
      return isAlwaysReadable(k, s.table.name) ? [] : [{ permission: 'SELECT', resource: table(k, s.table.name) }];
    }
    case 'insert': case 'update': case 'delete': {
      const r = table(ks(s.table), s.table.name);
      const conditional = s.kind === 'insert' ? s.ifNotExists : s.ifClause.kind !== 'none';
      return conditional ? [{ permission: 'MODIFY', resource: r }, { permission: 'SELECT', resource: r }] : [{ permission: 'MODIFY', resource: r }];
    }
    case 'batch': return dedupe(s.statements.flatMap((m) => requirementsOf(m, current)));
    case 'truncate': return [{ permission: 'MODIFY', resource: table(ks(s.table), s.table.name) }];
    case 'create_keyspace': return [{ permission: 'CREATE', resource: ALL_KEYSPACES }];
    case 'alter_keyspace': return [{ permission: 'ALTER', resource: keyspace(s.keyspace) }];
    case 'drop_keyspace': return [{ permission: 'DROP', resource: keyspace(s.keyspace) }];
    case 'create_table': return [{ permission: 'CREATE', resource: keyspace(ks(s.table)) }];
    case 'alter_table': return [{ permission: 'ALTER', resource: table(ks(s.table), s.table.name) }];
    case 'drop_table': return [{ permission: 'DROP', resource: table(ks(s.table), s.table.name) }];
    case 'create_type': return [{ permission: 'CREATE', resource: keyspace(ks(s.name)) }];
    case 'alter_type': return [{ permission: 'ALTER', resource: keyspace(ks(s.name)) }];
    case 'drop_type': return [{ permission: 'DROP', resource: keyspace(ks(s.name)) }];
    default: return []; // USE needs nothing; DCL checks itself (src/server/query/_dcl.ts)
  }
}

function dedupe(rs: Requirement[]): Requirement[] {
  const seen = new Set<string>();
  return rs.filter((r) => {
    const key = `${r.permission} ${JSON.stringify(r.resource)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
