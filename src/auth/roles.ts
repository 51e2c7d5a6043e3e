// Roles as Cassandra's CassandraRoleManager keeps them: system_auth.roles (one partition per
// role) and system_auth.role_members (who holds a role), read through a bounded roles cache.
// Role grants form a directed acyclic graph; a role's roles are itself plus everything it was
// granted, transitively. Superuser status is inherited, LOGIN is not.

import type { Clock, Random } from '../env/mod.js';
import type { ConsistencyName } from '../util/errors.js';
import { InvalidRequest } from '../util/errors.js';
import { ExpiringCache } from './_cache.js';
import { AuthTables, ROLES, ROLE_MEMBERS, bool, readBool, readText, text, type CellChange } from './_tables.js';
import { SALT_BYTES, hashPassword } from './password.js';

export const DEFAULT_SUPERUSER_NAME = 'cassandra';
export const DEFAULT_SUPERUSER_PASSWORD = 'cassandra';
export const ROLE_MANAGER_CLASS = 'org.apache.cassandra.auth.CassandraRoleManager';
/** Roles one role may hold transitively; the walk stops with an error past it. */
export const ROLE_DEPTH_MAX = 1_000;

export interface RoleRecord {
  name: string;
  isSuperuser: boolean;
  canLogin: boolean;
  saltedHash: string | null;
  /** Roles granted directly to this one. */
  memberOf: string[];
}

/** CREATE/ALTER ROLE options after parsing (USER statements map onto these). */
export interface RoleOptions {
  password?: string;
  hashedPassword?: string;
  login?: boolean;
  superuser?: boolean;
}

export interface RoleLimits {
  /** roles_validity: how long a cached role record is used. */
  validityMs: number;
  /** Roles kept in the cache. */
  cacheMax: number;
}

export const DEFAULT_ROLE_LIMITS: RoleLimits = { validityMs: 2_000, cacheMax: 1_000 };

/** Cassandra reads and writes the default superuser at QUORUM, every other role at LOCAL_ONE. */
export function consistencyForRole(role: string): ConsistencyName {
  return role === DEFAULT_SUPERUSER_NAME ? 'QUORUM' : 'LOCAL_ONE';
}

export class RoleManager {
  private readonly cache: ExpiringCache<RoleRecord | null>;

  constructor(private readonly deps: { tables: AuthTables; clock: Clock; random: Random; limits?: Partial<RoleLimits> }) {
    const limits = { ...DEFAULT_ROLE_LIMITS, ...deps.limits };
    this.cache = new ExpiringCache({ clock: deps.clock, validityMs: limits.validityMs, maxEntries: limits.cacheMax });
  }

  /** Forgets cached roles (after a local change; other nodes' changes show within validityMs). */
  invalidate(): void {
    this.cache.clear();
  }

  getRole(name: string): Promise<RoleRecord | null> {
    return this.cache.get(name, () => this.readRole(name));
  }

  async exists(name: string): Promise<boolean> {
    return (await this.getRole(name)) !== null;
  }

  /** The role itself and, if recursive, every role granted to it transitively; in discovery order. */
  async rolesOf(name: string, recursive: boolean): Promise<RoleRecord[]> {
    const first = await this.getRole(name);
    if (first === null) return [];
    const seen = new Map<string, RoleRecord>([[name, first]]);
    const queue = [first];
    while (queue.length > 0) {
      const r = queue.shift()!;
      if (!recursive && r !== first) continue;
      for (const parent of r.memberOf) {
        if (seen.has(parent)) continue;
        if (seen.size >= ROLE_DEPTH_MAX) throw new InvalidRequest(`Role ${name} holds more than ${ROLE_DEPTH_MAX} roles`);
        const p = await this.getRole(parent);
        if (p === null) continue; // dropped concurrently
        seen.set(parent, p);
        queue.push(p);
      }
    }
    return [...seen.values()];
  }

  /** Superuser status, inherited through granted roles (Roles.hasSuperuserStatus). */
  async hasSuperuserStatus(name: string): Promise<boolean> {
    return (await this.rolesOf(name, true)).some((r) => r.isSuperuser);
  }

  async allRoles(): Promise<RoleRecord[]> {
    const rows = await this.deps.tables.scan(ROLES, 'LOCAL_ONE');
    return rows.map(({ key, row }) => toRecord(key, row)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** True when any role exists (checked before creating the default superuser). */
  async hasExistingRoles(): Promise<boolean> {
    if ((await this.readRole(DEFAULT_SUPERUSER_NAME)) !== null) return true;
    return (await this.deps.tables.scan(ROLES, 'LOCAL_ONE')).length > 0;
  }

  async createRole(name: string, options: RoleOptions, opts: { timestampMicros?: number } = {}): Promise<void> {
    const changes: CellChange[] = [
      { column: 'is_superuser', value: bool(options.superuser ?? false) },
      { column: 'can_login', value: bool(options.login ?? false) },
    ];
    const hash = await this.hashOf(options);
    if (hash !== null) changes.push({ column: 'salted_hash', value: text(hash) });
    const update = this.deps.tables.upsert(ROLES, name, [], changes, { insert: true, ...opts });
    await this.deps.tables.write([update], consistencyForRole(name));
    this.invalidate();
  }

  async alterRole(name: string, options: RoleOptions): Promise<void> {
    const changes: CellChange[] = [];
    if (options.superuser !== undefined) changes.push({ column: 'is_superuser', value: bool(options.superuser) });
    if (options.login !== undefined) changes.push({ column: 'can_login', value: bool(options.login) });
    const hash = await this.hashOf(options);
    if (hash !== null) changes.push({ column: 'salted_hash', value: text(hash) });
    if (changes.length === 0) return;
    await this.deps.tables.write([this.deps.tables.upsert(ROLES, name, [], changes, { insert: false })], consistencyForRole(name));
    this.invalidate();
  }

  /** Removes the role and every membership in either direction. */
  async dropRole(name: string): Promise<void> {
    const role = await this.readRole(name);
    const t = this.deps.tables;
    const members = await t.partition(ROLE_MEMBERS, name, consistencyForRole(name));
    const updates = [
      t.deletion(ROLES, name, []),
      t.deletion(ROLE_MEMBERS, name, []),
      ...(role?.memberOf ?? []).map((parent) => t.deletion(ROLE_MEMBERS, parent, [name])),
      ...members.map((m) => t.upsert(ROLES, m.clustering[0]!, [], [{ column: 'member_of', remove: [name] }], { insert: false })),
    ];
    await t.write(updates, consistencyForRole(name));
    this.invalidate();
  }

  /** GRANT role TO grantee; refuses a grant that would make a cycle (Cassandra's messages). */
  async grantRole(role: string, grantee: string): Promise<void> {
    if ((await this.rolesOf(grantee, true)).some((r) => r.name === role)) throw new InvalidRequest(`${grantee} is a member of ${role}`);
    if ((await this.rolesOf(role, true)).some((r) => r.name === grantee)) throw new InvalidRequest(`${role} is a member of ${grantee}`);
    const t = this.deps.tables;
    await t.write([
      t.upsert(ROLES, grantee, [], [{ column: 'member_of', add: [role] }], { insert: false }),
      t.upsert(ROLE_MEMBERS, role, [grantee], [], { insert: true }),
    ], consistencyForRole(grantee));
    this.invalidate();
  }

  async revokeRole(role: string, revokee: string): Promise<void> {
    const r = await this.readRole(revokee);
    if (r === null || !r.memberOf.includes(role)) throw new InvalidRequest(`${revokee} is not a member of ${role}`);
    const t = this.deps.tables;
    await t.write([
      t.upsert(ROLES, revokee, [], [{ column: 'member_of', remove: [role] }], { insert: false }),
      t.deletion(ROLE_MEMBERS, role, [revokee]),
    ], consistencyForRole(revokee));
    this.invalidate();
  }

  private async hashOf(options: RoleOptions): Promise<string | null> {
    if (options.hashedPassword !== undefined) return options.hashedPassword;
    if (options.password === undefined) return null;
    return hashPassword(options.password, this.deps.random.bytes(SALT_BYTES));
  }

  private async readRole(name: string): Promise<RoleRecord | null> {
    const rows = await this.deps.tables.partition(ROLES, name, consistencyForRole(name));
    const row = rows[0];
    return row === undefined ? null : toRecord(name, row);
  }
}

function toRecord(name: string, row: Parameters<typeof readText>[0]): RoleRecord {
  return {
    name,
    isSuperuser: readBool(row, 'is_superuser'),
    canLogin: readBool(row, 'can_login'),
    saltedHash: readText(row, 'salted_hash'),
    memberOf: row.sets.get('member_of') ?? [],
  };
}
