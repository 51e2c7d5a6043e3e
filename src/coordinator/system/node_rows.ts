// system.local, system.peers, system.peers_v2, system.size_estimates, system.table_estimates,
// system_views.clients and system_views.settings, from the node state SystemInfo gives.

import type { TableMetadata } from '../../schema/metadata.js';
import type { TokenRange } from '../../storage/data.js';
import { TOKEN_MIN } from '../../util/murmur3.js';
import type { SchemaManager } from '../schema/manager.js';
import { isSystemKeyspace, VIRTUAL_KEYSPACES } from '../schema/system_keyspaces.js';
import type { VirtualRow } from './rows.js';
import type { SystemInfo } from './info.js';

export const CQL_VERSION = '3.4.7';
export const RELEASE_VERSION = '4.1.3';
export const NATIVE_PROTOCOL_VERSION = '5';
export const PARTITIONER = 'org.apache.cassandra.dht.Murmur3Partitioner';

export function localRows(info: SystemInfo, schema: SchemaManager): VirtualRow[] {
  const l = info.local();
  return [{
    key: 'local',
    bootstrapped: l.bootstrapped ?? 'COMPLETED',
    broadcast_address: l.broadcastAddress,
    broadcast_port: l.storagePort,
    cluster_name: l.clusterName,
    cql_version: CQL_VERSION,
    data_center: l.dataCenter,
    gossip_generation: l.gossipGeneration,
    host_id: l.hostId,
    listen_address: l.listenAddress,
    listen_port: l.storagePort,
    native_protocol_version: NATIVE_PROTOCOL_VERSION,
    partitioner: PARTITIONER,
    rack: l.rack,
    release_version: RELEASE_VERSION,
    rpc_address: l.rpcAddress,
    rpc_port: l.rpcPort,
    schema_version: schema.version(),
    tokens: l.tokens.map(String),
  }];
}

export function peersRows(info: SystemInfo): VirtualRow[] {
  return info.peers().map((p) => ({
    peer: p.address,
    data_center: p.dataCenter,
    host_id: p.hostId,
    preferred_ip: p.preferredIp,
    rack: p.rack,
    release_version: p.releaseVersion ?? RELEASE_VERSION,
    rpc_address: p.nativeAddress,
    schema_version: p.schemaVersion,
    tokens: p.tokens.map(String),
  }));
}

export function peersV2Rows(info: SystemInfo): VirtualRow[] {
  return info.peers().map((p) => ({
    peer: p.address,
    peer_port: p.storagePort,
    data_center: p.dataCenter,
    host_id: p.hostId,
    preferred_ip: p.preferredIp,
    preferred_port: p.preferredIp === undefined ? undefined : p.storagePort,
    rack: p.rack,
    release_version: p.releaseVersion ?? RELEASE_VERSION,
    native_address: p.nativeAddress,
    native_port: p.nativePort,
    schema_version: p.schemaVersion,
    tokens: p.tokens.map(String),
  }));
}

/**
 * The local node's primary ranges: (previous ring token, own token] for each own token, with a
 * range that wraps around the ring split at the minimum token (as Cassandra's size_estimates).
 */
export function localPrimaryRanges(info: SystemInfo): TokenRange[] {
  const own = [...info.local().tokens].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const ring = [...own, ...info.peers().flatMap((p) => p.tokens)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: TokenRange[] = [];
  for (const t of own) {
    const i = ring.indexOf(t);
    const prev = ring[(i - 1 + ring.length) % ring.length]!;
    if (prev < t) out.push({ start: prev, end: t });
    else {
      out.push({ start: prev, end: TOKEN_MIN });
      if (t !== TOKEN_MIN) out.push({ start: TOKEN_MIN, end: t });
    }
  }
  return out;
}

function userTables(schema: SchemaManager): TableMetadata[] {
  return schema.keyspaces()
    .filter((k) => !isSystemKeyspace(k.name) && !VIRTUAL_KEYSPACES.has(k.name))
    .flatMap((k) => [...k.tables.values()]);
}

export async function sizeEstimateRows(info: SystemInfo, schema: SchemaManager, rangeType?: string): Promise<VirtualRow[]> {
  const ranges = localPrimaryRanges(info);
  const out: VirtualRow[] = [];
  for (const t of userTables(schema)) {
    for (const r of ranges) {
      const e = await info.estimateSize(t, r);
      const row: VirtualRow = {
        keyspace_name: t.keyspace,
        table_name: t.name,
        range_start: r.start.toString(),
        range_end: r.end.toString(),
        mean_partition_size: Math.round(e.meanPartitionSizeBytes),
        partitions_count: Math.round(e.partitionsCount),
      };
      if (rangeType === undefined) out.push(row);
      else {
        out.push({ ...row, range_type: 'primary' });
        out.push({ ...row, range_type: 'local_primary' });
      }
    }
  }
  return out;
}

export function clientRows(info: SystemInfo): VirtualRow[] {
  return info.clients().map((c) => ({
    address: c.address,
    port: c.port,
    hostname: c.hostname,
    username: c.username,
    connection_stage: c.connectionStage,
    protocol_version: c.protocolVersion,
    client_options: c.clientOptions ? new Map(Object.entries(c.clientOptions)) : undefined,
    driver_name: c.driverName,
    driver_version: c.driverVersion,
    request_count: c.requestCount,
    ssl_enabled: c.sslEnabled,
    ssl_protocol: c.sslProtocol,
    ssl_cipher_suite: c.sslCipherSuite,
  }));
}

export function settingRows(info: SystemInfo): VirtualRow[] {
  return info.settings().map(([name, value]) => ({ name, value }));
}
