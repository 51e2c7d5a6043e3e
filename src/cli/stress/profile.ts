// The user workload's YAML profile (after cassandra-stress's user mode). Loading validates the
// shape and parses every distribution; column types come later from the live table's metadata.
//
// | key                  | meaning                                                        | default |
// |----------------------|----------------------------------------------------------------|---------|
// | keyspace             | keyspace name                                                  | required |
// | keyspace_definition  | CREATE KEYSPACE CQL                                            | from --replication |
// | table                | table name                                                     | required |
// | table_definition     | CREATE TABLE CQL                                               | required |
// | columnspec[]         | per column: name, size (text/blob length), population (distinct values) | size uniform(4..16), population uniform(1..1b) |
// | partitions           | distinct partitions (partition index 0..N-1)                   | 1000 |
// | partition_dist       | how an operation picks its partition: uniform, gaussian, sequence | uniform |
// | rows_per_partition   | distribution of rows in a partition (fixed per partition)      | fixed(1) |
// | insert.rows          | rows of the partition one insert writes: `all` or a distribution | all |
// | insert.batchtype     | UNLOGGED or LOGGED (batch used when an insert writes > 1 row)  | UNLOGGED |
// | queries.NAME.cql     | a statement with ? markers, bound by column name               | – |
// | queries.NAME.fields  | samerow (all values from one row) or multirow (each clustering value from any row) | samerow |

import { parse as parseYaml } from 'yaml';
import { DistributionError, parseCount, parseDistribution, type Distribution } from './distribution.js';

export interface ColumnSpec {
  name: string;
  size: Distribution;
  population: Distribution | null;
}

export interface QuerySpec {
  name: string;
  cql: string;
  fields: 'samerow' | 'multirow';
}

export interface UserProfile {
  keyspace: string;
  keyspaceDefinition: string | null;
  table: string;
  tableDefinition: string;
  columns: Map<string, ColumnSpec>;
  partitions: number;
  partitionDist: 'uniform' | 'gaussian' | 'sequence';
  rowsPerPartition: Distribution;
  insertRows: Distribution | 'all';
  insertBatchType: 'UNLOGGED' | 'LOGGED';
  queries: QuerySpec[];
}

export class ProfileError extends Error {
  override name = 'ProfileError';
}

export const SIZE_DEFAULT = 'uniform(4..16)';
export const PARTITIONS_DEFAULT = 1000;
/** One insert writes at most this many rows (a batch larger than this is refused at load). */
export const INSERT_ROWS_MAX = 1000;
/** The name reserved for the generated insert operation. */
export const INSERT_OP = 'insert';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$|^"[^"]+"$/;
const KNOWN_KEYS = new Set(['keyspace', 'keyspace_definition', 'table', 'table_definition', 'columnspec', 'partitions',
  'partition_dist', 'rows_per_partition', 'insert', 'queries']);

/** Parses and validates profile text; `source` names the file in errors. */
export function loadProfile(text: string, source = 'profile'): UserProfile {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ProfileError(`${source}: not valid YAML: ${(err as Error).message}`);
  }
  const o = asObject(doc, source);
  for (const k of Object.keys(o)) if (!KNOWN_KEYS.has(k)) throw new ProfileError(`${source}: unknown key '${k}' (known: ${[...KNOWN_KEYS].join(', ')})`);
  const keyspace = identifier(o['keyspace'], `${source}: keyspace`);
  const table = identifier(o['table'], `${source}: table`);
  const tableDefinition = requiredString(o['table_definition'], `${source}: table_definition`);
  const keyspaceDefinition = o['keyspace_definition'] === undefined ? null : requiredString(o['keyspace_definition'], `${source}: keyspace_definition`);
  const insert = o['insert'] === undefined ? {} : asObject(o['insert'], `${source}: insert`);
  const profile: UserProfile = {
    keyspace, keyspaceDefinition, table, tableDefinition,
    columns: columnSpecs(o['columnspec'], source),
    partitions: o['partitions'] === undefined ? PARTITIONS_DEFAULT : count(o['partitions'], `${source}: partitions`),
    partitionDist: partitionDist(o['partition_dist'], source),
    rowsPerPartition: dist(o['rows_per_partition'] ?? 'fixed(1)', `${source}: rows_per_partition`),
    insertRows: insert['rows'] === undefined || insert['rows'] === 'all' ? 'all' : dist(insert['rows'], `${source}: insert.rows`),
    insertBatchType: batchType(insert['batchtype'], source),
    queries: querySpecs(o['queries'], source),
  };
  const rowsMax = profile.insertRows === 'all' ? profile.rowsPerPartition.max : profile.insertRows.max;
  if (rowsMax > INSERT_ROWS_MAX) throw new ProfileError(`${source}: an insert could write ${rowsMax} rows; at most ${INSERT_ROWS_MAX} (set insert.rows)`);
  if (profile.rowsPerPartition.min < 1) throw new ProfileError(`${source}: rows_per_partition must be at least 1`);
  return profile;
}

/** Names of the operations a profile offers: insert, then its queries in file order. */
export function profileOpNames(p: UserProfile): string[] {
  return [INSERT_OP, ...p.queries.map((q) => q.name)];
}

function asObject(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ProfileError(`${what}: expected a mapping`);
  return v as Record<string, unknown>;
}

function requiredString(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new ProfileError(`${what}: expected text`);
  return v.trim().replace(/;\s*$/, '');
}

function identifier(v: unknown, what: string): string {
  const s = requiredString(v, what);
  if (!IDENTIFIER.test(s)) throw new ProfileError(`${what}: '${s}' is not a CQL identifier`);
  return s;
}

function dist(v: unknown, what: string): Distribution {
  if (typeof v === 'number') return parseDistributionOr(`fixed(${v})`, what);
  if (typeof v !== 'string') throw new ProfileError(`${what}: expected a distribution such as uniform(1..10)`);
  return parseDistributionOr(v, what);
}

function parseDistributionOr(text: string, what: string): Distribution {
  try {
    return parseDistribution(text);
  } catch (err) {
    if (err instanceof DistributionError) throw new ProfileError(`${what}: ${err.message}`);
    throw err;
  }
}

function count(v: unknown, what: string): number {
  try {
    const n = typeof v === 'number' ? v : parseCount(String(v));
    if (!Number.isSafeInteger(n) || n < 1) throw new DistributionError(`${v} is not a positive whole number`);
    return n;
  } catch (err) {
    throw new ProfileError(`${what}: ${(err as Error).message}`);
  }
}

function partitionDist(v: unknown, source: string): UserProfile['partitionDist'] {
  if (v === undefined) return 'uniform';
  if (v === 'uniform' || v === 'gaussian' || v === 'sequence') return v;
  throw new ProfileError(`${source}: partition_dist '${String(v)}' must be uniform, gaussian or sequence`);
}

function batchType(v: unknown, source: string): UserProfile['insertBatchType'] {
  if (v === undefined) return 'UNLOGGED';
  const s = String(v).toUpperCase();
  if (s === 'UNLOGGED' || s === 'LOGGED') return s;
  throw new ProfileError(`${source}: insert.batchtype '${String(v)}' must be UNLOGGED or LOGGED`);
}

function columnSpecs(v: unknown, source: string): Map<string, ColumnSpec> {
  const out = new Map<string, ColumnSpec>();
  if (v === undefined || v === null) return out;
  if (!Array.isArray(v)) throw new ProfileError(`${source}: columnspec must be a list`);
  v.forEach((item, i) => {
    const what = `${source}: columnspec[${i}]`;
    const o = asObject(item, what);
    const name = identifier(o['name'], `${what}.name`).replace(/^"|"$/g, '');
    if (out.has(name)) throw new ProfileError(`${what}: column '${name}' appears twice`);
    for (const k of Object.keys(o)) if (!['name', 'size', 'population'].includes(k)) throw new ProfileError(`${what}: unknown key '${k}' (name, size, population)`);
    out.set(name, {
      name,
      size: dist(o['size'] ?? SIZE_DEFAULT, `${what}.size`),
      population: o['population'] === undefined ? null : dist(o['population'], `${what}.population`),
    });
  });
  return out;
}

function querySpecs(v: unknown, source: string): QuerySpec[] {
  if (v === undefined || v === null) return [];
  const o = asObject(v, `${source}: queries`);
  return Object.entries(o).map(([name, q]) => {
    const what = `${source}: queries.${name}`;
    if (!/^[A-Za-z_][\w-]*$/.test(name)) throw new ProfileError(`${what}: a query name is letters, digits, _ and -`);
    if (name === INSERT_OP) throw new ProfileError(`${what}: '${INSERT_OP}' is the generated insert; choose another name`);
    const spec = typeof q === 'string' ? { cql: q } : asObject(q, what);
    const fields = spec['fields'] ?? 'samerow';
    if (fields !== 'samerow' && fields !== 'multirow') throw new ProfileError(`${what}.fields: '${String(fields)}' must be samerow or multirow`);
    return { name, cql: requiredString(spec['cql'], `${what}.cql`), fields };
  });
}
