import test from 'node:test';
import assert from 'node:assert/strict';
import cassandra from 'cassandra-driver';
import { nodeEnv } from '../../env/node/mod.js';
import { NativeTransport } from './transport.js';
import { FakeHandler, TestPasswordAuthenticator } from './_fake_handler.js';

async function start(auth = false): Promise<{ transport: NativeTransport; port: number; handler: FakeHandler }> {
  const handler = new FakeHandler();
  const transport = new NativeTransport({ env: nodeEnv(), handler, authenticator: auth ? new TestPasswordAuthenticator() : undefined });
  const port = await transport.listen('127.0.0.1', 0);
  handler.port = port;
  return { transport, port, handler };
}

test('npm cassandra-driver with default options steps down to v4, queries and prepares', async () => {
  const { transport, port } = await start();
  const client = new cassandra.Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1', protocolOptions: { port } });
  try {
    await client.connect();
    const cc = (client as unknown as { controlConnection: { protocolVersion: number } }).controlConnection;
    assert.equal(cc.protocolVersion, 4);
    const rs = await client.execute("SELECT release_version FROM system.local WHERE key='local'");
    assert.equal(rs.first().get('release_version'), '4.0.11');
    await client.execute('INSERT INTO test.kv (k, v) VALUES (?, ?)', ['a', 42], { prepare: true });
    const r2 = await client.execute('SELECT v FROM test.kv WHERE k = ?', ['a'], { prepare: true });
    assert.equal(r2.first().get('v'), 42);
    const infos = transport.clients();
    assert.ok(infos.length >= 1);
    assert.ok(infos.every((c) => c.protocolVersion === 4 && /Node\.js Driver/.test(c.driverName ?? '')), JSON.stringify(infos));
  } finally {
    await client.shutdown();
    await transport.close();
  }
});

const PYTHON = '/usr/bin/python3';
const PY_SCRIPT = `
import sys, json, logging
from cassandra.cluster import Cluster
port, version, compression = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == 'yes'
kwargs = {'protocol_version': version} if version else {}
cluster = Cluster(['127.0.0.1'], port=port, compression=compression, connect_timeout=10, control_connection_timeout=10, **kwargs)
session = cluster.connect()
out = {}
out['release'] = session.execute("SELECT release_version FROM system.local WHERE key='local'").one().release_version
ins = session.prepare('INSERT INTO test.kv (k, v) VALUES (?, ?)')
session.execute(ins, ('py', 7))
sel = session.prepare('SELECT v FROM test.kv WHERE k = ?')
out['v'] = session.execute(sel, ('py',)).one().v
rs = session.execute('warn me')
out['warnings'] = rs.response_future.warnings
big = 'x' * 300000
session.execute(ins, (big, 9))
out['big'] = session.execute(sel, (big,)).one().v
out['bigout'] = len(session.execute('select big').one().b)
out['protocol'] = cluster.protocol_version
conn = session.get_pool_state()
out['compressor'] = cluster.control_connection._connection.compressor is not None
cluster.shutdown()
print(json.dumps(out))
`;

async function runPython(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    const child = spawn(PYTHON, ['-c', PY_SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

for (const [version, compression] of [[4, 'no'], [4, 'yes'], [5, 'no'], [5, 'yes'], [0, 'yes']] as const) {
  test(`python driver protocol ${version ? `v${version}` : 'default (steps down from DSE v2 to v5)'} compression=${compression}: query, prepared round trip, warnings, large values`, async () => {
    const { transport, port } = await start();
    try {
      const r = await runPython([String(port), String(version), compression]);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
      assert.equal(out.release, '4.0.11');
      assert.equal(out.v, 7);
      assert.equal(out.big, 9);
      assert.deepEqual(out.warnings, ['this is a warning', 'and another']);
      assert.equal(out.bigout, 300_000);
      assert.equal(out.protocol, version || 5);
      assert.equal(out.compressor, compression === 'yes');
    } finally {
      await transport.close();
    }
  });
}

const PY_AUTH = `
import sys, json
from cassandra.cluster import Cluster
from cassandra.auth import PlainTextAuthProvider
from cassandra import AuthenticationFailed
port, version = int(sys.argv[1]), int(sys.argv[2])
out = {}
bad = Cluster(['127.0.0.1'], port=port, protocol_version=version, auth_provider=PlainTextAuthProvider('cassandra', 'nope'))
try:
    bad.connect()
    out['bad'] = 'connected'
except Exception as e:
    out['bad'] = str(e)
bad.shutdown()
cluster = Cluster(['127.0.0.1'], port=port, protocol_version=version, auth_provider=PlainTextAuthProvider('cassandra', 'cassandra'))
session = cluster.connect()
out['who'] = session.execute('whoami').one().user
cluster.shutdown()
print(json.dumps(out))
`;

for (const version of [4, 5]) {
  test(`python driver v${version} with PlainTextAuthProvider: bad password refused, good one authenticated`, async () => {
    const { transport, port } = await start(true);
    try {
      const { spawn } = await import('node:child_process');
      const r = await new Promise<{ code: number; out: string; err: string }>((resolve) => {
        const child = spawn(PYTHON, ['-c', PY_AUTH, String(port), String(version)], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => { out += d; });
        child.stderr.on('data', (d) => { err += d; });
        child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
      });
      assert.equal(r.code, 0, r.err);
      const out = JSON.parse(r.out.trim().split('\n').pop()!);
      assert.match(out.bad, /incorrect/);
      assert.equal(out.who, 'cassandra');
    } finally {
      await transport.close();
    }
  });
}

test('npm driver with PlainTextAuthProvider authenticates', async () => {
  const { transport, port } = await start(true);
  const client = new cassandra.Client({
    contactPoints: ['127.0.0.1'], localDataCenter: 'datacenter1', protocolOptions: { port },
    authProvider: new cassandra.auth.PlainTextAuthProvider('cassandra', 'cassandra'),
  });
  try {
    await client.connect();
    const rs = await client.execute('whoami');
    assert.equal(rs.first().get('user'), 'cassandra');
    assert.ok(transport.clients().every((c) => c.user === 'cassandra'));
  } finally {
    await client.shutdown();
    await transport.close();
  }
});
