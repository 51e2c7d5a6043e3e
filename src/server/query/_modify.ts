// INSERT / UPDATE / DELETE: prepare-time plans and the PartitionUpdates they produce.
// Operations that need the current row (list element by index, list removal, counters, IF
// conditions) get it from `existing`, read by the caller under the partition lock.

import type { InsertStatement, UpdateStatement, DeleteStatement, Term, Assignment, Condition, Relation } from '../../cql/ast.js';
import type { ColumnMetadata, TableMetadata } from '../../schema/metadata.js';
import { isMultiCell, typeToCql, type CqlType } from '../../schema/types.js';
import { comparatorFor } from '../../schema/compare.js';
import { parseJson, fromJsonValue } from '../../schema/json.js';
import type { ColumnSpec, BoundValue } from '../../protocol/messages.js';
import { UNSET } from '../../protocol/messages.js';
import type { Cell, Row, PartitionUpdate, DeletionTime, Slice } from '../../storage/data.js';
import { InvalidRequest } from '../../util/errors.js';
import { assert, assertNever } from '../../util/assert.js';
import type { ExecContext, QueryLimits } from './_context.js';
import { analyzeModificationWhere, bindKeys, bindSlices, columnOf, receiverOf, type ClusteringPlan, type KeyRestriction, type BoundKey } from './_where.js';
import { typeMarkers, evalTerm, type Receiver } from './_terms.js';
import { deserializeElements, deserializeMap, deserializeTuple, readSignedInteger } from './_bytes.js';
import { isLiveCell } from './_rows.js';
import { counterShardOf, counterContext } from './_counters.js';
import { ListPathGenerator } from './_listpaths.js';

export const TTL_MAX_SEC = 630_720_000; // 20 years, Cassandra's MAX_TTL

export type Op =
  | { kind: 'set'; column: ColumnMetadata; term: Term }
  | { kind: 'add'; column: ColumnMetadata; term: Term }
  | { kind: 'prepend'; column: ColumnMetadata; term: Term }
  | { kind: 'subtract'; column: ColumnMetadata; term: Term }
  | { kind: 'set_element'; column: ColumnMetadata; key: Term; term: Term }
  | { kind: 'set_field'; column: ColumnMetadata; field: number; term: Term }
  | { kind: 'delete_column'; column: ColumnMetadata }
  | { kind: 'delete_element'; column: ColumnMetadata; key: Term }
  | { kind: 'delete_field'; column: ColumnMetadata; field: number };

export type IfPlan =
  | { kind: 'none' }
  | { kind: 'not_exists' }
  | { kind: 'exists' }
  | { kind: 'conditions'; conditions: Condition[] };

export interface ModifyPlan {
  kind: 'modify';
  statement: 'insert' | 'update' | 'delete';
  table: TableMetadata;
  keys: KeyRestriction[];
  clustering: ClusteringPlan;
  ops: Op[];
  ttl?: Term;
  timestamp?: Term;
  ifPlan: IfPlan;
  /** INSERT: writes row liveness. */
  insertRow: boolean;
  /** DELETE without columns: deletes rows / ranges / the partition. */
  deleteRows: boolean;
  json?: { term: Term; defaultUnset: boolean };
  /** Ops that need the current row. */
  needsRead: boolean;
}

const INT: CqlType = { kind: 'native', name: 'int' };
const BIGINT: CqlType = { kind: 'native', name: 'bigint' };

function isCounterType(t: CqlType): boolean {
  return t.kind === 'native' && t.name === 'counter';
}

function usingMarkers(table: TableMetadata, using: { ttl?: Term; timestamp?: Term }, specs: (ColumnSpec | undefined)[]): void {
  if (using.ttl) typeMarkers(using.ttl, { keyspace: table.keyspace, table: table.name, name: '[ttl]', type: INT }, specs);
  if (using.timestamp) typeMarkers(using.timestamp, { keyspace: table.keyspace, table: table.name, name: '[timestamp]', type: BIGINT }, specs);
  if (using.ttl && table.isCounter) throw new InvalidRequest('Cannot provide custom TTL for counter updates');
}

function keyEq(c: ColumnMetadata, term: Term): KeyRestriction {
  return { kind: 'eq', column: c, term };
}

export function planInsert(stmt: InsertStatement, table: TableMetadata, specs: (ColumnSpec | undefined)[]): ModifyPlan {
  if (table.isCounter) throw new InvalidRequest('INSERT statements are not allowed on counter tables, use UPDATE instead');
  usingMarkers(table, stmt.using, specs);
  const base = {
    kind: 'modify' as const, statement: 'insert' as const, table, ttl: stmt.using.ttl, timestamp: stmt.using.timestamp,
    ifPlan: (stmt.ifNotExists ? { kind: 'not_exists' } : { kind: 'none' }) as IfPlan, insertRow: true, deleteRows: false, needsRead: false,
  };
  if (stmt.values.kind === 'json') {
    typeMarkers(stmt.values.json, { keyspace: table.keyspace, table: table.name, name: '[json]', type: { kind: 'native', name: 'text' } }, specs);
    return { ...base, keys: [], clustering: { kind: 'single', prefix: [] }, ops: [], json: { term: stmt.values.json, defaultUnset: stmt.values.defaultUnset } };
  }
  const { columns, values } = stmt.values;
  if (columns.length !== values.length) throw new InvalidRequest(`Unmatched column names/values`);
  const byName = new Map<string, Term>();
  for (const [i, name] of columns.entries()) {
    const c = columnOf(table, name);
    if (byName.has(c.name)) throw new InvalidRequest(`Multiple definitions found for column ${c.name}`);
    byName.set(c.name, values[i]!);
    typeMarkers(values[i]!, receiverOf(table, c), specs);
  }
  const missingPk = table.partitionKey.filter((c) => !byName.has(c.name)).map((c) => c.name);
  if (missingPk.length > 0) throw new InvalidRequest(`Some partition key parts are missing: ${missingPk.join(', ')}`);
  const missingCk = table.clustering.filter((c) => !byName.has(c.name)).map((c) => c.name);
  const staticOnly = missingCk.length === table.clustering.length && [...byName.keys()].some((n) => table.columns.get(n)!.kind === 'static')
    && [...byName.keys()].every((n) => { const k = table.columns.get(n)!.kind; return k === 'static' || k === 'partition_key'; });
  if (missingCk.length > 0 && !staticOnly) throw new InvalidRequest(`Some clustering keys are missing: ${missingCk.join(', ')}`);
  const ops: Op[] = [];
  for (const [name, term] of byName) {
    const c = table.columns.get(name)!;
    if (c.kind === 'regular' || c.kind === 'static') ops.push({ kind: 'set', column: c, term });
  }
  return {
    ...base,
    keys: table.partitionKey.map((c) => keyEq(c, byName.get(c.name)!)),
    clustering: { kind: 'single', prefix: staticOnly ? [] : table.clustering.map((c) => keyEq(c, byName.get(c.name)!)) },
    ops, insertRow: !staticOnly,
  };
}

export function planUpdate(stmt: UpdateStatement, table: TableMetadata, specs: (ColumnSpec | undefined)[]): ModifyPlan {
  usingMarkers(table, stmt.using, specs);
  const ops = stmt.assignments.map((a) => assignmentOp(table, a, specs));
  const onlyStatic = ops.length > 0 && ops.every((o) => o.column.kind === 'static');
  const where = analyzeModificationWhere(table, stmt.where, specs, { allowRange: false, staticOnly: onlyStatic });
  const ifPlan = planIf(table, stmt.ifClause, specs);
  const clustering = onlyStatic && isEmptyClustering(where.clustering) ? where.clustering : where.clustering;
  checkCounterMix(table, ops);
  return {
    kind: 'modify', statement: 'update', table, keys: keysOf(where.partition), clustering, ops,
    ttl: stmt.using.ttl, timestamp: stmt.using.timestamp, ifPlan, insertRow: false, deleteRows: false,
    needsRead: ops.some(opNeedsRead) || ifPlan.kind !== 'none',
  };
}

function keysOf(p: { kind: string; columns?: KeyRestriction[] }): KeyRestriction[] {
  assert(p.kind === 'keys' && p.columns, 'modification statements restrict the whole partition key');
  return p.columns;
}

function isEmptyClustering(c: ClusteringPlan): boolean {
  return c.kind === 'single' && c.prefix.length === 0 && !c.slice;
}

function checkCounterMix(table: TableMetadata, ops: Op[]): void {
  for (const o of ops) {
    const counter = isCounterType(o.column.type);
    if (counter && o.kind === 'set') throw new InvalidRequest(`Cannot set the value of counter column ${o.column.name} (counters can only be incremented/decremented, not set)`);
    if (!counter && table.isCounter && o.kind !== 'delete_column') throw new InvalidRequest(`Cannot mix counter and non counter columns in the same table`);
  }
}

function opNeedsRead(o: Op): boolean {
  if (isCounterType(o.column.type)) return o.kind === 'add' || o.kind === 'subtract';
  if (o.column.type.kind !== 'list') return false;
  return o.kind === 'set_element' || o.kind === 'subtract' || o.kind === 'delete_element';
}

function assignmentOp(table: TableMetadata, a: Assignment, specs: (ColumnSpec | undefined)[]): Op {
  const c = columnOf(table, a.column);
  if (c.kind === 'partition_key' || c.kind === 'clustering') throw new InvalidRequest(`PRIMARY KEY part ${c.name} found in SET part`);
  const r = receiverOf(table, c);
  const t = c.type;
  switch (a.kind) {
    case 'set':
      typeMarkers(a.value, r, specs);
      return { kind: 'set', column: c, term: a.value };
    case 'add': case 'subtract': case 'prepend': {
      const counter = isCounterType(t);
      const collection = t.kind === 'list' || t.kind === 'set' || t.kind === 'map';
      const sign = a.kind === 'subtract' ? '-' : '+';
      if (!counter && !collection) throw new InvalidRequest(`Invalid operation (${c.name} = ${c.name} ${sign} ?) for non counter column ${c.name}`);
      if (collection && !isMultiCell(t)) throw new InvalidRequest(`Invalid operation (${c.name} = ${c.name} ${sign} ?) for frozen collection column ${c.name}`);
      if (a.kind === 'prepend' && t.kind !== 'list') throw new InvalidRequest(`Invalid operation (${c.name} = ? + ${c.name}) for non list column ${c.name}`);
      const receiverType: CqlType = counter ? BIGINT : t.kind === 'map' && a.kind === 'subtract' ? { kind: 'set', element: t.key, frozen: false } : t;
      typeMarkers(a.value, { ...r, type: receiverType }, specs);
      return { kind: a.kind, column: c, term: a.value };
    }
    case 'set_element': {
      if (t.kind !== 'map' && t.kind !== 'list') throw new InvalidRequest(`Invalid operation (${c.name}[?] = ?) for non list/map column ${c.name}`);
      if (!isMultiCell(t)) throw new InvalidRequest(`Invalid operation (${c.name}[?] = ?) for frozen collection column ${c.name}`);
      typeMarkers(a.key, { ...r, name: t.kind === 'map' ? `key(${c.name})` : `idx(${c.name})`, type: t.kind === 'map' ? t.key : INT }, specs);
      typeMarkers(a.value, { ...r, name: `value(${c.name})`, type: t.kind === 'map' ? t.value : t.element }, specs);
      return { kind: 'set_element', column: c, key: a.key, term: a.value };
    }
    case 'set_field': {
      if (t.kind !== 'udt') throw new InvalidRequest(`Invalid operation (${c.name}.${a.field} = ?) for non-UDT column ${c.name}`);
      if (!isMultiCell(t)) throw new InvalidRequest(`Invalid operation (${c.name}.${a.field} = ?) for frozen UDT column ${c.name}`);
      const i = t.fieldNames.indexOf(a.field);
      if (i < 0) throw new InvalidRequest(`UDT column ${c.name} does not have a field named ${a.field}`);
      typeMarkers(a.value, { ...r, name: `${c.name}.${a.field}`, type: t.fieldTypes[i]! }, specs);
      return { kind: 'set_field', column: c, field: i, term: a.value };
    }
    default: return assertNever(a, 'assignment');
  }
}

function planIf(table: TableMetadata, clause: UpdateStatement['ifClause'], specs: (ColumnSpec | undefined)[]): IfPlan {
  switch (clause.kind) {
    case 'none': return { kind: 'none' };
    case 'exists': return { kind: 'exists' };
    case 'conditions':
      for (const cond of clause.conditions) {
        const c = columnOf(table, cond.target.column);
        if (c.kind === 'partition_key' || c.kind === 'clustering') throw new InvalidRequest(`PRIMARY KEY column '${c.name}' cannot have IF conditions`);
        const r = receiverOf(table, c);
        let type = c.type;
        if (cond.target.kind === 'element') {
          const t = c.type;
          if (t.kind === 'map') { typeMarkers(cond.target.key, { ...r, type: t.key }, specs); type = t.value; }
          else if (t.kind === 'list') { typeMarkers(cond.target.key, { ...r, type: INT }, specs); type = t.element; }
          else throw new InvalidRequest(`Invalid element access on non-collection column ${c.name}`);
        } else if (cond.target.kind === 'field') {
          const t = c.type;
          if (t.kind !== 'udt') throw new InvalidRequest(`Invalid field access on non-UDT column ${c.name}`);
          type = t.fieldTypes[t.fieldNames.indexOf(cond.target.field)] ?? type;
        }
        const rr: Receiver = { ...r, type };
        if (cond.kind === 'in') {
          if (cond.values.kind === 'marker') specs[cond.values.marker.index] = { keyspace: r.keyspace, table: r.table, name: `in(${c.name})`, type: { kind: 'list', element: type, frozen: false } };
          else for (const v of cond.values.terms) typeMarkers(v, rr, specs);
        } else {
          typeMarkers(cond.value, rr, specs);
        }
      }
      return { kind: 'conditions', conditions: clause.conditions };
    default: return assertNever(clause, 'if clause');
  }
}

export function planDelete(stmt: DeleteStatement, table: TableMetadata, specs: (ColumnSpec | undefined)[]): ModifyPlan {
  usingMarkers(table, stmt.using, specs);
  const ops: Op[] = stmt.targets.map((t): Op => {
    const c = columnOf(table, t.column);
    if (c.kind === 'partition_key' || c.kind === 'clustering') throw new InvalidRequest(`Invalid identifier ${c.name} for deletion (should not be a PRIMARY KEY part)`);
    switch (t.kind) {
      case 'column': return { kind: 'delete_column', column: c };
      case 'element': {
        const ty = c.type;
        if (ty.kind !== 'map' && ty.kind !== 'list' && ty.kind !== 'set') throw new InvalidRequest(`Invalid deletion operation for non collection column ${c.name}`);
        if (!isMultiCell(ty)) throw new InvalidRequest(`Invalid deletion operation for frozen collection column ${c.name}`);
        typeMarkers(t.key, { ...receiverOf(table, c), type: ty.kind === 'list' ? INT : ty.kind === 'map' ? ty.key : ty.element }, specs);
        return { kind: 'delete_element', column: c, key: t.key };
      }
      case 'field': {
        const ty = c.type;
        if (ty.kind !== 'udt' || !isMultiCell(ty)) throw new InvalidRequest(`Invalid deletion operation for non-UDT column ${c.name}`);
        const i = ty.fieldNames.indexOf(t.field);
        if (i < 0) throw new InvalidRequest(`UDT column ${c.name} does not have a field named ${t.field}`);
        return { kind: 'delete_field', column: c, field: i };
      }
      default: return assertNever(t, 'delete target');
    }
  });
  const where = analyzeModificationWhere(table, stmt.where, specs, { allowRange: true });
  const clustering = where.clustering;
  const fullRow = clustering.kind === 'multi_eq' ? clustering.columns.length === table.clustering.length
    : clustering.kind === 'single' && !clustering.slice && clustering.prefix.length === table.clustering.length;
  const onlyStatic = ops.length > 0 && ops.every((o) => o.column.kind === 'static');
  // Cassandra plans a missing or partial clustering as a range (the whole partition when none is
  // given) and refuses column deletions over a range (DeleteStatement.addUpdateForKey).
  if (!fullRow && ops.length > 0 && !onlyStatic) throw new InvalidRequest('Range deletions are not supported for specific columns');
  const ifPlan = planIf(table, stmt.ifClause, specs);
  if (ifPlan.kind !== 'none' && !fullRow && !onlyStatic) {
    throw new InvalidRequest('DELETE statements must restrict all PRIMARY KEY columns with equality relations in order to use IF conditions');
  }
  return {
    kind: 'modify', statement: 'delete', table, keys: keysOf(where.partition), clustering, ops,
    timestamp: stmt.using.timestamp, ifPlan, insertRow: false, deleteRows: ops.length === 0,
    needsRead: ops.some(opNeedsRead) || ifPlan.kind !== 'none',
  };
}

// ------------------------------------------------------------------------------ binding

export interface WriteAttrs {
  timestampMicros: number;
  /** 0: no TTL. */
  ttlSec: number;
  nowSec: number;
}

export function bindAttrs(plan: ModifyPlan, ctx: ExecContext): WriteAttrs {
  let timestampMicros = ctx.timestampMicros;
  if (plan.timestamp) {
    const v = evalTerm(plan.timestamp, { keyspace: '', table: '', name: '[timestamp]', type: BIGINT }, ctx);
    if (v === null) throw new InvalidRequest('Invalid null value of timestamp');
    if (v !== UNSET) timestampMicros = Number(readSignedInteger(v));
  }
  let ttlSec = plan.table.options.default_time_to_live;
  if (plan.ttl) {
    const v = evalTerm(plan.ttl, { keyspace: '', table: '', name: '[ttl]', type: INT }, ctx);
    if (v === null) throw new InvalidRequest('Invalid null value of TTL');
    if (v !== UNSET) {
      ttlSec = Number(readSignedInteger(v));
      if (ttlSec < 0) throw new InvalidRequest(`A TTL must be greater or equal to 0, but was ${ttlSec}`);
      if (ttlSec > TTL_MAX_SEC) throw new InvalidRequest(`ttl is too large. requested (${ttlSec}) maximum (${TTL_MAX_SEC})`);
    }
  }
  return { timestampMicros, ttlSec, nowSec: ctx.nowSec };
}

/** Values of the JSON insert by column (UNSET for absent columns with DEFAULT UNSET). */
function bindJson(plan: ModifyPlan, ctx: ExecContext): Map<string, BoundValue> {
  assert(plan.json, 'json plan');
  const raw = evalTerm(plan.json.term, { keyspace: '', table: '', name: '[json]', type: { kind: 'native', name: 'text' } }, ctx);
  if (raw === null || raw === UNSET) throw new InvalidRequest('Got null for INSERT JSON values');
  const parsed = parseJson(raw.toString('utf8'));
  if (parsed.kind !== 'object') throw new InvalidRequest(`Could not decode JSON string as a map: ${raw.toString('utf8').slice(0, 100)}`);
  const out = new Map<string, BoundValue>();
  for (const [k, v] of parsed.entries) {
    const name = k.startsWith('"') && k.endsWith('"') && k.length >= 2 ? k.slice(1, -1) : k.toLowerCase();
    const c = plan.table.columns.get(name);
    if (!c) throw new InvalidRequest(`JSON values map contains unrecognized column: ${k}`);
    out.set(c.name, fromJsonValue(c.type, v));
  }
  for (const c of plan.table.columns.values()) if (!out.has(c.name)) out.set(c.name, plan.json.defaultUnset ? UNSET : null);
  return out;
}

export interface Target {
  key: BoundKey;
  /** Full clusterings (one row each), or a single prefix/slice for range deletions. */
  clusterings: Buffer[][];
  slices: Slice[] | null;
  /** Values by column for JSON inserts (ops are derived from them). */
  jsonValues?: Map<string, BoundValue>;
}

/** The partition keys and rows a modification touches. */
export function bindTargets(plan: ModifyPlan, ctx: ExecContext, limits: QueryLimits): Target[] {
  if (plan.json) {
    const values = bindJson(plan, ctx);
    const part = (c: ColumnMetadata): Buffer => {
      const v = values.get(c.name);
      if (v === null || v === undefined || v === UNSET) throw new InvalidRequest(`Invalid null value in condition for column ${c.name}`);
      return v;
    };
    const keyParts = plan.table.partitionKey.map(part);
    const k = bytes.compositeKey(keyParts);
    return [{ key: { key: k, token: tokenOf(k), parts: keyParts }, clusterings: [plan.table.clustering.map(part)], slices: null, jsonValues: values }];
  }
  const keys = bindKeys(plan.table, plan.keys, ctx, limits);
  if (plan.table.partitionKey.length === 1) {
    for (const k of keys) if (k.parts[0]!.length === 0) throw new InvalidRequest('Key may not be empty');
  }
  const slices = bindSlices(plan.table, plan.clustering, ctx, limits);
  const n = plan.table.clustering.length;
  const clusterings: Buffer[][] = [];
  let rangeSlices: Slice[] | null = null;
  if (slices === null) {
    if (n === 0) clusterings.push(NO_CLUSTERING);
    else rangeSlices = [];
  } else {
    for (const s of slices) {
      const point = s.start.values === s.end.values || (s.start.inclusive && s.end.inclusive && sameValues(s.start.values, s.end.values));
      if (point && s.start.values.length === n) clusterings.push(s.start.values);
      else (rangeSlices ??= []).push(s);
    }
  }
  return keys.map((key) => ({ key, clusterings, slices: rangeSlices }));
}

import * as bytes from './_bytes.js';
import { tokenOf } from '../../util/murmur3.js';

/**
 * The clustering of every row of a table without clustering columns: one shared frozen array
 * (memtables keep rows by reference; a fresh empty array per write is one more object for the GC
 * to copy and promote).
 */
export const NO_CLUSTERING: Buffer[] = Object.freeze([]) as unknown as Buffer[];

function sameValues(a: Buffer[], b: Buffer[]): boolean {
  return a.length === b.length && a.every((v, i) => v.equals(b[i]!));
}

/** Current rows of the target, by clustering hex, plus the static row. */
export interface Existing {
  rows: Map<string, Row>;
  staticRow: Row | null;
}

export function clusteringId(c: Buffer[]): string {
  return c.map((v) => v.toString('hex')).join(':');
}

export interface BuildOptions {
  attrs: WriteAttrs;
  ctx: ExecContext;
  existing: Existing | null;
  hostId: string;
  listPaths: ListPathGenerator;
}

/** Builds the PartitionUpdate for one target. */
export function buildUpdate(plan: ModifyPlan, target: Target, o: BuildOptions): PartitionUpdate {
  const { attrs } = o;
  const update: PartitionUpdate = { tableId: plan.table.id, key: target.key.key, token: target.key.token, rangeTombstones: [], rows: [] };
  if (plan.deleteRows) {
    const deletion: DeletionTime = { markedForDeleteAtMicros: attrs.timestampMicros, localDeletionTimeSec: attrs.nowSec };
    if (target.slices !== null) {
      if (target.slices.length === 0) update.partitionDeletion = deletion;
      else for (const s of target.slices) update.rangeTombstones.push({ slice: s, deletion });
    }
    for (const c of target.clusterings) update.rows.push({ clustering: c, deletion, cells: [] });
    return update;
  }
  const { staticOps, rowOps } = target.jsonValues ? splitOps(jsonOps(plan, target.jsonValues)) : splitPlanOps(plan);
  if (staticOps.length > 0) {
    const row: Row = { clustering: [], cells: [] };
    for (const x of staticOps) applyOp(plan, x.op, x.value, row, o, o.existing?.staticRow ?? null);
    finishRow(plan, row);
    update.staticRow = row;
  }
  if (rowOps.length > 0 || plan.insertRow) {
    if (target.clusterings.length === 0 && plan.table.clustering.length > 0 && rowOps.length > 0) {
      throw new InvalidRequest(`Some clustering keys are missing: ${plan.table.clustering.map((c) => c.name).join(', ')}`);
    }
    for (const c of target.clusterings) {
      if (plan.table.clustering.length > 0 && staticOps.length > 0 && rowOps.length === 0 && !plan.insertRow) continue;
      const row: Row = { clustering: c, cells: [] };
      if (plan.insertRow) row.liveness = { timestampMicros: attrs.timestampMicros, ttlSec: attrs.ttlSec, localExpirationTimeSec: attrs.ttlSec > 0 ? attrs.nowSec + attrs.ttlSec : 0 };
      const current = o.existing?.rows.get(clusteringId(c)) ?? null;
      for (const x of rowOps) applyOp(plan, x.op, x.value, row, o, current);
      finishRow(plan, row);
      update.rows.push(row);
    }
  }
  return update;
}

type BoundOp = { op: Op; value: BoundValue | undefined };
interface SplitOps { staticOps: BoundOp[]; rowOps: BoundOp[] }

function splitOps(ops: BoundOp[]): SplitOps {
  return { staticOps: ops.filter((x) => x.op.column.kind === 'static'), rowOps: ops.filter((x) => x.op.column.kind !== 'static') };
}

/** A plan's ops split into static and row ops once, not per execution (plans are immutable once built). */
const planOpsCache = new WeakMap<ModifyPlan, SplitOps>();
function splitPlanOps(plan: ModifyPlan): SplitOps {
  let split = planOpsCache.get(plan);
  if (split === undefined) {
    split = splitOps(plan.ops.map((op) => ({ op, value: undefined })));
    planOpsCache.set(plan, split);
  }
  return split;
}

function jsonOps(plan: ModifyPlan, values: Map<string, BoundValue>): { op: Op; value: BoundValue }[] {
  const out: { op: Op; value: BoundValue }[] = [];
  for (const c of plan.table.columns.values()) {
    if (c.kind !== 'regular' && c.kind !== 'static') continue;
    out.push({ op: { kind: 'set', column: c, term: { kind: 'null', span: { start: 0, end: 0 } } }, value: values.get(c.name) ?? null });
  }
  return out;
}

function finishRow(plan: ModifyPlan, row: Row): void {
  row.cells.sort((a, b) => {
    if (a.column !== b.column) return a.column < b.column ? -1 : 1;
    if (!a.path || !b.path) return 0;
    return pathComparator(plan.table.columns.get(a.column)!.type)(a.path, b.path);
  });
}

function pathComparator(t: CqlType): (a: Buffer, b: Buffer) => number {
  switch (t.kind) {
    case 'list': return comparatorFor({ kind: 'native', name: 'timeuuid' });
    case 'set': return comparatorFor(t.element);
    case 'map': return comparatorFor(t.key);
    default: return (a, b) => Buffer.compare(a, b);
  }
}

function liveCell(column: string, value: Buffer, a: WriteAttrs, path?: Buffer): Cell {
  const cell: Cell = { column, value, timestampMicros: a.timestampMicros, ttlSec: a.ttlSec, localExpirationTimeSec: a.ttlSec > 0 ? a.nowSec + a.ttlSec : 0 };
  if (path) cell.path = path;
  return cell;
}

function tombstone(column: string, a: WriteAttrs, path?: Buffer): Cell {
  const cell: Cell = { column, value: null, timestampMicros: a.timestampMicros, ttlSec: 0, localExpirationTimeSec: a.nowSec };
  if (path) cell.path = path;
  return cell;
}

function complexDelete(row: Row, column: string, a: WriteAttrs, beforeWrite: boolean): void {
  row.complexDeletions ??= [];
  row.complexDeletions.push({ column, deletion: { markedForDeleteAtMicros: a.timestampMicros - (beforeWrite ? 1 : 0), localDeletionTimeSec: a.nowSec } });
}

function applyOp(plan: ModifyPlan, op: Op, preset: BoundValue | undefined, row: Row, o: BuildOptions, current: Row | null): void {
  const c = op.column;
  const r = receiverOf(plan.table, c);
  const a = o.attrs;
  const value = (term: Term, receiver: Receiver = r): BoundValue => evalTerm(term, receiver, o.ctx);
  switch (op.kind) {
    case 'set': {
      const v = preset !== undefined ? preset : value(op.term);
      if (v === UNSET) return;
      if (!isMultiCell(c.type)) {
        row.cells.push(v === null ? tombstone(c.name, a) : liveCell(c.name, v, a));
        return;
      }
      complexDelete(row, c.name, a, v !== null);
      if (v !== null) writeElements(c, v, row, a, o.listPaths, 'append');
      return;
    }
    case 'add': case 'subtract': case 'prepend': {
      if (isCounterType(c.type)) return counterOp(op, row, o, current);
      const v = value(op.term, op.kind === 'subtract' && c.type.kind === 'map' ? { ...r, type: { kind: 'set', element: c.type.key, frozen: false } } : r);
      if (v === UNSET) return;
      if (v === null) {
        if (op.kind === 'subtract') return;
        throw new InvalidRequest(`Invalid null value for ${c.type.kind} operation on column ${c.name}`);
      }
      if (op.kind === 'subtract') return removeElements(c, v, row, a, current, o.ctx.nowSec);
      return writeElements(c, v, row, a, o.listPaths, op.kind === 'prepend' ? 'prepend' : 'append');
    }
    case 'set_element': return setElement(plan, op, row, o, current);
    case 'set_field': {
      const t = c.type as Extract<CqlType, { kind: 'udt' }>;
      const v = value(op.term, { ...r, type: t.fieldTypes[op.field]! });
      if (v === UNSET) return;
      const path = fieldPath(op.field);
      row.cells.push(v === null ? tombstone(c.name, a, path) : liveCell(c.name, v, a, path));
      return;
    }
    case 'delete_column':
      if (isMultiCell(c.type)) complexDelete(row, c.name, a, false);
      else row.cells.push(tombstone(c.name, a));
      return;
    case 'delete_element': return deleteElement(plan, op, row, o, current);
    case 'delete_field': row.cells.push(tombstone(c.name, a, fieldPath(op.field))); return;
    default: assertNever(op, 'op');
  }
}

function fieldPath(i: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(i);
  return b;
}

function writeElements(c: ColumnMetadata, v: Buffer, row: Row, a: WriteAttrs, paths: ListPathGenerator, mode: 'append' | 'prepend'): void {
  const t = c.type;
  switch (t.kind) {
    case 'list': {
      const elements = deserializeElements(v, 'list');
      const ps = mode === 'append' ? paths.append(elements.length) : paths.prepend(elements.length);
      elements.forEach((e, i) => row.cells.push(liveCell(c.name, e, a, ps[i])));
      return;
    }
    case 'set':
      for (const e of deserializeElements(v, 'set')) row.cells.push(liveCell(c.name, Buffer.alloc(0), a, e));
      return;
    case 'map':
      for (const [k, val] of deserializeMap(v)) row.cells.push(liveCell(c.name, val, a, k));
      return;
    case 'udt':
      deserializeTuple(v, t.fieldNames.length).forEach((f, i) => { if (f !== null) row.cells.push(liveCell(c.name, f, a, fieldPath(i))); });
      return;
    default:
      throw new InvalidRequest(`Invalid operation for column ${c.name} of type ${typeToCql(t)}`);
  }
}

function liveElementCells(current: Row | null, column: string, nowSec: number): Cell[] {
  if (!current) return [];
  return current.cells.filter((x) => x.column === column && x.path && isLiveCell(x, nowSec));
}

function removeElements(c: ColumnMetadata, v: Buffer, row: Row, a: WriteAttrs, current: Row | null, nowSec: number): void {
  const t = c.type;
  if (t.kind === 'set' || t.kind === 'map') {
    for (const e of deserializeElements(v, 'set')) row.cells.push(tombstone(c.name, a, e));
    return;
  }
  if (t.kind === 'list') {
    const cmp = comparatorFor(t.element);
    const remove = deserializeElements(v, 'list');
    for (const cell of liveElementCells(current, c.name, nowSec)) {
      if (remove.some((x) => cmp(x, cell.value!) === 0)) row.cells.push(tombstone(c.name, a, cell.path));
    }
    return;
  }
  throw new InvalidRequest(`Invalid operation for column ${c.name}`);
}

function listIndex(plan: ModifyPlan, key: Term, c: ColumnMetadata, o: BuildOptions): number {
  const k = evalTerm(key, { ...receiverOf(plan.table, c), name: `idx(${c.name})`, type: INT }, o.ctx);
  if (k === null || k === UNSET) throw new InvalidRequest(`Invalid null value for list index`);
  return Number(readSignedInteger(k));
}

function setElement(plan: ModifyPlan, op: Extract<Op, { kind: 'set_element' }>, row: Row, o: BuildOptions, current: Row | null): void {
  const c = op.column;
  const t = c.type;
  const r = receiverOf(plan.table, c);
  if (t.kind === 'map') {
    const k = evalTerm(op.key, { ...r, type: t.key }, o.ctx);
    if (k === null) throw new InvalidRequest(`Invalid null map key`);
    if (k === UNSET) throw new InvalidRequest(`Invalid unset map key`);
    const v = evalTerm(op.term, { ...r, type: t.value }, o.ctx);
    if (v === UNSET) return;
    row.cells.push(v === null ? tombstone(c.name, o.attrs, k) : liveCell(c.name, v, o.attrs, k));
    return;
  }
  assert(t.kind === 'list', 'element set on list or map');
  const i = listIndex(plan, op.key, c, o);
  const cells = liveElementCells(current, c.name, o.ctx.nowSec);
  if (i < 0 || i >= cells.length) throw new InvalidRequest(`List index ${i} out of bound, list has size ${cells.length}`);
  const v = evalTerm(op.term, { ...r, type: t.element }, o.ctx);
  if (v === UNSET) return;
  row.cells.push(v === null ? tombstone(c.name, o.attrs, cells[i]!.path) : liveCell(c.name, v, o.attrs, cells[i]!.path));
}

function deleteElement(plan: ModifyPlan, op: Extract<Op, { kind: 'delete_element' }>, row: Row, o: BuildOptions, current: Row | null): void {
  const c = op.column;
  const t = c.type;
  if (t.kind === 'list') {
    const i = listIndex(plan, op.key, c, o);
    const cells = liveElementCells(current, c.name, o.ctx.nowSec);
    if (i < 0 || i >= cells.length) throw new InvalidRequest(`List index ${i} out of bound, list has size ${cells.length}`);
    row.cells.push(tombstone(c.name, o.attrs, cells[i]!.path));
    return;
  }
  const keyType = t.kind === 'map' ? t.key : t.kind === 'set' ? t.element : t;
  const k = evalTerm(op.key, { ...receiverOf(plan.table, c), type: keyType }, o.ctx);
  if (k === null) throw new InvalidRequest(`Invalid null value for ${t.kind} element`);
  if (k === UNSET) return;
  row.cells.push(tombstone(c.name, o.attrs, k));
}

function counterOp(op: Extract<Op, { kind: 'add' | 'subtract' | 'prepend' }>, row: Row, o: BuildOptions, current: Row | null): void {
  const c = op.column;
  const v = evalTerm(op.term, { keyspace: '', table: '', name: c.name, type: BIGINT }, o.ctx);
  if (v === UNSET) return;
  if (v === null) throw new InvalidRequest(`Invalid null value for counter increment`);
  let delta = readSignedInteger(v);
  if (op.kind === 'subtract') delta = -delta;
  const existing = current?.cells.find((x) => x.column === c.name && x.value !== null) ?? null;
  const shard = existing ? counterShardOf(existing.value!, o.hostId) : undefined;
  const cell: Cell = {
    column: c.name, value: counterContext(o.hostId, (shard?.clock ?? 0n) + 1n, (shard?.count ?? 0n) + delta),
    timestampMicros: o.attrs.timestampMicros, ttlSec: 0, localExpirationTimeSec: 0, counter: true,
  };
  row.cells.push(cell);
}

/** Relations for the "existing row" read of conditional and read-before-write updates. */
export type { Relation };
