// SystemInfo: the node state the system tables show, supplied by the node (the lead wires it to
// config, the ring, gossip, the native transport and storage). Called on every read of the
// corresponding table; implementations return current values and must not block.

import type { TableMetadata } from '../../schema/metadata.js';
import type { TokenRange } from '../../storage/data.js';

export interface LocalNodeInfo {
  clusterName: string;
  /** Host id uuid string. */
  hostId: string;
  broadcastAddress: string;
  listenAddress: string;
  /** Internode (storage) port: listen_port and broadcast_port. */
  storagePort: number;
  /** Address and port clients connect to (native transport). */
  rpcAddress: string;
  rpcPort: number;
  dataCenter: string;
  rack: string;
  tokens: bigint[];
  gossipGeneration: number;
  /** NEEDS_BOOTSTRAP | IN_PROGRESS | COMPLETED | DECOMMISSIONED; COMPLETED when omitted. */
  bootstrapped?: string;
}

export interface PeerInfo {
  address: string;
  storagePort: number;
  preferredIp?: string;
  dataCenter: string;
  rack: string;
  hostId: string;
  /** Defaults to the local release version. */
  releaseVersion?: string;
  nativeAddress: string;
  nativePort: number;
  schemaVersion: string;
  tokens: bigint[];
}

export interface ClientInfo {
  address: string;
  port: number;
  hostname: string;
  username?: string;
  /** 'established' | 'authenticating' | 'ready' | 'closed', lower case as Cassandra shows it. */
  connectionStage: string;
  protocolVersion: number;
  clientOptions?: Record<string, string>;
  driverName?: string;
  driverVersion?: string;
  requestCount: number;
  sslEnabled: boolean;
  sslProtocol?: string;
  sslCipherSuite?: string;
}

export interface SizeEstimate {
  partitionsCount: number;
  meanPartitionSizeBytes: number;
}

export interface SystemInfo {
  local(): LocalNodeInfo;
  /** Every other node of the cluster (empty for a single node). */
  peers(): PeerInfo[];
  clients(): ClientInfo[];
  /** Current configuration as (name, value text) pairs, cassandra.yaml names. */
  settings(): [string, string][];
  /** Storage's estimate for one table within one token range (system.size_estimates). */
  estimateSize(table: TableMetadata, range: TokenRange): SizeEstimate | Promise<SizeEstimate>;
}
