// DDL statement → log operations. Pure: reads the current SchemaState, validates the statement
// with Cassandra's rules and wording, and returns the operations plus the SCHEMA_CHANGE to report
// (or no change for IF [NOT] EXISTS no-ops). Nothing here touches disk or the clock directly.

import { AlreadyExists, InvalidRequest } from '../../util/errors.js';
import { assertNever } from '../../util/assert.js';
import { isMultiCell, type CqlType } from '../../schema/types.js';
import { defaultTableOptions, type ColumnMetadata, type KeyspaceMetadata, type TableMetadata, type UserTypeMetadata } from '../../schema/metadata.js';
import type { AlterTableAction, AlterTypeAction, ColumnDef, DdlStatement, QualifiedName, TypeExpr } from './ddl.js';
import { parseKeyspaceOptions, parseTableOptions } from './options.js';
import { exprToCql, referencesCounter, referencesDuration, referencesUserType, replaceUserType, resolveType, schemaTypeString, type TypeScope } from './types.js';
import { isSystemKeyspace, LOCAL_SYSTEM_KEYSPACES } from './system_keyspaces.js';
import { tableToJson, type DroppedColumn, type SchemaOp, type SchemaState } from './state.js';

/** Keyspace, table and type names: Cassandra's SchemaConstants.NAME_LENGTH. */
export const NAME_LENGTH_MAX = 48;

export type SchemaTarget = 'KEYSPACE' | 'TABLE' | 'TYPE' | 'FUNCTION' | 'AGGREGATE';

/** What a DDL statement changed, as the protocol's SCHEMA_CHANGE result and event carry it. */
export interface SchemaChange {
  change: 'CREATED' | 'UPDATED' | 'DROPPED';
  target: SchemaTarget;
  keyspace: string;
  /** Table, type, function or aggregate name; absent for KEYSPACE. */
  name?: string;
  /** Argument types (CQL type strings) for FUNCTION and AGGREGATE. */
  argTypes?: string[];
}

export interface Plan {
  /** Empty when nothing changes (IF [NOT] EXISTS found the object as wanted). */
  ops: SchemaOp[];
  change: SchemaChange | null;
  warnings: string[];
}

export interface PlanContext {
  clientKeyspace: string | undefined;
  nowMicros: number;
  newTableId(): string;
  datacenters: string[];
}

const NO_CHANGE: Plan = { ops: [], change: null, warnings: [] };

export function planDdl(state: SchemaState, stmt: DdlStatement, ctx: PlanContext): Plan {
  switch (stmt.kind) {
    case 'create_keyspace': return planCreateKeyspace(state, stmt, ctx);
    case 'alter_keyspace': return planAlterKeyspace(state, stmt, ctx);
    case 'drop_keyspace': return planDropKeyspace(state, stmt);
    case 'create_table': return planCreateTable(state, stmt, ctx);
    case 'alter_table': return planAlterTable(state, stmt, ctx);
    case 'drop_table': return planDropTable(state, stmt, ctx);
    case 'create_type': return planCreateType(state, stmt, ctx);
    case 'alter_type': return planAlterType(state, stmt, ctx);
    case 'drop_type': return planDropType(state, stmt, ctx);
    default: return assertNever(stmt, 'DDL statement');
  }
}

// ---- names -------------------------------------------------------------------------------------

function validateName(what: string, name: string): void {
  if (name.length === 0 || name.length > NAME_LENGTH_MAX || !/^\w+$/.test(name)) {
    throw new InvalidRequest(`${what} name must not be empty, more than ${NAME_LENGTH_MAX} characters long, or contain non-alphanumeric-underscore characters (got "${name}")`);
  }
}

function keyspaceOf(q: QualifiedName, ctx: PlanContext): string {
  const ks = q.keyspace ?? ctx.clientKeyspace;
  if (ks === undefined) throw new InvalidRequest('No keyspace has been specified. USE a keyspace, or explicitly specify keyspace.tablename');
  return ks;
}

function existingKeyspace(state: SchemaState, name: string): KeyspaceMetadata {
  const ks = state.keyspaces.get(name);
  if (!ks) throw new InvalidRequest(`Keyspace '${name}' doesn't exist`);
  return ks;
}

function refuseSystem(keyspace: string, what: string): void {
  if (isSystemKeyspace(keyspace)) throw new InvalidRequest(`Cannot ${what} in system keyspace ${keyspace}: it is not user-modifiable`);
}

function scopeOf(state: SchemaState, keyspace: string): TypeScope {
  return { keyspace, lookupType: (ks, name) => state.keyspaces.get(ks)?.types.get(name) };
}

// ---- keyspaces ---------------------------------------------------------------------------------

function planCreateKeyspace(state: SchemaState, stmt: Extract<DdlStatement, { kind: 'create_keyspace' }>, ctx: PlanContext): Plan {
  validateName('Keyspace', stmt.name);
  if (state.keyspaces.has(stmt.name)) {
    if (stmt.ifNotExists) return NO_CHANGE;
    throw new AlreadyExists(`Keyspace ${stmt.name} already exists`, stmt.name, '');
  }
  const o = parseKeyspaceOptions(stmt.options, { keyspace: stmt.name, datacenters: ctx.datacenters });
  if (!o.replication) throw new InvalidRequest(`Missing mandatory option 'replication' for keyspace ${stmt.name}`);
  return {
    ops: [{ op: 'put_keyspace', name: stmt.name, replication: o.replication, durableWrites: o.durableWrites ?? true }],
    change: { change: 'CREATED', target: 'KEYSPACE', keyspace: stmt.name },
    warnings: o.warnings,
  };
}

function planAlterKeyspace(state: SchemaState, stmt: Extract<DdlStatement, { kind: 'alter_keyspace' }>, ctx: PlanContext): Plan {
  const ks = state.keyspaces.get(stmt.name);
  if (!ks) {
    if (stmt.ifExists) return NO_CHANGE;
    throw new InvalidRequest(`Keyspace '${stmt.name}' doesn't exist`);
  }
  if (LOCAL_SYSTEM_KEYSPACES.has(stmt.name)) throw new InvalidRequest(`Cannot alter system keyspace ${stmt.name}: it is local to each node and not user-modifiable`);
  const o = parseKeyspaceOptions(stmt.options, { keyspace: stmt.name, datacenters: ctx.datacenters });
  return {
    ops: [{ op: 'put_keyspace', name: ks.name, replication: o.replication ?? ks.replication, durableWrites: o.durableWrites ?? ks.durableWrites }],
    change: { change: 'UPDATED', target: 'KEYSPACE', keyspace: ks.name },
    warnings: o.warnings,
  };
}

function planDropKeyspace(state: SchemaState, stmt: Extract<DdlStatement, { kind: 'drop_keyspace' }>): Plan {
  if (isSystemKeyspace(stmt.name)) throw new InvalidRequest(`Cannot drop system keyspace ${stmt.name}`);
  if (!state.keyspaces.has(stmt.name)) {
    if (stmt.ifExists) return NO_CHANGE;
    throw new InvalidRequest(`Keyspace '${stmt.name}' doesn't exist`);
  }
  return { ops: [{ op: 'drop_keyspace', name: stmt.name }], change: { change: 'DROPPED', target: 'KEYSPACE', keyspace: stmt.name }, warnings: [] };
}

// ---- tables ------------------------------------------------------------------------------------

function planCreateTable(state: SchemaState, stmt: Extract<DdlStatement, { kind: 'create_table' }>, ctx: PlanContext): Plan {
  const ksName = keyspaceOf(stmt.table, ctx);
  const name = stmt.table.name;
  validateName('Table', name);
  const ks = existingKeyspace(state, ksName);
  refuseSystem(ksName, 'create tables');
  if (ks.tables.has(name)) {
    if (stmt.ifNotExists) return NO_CHANGE;
    throw new AlreadyExists(`Cannot add already existing table "${name}" to keyspace "${ksName}"`, ksName, name);
  }
  if (stmt.compactStorage) {
    throw new InvalidRequest('Compact tables are not allowed in Cassandra starting with 4.0 version. Create the table without COMPACT STORAGE');
  }
  const where = `${ksName}.${name}`;
  const columns = buildTableColumns(state, stmt, ksName, where);
  const isCounter = [...columns.values()].some((c) => c.kind !== 'partition_key' && c.kind !== 'clustering' && isCounterType(c.type));
  checkCounterMix(columns, isCounter, where);
  const { options, warnings } = parseTableOptions(stmt.options, defaultTableOptions(), { table: where, isCounter });
  const table: TableMetadata = {
    keyspace: ksName, name, id: ctx.newTableId(), columns,
    partitionKey: [...columns.values()].filter((c) => c.kind === 'partition_key'),
    clustering: [...columns.values()].filter((c) => c.kind === 'clustering'),
    options, isCounter, virtual: false,
  };
  return {
    ops: [{ op: 'put_table', table: tableToJson(table, []) }],
    change: { change: 'CREATED', target: 'TABLE', keyspace: ksName, name },
    warnings,
  };
}

function isCounterType(t: CqlType): boolean {
  return t.kind === 'native' && t.name === 'counter';
}

function checkCounterMix(columns: Map<string, ColumnMetadata>, isCounter: boolean, where: string): void {
  for (const c of columns.values()) {
    if (c.kind === 'partition_key' || c.kind === 'clustering') continue;
    if (isCounterType(c.type) !== isCounter) throw new InvalidRequest(`Cannot mix counter and non counter columns in the same table (${where})`);
  }
}

/** Columns in SELECT * order: partition key, clustering, then static and regular columns by name. */
function buildTableColumns(state: SchemaState, stmt: Extract<DdlStatement, { kind: 'create_table' }>, ksName: string, where: string): Map<string, ColumnMetadata> {
  const defs = new Map<string, ColumnDef>();
  for (const c of stmt.columns) {
    if (defs.has(c.name)) throw new InvalidRequest(`Duplicate column '${c.name}' declaration for table ${where}`);
    defs.set(c.name, c);
  }
  if (stmt.partitionKey.length === 0) throw new InvalidRequest(`No PRIMARY KEY specified for table ${where} (exactly one required)`);
  const keyNames = [...stmt.partitionKey, ...stmt.clustering];
  const seen = new Set<string>();
  for (const k of keyNames) {
    if (seen.has(k)) throw new InvalidRequest(`Duplicate column '${k}' in PRIMARY KEY of table ${where}`);
    seen.add(k);
    if (!defs.has(k)) throw new InvalidRequest(`Unknown column '${k}' referenced in PRIMARY KEY for table ${where}`);
  }
  const orders = clusteringOrders(stmt, where);
  const scope = scopeOf(state, ksName);
  const typed = (d: ColumnDef): CqlType => resolveColumnType(d.name, d.type, scope);
  const out = new Map<string, ColumnMetadata>();
  stmt.partitionKey.forEach((n, i) => {
    const d = defs.get(n)!;
    out.set(n, { name: n, type: checkKeyType(n, typed(d), d, where), kind: 'partition_key', position: i, clusteringOrder: 'none' });
  });
  stmt.clustering.forEach((n, i) => {
    const d = defs.get(n)!;
    out.set(n, { name: n, type: checkKeyType(n, typed(d), d, where), kind: 'clustering', position: i, clusteringOrder: orders[i]! });
  });
  const rest = stmt.columns.filter((c) => !seen.has(c.name));
  for (const d of rest) {
    if (d.isStatic && stmt.clustering.length === 0) {
      throw new InvalidRequest(`Static columns are only useful (and thus allowed) if the table has at least one clustering column (static column ${d.name} in ${where})`);
    }
  }
  const byName = (a: ColumnDef, b: ColumnDef): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  for (const d of [...rest.filter((c) => c.isStatic).sort(byName), ...rest.filter((c) => !c.isStatic).sort(byName)]) {
    out.set(d.name, { name: d.name, type: typed(d), kind: d.isStatic ? 'static' : 'regular', position: -1, clusteringOrder: 'none' });
  }
  return out;
}

function resolveColumnType(column: string, expr: TypeExpr, scope: TypeScope): CqlType {
  try {
    return resolveType(expr, scope, 'column');
  } catch (e) {
    if (e instanceof InvalidRequest) throw new InvalidRequest(`${e.message} (column ${column})`);
    throw e;
  }
}

function checkKeyType(name: string, t: CqlType, d: ColumnDef, where: string): CqlType {
  if (d.isStatic) throw new InvalidRequest(`Static column ${name} cannot be part of the PRIMARY KEY of ${where}`);
  if (referencesCounter(t)) throw new InvalidRequest(`counter type is not supported for PRIMARY KEY column '${name}' of ${where}`);
  if (referencesDuration(t)) throw new InvalidRequest(`duration type is not supported for PRIMARY KEY column '${name}' of ${where}`);
  if (isMultiCell(t)) {
    const what = t.kind === 'udt' ? 'user-defined type' : 'collection type';
    throw new InvalidRequest(`Invalid non-frozen ${what} ${exprToCql(d.type)} for PRIMARY KEY component ${name} of ${where}`);
  }
  return t;
}

function clusteringOrders(stmt: Extract<DdlStatement, { kind: 'create_table' }>, where: string): ('asc' | 'desc')[] {
  const given = stmt.clusteringOrder;
  if (given.length === 0) return stmt.clustering.map(() => 'asc');
  const seen = new Set<string>();
  for (const g of given) {
    if (!stmt.clustering.includes(g.column)) {
      throw new InvalidRequest(`Only clustering key columns can be defined in CLUSTERING ORDER directive (${g.column} in ${where})`);
    }
    if (seen.has(g.column)) throw new InvalidRequest(`Duplicate column ${g.column} in CLUSTERING ORDER of ${where}`);
    seen.add(g.column);
  }
  given.forEach((g, i) => {
    const expected = stmt.clustering[i];
    if (g.column !== expected) {
      throw new InvalidRequest(`The order of columns in the CLUSTERING ORDER directive must match that of the clustering columns (${expected} must appear before ${g.column}) in ${where}`);
    }
  });
  if (given.length < stmt.clustering.length) {
    throw new InvalidRequest(`Missing CLUSTERING ORDER for column ${stmt.clustering[given.length]} of ${where}`);
  }
  return given.map((g) => g.order);
}

function existingTable(state: SchemaState, q: QualifiedName, ctx: PlanContext, ifExists: boolean): TableMetadata | null {
  return existingMember(state, q, ctx, { ifExists, what: 'Table', members: (ks) => ks.tables });
}

/**
 * The table or type `q` names: null when it (or its keyspace) is missing and IF EXISTS was given,
 * else InvalidRequest "Keyspace 'k' doesn't exist" or "<What> 'k.name' doesn't exist".
 */
function existingMember<T>(
  state: SchemaState, q: QualifiedName, ctx: PlanContext,
  opts: { ifExists: boolean; what: 'Table' | 'Type'; members: (ks: KeyspaceMetadata) => ReadonlyMap<string, T> },
): T | null {
  const ksName = keyspaceOf(q, ctx);
  const ks = state.keyspaces.get(ksName);
  if (!ks) {
    if (opts.ifExists) return null;
    throw new InvalidRequest(`Keyspace '${ksName}' doesn't exist`);
  }
  const member = opts.members(ks).get(q.name);
  if (!member) {
    if (opts.ifExists) return null;
    throw new InvalidRequest(`${opts.what} '${ksName}.${q.name}' doesn't exist`);
  }
  return member;
}

function planDropTable(state: SchemaState, stmt: Extract<DdlStatement, { kind: 'drop_table' }>, ctx: PlanContext): Plan {
  const t = existingTable(state, stmt.table, ctx, stmt.ifExists);
  if (!t) return NO_CHANGE;
  refuseSystem(t.keyspace, 'drop tables');
  return {
    ops: [{ op: 'drop_table', keyspace: t.keyspace, name: t.name }],
    change: { change: 'DROPPED', target: 'TABLE', keyspace: t.keyspace, name: t.name },
    warnings: [],
  };
}

function planAlterTable(state: SchemaState, stmt: Extract<DdlStatement, { kind: 'alter_table' }>, ctx: PlanContext): Plan {
  const t = existingTable(state, stmt.table, ctx, stmt.ifExists);
  if (!t) return NO_CHANGE;
  refuseSystem(t.keyspace, 'alter tables');
  const dropped = state.dropped.get(t.id) ?? [];
  const result = alterTable(state, t, dropped, stmt.action, ctx);
  if (!result) return NO_CHANGE;
  return {
    ops: [{ op: 'put_table', table: tableToJson(result.table, result.dropped) }],
    change: { change: 'UPDATED', target: 'TABLE', keyspace: t.keyspace, name: t.name },
    warnings: result.warnings,
  };
}

interface Altered { table: TableMetadata; dropped: DroppedColumn[]; warnings: string[] }

function alterTable(state: SchemaState, t: TableMetadata, dropped: DroppedColumn[], a: AlterTableAction, ctx: PlanContext): Altered | null {
  const where = `${t.keyspace}.${t.name}`;
  switch (a.kind) {
    case 'add': return alterAdd(state, t, dropped, a, where);
    case 'drop': return alterDrop(t, dropped, a, where, ctx);
    case 'rename': return alterRename(t, dropped, a, where);
    case 'alter_type': throw new InvalidRequest(`Altering column types is no longer supported (column ${a.column} of ${where})`);
    case 'with': {
      const { options, warnings } = parseTableOptions(a.options, t.options, { table: where, isCounter: t.isCounter });
      return { table: { ...t, options }, dropped, warnings };
    }
    default: return assertNever(a, 'ALTER TABLE action');
  }
}

function alterAdd(state: SchemaState, t: TableMetadata, dropped: DroppedColumn[], a: Extract<AlterTableAction, { kind: 'add' }>, where: string): Altered | null {
  const columns = new Map(t.columns);
  const scope = scopeOf(state, t.keyspace);
  let added = 0;
  for (const d of a.columns) {
    if (columns.has(d.name)) {
      if (a.ifNotExists) continue;
      throw new InvalidRequest(`Column with name '${d.name}' already exists in table ${where}`);
    }
    const type = resolveColumnType(d.name, d.type, scope);
    if (d.isStatic && t.clustering.length === 0) {
      throw new InvalidRequest(`Static columns are only useful (and thus allowed) if the table has at least one clustering column (static column ${d.name} in ${where})`);
    }
    if (isCounterType(type) && !t.isCounter) throw new InvalidRequest(`Cannot add a counter column (${d.name}) in a non counter table ${where}`);
    if (!isCounterType(type) && t.isCounter) throw new InvalidRequest(`Cannot add a non counter column (${d.name}) in a counter table ${where}`);
    const prev = dropped.find((x) => x.name === d.name);
    if (prev && isMultiCell(prev.type) !== isMultiCell(type)) {
      throw new InvalidRequest(`Cannot re-add previously dropped column '${d.name}' of type ${schemaTypeString(type)}, incompatible with previous type ${schemaTypeString(prev.type)} (table ${where})`);
    }
    columns.set(d.name, { name: d.name, type, kind: d.isStatic ? 'static' : 'regular', position: -1, clusteringOrder: 'none' });
    added++;
  }
  if (added === 0) return null;
  return { table: { ...t, columns: orderColumns(columns) }, dropped, warnings: [] };
}

function alterDrop(t: TableMetadata, dropped: DroppedColumn[], a: Extract<AlterTableAction, { kind: 'drop' }>, where: string, ctx: PlanContext): Altered | null {
  const columns = new Map(t.columns);
  const newDropped = [...dropped];
  for (const name of a.columns) {
    const c = columns.get(name);
    if (!c) {
      if (a.ifExists) continue;
      throw new InvalidRequest(`Column ${name} was not found in table ${where}`);
    }
    if (c.kind === 'partition_key' || c.kind === 'clustering') throw new InvalidRequest(`Cannot drop PRIMARY KEY column ${name} of ${where}`);
    columns.delete(name);
    const record: DroppedColumn = { name, type: expandUserTypes(c.type), kind: c.kind, droppedTimeMicros: a.timestampMicros ?? ctx.nowMicros };
    const i = newDropped.findIndex((x) => x.name === name);
    if (i >= 0) newDropped[i] = record;
    else newDropped.push(record);
  }
  if (columns.size === t.columns.size) return null;
  return { table: { ...t, columns }, dropped: newDropped, warnings: [] };
}

function alterRename(t: TableMetadata, dropped: DroppedColumn[], a: Extract<AlterTableAction, { kind: 'rename' }>, where: string): Altered | null {
  let columns = new Map(t.columns);
  for (const r of a.renames) {
    const c = columns.get(r.from);
    if (!c) {
      if (a.ifExists) continue;
      throw new InvalidRequest(`Column ${r.from} was not found in table ${where}`);
    }
    if (c.kind !== 'partition_key' && c.kind !== 'clustering') {
      throw new InvalidRequest(`Cannot rename non PRIMARY KEY column ${r.from} of ${where}`);
    }
    if (columns.has(r.to)) throw new InvalidRequest(`Cannot rename column ${r.from} to ${r.to} in table ${where}; another column of that name already exist`);
    columns = new Map([...columns].map(([n, col]) => (n === r.from ? [r.to, { ...col, name: r.to }] : [n, col])));
  }
  const cols = [...columns.values()];
  return {
    table: {
      ...t, columns,
      partitionKey: cols.filter((c) => c.kind === 'partition_key'),
      clustering: cols.filter((c) => c.kind === 'clustering'),
    },
    dropped, warnings: [],
  };
}

/** Keys first (in position order), then static and regular columns by name: SELECT * order. */
function orderColumns(columns: Map<string, ColumnMetadata>): Map<string, ColumnMetadata> {
  const all = [...columns.values()];
  const rank = (c: ColumnMetadata): number => ({ partition_key: 0, clustering: 1, static: 2, regular: 3 })[c.kind];
  all.sort((a, b) => rank(a) - rank(b) || a.position - b.position || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return new Map(all.map((c) => [c.name, c]));
}

/** Cassandra records dropped columns with user types replaced by tuples (the type may be dropped later). */
export function expandUserTypes(t: CqlType): CqlType {
  switch (t.kind) {
    case 'native': case 'custom': return t;
    case 'list': case 'set': return { ...t, element: expandUserTypes(t.element) };
    case 'map': return { ...t, key: expandUserTypes(t.key), value: expandUserTypes(t.value) };
    case 'tuple': return { kind: 'tuple', elements: t.elements.map(expandUserTypes) };
    case 'udt': return { kind: 'tuple', elements: t.fieldTypes.map(expandUserTypes) };
    default: return assertNever(t, 'type');
  }
}

// ---- user types --------------------------------------------------------------------------------

const RESERVED_TYPE_NAMES = new Set(['ascii', 'bigint', 'blob', 'boolean', 'counter', 'date', 'decimal', 'double', 'duration', 'float', 'inet', 'int',
  'smallint', 'text', 'time', 'timestamp', 'timeuuid', 'tinyint', 'uuid', 'varchar', 'varint', 'byte', 'complex', 'enum', 'interval', 'macaddr', 'bitstring',
  'list', 'set', 'map', 'tuple', 'frozen', 'empty']);

function resolveFieldType(field: string, expr: TypeExpr, scope: TypeScope, typeName: string): CqlType {
  let t: CqlType;
  try {
    t = resolveType(expr, scope, 'udt_field');
  } catch (e) {
    if (e instanceof InvalidRequest) throw new InvalidRequest(`${e.message} (field ${field} of type ${scope.keyspace}.${typeName})`);
    throw e;
  }
  if (t.kind === 'udt' && !t.frozen) throw new InvalidRequest(`A user type cannot contain non-frozen UDTs (field ${field} of type ${scope.keyspace}.${typeName})`);
  if (referencesCounter(t)) throw new InvalidRequest(`A user type cannot contain counters (field ${field} of type ${scope.keyspace}.${typeName})`);
  return t;
}

function planCreateType(state: SchemaState, stmt: Extract<DdlStatement, { kind: 'create_type' }>, ctx: PlanContext): Plan {
  const ksName = keyspaceOf(stmt.type, ctx);
  const name = stmt.type.name;
  validateName('Type', name);
  if (RESERVED_TYPE_NAMES.has(name.toLowerCase())) throw new InvalidRequest(`Type name '${name}' is reserved`);
  const ks = existingKeyspace(state, ksName);
  refuseSystem(ksName, 'create types');
  if (ks.types.has(name)) {
    if (stmt.ifNotExists) return NO_CHANGE;
    throw new AlreadyExists(`A user type with name '${name}' already exists in keyspace ${ksName}`, ksName, name);
  }
  if (stmt.fields.length === 0) throw new InvalidRequest(`User type ${ksName}.${name} must have at least one field`);
  const seen = new Set<string>();
  for (const f of stmt.fields) {
    if (seen.has(f.name)) throw new InvalidRequest(`Duplicate field name ${f.name} in type ${ksName}.${name}`);
    seen.add(f.name);
  }
  const scope = scopeOf(state, ksName);
  const type: UserTypeMetadata = {
    keyspace: ksName, name,
    fieldNames: stmt.fields.map((f) => f.name),
    fieldTypes: stmt.fields.map((f) => resolveFieldType(f.name, f.type, scope, name)),
  };
  return { ops: [{ op: 'put_type', type }], change: { change: 'CREATED', target: 'TYPE', keyspace: ksName, name }, warnings: [] };
}

function existingType(state: SchemaState, q: QualifiedName, ctx: PlanContext, ifExists: boolean): UserTypeMetadata | null {
  return existingMember(state, q, ctx, { ifExists, what: 'Type', members: (ks) => ks.types });
}

function planAlterType(state: SchemaState, stmt: Extract<DdlStatement, { kind: 'alter_type' }>, ctx: PlanContext): Plan {
  const udt = existingType(state, stmt.type, ctx, stmt.ifExists);
  if (!udt) return NO_CHANGE;
  refuseSystem(udt.keyspace, 'alter types');
  const updated = alterType(state, udt, stmt.action);
  if (!updated) return NO_CHANGE;
  return {
    ops: cascadeType(state, updated),
    change: { change: 'UPDATED', target: 'TYPE', keyspace: udt.keyspace, name: udt.name },
    warnings: [],
  };
}

function alterType(state: SchemaState, udt: UserTypeMetadata, a: AlterTypeAction): UserTypeMetadata | null {
  const where = `${udt.keyspace}.${udt.name}`;
  switch (a.kind) {
    case 'add': {
      if (udt.fieldNames.includes(a.field)) {
        if (a.ifNotExists) return null;
        throw new InvalidRequest(`Cannot add new field ${a.field} to type ${where}: a field of the same name already exists`);
      }
      const t = resolveFieldType(a.field, a.type, scopeOf(state, udt.keyspace), udt.name);
      if (referencesUserType(t, udt.keyspace, udt.name)) {
        throw new InvalidRequest(`Cannot add new field ${a.field} of type ${exprToCql(a.type)} to user type ${where} as it would create a circular reference`);
      }
      return { ...udt, fieldNames: [...udt.fieldNames, a.field], fieldTypes: [...udt.fieldTypes, t] };
    }
    case 'rename': {
      const names = [...udt.fieldNames];
      let changed = false;
      for (const r of a.renames) {
        const i = names.indexOf(r.from);
        if (i < 0) {
          if (a.ifExists) continue;
          throw new InvalidRequest(`Unknown field ${r.from} in user type ${where}`);
        }
        if (names.includes(r.to)) throw new InvalidRequest(`Cannot rename field ${r.from} to ${r.to} in user type ${where}: a field named ${r.to} already exists`);
        names[i] = r.to;
        changed = true;
      }
      return changed ? { ...udt, fieldNames: names } : null;
    }
    case 'alter_type':
      throw new InvalidRequest(`Alterations of field types are no longer supported (field ${a.field} of user type ${where})`);
    default:
      return assertNever(a, 'ALTER TYPE action');
  }
}

/** The new type, plus every type and table of its keyspace that embeds it, rewritten. */
function cascadeType(state: SchemaState, updated: UserTypeMetadata): SchemaOp[] {
  const ks = state.keyspaces.get(updated.keyspace)!;
  const ops: SchemaOp[] = [{ op: 'put_type', type: updated }];
  for (const other of ks.types.values()) {
    if (other.name === updated.name) continue;
    if (other.fieldTypes.some((f) => referencesUserType(f, updated.keyspace, updated.name))) {
      ops.push({ op: 'put_type', type: { ...other, fieldTypes: other.fieldTypes.map((f) => replaceUserType(f, updated)) } });
    }
  }
  for (const t of ks.tables.values()) {
    if (![...t.columns.values()].some((c) => referencesUserType(c.type, updated.keyspace, updated.name))) continue;
    const columns = new Map([...t.columns].map(([n, c]) => [n, { ...c, type: replaceUserType(c.type, updated) }]));
    ops.push({ op: 'put_table', table: tableToJson({ ...t, columns }, state.dropped.get(t.id) ?? []) });
  }
  return ops;
}

function planDropType(state: SchemaState, stmt: Extract<DdlStatement, { kind: 'drop_type' }>, ctx: PlanContext): Plan {
  const udt = existingType(state, stmt.type, ctx, stmt.ifExists);
  if (!udt) return NO_CHANGE;
  refuseSystem(udt.keyspace, 'drop types');
  const ks = state.keyspaces.get(udt.keyspace)!;
  const where = `${udt.keyspace}.${udt.name}`;
  for (const t of ks.tables.values()) {
    for (const c of t.columns.values()) {
      if (referencesUserType(c.type, udt.keyspace, udt.name)) {
        throw new InvalidRequest(`Cannot drop user type ${where} as it is still used by table ${t.keyspace}.${t.name} (column ${c.name})`);
      }
    }
  }
  for (const other of ks.types.values()) {
    if (other.name !== udt.name && other.fieldTypes.some((f) => referencesUserType(f, udt.keyspace, udt.name))) {
      throw new InvalidRequest(`Cannot drop user type ${where} as it is still used by user type ${other.keyspace}.${other.name}`);
    }
  }
  return {
    ops: [{ op: 'drop_type', keyspace: udt.keyspace, name: udt.name }],
    change: { change: 'DROPPED', target: 'TYPE', keyspace: udt.keyspace, name: udt.name },
    warnings: [],
  };
}
