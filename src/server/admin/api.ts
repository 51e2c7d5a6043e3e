// The admin API's JSON shapes, shared by the server (routes.ts) and nodetool (src/cli/nodetool).
// Tokens are decimal strings (JSON has no 64-bit integers); fractions are 0..1; sizes are bytes.

export type NodeState = 'Normal' | 'Leaving' | 'Joining' | 'Moving';

export interface NodeStatus {
  address: string;
  hostId: string;
  dc: string;
  rack: string;
  up: boolean;
  state: NodeState;
  /** Bytes on disk; null when unknown (a node not heard from). */
  loadBytes: number | null;
  tokens: number;
  /** Share of the ring this node replicates for the keyspace (or primary share when none given). */
  owns: number;
  /** True when `owns` is effective ownership for a keyspace's replication. */
  ownsEffective: boolean;
}

export interface StatusReport {
  keyspace: string | null;
  nodes: NodeStatus[];
}

import type { InfoMetricsSnapshot, SSTableTask } from '../../observability/mod.js';

export interface InfoReport {
  hostId: string;
  gossipActive: boolean;
  nativeTransportActive: boolean;
  loadBytes: number;
  generation: number;
  uptimeSec: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  dc: string;
  rack: string;
  exceptions: number;
  tokens: string[];
  /** Caches, RSS, repair percentage (when the node has metrics). */
  metrics?: InfoMetricsSnapshot;
}

/** nodetool clientstats: connected clients and their counts by user and protocol version. */
export interface ClientstatsReport {
  clients: Array<{ address: string; port: number; user: string | null; protocolVersion: number; driverName: string | null; driverVersion: string | null;
    keyspace: string | null; requests: number; ready: boolean }>;
  byUser: Record<string, number>;
  byProtocolVersion: Record<string, number>;
}

/** nodetool compactionstats. */
export interface CompactionstatsReport {
  pendingTasks: number;
  completedCompactions: number;
  bytesCompacted: number;
  tasks: SSTableTask[];
}

/** system_views.settings as (name, value) rows. */
export interface SettingsReport {
  settings: Array<{ name: string; value: string }>;
}

export interface LogsStatusReport {
  audit: { enabled: boolean; dir: string; logged: number; filtered: number; dropped: number };
  fullQueryLog: { enabled: boolean; dir: string; dropped: number };
}

export interface RingEntry {
  address: string;
  dc: string;
  rack: string;
  up: boolean;
  state: NodeState;
  loadBytes: number | null;
  owns: number;
  token: string;
}

export interface RingReport {
  keyspace: string | null;
  ownsEffective: boolean;
  entries: RingEntry[];
}

export interface TokenRangeReport {
  startToken: string;
  endToken: string;
  endpoints: string[];
  rpcEndpoints: string[];
  endpointDetails: { host: string; datacenter: string; rack: string }[];
}

export interface DescribeRingReport {
  keyspace: string;
  ranges: TokenRangeReport[];
}

export interface EndpointsReport {
  endpoints: string[];
}

/** Body of POST /flush and /compact; both fields optional (all keyspaces, all tables). */
export interface TablesRequest {
  keyspace?: string;
  tables?: string[];
}

export interface OkReport {
  ok: true;
}

export interface ErrorReport {
  error: string;
}
