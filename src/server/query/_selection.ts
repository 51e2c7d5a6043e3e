// SELECT clauses compiled to selectors. Every selector makes an accumulator per group: plain
// queries use one group per row; aggregates fold many rows. A column selector keeps the first
// row's value (Cassandra's rule for non-aggregated columns in an aggregate or GROUP BY query).

import type { Selector, Selection, Term } from '../../cql/ast.js';
import type { ColumnMetadata, TableMetadata } from '../../schema/metadata.js';
import { typeToCql, isMultiCell, type CqlType } from '../../schema/types.js';
import { comparatorFor } from '../../schema/compare.js';
import { toJson, jsonString } from '../../schema/json.js';
import { quoteIdentifier, formatDisplay } from '../../schema/format.js';
import type { ColumnSpec } from '../../protocol/messages.js';
import { UNSET } from '../../protocol/messages.js';
import { InvalidRequest } from '../../util/errors.js';
import { assertNever } from '../../util/assert.js';
import { tokenOf } from '../../util/murmur3.js';
import type { ExecContext } from './_context.js';
import { columnValue, liveCells, type RowView } from './_rows.js';
import { columnOf } from './_where.js';
import { evalTerm, typeMarkers } from './_terms.js';
import { int32, int64, deserializeElements, deserializeMap, deserializeTuple, serializeElements, serializeMap } from './_bytes.js';
import {
  type AggregateFunction, type ArgType, OPERATION_FUNCTION_NAMES, castFunction, preferredConstantType, resolveAggregate, resolveNegation, resolveOperationFor, resolveScalarFunction, toJsonFunction,
} from '../../cql/functions/mod.js';
import { argTypeOf, resolveTypeExpr, type Receiver } from './_calls.js';

export interface Acc {
  add(view: RowView, ctx: ExecContext): void;
  result(ctx: ExecContext): Buffer | null;
}

export interface Sel {
  name: string;
  type: CqlType;
  aggregate: boolean;
  make(): Acc;
  /** For a selector of one row's values: what make(), add(view), result() give, without the accumulator. */
  rowValue?: (view: RowView, ctx: ExecContext) => Buffer | null;
}

const BIGINT: CqlType = { kind: 'native', name: 'bigint' };
const INT: CqlType = { kind: 'native', name: 'int' };
const TEXT: CqlType = { kind: 'native', name: 'text' };

/** Columns of `SELECT *`: partition key, clustering, static (by name), regular (by name). */
export function wildcardColumns(table: TableMetadata): ColumnMetadata[] {
  const byName = (a: ColumnMetadata, b: ColumnMetadata): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const all = [...table.columns.values()];
  return [
    ...[...table.partitionKey].sort((a, b) => a.position - b.position),
    ...[...table.clustering].sort((a, b) => a.position - b.position),
    ...all.filter((c) => c.kind === 'static').sort(byName),
    ...all.filter((c) => c.kind === 'regular').sort(byName),
  ];
}

export interface CompiledSelection {
  sels: Sel[];
  /** Result column specs (one `[json]` column for SELECT JSON). */
  columns: ColumnSpec[];
  aggregate: boolean;
  json: boolean;
  /** True when a column of the result is static or a key column only (no regular column needed). */
  selectsOnlyKeysAndStatics: boolean;
}

export function compileSelection(table: TableMetadata, selection: Selection, opts: { json: boolean; specs: (ColumnSpec | undefined)[] }): CompiledSelection {
  let sels: Sel[];
  let aliases: (string | undefined)[];
  if (selection.kind === 'wildcard') {
    sels = wildcardColumns(table).map((c) => columnSel(c));
    aliases = sels.map(() => undefined);
  } else {
    sels = selection.items.map((i) => compileSelector(table, i.selector, opts.specs));
    aliases = selection.items.map((i) => i.alias);
  }
  const aggregate = sels.some((s) => s.aggregate);
  const named = sels.map((s, i) => (aliases[i] !== undefined ? { ...s, name: aliases[i]! } : s));
  const selectsOnlyKeysAndStatics = selection.kind === 'items' && selection.items.every((i) => onlyKeysAndStatics(table, i.selector));
  if (opts.json) {
    return {
      sels: [jsonSel(named)], aggregate, json: true, selectsOnlyKeysAndStatics,
      columns: [{ keyspace: table.keyspace, table: table.name, name: '[json]', type: TEXT }],
    };
  }
  return {
    sels: named, aggregate, json: false, selectsOnlyKeysAndStatics,
    columns: named.map((s) => ({ keyspace: table.keyspace, table: table.name, name: s.name, type: s.type })),
  };
}

function onlyKeysAndStatics(table: TableMetadata, s: Selector): boolean {
  if (s.kind === 'column') {
    const k = table.columns.get(s.name)?.kind;
    return k === 'partition_key' || k === 'static';
  }
  return false;
}

function jsonSel(sels: Sel[]): Sel {
  return {
    name: '[json]', type: TEXT, aggregate: sels.some((s) => s.aggregate),
    make() {
      const accs = sels.map((s) => s.make());
      return {
        add(view, ctx) { for (const a of accs) a.add(view, ctx); },
        result(ctx) {
          const fields = sels.map((s, i) => `${jsonString(jsonKey(s.name))}: ${toJson(s.type, accs[i]!.result(ctx))}`);
          return Buffer.from(`{${fields.join(', ')}}`, 'utf8');
        },
      };
    },
  };
}

/** Cassandra quotes case-sensitive names in JSON keys ("\"Name\""). */
function jsonKey(name: string): string {
  return quoteIdentifier(name) === name ? name : `"${name}"`;
}

/** make() and rowValue of a selector computed from one row (built once per compiled statement). */
function perRow(compute: (view: RowView, ctx: ExecContext) => Buffer | null): Pick<Sel, 'make' | 'rowValue'> {
  return { make: firstValue(compute), rowValue: compute };
}

function firstValue(compute: (view: RowView, ctx: ExecContext) => Buffer | null): () => Acc {
  return () => {
    let seen = false;
    let value: Buffer | null = null;
    return {
      add(view, ctx) { if (!seen) { seen = true; value = compute(view, ctx); } },
      result() { return value; },
    };
  };
}

function columnSel(c: ColumnMetadata): Sel {
  const type: CqlType = c.type.kind === 'native' && c.type.name === 'counter' ? c.type : c.type;
  return { name: c.name, type, aggregate: false, ...perRow((view) => columnValue(view, c)) };
}

export function selectorName(s: Selector): string {
  switch (s.kind) {
    case 'column': return s.name;
    case 'term': return termText(s.term);
    case 'count_rows': return 'count';
    case 'function_call': return `${s.keyspace ?? 'system'}.${s.name.toLowerCase()}(${s.args.map(selectorName).join(', ')})`;
    case 'writetime': return `writetime(${selectorName(s.selector)})`;
    case 'maxwritetime': return `maxwritetime(${selectorName(s.selector)})`;
    case 'ttl': return `ttl(${selectorName(s.selector)})`;
    case 'cast': return `cast(${selectorName(s.selector)} as ${typeExprText(s.type)})`;
    case 'element': return `${selectorName(s.selector)}[${termText(s.key)}]`;
    case 'slice': return `${selectorName(s.selector)}[${s.from ? termText(s.from) : ''}..${s.to ? termText(s.to) : ''}]`;
    case 'field': return `${selectorName(s.selector)}.${s.field}`;
    case 'binary': return `${selectorName(s.left)} ${s.op} ${selectorName(s.right)}`;
    case 'negate': return `-${selectorName(s.operand)}`;
    default: return assertNever(s, 'selector');
  }
}

function typeExprText(t: { kind: string; name?: string }): string {
  return t.kind === 'native' ? t.name! : t.kind;
}

function termText(t: Term): string {
  switch (t.kind) {
    case 'literal': return t.value.kind === 'string' ? `'${t.value.text.replace(/'/g, "''")}'` : t.value.kind === 'hex' ? `0x${t.value.text}` : t.value.text;
    case 'bind': return t.name ? `:${t.name}` : '?';
    case 'null': return 'null';
    default: return t.kind;
  }
}

/** A term selector's type: its cast or call type, or a constant's preferred type. */
function literalType(table: TableMetadata, t: Term): CqlType {
  const arg = argTypeOf(t, termReceiver(table, termText(t), TEXT));
  if (arg === null) throw new InvalidRequest(`Cannot infer type for term ${termText(t)} in selection clause (try using a cast to force a type)`);
  return arg.kind === 'constant' ? { kind: 'native', name: preferredConstantType(arg) } : arg;
}

export function compileSelector(table: TableMetadata, s: Selector, specs: (ColumnSpec | undefined)[]): Sel {
  const name = selectorName(s);
  switch (s.kind) {
    case 'column': return columnSel(columnOf(table, s.name));
    case 'term': return termSel(name, s.term, termReceiver(table, name, literalType(table, s.term)), specs);
    case 'count_rows': return foldSel(name, resolveAggregate('count', null), null);
    case 'writetime': case 'maxwritetime': case 'ttl': return cellMetaSel(table, s, name);
    case 'cast': {
      const inner = compileSelector(table, s.selector, specs);
      const to = resolveTypeExpr(s.type);
      const cast = castFunction(inner.type, to);
      return mapSel(name, to, inner, (v, ctx) => cast.execute([v], ctx.functions));
    }
    case 'element': case 'slice': return collectionSel(table, s, name, specs);
    case 'field': {
      const inner = compileSelector(table, s.selector, specs);
      const t = inner.type;
      if (t.kind !== 'udt') throw new InvalidRequest(`Invalid field selection: ${selectorName(s.selector)} of type ${typeToCql(t)} is not a user type`);
      const i = t.fieldNames.indexOf(s.field);
      if (i < 0) throw new InvalidRequest(`${t.name} has no field ${s.field}`);
      return mapSel(name, t.fieldTypes[i]!, inner, (v) => (v === null ? null : deserializeTuple(v, t.fieldNames.length)[i] ?? null));
    }
    case 'function_call': return functionSel(table, s, name, specs);
    case 'binary': return operationSel(table, s, name, specs);
    case 'negate': {
      const inner = compileSelector(table, s.operand, specs);
      const negate = resolveNegation(inner.type);
      return mapSel(name, negate.type, inner, (v) => negate.apply(v));
    }
    default: return assertNever(s, 'selector');
  }
}

function mapSel(name: string, type: CqlType, inner: Sel, f: (v: Buffer | null, ctx: ExecContext) => Buffer | null): Sel {
  return combineSel(name, type, [inner], ([v], ctx) => f(v ?? null, ctx));
}

function combineSel(name: string, type: CqlType, inner: Sel[], f: (vs: (Buffer | null)[], ctx: ExecContext) => Buffer | null): Sel {
  return {
    name, type, aggregate: inner.some((s) => s.aggregate),
    make() {
      const accs = inner.map((s) => s.make());
      return {
        add(view, ctx) { for (const a of accs) a.add(view, ctx); },
        result(ctx) { return f(accs.map((a) => a.result(ctx)), ctx); },
      };
    },
  };
}

function simpleColumnArg(table: TableMetadata, s: Selector, fn: string): ColumnMetadata {
  if (s.kind !== 'column') throw new InvalidRequest(`Invalid selection: ${fn} can only be applied to columns`);
  const c = columnOf(table, s.name);
  if (c.kind === 'partition_key' || c.kind === 'clustering') throw new InvalidRequest(`Cannot use selection function ${fn} on PRIMARY KEY part ${c.name}`);
  if (c.type.kind === 'native' && c.type.name === 'counter' && fn !== 'writeTime') {
    throw new InvalidRequest(`Cannot use selection function ${fn} on counter column ${c.name}`);
  }
  return c;
}

function cellMetaSel(table: TableMetadata, s: Extract<Selector, { kind: 'writetime' | 'maxwritetime' | 'ttl' }>, name: string): Sel {
  const fn = s.kind === 'writetime' ? 'writeTime' : s.kind === 'ttl' ? 'ttl' : 'maxWritetime';
  const c = simpleColumnArg(table, s.selector, fn);
  if (s.kind !== 'maxwritetime' && isMultiCell(c.type)) throw new InvalidRequest(`Cannot use selection function ${fn} on non-frozen ${c.type.kind === 'udt' ? 'UDT' : 'collection'} ${c.name}`);
  if (s.kind === 'ttl') {
    return { name, type: INT, aggregate: false, ...perRow((view) => {
      const cell = liveCells(view, c)[0];
      if (!cell || cell.ttlSec === 0) return null;
      return int32(Math.max(0, cell.localExpirationTimeSec - view.nowSec));
    }) };
  }
  return { name, type: BIGINT, aggregate: false, ...perRow((view) => {
    const cells = liveCells(view, c);
    if (cells.length === 0) return null;
    return int64(BigInt(Math.max(...cells.map((x) => x.timestampMicros))));
  }) };
}

function collectionSel(table: TableMetadata, s: Extract<Selector, { kind: 'element' | 'slice' }>, name: string, specs: (ColumnSpec | undefined)[]): Sel {
  const inner = compileSelector(table, s.selector, specs);
  const t = inner.type;
  if (t.kind !== 'map' && t.kind !== 'set' && t.kind !== 'list') throw new InvalidRequest(`Invalid element selection: ${selectorName(s.selector)} is of type ${typeToCql(t)} is not a collection`);
  if (t.kind === 'list') throw new InvalidRequest(`Element selection is only allowed on sets and maps, but ${selectorName(s.selector)} is a list`);
  const keyType = t.kind === 'map' ? t.key : t.element;
  const receiver = { keyspace: table.keyspace, table: table.name, name: `key(${selectorName(s.selector)})`, type: keyType };
  const cmp = comparatorFor(keyType);
  const bound = (term: Term | undefined, ctx: ExecContext): Buffer | null => {
    if (!term) return null;
    const v = evalTerm(term, receiver, ctx);
    return v === UNSET ? null : v;
  };
  if (s.kind === 'element') {
    typeMarkers(s.key, receiver, specs);
    const type = t.kind === 'map' ? t.value : t.element;
    return combineSel(name, type, [inner], ([v], ctx) => {
      const k = bound(s.key, ctx);
      if (v === null || v === undefined || k === null) return null;
      if (t.kind === 'map') return deserializeMap(v).find(([mk]) => cmp(mk, k) === 0)?.[1] ?? null;
      return deserializeElements(v).find((e) => cmp(e, k) === 0) ?? null;
    });
  }
  if (s.from) typeMarkers(s.from, receiver, specs);
  if (s.to) typeMarkers(s.to, receiver, specs);
  return combineSel(name, t, [inner], ([v], ctx) => {
    if (v === null || v === undefined) return null;
    const lo = bound(s.from, ctx);
    const hi = bound(s.to, ctx);
    const inRange = (k: Buffer): boolean => (lo === null || cmp(k, lo) >= 0) && (hi === null || cmp(k, hi) <= 0);
    if (t.kind === 'map') {
      const e = deserializeMap(v).filter(([k]) => inRange(k));
      return e.length === 0 ? null : serializeMap(e);
    }
    const e = deserializeElements(v).filter(inRange);
    return e.length === 0 ? null : serializeElements(e);
  });
}

// ---------------------------------------------------------------------------- functions

const AGGREGATES = new Set(['count', 'min', 'max', 'sum', 'avg']);

function termReceiver(table: TableMetadata, name: string, type: CqlType): Receiver {
  return { keyspace: table.keyspace, table: table.name, name, type };
}

function termSel(name: string, term: Term, receiver: Receiver, specs: (ColumnSpec | undefined)[]): Sel {
  typeMarkers(term, receiver, specs);
  return { name, type: receiver.type, aggregate: false, ...perRow((_v, ctx) => { const v = evalTerm(term, receiver, ctx); return v === UNSET ? null : v; }) };
}

interface CompiledArgs {
  /** What overload resolution sees: selector types; terms untyped (constants, bind markers). */
  types: ArgType[];
  /** The argument selectors once the overload's parameter types are known. */
  finish(paramTypes: CqlType[], fname: string): Sel[];
}

function compileArgs(table: TableMetadata, args: Selector[], specs: (ColumnSpec | undefined)[]): CompiledArgs {
  const compiled = args.map((a) => (a.kind === 'term' ? null : compileSelector(table, a, specs)));
  const types = args.map((a, i) => (a.kind === 'term' ? argTypeOf(a.term, termReceiver(table, selectorName(a), TEXT)) : compiled[i]!.type));
  const termOf = (a: Selector): Term => (a as Extract<Selector, { kind: 'term' }>).term;
  return {
    types,
    finish: (paramTypes, fname) => args.map((a, i) => compiled[i] ?? termSel(selectorName(a), termOf(a), termReceiver(table, `arg${i}(system.${fname})`, paramTypes[i]!), specs)),
  };
}

function operationSel(table: TableMetadata, s: Extract<Selector, { kind: 'binary' }>, name: string, specs: (ColumnSpec | undefined)[]): Sel {
  const args = compileArgs(table, [s.left, s.right], specs);
  const op = resolveOperationFor(s.op, [args.types[0]!, args.types[1]!], null);
  return combineSel(name, op.returnType, args.finish(op.argTypes, OPERATION_FUNCTION_NAMES[s.op]), ([a, b]) => op.apply(a ?? null, b ?? null));
}

function functionSel(table: TableMetadata, s: Extract<Selector, { kind: 'function_call' }>, name: string, specs: (ColumnSpec | undefined)[]): Sel {
  const fname = s.name.toLowerCase();
  if (s.keyspace !== undefined && s.keyspace !== 'system') throw new InvalidRequest(`Unknown function '${s.keyspace}.${s.name}'`);
  if (fname === 'token') return tokenSel(table, s, name);
  if (fname === 'writetime' || fname === 'ttl') return cellMetaSel(table, { kind: fname === 'ttl' ? 'ttl' : 'writetime', selector: one(s, fname), span: s.span }, name);
  if (fname === 'fromjson') throw new InvalidRequest('fromJson() cannot be used in the selection clause of a SELECT statement');
  if (fname === 'tojson') {
    const inner = compileSelector(table, one(s, fname), specs);
    const f = toJsonFunction(inner.type);
    return mapSel(name, f.returnType, inner, (v, ctx) => f.execute([v], ctx.functions));
  }
  if (AGGREGATES.has(fname)) return aggregateSel(table, s, fname, name, specs);
  const args = compileArgs(table, s.args, specs);
  const f = resolveScalarFunction(fname, args.types);
  return combineSel(name, f.returnType, args.finish(f.argTypes, f.name), (vs, ctx) => f.execute(vs, ctx.functions));
}

function one(s: Extract<Selector, { kind: 'function_call' }>, fname: string): Selector {
  if (s.args.length !== 1) throw new InvalidRequest(`Invalid number of arguments in call to function system.${fname}: 1 required but ${s.args.length} provided`);
  return s.args[0]!;
}

function tokenSel(table: TableMetadata, s: Extract<Selector, { kind: 'function_call' }>, name: string): Sel {
  const names = s.args.map((a) => (a.kind === 'column' ? a.name : ''));
  const pk = table.partitionKey.map((c) => c.name);
  if (names.join(',') !== pk.join(',')) throw new InvalidRequest(`Invalid number of arguments in call to function system.token: ${pk.length} required but ${s.args.length} provided`);
  return { name, type: BIGINT, aggregate: false, ...perRow((view) => int64(tokenOf(view.partitionKey))) };
}

/** One row's value of a non-aggregate selector. */
function rowValue(sel: Sel, view: RowView, ctx: ExecContext): Buffer | null {
  const acc = sel.make();
  acc.add(view, ctx);
  return acc.result(ctx);
}

/** An aggregate over the rows of a group; `arg` null counts rows. */
function foldSel(name: string, agg: AggregateFunction, arg: Sel | null): Sel {
  return {
    name, type: agg.returnType, aggregate: true,
    make() {
      const acc = agg.init();
      return {
        add(view, ctx) { acc.add(arg === null ? [] : [rowValue(arg, view, ctx)]); },
        result: () => acc.result(),
      };
    },
  };
}

function aggregateSel(table: TableMetadata, s: Extract<Selector, { kind: 'function_call' }>, fname: string, name: string, specs: (ColumnSpec | undefined)[]): Sel {
  const arg = one(s, fname);
  if (fname === 'count' && arg.kind === 'term') return foldSel(name, resolveAggregate('count', null), null);
  const argSel = compileSelector(table, arg, specs);
  if (argSel.aggregate) throw new InvalidRequest(`aggregate functions cannot be used as arguments of aggregate functions`);
  return foldSel(name, resolveAggregate(fname, argSel.type), argSel);
}

export { formatDisplay };
