// The node's configuration: cassia.yaml (cassandra.yaml's names where the concept is the same),
// then command-line overrides, validated into one typed Config.
//
// Every key is declared once in SPECS with its kind, default and meaning; docs/configuration.md
// lists the same keys (a test checks they agree). Unknown keys and bad values throw ConfigError
// naming the key, the bad value and what is expected. Durations and sizes take Cassandra 4.1's
// forms ('2000ms', '10s', '64MiB', '64MiB/s'); the pre-4.1 names with a unit suffix
// (read_request_timeout_in_ms: 5000, commitlog_segment_size_in_mb: 32, ...) are accepted too.

import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../util/errors.js';
import { assert, assertNever } from '../util/assert.js';
import type { FileSystem } from '../env/mod.js';
import { AUDIT_CATEGORIES, type AuditCategory } from '../observability/audit.js';

export type CommitlogSync = 'batch' | 'group' | 'periodic';
export type Snitch = 'SimpleSnitch' | 'GossipingPropertyFileSnitch';
export type Authenticator = 'AllowAllAuthenticator' | 'PasswordAuthenticator';
export type Authorizer = 'AllowAllAuthorizer' | 'CassandraAuthorizer';

export interface Config {
  clusterName: string;
  numTokens: number;
  listenAddress: string;
  rpcAddress: string;
  nativeTransportPort: number;
  storagePort: number;
  adminPort: number;
  seeds: string[];
  endpointSnitch: Snitch;
  dc: string;
  rack: string;
  phiConvictThreshold: number;
  internodeSendQueueBytes: number;
  dataFileDirectories: string[];
  /** The first data directory: node identity, system keyspaces. */
  dataDir: string;
  commitlogDirectory: string;
  commitlogSync: CommitlogSync;
  commitlogSyncGroupWindowMs: number;
  commitlogSyncPeriodMs: number;
  commitlogSegmentSizeBytes: number;
  memtableSpaceBytes: number;
  hintedHandoffEnabled: boolean;
  maxHintWindowMs: number;
  nativeTransportMaxFrameSizeBytes: number;
  nativeTransportMaxRequestDataInFlightBytes: number;
  nativeTransportMaxRequestDataInFlightPerIpBytes: number;
  nativeTransportRateLimitingEnabled: boolean;
  nativeTransportMaxRequestsPerSecond: number;
  nativeTransportTimeoutMs: number;
  nativeTransportMaxConcurrentConnections: number;
  readRequestTimeoutMs: number;
  writeRequestTimeoutMs: number;
  rangeRequestTimeoutMs: number;
  tombstoneWarnThreshold: number;
  tombstoneFailureThreshold: number;
  gcWarnThresholdMs: number;
  authenticator: Authenticator;
  authorizer: Authorizer;
  autoSnapshot: boolean;
  compactionThroughputBytesPerSec: number;
  fileCacheSizeBytes: number;
  concurrentCompactors: number;
  auditLoggingOptions: AuditLoggingOptions;
  fullQueryLoggingOptions: FullQueryLoggingOptions;
}


/** audit_logging_options (cassandra.yaml's names; files roll by size). */
export interface AuditLoggingOptions {
  enabled: boolean;
  /** BinAuditLogger or FileAuditLogger; both write Cassia's text lines. */
  logger: string;
  /** Default: `audit` inside the first data directory. */
  auditLogsDir: string;
  includedKeyspaces: string[];
  excludedKeyspaces: string[];
  includedCategories: AuditCategory[];
  excludedCategories: AuditCategory[];
  includedUsers: string[];
  excludedUsers: string[];
  rollCycle: string;
  maxFileSizeBytes: number;
  maxFiles: number;
  maxQueueBytes: number;
}

/** full_query_logging_options. */
export interface FullQueryLoggingOptions {
  /** Default: `fql` inside the first data directory. */
  logDir: string;
  rollCycle: string;
  maxFileSizeBytes: number;
  maxFiles: number;
  maxQueueBytes: number;
}

type Kind =
  | { kind: 'string' }
  | { kind: 'address' }
  | { kind: 'port' }
  | { kind: 'int'; min: number; max: number }
  | { kind: 'bool' }
  | { kind: 'duration' }
  | { kind: 'size' }
  | { kind: 'rate' }
  | { kind: 'enum'; values: readonly string[]; prefix?: string }
  | { kind: 'paths' }
  | { kind: 'path' }
  | { kind: 'seeds' }
  | { kind: 'auditOptions' }
  | { kind: 'fqlOptions' };

export interface KeySpec {
  key: string;
  field: keyof Config;
  type: Kind;
  /** The default as written in cassia.yaml; undefined when derived from other keys (see doc). */
  default: unknown;
  doc: string;
}

const MIB = 1024 * 1024;
const INT_MAX = 2 ** 31 - 1;

/** Every configuration key. The order is the order of docs/configuration.md. */
export const SPECS: readonly KeySpec[] = [
  { key: 'cluster_name', field: 'clusterName', type: { kind: 'string' }, default: 'Test Cluster', doc: 'Name of the cluster; nodes refuse to join a cluster with another name, and a data directory remembers it.' },
  { key: 'num_tokens', field: 'numTokens', type: { kind: 'int', min: 1, max: 1024 }, default: 16, doc: 'Virtual nodes (tokens) this node takes on first start; later changes are ignored for existing data directories.' },
  { key: 'listen_address', field: 'listenAddress', type: { kind: 'address' }, default: '127.0.0.1', doc: 'Address for internode traffic; also this node\'s identity in the ring.' },
  { key: 'rpc_address', field: 'rpcAddress', type: { kind: 'address' }, default: undefined, doc: 'Address CQL clients and the admin API connect to. Default: listen_address.' },
  { key: 'native_transport_port', field: 'nativeTransportPort', type: { kind: 'port' }, default: 9042, doc: 'CQL native protocol port (0: pick a free port).' },
  { key: 'storage_port', field: 'storagePort', type: { kind: 'port' }, default: 7000, doc: 'Internode messaging port (0: pick a free port).' },
  { key: 'admin_port', field: 'adminPort', type: { kind: 'port' }, default: 7199, doc: 'HTTP admin API port: JSON for nodetool, Prometheus /metrics (0: pick a free port).' },
  { key: 'seed_provider', field: 'seeds', type: { kind: 'seeds' }, default: undefined, doc: 'Seeds contacted to join the cluster: cassandra.yaml\'s `[{class_name: ..., parameters: [{seeds: "ip1,ip2"}]}]`, or `{seeds: [ip1, ip2]}`, or `"ip1,ip2"`. Default: listen_address (a cluster of one).' },
  { key: 'endpoint_snitch', field: 'endpointSnitch', type: { kind: 'enum', values: ['SimpleSnitch', 'GossipingPropertyFileSnitch'], prefix: 'org.apache.cassandra.locator.' }, default: 'GossipingPropertyFileSnitch', doc: 'GossipingPropertyFileSnitch takes dc and rack from this file; SimpleSnitch puts every node in datacenter1/rack1.' },
  { key: 'dc', field: 'dc', type: { kind: 'string' }, default: 'datacenter1', doc: 'This node\'s data center (cassandra-rackdc.properties `dc`).' },
  { key: 'rack', field: 'rack', type: { kind: 'string' }, default: 'rack1', doc: 'This node\'s rack (cassandra-rackdc.properties `rack`).' },
  { key: 'phi_convict_threshold', field: 'phiConvictThreshold', type: { kind: 'int', min: 5, max: 16 }, default: 8, doc: 'Phi-accrual failure detector threshold: a peer silent for about 2.3 x this many gossip intervals (18 s at 8) is marked DOWN.' },
  { key: 'internode_application_send_queue_reserve_endpoint_capacity', field: 'internodeSendQueueBytes', type: { kind: 'size' }, default: '128MiB', doc: 'Bytes of internode messages queued for one peer (while connecting or when the socket is slow); beyond it messages are dropped and counted.' },
  { key: 'data_file_directories', field: 'dataFileDirectories', type: { kind: 'paths' }, default: ['./data'], doc: 'Data directories (a list or one path); the first also holds the node identity.' },
  { key: 'commitlog_directory', field: 'commitlogDirectory', type: { kind: 'path' }, default: undefined, doc: 'Commit log directory. Default: `commitlog` inside the first data directory.' },
  { key: 'commitlog_sync', field: 'commitlogSync', type: { kind: 'enum', values: ['batch', 'group', 'periodic'] }, default: 'group', doc: '`batch`: each write waits for its own fsync; `group`: writes wait for a shared fsync every commitlog_sync_group_window; `periodic`: writes are acknowledged before fsync (up to commitlog_sync_period of acknowledged writes can be lost on power failure).' },
  { key: 'commitlog_sync_group_window', field: 'commitlogSyncGroupWindowMs', type: { kind: 'duration' }, default: '1ms', doc: 'Group commit window for commitlog_sync: group.' },
  { key: 'commitlog_sync_period', field: 'commitlogSyncPeriodMs', type: { kind: 'duration' }, default: '10000ms', doc: 'fsync period for commitlog_sync: periodic.' },
  { key: 'commitlog_segment_size', field: 'commitlogSegmentSizeBytes', type: { kind: 'size' }, default: '32MiB', doc: 'Size of one commit log segment; also the largest single mutation is half of it.' },
  { key: 'memtable_space', field: 'memtableSpaceBytes', type: { kind: 'size' }, default: '256MiB', doc: 'Memory for all memtables before the largest is flushed. A plain number is MiB.' },
  { key: 'hinted_handoff_enabled', field: 'hintedHandoffEnabled', type: { kind: 'bool' }, default: true, doc: 'Store hints for replicas that are down and replay them when they return.' },
  { key: 'max_hint_window', field: 'maxHintWindowMs', type: { kind: 'duration' }, default: '3h', doc: 'Stop hinting a replica that has been down longer than this (repair then brings it up to date).' },
  { key: 'native_transport_max_frame_size', field: 'nativeTransportMaxFrameSizeBytes', type: { kind: 'size' }, default: '16MiB', doc: 'Largest CQL frame accepted; larger frames are answered with a protocol error.' },
  { key: 'native_transport_max_request_data_in_flight', field: 'nativeTransportMaxRequestDataInFlightBytes', type: { kind: 'size' }, default: '128MiB', doc: 'Request bytes being processed across all clients; beyond it reading from clients pauses (or Overloaded is returned when the client asked for it).' },
  { key: 'native_transport_max_request_data_in_flight_per_ip', field: 'nativeTransportMaxRequestDataInFlightPerIpBytes', type: { kind: 'size' }, default: '32MiB', doc: 'As above, per client IP address.' },
  { key: 'native_transport_rate_limiting_enabled', field: 'nativeTransportRateLimitingEnabled', type: { kind: 'bool' }, default: false, doc: 'Limit CQL requests per second to native_transport_max_requests_per_second.' },
  { key: 'native_transport_max_requests_per_second', field: 'nativeTransportMaxRequestsPerSecond', type: { kind: 'int', min: 1, max: INT_MAX }, default: 1000000, doc: 'Request rate limit when rate limiting is enabled.' },
  { key: 'native_transport_timeout', field: 'nativeTransportTimeoutMs', type: { kind: 'duration' }, default: '12s', doc: 'A request still waiting in the native transport queue after this long is answered Overloaded instead of being executed late.' },
  { key: 'native_transport_max_concurrent_connections', field: 'nativeTransportMaxConcurrentConnections', type: { kind: 'int', min: 1, max: INT_MAX }, default: 4096, doc: 'Open CQL client connections; further ones are closed at once.' },
  { key: 'read_request_timeout', field: 'readRequestTimeoutMs', type: { kind: 'duration' }, default: '5000ms', doc: 'How long the coordinator waits for replicas on a read (ReadTimeout after).' },
  { key: 'write_request_timeout', field: 'writeRequestTimeoutMs', type: { kind: 'duration' }, default: '2000ms', doc: 'How long the coordinator waits for replicas on a write (WriteTimeout after).' },
  { key: 'range_request_timeout', field: 'rangeRequestTimeoutMs', type: { kind: 'duration' }, default: '10000ms', doc: 'How long the coordinator waits for replicas on each piece of a token-range scan.' },
  { key: 'tombstone_warn_threshold', field: 'tombstoneWarnThreshold', type: { kind: 'int', min: 1, max: INT_MAX }, default: 1000, doc: 'Tombstones scanned by one read before the client gets a warning.' },
  { key: 'tombstone_failure_threshold', field: 'tombstoneFailureThreshold', type: { kind: 'int', min: 1, max: INT_MAX }, default: 100000, doc: 'Tombstones scanned by one read before it fails (ReadFailure).' },
  { key: 'gc_warn_threshold', field: 'gcWarnThresholdMs', type: { kind: 'duration' }, default: '1000ms', doc: 'Event loop or GC pauses longer than this are logged as warnings.' },
  { key: 'authenticator', field: 'authenticator', type: { kind: 'enum', values: ['AllowAllAuthenticator', 'PasswordAuthenticator'], prefix: 'org.apache.cassandra.auth.' }, default: 'AllowAllAuthenticator', doc: 'PasswordAuthenticator requires a user name and password (default superuser cassandra/cassandra).' },
  { key: 'authorizer', field: 'authorizer', type: { kind: 'enum', values: ['AllowAllAuthorizer', 'CassandraAuthorizer'], prefix: 'org.apache.cassandra.auth.' }, default: 'AllowAllAuthorizer', doc: 'CassandraAuthorizer enforces GRANT/REVOKE permissions.' },
  { key: 'auto_snapshot', field: 'autoSnapshot', type: { kind: 'bool' }, default: true, doc: 'Snapshot a table\'s data before DROP TABLE or TRUNCATE.' },
  { key: 'compaction_throughput', field: 'compactionThroughputBytesPerSec', type: { kind: 'rate' }, default: '64MiB/s', doc: 'Compaction I/O limit for the whole node; 0 means unthrottled.' },
  { key: 'file_cache_size', field: 'fileCacheSizeBytes', type: { kind: 'size' }, default: '64MiB', doc: 'Chunk cache: decompressed SSTable chunks and index segments kept in memory for point reads (metrics type=Cache,scope=ChunkCache); 0 disables it. Reads it misses come from the OS page cache.' },
  { key: 'concurrent_compactors', field: 'concurrentCompactors', type: { kind: 'int', min: 1, max: 64 }, default: 2, doc: 'Compactions that may run at once.' },
  { key: 'audit_logging_options', field: 'auditLoggingOptions', type: { kind: 'auditOptions' }, default: {}, doc: 'Audit log: a mapping of enabled, logger, audit_logs_dir, included_/excluded_keyspaces, included_/excluded_categories, included_/excluded_users, roll_cycle, max_file_size, max_files, max_queue_size (see the audit log section). `nodetool enableauditlog` / `disableauditlog` change it at runtime.' },
  { key: 'full_query_logging_options', field: 'fullQueryLoggingOptions', type: { kind: 'fqlOptions' }, default: {}, doc: 'Full query log: a mapping of log_dir, roll_cycle, max_file_size, max_files, max_queue_size; enabled at runtime with `nodetool enablefullquerylog`.' },
];

const SPEC_BY_KEY = new Map(SPECS.map((s) => [s.key, s]));

/** Pre-4.1 names with the unit in the key: suffix → unit appended to the number. */
const LEGACY_SUFFIXES: readonly { suffix: string; unit: string; kinds: readonly Kind['kind'][] }[] = [
  { suffix: '_in_ms', unit: 'ms', kinds: ['duration'] },
  { suffix: '_in_mb', unit: 'MiB', kinds: ['size'] },
  { suffix: '_in_kb', unit: 'KiB', kinds: ['size'] },
  { suffix: '_mb_per_sec', unit: 'MiB/s', kinds: ['rate'] },
];

export interface LoadConfigOptions {
  /** Path of cassia.yaml; when absent only defaults and overrides apply. */
  file?: string;
  /** Values from the command line (cassandra.yaml names), applied over the file. */
  overrides?: Record<string, unknown>;
  fs?: Pick<FileSystem, 'readFile'>;
}

/** Reads, merges and validates the configuration. Throws ConfigError naming the key and value. */
export async function loadConfig(options: LoadConfigOptions): Promise<Config> {
  let text = '';
  if (options.file !== undefined) {
    assert(options.fs !== undefined, 'loadConfig with a file needs a FileSystem');
    try {
      text = (await options.fs.readFile(options.file)).toString('utf8');
    } catch (err) {
      throw new ConfigError(`cannot read configuration file ${options.file}: ${(err as Error).message}`);
    }
  }
  return parseConfig(text, { source: options.file ?? '(defaults)', overrides: options.overrides ?? {} });
}

/** Parses YAML text, applies overrides, validates. */
export function parseConfig(yamlText: string, options: { source?: string; overrides?: Record<string, unknown> } = {}): Config {
  const source = options.source ?? 'cassia.yaml';
  const fromFile = readYaml(yamlText, source);
  const values = new Map<string, unknown>();
  for (const [key, value] of Object.entries(fromFile)) setValue(values, key, value, source);
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) setValue(values, key, value, 'command line');
  }
  return buildConfig(values);
}

function readYaml(text: string, source: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${source} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`${source} must be a mapping of key: value lines, found ${Array.isArray(doc) ? 'a list' : typeof doc}`);
  return doc as Record<string, unknown>;
}

/** Stores a value under its canonical key (translating legacy unit-suffixed names). */
function setValue(values: Map<string, unknown>, key: string, value: unknown, source: string): void {
  if (SPEC_BY_KEY.has(key)) {
    values.set(key, value);
    return;
  }
  for (const legacy of LEGACY_SUFFIXES) {
    if (!key.endsWith(legacy.suffix)) continue;
    const base = key.slice(0, -legacy.suffix.length);
    const spec = SPEC_BY_KEY.get(base);
    if (!spec || !legacy.kinds.includes(spec.type.kind)) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ConfigError(`${key} in ${source}: expected a non-negative number, got ${show(value)}`);
    }
    values.set(base, `${value}${legacy.unit}`);
    return;
  }
  const hint = closestKey(key);
  throw new ConfigError(`unknown configuration key '${key}' in ${source}${hint ? ` (did you mean '${hint}'?)` : ''}; docs/configuration.md lists every key`);
}

function buildConfig(values: Map<string, unknown>): Config {
  const out: Record<string, unknown> = {};
  for (const spec of SPECS) {
    const raw = values.has(spec.key) ? values.get(spec.key) : spec.default;
    if (raw === undefined) continue; // derived below
    out[spec.field] = convert(spec, raw);
  }
  const config = out as unknown as Config;
  config.rpcAddress ??= config.listenAddress;
  config.seeds ??= [config.listenAddress];
  config.dataDir = config.dataFileDirectories[0]!;
  config.commitlogDirectory ??= joinPath(config.dataDir, 'commitlog');
  if (config.auditLoggingOptions.auditLogsDir === '') config.auditLoggingOptions.auditLogsDir = joinPath(config.dataDir, 'audit');
  if (config.fullQueryLoggingOptions.logDir === '') config.fullQueryLoggingOptions.logDir = joinPath(config.dataDir, 'fql');
  checkRelations(config, values);
  return config;
}

function checkRelations(config: Config, values: Map<string, unknown>): void {
  if (config.endpointSnitch === 'SimpleSnitch') {
    for (const key of ['dc', 'rack'] as const) {
      const defaultValue = key === 'dc' ? 'datacenter1' : 'rack1';
      if (values.has(key) && config[key] !== defaultValue) {
        throw new ConfigError(`${key}: '${config[key]}' is set, but endpoint_snitch SimpleSnitch always uses ${defaultValue}; use GossipingPropertyFileSnitch`);
      }
    }
  }
  const ports: [string, number][] = [['native_transport_port', config.nativeTransportPort], ['storage_port', config.storagePort], ['admin_port', config.adminPort]];
  for (let i = 0; i < ports.length; i++) {
    for (let j = i + 1; j < ports.length; j++) {
      if (ports[i]![1] !== 0 && ports[i]![1] === ports[j]![1]) {
        throw new ConfigError(`${ports[i]![0]} and ${ports[j]![0]} are both ${ports[i]![1]}; each needs its own port`);
      }
    }
  }
  if (config.tombstoneWarnThreshold > config.tombstoneFailureThreshold) {
    throw new ConfigError(`tombstone_warn_threshold (${config.tombstoneWarnThreshold}) is above tombstone_failure_threshold (${config.tombstoneFailureThreshold})`);
  }
  if (config.commitlogSegmentSizeBytes < 64 * 1024) {
    throw new ConfigError(`commitlog_segment_size: at least 64KiB, got ${config.commitlogSegmentSizeBytes} bytes`);
  }
  if (config.nativeTransportMaxRequestDataInFlightPerIpBytes > config.nativeTransportMaxRequestDataInFlightBytes) {
    throw new ConfigError('native_transport_max_request_data_in_flight_per_ip is above native_transport_max_request_data_in_flight');
  }
}

function convert(spec: KeySpec, raw: unknown): unknown {
  const t = spec.type;
  switch (t.kind) {
    case 'string': return nonEmptyString(spec.key, raw);
    case 'address': return parseAddress(spec.key, raw);
    case 'port': return parseInteger(spec.key, raw, 0, 65535);
    case 'int': return parseInteger(spec.key, raw, t.min, t.max);
    case 'bool': return parseBool(spec.key, raw);
    case 'duration': return parseDurationMs(spec.key, raw);
    case 'size': return parseSizeBytes(spec.key, raw, spec.key === 'memtable_space' ? MIB : undefined);
    case 'rate': return parseRateBytesPerSec(spec.key, raw);
    case 'enum': return parseEnum(spec.key, raw, t.values, t.prefix);
    case 'paths': return parsePaths(spec.key, raw);
    case 'path': return nonEmptyString(spec.key, raw);
    case 'seeds': return parseSeeds(spec.key, raw);
    case 'auditOptions': return parseAuditOptions(spec.key, raw);
    case 'fqlOptions': return parseFqlOptions(spec.key, raw);
    default: return assertNever(t, 'config kind');
  }
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function nonEmptyString(key: string, raw: unknown): string {
  if (typeof raw === 'number') raw = String(raw);
  if (typeof raw !== 'string' || raw.trim() === '') throw new ConfigError(`${key}: expected a non-empty string, got ${show(raw)}`);
  return raw.trim();
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function parseAddress(key: string, raw: unknown): string {
  const text = nonEmptyString(key, raw);
  if (IPV4.test(text) || HOSTNAME.test(text) || (text.includes(':') && /^[0-9A-Fa-f:.]+$/.test(text))) return text;
  throw new ConfigError(`${key}: '${text}' is not an IP address or host name`);
}

export function parseInteger(key: string, raw: unknown, min: number, max: number): number {
  const n = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new ConfigError(`${key}: expected an integer, got ${show(raw)}`);
  if (n < min || n > max) throw new ConfigError(`${key}: ${n} is out of range ${min}..${max}`);
  return n;
}

function parseBool(key: string, raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ConfigError(`${key}: expected true or false, got ${show(raw)}`);
}

const DURATION_UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** '2000ms', '10s', '3h' → milliseconds. A bare number is refused, as in Cassandra 4.1. */
export function parseDurationMs(key: string, raw: unknown): number {
  const text = typeof raw === 'string' ? raw.trim() : undefined;
  const m = text === undefined ? null : /^(\d+)\s*(ns|us|µs|ms|s|m|h|d)$/i.exec(text);
  if (!m) {
    throw new ConfigError(`${key}: expected a duration with a unit such as '2000ms', '10s' or '3h', got ${show(raw)}`);
  }
  return Number(m[1]) * DURATION_UNITS_MS[m[2]!.toLowerCase()]!;
}

const SIZE_UNITS: Record<string, number> = { b: 1, kib: 1024, mib: MIB, gib: 1024 * MIB };

/** '64MiB', '512KiB', '1GiB', '100B' → bytes. A bare number uses defaultUnit if given. */
export function parseSizeBytes(key: string, raw: unknown, defaultUnitBytes?: number): number {
  if (typeof raw === 'number' && defaultUnitBytes !== undefined && Number.isInteger(raw) && raw >= 0) return raw * defaultUnitBytes;
  const text = typeof raw === 'string' ? raw.trim() : undefined;
  const m = text === undefined ? null : /^(\d+)\s*(B|KiB|MiB|GiB)$/i.exec(text);
  if (!m) {
    throw new ConfigError(`${key}: expected a size with a unit such as '64MiB', '512KiB' or '1GiB', got ${show(raw)}`);
  }
  return Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!;
}

function parseRateBytesPerSec(key: string, raw: unknown): number {
  const text = typeof raw === 'string' ? raw.trim() : undefined;
  const m = text === undefined ? null : /^(\d+)\s*(B|KiB|MiB|GiB)\/s$/i.exec(text);
  if (!m) throw new ConfigError(`${key}: expected a rate such as '64MiB/s', got ${show(raw)}`);
  return Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!;
}

function parseEnum(key: string, raw: unknown, allowed: readonly string[], prefix?: string): string {
  const text = nonEmptyString(key, raw);
  const short = prefix && text.startsWith(prefix) ? text.slice(prefix.length) : text;
  if (allowed.includes(short)) return short;
  throw new ConfigError(`${key}: '${text}' is not one of ${allowed.join(', ')}`);
}

function parsePaths(key: string, raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new ConfigError(`${key}: needs at least one directory`);
  return list.map((p) => nonEmptyString(key, p));
}

/** Accepts cassandra.yaml's seed_provider list, `{seeds: [...] | "a,b"}`, a list or "a,b". */
function parseSeeds(key: string, raw: unknown): string[] {
  let seeds: unknown = raw;
  if (Array.isArray(raw) && raw.length > 0 && typeof raw[0] === 'object' && raw[0] !== null) {
    const params = (raw[0] as { parameters?: unknown }).parameters;
    seeds = Array.isArray(params) && params[0] && typeof params[0] === 'object' ? (params[0] as { seeds?: unknown }).seeds : undefined;
  } else if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    seeds = (raw as { seeds?: unknown }).seeds;
  }
  const list = typeof seeds === 'string' ? seeds.split(',') : Array.isArray(seeds) ? seeds : undefined;
  if (!list) throw new ConfigError(`${key}: expected seeds as "ip1,ip2", a list, or cassandra.yaml's [{class_name: ..., parameters: [{seeds: "ip1,ip2"}]}], got ${show(raw)}`);
  const out = list.map((s) => parseAddress(`${key} seed`, typeof s === 'string' ? s.trim().replace(/:\d+$/, '') : s));
  if (out.length === 0) throw new ConfigError(`${key}: needs at least one seed`);
  return out;
}

const ROLL_CYCLES = ['MINUTELY', 'HOURLY', 'DAILY'];

/** A nested mapping's keys: every key must be known (the error names `parent.key`). */
function subOptions(key: string, raw: unknown, known: readonly string[]): Record<string, unknown> {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${key}: expected a mapping of option: value, got ${show(raw)}`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new ConfigError(`unknown option '${key}.${k}'; known: ${known.join(', ')}`);
  return o;
}

function stringList(key: string, raw: unknown): string[] {
  if (raw === undefined || raw === null || raw === '') return [];
  const list = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw : undefined;
  if (!list) throw new ConfigError(`${key}: expected "a,b" or a list, got ${show(raw)}`);
  return list.map((v) => nonEmptyString(key, typeof v === 'string' ? v.trim() : v));
}

function logClassName(key: string, raw: unknown): string {
  // cassandra.yaml writes `logger: - class_name: BinAuditLogger`; a plain name is accepted too.
  const first = Array.isArray(raw) ? raw[0] : raw;
  const name = typeof first === 'object' && first !== null ? (first as { class_name?: unknown }).class_name : first;
  return parseEnum(key, name ?? 'BinAuditLogger', ['BinAuditLogger', 'FileAuditLogger'], 'org.apache.cassandra.audit.');
}

const AUDIT_OPTION_KEYS = ['enabled', 'logger', 'audit_logs_dir', 'included_keyspaces', 'excluded_keyspaces', 'included_categories', 'excluded_categories',
  'included_users', 'excluded_users', 'roll_cycle', 'max_file_size', 'max_files', 'max_queue_size'] as const;

/** Parses audit_logging_options (also used by nodetool enableauditlog with the same names). */
export function parseAuditOptions(key: string, raw: unknown): AuditLoggingOptions {
  const o = subOptions(key, raw, AUDIT_OPTION_KEYS);
  const k = (name: string) => `${key}.${name}`;
  const categories = (name: string) => stringList(k(name), o[name]).map((c) => parseEnum(k(name), c.toUpperCase(), AUDIT_CATEGORIES) as AuditCategory);
  return {
    enabled: o['enabled'] === undefined ? false : parseBool(k('enabled'), o['enabled']),
    logger: logClassName(k('logger'), o['logger']),
    auditLogsDir: o['audit_logs_dir'] === undefined ? '' : nonEmptyString(k('audit_logs_dir'), o['audit_logs_dir']),
    includedKeyspaces: stringList(k('included_keyspaces'), o['included_keyspaces']),
    excludedKeyspaces: o['excluded_keyspaces'] === undefined ? ['system', 'system_schema', 'system_virtual_schema'] : stringList(k('excluded_keyspaces'), o['excluded_keyspaces']),
    includedCategories: categories('included_categories'),
    excludedCategories: categories('excluded_categories'),
    includedUsers: stringList(k('included_users'), o['included_users']),
    excludedUsers: stringList(k('excluded_users'), o['excluded_users']),
    rollCycle: parseEnum(k('roll_cycle'), o['roll_cycle'] ?? 'HOURLY', ROLL_CYCLES),
    maxFileSizeBytes: parseSizeBytes(k('max_file_size'), o['max_file_size'] ?? '16MiB'),
    maxFiles: parseInteger(k('max_files'), o['max_files'] ?? 10, 1, 100_000),
    maxQueueBytes: parseSizeBytes(k('max_queue_size'), o['max_queue_size'] ?? '4MiB'),
  };
}

const FQL_OPTION_KEYS = ['log_dir', 'roll_cycle', 'max_file_size', 'max_files', 'max_queue_size'] as const;

export function parseFqlOptions(key: string, raw: unknown): FullQueryLoggingOptions {
  const o = subOptions(key, raw, FQL_OPTION_KEYS);
  const k = (name: string) => `${key}.${name}`;
  return {
    logDir: o['log_dir'] === undefined ? '' : nonEmptyString(k('log_dir'), o['log_dir']),
    rollCycle: parseEnum(k('roll_cycle'), o['roll_cycle'] ?? 'HOURLY', ROLL_CYCLES),
    maxFileSizeBytes: parseSizeBytes(k('max_file_size'), o['max_file_size'] ?? '64MiB'),
    maxFiles: parseInteger(k('max_files'), o['max_files'] ?? 20, 1, 100_000),
    maxQueueBytes: parseSizeBytes(k('max_queue_size'), o['max_queue_size'] ?? '16MiB'),
  };
}

function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

function closestKey(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const spec of SPECS) {
    const d = editDistance(key, spec.key);
    if (d < bestDistance) { best = spec.key; bestDistance = d; }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The defaults, as a Config. */
export function defaultConfig(): Config {
  return parseConfig('');
}

/**
 * The settings storage reads (src/storage/_config.ts names), from a Config: pass to
 * createStorage({ config }).
 */
export function storageConfigOf(config: Config): Record<string, unknown> {
  return {
    commitlog_sync: config.commitlogSync,
    commitlog_sync_group_window: config.commitlogSyncGroupWindowMs,
    commitlog_sync_period: config.commitlogSyncPeriodMs,
    commitlog_segment_size: `${config.commitlogSegmentSizeBytes}B`,
    memtable_space_mb: `${config.memtableSpaceBytes}B`,
    compaction_throughput: `${config.compactionThroughputBytesPerSec}B`,
    chunk_cache_size: `${config.fileCacheSizeBytes}B`,
    tombstone_warn_threshold: config.tombstoneWarnThreshold,
    tombstone_failure_threshold: config.tombstoneFailureThreshold,
    auto_snapshot: config.autoSnapshot,
  };
}
