// Type resolution: a parse-time TypeExpr becomes a CqlType once user types are looked up, with
// CQL's frozen rules enforced. Also a parser for CQL type strings as system_schema stores them
// ("frozen<map<text, int>>"), used for the built-in system table definitions.

import { InvalidRequest } from '../../util/errors.js';
import { assert, assertNever } from '../../util/assert.js';
import { NATIVE_TYPE_NAMES, typeToCql, type CqlType, type NativeTypeName } from '../../schema/types.js';
import type { UserTypeMetadata } from '../../schema/metadata.js';
import type { TypeExpr } from './ddl.js';

export interface TypeScope {
  /** The keyspace of the statement; user types may only come from it. */
  keyspace: string;
  lookupType(keyspace: string, name: string): UserTypeMetadata | undefined;
}

/** Where a type appears; decides which frozen rules apply at the top level. */
export type TypePlace = 'column' | 'udt_field' | 'function';

/** Resolves a written type. Throws InvalidRequest naming the offending type. */
export function resolveType(expr: TypeExpr, scope: TypeScope, place: TypePlace): CqlType {
  return resolve(expr, scope, { frozen: false, nested: false, place, top: exprToCql(expr) });
}

/** top: the whole type as written, for error messages. */
interface Ctx { frozen: boolean; nested: boolean; place: TypePlace; top: string }

function resolve(expr: TypeExpr, scope: TypeScope, ctx: Ctx): CqlType {
  switch (expr.kind) {
    case 'native':
      if (expr.name === 'empty') throw new InvalidRequest("'empty' is not a type usable in CQL");
      return { kind: 'native', name: expr.name };
    case 'custom':
      return { kind: 'custom', className: expr.className };
    case 'frozen':
      return resolveFrozen(expr.inner, scope, ctx);
    case 'list':
    case 'set':
    case 'map':
      return resolveCollection(expr, scope, ctx);
    case 'tuple':
      return resolveTuple(expr.elements, scope, ctx);
    case 'udt':
      return resolveUdt(expr, scope, ctx);
    default:
      return assertNever(expr, 'type expression');
  }
}

function resolveFrozen(inner: TypeExpr, scope: TypeScope, ctx: Ctx): CqlType {
  if (inner.kind === 'native' || inner.kind === 'custom') {
    throw new InvalidRequest(`frozen<> is only allowed on collections, tuples, and user-defined types (found frozen<${exprToCql(inner)}>)`);
  }
  if (inner.kind === 'frozen') return resolveFrozen(inner.inner, scope, ctx);
  return resolve(inner, scope, { ...ctx, frozen: true });
}

function resolveCollection(expr: Extract<TypeExpr, { kind: 'list' | 'set' | 'map' }>, scope: TypeScope, ctx: Ctx): CqlType {
  const written = ctx.top;
  if (ctx.nested && !ctx.frozen && ctx.place !== 'udt_field') {
    throw new InvalidRequest(`Non-frozen collections are not allowed inside collections: ${written}`);
  }
  const inner: Ctx = { ...ctx, nested: true };
  const elem = (e: TypeExpr): CqlType => {
    const t = resolve(e, scope, inner);
    if (t.kind === 'native' && t.name === 'counter') throw new InvalidRequest(`Counters are not allowed inside collections: ${written}`);
    return t;
  };
  if (expr.kind === 'list') return { kind: 'list', element: elem(expr.element), frozen: ctx.frozen };
  if (expr.kind === 'set') {
    const element = elem(expr.element);
    if (referencesDuration(element)) throw new InvalidRequest(`Durations are not allowed inside sets: ${written}`);
    return { kind: 'set', element, frozen: ctx.frozen };
  }
  const key = elem(expr.key);
  if (referencesDuration(key)) throw new InvalidRequest(`Durations are not allowed as map keys: ${written}`);
  return { kind: 'map', key, value: elem(expr.value), frozen: ctx.frozen };
}

function resolveTuple(elements: TypeExpr[], scope: TypeScope, ctx: Ctx): CqlType {
  // Tuples are always frozen, and so is everything inside them.
  const inner: Ctx = { ...ctx, frozen: true, nested: true };
  const resolved = elements.map((e) => resolve(e, scope, inner));
  if (resolved.some((t) => t.kind === 'native' && t.name === 'counter')) {
    throw new InvalidRequest(`Counters are not allowed inside tuples: ${ctx.top}`);
  }
  return { kind: 'tuple', elements: resolved };
}

function resolveUdt(expr: Extract<TypeExpr, { kind: 'udt' }>, scope: TypeScope, ctx: Ctx): CqlType {
  const keyspace = expr.keyspace ?? scope.keyspace;
  if (keyspace !== scope.keyspace) {
    throw new InvalidRequest(`Statement on keyspace ${scope.keyspace} cannot refer to a user type in keyspace ${keyspace}; user types can only be used in the keyspace they are defined in`);
  }
  const udt = scope.lookupType(keyspace, expr.name);
  if (!udt) throw new InvalidRequest(`Unknown type ${keyspace}.${expr.name}`);
  if (ctx.nested && !ctx.frozen) {
    const where = ctx.place === 'udt_field' ? 'inside user types' : 'inside collections';
    throw new InvalidRequest(`Non-frozen UDTs are not allowed ${where}: ${ctx.top}`);
  }
  return { kind: 'udt', keyspace, name: udt.name, fieldNames: [...udt.fieldNames], fieldTypes: [...udt.fieldTypes], frozen: ctx.frozen };
}

/** True if the type is or contains duration (not allowed in primary keys, sets, map keys). */
export function referencesDuration(t: CqlType): boolean {
  return someType(t, (x) => x.kind === 'native' && x.name === 'duration');
}

export function referencesCounter(t: CqlType): boolean {
  return someType(t, (x) => x.kind === 'native' && x.name === 'counter');
}

/** True if the type is or contains the user type ks.name. */
export function referencesUserType(t: CqlType, keyspace: string, name: string): boolean {
  return someType(t, (x) => x.kind === 'udt' && x.keyspace === keyspace && x.name === name);
}

export function someType(t: CqlType, pred: (t: CqlType) => boolean): boolean {
  if (pred(t)) return true;
  switch (t.kind) {
    case 'native': case 'custom': return false;
    case 'list': case 'set': return someType(t.element, pred);
    case 'map': return someType(t.key, pred) || someType(t.value, pred);
    case 'tuple': return t.elements.some((e) => someType(e, pred));
    case 'udt': return t.fieldTypes.some((e) => someType(e, pred));
    default: return assertNever(t, 'type');
  }
}

/** Rewrites every occurrence of a user type inside t (used when ALTER TYPE changes its fields). */
export function replaceUserType(t: CqlType, udt: UserTypeMetadata): CqlType {
  switch (t.kind) {
    case 'native': case 'custom': return t;
    case 'list': return { ...t, element: replaceUserType(t.element, udt) };
    case 'set': return { ...t, element: replaceUserType(t.element, udt) };
    case 'map': return { ...t, key: replaceUserType(t.key, udt), value: replaceUserType(t.value, udt) };
    case 'tuple': return { ...t, elements: t.elements.map((e) => replaceUserType(e, udt)) };
    case 'udt': {
      const fieldTypes = t.fieldTypes.map((e) => replaceUserType(e, udt));
      if (t.keyspace === udt.keyspace && t.name === udt.name) {
        return { ...t, fieldNames: [...udt.fieldNames], fieldTypes: udt.fieldTypes.map((e) => replaceUserType(e, udt)) };
      }
      return { ...t, fieldTypes };
    }
    default: return assertNever(t, 'type');
  }
}

/** The written form of a type expression, for error messages. */
export function exprToCql(e: TypeExpr): string {
  switch (e.kind) {
    case 'native': return e.name;
    case 'custom': return `'${e.className}'`;
    case 'frozen': return `frozen<${exprToCql(e.inner)}>`;
    case 'list': return `list<${exprToCql(e.element)}>`;
    case 'set': return `set<${exprToCql(e.element)}>`;
    case 'map': return `map<${exprToCql(e.key)}, ${exprToCql(e.value)}>`;
    case 'tuple': return `tuple<${e.elements.map(exprToCql).join(', ')}>`;
    case 'udt': return e.keyspace ? `${e.keyspace}.${e.name}` : e.name;
    default: return assertNever(e, 'type expression');
  }
}

/** The type string as Cassandra writes it in system_schema.columns.type and types.field_types. */
export function schemaTypeString(t: CqlType): string {
  if (t.kind === 'udt') return t.frozen ? `frozen<${quoteIfNeeded(t.name)}>` : quoteIfNeeded(t.name);
  switch (t.kind) {
    case 'list': return wrap(`list<${schemaTypeString(t.element)}>`, t.frozen);
    case 'set': return wrap(`set<${schemaTypeString(t.element)}>`, t.frozen);
    case 'map': return wrap(`map<${schemaTypeString(t.key)}, ${schemaTypeString(t.value)}>`, t.frozen);
    case 'tuple': return `frozen<tuple<${t.elements.map(schemaTypeString).join(', ')}>>`;
    default: return typeToCql(t);
  }
}

function wrap(s: string, frozen: boolean): string {
  return frozen ? `frozen<${s}>` : s;
}

/** Quotes an identifier the way CQL needs it: unquoted only when lower-case [a-z][a-z0-9_]*. */
export function quoteIfNeeded(name: string): string {
  return /^[a-z][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

// ---- CQL type strings ------------------------------------------------------------------------

const NATIVE_SET: ReadonlySet<string> = new Set<string>([...NATIVE_TYPE_NAMES, 'varchar']);

/**
 * Parses a type string such as `frozen<map<text, frozen<list<int>>>>` into a TypeExpr.
 * User types are returned as udt references; resolve them with resolveType.
 */
export function parseTypeExpr(text: string): TypeExpr {
  const p = new TypeStringParser(text);
  const e = p.parseType();
  p.expectEnd();
  return e;
}

/** Parses a type string that names no user types (system table definitions) straight to a CqlType. */
export function parseNativeTypeString(text: string): CqlType {
  return resolveType(parseTypeExpr(text), { keyspace: '', lookupType: () => undefined }, 'column');
}

class TypeStringParser {
  private pos = 0;
  constructor(private readonly s: string) {}

  parseType(): TypeExpr {
    this.skipSpace();
    if (this.s[this.pos] === "'") return { kind: 'custom', className: this.quoted("'") };
    const quotedFirst = this.s[this.pos] === '"';
    const first = quotedFirst ? this.quoted('"') : this.ident();
    if (this.peek('.')) {
      this.pos++;
      this.skipSpace();
      const quotedSecond = this.s[this.pos] === '"';
      const second = quotedSecond ? this.quoted('"') : this.ident().toLowerCase();
      return { kind: 'udt', keyspace: quotedFirst ? first : first.toLowerCase(), name: second };
    }
    if (quotedFirst) return { kind: 'udt', name: first };
    const lower = first.toLowerCase();
    const generic = this.generic(lower);
    if (generic) return generic;
    if (NATIVE_SET.has(lower)) return { kind: 'native', name: (lower === 'varchar' ? 'text' : lower) as NativeTypeName };
    return { kind: 'udt', name: lower };
  }

  private generic(lower: string): TypeExpr | undefined {
    const args = (): TypeExpr[] => {
      this.expect('<');
      const out = [this.parseType()];
      while (this.peek(',')) { this.pos++; out.push(this.parseType()); }
      this.expect('>');
      return out;
    };
    const arity = (a: TypeExpr[], n: number): TypeExpr[] => {
      if (a.length !== n) throw new InvalidRequest(`${lower} takes ${n} type argument(s) in '${this.s}'`);
      return a;
    };
    switch (lower) {
      case 'frozen': return { kind: 'frozen', inner: arity(args(), 1)[0]! };
      case 'list': return { kind: 'list', element: arity(args(), 1)[0]! };
      case 'set': return { kind: 'set', element: arity(args(), 1)[0]! };
      case 'map': { const [key, value] = arity(args(), 2); return { kind: 'map', key: key!, value: value! }; }
      case 'tuple': return { kind: 'tuple', elements: args() };
      default: return undefined;
    }
  }

  private ident(): string {
    this.skipSpace();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.pos));
    if (!m) throw new InvalidRequest(`Invalid type string '${this.s}' at position ${this.pos}`);
    this.pos += m[0].length;
    return m[0];
  }

  private quoted(q: string): string {
    assert(this.s[this.pos] === q);
    let out = '';
    for (let i = this.pos + 1; i < this.s.length; i++) {
      if (this.s[i] === q) {
        if (this.s[i + 1] === q) { out += q; i++; continue; }
        this.pos = i + 1;
        return out;
      }
      out += this.s[i];
    }
    throw new InvalidRequest(`Unterminated quoted name in type string '${this.s}'`);
  }

  private peek(c: string): boolean {
    this.skipSpace();
    return this.s[this.pos] === c;
  }

  private expect(c: string): void {
    if (!this.peek(c)) throw new InvalidRequest(`Invalid type string '${this.s}': expected '${c}' at position ${this.pos}`);
    this.pos++;
  }

  expectEnd(): void {
    this.skipSpace();
    if (this.pos !== this.s.length) throw new InvalidRequest(`Invalid type string '${this.s}': unexpected '${this.s.slice(this.pos)}'`);
  }

  private skipSpace(): void {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos]!)) this.pos++;
  }
}
