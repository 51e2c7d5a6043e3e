// The built-in keyspaces with Cassandra 4.1's table definitions, so drivers and tools see the
// same system schema as on Cassandra. Tables marked `virtual` are served by src/coordinator/system
// (computed from the schema and node state); the others are ordinary stored tables.
// Ids are name-based, as Cassandra's TableId.forSystemTable: md5(keyspace bytes + table bytes).

import { defaultTableOptions, type ColumnMetadata, type KeyspaceMetadata, type ReplicationStrategy, type TableMetadata, type TableOptions } from '../../schema/metadata.js';
import { assert } from '../../util/assert.js';
import { parseNativeTypeString } from './types.js';
import { nameUuid } from './_uuid.js';

export const SYSTEM = 'system';
export const SYSTEM_SCHEMA = 'system_schema';
export const SYSTEM_AUTH = 'system_auth';
export const SYSTEM_DISTRIBUTED = 'system_distributed';
export const SYSTEM_TRACES = 'system_traces';
export const SYSTEM_VIEWS = 'system_views';
export const SYSTEM_VIRTUAL_SCHEMA = 'system_virtual_schema';

/** Keyspaces whose schema users cannot change at all (not even ALTER KEYSPACE). */
export const LOCAL_SYSTEM_KEYSPACES: ReadonlySet<string> = new Set([SYSTEM, SYSTEM_SCHEMA, SYSTEM_VIEWS, SYSTEM_VIRTUAL_SCHEMA]);
/** Replicated system keyspaces: users may ALTER their replication, nothing else. */
export const REPLICATED_SYSTEM_KEYSPACES: ReadonlySet<string> = new Set([SYSTEM_AUTH, SYSTEM_DISTRIBUTED, SYSTEM_TRACES]);
/** Keyspaces listed in system_virtual_schema rather than system_schema (Cassandra 4 virtual keyspaces). */
export const VIRTUAL_KEYSPACES: ReadonlySet<string> = new Set([SYSTEM_VIEWS, SYSTEM_VIRTUAL_SCHEMA]);

export function isSystemKeyspace(name: string): boolean {
  return LOCAL_SYSTEM_KEYSPACES.has(name) || REPLICATED_SYSTEM_KEYSPACES.has(name);
}

interface TableSpec {
  name: string;
  comment: string;
  /** "name type, name type, ..." with CQL type strings. */
  columns: string;
  partitionKey: string[];
  clustering?: string[];
  virtual?: boolean;
  options?: Partial<TableOptions>;
}

/** Builds column metadata for a key layout; every column not in a key is regular. */
export function buildColumns(defs: { name: string; type: ColumnMetadata['type']; isStatic?: boolean }[], partitionKey: string[],
                             clustering: { name: string; order: 'asc' | 'desc' }[]): Map<string, ColumnMetadata> {
  const columns = new Map<string, ColumnMetadata>();
  for (const d of defs) {
    const pk = partitionKey.indexOf(d.name);
    const ck = clustering.findIndex((c) => c.name === d.name);
    const col: ColumnMetadata = pk >= 0
      ? { name: d.name, type: d.type, kind: 'partition_key', position: pk, clusteringOrder: 'none' }
      : ck >= 0
        ? { name: d.name, type: d.type, kind: 'clustering', position: ck, clusteringOrder: clustering[ck]!.order }
        : { name: d.name, type: d.type, kind: d.isStatic ? 'static' : 'regular', position: -1, clusteringOrder: 'none' };
    columns.set(d.name, col);
  }
  return columns;
}

function systemTable(keyspace: string, spec: TableSpec, base: Partial<TableOptions>): TableMetadata {
  const defs = spec.columns.split(/,(?![^<]*>)/).map((s) => s.trim()).filter((s) => s.length > 0).map((s) => {
    const at = s.indexOf(' ');
    assert(at > 0, `bad column spec ${s}`);
    return { name: s.slice(0, at), type: parseNativeTypeString(s.slice(at + 1)) };
  });
  const clustering = (spec.clustering ?? []).map((name) => ({ name, order: 'asc' as const }));
  const columns = buildColumns(defs, spec.partitionKey, clustering);
  for (const k of [...spec.partitionKey, ...(spec.clustering ?? [])]) assert(columns.has(k), `${keyspace}.${spec.name}: key ${k} undefined`);
  const options: TableOptions = { ...defaultTableOptions(), ...base, comment: spec.comment, ...(spec.options ?? {}) };
  return {
    keyspace,
    name: spec.name,
    id: nameUuid(Buffer.concat([Buffer.from(keyspace), Buffer.from(spec.name)])),
    partitionKey: spec.partitionKey.map((n) => columns.get(n)!),
    clustering: clustering.map((c) => columns.get(c.name)!),
    columns,
    options,
    isCounter: false,
    virtual: spec.virtual ?? false,
  };
}

function keyspace(name: string, replication: ReplicationStrategy, base: Partial<TableOptions>, specs: TableSpec[]): KeyspaceMetadata {
  const tables = new Map<string, TableMetadata>();
  for (const s of specs) tables.set(s.name, systemTable(name, s, base));
  return { name, replication, durableWrites: true, tables, types: new Map(), system: true };
}

const HOUR_MS = 3_600_000;
const DAY_SEC = 86_400;

const SYSTEM_TABLES: TableSpec[] = [
  { name: 'IndexInfo', comment: 'built column indexes', columns: 'table_name text, index_name text, value blob', partitionKey: ['table_name'], clustering: ['index_name'] },
  { name: 'batches', comment: 'batches awaiting replay', columns: 'id timeuuid, mutations list<blob>, version int', partitionKey: ['id'],
    options: { compaction: { class: 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy', max_threshold: '32', min_threshold: '2' } } },
  { name: 'paxos', comment: 'in-progress paxos proposals',
    columns: 'row_key blob, cf_id uuid, in_progress_ballot timeuuid, most_recent_commit blob, most_recent_commit_at timeuuid, most_recent_commit_version int, proposal blob, proposal_ballot timeuuid, proposal_version int',
    partitionKey: ['row_key'], clustering: ['cf_id'],
    options: { compaction: { class: 'org.apache.cassandra.db.compaction.LeveledCompactionStrategy', max_threshold: '32', min_threshold: '4' } } },
  { name: 'local', comment: 'information about the local node', virtual: true,
    columns: 'key text, bootstrapped text, broadcast_address inet, broadcast_port int, cluster_name text, cql_version text, data_center text, gossip_generation int, host_id uuid, listen_address inet, listen_port int, native_protocol_version text, partitioner text, rack text, release_version text, rpc_address inet, rpc_port int, schema_version uuid, tokens set<text>, truncated_at map<uuid, blob>',
    partitionKey: ['key'] },
  { name: 'peers_v2', comment: 'information about known peers in the cluster', virtual: true,
    columns: 'peer inet, peer_port int, data_center text, host_id uuid, preferred_ip inet, preferred_port int, rack text, release_version text, native_address inet, native_port int, schema_version uuid, tokens set<text>',
    partitionKey: ['peer'], clustering: ['peer_port'] },
  { name: 'peers', comment: 'information about known peers in the cluster', virtual: true,
    columns: 'peer inet, data_center text, host_id uuid, preferred_ip inet, rack text, release_version text, rpc_address inet, schema_version uuid, tokens set<text>',
    partitionKey: ['peer'] },
  { name: 'peer_events_v2', comment: 'events related to peers', columns: 'peer inet, peer_port int, hints_dropped map<uuid, int>', partitionKey: ['peer'], clustering: ['peer_port'] },
  { name: 'peer_events', comment: 'events related to peers', columns: 'peer inet, hints_dropped map<uuid, int>', partitionKey: ['peer'] },
  { name: 'compaction_history', comment: 'week-long compaction history',
    columns: 'id uuid, bytes_in bigint, bytes_out bigint, columnfamily_name text, compacted_at timestamp, keyspace_name text, rows_merged map<int, bigint>',
    partitionKey: ['id'], options: { default_time_to_live: 7 * DAY_SEC } },
  { name: 'sstable_activity', comment: 'historic sstable read rates',
    columns: 'keyspace_name text, columnfamily_name text, generation int, rate_120m double, rate_15m double', partitionKey: ['keyspace_name', 'columnfamily_name', 'generation'] },
  { name: 'size_estimates', comment: 'per-table primary range size estimates, table is deprecated in favor of table_estimates', virtual: true,
    columns: 'keyspace_name text, table_name text, range_start text, range_end text, mean_partition_size bigint, partitions_count bigint',
    partitionKey: ['keyspace_name'], clustering: ['table_name', 'range_start', 'range_end'] },
  { name: 'table_estimates', comment: 'per-table range size estimates', virtual: true,
    columns: 'keyspace_name text, table_name text, range_type text, range_start text, range_end text, mean_partition_size bigint, partitions_count bigint',
    partitionKey: ['keyspace_name'], clustering: ['table_name', 'range_type', 'range_start', 'range_end'] },
  { name: 'available_ranges_v2', comment: 'available keyspace/ranges during bootstrap/replace that are ready to be served',
    columns: 'keyspace_name text, full_ranges set<blob>, transient_ranges set<blob>', partitionKey: ['keyspace_name'] },
  { name: 'available_ranges', comment: 'available keyspace/ranges during bootstrap/replace that are ready to be served',
    columns: 'keyspace_name text, ranges set<blob>', partitionKey: ['keyspace_name'] },
  { name: 'transferred_ranges_v2', comment: 'record of transferred ranges for streaming operation',
    columns: 'operation text, peer inet, peer_port int, keyspace_name text, ranges set<blob>', partitionKey: ['operation', 'keyspace_name'], clustering: ['peer', 'peer_port'] },
  { name: 'transferred_ranges', comment: 'record of transferred ranges for streaming operation',
    columns: 'operation text, peer inet, keyspace_name text, ranges set<blob>', partitionKey: ['operation', 'keyspace_name'], clustering: ['peer'] },
  { name: 'view_builds_in_progress', comment: 'views builds current progress',
    columns: 'keyspace_name text, view_name text, start_token text, end_token text, last_token text, keys_built bigint',
    partitionKey: ['keyspace_name'], clustering: ['view_name', 'start_token', 'end_token'] },
  { name: 'built_views', comment: 'built views', columns: 'keyspace_name text, view_name text, status_replicated boolean', partitionKey: ['keyspace_name'], clustering: ['view_name'] },
  { name: 'prepared_statements', comment: 'prepared statements', columns: 'prepared_id blob, logged_keyspace text, query_string text', partitionKey: ['prepared_id'] },
  { name: 'repairs', comment: 'repairs',
    columns: 'parent_id timeuuid, started_at timestamp, last_update timestamp, repaired_at timestamp, state int, coordinator inet, coordinator_port int, participants set<inet>, participants_wp set<text>, ranges set<blob>, cfids set<uuid>',
    partitionKey: ['parent_id'] },
];

const SCHEMA_TABLE_OPTIONS = ['bloom_filter_fp_chance double', 'caching frozen<map<text, text>>', 'comment text',
  'compaction frozen<map<text, text>>', 'compression frozen<map<text, text>>', 'memtable text', 'crc_check_chance double', 'dclocal_read_repair_chance double',
  'default_time_to_live int', 'extensions frozen<map<text, blob>>', 'gc_grace_seconds int', 'id uuid',
  'max_index_interval int', 'memtable_flush_period_in_ms int', 'min_index_interval int', 'read_repair_chance double', 'speculative_retry text',
  'additional_write_policy text', 'cdc boolean', 'read_repair text'].join(', ');

const SYSTEM_SCHEMA_TABLES: TableSpec[] = [
  { name: 'keyspaces', comment: 'keyspace definitions', columns: 'keyspace_name text, durable_writes boolean, replication frozen<map<text, text>>', partitionKey: ['keyspace_name'] },
  { name: 'tables', comment: 'table definitions', columns: `keyspace_name text, table_name text, flags frozen<set<text>>, ${SCHEMA_TABLE_OPTIONS}`,
    partitionKey: ['keyspace_name'], clustering: ['table_name'] },
  { name: 'columns', comment: 'column definitions',
    columns: 'keyspace_name text, table_name text, column_name text, clustering_order text, column_name_bytes blob, kind text, position int, type text',
    partitionKey: ['keyspace_name'], clustering: ['table_name', 'column_name'] },
  { name: 'triggers', comment: 'trigger definitions', columns: 'keyspace_name text, table_name text, trigger_name text, options frozen<map<text, text>>',
    partitionKey: ['keyspace_name'], clustering: ['table_name', 'trigger_name'] },
  { name: 'dropped_columns', comment: 'dropped column registry', columns: 'keyspace_name text, table_name text, column_name text, dropped_time timestamp, kind text, type text',
    partitionKey: ['keyspace_name'], clustering: ['table_name', 'column_name'] },
  { name: 'views', comment: 'view definitions',
    columns: `keyspace_name text, view_name text, base_table_id uuid, base_table_name text, where_clause text, include_all_columns boolean, ${SCHEMA_TABLE_OPTIONS}`,
    partitionKey: ['keyspace_name'], clustering: ['view_name'] },
  { name: 'types', comment: 'user defined type definitions', columns: 'keyspace_name text, type_name text, field_names frozen<list<text>>, field_types frozen<list<text>>',
    partitionKey: ['keyspace_name'], clustering: ['type_name'] },
  { name: 'functions', comment: 'user defined function definitions',
    columns: 'keyspace_name text, function_name text, argument_types frozen<list<text>>, argument_names frozen<list<text>>, body text, language text, return_type text, called_on_null_input boolean',
    partitionKey: ['keyspace_name'], clustering: ['function_name', 'argument_types'] },
  { name: 'aggregates', comment: 'user defined aggregate definitions',
    columns: 'keyspace_name text, aggregate_name text, argument_types frozen<list<text>>, final_func text, initcond text, return_type text, state_func text, state_type text',
    partitionKey: ['keyspace_name'], clustering: ['aggregate_name', 'argument_types'] },
  { name: 'indexes', comment: 'secondary index definitions', columns: 'keyspace_name text, table_name text, index_name text, kind text, options frozen<map<text, text>>',
    partitionKey: ['keyspace_name'], clustering: ['table_name', 'index_name'] },
].map((s) => ({ ...s, virtual: true }));

const AUTH_TABLES: TableSpec[] = [
  { name: 'roles', comment: 'role definitions', columns: 'role text, is_superuser boolean, can_login boolean, salted_hash text, member_of set<text>', partitionKey: ['role'] },
  { name: 'role_members', comment: 'role memberships lookup table', columns: 'role text, member text', partitionKey: ['role'], clustering: ['member'] },
  { name: 'role_permissions', comment: 'permissions granted to db roles', columns: 'role text, resource text, permissions set<text>', partitionKey: ['role'], clustering: ['resource'] },
  { name: 'resource_role_permissons_index', comment: 'index of db roles with permissions granted on a resource', columns: 'resource text, role text', partitionKey: ['resource'], clustering: ['role'] },
  { name: 'network_permissions', comment: 'user network permissions', columns: 'role text, dcs frozen<set<text>>', partitionKey: ['role'] },
];

const DISTRIBUTED_TABLES: TableSpec[] = [
  { name: 'repair_history', comment: 'Repair history',
    columns: 'keyspace_name text, columnfamily_name text, id timeuuid, parent_id timeuuid, range_begin text, range_end text, coordinator inet, coordinator_port int, participants set<inet>, participants_v2 set<text>, exception_message text, exception_stacktrace text, status text, started_at timestamp, finished_at timestamp',
    partitionKey: ['keyspace_name', 'columnfamily_name'], clustering: ['id'] },
  { name: 'parent_repair_history', comment: 'Repair history',
    columns: 'parent_id timeuuid, keyspace_name text, columnfamily_names set<text>, started_at timestamp, finished_at timestamp, exception_message text, exception_stacktrace text, requested_ranges set<text>, successful_ranges set<text>, options map<text, text>',
    partitionKey: ['parent_id'] },
  { name: 'view_build_status', comment: 'Materialized View build status', columns: 'keyspace_name text, view_name text, host_id uuid, status text',
    partitionKey: ['keyspace_name', 'view_name'], clustering: ['host_id'] },
];

const TRACES_TABLES: TableSpec[] = [
  { name: 'sessions', comment: 'tracing sessions',
    columns: 'session_id uuid, command text, client inet, coordinator inet, coordinator_port int, duration int, parameters map<text, text>, request text, started_at timestamp',
    partitionKey: ['session_id'] },
  { name: 'events', comment: 'tracing events', columns: 'session_id uuid, event_id timeuuid, activity text, source inet, source_port int, source_elapsed int, thread text',
    partitionKey: ['session_id'], clustering: ['event_id'] },
  // Served from the node's bounded in-memory trace store (src/observability/tracing.ts), not storage.
].map((s) => ({ ...s, virtual: true }));

// system_views tables computed from the metrics registry (src/observability/virtual_tables.ts;
// test/observability checks these columns equal its VIRTUAL_TABLE_SPECS).
const LATENCY_VIEW_COLUMNS = 'keyspace_name text, table_name text, count bigint, max_ms double, p50th_ms double, p99th_ms double, per_second double';
const PER_READ_VIEW_COLUMNS = 'keyspace_name text, table_name text, count bigint, max double, p50th double, p99th double';
const TABLE_VIEW_KEY = ['keyspace_name', 'table_name'];
const METRIC_VIEWS_TABLES: TableSpec[] = [
  { name: 'thread_pools', comment: 'Thread pool metrics for all thread pools',
    columns: 'name text, active_tasks int, active_tasks_limit int, blocked_tasks bigint, blocked_tasks_all_time bigint, completed_tasks bigint, pending_tasks int',
    partitionKey: ['name'] },
  ...['coordinator_read_latency', 'coordinator_write_latency', 'coordinator_scan_latency', 'local_read_latency', 'local_write_latency', 'local_scan_latency']
    .map((name) => ({ name, comment: `Latency of ${name.replace(/_/g, ' ')} per table, in milliseconds`, columns: LATENCY_VIEW_COLUMNS, partitionKey: TABLE_VIEW_KEY })),
  { name: 'tombstones_per_read', comment: 'Tombstones scanned per read', columns: PER_READ_VIEW_COLUMNS, partitionKey: TABLE_VIEW_KEY },
  { name: 'rows_per_read', comment: 'Live rows scanned per read', columns: PER_READ_VIEW_COLUMNS, partitionKey: TABLE_VIEW_KEY },
  { name: 'disk_usage', comment: 'Disk used by each table (all SSTables), MiB', columns: 'keyspace_name text, table_name text, mebibytes bigint', partitionKey: TABLE_VIEW_KEY },
  { name: 'max_partition_size', comment: 'Largest partition of each table, MiB', columns: 'keyspace_name text, table_name text, mebibytes bigint', partitionKey: TABLE_VIEW_KEY },
  { name: 'sstable_tasks', comment: 'Running compactions and other SSTable tasks',
    columns: 'keyspace_name text, table_name text, task_id timeuuid, completion_ratio double, kind text, progress bigint, sstables int, total bigint, unit text',
    partitionKey: ['keyspace_name'], clustering: ['table_name', 'task_id'] },
  { name: 'caches', comment: 'System caches',
    columns: 'name text, capacity_bytes bigint, entry_count int, hit_count bigint, hit_ratio double, recent_hit_rate_per_second bigint, recent_request_rate_per_second bigint, request_count bigint, size_bytes bigint',
    partitionKey: ['name'] },
  { name: 'cql_metrics', comment: 'Metrics specific to CQL prepared statement caching', columns: 'name text, value double', partitionKey: ['name'] },
];

const VIEWS_TABLES: TableSpec[] = [
  { name: 'clients', comment: 'currently connected clients',
    columns: 'address inet, port int, hostname text, username text, connection_stage text, protocol_version int, client_options frozen<map<text, text>>, driver_name text, driver_version text, request_count bigint, ssl_enabled boolean, ssl_protocol text, ssl_cipher_suite text',
    partitionKey: ['address'], clustering: ['port'] },
  { name: 'settings', comment: 'current settings', columns: 'name text, value text', partitionKey: ['name'] },
  ...METRIC_VIEWS_TABLES,
].map((s) => ({ ...s, virtual: true }));

const VIRTUAL_SCHEMA_TABLES: TableSpec[] = [
  { name: 'keyspaces', comment: 'virtual keyspace definitions', columns: 'keyspace_name text', partitionKey: ['keyspace_name'] },
  { name: 'tables', comment: 'virtual table definitions', columns: 'keyspace_name text, table_name text, comment text', partitionKey: ['keyspace_name'], clustering: ['table_name'] },
  { name: 'columns', comment: 'virtual column definitions',
    columns: 'keyspace_name text, table_name text, column_name text, clustering_order text, column_name_bytes blob, kind text, position int, type text',
    partitionKey: ['keyspace_name'], clustering: ['table_name', 'column_name'] },
].map((s) => ({ ...s, virtual: true }));

const LOCAL: ReplicationStrategy = { class: 'LocalStrategy' };

/** Fresh metadata for every built-in keyspace, in a stable order. */
export function systemKeyspaces(): KeyspaceMetadata[] {
  return [
    keyspace(SYSTEM, LOCAL, { gc_grace_seconds: 0, memtable_flush_period_in_ms: HOUR_MS }, SYSTEM_TABLES),
    keyspace(SYSTEM_SCHEMA, LOCAL, { gc_grace_seconds: 7 * DAY_SEC, memtable_flush_period_in_ms: HOUR_MS }, SYSTEM_SCHEMA_TABLES),
    keyspace(SYSTEM_AUTH, { class: 'SimpleStrategy', replicationFactor: 1 }, { gc_grace_seconds: 90 * DAY_SEC }, AUTH_TABLES),
    keyspace(SYSTEM_DISTRIBUTED, { class: 'SimpleStrategy', replicationFactor: 3 }, { gc_grace_seconds: 10 * DAY_SEC }, DISTRIBUTED_TABLES),
    keyspace(SYSTEM_TRACES, { class: 'SimpleStrategy', replicationFactor: 2 }, { gc_grace_seconds: 0 }, TRACES_TABLES),
    keyspace(SYSTEM_VIEWS, LOCAL, {}, VIEWS_TABLES),
    keyspace(SYSTEM_VIRTUAL_SCHEMA, LOCAL, {}, VIRTUAL_SCHEMA_TABLES),
  ];
}
