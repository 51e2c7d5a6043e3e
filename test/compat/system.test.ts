// Compatibility: the system tables drivers and tools read, column by column as Cassandra 4.1 has
// them, through the npm driver and python v4/v5; the schema tables present and empty-correct for
// objects Cassia does not create (indexes, views, triggers, functions, aggregates).

import test, { after, before } from 'node:test';
import { startNodeProcess } from '../harness.js';
import { registerCases, type Case } from './_support.js';

const TABLES = ['keyspace_name', 'table_name', 'additional_write_policy', 'bloom_filter_fp_chance', 'caching', 'cdc', 'comment',
  'compaction', 'compression', 'crc_check_chance', 'dclocal_read_repair_chance', 'default_time_to_live', 'extensions', 'flags',
  'gc_grace_seconds', 'id', 'max_index_interval', 'memtable', 'memtable_flush_period_in_ms', 'min_index_interval', 'read_repair',
  'read_repair_chance', 'speculative_retry'];

const VIEWS = ['keyspace_name', 'view_name', 'additional_write_policy', 'base_table_id', 'base_table_name', 'bloom_filter_fp_chance',
  'caching', 'cdc', 'comment', 'compaction', 'compression', 'crc_check_chance', 'dclocal_read_repair_chance', 'default_time_to_live',
  'extensions', 'gc_grace_seconds', 'id', 'include_all_columns', 'max_index_interval', 'memtable', 'memtable_flush_period_in_ms',
  'min_index_interval', 'read_repair', 'read_repair_chance', 'speculative_retry', 'where_clause'];

const CASES: Case[] = [
  {
    name: 'system.local, system.peers and system.peers_v2 have Cassandra 4.1\'s columns',
    steps: [
      {
        q: 'SELECT * FROM system.local',
        cols: ['key', 'bootstrapped', 'broadcast_address', 'broadcast_port', 'cluster_name', 'cql_version', 'data_center', 'gossip_generation',
          'host_id', 'listen_address', 'listen_port', 'native_protocol_version', 'partitioner', 'rack', 'release_version', 'rpc_address',
          'rpc_port', 'schema_version', 'tokens', 'truncated_at'],
      },
      { q: "SELECT key, bootstrapped, data_center, rack, partitioner FROM system.local WHERE key = 'local'", rows: [['local', 'COMPLETED', 'datacenter1', 'rack1', 'org.apache.cassandra.dht.Murmur3Partitioner']] },
      { q: 'SELECT * FROM system.peers', rows: [], cols: ['peer', 'data_center', 'host_id', 'preferred_ip', 'rack', 'release_version', 'rpc_address', 'schema_version', 'tokens'] },
      {
        q: 'SELECT * FROM system.peers_v2', rows: [],
        cols: ['peer', 'peer_port', 'data_center', 'host_id', 'native_address', 'native_port', 'preferred_ip', 'preferred_port', 'rack',
          'release_version', 'schema_version', 'tokens'],
      },
    ],
  },
  {
    name: 'system_schema tables: columns as Cassandra 4.1; indexes, views, triggers, functions, aggregates present and empty',
    steps: [
      { q: 'CREATE TABLE st (k int PRIMARY KEY, v int, gone int)' },
      { q: 'ALTER TABLE st DROP gone' },
      { q: 'CREATE TYPE sty (a int, b text)' },
      { q: "SELECT * FROM system_schema.keyspaces WHERE keyspace_name = '$ks'", cols: ['keyspace_name', 'durable_writes', 'replication'] },
      { q: "SELECT * FROM system_schema.tables WHERE keyspace_name = '$ks' AND table_name = 'st'", cols: TABLES },
      {
        q: "SELECT * FROM system_schema.columns WHERE keyspace_name = '$ks' AND table_name = 'st'",
        cols: ['keyspace_name', 'table_name', 'column_name', 'clustering_order', 'column_name_bytes', 'kind', 'position', 'type'],
      },
      {
        q: "SELECT column_name, clustering_order, column_name_bytes, kind, position, type FROM system_schema.columns WHERE keyspace_name = '$ks' AND table_name = 'st'",
        rows: [['k', 'none', '0x6b', 'partition_key', 0, 'int'], ['v', 'none', '0x76', 'regular', -1, 'int']],
      },
      {
        q: "SELECT column_name, kind, type FROM system_schema.dropped_columns WHERE keyspace_name = '$ks' AND table_name = 'st'",
        rows: [['gone', 'regular', 'int']],
      },
      { q: "SELECT * FROM system_schema.dropped_columns WHERE keyspace_name = '$ks'", cols: ['keyspace_name', 'table_name', 'column_name', 'dropped_time', 'kind', 'type'] },
      { q: "SELECT * FROM system_schema.types WHERE keyspace_name = '$ks'", cols: ['keyspace_name', 'type_name', 'field_names', 'field_types'], like: /"sty",\["a","b"\],\["int","text"\]/ },
      { q: "SELECT * FROM system_schema.indexes WHERE keyspace_name = '$ks'", rows: [], cols: ['keyspace_name', 'table_name', 'index_name', 'kind', 'options'] },
      { q: "SELECT * FROM system_schema.triggers WHERE keyspace_name = '$ks'", rows: [], cols: ['keyspace_name', 'table_name', 'trigger_name', 'options'] },
      { q: "SELECT * FROM system_schema.views WHERE keyspace_name = '$ks'", rows: [], cols: VIEWS },
      {
        q: "SELECT * FROM system_schema.functions WHERE keyspace_name = '$ks'", rows: [],
        cols: ['keyspace_name', 'function_name', 'argument_types', 'argument_names', 'body', 'called_on_null_input', 'language', 'return_type'],
      },
      {
        q: "SELECT * FROM system_schema.aggregates WHERE keyspace_name = '$ks'", rows: [],
        cols: ['keyspace_name', 'aggregate_name', 'argument_types', 'final_func', 'initcond', 'return_type', 'state_func', 'state_type'],
      },
    ],
  },
  {
    name: 'system.size_estimates and system_views.clients / settings',
    steps: [
      { q: 'CREATE TABLE se (k int PRIMARY KEY)' },
      {
        q: "SELECT * FROM system.size_estimates WHERE keyspace_name = '$ks' AND table_name = 'se'",
        cols: ['keyspace_name', 'table_name', 'range_start', 'range_end', 'mean_partition_size', 'partitions_count'],
        like: /^\[\["\w+","se","-?\d+","-?\d+","\d+","\d+"\]/,
      },
      {
        q: 'SELECT * FROM system_views.clients',
        cols: ['address', 'port', 'client_options', 'connection_stage', 'driver_name', 'driver_version', 'hostname', 'protocol_version',
          'request_count', 'ssl_cipher_suite', 'ssl_enabled', 'ssl_protocol', 'username'],
        like: /"ready"/,
      },
      { q: "SELECT name, value FROM system_views.settings WHERE name = 'cluster_name'", rows: [['cluster_name', 'Test Cluster']], cols: ['name', 'value'] },
    ],
  },
];

registerCases('sys', CASES, { test, before, after, start: () => startNodeProcess() });
