// Permissions and the resources they are granted on, as Cassandra names them. A resource has a
// stored name (system_auth.role_permissions.resource: 'data/ks/t'), a display form used in
// messages and LIST PERMISSIONS ('<table ks.t>'), a parent chain (permissions flow downwards)
// and the set of permissions that apply to it.

import { assertNever } from '../util/assert.js';

/** In Cassandra's enum order (LIST PERMISSIONS sorts by it). */
export const PERMISSIONS = ['CREATE', 'ALTER', 'DROP', 'SELECT', 'MODIFY', 'AUTHORIZE', 'DESCRIBE', 'EXECUTE'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export function isPermission(name: string): name is Permission {
  return (PERMISSIONS as readonly string[]).includes(name);
}

export type AuthResource =
  | { kind: 'all_keyspaces' }
  | { kind: 'keyspace'; keyspace: string }
  | { kind: 'table'; keyspace: string; table: string }
  | { kind: 'all_roles' }
  | { kind: 'role'; role: string }
  | { kind: 'all_functions' }
  | { kind: 'keyspace_functions'; keyspace: string }
  /** `signature` is name[argtype^argtype] as Cassandra stores it, e.g. 'f[int^text]'. */
  | { kind: 'function'; keyspace: string; signature: string };

export const ALL_KEYSPACES: AuthResource = { kind: 'all_keyspaces' };
export const ALL_ROLES: AuthResource = { kind: 'all_roles' };

const DATA_PERMISSIONS: readonly Permission[] = ['CREATE', 'ALTER', 'DROP', 'SELECT', 'MODIFY', 'AUTHORIZE'];
const TABLE_PERMISSIONS: readonly Permission[] = ['ALTER', 'DROP', 'SELECT', 'MODIFY', 'AUTHORIZE'];
const ROOT_ROLE_PERMISSIONS: readonly Permission[] = ['CREATE', 'ALTER', 'DROP', 'AUTHORIZE', 'DESCRIBE'];
const ROLE_PERMISSIONS: readonly Permission[] = ['ALTER', 'DROP', 'AUTHORIZE'];
const FUNCTIONS_PERMISSIONS: readonly Permission[] = ['CREATE', 'ALTER', 'DROP', 'AUTHORIZE', 'EXECUTE'];
const FUNCTION_PERMISSIONS: readonly Permission[] = ['ALTER', 'DROP', 'AUTHORIZE', 'EXECUTE'];

/** The permissions GRANT may give on this resource (GRANT ALL gives exactly these). */
export function applicablePermissions(r: AuthResource): readonly Permission[] {
  switch (r.kind) {
    case 'all_keyspaces': case 'keyspace': return DATA_PERMISSIONS;
    case 'table': return TABLE_PERMISSIONS;
    case 'all_roles': return ROOT_ROLE_PERMISSIONS;
    case 'role': return ROLE_PERMISSIONS;
    case 'all_functions': case 'keyspace_functions': return FUNCTIONS_PERMISSIONS;
    case 'function': return FUNCTION_PERMISSIONS;
    default: return assertNever(r, 'resource');
  }
}

/** Stored name: data, data/ks, data/ks/t, roles, roles/r, functions, functions/ks, functions/ks/f[..]. */
export function resourceName(r: AuthResource): string {
  switch (r.kind) {
    case 'all_keyspaces': return 'data';
    case 'keyspace': return `data/${r.keyspace}`;
    case 'table': return `data/${r.keyspace}/${r.table}`;
    case 'all_roles': return 'roles';
    case 'role': return `roles/${r.role}`;
    case 'all_functions': return 'functions';
    case 'keyspace_functions': return `functions/${r.keyspace}`;
    case 'function': return `functions/${r.keyspace}/${r.signature}`;
    default: return assertNever(r, 'resource');
  }
}

/** Display form used in messages and LIST PERMISSIONS. */
export function resourceDisplay(r: AuthResource): string {
  switch (r.kind) {
    case 'all_keyspaces': return '<all keyspaces>';
    case 'keyspace': return `<keyspace ${r.keyspace}>`;
    case 'table': return `<table ${r.keyspace}.${r.table}>`;
    case 'all_roles': return '<all roles>';
    case 'role': return `<role ${r.role}>`;
    case 'all_functions': return '<all functions>';
    case 'keyspace_functions': return `<all functions in ${r.keyspace}>`;
    case 'function': {
      const open = r.signature.indexOf('[');
      const args = open < 0 ? '' : r.signature.slice(open + 1, -1).split('^').filter((a) => a !== '').join(', ');
      return `<function ${r.keyspace}.${open < 0 ? r.signature : r.signature.slice(0, open)}(${args})>`;
    }
    default: return assertNever(r, 'resource');
  }
}

/** Inverse of resourceName; null for names this node does not know (e.g. mbeans). */
export function parseResourceName(name: string): AuthResource | null {
  const parts = name.split('/');
  const [root, a, b] = parts;
  if (root === 'data') {
    if (parts.length === 1) return { kind: 'all_keyspaces' };
    if (parts.length === 2) return { kind: 'keyspace', keyspace: a! };
    if (parts.length === 3) return { kind: 'table', keyspace: a!, table: b! };
  } else if (root === 'roles') {
    if (parts.length === 1) return { kind: 'all_roles' };
    return { kind: 'role', role: parts.slice(1).join('/') };
  } else if (root === 'functions') {
    if (parts.length === 1) return { kind: 'all_functions' };
    if (parts.length === 2) return { kind: 'keyspace_functions', keyspace: a! };
    return { kind: 'function', keyspace: a!, signature: parts.slice(2).join('/') };
  }
  return null;
}

/** The resource and its parents, most specific first (a table: table, keyspace, all keyspaces). */
export function resourceChain(r: AuthResource): AuthResource[] {
  switch (r.kind) {
    case 'all_keyspaces': case 'all_roles': case 'all_functions': return [r];
    case 'keyspace': return [r, ALL_KEYSPACES];
    case 'table': return [r, { kind: 'keyspace', keyspace: r.keyspace }, ALL_KEYSPACES];
    case 'role': return [r, ALL_ROLES];
    case 'keyspace_functions': return [r, { kind: 'all_functions' }];
    case 'function': return [r, { kind: 'keyspace_functions', keyspace: r.keyspace }, { kind: 'all_functions' }];
    default: return assertNever(r, 'resource');
  }
}

/** Class name Cassandra uses in "Resource type X does not support ..." messages. */
export function resourceTypeName(r: AuthResource): string {
  switch (r.kind) {
    case 'all_keyspaces': case 'keyspace': case 'table': return 'DataResource';
    case 'all_roles': case 'role': return 'RoleResource';
    case 'all_functions': case 'keyspace_functions': case 'function': return 'FunctionResource';
    default: return assertNever(r, 'resource');
  }
}

/**
 * Tables every logged-in role may read, whatever its grants, because drivers read them to
 * connect and load schema (Cassandra's READABLE_SYSTEM_RESOURCES).
 */
export function isAlwaysReadable(keyspace: string, table: string): boolean {
  if (keyspace === 'system_schema' || keyspace === 'system_virtual_schema') return true;
  return keyspace === 'system' && (table === 'local' || table === 'peers' || table === 'peers_v2');
}
