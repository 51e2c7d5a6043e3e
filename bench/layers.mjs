#!/usr/bin/env node
// CPU cost of the statement execution layers alone: RequestObserver → QueryProcessor →
// instrumented Coordinator → instrumented (stub) storage, composed as src/server/node.ts does,
// driven in-process (no sockets, no protocol framing, no storage engine work). The stub storage
// answers apply() at once and read() with one canned row, so the figure is what the query,
// coordinator and metrics layers add to each request. Process CPU (user+system) / operations.
//
// Usage: npm run build && node bench/layers.mjs [--ops 200000] [--concurrency 128] [--only write,read,batch10,slice10]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeEnv } from '../dist/src/env/node/mod.js';
import { createStorage } from '../dist/src/storage/mod.js';
import { SchemaManager } from '../dist/src/coordinator/schema/mod.js';
import { Coordinator } from '../dist/src/coordinator/mod.js';
import { Ring, TokenMetadata, parseToken } from '../dist/src/cluster/ring/mod.js';
import { QueryProcessor } from '../dist/src/server/query/mod.js';
import { MetricsRegistry, Tracing, createNodeMetrics } from '../dist/src/observability/mod.js';
import { TraceScope } from '../dist/src/server/trace_scope.js';
import { instrumentCoordinator, instrumentStorage } from '../dist/src/server/metrics_wiring.js';
import { RequestObserver } from '../dist/src/server/request_observer.js';

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const OPS = Number(flag('ops', '200000'));
const CONCURRENCY = Number(flag('concurrency', '128'));
const ONLY = flag('only', 'write,read,batch10,slice10').split(',');
const HOST_ID = '11111111-2222-4333-8444-555555555555';
const VALUE = Buffer.alloc(100, 0x61);
const int32 = (n) => { const b = Buffer.allocUnsafe(4); b.writeInt32BE(n | 0, 0); return b; };

const env = nodeEnv();
const dir = mkdtempSync(join(tmpdir(), 'cassia-layers-'));
const schemaStorage = createStorage({ env, dataDir: join(dir, 'data'), commitlogDir: join(dir, 'commitlog'), hostId: HOST_ID, config: {} });
const schema = await SchemaManager.open({ env, dataDir: join(dir, 'schema'), storage: schemaStorage });
await schemaStorage.open();

/** Replica storage stub: writes vanish, reads return `rowsPerRead` rows of the asked partition. */
let rowsPerRead = 1;
const stub = {
  open: async () => {}, addTable: async () => {}, updateTable: () => {}, dropTable: async () => {}, truncate: async () => {},
  flush: async () => {}, compact: async () => {}, close: async () => {},
  apply: () => Promise.resolve(),
  // Storage.applyThen: answered in a microtask, as apply()'s resolved promise is.
  applyThen: (_update, done) => queueMicrotask(() => done(undefined)),
  read: (cmd) => {
    const k = cmd.partitions.kind === 'keys' ? cmd.partitions.keys[0] : null;
    const cell = (column, value) => ({ column, value, timestampMicros: 1, ttlSec: 0, localExpirationTimeSec: 0 });
    const rows = [];
    for (let c = 0; c < rowsPerRead; c++) {
      rows.push(cmd.table.clustering.length === 0
        ? { clustering: [], liveness: { timestampMicros: 1, ttlSec: 0, localExpirationTimeSec: 0 }, cells: [cell('v', VALUE)] }
        : { clustering: [int32(c)], liveness: { timestampMicros: 1, ttlSec: 0, localExpirationTimeSec: 0 }, cells: [cell('v', VALUE)] });
    }
    const partitions = k ? [{ key: k.key, token: k.token, rangeTombstones: [], rows }] : [];
    return Promise.resolve({ partitions, stats: { sstablesRead: 0, tombstonesScanned: 0, liveRowsScanned: rows.length }, warnings: [] });
  },
};

const metrics = createNodeMetrics(new MetricsRegistry({ clock: env.clock }));
const scope = new TraceScope();
const instrument = { metrics, clock: env.clock, scope, tableById: (id) => schema.tableById(id) };
const metadata = new TokenMetadata();
metadata.setEndpoint({ endpoint: '127.0.0.1', hostId: HOST_ID, dc: 'datacenter1', rack: 'rack1', tokens: ['-4000000000000000000', '0', '4000000000000000000'].map(parseToken) });
const ring = new Ring({ localEndpoint: '127.0.0.1', metadata });
const coordinator = new Coordinator({ ring, storage: instrumentStorage(stub, instrument), clock: env.clock, scheduler: env.scheduler, liveness: () => true });
const processor = new QueryProcessor({
  schema, coordinator: instrumentCoordinator(coordinator, { ...instrument, ring }), storage: stub,
  systemTables: { read: async () => ({ partitions: [], stats: { sstablesRead: 0, tombstonesScanned: 0, liveRowsScanned: 0 }, warnings: [] }), serves: () => false },
  clock: env.clock, random: env.random, hostId: HOST_ID,
});
const handler = new RequestObserver({
  handler: processor, metrics, tracing: new Tracing({ clock: env.clock, random: env.random }), scope, clock: env.clock,
  logs: { audit: null, fql: null }, address: '127.0.0.1', nativePort: () => 9042,
});

const client = { id: 1, keyspace: null, protocolVersion: 4, user: null, remoteAddress: '127.0.0.1', remotePort: 1, compression: null, throwOnOverload: false, ready: true, requestsServed: 0, connectedAtMs: 0 };
const INFO = { streamId: 1, tracing: false, customPayload: null };
const params = (values) => ({ consistency: 'ONE', values: { kind: 'positional', values }, skipMetadata: true, pageSize: 5000, pagingState: null, serialConsistency: null, defaultTimestamp: null, keyspace: null, nowInSeconds: null });

for (const q of ["CREATE KEYSPACE bench WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
  'CREATE TABLE bench.kv (k int PRIMARY KEY, v blob)', 'CREATE TABLE bench.wide (p int, c int, v blob, PRIMARY KEY (p, c))']) {
  await handler.query({ opcode: 'QUERY', query: q, params: params([]) }, client, INFO);
}
const prepare = async (query) => (await handler.prepare({ opcode: 'PREPARE', query, keyspace: null }, client, INFO)).result.id;
const ids = {
  write: await prepare('INSERT INTO bench.kv (k, v) VALUES (?, ?)'),
  read: await prepare('SELECT v FROM bench.kv WHERE k = ?'),
  wide: await prepare('INSERT INTO bench.wide (p, c, v) VALUES (?, ?, ?)'),
  slice: await prepare('SELECT c, v FROM bench.wide WHERE p = ?'),
};
// As the transport does: the callback form of execute when the handler has one.
const execute = handler.executeThen === undefined
  ? (id, values) => handler.execute({ opcode: 'EXECUTE', id, resultMetadataId: null, params: params(values) }, client, INFO)
  : (id, values) => new Promise((resolve, reject) => handler.executeThen({ opcode: 'EXECUTE', id, resultMetadataId: null, params: params(values) }, client, INFO,
    (error, response) => (error === undefined ? resolve(response) : reject(error))));
const ops = {
  write: { rows: 1, op: (i) => execute(ids.write, [int32(i), VALUE]) },
  read: { rows: 1, op: (i) => execute(ids.read, [int32(i)]) },
  batch10: { rows: 1, op: (i) => {
    const statements = [];
    for (let c = 0; c < 10; c++) statements.push({ kind: 'prepared', id: ids.wide, values: [int32(i), int32(c), VALUE] });
    return handler.batch({ opcode: 'BATCH', batchType: 'UNLOGGED', statements, consistency: 'ONE', serialConsistency: null, defaultTimestamp: null, keyspace: null, nowInSeconds: null }, client, INFO);
  } },
  slice10: { rows: 10, op: (i) => execute(ids.slice, [int32(i)]) },
};

async function loop(op, n) {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < n) await op(next++);
  }));
}

const results = [];
for (const name of ONLY) {
  const { rows, op } = ops[name];
  rowsPerRead = rows;
  await loop(op, Math.min(20000, OPS / 5)); // warm-up (JIT)
  const before = process.cpuUsage();
  await loop(op, OPS);
  const used = process.cpuUsage(before);
  results.push({ name, usPerOp: (used.user + used.system) / OPS });
}
await schemaStorage.close();
rmSync(dir, { recursive: true, force: true });
for (const r of results) console.log(`${r.name.padEnd(8)} ${r.usPerOp.toFixed(2).padStart(7)} µs/op (query + coordinator + metrics layers, stub storage, no transport)`);
