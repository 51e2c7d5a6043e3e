// DESCRIBE: CQL that recreates a schema, generated from the driver's metadata objects.
//
// Pure functions from metadata shapes (the fields of the npm driver's keyspace, TableMetadata,
// Udt and Index objects that this file reads) to CQL text. The output is the form Cassandra 4
// prints: keyspace, then its types in dependency order, then each table followed by its indexes.

import { formatBlob, quoteIdentifier, TypeCode, type TypeInfo } from './format.js';

export interface ColumnShape {
  name: string;
  type: TypeInfo;
  isStatic?: boolean;
}

export interface KeyspaceShape {
  name: string;
  strategy: string | undefined;
  strategyOptions: Record<string, unknown> | undefined;
  durableWrites: boolean | undefined;
  virtual?: boolean;
}

export interface IndexShape {
  name: string;
  target: string;
  /** 0 custom, 1 keys, 2 composites (the driver's metadata.IndexKind). */
  kind: number;
  options: Record<string, unknown> | null | undefined;
}

/** The driver's TableMetadata fields used here; option fields are the fallback when no raw row is given. */
export interface TableShape {
  name: string;
  columns: ColumnShape[];
  partitionKeys: ColumnShape[];
  clusteringKeys: ColumnShape[];
  clusteringOrder: string[];
  indexes?: IndexShape[] | null;
  virtual?: boolean;
  bloomFilterFalsePositiveChance?: number | null;
  caching?: string | null;
  cdc?: boolean | null;
  comment?: string | null;
  compactionClass?: string | null;
  compactionOptions?: Record<string, unknown> | null;
  compression?: Record<string, unknown> | null;
  crcCheckChance?: number | null;
  defaultTtl?: number | null;
  extensions?: Record<string, unknown> | null;
  gcGraceSeconds?: number | null;
  maxIndexInterval?: number | null;
  memtableFlushPeriod?: number | null;
  minIndexInterval?: number | null;
  speculativeRetry?: string | null;
}

export interface UdtShape {
  name: string;
  fields: Array<{ name: string; type: TypeInfo }>;
}

/** A table with the raw system_schema.tables row, whose option columns are used when present. */
export interface TableDescription {
  table: TableShape;
  options?: Record<string, unknown> | null;
}

export interface KeyspaceDescription {
  keyspace: KeyspaceShape;
  types: UdtShape[];
  tables: TableDescription[];
}

/** Table options Cassandra 4 prints, in its order (alphabetical); read from system_schema.tables. */
export const TABLE_OPTION_NAMES = [
  'additional_write_policy', 'bloom_filter_fp_chance', 'caching', 'cdc', 'comment', 'compaction', 'compression',
  'crc_check_chance', 'default_time_to_live', 'extensions', 'gc_grace_seconds', 'max_index_interval',
  'memtable_flush_period_in_ms', 'min_index_interval', 'read_repair', 'speculative_retry',
] as const;

const FLOAT_OPTIONS: ReadonlySet<string> = new Set(['bloom_filter_fp_chance', 'crc_check_chance']);

/** Keyspaces Cassandra creates itself; DESCRIBE SCHEMA leaves them out unless FULL. */
export const SYSTEM_KEYSPACES: ReadonlySet<string> = new Set([
  'system', 'system_schema', 'system_auth', 'system_distributed', 'system_traces', 'system_views', 'system_virtual_schema',
]);

const SIMPLE_TYPE_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(TypeCode).filter(([, code]) => code > 0 && code < 0x20).map(([name, code]) => [code, name]),
);

const DURATION_CLASS = 'org.apache.cassandra.db.marshal.DurationType';

/** The CQL name of a type as the driver describes it: `frozen<map<text, int>>`, `address`, ... */
export function cqlTypeName(type: TypeInfo): string {
  const inner = baseTypeName(type);
  return type.options?.frozen ? `frozen<${inner}>` : inner;
}

function baseTypeName(type: TypeInfo): string {
  const simple = SIMPLE_TYPE_NAMES.get(type.code);
  if (simple !== undefined) return simple;
  switch (type.code) {
    case TypeCode.list: return `list<${cqlTypeName(type.info as TypeInfo)}>`;
    case TypeCode.set: return `set<${cqlTypeName(type.info as TypeInfo)}>`;
    case TypeCode.map: {
      const [k, v] = type.info as [TypeInfo, TypeInfo];
      return `map<${cqlTypeName(k)}, ${cqlTypeName(v)}>`;
    }
    case TypeCode.tuple: return `tuple<${(type.info as TypeInfo[]).map(cqlTypeName).join(', ')}>`;
    case TypeCode.udt: return quoteIdentifier((type.info as { name: string }).name);
    case TypeCode.custom: {
      if (type.customTypeName === 'vector' && Array.isArray(type.info)) {
        return `vector<${cqlTypeName(type.info[0] as TypeInfo)}, ${String(type.info[1])}>`;
      }
      if (type.info === DURATION_CLASS) return 'duration';
      return `'${String(type.info).replace(/'/g, "''")}'`;
    }
    default:
      return `'unknown type ${type.code}'`;
  }
}

/** A CQL string literal. */
export function cqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function qualified(keyspace: string, name: string): string {
  return `${quoteIdentifier(keyspace)}.${quoteIdentifier(name)}`;
}

function entriesOf(value: unknown): Array<[string, unknown]> {
  if (value instanceof Map) return [...Map.prototype.entries.call(value)].map(([k, v]) => [String(k), v]);
  if (typeof value === 'object' && value !== null) return Object.entries(value);
  return [];
}

/** `{'a': 'x', 'b': 'y'}` with keys sorted, as system_schema maps are. */
function cqlMap(value: unknown): string {
  const entries = entriesOf(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return '{' + entries.map(([k, v]) => `${cqlString(k)}: ${cqlMapValue(v)}`).join(', ') + '}';
}

function cqlMapValue(value: unknown): string {
  if (Buffer.isBuffer(value)) return formatBlob(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return cqlString(String(value));
}

function cqlOptionValue(name: string, value: unknown): string {
  if (typeof value === 'string') return cqlString(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return FLOAT_OPTIONS.has(name) && Number.isInteger(value) ? value.toFixed(1) : String(value);
  if (value instanceof Map || (typeof value === 'object' && value !== null && value.constructor === Object)) return cqlMap(value);
  return String(value);
}

/** `CREATE KEYSPACE ... WITH replication = {...} AND durable_writes = ...;` */
export function keyspaceCql(ks: KeyspaceShape): string {
  if (ks.virtual) return virtualComment('Keyspace', quoteIdentifier(ks.name), `VIRTUAL KEYSPACE ${quoteIdentifier(ks.name)};`);
  const replication: Array<[string, unknown]> = [['class', ks.strategy ?? 'SimpleStrategy']];
  const rest = entriesOf(ks.strategyOptions ?? {}).filter(([k]) => k !== 'class').sort(([a], [b]) => (a < b ? -1 : 1));
  const map = '{' + [...replication, ...rest].map(([k, v]) => `${cqlString(k)}: ${cqlString(String(v))}`).join(', ') + '}';
  return `CREATE KEYSPACE ${quoteIdentifier(ks.name)} WITH replication = ${map} AND durable_writes = ${ks.durableWrites !== false};`;
}

/** `CREATE TYPE ks.name (\n    field type,\n ...);` */
export function typeCql(keyspace: string, udt: UdtShape): string {
  const fields = udt.fields.map((f) => `    ${quoteIdentifier(f.name)} ${cqlTypeName(f.type)}`);
  return `CREATE TYPE ${qualified(keyspace, udt.name)} (\n${fields.join(',\n')}\n);`;
}

function columnLines(table: TableShape): string[] {
  const keyNames = new Set([...table.partitionKeys, ...table.clusteringKeys].map((c) => c.name));
  const others = table.columns.filter((c) => !keyNames.has(c.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
  const inlineKey = table.partitionKeys.length === 1 && table.clusteringKeys.length === 0;
  const line = (c: ColumnShape, suffix = '') => `    ${quoteIdentifier(c.name)} ${cqlTypeName(c.type)}${suffix}`;
  const lines = [
    ...table.partitionKeys.map((c) => line(c, inlineKey ? ' PRIMARY KEY' : '')),
    ...table.clusteringKeys.map((c) => line(c)),
    ...others.map((c) => line(c, c.isStatic ? ' static' : '')),
  ];
  if (!inlineKey) lines.push(`    PRIMARY KEY (${primaryKeyText(table)})`);
  return lines;
}

function primaryKeyText(table: TableShape): string {
  const pk = table.partitionKeys.map((c) => quoteIdentifier(c.name));
  const partition = pk.length === 1 ? pk[0]! : `(${pk.join(', ')})`;
  return [partition, ...table.clusteringKeys.map((c) => quoteIdentifier(c.name))].join(', ');
}

/** Option name/value pairs: from the raw system_schema.tables row when given, else from driver fields. */
export function tableOptions(table: TableShape, raw?: Record<string, unknown> | null): Array<[string, string]> {
  const source = raw ?? optionsFromDriverFields(table);
  const out: Array<[string, string]> = [];
  for (const name of TABLE_OPTION_NAMES) {
    const value = source[name];
    if (value === undefined || value === null) continue;
    out.push([name, cqlOptionValue(name, value)]);
  }
  return out;
}

function optionsFromDriverFields(t: TableShape): Record<string, unknown> {
  let caching: unknown = t.caching;
  if (typeof t.caching === 'string') {
    try { caching = JSON.parse(t.caching); } catch { caching = undefined; }
  }
  const compaction = t.compactionClass ? { class: t.compactionClass, ...(t.compactionOptions ?? {}) } : undefined;
  return {
    bloom_filter_fp_chance: t.bloomFilterFalsePositiveChance, caching, cdc: t.cdc, comment: t.comment, compaction,
    compression: t.compression, crc_check_chance: t.crcCheckChance, default_time_to_live: t.defaultTtl,
    extensions: t.extensions, gc_grace_seconds: t.gcGraceSeconds, max_index_interval: t.maxIndexInterval,
    memtable_flush_period_in_ms: t.memtableFlushPeriod, min_index_interval: t.minIndexInterval,
    speculative_retry: t.speculativeRetry,
  };
}

/** `CREATE TABLE ks.t (...) WITH CLUSTERING ORDER BY (...) AND option = value ...;` followed by its indexes. */
export function tableCql(keyspace: string, desc: TableDescription): string {
  const { table } = desc;
  const body = `CREATE TABLE ${qualified(keyspace, table.name)} (\n${columnLines(table).join(',\n')}\n)`;
  if (table.virtual) return virtualComment('Table', qualified(keyspace, table.name), 'VIRTUAL ' + body.slice('CREATE '.length) + ';');
  const withParts: string[] = [];
  if (table.clusteringKeys.length > 0) {
    const order = table.clusteringKeys.map((c, i) => `${quoteIdentifier(c.name)} ${table.clusteringOrder[i] === 'DESC' ? 'DESC' : 'ASC'}`);
    withParts.push(`CLUSTERING ORDER BY (${order.join(', ')})`);
  }
  for (const [name, value] of tableOptions(table, desc.options)) withParts.push(`${name} = ${value}`);
  const statement = withParts.length === 0 ? body + ';' : `${body} WITH ${withParts.join('\n    AND ')};`;
  const indexes = (table.indexes ?? []).map((ix) => indexCql(keyspace, table.name, ix));
  return [statement, ...indexes].join('\n');
}

/** `CREATE INDEX name ON ks.t (target);` or the CUSTOM form with its class and options. */
export function indexCql(keyspace: string, tableName: string, index: IndexShape): string {
  const on = `${quoteIdentifier(index.name)} ON ${qualified(keyspace, tableName)} (${index.target})`;
  if (index.kind !== 0) return `CREATE INDEX ${on};`;
  const options = entriesOf(index.options ?? {});
  const className = options.find(([k]) => k === 'class_name')?.[1];
  const rest = options.filter(([k]) => k !== 'class_name' && k !== 'target');
  const using = className === undefined ? '' : ` USING ${cqlString(String(className))}`;
  const withOptions = rest.length === 0 ? '' : ` WITH OPTIONS = ${cqlMap(Object.fromEntries(rest))}`;
  return `CREATE CUSTOM INDEX ${on}${using}${withOptions};`;
}

function virtualComment(what: string, name: string, structure: string): string {
  return `/*\nWarning: ${what} ${name} is a virtual ${what.toLowerCase()} and cannot be recreated with CQL.\n` +
    `Structure, for reference:\n${structure}\n*/`;
}

/** User types ordered so that a type comes after every type its fields use (then by name). */
export function sortTypesByDependency(types: readonly UdtShape[]): UdtShape[] {
  const byName = new Map(types.map((t) => [t.name, t]));
  const done = new Set<string>();
  const out: UdtShape[] = [];
  const visit = (t: UdtShape, path: Set<string>) => {
    if (done.has(t.name) || path.has(t.name)) return;
    path.add(t.name);
    for (const dep of [...new Set(t.fields.flatMap((f) => referencedTypes(f.type)))].sort()) {
      const d = byName.get(dep);
      if (d) visit(d, path);
    }
    done.add(t.name);
    out.push(t);
  };
  for (const t of [...types].sort((a, b) => (a.name < b.name ? -1 : 1))) visit(t, new Set());
  return out;
}

/** Names of the user types a type refers to, at any depth. */
export function referencedTypes(type: TypeInfo): string[] {
  switch (type.code) {
    case TypeCode.udt: return [(type.info as { name: string }).name];
    case TypeCode.list:
    case TypeCode.set: return referencedTypes(type.info as TypeInfo);
    case TypeCode.map:
    case TypeCode.tuple: return (type.info as TypeInfo[]).flatMap(referencedTypes);
    default: return [];
  }
}

/** Every statement of DESCRIBE KEYSPACE, in order: keyspace, types, tables (each with its indexes). */
export function keyspaceStatements(desc: KeyspaceDescription): string[] {
  const ks = desc.keyspace.name;
  return [
    keyspaceCql(desc.keyspace),
    ...sortTypesByDependency(desc.types).map((t) => typeCql(ks, t)),
    ...[...desc.tables].sort((a, b) => (a.table.name < b.table.name ? -1 : 1)).map((t) => tableCql(ks, t)),
  ];
}

/** How cqlsh prints described elements: each preceded by a blank line. */
export function describeOutput(statements: readonly string[]): string {
  return statements.map((s) => `\n${s}\n`).join('');
}
