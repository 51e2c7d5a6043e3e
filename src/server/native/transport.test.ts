import test from 'node:test';
import assert from 'node:assert/strict';
import cassandra from 'cassandra-driver';
import { nodeEnv } from '../../env/node/mod.js';
import { NativeTransport } from './transport.js';
import { FakeHandler } from './_fake_handler.js';

async function start(): Promise<{ transport: NativeTransport; port: number; handler: FakeHandler }> {
  const handler = new FakeHandler();
  const transport = new NativeTransport({ env: nodeEnv(), handler });
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
