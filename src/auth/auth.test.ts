import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hashPassword, isPasswordHash, redactPasswords, verifyPassword, REDACTED_PASSWORD } from './password.js';
import { PERMISSIONS, applicablePermissions, parseResourceName, resourceChain, resourceDisplay, resourceName, type AuthResource } from './resources.js';
import { ExpiringCache } from './_cache.js';
import { AuthService } from './service.js';

const SALT = Buffer.alloc(16, 7);

test('password: a hash verifies its password only', async () => {
  const h = await hashPassword('s3cret', SALT);
  assert.ok(isPasswordHash(h));
  assert.equal(await verifyPassword('s3cret', h), true);
  assert.equal(await verifyPassword('s3cret ', h), false);
  assert.equal(await verifyPassword('', h), false);
  assert.notEqual(await hashPassword('s3cret', Buffer.alloc(16, 8)), h, 'another salt, another hash');
});

test('password: malformed or unbounded stored hashes never verify', async () => {
  const good = await hashPassword('x', SALT);
  const bad = [
    '', 'x', '$2a$10$abcdefghijklmnopqrstuu', good.replace('ln=14', 'ln=40'), good.replace('ln=14', 'ln=0'),
    `${good}$extra`, good.replace(/\$[^$]*$/, '$'),
  ];
  for (const b of bad) {
    assert.equal(isPasswordHash(b), false, b);
    assert.equal(await verifyPassword('x', b), false, b);
  }
});

test('redactPasswords: hides every password literal, keeps the rest', () => {
  const R = `'${REDACTED_PASSWORD}'`;
  const cases: [string, string][] = [
    ["CREATE ROLE a WITH PASSWORD = 'p' AND LOGIN = true", `CREATE ROLE a WITH PASSWORD = ${R} AND LOGIN = true`],
    ["create user b with password 'it''s'", `create user b with password ${R}`],
    ["ALTER ROLE c WITH HASHED PASSWORD = '$scrypt$x' AND SUPERUSER = false", `ALTER ROLE c WITH HASHED PASSWORD = ${R} AND SUPERUSER = false`],
    ["CREATE ROLE d WITH PASSWORD = $$a'b$$", `CREATE ROLE d WITH PASSWORD = ${R}`],
    ["CREATE ROLE e WITH PASSWORD = ?", 'CREATE ROLE e WITH PASSWORD = ?'],
    ["SELECT password FROM ks.t WHERE k = 'password'", "SELECT password FROM ks.t WHERE k = 'password'"],
  ];
  for (const [input, expected] of cases) assert.equal(redactPasswords(input), expected);
});

test('redactPasswords: no generated password survives', () => {
  fc.assert(fc.property(fc.string({ minLength: 1 }).filter((s) => !s.includes('*')), (pw) => {
    const q = `CREATE ROLE r WITH PASSWORD = '${pw.replace(/'/g, "''")}' AND LOGIN = true`;
    const out = redactPasswords(q);
    assert.ok(!out.includes(`'${pw.replace(/'/g, "''")}'`));
    assert.ok(out.endsWith(' AND LOGIN = true'));
  }));
});

const RESOURCES: [AuthResource, string, string][] = [
  [{ kind: 'all_keyspaces' }, 'data', '<all keyspaces>'],
  [{ kind: 'keyspace', keyspace: 'ks' }, 'data/ks', '<keyspace ks>'],
  [{ kind: 'table', keyspace: 'ks', table: 't' }, 'data/ks/t', '<table ks.t>'],
  [{ kind: 'all_roles' }, 'roles', '<all roles>'],
  [{ kind: 'role', role: 'alice' }, 'roles/alice', '<role alice>'],
  [{ kind: 'all_functions' }, 'functions', '<all functions>'],
  [{ kind: 'keyspace_functions', keyspace: 'ks' }, 'functions/ks', '<all functions in ks>'],
  [{ kind: 'function', keyspace: 'ks', signature: 'f[int^text]' }, 'functions/ks/f[int^text]', '<function ks.f(int, text)>'],
];

test('resources: stored names and display forms as Cassandra writes them; names parse back', () => {
  for (const [r, name, display] of RESOURCES) {
    assert.equal(resourceName(r), name);
    assert.equal(resourceDisplay(r), display);
    assert.deepEqual(parseResourceName(name), r);
  }
  assert.equal(parseResourceName('mbean/x'), null);
});

test('resources: chains run from the resource to its root; applicable permissions are a subset', () => {
  assert.deepEqual(resourceChain({ kind: 'table', keyspace: 'ks', table: 't' }).map(resourceName), ['data/ks/t', 'data/ks', 'data']);
  assert.deepEqual(resourceChain({ kind: 'role', role: 'r' }).map(resourceName), ['roles/r', 'roles']);
  for (const [r] of RESOURCES) {
    for (const p of applicablePermissions(r)) assert.ok(PERMISSIONS.includes(p));
    assert.equal(resourceChain(r)[0], r);
  }
  assert.ok(!applicablePermissions({ kind: 'table', keyspace: 'k', table: 't' }).includes('CREATE'));
  assert.deepEqual([...applicablePermissions({ kind: 'role', role: 'r' })], ['ALTER', 'DROP', 'AUTHORIZE']);
});

test('ExpiringCache: entries expire, the size stays bounded, failed loads are retried', async () => {
  let now = 0;
  const clock = { nowMs: () => now, nowMicros: () => now * 1000, monotonicMs: () => now };
  const cache = new ExpiringCache<number>({ clock, validityMs: 100, maxEntries: 2 });
  let loads = 0;
  const load = async () => ++loads;
  assert.equal(await cache.get('a', load), 1);
  assert.equal(await cache.get('a', load), 1);
  now = 100;
  assert.equal(await cache.get('a', load), 2, 'expired after validityMs');
  await cache.get('b', load);
  await cache.get('c', load);
  assert.equal(cache.size, 2);
  await assert.rejects(cache.get('d', () => Promise.reject(new Error('down'))));
  await new Promise((r) => setImmediate(r));
  assert.equal(await cache.get('d', load), loads);
});

test('AuthService: CassandraAuthorizer without PasswordAuthenticator is a config error, as in Cassandra', () => {
  const deps = {
    coordinator: { read: async () => { throw new Error('unused'); }, write: async () => undefined },
    schema: { keyspace: () => undefined },
    clock: { nowMs: () => 0, nowMicros: () => 0, monotonicMs: () => 0 },
    random: { next: () => 0, int: () => 0, bytes: (n: number) => Buffer.alloc(n) },
    scheduler: { after: () => ({ cancel: () => undefined }), every: () => ({ cancel: () => undefined }), soon: () => undefined },
    logger: { info: () => undefined, warn: () => undefined },
  };
  assert.throws(() => new AuthService({ ...deps, authenticator: 'AllowAllAuthenticator', authorizer: 'CassandraAuthorizer' }),
    /AllowAllAuthenticator can't be used with CassandraAuthorizer/);
  const open = new AuthService({ ...deps, authenticator: 'AllowAllAuthenticator', authorizer: 'AllowAllAuthorizer' });
  assert.equal(open.requiresLogin, false);
  assert.equal(open.checksPermissions, false);
});
