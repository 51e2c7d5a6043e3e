// Keyspace, table, column and user-type metadata: what system_schema stores, in memory.

import type { CqlType } from './types.js';

export type ReplicationStrategy =
  | { class: 'SimpleStrategy'; replicationFactor: number }
  | { class: 'NetworkTopologyStrategy'; dcs: Record<string, number> }
  | { class: 'LocalStrategy' };

export interface KeyspaceMetadata {
  name: string;
  replication: ReplicationStrategy;
  durableWrites: boolean;
  tables: Map<string, TableMetadata>;
  types: Map<string, UserTypeMetadata>;
  /** True for system keyspaces that cannot be altered or dropped by users. */
  system: boolean;
}

export type ColumnKind = 'partition_key' | 'clustering' | 'static' | 'regular';
export type ClusteringOrder = 'asc' | 'desc' | 'none';

export interface ColumnMetadata {
  name: string;
  type: CqlType;
  kind: ColumnKind;
  /** Position among partition key or clustering columns; -1 for static and regular columns. */
  position: number;
  clusteringOrder: ClusteringOrder;
}

/** Table options exactly as CQL gives them; unknown sub-options are kept, not dropped. */
export interface TableOptions {
  bloom_filter_fp_chance: number;
  caching: Record<string, string>;
  comment: string;
  compaction: Record<string, string>;
  compression: Record<string, string>;
  crc_check_chance: number;
  default_time_to_live: number;
  gc_grace_seconds: number;
  max_index_interval: number;
  memtable_flush_period_in_ms: number;
  min_index_interval: number;
  read_repair: string;
  speculative_retry: string;
  additional_write_policy: string;
  cdc: boolean;
  extensions: Record<string, string>;
}

export interface TableMetadata {
  keyspace: string;
  name: string;
  /** A time-based UUID string, stable for the table's life (system_schema.tables.id). */
  id: string;
  partitionKey: ColumnMetadata[];
  clustering: ColumnMetadata[];
  /** Every column by name, including key columns. */
  columns: Map<string, ColumnMetadata>;
  options: TableOptions;
  isCounter: boolean;
  /** True for virtual tables (system_views.*), served by code rather than storage. */
  virtual: boolean;
}

export interface UserTypeMetadata {
  keyspace: string;
  name: string;
  fieldNames: string[];
  fieldTypes: CqlType[];
}

export function defaultTableOptions(): TableOptions {
  return {
    bloom_filter_fp_chance: 0.01,
    caching: { keys: 'ALL', rows_per_partition: 'NONE' },
    comment: '',
    compaction: {
      class: 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy',
      max_threshold: '32',
      min_threshold: '4',
    },
    compression: { chunk_length_in_kb: '16', class: 'org.apache.cassandra.io.compress.LZ4Compressor' },
    crc_check_chance: 1.0,
    default_time_to_live: 0,
    gc_grace_seconds: 864000,
    max_index_interval: 2048,
    memtable_flush_period_in_ms: 0,
    min_index_interval: 128,
    read_repair: 'BLOCKING',
    speculative_retry: '99p',
    additional_write_policy: '99p',
    cdc: false,
    extensions: {},
  };
}
