// End-to-end authentication and authorization against a real node process started with
// authenticator: PasswordAuthenticator and authorizer: CassandraAuthorizer (and the audit log on),
// driven by the npm cassandra-driver, Debian's python3-cassandra and `cassia shell -u -p`.

import test, { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import { CLI_PATH, runPython, startNodeProcess, type NodeProcess } from '../harness.js';

const UNAUTHORIZED = 0x2100;

let node: NodeProcess;
let dir: string;
let superuser: cassandra.Client;
const opened: cassandra.Client[] = [];

function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI_PATH, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function connect(user: string, password: string): Promise<cassandra.Client> {
  const client = new cassandra.Client({
    contactPoints: [`${node.host}:${node.port}`], localDataCenter: 'datacenter1',
    authProvider: new cassandra.auth.PlainTextAuthProvider(user, password),
  });
  opened.push(client);
  await client.connect();
  return client;
}

/** The ResponseError a statement fails with (asserts it fails). */
async function failure(client: cassandra.Client, query: string): Promise<{ code: number; message: string }> {
  try {
    await client.execute(query);
  } catch (err) {
    return err as { code: number; message: string };
  }
  assert.fail(`expected ${query} to fail`);
}

/** The error a connection attempt fails with, from the driver's NoHostAvailableError. */
async function loginFailure(user: string, password: string): Promise<Error> {
  const client = new cassandra.Client({
    contactPoints: [`${node.host}:${node.port}`], localDataCenter: 'datacenter1',
    authProvider: new cassandra.auth.PlainTextAuthProvider(user, password),
  });
  try {
    await client.connect();
  } catch (err) {
    const inner = Object.values((err as { innerErrors?: Record<string, Error> }).innerErrors ?? {});
    assert.equal(inner.length, 1, String(err));
    return inner[0]!;
  } finally {
    await client.shutdown();
  }
  assert.fail(`expected ${user} to be refused`);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cassia-auth-'));
  const config = join(dir, 'cassia.yaml');
  writeFileSync(config, [
    'authenticator: PasswordAuthenticator',
    'authorizer: CassandraAuthorizer',
    'audit_logging_options:',
    '  enabled: true',
    `  audit_logs_dir: ${join(dir, 'audit')}`,
    '',
  ].join('\n'));
  node = await startNodeProcess({ dataDir: join(dir, 'data'), args: ['--config', config] });
  superuser = await connect('cassandra', 'cassandra');
  await superuser.execute("CREATE KEYSPACE app WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  await superuser.execute('CREATE TABLE app.t (k int PRIMARY KEY, v text)');
  await superuser.execute("INSERT INTO app.t (k, v) VALUES (1, 'one')");
});

after(async () => {
  for (const c of opened) await c.shutdown();
  await node?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('PasswordAuthenticator', () => {
  test('the default superuser cassandra/cassandra logs in and is a superuser', async () => {
    const rows = (await superuser.execute('LIST ROLES')).rows;
    assert.deepEqual(rows.map((r) => [r['role'], r['super'], r['login'], r['datacenters']]), [['cassandra', true, true, 'ALL']]);
    assert.match(node.output(), /Created default superuser role 'cassandra'/);
  });

  test('a wrong password is an AuthenticationError naming the user', async () => {
    const err = await loginFailure('cassandra', 'nope');
    assert.equal(err.name, 'AuthenticationError');
    assert.equal(err.message, 'Provided username cassandra and/or password are incorrect');
    const unknown = await loginFailure('nobody', 'x');
    assert.equal(unknown.message, 'Provided username nobody and/or password are incorrect');
  });

  test('a role without LOGIN cannot log in', async () => {
    await superuser.execute("CREATE ROLE nologin WITH PASSWORD = 'pw'");
    const err = await loginFailure('nologin', 'pw');
    assert.equal(err.message, 'nologin is not permitted to log in');
  });

  test('system_auth stores a salted hash, not the password', async () => {
    await superuser.execute("CREATE ROLE hashed WITH PASSWORD = 'secret1' AND LOGIN = true");
    const row = (await superuser.execute("SELECT salted_hash, can_login, is_superuser FROM system_auth.roles WHERE role = 'hashed'")).first();
    assert.match(row['salted_hash'], /^\$scrypt\$ln=\d+,r=\d+,p=\d+\$/);
    assert.doesNotMatch(row['salted_hash'], /secret1/);
    assert.equal(row['can_login'], true);
    assert.equal(row['is_superuser'], false);
  });
});

describe('CassandraAuthorizer', () => {
  test('a role granted SELECT on a table reads it but cannot write it; REVOKE takes SELECT away', async () => {
    await superuser.execute("CREATE ROLE reader WITH PASSWORD = 'r3ad' AND LOGIN = true");
    await superuser.execute('GRANT SELECT ON app.t TO reader');
    const reader = await connect('reader', 'r3ad');
    assert.equal((await reader.execute('SELECT v FROM app.t WHERE k = 1')).first()['v'], 'one');
    const write = await failure(reader, "INSERT INTO app.t (k, v) VALUES (2, 'two')");
    assert.equal(write.code, UNAUTHORIZED);
    assert.equal(write.message, 'User reader has no MODIFY permission on <table app.t> or any of its parents');
    await superuser.execute('REVOKE SELECT ON app.t FROM reader');
    const read = await failure(reader, 'SELECT v FROM app.t WHERE k = 1');
    assert.equal(read.code, UNAUTHORIZED);
    assert.equal(read.message, 'User reader has no SELECT permission on <table app.t> or any of its parents');
  });

  test('prepared statements are checked at every execution', async () => {
    await superuser.execute("CREATE ROLE prep WITH PASSWORD = 'p' AND LOGIN = true");
    await superuser.execute('GRANT SELECT ON KEYSPACE app TO prep');
    const client = await connect('prep', 'p');
    assert.equal((await client.execute('SELECT v FROM app.t WHERE k = ?', [1], { prepare: true })).rowLength, 1);
    await superuser.execute('REVOKE SELECT ON KEYSPACE app FROM prep');
    await assert.rejects(client.execute('SELECT v FROM app.t WHERE k = ?', [1], { prepare: true }), (e: { code: number }) => e.code === UNAUTHORIZED);
  });

  test('drivers connect and read schema without any grant (system tables are readable)', async () => {
    await superuser.execute("CREATE ROLE plain WITH PASSWORD = 'p' AND LOGIN = true");
    const client = await connect('plain', 'p');
    const table = await client.metadata.getTable('app', 't');
    assert.deepEqual(table?.partitionKeys.map((c) => c.name), ['k']);
    assert.equal((await client.execute('SELECT release_version FROM system.local')).rowLength, 1);
    assert.equal((await failure(client, 'SELECT * FROM system_auth.roles')).code, UNAUTHORIZED);
  });

  test('LIST PERMISSIONS shows grants with Cassandra columns; OF a role includes inherited ones; NORECURSIVE and ON filter', async () => {
    await superuser.execute('CREATE ROLE analyst');
    await superuser.execute('CREATE ROLE lister WITH LOGIN = true');
    await superuser.execute('GRANT SELECT ON KEYSPACE app TO analyst');
    await superuser.execute('GRANT MODIFY ON app.t TO lister');
    await superuser.execute('GRANT analyst TO lister');
    const result = await superuser.execute('LIST ALL PERMISSIONS OF lister');
    assert.deepEqual(result.columns.map((c) => c.name), ['role', 'username', 'resource', 'permission']);
    assert.deepEqual(result.rows.map((r) => [r['role'], r['username'], r['resource'], r['permission']]), [
      ['analyst', 'analyst', '<keyspace app>', 'SELECT'],
      ['lister', 'lister', '<table app.t>', 'MODIFY'],
    ]);
    const onTable = await superuser.execute('LIST ALL PERMISSIONS ON app.t OF lister');
    assert.deepEqual(onTable.rows.map((r) => r['resource']), ['<keyspace app>', '<table app.t>']);
    const direct = await superuser.execute('LIST ALL PERMISSIONS ON app.t OF lister NORECURSIVE');
    assert.deepEqual(direct.rows.map((r) => [r['role'], r['permission']]), [['lister', 'MODIFY']]);
    const roles = await superuser.execute('LIST ROLES OF lister');
    assert.deepEqual(roles.rows.map((r) => r['role']), ['analyst', 'lister']);
  });

  test('role inheritance: permissions of a granted role apply until the role is revoked; cycles are refused', async () => {
    await superuser.execute('CREATE ROLE writers');
    await superuser.execute('GRANT MODIFY ON KEYSPACE app TO writers');
    await superuser.execute("CREATE ROLE carol WITH PASSWORD = 'c' AND LOGIN = true");
    const carol = await connect('carol', 'c');
    assert.equal((await failure(carol, "INSERT INTO app.t (k, v) VALUES (3, 'three')")).code, UNAUTHORIZED);
    await superuser.execute('GRANT writers TO carol');
    await carol.execute("INSERT INTO app.t (k, v) VALUES (3, 'three')");
    const cycle = await failure(superuser, 'GRANT carol TO writers');
    assert.equal(cycle.message, 'carol is a member of writers');
    await superuser.execute('REVOKE writers FROM carol');
    assert.equal((await failure(carol, "INSERT INTO app.t (k, v) VALUES (4, 'four')")).code, UNAUTHORIZED);
    assert.equal((await failure(superuser, 'REVOKE writers FROM carol')).message, 'carol is not a member of writers');
  });

  test('superuser status is inherited through a granted role', async () => {
    await superuser.execute('CREATE ROLE admins WITH SUPERUSER = true');
    await superuser.execute("CREATE ROLE dave WITH PASSWORD = 'd' AND LOGIN = true");
    await superuser.execute('GRANT admins TO dave');
    const dave = await connect('dave', 'd');
    await dave.execute("INSERT INTO app.t (k, v) VALUES (5, 'five')");
    const users = await superuser.execute('LIST USERS');
    assert.deepEqual(users.columns.map((c) => c.name), ['name', 'super', 'datacenters']);
    assert.equal(users.rows.find((r) => r['name'] === 'dave')?.['super'], true);
  });

  test('the creator of a keyspace and table gets every permission on them; others need CREATE', async () => {
    await superuser.execute("CREATE ROLE builder WITH PASSWORD = 'b' AND LOGIN = true");
    const builder = await connect('builder', 'b');
    const denied = await failure(builder, "CREATE KEYSPACE built WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    assert.equal(denied.message, 'User builder has no CREATE permission on <all keyspaces> or any of its parents');
    await superuser.execute('GRANT CREATE ON ALL KEYSPACES TO builder');
    await builder.execute("CREATE KEYSPACE built WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    await builder.execute('CREATE TABLE built.t (k int PRIMARY KEY)');
    await builder.execute('INSERT INTO built.t (k) VALUES (1)');
    const perms = await superuser.execute('LIST ALL PERMISSIONS OF builder');
    assert.deepEqual(perms.rows.filter((r) => r['resource'] === '<keyspace built>').map((r) => r['permission']),
      ['CREATE', 'ALTER', 'DROP', 'SELECT', 'MODIFY', 'AUTHORIZE']);
    assert.deepEqual(perms.rows.filter((r) => r['resource'] === '<table built.t>').map((r) => r['permission']),
      ['ALTER', 'DROP', 'SELECT', 'MODIFY', 'AUTHORIZE']);
    await builder.execute('DROP KEYSPACE built');
    const left = await superuser.execute('LIST ALL PERMISSIONS OF builder');
    assert.deepEqual(left.rows.map((r) => r['resource']), ['<all keyspaces>']);
  });

  test('GRANT of a permission that does not apply is a syntax error; unknown resources and roles are invalid', async () => {
    const e = await failure(superuser, 'GRANT EXECUTE ON app.t TO reader');
    assert.equal(e.code, 0x2000);
    assert.equal(e.message, 'Resource type DataResource does not support any of the requested permissions');
    assert.equal((await failure(superuser, 'GRANT SELECT ON app.missing TO reader')).message, "Resource <table app.missing> doesn't exist");
    assert.equal((await failure(superuser, 'GRANT SELECT ON app.t TO ghost')).message, "Role ghost doesn't exist");
  });
});

describe('DCL statements', () => {
  test('CREATE/ALTER/DROP ROLE with IF [NOT] EXISTS and Cassandra messages', async () => {
    await superuser.execute("CREATE ROLE erin WITH PASSWORD = 'e1' AND LOGIN = true");
    assert.equal((await failure(superuser, 'CREATE ROLE erin')).message, 'erin already exists');
    await superuser.execute('CREATE ROLE IF NOT EXISTS erin');
    await superuser.execute("ALTER ROLE erin WITH PASSWORD = 'e2'");
    await (await connect('erin', 'e2')).execute('SELECT key FROM system.local');
    assert.equal((await loginFailure('erin', 'e1')).message, 'Provided username erin and/or password are incorrect');
    assert.equal((await failure(superuser, 'ALTER ROLE ghost WITH LOGIN = true')).message, "ghost doesn't exist");
    await superuser.execute('ALTER ROLE IF EXISTS ghost WITH LOGIN = true');
    assert.equal((await failure(superuser, "CREATE ROLE opt WITH OPTIONS = {'a': 'b'}")).message,
      "org.apache.cassandra.auth.CassandraRoleManager doesn't support OPTIONS");
    await superuser.execute('DROP ROLE erin');
    assert.equal((await loginFailure('erin', 'e2')).message, 'Provided username erin and/or password are incorrect');
    assert.equal((await failure(superuser, 'DROP ROLE erin')).message, "erin doesn't exist");
    await superuser.execute('DROP ROLE IF EXISTS erin');
    assert.equal((await failure(superuser, 'DROP ROLE cassandra')).message, 'Cannot DROP primary role for current login');
  });

  test('legacy USER statements are roles with LOGIN', async () => {
    await superuser.execute("CREATE USER frank WITH PASSWORD 'f' NOSUPERUSER");
    const users = (await superuser.execute('LIST USERS')).rows.map((r) => [r['name'], r['super']]);
    assert.deepEqual(users.find((u) => u[0] === 'frank'), ['frank', false]);
    await superuser.execute("ALTER USER frank WITH PASSWORD 'g'");
    await connect('frank', 'g');
    await superuser.execute('DROP USER frank');
    assert.equal((await superuser.execute('LIST USERS')).rows.some((r) => r['name'] === 'frank'), false);
  });

  test('a non-superuser: no superuser roles, its own password only, no one else\'s permissions', async () => {
    await superuser.execute("CREATE ROLE gina WITH PASSWORD = 'g' AND LOGIN = true");
    await superuser.execute('GRANT CREATE ON ALL ROLES TO gina');
    const gina = await connect('gina', 'g');
    assert.equal((await failure(gina, 'CREATE ROLE boss WITH SUPERUSER = true')).message, 'Only superusers can create a role with superuser status');
    await gina.execute('CREATE ROLE minion');
    await gina.execute('DROP ROLE minion'); // the creator holds DROP on the role it created
    await gina.execute("ALTER ROLE gina WITH PASSWORD = 'g2'");
    assert.equal((await failure(gina, 'ALTER ROLE gina WITH LOGIN = false')).message, "You aren't allowed to alter LOGIN");
    assert.equal((await failure(gina, 'ALTER ROLE gina WITH SUPERUSER = true')).message,
      "You aren't allowed to alter your own superuser status or that of a role granted to you");
    assert.equal((await failure(gina, 'DROP ROLE reader')).message, 'User gina does not have sufficient privileges to perform the requested operation');
    assert.equal((await failure(gina, 'LIST ALL PERMISSIONS')).message, "You are not authorized to view everyone's permissions");
    assert.equal((await failure(gina, 'LIST ALL PERMISSIONS OF reader')).message, "You are not authorized to view reader's permissions");
    assert.deepEqual((await gina.execute('LIST ROLES')).rows.map((r) => r['role']), ['gina']);
  });
});

describe('clients', () => {
  test('python3-cassandra PlainTextAuthProvider: login, Unauthorized, AuthenticationFailed', async () => {
    await superuser.execute("CREATE ROLE pyuser WITH PASSWORD = 'py' AND LOGIN = true");
    await superuser.execute('GRANT SELECT ON app.t TO pyuser');
    const script = `
import sys, json
from cassandra.cluster import Cluster, NoHostAvailable
from cassandra.auth import PlainTextAuthProvider
from cassandra import Unauthorized, AuthenticationFailed
host, port = sys.argv[1], int(sys.argv[2])
out = {}
c = Cluster([host], port=port, protocol_version=4, auth_provider=PlainTextAuthProvider('pyuser', 'py'))
s = c.connect()
out['read'] = s.execute('SELECT v FROM app.t WHERE k = 1').one().v
out['tables'] = sorted(c.metadata.keyspaces['app'].tables.keys())
try:
    s.execute("INSERT INTO app.t (k, v) VALUES (9, 'x')")
except Unauthorized as e:
    out['unauthorized'] = str(e)
c.shutdown()
bad = Cluster([host], port=port, protocol_version=4, auth_provider=PlainTextAuthProvider('pyuser', 'wrong'))
try:
    bad.connect()
except NoHostAvailable as e:
    out['failed'] = [type(x).__name__ + ': ' + str(x) for x in e.errors.values()]
bad.shutdown()
print(json.dumps(out))
`;
    const out = JSON.parse(await runPython(script, [node.host, String(node.port)])) as Record<string, unknown>;
    assert.equal(out['read'], 'one');
    assert.deepEqual(out['tables'], ['t']);
    assert.match(String(out['unauthorized']), /User pyuser has no MODIFY permission on <table app.t> or any of its parents/);
    assert.equal((out['failed'] as string[]).length, 1);
    assert.match((out['failed'] as string[])[0]!, /^AuthenticationFailed: .*Provided username pyuser and\/or password are incorrect/);
  });

  test('cassia shell -u -p logs in; without credentials it is refused', () => {
    const ok = cli('shell', `${node.host}:${node.port}`, '-u', 'cassandra', '-p', 'cassandra', '-e', 'SELECT v FROM app.t WHERE k = 1');
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /one/);
    const bad = cli('shell', `${node.host}:${node.port}`, '-u', 'cassandra', '-p', 'bad', '-e', 'SELECT v FROM app.t WHERE k = 1');
    assert.notEqual(bad.code, 0);
    assert.match(bad.out + bad.err, /Provided username cassandra and\/or password are incorrect/);
  });
});

describe('audit log', () => {
  let lines: string[] = [];
  let text = '';
  before(async () => {
    await superuser.execute("CREATE ROLE audited WITH PASSWORD = 'hunter2' AND LOGIN = true");
    await loginFailure('audited', 'wrong-pass');
    await connect('audited', 'hunter2');
    await superuser.execute('GRANT SELECT ON app.t TO audited');
    const flushed = cli('nodetool', '-h', node.host, '-p', String(node.adminPort), 'disableauditlog');
    assert.equal(flushed.code, 0, flushed.err);
    const view = cli('auditlog', 'view', join(dir, 'audit'));
    assert.equal(view.code, 0, view.err);
    text = view.out;
    lines = text.split('\n');
  });

  test('AUTH entries for login success and failure, DCL entries for role and permission statements', () => {
    assert.ok(lines.some((l) => l.includes('user:audited') && l.includes('type:LOGIN_SUCCESS') && l.includes('category:AUTH')), 'LOGIN_SUCCESS');
    assert.ok(lines.some((l) => l.includes('user:audited') && l.includes('type:LOGIN_ERROR') && l.includes('Provided username audited and/or password are incorrect')), 'LOGIN_ERROR');
    const create = lines.find((l) => l.includes('type:CREATE_ROLE') && l.includes('audited'));
    assert.ok(create, 'CREATE_ROLE entry');
    assert.match(create, /category:DCL/);
    assert.ok(lines.some((l) => l.includes('type:GRANT') && l.includes('category:DCL') && l.includes('GRANT SELECT ON app.t TO audited')), 'GRANT entry');
  });

  test('password literals are redacted in logged statements', () => {
      assert.ok(!text.includes('hunter2'), 'no password in the audit log');
      assert.ok(lines.some((l) => l.includes('type:CREATE_ROLE') && l.includes("PASSWORD = '*******'")));
    });
});

describe('without authentication (defaults)', () => {
  let open: NodeProcess;
  before(async () => { open = await startNodeProcess(); });
  after(async () => { await open?.cleanup(); });

  test('AllowAllAuthenticator: no login needed, and DCL says "You have not logged in"', async () => {
    const client = new cassandra.Client({ contactPoints: [`${open.host}:${open.port}`], localDataCenter: 'datacenter1' });
    try {
      await client.connect();
      const e = await client.execute('CREATE ROLE x').then(() => null, (err: { code: number; message: string }) => err);
      assert.equal(e?.code, UNAUTHORIZED);
      assert.equal(e?.message, 'You have not logged in');
    } finally {
      await client.shutdown();
    }
  });
});
