// Reads and writes of the system_auth tables through the coordinator, like any table (so they
// replicate with system_auth's replication). Layouts are Cassandra 4's:
//   roles (role text PK, is_superuser boolean, can_login boolean, salted_hash text, member_of set<text>)
//   role_members (role text, member text, PRIMARY KEY (role, member))
//   role_permissions (role text, resource text, permissions set<text>, PRIMARY KEY (role, resource))
//   resource_role_permissons_index (resource text, role text, PRIMARY KEY (resource, role))

import type { KeyspaceMetadata, TableMetadata } from '../schema/metadata.js';
import type { Cell, PartitionUpdate, ReadCommand, ReadResult, Row } from '../storage/data.js';
import { liveRows } from '../storage/mod.js';
import { compareBytes } from '../schema/compare.js';
import type { Clock } from '../env/mod.js';
import type { ConsistencyName } from '../util/errors.js';
import { InvalidRequest } from '../util/errors.js';
import { tokenOf, TOKEN_MAX, TOKEN_MIN } from '../util/murmur3.js';

export const AUTH_KEYSPACE = 'system_auth';
export const ROLES = 'roles';
export const ROLE_MEMBERS = 'role_members';
export const ROLE_PERMISSIONS = 'role_permissions';
export const RESOURCE_INDEX = 'resource_role_permissons_index'; // sic: Cassandra's spelling
/** Rows one scan of an auth table may return; more is refused rather than read unbounded. */
export const AUTH_SCAN_ROWS_MAX = 100_000;

/** The coordinator as auth uses it. */
export interface AuthCoordinator {
  read(keyspace: KeyspaceMetadata, cmd: ReadCommand, cl: ConsistencyName): Promise<ReadResult>;
  write(keyspace: KeyspaceMetadata, updates: PartitionUpdate[], cl: ConsistencyName): Promise<unknown>;
}

export interface AuthSchema {
  keyspace(name: string): KeyspaceMetadata | undefined;
}

/** A live row's cells by column: scalars as bytes, set elements as texts. */
export interface AuthRow {
  clustering: string[];
  values: Map<string, Buffer>;
  sets: Map<string, string[]>;
}

export const text = (s: string): Buffer => Buffer.from(s, 'utf8');
export const bool = (b: boolean): Buffer => Buffer.from([b ? 1 : 0]);

/** A cell change of one write: a scalar, a set element added or removed. */
export type CellChange =
  | { column: string; value: Buffer | null }
  | { column: string; add: string[] }
  | { column: string; remove: string[] };

export class AuthTables {
  constructor(private readonly deps: { coordinator: AuthCoordinator; schema: AuthSchema; clock: Clock }) {}

  keyspace(): KeyspaceMetadata {
    const ks = this.deps.schema.keyspace(AUTH_KEYSPACE);
    if (!ks) throw new InvalidRequest(`Keyspace ${AUTH_KEYSPACE} does not exist`);
    return ks;
  }

  table(name: string): TableMetadata {
    const t = this.keyspace().tables.get(name);
    if (!t) throw new InvalidRequest(`Table ${AUTH_KEYSPACE}.${name} does not exist`);
    return t;
  }

  /** Live rows of one partition (text partition key). */
  async partition(tableName: string, key: string, cl: ConsistencyName): Promise<AuthRow[]> {
    const table = this.table(tableName);
    const k = text(key);
    const cmd = this.command(table, { kind: 'keys', keys: [{ key: k, token: tokenOf(k) }] });
    const result = await this.deps.coordinator.read(this.keyspace(), cmd, cl);
    return result.partitions.flatMap((p) => liveRows(table, p, cmd.nowSec).map((r) => decodeRow(r)));
  }

  /** Every live row of a table, with its partition key; bounded by AUTH_SCAN_ROWS_MAX. */
  async scan(tableName: string, cl: ConsistencyName): Promise<{ key: string; row: AuthRow }[]> {
    const table = this.table(tableName);
    const cmd = this.command(table, { kind: 'range', range: { start: TOKEN_MIN, end: TOKEN_MAX } });
    cmd.rowLimit = AUTH_SCAN_ROWS_MAX + 1;
    const result = await this.deps.coordinator.read(this.keyspace(), cmd, cl);
    const out = result.partitions.flatMap((p) => liveRows(table, p, cmd.nowSec).map((r) => ({ key: p.key.toString('utf8'), row: decodeRow(r) })));
    if (out.length > AUTH_SCAN_ROWS_MAX) throw new InvalidRequest(`${AUTH_KEYSPACE}.${tableName} has more than ${AUTH_SCAN_ROWS_MAX} rows; this node does not list that many`);
    return out;
  }

  /** Upsert of one row; `insert` also writes the row's primary-key liveness (INSERT, not UPDATE). */
  upsert(tableName: string, key: string, clustering: string[], changes: CellChange[], opts: { insert: boolean; timestampMicros?: number }): PartitionUpdate {
    const ts = opts.timestampMicros ?? this.deps.clock.nowMicros();
    const nowSec = Math.floor(this.deps.clock.nowMs() / 1000);
    const cells: Cell[] = [];
    for (const c of changes) {
      if ('value' in c) cells.push(cell(c.column, undefined, c.value, ts, nowSec));
      else if ('add' in c) for (const e of c.add) cells.push(cell(c.column, text(e), Buffer.alloc(0), ts, nowSec));
      else for (const e of c.remove) cells.push(cell(c.column, text(e), null, ts, nowSec));
    }
    cells.sort((a, b) => (a.column !== b.column ? (a.column < b.column ? -1 : 1) : compareBytes(a.path ?? Buffer.alloc(0), b.path ?? Buffer.alloc(0))));
    const row: Row = { clustering: clustering.map(text), cells };
    if (opts.insert) row.liveness = { timestampMicros: ts, ttlSec: 0, localExpirationTimeSec: 0 };
    return { ...this.partitionOf(tableName, key), rangeTombstones: [], rows: [row] };
  }

  /** Deletes one row (clustering given) or the whole partition (clustering empty and the table has clustering columns, or always for roles). */
  deletion(tableName: string, key: string, clustering: string[]): PartitionUpdate {
    const deletion = { markedForDeleteAtMicros: this.deps.clock.nowMicros(), localDeletionTimeSec: Math.floor(this.deps.clock.nowMs() / 1000) };
    const base = { ...this.partitionOf(tableName, key), rangeTombstones: [] };
    if (clustering.length === 0) return { ...base, partitionDeletion: deletion, rows: [] };
    return { ...base, rows: [{ clustering: clustering.map(text), deletion, cells: [] }] };
  }

  async write(updates: PartitionUpdate[], cl: ConsistencyName): Promise<void> {
    if (updates.length === 0) return;
    await this.deps.coordinator.write(this.keyspace(), updates, cl);
  }

  private partitionOf(tableName: string, key: string): { tableId: string; key: Buffer; token: bigint } {
    const k = text(key);
    return { tableId: this.table(tableName).id, key: k, token: tokenOf(k) };
  }

  private command(table: TableMetadata, partitions: ReadCommand['partitions']): ReadCommand {
    return {
      table, partitions, slices: [], reversed: false, rowLimit: Infinity, perPartitionLimit: Infinity, partitionLimit: Infinity,
      nowSec: Math.floor(this.deps.clock.nowMs() / 1000),
    };
  }
}

function cell(column: string, path: Buffer | undefined, value: Buffer | null, ts: number, nowSec: number): Cell {
  const c: Cell = { column, value, timestampMicros: ts, ttlSec: 0, localExpirationTimeSec: value === null ? nowSec : 0 };
  if (path) c.path = path;
  return c;
}

function decodeRow(row: Row): AuthRow {
  const values = new Map<string, Buffer>();
  const sets = new Map<string, string[]>();
  for (const c of row.cells) {
    if (c.value === null) continue;
    if (c.path) {
      const list = sets.get(c.column) ?? [];
      list.push(c.path.toString('utf8'));
      sets.set(c.column, list);
    } else {
      values.set(c.column, c.value);
    }
  }
  return { clustering: row.clustering.map((b) => b.toString('utf8')), values, sets };
}

export const readText = (row: AuthRow, column: string): string | null => row.values.get(column)?.toString('utf8') ?? null;
export const readBool = (row: AuthRow, column: string): boolean => {
  const v = row.values.get(column);
  return v !== undefined && v.length > 0 && v[0] !== 0;
};
