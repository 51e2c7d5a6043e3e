// AuthService: the node's roles, grants and the checks made before each statement, configured
// by cassia.yaml's authenticator and authorizer. With AllowAllAuthorizer no check is made;
// with CassandraAuthorizer a statement needs each permission it requires on the resource or on
// one of its parents, through any role the user holds; superusers pass every check.

import type { Clock, Random, Scheduler, TimerHandle } from '../env/mod.js';
import { AuthenticationError, ConfigError, Unauthorized } from '../util/errors.js';
import { AuthTables, type AuthCoordinator, type AuthSchema } from './_tables.js';
import { DEFAULT_SUPERUSER_NAME, DEFAULT_SUPERUSER_PASSWORD, RoleManager, type RoleLimits } from './roles.js';
import { PermissionStore, type PermissionLimits } from './authorizer.js';
import { verifyPassword } from './password.js';
import { resourceChain, resourceDisplay, type AuthResource, type Permission } from './resources.js';

export type AuthenticatorName = 'AllowAllAuthenticator' | 'PasswordAuthenticator';
export type AuthorizerName = 'AllowAllAuthorizer' | 'CassandraAuthorizer';

export interface AuthLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface AuthServiceOptions {
  authenticator: AuthenticatorName;
  authorizer: AuthorizerName;
  coordinator: AuthCoordinator;
  schema: AuthSchema;
  clock: Clock;
  random: Random;
  scheduler: Scheduler;
  logger: AuthLogger;
  roleLimits?: Partial<RoleLimits>;
  permissionLimits?: Partial<PermissionLimits>;
}

/** Default-superuser setup attempts (each after SETUP_RETRY_MS) before giving up with an error log. */
export const SETUP_ATTEMPTS_MAX = 30;
export const SETUP_RETRY_MS = 10_000;

export class AuthService {
  readonly roles: RoleManager;
  readonly permissions: PermissionStore;
  /** PasswordAuthenticator: clients log in with SASL PLAIN. */
  readonly requiresLogin: boolean;
  /** CassandraAuthorizer: statements are checked against grants. */
  readonly checksPermissions: boolean;

  constructor(private readonly opts: AuthServiceOptions) {
    if (opts.authenticator === 'AllowAllAuthenticator' && opts.authorizer !== 'AllowAllAuthorizer') {
      throw new ConfigError(`AllowAllAuthenticator can't be used with ${opts.authorizer} (authorizer needs authenticated users: set authenticator: PasswordAuthenticator)`);
    }
    const tables = new AuthTables({ coordinator: opts.coordinator, schema: opts.schema, clock: opts.clock });
    this.roles = new RoleManager({ tables, clock: opts.clock, random: opts.random, ...(opts.roleLimits ? { limits: opts.roleLimits } : {}) });
    this.permissions = new PermissionStore({ tables, clock: opts.clock, ...(opts.permissionLimits ? { limits: opts.permissionLimits } : {}) });
    this.requiresLogin = opts.authenticator === 'PasswordAuthenticator';
    this.checksPermissions = opts.authorizer === 'CassandraAuthorizer';
  }

  /**
   * With PasswordAuthenticator: creates the default superuser cassandra/cassandra when no role
   * exists yet (timestamp 0, so any later change wins and nodes doing it at once converge).
   * The first attempt is awaited; when system_auth cannot be read yet (replicas down) it is
   * retried in the background.
   */
  async setup(): Promise<void> {
    if (this.requiresLogin) await this.trySetup(1);
  }

  /** Stops a pending setup retry. */
  close(): void {
    this.retry?.cancel();
    this.retry = null;
  }

  private retry: TimerHandle | null = null;

  private async trySetup(attempt: number): Promise<void> {
    try {
      await this.setupDefaultRole();
    } catch (err) {
      if (attempt >= SETUP_ATTEMPTS_MAX) {
        this.opts.logger.warn({ err: (err as Error).message }, 'default superuser setup gave up; create a superuser once system_auth is available');
        return;
      }
      this.opts.logger.info({ err: (err as Error).message, attempt }, 'default superuser setup failed; retrying');
      this.retry = this.opts.scheduler.after(SETUP_RETRY_MS, () => { void this.trySetup(attempt + 1); });
    }
  }

  private async setupDefaultRole(): Promise<void> {
    if (await this.roles.hasExistingRoles()) return;
    await this.roles.createRole(DEFAULT_SUPERUSER_NAME, { superuser: true, login: true, password: DEFAULT_SUPERUSER_PASSWORD }, { timestampMicros: 0 });
    this.opts.logger.warn({ role: DEFAULT_SUPERUSER_NAME },
      `Created default superuser role '${DEFAULT_SUPERUSER_NAME}' with password '${DEFAULT_SUPERUSER_PASSWORD}': create another superuser, then change this role's password or drop it`);
  }

  /** PasswordAuthenticator.authenticate + the login check; rejects with AuthenticationError. */
  async login(user: string, password: string): Promise<void> {
    const role = await this.roles.getRole(user);
    const ok = role !== null && role.saltedHash !== null && await verifyPassword(password, role.saltedHash);
    if (!ok) throw new AuthenticationError(`Provided username ${user} and/or password are incorrect`);
    if (!role.canLogin) throw new AuthenticationError(`${user} is not permitted to log in`);
  }

  /** Forgets cached roles and grants (after a local DCL statement). */
  invalidate(): void {
    this.roles.invalidate();
    this.permissions.invalidate();
  }

  ensureLoggedIn(user: string | null): asserts user is string {
    if (user === null) throw new Unauthorized('You have not logged in');
  }

  async isSuper(user: string): Promise<boolean> {
    return this.roles.hasSuperuserStatus(user);
  }

  /** Permissions the user holds on exactly this resource, through any of its roles (superusers: all applicable). */
  async authorize(user: string, resource: AuthResource): Promise<Set<Permission>> {
    const out = new Set<Permission>();
    const roles = await this.roles.rolesOf(user, true);
    for (const r of roles) for (const p of await this.permissions.granted(r.name, resource)) out.add(p);
    return out;
  }

  /** Whether the user may use `permission` on `resource` (granted there or on a parent). */
  async hasPermission(user: string, permission: Permission, resource: AuthResource): Promise<boolean> {
    if (!this.checksPermissions) return true;
    if (await this.isSuper(user)) return true;
    for (const r of resourceChain(resource)) if ((await this.authorize(user, r)).has(permission)) return true;
    return false;
  }

  /** Throws Cassandra's Unauthorized when the user lacks the permission. */
  async ensurePermission(user: string | null, permission: Permission, resource: AuthResource): Promise<void> {
    if (!this.checksPermissions) return;
    this.ensureLoggedIn(user);
    if (await this.hasPermission(user, permission, resource)) return;
    throw new Unauthorized(`User ${user} has no ${permission} permission on ${resourceDisplay(resource)} or any of its parents`);
  }
}
