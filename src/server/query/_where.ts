// WHERE clauses: which partitions, which clustering slices, and what is filtered after the read.
// analyzeSelectWhere/analyzeModificationWhere run at prepare time and throw Cassandra's
// restriction errors; bind* functions run per execution and produce keys, slices and filters.

import type { Relation, Term, InValues, CompareOp } from '../../cql/ast.js';
import type { ColumnMetadata, TableMetadata } from '../../schema/metadata.js';
import type { CqlType } from '../../schema/types.js';
import { comparatorFor } from '../../schema/compare.js';
import type { ColumnSpec } from '../../protocol/messages.js';
import type { Slice, ClusteringBound, TokenRange } from '../../storage/data.js';
import { InvalidRequest } from '../../util/errors.js';
import { assertNever } from '../../util/assert.js';
import { tokenOf, TOKEN_MIN, TOKEN_MAX } from '../../util/murmur3.js';
import { sameBytes } from './_ids.js';
import type { ExecContext, QueryLimits } from './_context.js';
import { evalRequired, evalIn, typeMarkers, typeInMarkers, type Receiver } from './_terms.js';
import { compositeKey, deserializeTuple, readSignedInteger } from './_bytes.js';
import { compareClustering, multiColumnSlices, type TupleBound } from './_clustering.js';

export { compareClustering };

export const FILTERING_ERROR =
  'Cannot execute this query as it might involve data filtering and thus may have unpredictable performance. ' +
  'If you want to execute this query despite the performance unpredictability, use ALLOW FILTERING';

export interface BoundTerm { term: Term; inclusive: boolean }
/** A tuple bound and the columns its relation names. */
export interface MultiBoundTerm extends BoundTerm { columns: ColumnMetadata[] }

export type KeyRestriction =
  | { kind: 'eq'; column: ColumnMetadata; term: Term }
  | { kind: 'in'; column: ColumnMetadata; values: InValues };

export interface SliceRestriction { lower?: BoundTerm; upper?: BoundTerm }

export type Filter =
  | { kind: 'compare'; column: ColumnMetadata; op: CompareOp; term: Term }
  | { kind: 'in'; column: ColumnMetadata; values: InValues }
  | { kind: 'contains'; column: ColumnMetadata; term: Term }
  | { kind: 'contains_key'; column: ColumnMetadata; term: Term }
  | { kind: 'element_compare'; column: ColumnMetadata; key: Term; op: CompareOp; term: Term }
  | { kind: 'is_not_null'; column: ColumnMetadata };

export type PartitionPlan =
  | { kind: 'keys'; columns: KeyRestriction[] }
  | { kind: 'token'; lower?: BoundTerm; upper?: BoundTerm }
  | { kind: 'scan' };

export type ClusteringPlan =
  /** eq/in on a prefix, then optionally a slice on the next column. */
  | { kind: 'single'; prefix: KeyRestriction[]; slice?: { column: ColumnMetadata } & SliceRestriction }
  /** (c1..cn) relation on the first n clustering columns. */
  | { kind: 'multi_eq'; columns: ColumnMetadata[]; term: Term }
  | { kind: 'multi_in'; columns: ColumnMetadata[]; values: InValues }
  | { kind: 'multi_slice'; columns: ColumnMetadata[]; lower?: MultiBoundTerm; upper?: MultiBoundTerm };

export interface WherePlan {
  partition: PartitionPlan;
  clustering: ClusteringPlan;
  filters: Filter[];
  /** True when some clustering column is restricted (affects static-only rows). */
  hasClusteringRestrictions: boolean;
}

export function receiverOf(table: TableMetadata, column: ColumnMetadata): Receiver {
  return { keyspace: table.keyspace, table: table.name, name: column.name, type: column.type };
}

export function columnOf(table: TableMetadata, name: string): ColumnMetadata {
  const c = table.columns.get(name);
  if (!c) throw new InvalidRequest(`Undefined column name ${name} in table ${table.keyspace}.${table.name}`);
  return c;
}

interface Grouped {
  byColumn: Map<string, Relation[]>;
  token: Extract<Relation, { kind: 'token' }>[];
  multi: Extract<Relation, { kind: 'multi_compare' | 'multi_in' }>[];
}

function group(table: TableMetadata, where: Relation[], specs: (ColumnSpec | undefined)[]): Grouped {
  const g: Grouped = { byColumn: new Map(), token: [], multi: [] };
  for (const r of where) {
    switch (r.kind) {
      case 'token': {
        const pk = table.partitionKey.map((c) => c.name);
        for (const c of r.columns) columnOf(table, c);
        if (r.columns.join(',') !== pk.join(',')) {
          throw new InvalidRequest(`The token function arguments must be in the partition key order: ${pk.join(', ')}`);
        }
        typeMarkers(r.value, { keyspace: table.keyspace, table: table.name, name: 'partition key token', type: { kind: 'native', name: 'bigint' } }, specs);
        g.token.push(r);
        break;
      }
      case 'multi_compare': case 'multi_in': {
        const cols = r.columns.map((c) => columnOf(table, c));
        for (const [i, c] of cols.entries()) {
          if (c.kind !== 'clustering') throw new InvalidRequest(`Multi-column relations can only be applied to clustering columns but was applied to: ${c.name}`);
          if (c.position !== i) throw new InvalidRequest('Clustering columns must appear in the PRIMARY KEY order in multi-column relations: ' + relationText(r.columns));
        }
        const tupleType: CqlType = { kind: 'tuple', elements: cols.map((c) => c.type) };
        const receiver: Receiver = { keyspace: table.keyspace, table: table.name, name: relationText(r.columns), type: tupleType };
        if (r.kind === 'multi_compare') typeMarkers(r.value, receiver, specs);
        else if (r.values.kind === 'marker') typeInMarkers(r.values, receiver, specs);
        else for (const t of r.values.terms) typeMarkers(t, receiver, specs);
        g.multi.push(r);
        break;
      }
      case 'compare': case 'in': case 'contains': case 'contains_key': case 'like': case 'is_not_null': case 'element_compare': {
        const c = columnOf(table, r.column);
        typeRelation(table, c, r, specs);
        const list = g.byColumn.get(c.name) ?? [];
        list.push(r);
        g.byColumn.set(c.name, list);
        break;
      }
      default: assertNever(r, 'relation');
    }
  }
  return g;
}

function relationText(columns: string[]): string {
  return `(${columns.join(', ')})`;
}

function typeRelation(table: TableMetadata, c: ColumnMetadata, r: Relation, specs: (ColumnSpec | undefined)[]): void {
  const receiver = receiverOf(table, c);
  const t = c.type;
  switch (r.kind) {
    case 'compare': typeMarkers(r.value, receiver, specs); return;
    case 'in': typeInMarkers(r.values, receiver, specs); return;
    case 'contains': {
      const el = t.kind === 'list' || t.kind === 'set' ? t.element : t.kind === 'map' ? t.value : null;
      if (!el) throw new InvalidRequest(`Cannot use CONTAINS on non-collection column ${c.name}`);
      typeMarkers(r.value, { ...receiver, name: `value(${c.name})`, type: el }, specs);
      return;
    }
    case 'contains_key':
      if (t.kind !== 'map') throw new InvalidRequest(`Cannot use CONTAINS KEY on non-map column ${c.name}`);
      typeMarkers(r.value, { ...receiver, name: `key(${c.name})`, type: t.key }, specs);
      return;
    case 'element_compare':
      if (t.kind !== 'map') throw new InvalidRequest(`Column ${c.name} cannot be used as a map`);
      typeMarkers(r.key, { ...receiver, name: `key(${c.name})`, type: t.key }, specs);
      typeMarkers(r.value, { ...receiver, name: `value(${c.name})`, type: t.value }, specs);
      return;
    case 'like': throw new InvalidRequest(`LIKE restriction is only supported on properly indexed columns. ${c.name} LIKE ... is not valid.`);
    case 'is_not_null': return;
    default: return;
  }
}

/** Folds the relations on one column into eq / in / slice, or keeps them as filters. */
function singleRestriction(c: ColumnMetadata, rels: Relation[]): { key?: KeyRestriction; slice?: SliceRestriction; other: Relation[] } {
  let key: KeyRestriction | undefined;
  let slice: SliceRestriction | undefined;
  const other: Relation[] = [];
  for (const r of rels) {
    if (r.kind === 'compare' && r.op === '=') {
      if (key || slice) throw new InvalidRequest(`${c.name} cannot be restricted by more than one relation if it includes an Equal`);
      key = { kind: 'eq', column: c, term: r.value };
    } else if (r.kind === 'in') {
      if (key || slice) throw new InvalidRequest(`${c.name} cannot be restricted by more than one relation if it includes a IN`);
      key = { kind: 'in', column: c, values: r.values };
    } else if (r.kind === 'compare' && r.op !== '!=') {
      if (key) throw new InvalidRequest(`${c.name} cannot be restricted by both an equality and an inequality relation`);
      slice ??= {};
      const bound = { term: r.value, inclusive: r.op === '<=' || r.op === '>=' };
      if (r.op === '>' || r.op === '>=') {
        if (slice.lower) throw new InvalidRequest(`More than one restriction was found for the start bound on ${c.name}`);
        slice.lower = bound;
      } else {
        if (slice.upper) throw new InvalidRequest(`More than one restriction was found for the end bound on ${c.name}`);
        slice.upper = bound;
      }
    } else {
      other.push(r);
    }
  }
  return { key, slice, other };
}

function relationToFilter(c: ColumnMetadata, r: Relation): Filter {
  switch (r.kind) {
    case 'compare': return { kind: 'compare', column: c, op: r.op, term: r.value };
    case 'in': return { kind: 'in', column: c, values: r.values };
    case 'contains': return { kind: 'contains', column: c, term: r.value };
    case 'contains_key': return { kind: 'contains_key', column: c, term: r.value };
    case 'element_compare': return { kind: 'element_compare', column: c, key: r.key, op: r.op, term: r.value };
    case 'is_not_null': return { kind: 'is_not_null', column: c };
    default: throw new InvalidRequest(`Unsupported restriction on ${c.name}`);
  }
}

export interface SelectWhereOptions {
  allowFiltering: boolean;
  /** SELECT DISTINCT: only partition key (and static) restrictions are allowed. */
  distinct?: boolean;
}

/** Analyzes a SELECT's WHERE clause (prepare time). Records marker specs. */
export function analyzeSelectWhere(table: TableMetadata, where: Relation[], specs: (ColumnSpec | undefined)[], opts: SelectWhereOptions): WherePlan {
  const g = group(table, where, specs);
  const filters: Filter[] = [];
  let needsFiltering = false;
  const partition = analyzePartition(table, g, filters, opts.allowFiltering);
  if (partition.kind !== 'keys' && filters.length > 0) needsFiltering = true;
  const { plan: clustering, filtering: clusteringFiltering, restricted } = analyzeClustering(table, g, filters, opts.allowFiltering);
  if (clusteringFiltering) needsFiltering = true;
  if (restricted && partition.kind !== 'keys') needsFiltering = true;
  for (const c of [...table.columns.values()]) {
    if (c.kind !== 'regular' && c.kind !== 'static') continue;
    const rels = g.byColumn.get(c.name);
    if (!rels) continue;
    for (const r of rels) {
      if (r.kind === 'compare' && r.op === '!=' && false) continue;
      filters.push(relationToFilter(c, r));
    }
    needsFiltering = true;
  }
  if (needsFiltering && !opts.allowFiltering) throw new InvalidRequest(FILTERING_ERROR);
  return { partition, clustering, filters, hasClusteringRestrictions: restricted };
}

function analyzePartition(table: TableMetadata, g: Grouped, filters: Filter[], allowFiltering: boolean): PartitionPlan {
  const restricted: KeyRestriction[] = [];
  const missing: string[] = [];
  let hasNonEq = false;
  for (const c of table.partitionKey) {
    const rels = g.byColumn.get(c.name);
    if (!rels) { missing.push(c.name); continue; }
    const { key, slice, other } = singleRestriction(c, rels);
    if (key) restricted.push(key);
    if (slice || other.length > 0) {
      hasNonEq = true;
      if (!key) missing.push(c.name);
      for (const r of rels) if (!(r.kind === 'compare' && r.op === '=') && r.kind !== 'in') filters.push(relationToFilter(c, r));
    }
  }
  if (g.token.length > 0) {
    if (restricted.length > 0 || hasNonEq) {
      throw new InvalidRequest(`Columns "${table.partitionKey.map((c) => c.name).join(', ')}" cannot be restricted by both a normal relation and a token relation`);
    }
    return analyzeToken(g);
  }
  if (missing.length === 0 && !hasNonEq) return { kind: 'keys', columns: restricted };
  if (restricted.length === 0 && !hasNonEq) return { kind: 'scan' };
  if (hasNonEq && !allowFiltering) {
    throw new InvalidRequest('Only EQ and IN relation are supported on the partition key (unless you use the token() function or allow filtering)');
  }
  if (!allowFiltering) throw new InvalidRequest(`Partition key parts: ${missing.join(', ')} must be restricted as other parts are`);
  for (const k of restricted) filters.push(k.kind === 'eq' ? { kind: 'compare', column: k.column, op: '=', term: k.term } : { kind: 'in', column: k.column, values: k.values });
  return { kind: 'scan' };
}

function analyzeToken(g: Grouped): PartitionPlan {
  let lower: BoundTerm | undefined;
  let upper: BoundTerm | undefined;
  for (const r of g.token) {
    const b = { term: r.value, inclusive: r.op === '>=' || r.op === '<=' || r.op === '=' };
    if (r.op === '=') {
      if (lower || upper) throw new InvalidRequest('partition key token cannot be restricted by more than one relation if it includes an Equal');
      lower = { term: r.value, inclusive: true };
      upper = { term: r.value, inclusive: true };
    } else if (r.op === '>' || r.op === '>=') {
      if (lower) throw new InvalidRequest('More than one restriction was found for the start bound on partition key token');
      lower = b;
    } else if (r.op === '<' || r.op === '<=') {
      if (upper) throw new InvalidRequest('More than one restriction was found for the end bound on partition key token');
      upper = b;
    } else {
      throw new InvalidRequest(`Unsupported "!=" relation: token(...) != ...`);
    }
  }
  return { kind: 'token', lower, upper };
}

function analyzeClustering(table: TableMetadata, g: Grouped, filters: Filter[], allowFiltering: boolean): { plan: ClusteringPlan; filtering: boolean; restricted: boolean } {
  if (g.multi.length > 0) return analyzeMulti(table, g);
  const prefix: KeyRestriction[] = [];
  let slice: ({ column: ColumnMetadata } & SliceRestriction) | undefined;
  let filtering = false;
  let restricted = false;
  let stop: { column: ColumnMetadata; reason: 'unrestricted' | 'slice' } | null = null;
  for (const c of table.clustering) {
    const rels = g.byColumn.get(c.name);
    if (!rels) {
      stop ??= { column: c, reason: 'unrestricted' };
      continue;
    }
    restricted = true;
    const { key, slice: s, other } = singleRestriction(c, rels);
    if (stop !== null || other.length > 0) {
      if (!allowFiltering && stop !== null && other.length === 0) {
        if (stop.reason === 'unrestricted') throw new InvalidRequest(`PRIMARY KEY column "${c.name}" cannot be restricted as preceding column "${stop.column.name}" is not restricted`);
        throw new InvalidRequest(`Clustering column "${c.name}" cannot be restricted (preceding column "${stop.column.name}" is restricted by a non-EQ relation)`);
      }
      for (const r of rels) filters.push(relationToFilter(c, r));
      filtering = true;
      stop ??= { column: c, reason: 'slice' };
      continue;
    }
    if (key) {
      prefix.push(key);
    } else if (s) {
      slice = { column: c, ...s };
      stop = { column: c, reason: 'slice' };
    }
  }
  return { plan: { kind: 'single', prefix, slice }, filtering, restricted };
}

function analyzeMulti(table: TableMetadata, g: Grouped): { plan: ClusteringPlan; filtering: boolean; restricted: boolean } {
  for (const c of table.clustering) {
    if (g.byColumn.has(c.name)) throw new InvalidRequest('Mixing single column relations and multi column relations on clustering columns is not allowed');
  }
  const first = g.multi[0]!;
  const columns = first.columns.map((n) => table.columns.get(n)!);
  if (first.kind === 'multi_in') {
    if (g.multi.length > 1) throw new InvalidRequest(`${relationText(first.columns)} cannot be restricted by more than one relation if it includes a IN`);
    return { plan: { kind: 'multi_in', columns, values: first.values }, filtering: false, restricted: true };
  }
  if (first.op === '=' ) {
    if (g.multi.length > 1) throw new InvalidRequest(`${relationText(first.columns)} cannot be restricted by more than one relation if it includes an Equal`);
    return { plan: { kind: 'multi_eq', columns, term: first.value }, filtering: false, restricted: true };
  }
  let lower: MultiBoundTerm | undefined;
  let upper: MultiBoundTerm | undefined;
  let widest = columns;
  for (const r of g.multi) {
    if (r.kind !== 'multi_compare' || r.op === '=' || r.op === '!=') throw new InvalidRequest('Column "' + r.columns[0] + '" cannot be restricted by both an equality and an inequality relation');
    const b = { term: r.value, inclusive: r.op === '>=' || r.op === '<=', columns: r.columns.map((n) => table.columns.get(n)!) };
    if (r.op === '>' || r.op === '>=') {
      if (lower) throw new InvalidRequest(`More than one restriction was found for the start bound on ${r.columns[0]}`);
      lower = b;
    } else {
      if (upper) throw new InvalidRequest(`More than one restriction was found for the end bound on ${r.columns[0]}`);
      upper = b;
    }
    if (b.columns.length > widest.length) widest = b.columns;
  }
  return { plan: { kind: 'multi_slice', columns: widest, lower, upper }, filtering: false, restricted: true };
}

/** For UPDATE/DELETE: keys must be fully given (DELETE may leave a clustering suffix or slice the last). */
export function analyzeModificationWhere(table: TableMetadata, where: Relation[], specs: (ColumnSpec | undefined)[], opts: { allowRange: boolean; staticOnly?: boolean }): WherePlan {
  const g = group(table, where, specs);
  if (g.token.length > 0) throw new InvalidRequest('The token function cannot be used in WHERE clauses for UPDATE and DELETE statements');
  const nonKey = [...g.byColumn.keys()].filter((n) => { const k = table.columns.get(n)!.kind; return k === 'regular' || k === 'static'; });
  if (nonKey.length > 0) throw new InvalidRequest(`Non PRIMARY KEY columns found in where clause: ${nonKey.join(', ')}`);
  const columns: KeyRestriction[] = [];
  const missing: string[] = [];
  for (const c of table.partitionKey) {
    const rels = g.byColumn.get(c.name);
    if (!rels) { missing.push(c.name); continue; }
    const { key, slice, other } = singleRestriction(c, rels);
    if (!key || slice || other.length > 0) throw new InvalidRequest(`Only EQ and IN relation are supported on the partition key (unless you use the token() function)`);
    columns.push(key);
  }
  if (missing.length > 0) throw new InvalidRequest(`Some partition key parts are missing: ${missing.join(', ')}`);
  const filters: Filter[] = [];
  const { plan: clustering, filtering, restricted } = analyzeClustering(table, g, filters, false);
  if (filtering) throw new InvalidRequest(FILTERING_ERROR);
  if (!opts.allowRange) {
    const missingClustering = table.clustering.filter((c) => clustering.kind === 'single' && !clustering.prefix.some((k) => k.column === c));
    if (clustering.kind === 'single' && clustering.slice) {
      throw new InvalidRequest(`Slice restrictions are not supported on the clustering columns in UPDATE statements`);
    }
    if (clustering.kind === 'multi_slice') throw new InvalidRequest(`Slice restrictions are not supported on the clustering columns in UPDATE statements`);
    const staticOnlyPartition = opts.staticOnly === true && clustering.kind === 'single' && clustering.prefix.length === 0;
    if (clustering.kind === 'single' && missingClustering.length > 0 && !staticOnlyPartition) {
      throw new InvalidRequest(`Some clustering keys are missing: ${missingClustering.map((c) => c.name).join(', ')}`);
    }
  }
  return { partition: { kind: 'keys', columns }, clustering, filters, hasClusteringRestrictions: restricted };
}

// ------------------------------------------------------------------------------ binding

export interface BoundKey { key: Buffer; token: bigint; parts: Buffer[] }

/** The partition keys named by a keys plan, sorted by key type order and deduplicated. */
export function bindKeys(table: TableMetadata, columns: KeyRestriction[], ctx: ExecContext, limits: QueryLimits): BoundKey[] {
  if (allEq(columns)) {
    // One key (the common case): its parts in one loop, no closures.
    const parts: Buffer[] = new Array<Buffer>(columns.length);
    for (let i = 0; i < columns.length; i++) {
      const k = columns[i] as Extract<KeyRestriction, { kind: 'eq' }>;
      parts[i] = evalRequired(k.term, receiverOf(table, k.column), ctx, 'key');
    }
    return [boundKey(parts, columns.length)];
  }
  let combos: Buffer[][] = [[]];
  for (const k of columns) {
    const receiver = receiverOf(table, k.column);
    const values = k.kind === 'eq' ? [evalRequired(k.term, receiver, ctx, 'key')] : evalIn(k.values, receiver, ctx);
    const next: Buffer[][] = [];
    for (const combo of combos) for (const v of values) next.push([...combo, v]);
    if (next.length > limits.inKeysMax) {
      throw new InvalidRequest(`Select query cannot be completed because it selects ${next.length} partitions keys - more than the maximum allowed (${limits.inKeysMax})`);
    }
    combos = next;
  }
  return combos.map((parts) => boundKey(parts, columns.length));
}

function allEq(columns: KeyRestriction[]): boolean {
  for (let i = 0; i < columns.length; i++) if (columns[i]!.kind !== 'eq') return false;
  return true;
}

function boundKey(parts: Buffer[], columnCount: number): BoundKey {
  for (const p of parts) {
    if (p.length > 0xffff) throw new InvalidRequest(`Key length of ${p.length} is longer than maximum of 65535`);
    if (p.length === 0 && columnCount === 1) throw new InvalidRequest(`Key may not be empty`);
  }
  const key = compositeKey(parts);
  return { key, token: tokenOfRepeated(key), parts };
}

// The last key hashed and its token: a batch's statements usually name one partition in turn.
// A memo of a pure function (same answer either way), read and written synchronously.
let lastTokenKey: Buffer | null = null;
let lastToken = 0n;

function tokenOfRepeated(key: Buffer): bigint {
  if (lastTokenKey !== null && sameBytes(lastTokenKey, key)) return lastToken;
  const token = tokenOf(key);
  lastTokenKey = key;
  lastToken = token;
  return token;
}

/** The token range of a token plan, or null when it is empty. */
export function bindTokenRange(plan: Extract<PartitionPlan, { kind: 'token' }>, table: TableMetadata, ctx: ExecContext): TokenRange | null {
  const receiver: Receiver = { keyspace: table.keyspace, table: table.name, name: 'partition key token', type: { kind: 'native', name: 'bigint' } };
  const tokenValue = (b: BoundTerm): bigint => readSignedInteger(evalRequired(b.term, receiver, ctx));
  let start = TOKEN_MIN;
  let end = TOKEN_MAX;
  if (plan.lower) {
    const v = tokenValue(plan.lower);
    start = plan.lower.inclusive ? v - 1n : v;
  }
  if (plan.upper) {
    const v = tokenValue(plan.upper);
    end = plan.upper.inclusive ? v : v - 1n;
  }
  if (start < TOKEN_MIN) start = TOKEN_MIN;
  if (end >= TOKEN_MAX) end = TOKEN_MAX;
  if (end <= start) return null;
  return { start, end };
}

/** Clustering slices (in clustering order, non-overlapping), or null for the whole partition. */
export function bindSlices(table: TableMetadata, plan: ClusteringPlan, ctx: ExecContext, limits: QueryLimits): Slice[] | null {
  switch (plan.kind) {
    case 'single': return bindSingleSlices(table, plan, ctx, limits);
    case 'multi_eq': {
      const v = bindTuple(table, plan.columns, plan.term, ctx);
      return [pointSlice(v)];
    }
    case 'multi_in': {
      const receiver = tupleReceiver(table, plan.columns);
      const tuples = plan.values.kind === 'marker'
        ? evalIn(plan.values, receiver, ctx).map((b) => splitTuple(b, plan.columns))
        : plan.values.terms.map((t) => bindTuple(table, plan.columns, t, ctx));
      return sortSlices(table, tuples.map(pointSlice));
    }
    case 'multi_slice': return bindMultiSlice(table, plan, ctx);
    default: return assertNever(plan, 'clustering plan');
  }
}

function tupleReceiver(table: TableMetadata, columns: ColumnMetadata[]): Receiver {
  return { keyspace: table.keyspace, table: table.name, name: relationText(columns.map((c) => c.name)), type: { kind: 'tuple', elements: columns.map((c) => c.type) } };
}

function splitTuple(b: Buffer, columns: ColumnMetadata[]): Buffer[] {
  const fields = deserializeTuple(b, columns.length);
  return fields.map((f, i) => {
    if (f === null) throw new InvalidRequest(`Invalid null value in condition for column ${columns[i]!.name}`);
    return f;
  });
}

function bindTuple(table: TableMetadata, columns: ColumnMetadata[], term: Term, ctx: ExecContext): Buffer[] {
  const receiver = tupleReceiver(table, columns);
  if (term.kind === 'tuple') {
    if (term.elements.length !== columns.length) {
      throw new InvalidRequest(`Expected ${columns.length} elements in value tuple, but got ${term.elements.length}: ${receiver.name}`);
    }
    return term.elements.map((e, i) => evalRequired(e, receiverOf(table, columns[i]!), ctx));
  }
  return splitTuple(evalRequired(term, receiver, ctx), columns);
}

function pointSlice(values: Buffer[]): Slice {
  return { start: { values, inclusive: true }, end: { values, inclusive: true } };
}

function bindSingleSlices(table: TableMetadata, plan: Extract<ClusteringPlan, { kind: 'single' }>, ctx: ExecContext, limits: QueryLimits): Slice[] | null {
  if (plan.prefix.length === 0 && !plan.slice) return null;
  if (!plan.slice && plan.prefix.every((k) => k.kind === 'eq')) {
    // Equalities only (a full row key, as in a plain INSERT): one point slice, nothing to sort.
    return [pointSlice(plan.prefix.map((k) => evalRequired((k as Extract<KeyRestriction, { kind: 'eq' }>).term, receiverOf(table, k.column), ctx)))];
  }
  let prefixes: Buffer[][] = [[]];
  for (const k of plan.prefix) {
    const receiver = receiverOf(table, k.column);
    const values = k.kind === 'eq' ? [evalRequired(k.term, receiver, ctx)] : evalIn(k.values, receiver, ctx);
    const next: Buffer[][] = [];
    for (const p of prefixes) for (const v of values) next.push([...p, v]);
    if (next.length > limits.slicesMax) throw new InvalidRequest(`Too many clustering key combinations (${next.length}, limit ${limits.slicesMax})`);
    prefixes = next;
  }
  const slices = prefixes.map((p) => (plan.slice ? sliceAfterPrefix(table, p, plan.slice, ctx) : pointSlice(p)));
  return sortSlices(table, slices.filter((s): s is Slice => s !== null));
}

function sliceAfterPrefix(table: TableMetadata, prefix: Buffer[], s: { column: ColumnMetadata } & SliceRestriction, ctx: ExecContext): Slice | null {
  const receiver = receiverOf(table, s.column);
  const lower = s.lower ? { values: [...prefix, evalRequired(s.lower.term, receiver, ctx)], inclusive: s.lower.inclusive } : null;
  const upper = s.upper ? { values: [...prefix, evalRequired(s.upper.term, receiver, ctx)], inclusive: s.upper.inclusive } : null;
  const open: ClusteringBound = { values: prefix, inclusive: true };
  const desc = s.column.clusteringOrder === 'desc';
  const slice: Slice = desc
    ? { start: upper ?? open, end: lower ?? open }
    : { start: lower ?? open, end: upper ?? open };
  return sliceIsEmpty(table, slice) ? null : slice;
}

function bindMultiSlice(table: TableMetadata, plan: Extract<ClusteringPlan, { kind: 'multi_slice' }>, ctx: ExecContext): Slice[] {
  const bind = (b: MultiBoundTerm | undefined, lower: boolean): TupleBound | null => {
    if (!b) return null;
    const values = b.term.kind === 'tuple'
      ? b.term.elements.map((e, i) => evalRequired(e, receiverOf(table, b.columns[i]!), ctx))
      : splitTuple(evalRequired(b.term, tupleReceiver(table, b.columns), ctx), b.columns);
    return { values, inclusive: b.inclusive, lower };
  };
  return multiColumnSlices(table, bind(plan.lower, true), bind(plan.upper, false));
}

function sliceIsEmpty(table: TableMetadata, s: Slice): boolean {
  const n = Math.min(s.start.values.length, s.end.values.length);
  const r = compareClustering(table, s.start.values.slice(0, n), s.end.values.slice(0, n));
  if (r > 0) return true;
  if (r === 0 && s.start.values.length === s.end.values.length && s.start.values.length === n) {
    return !(s.start.inclusive && s.end.inclusive) && n > 0 && s.start.values.length > 0;
  }
  return false;
}

function sortSlices(table: TableMetadata, slices: Slice[]): Slice[] {
  const sorted = [...slices].sort((x, y) => compareClustering(table, x.start.values, y.start.values));
  return sorted.filter((s, i) => i === 0 || compareClustering(table, sorted[i - 1]!.start.values, s.start.values) !== 0 || sorted[i - 1]!.start.values.length !== s.start.values.length);
}

/** True when `clustering` lies inside one of the slices (for filtering and paging checks). */
export function clusteringInSlices(table: TableMetadata, clustering: Buffer[], slices: Slice[] | null): boolean {
  if (slices === null) return true;
  return slices.some((s) => afterStart(table, clustering, s.start) && beforeEnd(table, clustering, s.end));
}

function afterStart(table: TableMetadata, row: Buffer[], b: ClusteringBound): boolean {
  if (b.values.length === 0) return true;
  const r = compareClustering(table, row.slice(0, b.values.length), b.values);
  return r > 0 || (r === 0 && b.inclusive);
}

function beforeEnd(table: TableMetadata, row: Buffer[], b: ClusteringBound): boolean {
  if (b.values.length === 0) return true;
  const r = compareClustering(table, row.slice(0, b.values.length), b.values);
  return r < 0 || (r === 0 && b.inclusive);
}
