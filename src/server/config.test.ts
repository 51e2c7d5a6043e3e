import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../util/errors.js';
import { SPECS, defaultConfig, loadConfig, parseConfig, storageConfigOf } from './config.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

test('config: defaults match shared/DESIGN.md', () => {
  const c = defaultConfig();
  assert.equal(c.listenAddress, '127.0.0.1');
  assert.equal(c.rpcAddress, '127.0.0.1');
  assert.equal(c.nativeTransportPort, 9042);
  assert.equal(c.storagePort, 7000);
  assert.equal(c.adminPort, 7199);
  assert.deepEqual(c.dataFileDirectories, ['./data']);
  assert.equal(c.dataDir, './data');
  assert.equal(c.commitlogDirectory, './data/commitlog');
  assert.equal(c.dc, 'datacenter1');
  assert.equal(c.rack, 'rack1');
  assert.equal(c.numTokens, 16);
  assert.deepEqual(c.seeds, ['127.0.0.1']);
  assert.equal(c.writeRequestTimeoutMs, 2000);
  assert.equal(c.readRequestTimeoutMs, 5000);
});

test('config: cassandra.yaml forms, units and legacy names', () => {
  const c = parseConfig(`
cluster_name: orders
listen_address: 127.0.0.2
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "127.0.0.1:7000, 127.0.0.3"
endpoint_snitch: org.apache.cassandra.locator.GossipingPropertyFileSnitch
data_file_directories: [/a, /b]
commitlog_sync: batch
read_request_timeout: 10s
write_request_timeout_in_ms: 750
commitlog_segment_size_in_mb: 8
compaction_throughput_mb_per_sec: 0
memtable_space: 512
max_hint_window: 2h
native_transport_max_frame_size: 512KiB
authenticator: PasswordAuthenticator
`);
  assert.equal(c.clusterName, 'orders');
  assert.deepEqual(c.seeds, ['127.0.0.1', '127.0.0.3']);
  assert.equal(c.rpcAddress, '127.0.0.2');
  assert.equal(c.endpointSnitch, 'GossipingPropertyFileSnitch');
  assert.equal(c.dataDir, '/a');
  assert.equal(c.commitlogDirectory, '/a/commitlog');
  assert.equal(c.commitlogSync, 'batch');
  assert.equal(c.readRequestTimeoutMs, 10_000);
  assert.equal(c.writeRequestTimeoutMs, 750);
  assert.equal(c.commitlogSegmentSizeBytes, 8 * 1024 * 1024);
  assert.equal(c.compactionThroughputBytesPerSec, 0);
  assert.equal(c.memtableSpaceBytes, 512 * 1024 * 1024);
  assert.equal(c.maxHintWindowMs, 2 * 3600 * 1000);
  assert.equal(c.nativeTransportMaxFrameSizeBytes, 512 * 1024);
  assert.equal(c.authenticator, 'PasswordAuthenticator');
  assert.deepEqual(parseConfig('seed_provider: "10.0.0.1,10.0.0.2"').seeds, ['10.0.0.1', '10.0.0.2']);
  assert.deepEqual(parseConfig('seed_provider: {seeds: [10.0.0.9]}').seeds, ['10.0.0.9']);
});

test('config: command-line overrides win over the file', () => {
  const c = parseConfig('native_transport_port: 9100\ndc: east\n', { overrides: { native_transport_port: 0, data_file_directories: ['/tmp/x'], dc: 'west', rack: undefined } });
  assert.equal(c.nativeTransportPort, 0);
  assert.equal(c.dc, 'west');
  assert.equal(c.dataDir, '/tmp/x');
  assert.equal(c.commitlogDirectory, '/tmp/x/commitlog');
});

test('config: unknown keys and bad values name the key and the value', () => {
  const bad: [string, RegExp][] = [
    ['num_token: 4', /unknown configuration key 'num_token' in cassia.yaml \(did you mean 'num_tokens'\?\)/],
    ['write_request_timeout: 2000', /write_request_timeout: expected a duration with a unit such as '2000ms'.*got 2000/],
    ['read_request_timeout: fast', /read_request_timeout: .* got "fast"/],
    ['native_transport_port: 70000', /native_transport_port: 70000 is out of range 0..65535/],
    ['commitlog_sync: sometimes', /commitlog_sync: 'sometimes' is not one of batch, group, periodic/],
    ['commitlog_segment_size: 32MB', /commitlog_segment_size: expected a size .* got "32MB"/],
    ['hinted_handoff_enabled: maybe', /hinted_handoff_enabled: expected true or false, got "maybe"/],
    ['listen_address: "not an ip!"', /listen_address: 'not an ip!' is not an IP address/],
    ['num_tokens: 0', /num_tokens: 0 is out of range 1..1024/],
    ['storage_port: 9042', /native_transport_port and storage_port are both 9042/],
    ['endpoint_snitch: SimpleSnitch\ndc: east', /dc: 'east' is set, but endpoint_snitch SimpleSnitch/],
    ['tombstone_warn_threshold: 5\ntombstone_failure_threshold: 4', /tombstone_warn_threshold \(5\) is above/],
    ['- a\n- b', /must be a mapping/],
    ['a: [1\nb: 2', /not valid YAML/],
    ['write_request_timeout_in_ms: soon', /write_request_timeout_in_ms in cassia.yaml: expected a non-negative number, got "soon"/],
  ];
  for (const [yaml, message] of bad) {
    assert.throws(() => parseConfig(yaml), (err: unknown) => err instanceof ConfigError && message.test(err.message), yaml);
  }
  assert.throws(() => parseConfig('', { overrides: { admin_port: 'x' } }), /admin_port: expected an integer, got "x"/);
});

test('config: loadConfig reads through the injected file system; a missing file is a ConfigError', async () => {
  const files = new Map([['/etc/cassia.yaml', Buffer.from('cluster_name: from-file\n')]]);
  const fs = { readFile: async (p: string) => { const b = files.get(p); if (!b) throw new Error(`ENOENT: ${p}`); return b; } };
  assert.equal((await loadConfig({ file: '/etc/cassia.yaml', fs, overrides: {} })).clusterName, 'from-file');
  await assert.rejects(loadConfig({ file: '/nope.yaml', fs }), (e: unknown) => e instanceof ConfigError && /cannot read configuration file \/nope.yaml/.test(e.message));
  assert.equal((await loadConfig({})).clusterName, 'Test Cluster');
});

test('config: docs/configuration.md documents every key', () => {
  const doc = readFileSync(join(repoRoot, 'docs', 'configuration.md'), 'utf8');
  for (const spec of SPECS) assert.ok(doc.includes(`| \`${spec.key}\` |`), `docs/configuration.md misses ${spec.key}`);
});

test('config: storageConfigOf gives storage its settings in storage\'s names', () => {
  const s = storageConfigOf(parseConfig('commitlog_sync: periodic\ncommitlog_sync_period: 5s\nmemtable_space: 64MiB'));
  assert.equal(s['commitlog_sync'], 'periodic');
  assert.equal(s['commitlog_sync_period'], 5000);
  assert.equal(s['memtable_space_mb'], `${64 * 1024 * 1024}B`);
});
