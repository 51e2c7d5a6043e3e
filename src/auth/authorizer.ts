// Granted permissions as Cassandra's CassandraAuthorizer keeps them: system_auth.role_permissions
// (role → resource → set of permission names) plus resource_role_permissons_index (resource →
// roles holding something on it, for dropping a keyspace, table or role). Reads go through a
// bounded cache of each role's grants (permissions_validity).

import type { Clock } from '../env/mod.js';
import { ExpiringCache } from './_cache.js';
import { AuthTables, RESOURCE_INDEX, ROLE_PERMISSIONS } from './_tables.js';
import { PERMISSIONS, isPermission, parseResourceName, resourceName, type AuthResource, type Permission } from './resources.js';

export const AUTHORIZER_CLASS = 'org.apache.cassandra.auth.CassandraAuthorizer';

/** One LIST PERMISSIONS row. */
export interface PermissionDetail {
  role: string;
  resource: AuthResource;
  permission: Permission;
}

export interface PermissionLimits {
  validityMs: number;
  cacheMax: number;
}

export const DEFAULT_PERMISSION_LIMITS: PermissionLimits = { validityMs: 2_000, cacheMax: 1_000 };

/** resource name → permissions, for one role. */
type Grants = Map<string, Set<Permission>>;

export class PermissionStore {
  private readonly cache: ExpiringCache<Grants>;

  constructor(private readonly deps: { tables: AuthTables; clock: Clock; limits?: Partial<PermissionLimits> }) {
    const limits = { ...DEFAULT_PERMISSION_LIMITS, ...deps.limits };
    this.cache = new ExpiringCache({ clock: deps.clock, validityMs: limits.validityMs, maxEntries: limits.cacheMax });
  }

  invalidate(): void {
    this.cache.clear();
  }

  /** Permissions granted directly to `role` on exactly `resource`. */
  async granted(role: string, resource: AuthResource): Promise<ReadonlySet<Permission>> {
    return (await this.grantsOf(role)).get(resourceName(resource)) ?? new Set();
  }

  async grant(permissions: readonly Permission[], resource: AuthResource, grantee: string): Promise<void> {
    const t = this.deps.tables;
    const name = resourceName(resource);
    await t.write([
      t.upsert(ROLE_PERMISSIONS, grantee, [name], [{ column: 'permissions', add: [...permissions] }], { insert: false }),
      t.upsert(RESOURCE_INDEX, name, [grantee], [], { insert: true }),
    ], 'LOCAL_ONE');
    this.invalidate();
  }

  async revoke(permissions: readonly Permission[], resource: AuthResource, revokee: string): Promise<void> {
    const t = this.deps.tables;
    const name = resourceName(resource);
    await t.write([t.upsert(ROLE_PERMISSIONS, revokee, [name], [{ column: 'permissions', remove: [...permissions] }], { insert: false })], 'LOCAL_ONE');
    this.invalidate();
    const left = (await this.readGrants(revokee)).get(name);
    if (left === undefined || left.size === 0) await t.write([t.deletion(RESOURCE_INDEX, name, [revokee])], 'LOCAL_ONE');
  }

  /** Everything granted to a role (DROP ROLE). */
  async revokeAllFrom(role: string): Promise<void> {
    const t = this.deps.tables;
    const grants = await this.readGrants(role);
    await t.write([t.deletion(ROLE_PERMISSIONS, role, []), ...[...grants.keys()].map((r) => t.deletion(RESOURCE_INDEX, r, [role]))], 'LOCAL_ONE');
    this.invalidate();
  }

  /** Everything granted on a resource, to any role (DROP KEYSPACE/TABLE/ROLE). */
  async revokeAllOn(resource: AuthResource): Promise<void> {
    const t = this.deps.tables;
    const name = resourceName(resource);
    const holders = await t.partition(RESOURCE_INDEX, name, 'LOCAL_ONE');
    await t.write([t.deletion(RESOURCE_INDEX, name, []), ...holders.map((h) => t.deletion(ROLE_PERMISSIONS, h.clustering[0]!, [name]))], 'LOCAL_ONE');
    this.invalidate();
  }

  /**
   * Grants matching the filters, sorted as Cassandra sorts them (role, resource name, permission
   * order). `roles` null: every role. `resource` null: every resource.
   */
  async list(filter: { permissions: ReadonlySet<Permission>; resource: AuthResource | null; roles: string[] | null }): Promise<PermissionDetail[]> {
    const wanted = filter.resource === null ? null : resourceName(filter.resource);
    const byRole = new Map<string, Grants>();
    if (filter.roles === null) {
      for (const { key, row } of await this.deps.tables.scan(ROLE_PERMISSIONS, 'LOCAL_ONE')) {
        const grants = byRole.get(key) ?? new Map<string, Set<Permission>>();
        grants.set(row.clustering[0]!, toPermissions(row.sets.get('permissions')));
        byRole.set(key, grants);
      }
    } else {
      for (const role of filter.roles) byRole.set(role, await this.readGrants(role));
    }
    const out: (PermissionDetail & { name: string })[] = [];
    for (const [role, grants] of byRole) {
      for (const [name, perms] of grants) {
        if (wanted !== null && name !== wanted) continue;
        const resource = parseResourceName(name);
        if (resource === null) continue;
        for (const p of perms) if (filter.permissions.has(p)) out.push({ role, resource, permission: p, name });
      }
    }
    out.sort((a, b) => cmp(a.role, b.role) || cmp(a.name, b.name) || PERMISSIONS.indexOf(a.permission) - PERMISSIONS.indexOf(b.permission));
    return out.map(({ role, resource, permission }) => ({ role, resource, permission }));
  }

  private grantsOf(role: string): Promise<Grants> {
    return this.cache.get(role, () => this.readGrants(role));
  }

  private async readGrants(role: string): Promise<Grants> {
    const rows = await this.deps.tables.partition(ROLE_PERMISSIONS, role, 'LOCAL_ONE');
    return new Map(rows.map((r) => [r.clustering[0]!, toPermissions(r.sets.get('permissions'))]));
  }
}

function toPermissions(names: string[] | undefined): Set<Permission> {
  return new Set((names ?? []).filter(isPermission));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
