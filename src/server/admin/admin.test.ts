import test from 'node:test';
import assert from 'node:assert/strict';
import { NodeNetwork } from '../../env/node/mod.js';
import { InvalidRequest } from '../../util/errors.js';
import { Ring } from '../../cluster/ring/mod.js';
import { runNodetool } from '../../cli/nodetool/mod.js';
import { AdminError, describeRingReport, matchPath, ringReport, startAdminServer, statusReport, tryParse, type AdminContext, type TablesRequest } from './mod.js';

function twoNodeRing(): Ring {
  const ring = new Ring({ localEndpoint: '127.0.0.1' });
  ring.metadata.setEndpoint({ endpoint: '127.0.0.1', hostId: 'aaaaaaaa-0000-4000-8000-000000000001', dc: 'datacenter1', rack: 'rack1', tokens: [-100n, 100n] });
  ring.metadata.setEndpoint({ endpoint: '127.0.0.2', hostId: 'aaaaaaaa-0000-4000-8000-000000000002', dc: 'datacenter1', rack: 'rack2', tokens: [0n] });
  return ring;
}

function fakeContext(calls: string[]): AdminContext {
  const ring = twoNodeRing();
  const ks = { name: 'ks', replication: { class: 'SimpleStrategy', replicationFactor: 1 } as const };
  const facts = { isAlive: (e: string) => e === '127.0.0.1', loadBytes: (e: string) => (e === '127.0.0.1' ? 1536 : null) };
  return {
    status: async (k) => statusReport(ring, facts, k === 'ks' ? ks : undefined),
    info: async () => ({ hostId: 'h', gossipActive: false, nativeTransportActive: true, loadBytes: 10, generation: 1, uptimeSec: 5, heapUsedBytes: 1048576, heapTotalBytes: 2097152, dc: 'datacenter1', rack: 'rack1', exceptions: 0, tokens: ['-100', '100'] }),
    ring: async () => ringReport(ring, facts),
    describeRing: async (k) => { if (k !== 'ks') throw new AdminError(404, `Keyspace '${k}' does not exist`); return describeRingReport(ring, ks); },
    getEndpoints: async (_k, _t, key) => { if (key === 'bad') throw new InvalidRequest('bad key'); return { endpoints: ['127.0.0.1'] }; },
    flush: async (r: TablesRequest) => { calls.push(`flush ${JSON.stringify(r)}`); },
    compact: async (r: TablesRequest) => { calls.push(`compact ${JSON.stringify(r)}`); },
    snapshot: async (r) => { calls.push(`snapshot ${JSON.stringify(r)}`); return { tag: r.tag ?? 'auto', files: 3 }; },
    clearSnapshot: async (tag) => { calls.push(`clearsnapshot ${tag ?? '*'}`); },
    cleanup: async (r: TablesRequest) => { calls.push(`cleanup ${JSON.stringify(r)}`); },
    drain: async () => { calls.push('drain'); },
    metrics: async () => '# TYPE cassia_up gauge\ncassia_up 1\n',
  };
}

test('admin: route patterns decode parameters and reject mismatches', () => {
  assert.deepEqual(matchPath('/getendpoints/:keyspace/:table/:key', '/getendpoints/ks/t/a%2Fb'), { keyspace: 'ks', table: 't', key: 'a/b' });
  assert.equal(matchPath('/describering/:keyspace', '/describering/'), undefined);
  assert.equal(matchPath('/status', '/status/x'), undefined);
});

test('admin: HTTP request parsing at every split point', () => {
  const raw = Buffer.from('POST /flush?keyspace=ks HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n{\"a\"');
  for (let i = 0; i < raw.length; i++) assert.equal(tryParse(raw.subarray(0, i), 'c'), 'incomplete', `prefix ${i}`);
  const parsed = tryParse(raw, 'c');
  assert.ok(typeof parsed === 'object' && 'method' in parsed);
  assert.equal(parsed.method, 'POST');
  assert.equal(parsed.path, '/flush');
  assert.equal(parsed.query.get('keyspace'), 'ks');
  assert.equal(parsed.body.toString(), '{"a"');
  const bad = tryParse(Buffer.from('garbage\r\n\r\n'), 'c');
  assert.ok(typeof bad === 'object' && 'status' in bad && bad.status === 400);
  const huge = tryParse(Buffer.from('GET / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n'), 'c');
  assert.ok(typeof huge === 'object' && 'status' in huge && huge.status === 413);
});

test('admin: the HTTP server answers every route, with JSON errors', async (t) => {
  const calls: string[] = [];
  const listener = await startAdminServer({ net: new NodeNetwork(), host: '127.0.0.1', port: 0, context: fakeContext(calls) });
  t.after(() => listener.close());
  const base = `http://127.0.0.1:${listener.port}`;
  const status = await (await fetch(`${base}/status?keyspace=ks`)).json() as { nodes: { address: string; owns: number; up: boolean }[] };
  assert.deepEqual(status.nodes.map((n) => [n.address, n.up]), [['127.0.0.1', true], ['127.0.0.2', false]]);
  assert.ok(Math.abs(status.nodes.reduce((s, n) => s + n.owns, 0) - 1) < 1e-6);
  const ring = await (await fetch(`${base}/ring`)).json() as { entries: { token: string }[] };
  assert.deepEqual(ring.entries.map((e) => e.token), ['-100', '0', '100']);
  const dr = await (await fetch(`${base}/describering/ks`)).json() as { ranges: { startToken: string; endToken: string; endpoints: string[] }[] };
  assert.deepEqual(dr.ranges[1], { startToken: '-100', endToken: '0', endpoints: ['127.0.0.2'], rpcEndpoints: ['127.0.0.2'], endpointDetails: [{ host: '127.0.0.2', datacenter: 'datacenter1', rack: 'rack2' }] });
  const missing = await fetch(`${base}/describering/nope`);
  assert.equal(missing.status, 404);
  assert.match((await missing.json() as { error: string }).error, /Keyspace 'nope' does not exist/);
  assert.equal((await fetch(`${base}/getendpoints/ks/t/bad`)).status, 400);
  assert.equal((await fetch(`${base}/flush`)).status, 405);
  assert.equal((await fetch(`${base}/nothing`)).status, 404);
  const flush = await fetch(`${base}/flush`, { method: 'POST', body: JSON.stringify({ keyspace: 'ks', tables: ['t'] }), headers: { 'content-type': 'application/json' } });
  assert.deepEqual(await flush.json(), { ok: true });
  assert.equal((await fetch(`${base}/compact?keyspace=ks&tables=a,b`, { method: 'POST' })).status, 200);
  assert.equal((await fetch(`${base}/compact`, { method: 'POST', body: '{"tables":["x"]}' })).status, 400);
  const metrics = await fetch(`${base}/metrics`);
  assert.match(metrics.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
  assert.match(await metrics.text(), /cassia_up 1/);
  assert.deepEqual(calls, ['flush {"keyspace":"ks","tables":["t"]}', 'compact {"keyspace":"ks","tables":["a","b"]}']);
});

test('nodetool: commands print Cassandra-like tables through the admin API', async (t) => {
  const calls: string[] = [];
  const listener = await startAdminServer({ net: new NodeNetwork(), host: '127.0.0.1', port: 0, context: fakeContext(calls) });
  t.after(() => listener.close());
  const run = async (...argv: string[]) => {
    let out = '', err = '';
    const code = await runNodetool(['-h', '127.0.0.1', '--admin-port', String(listener.port), ...argv], { out: (s) => { out += s; }, err: (s) => { err += s; } });
    return { code, out, err };
  };
  const status = await run('status', 'ks');
  assert.equal(status.code, 0);
  const lines = status.out.split('\n');
  assert.equal(lines[0], 'Datacenter: datacenter1');
  assert.match(lines[4]!, /^--\s+Address\s+Load\s+Tokens\s+Owns \(effective\)\s+Host ID\s+Rack$/);
  assert.match(lines[5]!, /^UN\s+127\.0\.0\.1\s+1\.50 KiB\s+2\s+\d+\.\d%\s+aaaaaaaa-0000-4000-8000-000000000001\s+rack1$/);
  assert.match(lines[6]!, /^DN\s+127\.0\.0\.2\s+\?\s+1\s/);
  const info = await run('info');
  assert.match(info.out, /^ID\s+: h$/m);
  assert.match(info.out, /^Heap Memory \(MB\)\s+: 1\.00 \/ 2\.00$/m);
  assert.match(info.out, /see all 2 tokens/);
  assert.match((await run('info', '-T')).out, /^Token\s+: -100$/m);
  const ring = await run('ring');
  assert.match(ring.out, /^127\.0\.0\.2\s+rack2\s+Down\s+Normal\s+\?\s+[\d.]+%\s+0$/m);
  const dr = await run('describering', 'ks');
  assert.match(dr.out, /TokenRange\(start_token:-100, end_token:0, endpoints:\[127\.0\.0\.2\], rpc_endpoints:\[127\.0\.0\.2\], endpoint_details:\[EndpointDetails\(host:127\.0\.0\.2, datacenter:datacenter1, rack:rack2\)\]\)/);
  assert.equal((await run('getendpoints', 'ks', 't', 'k1')).out, '127.0.0.1\n');
  assert.equal((await run('flush', 'ks', 't1', 't2')).code, 0);
  assert.equal((await run('drain')).code, 0);
  assert.deepEqual(calls, ['flush {"keyspace":"ks","tables":["t1","t2"]}', 'drain']);
  const missing = await run('describering', 'nope');
  assert.equal(missing.code, 2);
  assert.match(missing.err, /nodetool: GET \/describering\/nope failed \(404\): Keyspace 'nope' does not exist/);
  assert.equal((await run('bogus')).code, 1);
});

test('nodetool: an unreachable node gives a readable error', async () => {
  let err = '';
  const code = await runNodetool(['--admin-port', '19599', 'status'], { out: () => undefined, err: (s) => { err += s; } });
  assert.equal(code, 2);
  assert.match(err, /cannot reach the admin API at 127\.0\.0\.1:19599/);
});
