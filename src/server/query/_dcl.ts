// DCL statements (roles, users, permissions) executed against src/auth with Cassandra 4's
// checks, messages and result columns. Each statement: login check, access check, validation,
// then the change. Creating a role grants its creator ALTER, DROP and AUTHORIZE on it.

import type {
  AlterRoleStatement, AlterUserStatement, CreateRoleStatement, CreateUserStatement, DropRoleStatement, DropUserStatement,
  GrantPermissionStatement, GrantRoleStatement, ListPermissionsStatement, ListRolesStatement, ListUsersStatement,
  PermissionSet, Resource, RevokePermissionStatement, RevokeRoleStatement, RoleOption,
} from '../../cql/ast.js';
import type { ColumnSpec, ResultBody } from '../../protocol/messages.js';
import { serializeMapEntries } from '../../schema/codec.js';
import type { CqlType } from '../../schema/types.js';
import { CqlSyntaxError, InvalidRequest, Unauthorized } from '../../util/errors.js';
import { assertNever } from '../../util/assert.js';
import {
  ALL_KEYSPACES, ALL_ROLES, PERMISSIONS, ROLE_MANAGER_CLASS, applicablePermissions, isPasswordHash, isPermission, resourceChain,
  resourceDisplay, resourceName, resourceTypeName, type AuthResource, type AuthService, type Permission, type PermissionDetail, type RoleOptions, type RoleRecord,
} from '../../auth/mod.js';

export type DclStatement =
  | CreateRoleStatement | AlterRoleStatement | DropRoleStatement | CreateUserStatement | AlterUserStatement | DropUserStatement
  | GrantRoleStatement | RevokeRoleStatement | GrantPermissionStatement | RevokePermissionStatement
  | ListRolesStatement | ListUsersStatement | ListPermissionsStatement;

const DCL_KINDS: ReadonlySet<string> = new Set(['create_role', 'alter_role', 'drop_role', 'create_user', 'alter_user', 'drop_user',
  'grant_role', 'revoke_role', 'grant_permission', 'revoke_permission', 'list_roles', 'list_users', 'list_permissions']);

export function isDcl(s: { kind: string }): s is DclStatement {
  return DCL_KINDS.has(s.kind);
}

export interface DclContext {
  auth: AuthService;
  /** The logged-in user (null: anonymous). */
  user: string | null;
  /** The connection's keyspace, for GRANT ... ON TABLE t without a keyspace. */
  keyspace: string | null;
  /** Whether a keyspace / table exists (resources must exist to be granted on). */
  schema: { keyspace(name: string): unknown; table(keyspace: string, name: string): unknown };
}

const VOID: ResultBody = { kind: 'void' };

/** Runs one DCL statement. */
export function executeDcl(s: DclStatement, ctx: DclContext): Promise<ResultBody> {
  ctx.auth.ensureLoggedIn(ctx.user);
  const c = ctx as DclContext & { user: string };
  switch (s.kind) {
    case 'create_role': return createRole(c, s.role, roleOptions(c, s.options), s.ifNotExists);
    case 'create_user': return createRole(c, s.user, { ...userOptions(c, s), login: true }, s.ifNotExists);
    case 'alter_role': return alterRole(c, s.role, roleOptions(c, s.options), s.ifExists);
    case 'alter_user': return alterRole(c, s.user, userOptions(c, s), s.ifExists);
    case 'drop_role': return dropRole(c, s.role, s.ifExists);
    case 'drop_user': return dropRole(c, s.user, s.ifExists);
    case 'grant_role': return changeMembership(c, s.role, s.grantee, 'grant');
    case 'revoke_role': return changeMembership(c, s.role, s.revokee, 'revoke');
    case 'grant_permission': return changePermissions(c, s.permissions, s.resource, s.grantee, 'GRANT');
    case 'revoke_permission': return changePermissions(c, s.permissions, s.resource, s.revokee, 'REVOKE');
    case 'list_roles': return listRoles(c, s.of ?? null, s.recursive, 'roles');
    case 'list_users': return listRoles(c, null, true, 'users');
    case 'list_permissions': return listPermissions(c, s);
    default: return assertNever(s, 'DCL statement');
  }
}

// ---------------------------------------------------------------------------------------------
// Roles

/** RoleOptions.validate: the options CassandraRoleManager supports with this authenticator. */
function roleOptions(ctx: DclContext, options: RoleOption[]): RoleOptions {
  const out: RoleOptions = {};
  for (const o of options) {
    switch (o.kind) {
      case 'password': out.password = o.value; break;
      case 'hashed_password': out.hashedPassword = o.value; break;
      case 'login': out.login = o.value; break;
      case 'superuser': out.superuser = o.value; break;
      case 'options': throw new InvalidRequest(`${ROLE_MANAGER_CLASS} doesn't support OPTIONS`);
      case 'access_to_datacenters': break; // AllowAllNetworkAuthorizer: every role reaches every datacenter
      default: return assertNever(o, 'role option');
    }
  }
  return checkPasswords(ctx, out);
}

function userOptions(ctx: DclContext, s: CreateUserStatement | AlterUserStatement): RoleOptions {
  const out: RoleOptions = {};
  if (s.password !== undefined) out.password = s.password;
  if (s.hashedPassword !== undefined) out.hashedPassword = s.hashedPassword;
  if (s.superuser !== undefined) out.superuser = s.superuser;
  return checkPasswords(ctx, out);
}

function checkPasswords(ctx: DclContext, o: RoleOptions): RoleOptions {
  if ((o.password !== undefined || o.hashedPassword !== undefined) && !ctx.auth.requiresLogin) {
    throw new InvalidRequest(`${ROLE_MANAGER_CLASS} doesn't support ${o.password !== undefined ? 'PASSWORD' : 'HASHED_PASSWORD'}`);
  }
  if (o.password !== undefined && o.hashedPassword !== undefined) throw new InvalidRequest('Options PASSWORD and HASHED_PASSWORD are mutually exclusive');
  if (o.hashedPassword !== undefined && !isPasswordHash(o.hashedPassword)) {
    throw new InvalidRequest('Invalid hashed password value: this node stores scrypt hashes ($scrypt$ln=..,r=..,p=..$salt$key, as in system_auth.roles.salted_hash)');
  }
  return o;
}

/** ClientState.ensurePermission on a role resource, with the role statements' friendlier message. */
async function checkRolePermission(ctx: DclContext & { user: string }, permission: Permission, resource: AuthResource): Promise<void> {
  if (!ctx.auth.checksPermissions || await ctx.auth.hasPermission(ctx.user, permission, resource)) return;
  throw new Unauthorized(`User ${ctx.user} does not have sufficient privileges to perform the requested operation`);
}

async function createRole(ctx: DclContext & { user: string }, role: string, options: RoleOptions, ifNotExists: boolean): Promise<ResultBody> {
  const { auth } = ctx;
  await checkRolePermission(ctx, 'CREATE', ALL_ROLES);
  if (options.superuser === true && !(await auth.isSuper(ctx.user))) throw new Unauthorized('Only superusers can create a role with superuser status');
  if (await auth.roles.exists(role)) {
    if (ifNotExists) return VOID;
    throw new InvalidRequest(`${role} already exists`);
  }
  await auth.roles.createRole(role, options);
  const resource: AuthResource = { kind: 'role', role };
  if (auth.checksPermissions) await auth.permissions.grant(applicablePermissions(resource), resource, ctx.user);
  return VOID;
}

const ALTERABLE_OWN_OPTIONS: ReadonlySet<keyof RoleOptions> = new Set(['password', 'hashedPassword']);
const OPTION_NAMES: Record<keyof RoleOptions, string> = { password: 'PASSWORD', hashedPassword: 'HASHED_PASSWORD', login: 'LOGIN', superuser: 'SUPERUSER' };

async function alterRole(ctx: DclContext & { user: string }, role: string, options: RoleOptions, ifExists: boolean): Promise<ResultBody> {
  const { auth, user } = ctx;
  const keys = Object.keys(options) as (keyof RoleOptions)[];
  if (keys.length === 0) throw new InvalidRequest(`ALTER [ROLE|USER] can't be empty`);
  const isSuper = await auth.isSuper(user);
  if (options.superuser !== undefined) {
    if ((await auth.roles.rolesOf(user, true)).some((r) => r.name === role)) {
      throw new Unauthorized("You aren't allowed to alter your own superuser status or that of a role granted to you");
    }
    if (!isSuper) throw new Unauthorized('Only superusers are allowed to alter superuser status');
  }
  if (!isSuper) {
    if (user === role) {
      const denied = keys.find((k) => !ALTERABLE_OWN_OPTIONS.has(k));
      if (denied !== undefined) throw new Unauthorized(`You aren't allowed to alter ${OPTION_NAMES[denied]}`);
    } else {
      await checkRolePermission(ctx, 'ALTER', { kind: 'role', role });
    }
  }
  if (!(await auth.roles.exists(role))) {
    if (ifExists) return VOID;
    throw new InvalidRequest(`${role} doesn't exist`);
  }
  await auth.roles.alterRole(role, options);
  return VOID;
}

async function dropRole(ctx: DclContext & { user: string }, role: string, ifExists: boolean): Promise<ResultBody> {
  const { auth, user } = ctx;
  const resource: AuthResource = { kind: 'role', role };
  await checkRolePermission(ctx, 'DROP', resource);
  const exists = await auth.roles.exists(role);
  if (exists && await auth.roles.hasSuperuserStatus(role) && !(await auth.isSuper(user))) {
    throw new Unauthorized('Only superusers can drop a role with superuser status');
  }
  if (!exists) {
    if (ifExists) return VOID;
    throw new InvalidRequest(`${role} doesn't exist`);
  }
  if (user === role) throw new InvalidRequest('Cannot DROP primary role for current login');
  await auth.roles.dropRole(role);
  await auth.permissions.revokeAllFrom(role);
  await auth.permissions.revokeAllOn(resource);
  return VOID;
}

async function changeMembership(ctx: DclContext & { user: string }, role: string, grantee: string, op: 'grant' | 'revoke'): Promise<ResultBody> {
  const { auth } = ctx;
  await checkRolePermission(ctx, 'AUTHORIZE', { kind: 'role', role });
  if (!(await auth.roles.exists(role))) throw new InvalidRequest(`${role} doesn't exist`);
  if (!(await auth.roles.exists(grantee))) throw new InvalidRequest(`${grantee} doesn't exist`);
  if (op === 'grant') await auth.roles.grantRole(role, grantee);
  else await auth.roles.revokeRole(role, grantee);
  return VOID;
}

async function listRoles(ctx: DclContext & { user: string }, of: string | null, recursive: boolean, what: 'roles' | 'users'): Promise<ResultBody> {
  const { auth, user } = ctx;
  if (of !== null && !(await auth.roles.exists(of))) throw new InvalidRequest(`${of} doesn't exist`);
  const describeAll = !auth.checksPermissions || await auth.isSuper(user) || (await auth.authorize(user, ALL_ROLES)).has('DESCRIBE');
  let roles: RoleRecord[];
  if (describeAll) roles = of === null ? await auth.roles.allRoles() : await auth.roles.rolesOf(of, recursive);
  else if (of === null) roles = await auth.roles.rolesOf(user, recursive);
  else if ((await auth.roles.rolesOf(user, true)).some((r) => r.name === of)) roles = await auth.roles.rolesOf(of, recursive);
  else throw new Unauthorized(`You are not authorized to view roles granted to ${of}`);
  roles = [...roles].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (what === 'roles') {
    return rows(ROLES_COLUMNS, roles.map((r) => [text(r.name), bool(r.isSuperuser), bool(r.canLogin), serializeMapEntries([]), text('ALL')]));
  }
  const users = roles.filter((r) => r.canLogin);
  const out: (Buffer | null)[][] = [];
  for (const r of users) out.push([text(r.name), bool(await auth.roles.hasSuperuserStatus(r.name)), text('ALL')]);
  return rows(USERS_COLUMNS, out);
}

// ---------------------------------------------------------------------------------------------
// Permissions

/** The statement's resource with the connection keyspace filled in; it must exist. */
async function resolveResource(ctx: DclContext, r: Resource): Promise<AuthResource> {
  let out: AuthResource;
  switch (r.kind) {
    case 'all_keyspaces': return ALL_KEYSPACES;
    case 'all_roles': return ALL_ROLES;
    case 'keyspace': out = { kind: 'keyspace', keyspace: r.keyspace }; break;
    case 'table': {
      const ks = r.table.keyspace ?? ctx.keyspace;
      if (ks === null) throw new InvalidRequest('No keyspace has been specified. USE a keyspace, or explicitly specify keyspace.tablename');
      out = { kind: 'table', keyspace: ks, table: r.table.name };
      break;
    }
    case 'role': out = { kind: 'role', role: r.role }; break;
    case 'all_functions': return r.keyspace === undefined ? { kind: 'all_functions' } : { kind: 'keyspace_functions', keyspace: r.keyspace };
    case 'function': throw new InvalidRequest(`Resource <function ${r.name.keyspace ?? ctx.keyspace ?? ''}.${r.name.name}> doesn't exist (user-defined functions are not supported by this node)`);
    case 'all_mbeans': case 'mbean': throw new InvalidRequest('MBean resources are not supported by this node');
    default: return assertNever(r, 'resource');
  }
  const exists = out.kind === 'keyspace' ? ctx.schema.keyspace(out.keyspace) !== undefined
    : out.kind === 'table' ? ctx.schema.table(out.keyspace, out.table) !== undefined
      : await ctx.auth.roles.exists((out as { role: string }).role);
  if (!exists) throw new InvalidRequest(`Resource ${resourceDisplay(out)} doesn't exist`);
  return out;
}

/** The permissions a GRANT/REVOKE names that apply to the resource (Cassandra drops the others). */
function grantablePermissions(set: PermissionSet, resource: AuthResource): Permission[] {
  const applicable = applicablePermissions(resource);
  if (set.kind === 'all') return [...applicable];
  const out = set.permissions.filter((p): p is Permission => isPermission(p) && applicable.includes(p));
  if (out.length === 0) throw new CqlSyntaxError(`Resource type ${resourceTypeName(resource)} does not support any of the requested permissions`);
  return out;
}

async function changePermissions(ctx: DclContext & { user: string }, set: PermissionSet, r: Resource, role: string, op: 'GRANT' | 'REVOKE'): Promise<ResultBody> {
  const { auth, user } = ctx;
  const resource = await resolveResource(ctx, r);
  const permissions = grantablePermissions(set, resource);
  await auth.ensurePermission(user, 'AUTHORIZE', resource);
  for (const p of permissions) await auth.ensurePermission(user, p, resource);
  if (!(await auth.roles.exists(role))) throw new InvalidRequest(`Role ${role} doesn't exist`);
  if (!auth.checksPermissions) throw new InvalidRequest(`${op} operation is not supported by AllowAllAuthorizer`);
  if (op === 'GRANT') await auth.permissions.grant(permissions, resource, role);
  else await auth.permissions.revoke(permissions, resource, role);
  return VOID;
}

async function listPermissions(ctx: DclContext & { user: string }, s: ListPermissionsStatement): Promise<ResultBody> {
  const { auth, user } = ctx;
  const resource = s.resource === undefined ? null : await resolveResource(ctx, s.resource);
  const of = s.of ?? null;
  if (of !== null && !(await auth.roles.exists(of))) throw new InvalidRequest(`${of} doesn't exist`);
  const allowed = await auth.isSuper(user) || (of !== null && (await auth.roles.rolesOf(user, true)).some((r) => r.name === of));
  if (!allowed) throw new Unauthorized(`You are not authorized to view ${of ?? 'everyone'}'s permissions`);
  if (!auth.checksPermissions) throw new InvalidRequest('LIST PERMISSIONS operation is not supported by AllowAllAuthorizer');
  const permissions = new Set<Permission>(s.permissions.kind === 'all' ? PERMISSIONS : s.permissions.permissions.filter(isPermission));
  const roles = of === null ? null : (await auth.roles.rolesOf(of, true)).map((r) => r.name);
  const resources = resource === null ? [null] : s.recursive ? resourceChain(resource) : [resource];
  const details: PermissionDetail[] = [];
  for (const res of resources) details.push(...await auth.permissions.list({ permissions, resource: res, roles }));
  details.sort(comparePermissionDetails);
  return rows(PERMISSIONS_COLUMNS, details.map((d) => [text(d.role), text(d.role), text(resourceDisplay(d.resource)), text(d.permission)]));
}

function comparePermissionDetails(a: PermissionDetail, b: PermissionDetail): number {
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return cmp(a.role, b.role) || cmp(resourceKey(a.resource), resourceKey(b.resource)) || PERMISSIONS.indexOf(a.permission) - PERMISSIONS.indexOf(b.permission);
}

const resourceKey = (r: AuthResource): string => resourceName(r);

// ---------------------------------------------------------------------------------------------
// Results

const TEXT: CqlType = { kind: 'native', name: 'text' };
const BOOLEAN: CqlType = { kind: 'native', name: 'boolean' };
const spec = (table: string, name: string, type: CqlType): ColumnSpec => ({ keyspace: 'system_auth', table, name, type });
const ROLES_COLUMNS: ColumnSpec[] = [
  spec('roles', 'role', TEXT), spec('roles', 'super', BOOLEAN), spec('roles', 'login', BOOLEAN),
  spec('roles', 'options', { kind: 'map', key: TEXT, value: TEXT, frozen: false }), spec('roles', 'datacenters', TEXT),
];
const USERS_COLUMNS: ColumnSpec[] = [spec('roles', 'name', TEXT), spec('roles', 'super', BOOLEAN), spec('roles', 'datacenters', TEXT)];
const PERMISSIONS_COLUMNS: ColumnSpec[] = [
  spec('permissions', 'role', TEXT), spec('permissions', 'username', TEXT), spec('permissions', 'resource', TEXT), spec('permissions', 'permission', TEXT),
];

const text = (s: string): Buffer => Buffer.from(s, 'utf8');
const bool = (b: boolean): Buffer => Buffer.from([b ? 1 : 0]);

function rows(columns: ColumnSpec[], data: (Buffer | null)[][]): ResultBody {
  return { kind: 'rows', columns, rows: data, pagingState: null, noMetadata: false, newMetadataId: null };
}
