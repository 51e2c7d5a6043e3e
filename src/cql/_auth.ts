// Roles, users and permissions: CREATE/ALTER/DROP ROLE and USER, GRANT/REVOKE (roles and
// permissions), LIST ROLES/USERS/PERMISSIONS. Entry points start after the leading verb.

import type {
  AlterRoleStatement, AlterUserStatement, CreateRoleStatement, CreateUserStatement, GrantPermissionStatement,
  GrantRoleStatement, ListPermissionsStatement, ListRolesStatement, ListUsersStatement, Permission,
  PermissionSet, Resource, RevokePermissionStatement, RevokeRoleStatement, RoleOption,
} from './ast.js';
import { Cursor } from './_cursor.js';
import type { Body } from './_dml.js';
import { parseConstantMap } from './_clauses.js';
import { parseFunctionQualifiedName, parseTypeList } from './_ddl.js';

const PERMISSIONS: ReadonlySet<string> = new Set([
  'create', 'alter', 'drop', 'select', 'modify', 'authorize', 'describe', 'execute', 'unmask', 'select_masked',
]);

/** A role or user name: identifier or string constant. */
function parseRoleName(p: Cursor): string {
  if (p.peek().type === 'string') return p.next().value;
  return p.ident('role name');
}

// ---------------------------------------------------------------------------------------------
// Roles and users

export function parseCreateRole(p: Cursor): Body<CreateRoleStatement> {
  p.expectKw('role');
  const ifNotExists = p.acceptIfNotExists();
  const role = parseRoleName(p);
  const options = p.acceptKw('with') ? parseRoleOptions(p) : [];
  return { kind: 'create_role', ifNotExists, role, options };
}

export function parseAlterRole(p: Cursor): Body<AlterRoleStatement> {
  p.expectKw('role');
  const ifExists = p.acceptIfExists();
  const role = parseRoleName(p);
  p.expectKw('with');
  return { kind: 'alter_role', ifExists, role, options: parseRoleOptions(p) };
}

function parseRoleOptions(p: Cursor): RoleOption[] {
  const options: RoleOption[] = [];
  do options.push(parseRoleOption(p)); while (p.acceptKw('and'));
  return options;
}

function parseRoleOption(p: Cursor): RoleOption {
  if (p.acceptKw('password')) {
    p.expectPunct('=');
    return { kind: 'password', value: p.stringValue('password') };
  }
  if (p.acceptKw('hashed')) {
    p.expectKw('password');
    p.expectPunct('=');
    return { kind: 'hashed_password', value: p.stringValue('hashed password') };
  }
  if (p.acceptKw('login')) {
    p.expectPunct('=');
    return { kind: 'login', value: parseBoolean(p) };
  }
  if (p.acceptKw('superuser')) {
    p.expectPunct('=');
    return { kind: 'superuser', value: parseBoolean(p) };
  }
  if (p.acceptKw('options')) {
    p.expectPunct('=');
    return { kind: 'options', entries: parseConstantMap(p) };
  }
  if (p.acceptKw('access')) {
    p.expectKw('to');
    if (p.acceptKw('all')) {
      p.expectKw('datacenters');
      return { kind: 'access_to_datacenters', all: true, datacenters: [] };
    }
    p.expectKw('datacenters');
    p.expectPunct('{');
    const datacenters: string[] = [];
    do datacenters.push(p.stringValue('datacenter name')); while (p.acceptPunct(','));
    p.expectPunct('}');
    return { kind: 'access_to_datacenters', all: false, datacenters };
  }
  throw p.mismatch('PASSWORD, HASHED PASSWORD, LOGIN, SUPERUSER, OPTIONS or ACCESS');
}

function parseBoolean(p: Cursor): boolean {
  if (p.acceptKw('true')) return true;
  if (p.acceptKw('false')) return false;
  throw p.mismatch('BOOLEAN');
}

export function parseCreateUser(p: Cursor): Body<CreateUserStatement> {
  p.expectKw('user');
  const ifNotExists = p.acceptIfNotExists();
  const user = parseRoleName(p);
  const out: Body<CreateUserStatement> = { kind: 'create_user', ifNotExists, user };
  parseUserOptions(p, out);
  return out;
}

export function parseAlterUser(p: Cursor): Body<AlterUserStatement> {
  p.expectKw('user');
  const ifExists = p.acceptIfExists();
  const user = parseRoleName(p);
  const out: Body<AlterUserStatement> = { kind: 'alter_user', ifExists, user };
  parseUserOptions(p, out);
  return out;
}

function parseUserOptions(p: Cursor, out: { password?: string; hashedPassword?: string; superuser?: boolean }): void {
  if (p.acceptKw('with')) {
    if (p.acceptKw('hashed')) {
      p.expectKw('password');
      out.hashedPassword = p.stringValue('hashed password');
    } else {
      p.expectKw('password');
      out.password = p.stringValue('password');
    }
  }
  if (p.acceptKw('superuser')) out.superuser = true;
  else if (p.acceptKw('nosuperuser')) out.superuser = false;
}

// ---------------------------------------------------------------------------------------------
// GRANT / REVOKE

/** After GRANT. */
export function parseGrant(p: Cursor): Body<GrantRoleStatement> | Body<GrantPermissionStatement> {
  if (isPermissionStart(p)) {
    const permissions = parsePermissionSet(p);
    p.expectKw('on');
    const resource = parseResource(p);
    p.expectKw('to');
    return { kind: 'grant_permission', permissions, resource, grantee: parseRoleName(p) };
  }
  const role = parseRoleName(p);
  p.expectKw('to');
  return { kind: 'grant_role', role, grantee: parseRoleName(p) };
}

/** After REVOKE. */
export function parseRevoke(p: Cursor): Body<RevokeRoleStatement> | Body<RevokePermissionStatement> {
  if (isPermissionStart(p)) {
    const permissions = parsePermissionSet(p);
    p.expectKw('on');
    const resource = parseResource(p);
    p.expectKw('from');
    return { kind: 'revoke_permission', permissions, resource, revokee: parseRoleName(p) };
  }
  const role = parseRoleName(p);
  p.expectKw('from');
  return { kind: 'revoke_role', role, revokee: parseRoleName(p) };
}

/** A permission word followed by ON, PERMISSION(S), ',' or (for LIST) OF / end. */
function isPermissionStart(p: Cursor): boolean {
  const t = p.peek();
  if (t.type !== 'ident' || !(PERMISSIONS.has(t.value) || t.value === 'all')) return false;
  return p.isKw('on', 1) || p.isKw('permission', 1) || p.isKw('permissions', 1) || p.isPunct(',', 1)
    || p.isKw('of', 1) || p.isKw('norecursive', 1) || p.peek(1).type === 'eof' || p.isPunct(';', 1);
}

function parsePermissionSet(p: Cursor): PermissionSet {
  if (p.acceptKw('all')) {
    if (!p.acceptKw('permissions')) p.acceptKw('permission');
    return { kind: 'all' };
  }
  const permissions: Permission[] = [];
  do {
    const t = p.peek();
    if (t.type !== 'ident' || !PERMISSIONS.has(t.value)) throw p.mismatch('a permission');
    p.next();
    permissions.push(t.value.toUpperCase() as Permission);
    if (!p.acceptKw('permission')) p.acceptKw('permissions');
  } while (p.acceptPunct(','));
  return { kind: 'some', permissions };
}

function parseResource(p: Cursor): Resource {
  if (p.acceptKw('all')) {
    if (p.acceptKw('keyspaces')) return { kind: 'all_keyspaces' };
    if (p.acceptKw('roles')) return { kind: 'all_roles' };
    if (p.acceptKw('mbeans')) return { kind: 'all_mbeans' };
    if (p.acceptKw('functions')) {
      if (!p.acceptKw('in')) return { kind: 'all_functions' };
      p.expectKw('keyspace');
      return { kind: 'all_functions', keyspace: p.ident('keyspace name') };
    }
    throw p.mismatch('KEYSPACES, ROLES, FUNCTIONS or MBEANS');
  }
  if (p.acceptKw('keyspace')) return { kind: 'keyspace', keyspace: p.ident('keyspace name') };
  if (p.acceptKw('role')) return { kind: 'role', role: parseRoleName(p) };
  if (p.acceptKw('mbean') || p.acceptKw('mbeans')) return { kind: 'mbean', pattern: p.stringValue('mbean name') };
  if (p.acceptKw('function')) {
    const name = parseFunctionQualifiedName(p);
    return { kind: 'function', name, argTypes: parseTypeList(p) };
  }
  if (!p.acceptKw('table')) p.acceptKw('columnfamily');
  return { kind: 'table', table: p.qualifiedName('table name') };
}

// ---------------------------------------------------------------------------------------------
// LIST

/** After LIST. */
export function parseList(p: Cursor): Body<ListRolesStatement> | Body<ListUsersStatement> | Body<ListPermissionsStatement> {
  if (p.acceptKw('users')) return { kind: 'list_users' };
  if (p.acceptKw('roles')) {
    const out: Body<ListRolesStatement> = { kind: 'list_roles', recursive: true };
    if (p.acceptKw('of')) out.of = parseRoleName(p);
    if (p.acceptKw('norecursive')) out.recursive = false;
    return out;
  }
  if (!isPermissionStart(p)) throw p.mismatch('ROLES, USERS or a permission');
  const permissions = parsePermissionSet(p);
  const out: Body<ListPermissionsStatement> = { kind: 'list_permissions', permissions, recursive: true };
  if (p.acceptKw('on')) out.resource = parseResource(p);
  if (p.acceptKw('of')) out.of = parseRoleName(p);
  if (p.acceptKw('norecursive')) out.recursive = false;
  return out;
}
