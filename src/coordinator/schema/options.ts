// Keyspace and table options: validation of `WITH ...` properties, with Cassandra's defaults,
// short class names expanded to the full names drivers expect, and Cassandra's error wording.

import { ConfigError, CqlSyntaxError, InvalidRequest } from '../../util/errors.js';
import type { Literal } from '../../schema/literal.js';
import type { ReplicationStrategy, TableOptions } from '../../schema/metadata.js';
import type { OptionEntry, OptionValue } from './ddl.js';

export const LOCATOR_PACKAGE = 'org.apache.cassandra.locator.';
export const COMPACTION_PACKAGE = 'org.apache.cassandra.db.compaction.';
export const COMPRESSION_PACKAGE = 'org.apache.cassandra.io.compress.';
/** Cassandra's MAX_TTL: 20 years in seconds. */
export const TTL_SEC_MAX = 630_720_000;
/** Highest replication factor accepted per DC; a sanity bound, far above any real cluster. */
export const REPLICATION_FACTOR_MAX = 100;

// ---- literal helpers ----------------------------------------------------------------------------

function literalString(l: Literal): string {
  return l.text;
}

function constantOf(name: string, v: OptionValue): Literal {
  if (v.kind !== 'constant') throw new CqlSyntaxError(`Invalid value for property '${name}': expected a constant, not a map`);
  return v.literal;
}

function mapOf(name: string, v: OptionValue): Record<string, string> {
  if (v.kind !== 'map') throw new CqlSyntaxError(`Invalid value for property '${name}': expected a map`);
  const out: Record<string, string> = {};
  for (const e of v.entries) out[literalString(e.key)] = literalString(e.value);
  return out;
}

function toInt(name: string, text: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(text.trim())) throw new ConfigError(`Invalid value '${text}' for ${name}: expected an integer`);
  const n = Number(text);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max} (got ${text})`);
  return n;
}

function toDouble(name: string, text: string, min: number, max: number, minExclusive = false): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`Invalid value '${text}' for ${name}: expected a number`);
  if (n > max || n < min || (minExclusive && n === min)) {
    throw new ConfigError(`${name} must be ${minExclusive ? 'larger than' : 'at least'} ${min} and at most ${max} (got ${text})`);
  }
  return n;
}

function toBool(name: string, text: string): boolean {
  const t = text.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  throw new ConfigError(`Invalid boolean value '${text}' for ${name}`);
}

function rejectDuplicates(entries: OptionEntry[]): void {
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.name)) throw new CqlSyntaxError(`Multiple definitions for property '${e.name}'`);
    seen.add(e.name);
  }
}

// ---- keyspaces ----------------------------------------------------------------------------------

export interface KeyspaceOptions {
  replication?: ReplicationStrategy;
  durableWrites?: boolean;
  warnings: string[];
}

export interface KeyspaceOptionContext {
  keyspace: string;
  /** Data centers known to the cluster: 'replication_factor' under NTS expands to these. */
  datacenters: string[];
}

/** Validates `WITH replication = {...} AND durable_writes = ...`. */
export function parseKeyspaceOptions(entries: OptionEntry[], ctx: KeyspaceOptionContext): KeyspaceOptions {
  rejectDuplicates(entries);
  const out: KeyspaceOptions = { warnings: [] };
  for (const e of entries) {
    switch (e.name) {
      case 'replication': out.replication = parseReplication(mapOf('replication', e.value), ctx, out.warnings); break;
      case 'durable_writes': out.durableWrites = toBool('durable_writes', literalString(constantOf(e.name, e.value))); break;
      default: throw new CqlSyntaxError(`Unknown property '${e.name}'`);
    }
  }
  if (out.durableWrites === false) {
    out.warnings.push(`durable_writes = false on keyspace ${ctx.keyspace}: writes skip the commit log and are lost if the node stops before a flush`);
  }
  return out;
}

function parseReplication(map: Record<string, string>, ctx: KeyspaceOptionContext, warnings: string[]): ReplicationStrategy {
  const cls = map['class'];
  if (cls === undefined) throw new ConfigError('Missing replication strategy class');
  const short = cls.startsWith(LOCATOR_PACKAGE) ? cls.slice(LOCATOR_PACKAGE.length) : cls;
  const rest = Object.fromEntries(Object.entries(map).filter(([k]) => k !== 'class'));
  switch (short) {
    case 'SimpleStrategy': return parseSimple(rest, ctx);
    case 'NetworkTopologyStrategy': return parseNts(rest, ctx, warnings);
    case 'LocalStrategy': case 'EverywhereStrategy': case 'MetaStrategy':
      throw new ConfigError(`Unable to use given strategy class: ${short} is reserved for internal use.`);
    default:
      throw new ConfigError(`Unable to find replication strategy class '${cls.includes('.') ? cls : LOCATOR_PACKAGE + cls}'`);
  }
}

function parseRf(text: string, where: string): number {
  if (text.includes('/')) throw new ConfigError(`Transient replication is not supported (replication factor '${text}' ${where})`);
  return toInt(`replication_factor ${where}`, text, 0, REPLICATION_FACTOR_MAX);
}

function parseSimple(opts: Record<string, string>, ctx: KeyspaceOptionContext): ReplicationStrategy {
  const unknown = Object.keys(opts).filter((k) => k !== 'replication_factor');
  if (unknown.length > 0) {
    throw new ConfigError(`Unrecognized strategy option {${unknown.join(', ')}} passed to SimpleStrategy for keyspace ${ctx.keyspace}`);
  }
  const rf = opts['replication_factor'];
  if (rf === undefined) throw new ConfigError('SimpleStrategy requires a replication_factor strategy option.');
  return { class: 'SimpleStrategy', replicationFactor: parseRf(rf, `for keyspace ${ctx.keyspace}`) };
}

function parseNts(opts: Record<string, string>, ctx: KeyspaceOptionContext, warnings: string[]): ReplicationStrategy {
  const dcs: Record<string, number> = {};
  const shorthand = opts['replication_factor'];
  if (shorthand !== undefined) {
    const rf = parseRf(shorthand, `for keyspace ${ctx.keyspace}`);
    for (const dc of ctx.datacenters) dcs[dc] = rf;
  }
  for (const [dc, value] of Object.entries(opts)) {
    if (dc === 'replication_factor') continue;
    dcs[dc] = parseRf(value, `for data center ${dc} in keyspace ${ctx.keyspace}`);
    if (!ctx.datacenters.includes(dc)) {
      warnings.push(`Data center '${dc}' in the replication of keyspace ${ctx.keyspace} is not known to the cluster (known: ${ctx.datacenters.join(', ')}); no replicas will be placed there until it joins`);
    }
  }
  for (const dc of Object.keys(dcs)) if (dcs[dc] === 0) delete dcs[dc];
  return { class: 'NetworkTopologyStrategy', dcs };
}

/** The replication map as system_schema.keyspaces.replication holds it. */
export function replicationToMap(r: ReplicationStrategy): Record<string, string> {
  switch (r.class) {
    case 'SimpleStrategy': return { class: LOCATOR_PACKAGE + 'SimpleStrategy', replication_factor: String(r.replicationFactor) };
    case 'NetworkTopologyStrategy': {
      const out: Record<string, string> = { class: LOCATOR_PACKAGE + 'NetworkTopologyStrategy' };
      for (const dc of Object.keys(r.dcs).sort()) out[dc] = String(r.dcs[dc]);
      return out;
    }
    case 'LocalStrategy': return { class: LOCATOR_PACKAGE + 'LocalStrategy' };
  }
}

// ---- tables -------------------------------------------------------------------------------------

const OBSOLETE_TABLE_OPTIONS = new Set(['read_repair_chance', 'dclocal_read_repair_chance', 'index_interval', 'replicate_on_write', 'populate_io_cache_on_flush']);

export interface TableOptionContext {
  table: string;
  isCounter: boolean;
}

/** Applies `WITH ...` table properties on top of base (defaults for CREATE, current for ALTER). */
export function parseTableOptions(entries: OptionEntry[], base: TableOptions, ctx: TableOptionContext): { options: TableOptions; warnings: string[] } {
  rejectDuplicates(entries);
  const o: TableOptions = structuredClone(base);
  const warnings: string[] = [];
  for (const e of entries) {
    if (OBSOLETE_TABLE_OPTIONS.has(e.name)) {
      warnings.push(`The '${e.name}' table option has been removed and is ignored`);
      continue;
    }
    applyTableOption(o, e, warnings);
  }
  if (o.max_index_interval < o.min_index_interval) {
    throw new ConfigError(`max_index_interval (${o.max_index_interval}) must be greater than or equal to min_index_interval (${o.min_index_interval})`);
  }
  if (ctx.isCounter && o.default_time_to_live > 0) {
    throw new InvalidRequest(`Cannot set default_time_to_live on a table with counters (${ctx.table})`);
  }
  return { options: o, warnings };
}

function applyTableOption(o: TableOptions, e: OptionEntry, warnings: string[]): void {
  const text = (): string => literalString(constantOf(e.name, e.value));
  switch (e.name) {
    case 'bloom_filter_fp_chance': o.bloom_filter_fp_chance = toDouble(e.name, text(), 0, 1, true); return;
    case 'caching': o.caching = parseCaching(mapOf(e.name, e.value)); return;
    case 'comment': o.comment = text(); return;
    case 'compaction': o.compaction = parseCompaction(mapOf(e.name, e.value)); return;
    case 'compression': o.compression = parseCompression(mapOf(e.name, e.value)); return;
    case 'crc_check_chance': o.crc_check_chance = toDouble(e.name, text(), 0, 1); return;
    case 'default_time_to_live': o.default_time_to_live = toInt(e.name, text(), 0, TTL_SEC_MAX); return;
    case 'gc_grace_seconds': o.gc_grace_seconds = toInt(e.name, text(), 0, 2 ** 31 - 1); return;
    case 'max_index_interval': o.max_index_interval = toInt(e.name, text(), 1, 2 ** 31 - 1); return;
    case 'min_index_interval': o.min_index_interval = toInt(e.name, text(), 1, 2 ** 31 - 1); return;
    case 'memtable_flush_period_in_ms': o.memtable_flush_period_in_ms = toInt(e.name, text(), 0, 2 ** 31 - 1); return;
    case 'read_repair': o.read_repair = parseReadRepair(text()); return;
    case 'speculative_retry': o.speculative_retry = parseRetryPolicy(e.name, text()); return;
    case 'additional_write_policy': o.additional_write_policy = parseRetryPolicy(e.name, text()); return;
    case 'cdc': o.cdc = toBool(e.name, text()); return;
    case 'extensions': o.extensions = mapOf(e.name, e.value); return;
    case 'memtable': warnings.push(`The 'memtable' table option is accepted but Cassia has one memtable implementation`); return;
    default: throw new CqlSyntaxError(`Unknown property '${e.name}'`);
  }
}

function parseCaching(m: Record<string, string>): Record<string, string> {
  const unknown = Object.keys(m).filter((k) => k !== 'keys' && k !== 'rows_per_partition');
  if (unknown.length > 0) throw new ConfigError(`Invalid caching sub-options ${JSON.stringify(unknown)}: only "keys" and "rows_per_partition" are allowed`);
  const keys = (m['keys'] ?? 'ALL').toUpperCase();
  if (keys !== 'ALL' && keys !== 'NONE') throw new ConfigError(`Invalid value '${m['keys']}' for caching sub-option 'keys': only 'ALL' and 'NONE' are allowed`);
  const rowsRaw = m['rows_per_partition'] ?? 'NONE';
  const rows = rowsRaw.toUpperCase();
  if (rows !== 'ALL' && rows !== 'NONE' && !/^\d+$/.test(rows)) {
    throw new ConfigError(`Invalid value '${rowsRaw}' for caching sub-option 'rows_per_partition': only 'ALL', 'NONE' or a positive integer are allowed`);
  }
  return { keys, rows_per_partition: rows };
}

const COMPACTION_COMMON = ['class', 'enabled', 'min_threshold', 'max_threshold', 'tombstone_threshold', 'tombstone_compaction_interval',
  'unchecked_tombstone_compaction', 'only_purge_repaired_tombstones', 'log_all', 'provide_overlapping_tombstones'];
const COMPACTION_STRATEGIES: Record<string, string[]> = {
  SizeTieredCompactionStrategy: ['bucket_high', 'bucket_low', 'min_sstable_size'],
  LeveledCompactionStrategy: ['sstable_size_in_mb', 'fanout_size', 'single_sstable_uplevel'],
  TimeWindowCompactionStrategy: ['compaction_window_unit', 'compaction_window_size', 'timestamp_resolution', 'expired_sstable_check_frequency_seconds', 'unsafe_aggressive_sstable_expiration'],
  DateTieredCompactionStrategy: ['base_time_seconds', 'max_sstable_age_days', 'max_window_size_seconds', 'timestamp_resolution', 'expired_sstable_check_frequency_seconds'],
};

function parseCompaction(m: Record<string, string>): Record<string, string> {
  const cls = m['class'];
  if (cls === undefined) throw new ConfigError("Missing sub-option 'class' for the 'compaction' option.");
  const short = cls.startsWith(COMPACTION_PACKAGE) ? cls.slice(COMPACTION_PACKAGE.length) : cls;
  const specific = COMPACTION_STRATEGIES[short];
  if (!specific) throw new ConfigError(`Unable to find compaction strategy class '${cls}'`);
  const unknown = Object.keys(m).filter((k) => !COMPACTION_COMMON.includes(k) && !specific.includes(k));
  if (unknown.length > 0) throw new ConfigError(`Properties specified [${unknown.join(', ')}] are not understood by ${short}`);
  const out: Record<string, string> = { ...m, class: COMPACTION_PACKAGE + short };
  out['min_threshold'] ??= '4';
  out['max_threshold'] ??= '32';
  const min = toInt('min_threshold', out['min_threshold'], 2, 2 ** 31 - 1);
  const max = toInt('max_threshold', out['max_threshold'], 2, 2 ** 31 - 1);
  if (max < min) throw new ConfigError(`max_threshold (${max}) cannot be smaller than min_threshold (${min})`);
  if (out['enabled'] !== undefined) toBool('compaction enabled', out['enabled']);
  return sortKeys(out);
}

const COMPRESSORS = ['LZ4Compressor', 'SnappyCompressor', 'DeflateCompressor', 'ZstdCompressor', 'NoopCompressor'];
const COMPRESSION_KEYS = ['class', 'sstable_compression', 'chunk_length_in_kb', 'chunk_length_kb', 'enabled', 'crc_check_chance', 'min_compress_ratio', 'compression_level', 'lz4_compressor_type', 'lz4_high_compressor_level'];

function parseCompression(m: Record<string, string>): Record<string, string> {
  const unknown = Object.keys(m).filter((k) => !COMPRESSION_KEYS.includes(k));
  if (unknown.length > 0) throw new ConfigError(`Unknown compression options ${unknown.join(', ')}`);
  if (m['enabled'] !== undefined && !toBool('compression enabled', m['enabled'])) return { enabled: 'false' };
  const cls = m['class'] ?? m['sstable_compression'];
  if (cls === undefined) throw new ConfigError("Missing sub-option 'class' for the 'compression' option.");
  if (cls === '') return { enabled: 'false' };
  const short = cls.startsWith(COMPRESSION_PACKAGE) ? cls.slice(COMPRESSION_PACKAGE.length) : cls;
  if (!COMPRESSORS.includes(short)) throw new ConfigError(`Could not create Compression for type ${cls}`);
  const chunk = m['chunk_length_in_kb'] ?? m['chunk_length_kb'] ?? '16';
  const chunkKb = toInt('chunk_length_in_kb', chunk, 1, 1 << 20);
  if ((chunkKb & (chunkKb - 1)) !== 0) throw new ConfigError(`chunk_length_in_kb must be a power of 2 (got ${chunk})`);
  const out: Record<string, string> = { chunk_length_in_kb: String(chunkKb), class: COMPRESSION_PACKAGE + short };
  for (const k of ['min_compress_ratio', 'compression_level', 'lz4_compressor_type', 'lz4_high_compressor_level']) {
    if (m[k] !== undefined) out[k] = m[k]!;
  }
  if (out['min_compress_ratio'] !== undefined) toDouble('min_compress_ratio', out['min_compress_ratio'], 0, Number.MAX_VALUE);
  return sortKeys(out);
}

function parseReadRepair(text: string): string {
  const v = text.toUpperCase();
  if (v !== 'BLOCKING' && v !== 'NONE') throw new ConfigError(`Invalid read_repair '${text}': expected BLOCKING or NONE`);
  return v;
}

/** Normalizes a speculative retry / additional write policy as Cassandra 4 prints it: 99p, 50ms, ALWAYS, NONE, MIN(99p,50ms). */
export function parseRetryPolicy(name: string, text: string): string {
  const t = text.trim().toUpperCase();
  if (t === 'NONE' || t === 'NEVER') return 'NONE';
  if (t === 'ALWAYS') return 'ALWAYS';
  const pair = /^(MIN|MAX)\s*\((.+),(.+)\)$/.exec(t);
  if (pair) return `${pair[1]}(${parseRetryPolicy(name, pair[2]!)},${parseRetryPolicy(name, pair[3]!)})`;
  const pct = /^(\d+(?:\.\d+)?)\s*(P|PERCENTILE)$/.exec(t);
  if (pct) {
    const p = Number(pct[1]);
    if (!(p >= 0 && p <= 100)) throw new ConfigError(`Invalid value '${text}' for ${name}: percentile must be between 0 and 100`);
    return `${formatNumber(p)}p`;
  }
  const ms = /^(\d+(?:\.\d+)?)\s*MS$/.exec(t);
  if (ms) return `${Math.floor(Number(ms[1]))}ms`;
  throw new ConfigError(`Invalid value '${text}' for ${name}: expected NONE, ALWAYS, <n>p, <n>PERCENTILE, <n>ms, MIN(a,b) or MAX(a,b)`);
}

function formatNumber(n: number): string {
  return String(Math.round(n * 10_000) / 10_000);
}

function sortKeys(m: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
