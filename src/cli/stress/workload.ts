// The workloads: built-in (write, read, mixed, counter_write, counter_read, on cassandra-stress's
// standard1 and counter1 tables) and user (a YAML profile). A workload creates its schema, then
// maps an operation index to an operation kind and runs it through the npm driver.

import cassandra from 'cassandra-driver';
import { assert, assertNever } from '../../util/assert.js';
import { Rng, WeightedChoice, mix32, sample, type Distribution } from './distribution.js';
import type { StressOptions } from './options.js';
import { INSERT_OP, profileOpNames, type UserProfile } from './profile.js';
import { ValuePool, checkSupported, generateValue, type ColumnGenerator } from './values.js';

const { types } = cassandra;
type Client = cassandra.Client;

export interface Workload {
  /** Operation kinds, in the order Recorder indexes them. */
  readonly opNames: readonly string[];
  /** Creates keyspace and tables (idempotent). */
  setup(client: Client): Promise<void>;
  pick(opIndex: number): number;
  execute(client: Client, opIndex: number, kind: number): Promise<void>;
  /** Extra figures for the summary (e.g. reads that found no row). */
  stats(): Record<string, number>;
}

const CONSISTENCY_CODES: Record<StressOptions['consistency'], number> = {
  ANY: types.consistencies.any, ONE: types.consistencies.one, TWO: types.consistencies.two, THREE: types.consistencies.three,
  QUORUM: types.consistencies.quorum, ALL: types.consistencies.all, LOCAL_QUORUM: types.consistencies.localQuorum,
  EACH_QUORUM: types.consistencies.eachQuorum, LOCAL_ONE: types.consistencies.localOne,
};

export function consistencyCode(cl: StressOptions['consistency']): number {
  return CONSISTENCY_CODES[cl];
}

/** Runs DDL, treating "already exists" as success (reruns reuse the schema). */
export async function executeDdl(client: Client, cql: string): Promise<void> {
  try {
    await client.execute(cql);
  } catch (err) {
    if (err instanceof cassandra.errors.ResponseError && err.code === types.responseErrorCodes.alreadyExists) return;
    throw err;
  }
}

export function createWorkload(o: StressOptions, profile: UserProfile | null): Workload {
  switch (o.workload) {
    case 'write': case 'read': case 'mixed': case 'counter_write': case 'counter_read':
      return new BuiltinWorkload(o);
    case 'user':
      assert(profile !== null, 'user workload has a profile');
      return new UserWorkload(o, profile);
    default:
      return assertNever(o.workload);
  }
}

// ---------------------------------------------------------------------------------------------
// Built-in workloads

type BuiltinOp = 'write' | 'read' | 'counter_write' | 'counter_read';

/** Key bytes: the key number as 10 ASCII digits (cassandra-stress also uses 10-byte keys). */
export function keyBytes(k: number): Buffer {
  return Buffer.from(String(k).padStart(10, '0'), 'latin1');
}

class BuiltinWorkload implements Workload {
  readonly opNames: readonly BuiltinOp[];
  private readonly choice: WeightedChoice | null;
  private readonly keyDists: Distribution[];
  private readonly pool: ValuePool;
  private readonly rng = new Rng(0);
  private readonly queryOptions: cassandra.QueryOptions;
  private emptyReads = 0;
  private readonly columnNames: string[];

  constructor(private readonly o: StressOptions) {
    this.opNames = o.workload === 'mixed' ? o.opRatio!.map(([n]) => n as BuiltinOp) : [o.workload as BuiltinOp];
    this.choice = o.workload === 'mixed' ? new WeightedChoice(o.opRatio!.map(([, w]) => w)) : null;
    const top = o.population - 1;
    this.keyDists = this.opNames.map((op) => o.keyDist ?? (op === 'write' || op === 'counter_write' ? { kind: 'sequence', min: 0, max: top } : { kind: 'uniform', min: 0, max: top }));
    this.pool = new ValuePool(o.seed);
    this.queryOptions = { prepare: true, consistency: consistencyCode(o.consistency) };
    this.columnNames = Array.from({ length: o.columns }, (_, j) => `"C${j}"`);
  }

  async setup(client: Client): Promise<void> {
    const ks = this.o.keyspace;
    await executeDdl(client, `CREATE KEYSPACE IF NOT EXISTS ${ks} WITH replication = ${this.o.replication}`);
    const counters = this.opNames.some((n) => n === 'counter_write' || n === 'counter_read');
    const regular = this.opNames.some((n) => n === 'write' || n === 'read');
    if (regular) await executeDdl(client, `CREATE TABLE IF NOT EXISTS ${ks}.standard1 (key blob PRIMARY KEY, ${this.columnNames.map((c) => `${c} blob`).join(', ')})`);
    if (counters) await executeDdl(client, `CREATE TABLE IF NOT EXISTS ${ks}.counter1 (key blob PRIMARY KEY, ${this.columnNames.map((c) => `${c} counter`).join(', ')})`);
  }

  pick(opIndex: number): number {
    return this.choice === null ? 0 : this.choice.pick(this.rng.reseed(mix32(this.o.seed, 0x6f70, opIndex)));
  }

  async execute(client: Client, opIndex: number, kind: number): Promise<void> {
    const op = this.opNames[kind]!;
    const k = sample(this.keyDists[kind]!, this.rng.reseed(mix32(this.o.seed, 0x6b6579, opIndex)), opIndex);
    const key = keyBytes(k);
    const ks = this.o.keyspace;
    switch (op) {
      case 'write': {
        const params: unknown[] = [key];
        for (let j = 0; j < this.o.columns; j++) params.push(this.pool.blob(mix32(this.o.seed, j, k), this.o.columnSizeBytes));
        await client.execute(this.insertCql ??= `INSERT INTO ${ks}.standard1 (key, ${this.columnNames.join(', ')}) VALUES (?${', ?'.repeat(this.o.columns)})`, params, this.queryOptions);
        return;
      }
      case 'counter_write': {
        const params: unknown[] = this.columnNames.map(() => types.Long.ONE);
        params.push(key);
        await client.execute(this.counterCql ??= `UPDATE ${ks}.counter1 SET ${this.columnNames.map((c) => `${c} = ${c} + ?`).join(', ')} WHERE key = ?`, params, this.queryOptions);
        return;
      }
      case 'read': case 'counter_read': {
        const table = op === 'read' ? 'standard1' : 'counter1';
        const rs = await client.execute(`SELECT * FROM ${ks}.${table} WHERE key = ?`, [key], this.queryOptions);
        if (rs.rowLength === 0) this.emptyReads++;
        return;
      }
      default:
        assertNever(op);
    }
  }

  private insertCql: string | undefined;
  private counterCql: string | undefined;

  stats(): Record<string, number> {
    return this.opNames.some((n) => n === 'read' || n === 'counter_read') ? { emptyReads: this.emptyReads } : {};
  }
}

// ---------------------------------------------------------------------------------------------
// User workload (YAML profile)

interface TableShape {
  partitionKey: ColumnGenerator[];
  clustering: ColumnGenerator[];
  regular: ColumnGenerator[];
}

/** Salts that keep the per-partition and per-row draws apart from the column draws. */
const SALT_ROWS = 0x726f7773;
const SALT_PICK = 0x7069636b;
const SALT_PARTITION = 0x70617274;

class UserWorkload implements Workload {
  readonly opNames: readonly string[];
  private readonly choice: WeightedChoice;
  private readonly rng = new Rng(0);
  private readonly pool: ValuePool;
  private readonly queryOptions: cassandra.QueryOptions;
  private readonly batchOptions: cassandra.QueryOptions;
  private shape: TableShape | null = null;
  private insertCql = '';
  private emptyReads = 0;

  constructor(private readonly o: StressOptions, private readonly p: UserProfile) {
    const offered = profileOpNames(p);
    const ratio = o.opRatio ?? [[INSERT_OP, 1]];
    for (const [name] of ratio) if (!offered.includes(name)) throw new Error(`--ops: the profile has no operation '${name}' (it offers ${offered.join(', ')})`);
    this.opNames = ratio.map(([n]) => n);
    this.choice = new WeightedChoice(ratio.map(([, w]) => w));
    this.pool = new ValuePool(o.seed);
    this.queryOptions = { prepare: true, consistency: consistencyCode(o.consistency) };
    this.batchOptions = { prepare: true, consistency: consistencyCode(o.consistency), logged: p.insertBatchType === 'LOGGED' };
  }

  async setup(client: Client): Promise<void> {
    const ks = this.p.keyspace;
    await executeDdl(client, this.p.keyspaceDefinition ?? `CREATE KEYSPACE IF NOT EXISTS ${ks} WITH replication = ${this.o.replication}`);
    await executeDdl(client, qualifyCreateTable(this.p.tableDefinition, ks));
    const table = await client.metadata.getTable(ks, this.p.table);
    if (!table) throw new Error(`table ${ks}.${this.p.table} not found in the driver's schema metadata after creating it`);
    this.shape = this.tableShape(table);
    const all = [...this.shape.partitionKey, ...this.shape.clustering, ...this.shape.regular];
    if (all.some((g) => g.typeCode === types.dataTypes.counter)) throw new Error('user profiles on counter tables are not supported yet; use the counter_write workload');
    this.insertCql = `INSERT INTO ${ks}.${this.p.table} (${all.map((g) => quote(g.name)).join(', ')}) VALUES (${all.map(() => '?').join(', ')})`;
  }

  private tableShape(table: cassandra.metadata.TableMetadata): TableShape {
    const keyNames = new Set([...table.partitionKeys, ...table.clusteringKeys].map((c) => c.name));
    const generator = (c: cassandra.metadata.ColumnInfo, salt: number): ColumnGenerator => {
      checkSupported(c.name, c.type.code);
      const spec = this.p.columns.get(c.name);
      return { name: c.name, typeCode: c.type.code, size: spec?.size ?? { kind: 'uniform', min: 4, max: 16 }, population: spec?.population ?? null, salt };
    };
    let salt = 1;
    return {
      partitionKey: table.partitionKeys.map((c) => generator(c, salt++)),
      clustering: table.clusteringKeys.map((c) => generator(c, salt++)),
      regular: table.columns.filter((c) => !keyNames.has(c.name)).map((c) => generator(c, salt++)),
    };
  }

  pick(opIndex: number): number {
    return this.choice.pick(this.rng.reseed(mix32(this.o.seed, SALT_PICK, opIndex)));
  }

  private partitionOf(opIndex: number): number {
    const top = this.p.partitions - 1;
    const d: Distribution = this.p.partitionDist === 'sequence' ? { kind: 'sequence', min: 0, max: top }
      : this.p.partitionDist === 'gaussian' ? { kind: 'gaussian', min: 0, max: top, stdvs: 3 } : { kind: 'uniform', min: 0, max: top };
    return sample(d, this.rng.reseed(mix32(this.o.seed, SALT_PARTITION, opIndex)), opIndex);
  }

  private rowsIn(partition: number): number {
    return sample(this.p.rowsPerPartition, this.rng.reseed(mix32(this.o.seed, SALT_ROWS, partition)), partition);
  }

  /** Value seed of a column: its population draw when it has one, else the index itself. */
  private seedOf(g: ColumnGenerator, index: number, partition: number): number {
    return g.population === null ? index : sample(g.population, this.rng.reseed(mix32(this.o.seed, g.salt, partition, index)), index);
  }

  /** Column name → value for row `row` of partition `partition` (all columns). */
  rowValues(partition: number, rows: (g: ColumnGenerator) => number): Record<string, unknown> {
    const shape = this.shape!;
    const out: Record<string, unknown> = {};
    for (const g of shape.partitionKey) out[g.name.toLowerCase()] = generateValue(g, this.seedOf(g, partition, partition), this.o.seed, this.pool, this.rng);
    for (const g of shape.clustering) out[g.name.toLowerCase()] = generateValue(g, this.seedOf(g, rows(g), partition), this.o.seed, this.pool, this.rng);
    for (const g of shape.regular) out[g.name.toLowerCase()] = generateValue(g, this.seedOf(g, partition * 1_000_003 + rows(g), partition), this.o.seed, this.pool, this.rng);
    return out;
  }

  async execute(client: Client, opIndex: number, kind: number): Promise<void> {
    const name = this.opNames[kind]!;
    const partition = this.partitionOf(opIndex);
    const rowCount = this.rowsIn(partition);
    if (name === INSERT_OP) return this.insert(client, opIndex, partition, rowCount);
    const query = this.p.queries.find((q) => q.name === name)!;
    const pickRng = new Rng(mix32(this.o.seed, SALT_PICK, opIndex, 1));
    const sameRow = pickRng.nextInt(0, rowCount - 1);
    const values = this.rowValues(partition, () => (query.fields === 'samerow' ? sameRow : pickRng.nextInt(0, rowCount - 1)));
    const rs = await client.execute(query.cql, values, this.queryOptions);
    if (rs.rowLength === 0 && /^\s*select/i.test(query.cql)) this.emptyReads++;
  }

  private async insert(client: Client, opIndex: number, partition: number, rowCount: number): Promise<void> {
    const want = this.p.insertRows === 'all' ? rowCount : Math.min(rowCount, sample(this.p.insertRows, this.rng.reseed(mix32(this.o.seed, SALT_ROWS, opIndex, 1)), opIndex));
    const first = want >= rowCount ? 0 : new Rng(mix32(this.o.seed, SALT_ROWS, opIndex, 2)).nextInt(0, rowCount - want);
    const shape = this.shape!;
    const all = [...shape.partitionKey, ...shape.clustering, ...shape.regular];
    const rows: unknown[][] = [];
    for (let r = first; r < first + Math.max(1, want); r++) {
      const v = this.rowValues(partition, () => r);
      rows.push(all.map((g) => v[g.name.toLowerCase()]));
    }
    if (rows.length === 1) {
      await client.execute(this.insertCql, rows[0]!, this.queryOptions);
      return;
    }
    await client.batch(rows.map((params) => ({ query: this.insertCql, params })), this.batchOptions);
  }

  stats(): Record<string, number> {
    return this.p.queries.length > 0 ? { emptyReads: this.emptyReads } : {};
  }
}

function quote(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** Qualifies `CREATE TABLE name` with the keyspace when the profile left it unqualified. */
export function qualifyCreateTable(cql: string, keyspace: string): string {
  return cql.replace(/^(\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?)("[^"]+"|[A-Za-z_][A-Za-z0-9_]*)(\s*\()/i, `$1${keyspace}.$2$3`);
}
