// The composition root: builds one node from its Config and an Env, wiring storage, schema,
// ring, coordinator, system tables, query processor, native transport and admin API. Nothing
// else in Cassia constructs these parts, and nothing imports this file but src/cli and tests.

import { join } from 'node:path/posix';
import { pino, type Logger } from 'pino';
import type { Env } from '../env/mod.js';
import { nodeEnv } from '../env/node/mod.js';
import { createStorage, type StorageEngine } from '../storage/mod.js';
import { SchemaManager } from '../coordinator/schema/mod.js';
import { SystemTables, type SystemInfo } from '../coordinator/system/mod.js';
import { Coordinator } from '../coordinator/mod.js';
import { Ring, TokenMetadata, parseToken } from '../cluster/ring/mod.js';
import { NativeTransport, transportLimitsFromConfig } from '../server/native/mod.js';
import type { ProtocolEvent } from '../protocol/messages.js';
import { PASSWORD_AUTHENTICATOR_CLASS, parsePlainSaslToken } from '../protocol/handler.js';
import { AuthService, PasswordAuthenticator, loginAuditEntry } from '../auth/mod.js';
import { QueryProcessor } from './query/mod.js';
import { type Config, storageConfigOf } from './config.js';
import { infoSnapshot } from '../observability/mod.js';
import { loadOrCreateIdentity, type NodeIdentity } from './identity.js';
import { startAdmin, type AdminServer } from './admin_wiring.js';
import { createCluster } from './cluster_wiring.js';
import { NodeObservability } from './observability_wiring.js';
import { instrumentCoordinator, instrumentStorage } from './metrics_wiring.js';
import { RequestObserver } from './request_observer.js';
import type { OverloadStore } from './runtime_settings.js';

export interface StartNodeOptions {
  config: Config;
  /** Defaults to the production Env over Node. */
  env?: Env;
  /** Defaults to pino writing JSON lines to stderr at level info. */
  logger?: Logger;
}

export interface RunningNode {
  readonly identity: NodeIdentity;
  readonly nativeAddress: string;
  readonly nativePort: number;
  readonly adminPort: number;
  /** Drains clients, flushes memtables, closes files. Idempotent. */
  stop(): Promise<void>;
}

/** Starts a node; resolves once it accepts CQL clients. */
export async function startNode(options: StartNodeOptions): Promise<RunningNode> {
  const { config } = options;
  const env = options.env ?? nodeEnv();
  const logger = options.logger ?? pino({ name: 'cassia', level: process.env['CASSIA_LOG_LEVEL'] ?? 'info' }, pino.destination(2));

  const storageLogger = logger.child({ part: 'storage' });
  const identity = await loadOrCreateIdentity(env, config.dataDir, { numTokens: config.numTokens, clusterName: config.clusterName });
  const storage = createStorage({
    env,
    dataDir: join(config.dataDir, 'data'),
    commitlogDir: config.commitlogDirectory,
    config: storageConfigOf(config),
    logger: storageLogger,
    hostId: identity.hostId,
  });
  const schema = await SchemaManager.open({ env, dataDir: join(config.dataDir, 'schema'), storage, datacenters: () => [config.dc] });
  await storage.open();

  let transport: NativeTransport | null = null;
  const nativeLogger = logger.child({ part: 'native' });
  const obs = new NodeObservability({
    env, config, storage, schema,
    loggers: { '': logger, storage: storageLogger, native: nativeLogger },
    clients: () => transport?.clients() ?? [],
    // Structural: the transport reports overload state once src/server/native has it.
    transportOverload: () => (transport as { overload?: () => { pausedConnections: number; nodeBytes: number } } | null)?.overload?.(),
    overloadStore: () => (transport as { settings?: OverloadStore } | null)?.settings,
  });
  await obs.start();
  const instrument = { metrics: obs.metrics, clock: env.clock, scope: obs.scope, tableById: (id: string) => obs.tableById(id) };

  const endpoint = config.listenAddress;
  const metadata = new TokenMetadata();
  metadata.setEndpoint({ endpoint, hostId: identity.hostId, dc: config.dc, rack: config.rack, tokens: identity.tokens.map(parseToken) });
  const ring = new Ring({ localEndpoint: endpoint, metadata });
  const replicaStorage = instrumentStorage(storage, instrument);
  const cluster = await createCluster({
    env, config, identity, schema, storage: replicaStorage, metadata, logger: logger.child({ part: 'cluster' }),
    broadcast: (event) => transport?.broadcastEvent(event),
  });
  const coordinator = new Coordinator({
    ring, storage: replicaStorage, clock: env.clock, scheduler: env.scheduler,
    liveness: (e) => cluster.isAlive(e), remote: cluster.remote,
    timeouts: { readMs: config.readRequestTimeoutMs, writeMs: config.writeRequestTimeoutMs, rangeMs: config.rangeRequestTimeoutMs },
  });

  const startedAtMs = env.clock.nowMs();
  const gossipGeneration = cluster.generation;
  const info: SystemInfo = {
    local: () => ({
      clusterName: config.clusterName, hostId: identity.hostId, broadcastAddress: endpoint, listenAddress: endpoint,
      storagePort: config.storagePort, rpcAddress: config.rpcAddress, rpcPort: transport?.port ?? config.nativeTransportPort,
      dataCenter: config.dc, rack: config.rack, tokens: identity.tokens.map(parseToken), gossipGeneration,
    }),
    peers: () => cluster.peers(),
    clients: () => (transport?.clients() ?? []).map((c) => ({
      address: c.address, port: c.port, hostname: c.address, username: c.user ?? undefined,
      connectionStage: c.ready ? 'ready' : 'established', protocolVersion: c.protocolVersion,
      driverName: c.driverName ?? undefined, driverVersion: c.driverVersion ?? undefined,
      ...(c.options ? { clientOptions: Object.fromEntries(c.options) } : {}),
      requestCount: c.requestsServed, sslEnabled: false,
    })),
    settings: () => obs.settings.rows(),
    estimateSize: () => ({ partitionsCount: 0, meanPartitionSizeBytes: 0 }),
  };
  const auth = new AuthService({
    authenticator: config.authenticator, authorizer: config.authorizer, coordinator, schema,
    clock: env.clock, random: env.random, scheduler: env.scheduler, logger: logger.child({ part: 'auth' }),
  });
  const authenticator = auth.requiresLogin ? new PasswordAuthenticator({ auth, className: PASSWORD_AUTHENTICATOR_CLASS, parsePlain: parsePlainSaslToken }) : undefined;
  const systemTables = new SystemTables({ schema, info, clock: env.clock, extra: obs.virtualTables() });
  const processor = new QueryProcessor({
    schema: cluster.routedSchema(), coordinator: instrumentCoordinator(coordinator, { ...instrument, ring }), storage, systemTables,
    clock: env.clock, random: env.random, hostId: identity.hostId, auth,
  });
  obs.bindPreparedCount(() => processor.preparedCount);
  const handler = new RequestObserver({
    handler: processor, metrics: obs.metrics, tracing: obs.tracing, scope: obs.scope, clock: env.clock, logs: obs.logs,
    address: config.rpcAddress, nativePort: () => transport?.port ?? config.nativeTransportPort,
    transportCountsPool: true, idText: processor.idText,
  });

  // The overload limits start from cassia.yaml; the transport's settings object then holds them
  // (RuntimeSettings reads and changes them there: nodetool, system_views.settings).
  const transportLimits = {
    ...transportLimitsFromConfig(config), ...obs.settings.overload(),
  };
  transport = new NativeTransport({
    env, handler, logger: nativeLogger,
    limits: transportLimits,
    metrics: { pool: obs.metrics.threadPools.get('Native-Transport-Requests'), clients: obs.metrics.clients },
    ...(authenticator ? { authenticator } : {}),
    onAuth: (e) => obs.logs.audit?.log(loginAuditEntry({ ...e, user: e.user || authenticator?.attemptedUser(e.client) || '' }, config.rpcAddress)),
  });
  const unsubscribe = schema.onChange((ev) => {
    const c = ev.change;
    const change = c.target === 'KEYSPACE'
      ? { changeType: c.change, target: c.target, keyspace: c.keyspace }
      : c.target === 'FUNCTION' || c.target === 'AGGREGATE'
        ? { changeType: c.change, target: c.target, keyspace: c.keyspace, name: c.name ?? '', argTypes: c.argTypes ?? [] }
        : { changeType: c.change, target: c.target, keyspace: c.keyspace, name: c.name ?? '' };
    const event: ProtocolEvent = { type: 'SCHEMA_CHANGE', change };
    processor.onSchemaChange(change);
    transport?.broadcastEvent(event);
  });
  await cluster.join();
  await auth.setup();
  const nativePort = await transport.listen(config.rpcAddress, config.nativeTransportPort);
  cluster.announceNormal(nativePort);
  const admin: AdminServer = await startAdmin({
    env, config, storage, schema, ring, identity, startedAtMs, isAlive: (e) => cluster.isAlive(e),
    metricsText: () => obs.prometheus(),
    observability: obs.admin(),
    infoMetrics: () => infoSnapshot(obs.metrics),
    drainClients: async () => { await transport?.close(); },
  });
  logger.info({ hostId: identity.hostId, address: config.rpcAddress, port: nativePort }, 'node started');

  let stopping: Promise<void> | null = null;
  return {
    identity,
    nativeAddress: config.rpcAddress,
    nativePort,
    adminPort: admin.port,
    stop: () => {
      stopping ??= (async () => {
        unsubscribe();
        auth.close();
        await cluster.stop();
        await transport?.close();
        await admin.close();
        await obs.close();
        await (storage as StorageEngine).close();
        logger.info('node stopped');
        logger.flush?.();
      })();
      return stopping;
    },
  };
}
