// In-process QueryProcessor over the real storage engine, schema manager and coordinator.

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeEnv } from '../../src/env/node/mod.js';
import { createStorage, type StorageEngine } from '../../src/storage/mod.js';
import { SchemaManager } from '../../src/coordinator/schema/mod.js';
import { SystemTables, type SystemInfo } from '../../src/coordinator/system/mod.js';
import { Coordinator } from '../../src/coordinator/mod.js';
import { Ring, TokenMetadata, parseToken } from '../../src/cluster/ring/mod.js';
import { QueryProcessor, type QueryLimits } from '../../src/server/query/mod.js';
import type { ClientState, ResultResponse } from '../../src/protocol/handler.js';
import type { BoundValue, QueryParameters, RowsResult } from '../../src/protocol/messages.js';
import { deserialize, serialize, type CqlValue } from '../../src/schema/codec.js';
import type { ConsistencyName } from '../../src/util/errors.js';

const HOST_ID = '11111111-2222-4333-8444-555555555555';
let counter = 0;

export interface Harness {
  qp: QueryProcessor;
  /** A second processor over the same schema and storage whose coordinator has no readSync: every SELECT takes the general (promise) path. */
  general: QueryProcessor;
  client: ClientState;
  storage: StorageEngine;
  q(cql: string, values?: BoundValue[], opts?: Partial<QueryParameters>): Promise<ResultResponse>;
  rows(cql: string, values?: BoundValue[], opts?: Partial<QueryParameters>): Promise<CqlValue[][]>;
  close(): Promise<void>;
}

export function params(opts: Partial<QueryParameters> = {}, values: BoundValue[] = []): QueryParameters {
  return {
    consistency: 'ONE' as ConsistencyName, values: { kind: 'positional', values }, skipMetadata: false, pageSize: null,
    pagingState: null, serialConsistency: null, defaultTimestamp: null, keyspace: null, nowInSeconds: null, ...opts,
  };
}

export function newClient(): ClientState {
  return {
    id: 1, keyspace: null, protocolVersion: 5, user: null, remoteAddress: '127.0.0.1', remotePort: 1, compression: null,
    throwOnOverload: false, ready: true, requestsServed: 0, connectedAtMs: 0,
  };
}

export const INFO = { streamId: 1, tracing: false, customPayload: null };

export function decodeRows(r: RowsResult): CqlValue[][] {
  return r.rows.map((row) => row.map((v, i) => (v === null ? null : deserialize(r.columns[i]!.type, v))));
}

export function asRows(res: ResultResponse): RowsResult {
  if (res.result.kind !== 'rows') throw new Error(`expected rows, got ${res.result.kind}`);
  return res.result;
}

export async function harness(limits: Partial<QueryLimits> = {}): Promise<Harness> {
  const env = nodeEnv();
  const dir = join(tmpdir(), `cassia-query-${process.pid}-${++counter}-${Date.now()}`);
  const storage = createStorage({ env, dataDir: join(dir, 'data'), commitlogDir: join(dir, 'commitlog'), hostId: HOST_ID, config: {} });
  const schema = await SchemaManager.open({ env, dataDir: join(dir, 'schema'), storage });
  await storage.open();
  const metadata = new TokenMetadata();
  metadata.setEndpoint({ endpoint: '127.0.0.1', hostId: HOST_ID, dc: 'datacenter1', rack: 'rack1', tokens: ['-6000000000000000000', '-2000000000000000000', '0', '3000000000000000000', '7000000000000000000'].map(parseToken) });
  const ring = new Ring({ localEndpoint: '127.0.0.1', metadata });
  const coordinator = new Coordinator({ ring, storage, clock: env.clock, scheduler: env.scheduler, liveness: () => true });
  const info: SystemInfo = {
    local: () => ({
      clusterName: 'test', hostId: HOST_ID, broadcastAddress: '127.0.0.1', listenAddress: '127.0.0.1', storagePort: 7000,
      rpcAddress: '127.0.0.1', rpcPort: 9042, dataCenter: 'datacenter1', rack: 'rack1', tokens: [0n], gossipGeneration: 1,
    }),
    peers: () => [], clients: () => [], settings: () => [], estimateSize: () => ({ partitionsCount: 0, meanPartitionSizeBytes: 0 }),
  } as unknown as SystemInfo;
  const systemTables = new SystemTables({ schema, info, clock: env.clock });
  const qp = new QueryProcessor({ schema, coordinator, storage, systemTables, clock: env.clock, random: env.random, hostId: HOST_ID, limits });
  const generalCoordinator = { read: coordinator.read.bind(coordinator), write: coordinator.write.bind(coordinator), truncate: coordinator.truncate.bind(coordinator) };
  const general = new QueryProcessor({ schema, coordinator: generalCoordinator, storage, systemTables, clock: env.clock, random: env.random, hostId: HOST_ID, limits });
  const client = newClient();
  const h: Harness = {
    qp, general, client, storage,
    q: (cql, values = [], opts = {}) => qp.query({ opcode: 'QUERY', query: cql, params: params(opts, values) }, client, INFO),
    rows: async (cql, values = [], opts = {}) => decodeRows(asRows(await h.q(cql, values, opts))),
    close: async () => { await storage.close(); await env.fs.rmrf(dir); },
  };
  return h;
}

export function int(n: number): Buffer {
  return serialize({ kind: 'native', name: 'int' }, n);
}

export function text(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}
