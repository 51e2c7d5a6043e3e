// Grammar for the pieces statements share: terms (values), types, and the integer values of
// LIMIT / USING. Precedence: `* / %` bind tighter than `+ -`; unary minus tighter still; a type
// hint `(type) x` applies to one simple term, as in Cassandra.

import type { Literal } from '../schema/literal.js';
import type { NativeTypeName } from '../schema/types.js';
import type { BindMarker, MapEntry, Term, TypeExpr, UdtFieldValue } from './ast.js';
import { ADDITIVE_OPS, Cursor, literal, MULTIPLICATIVE_OPS, parseBinaryChain, RESERVED_KEYWORDS } from './_cursor.js';

const NATIVE_TYPES: ReadonlyMap<string, NativeTypeName> = new Map<string, NativeTypeName>([
  ['ascii', 'ascii'], ['bigint', 'bigint'], ['blob', 'blob'], ['boolean', 'boolean'], ['counter', 'counter'],
  ['date', 'date'], ['decimal', 'decimal'], ['double', 'double'], ['duration', 'duration'], ['float', 'float'],
  ['inet', 'inet'], ['int', 'int'], ['smallint', 'smallint'], ['text', 'text'], ['varchar', 'text'],
  ['time', 'time'], ['timestamp', 'timestamp'], ['timeuuid', 'timeuuid'], ['tinyint', 'tinyint'],
  ['uuid', 'uuid'], ['varint', 'varint'],
]);

/**
 * A full term with arithmetic. Stops before `+ name` / `- name` where name is a bare column (so
 * UPDATE can read `c = t + c`); always safe, as a bare identifier is never a term.
 */
export function parseTerm(p: Cursor): Term {
  p.enter();
  const term = parseBinaryChain(p, ADDITIVE_OPS, parseMultiplicative, (q) => isBareColumn(q, 1));
  p.leave();
  return term;
}

function parseMultiplicative(p: Cursor): Term {
  return parseBinaryChain(p, MULTIPLICATIVE_OPS, parseUnary);
}

function parseUnary(p: Cursor): Term {
  if (!p.isPunct('-')) return parseSimpleTerm(p);
  const start = p.next().start;
  p.enter();
  const operand = parseUnary(p);
  p.leave();
  return foldNegation({ kind: 'negate', operand, span: p.spanFrom(start) });
}

/** `-literal` becomes a signed literal for integers, floats and durations; other terms stay negated. */
export function foldNegation(term: Term & { kind: 'negate' }): Term {
  const operand = term.operand;
  if (operand.kind === 'literal') {
    const folded = negateLiteral(operand.value);
    if (folded !== undefined) return { kind: 'literal', value: folded, span: term.span };
  }
  return term;
}

function negateLiteral(value: Literal): Literal | undefined {
  if (value.kind !== 'integer' && value.kind !== 'float' && value.kind !== 'duration') return undefined;
  if (value.text.startsWith('-')) return undefined;
  if (value.text === 'NaN') return value;
  return literal(value.kind, '-' + value.text);
}

/** True when the token `ahead` is an identifier that does not start a function call. */
export function isBareColumn(p: Cursor, ahead = 0): boolean {
  if (!p.isIdent(ahead)) return false;
  return !isFunctionCallAt(p, ahead);
}

/** `name(` or `ks.name(` at `ahead` (name may also be the reserved `token`). */
export function isFunctionCallAt(p: Cursor, ahead = 0): boolean {
  if (!(p.isIdent(ahead) || p.isKw('token', ahead))) return false;
  if (p.isPunct('(', ahead + 1)) return true;
  return p.isPunct('.', ahead + 1) && p.isIdent(ahead + 2) && p.isPunct('(', ahead + 3);
}

/** A constant, NULL, marker, collection/tuple/UDT literal, function call or type hint. */
export function parseSimpleTerm(p: Cursor): Term {
  const t = p.peek();
  const start = t.start;
  switch (t.type) {
    case 'string': p.next(); return lit(p, 'string', t.value, start);
    case 'integer': p.next(); return lit(p, 'integer', t.value, start);
    case 'float': p.next(); return lit(p, 'float', t.value, start);
    case 'uuid': p.next(); return lit(p, 'uuid', t.value, start);
    case 'hex': p.next(); return lit(p, 'hex', t.value, start);
    case 'duration': p.next(); return lit(p, 'duration', t.value, start);
    case 'ident': return parseWordTerm(p);
    case 'qident':
      if (isFunctionCallAt(p)) return parseFunctionCallTerm(p);
      throw p.noViable();
    case 'punct': return parsePunctTerm(p);
    case 'eof': throw p.noViable();
  }
}

function lit(p: Cursor, kind: Literal['kind'], text: string, start: number): Term {
  return { kind: 'literal', value: literal(kind, text), span: p.spanFrom(start) };
}

function parseWordTerm(p: Cursor): Term {
  const t = p.peek();
  const start = t.start;
  switch (t.value) {
    case 'true': case 'false': p.next(); return lit(p, 'boolean', t.value, start);
    case 'nan': p.next(); return lit(p, 'float', 'NaN', start);
    case 'infinity': p.next(); return lit(p, 'float', 'Infinity', start);
    case 'null': p.next(); return { kind: 'null', span: p.spanFrom(start) };
    default:
      if (isFunctionCallAt(p)) return parseFunctionCallTerm(p);
      throw p.noViable();
  }
}

function parsePunctTerm(p: Cursor): Term {
  const t = p.peek();
  switch (t.value) {
    case '?': p.next(); return p.newBind(t.start);
    case ':': return parseNamedBind(p);
    case '[': return parseListLiteral(p);
    case '{': return parseBraceLiteral(p);
    case '(': return isTypeHintAt(p) ? parseTypeHint(p) : parseTupleLiteral(p);
    default: throw p.noViable();
  }
}

/** `?` or `:name` at the cursor. */
export function isBindAt(p: Cursor): boolean {
  return p.isPunct('?') || p.isPunct(':');
}

export function parseBind(p: Cursor): BindMarker {
  const t = p.peek();
  if (p.acceptPunct('?')) return p.newBind(t.start);
  if (p.isPunct(':')) return parseNamedBind(p);
  throw p.mismatch("'?'");
}

function parseNamedBind(p: Cursor): BindMarker {
  const start = p.expectPunct(':').start;
  const name = p.ident();
  return p.newBind(start, name);
}

function parseFunctionCallTerm(p: Cursor): Term {
  const start = p.peek().start;
  const { keyspace, name } = parseFunctionName(p);
  p.expectPunct('(');
  const args: Term[] = [];
  if (!p.isPunct(')')) {
    do args.push(parseTerm(p)); while (p.acceptPunct(','));
  }
  p.expectPunct(')');
  const span = p.spanFrom(start);
  return keyspace === undefined ? { kind: 'function_call', name, args, span } : { kind: 'function_call', keyspace, name, args, span };
}

/** `name` or `ks.name`, where name may be `token`. */
export function parseFunctionName(p: Cursor): { keyspace?: string; name: string } {
  if (p.isKw('token')) return { name: p.next().value };
  const first = p.ident('function name');
  if (!p.acceptPunct('.')) return { name: first };
  if (p.isKw('token')) return { keyspace: first, name: p.next().value };
  return { keyspace: first, name: p.ident('function name') };
}

function parseListLiteral(p: Cursor): Term {
  const start = p.expectPunct('[').start;
  const elements: Term[] = [];
  if (!p.isPunct(']')) {
    do elements.push(parseTerm(p)); while (p.acceptPunct(','));
  }
  p.expectPunct(']');
  return { kind: 'list', elements, span: p.spanFrom(start) };
}

function parseBraceLiteral(p: Cursor): Term {
  const start = p.expectPunct('{').start;
  if (p.acceptPunct('}')) return { kind: 'empty_braces', span: p.spanFrom(start) };
  if (p.isIdent() && p.isPunct(':', 1)) return parseUdtLiteral(p, start);
  const first = parseTerm(p);
  if (p.acceptPunct(':')) {
    const entries: MapEntry[] = [{ key: first, value: parseTerm(p) }];
    while (p.acceptPunct(',')) {
      const key = parseTerm(p);
      p.expectPunct(':');
      entries.push({ key, value: parseTerm(p) });
    }
    p.expectPunct('}');
    return { kind: 'map', entries, span: p.spanFrom(start) };
  }
  const elements: Term[] = [first];
  while (p.acceptPunct(',')) elements.push(parseTerm(p));
  p.expectPunct('}');
  return { kind: 'set', elements, span: p.spanFrom(start) };
}

function parseUdtLiteral(p: Cursor, start: number): Term {
  const fields: UdtFieldValue[] = [];
  do {
    const field = p.ident('field name');
    p.expectPunct(':');
    fields.push({ field, value: parseTerm(p) });
  } while (p.acceptPunct(','));
  p.expectPunct('}');
  return { kind: 'udt', fields, span: p.spanFrom(start) };
}

function parseTupleLiteral(p: Cursor): Term {
  const start = p.expectPunct('(').start;
  const elements: Term[] = [];
  do elements.push(parseTerm(p)); while (p.acceptPunct(','));
  p.expectPunct(')');
  return { kind: 'tuple', elements, span: p.spanFrom(start) };
}

/**
 * After `(`: a type followed by `)`. A bare identifier is never a term, so `(name)`, `(ks.name)`
 * and `(name<` always start a type hint; `(f(` is a function call inside a tuple.
 */
export function isTypeHintAt(p: Cursor): boolean {
  if (!p.isPunct('(')) return false;
  // ('custom.Class') term is a hint; ('a') alone is a one-element tuple.
  if (p.peek(1).type === 'string') return p.isPunct(')', 2) && isTermStart(p, 3);
  if (!p.isIdent(1)) return false;
  if (p.isPunct(')', 2) || p.isPunct('<', 2)) return true;
  return p.isPunct('.', 2) && p.isIdent(3) && p.isPunct(')', 4);
}

const TERM_START_TYPES: ReadonlySet<string> = new Set(['string', 'integer', 'float', 'uuid', 'hex', 'duration']);
const TERM_START_PUNCT: ReadonlySet<string> = new Set(['?', ':', '[', '{', '(', '-']);
const TERM_START_WORDS: ReadonlySet<string> = new Set(['true', 'false', 'null', 'nan', 'infinity']);

/** True when the token `ahead` can start a term. */
export function isTermStart(p: Cursor, ahead: number): boolean {
  const t = p.peek(ahead);
  if (TERM_START_TYPES.has(t.type)) return true;
  if (t.type === 'punct') return TERM_START_PUNCT.has(t.value);
  if (t.type === 'ident' && TERM_START_WORDS.has(t.value)) return true;
  return isFunctionCallAt(p, ahead);
}

function parseTypeHint(p: Cursor): Term {
  const start = p.expectPunct('(').start;
  const type = parseType(p);
  p.expectPunct(')');
  p.enter();
  const term = parseUnary(p);
  p.leave();
  return { kind: 'cast', type, term, span: p.spanFrom(start) };
}

// ---------------------------------------------------------------------------------------------
// Types

/** A CQL type: native, collection, tuple, vector, frozen<...>, 'custom class' or [ks.]udt. */
export function parseType(p: Cursor): TypeExpr {
  p.enter();
  const t = parseTypeInner(p);
  p.leave();
  return t;
}

function parseTypeInner(p: Cursor): TypeExpr {
  const t = p.peek();
  if (t.type === 'string') {
    p.next();
    return { kind: 'custom', className: t.value };
  }
  if (t.type === 'ident' && p.isPunct('<', 1)) {
    const generic = parseGenericType(p);
    if (generic !== undefined) return generic;
  }
  if (t.type === 'ident') {
    const native = NATIVE_TYPES.get(t.value);
    if (native !== undefined) {
      p.next();
      return { kind: 'native', name: native };
    }
  }
  if (!p.isIdent()) throw p.mismatch('a type');
  const name = p.qualifiedName('a type');
  return name.keyspace === undefined
    ? { kind: 'udt_ref', name: name.name, frozen: false }
    : { kind: 'udt_ref', keyspace: name.keyspace, name: name.name, frozen: false };
}

function parseGenericType(p: Cursor): TypeExpr | undefined {
  const word = p.peek().value;
  switch (word) {
    case 'list': case 'set': {
      p.next(); p.expectPunct('<');
      const element = parseType(p);
      p.expectPunct('>');
      return { kind: word, element, frozen: false };
    }
    case 'map': {
      p.next(); p.expectPunct('<');
      const key = parseType(p);
      p.expectPunct(',');
      const value = parseType(p);
      p.expectPunct('>');
      return { kind: 'map', key, value, frozen: false };
    }
    case 'tuple': {
      p.next(); p.expectPunct('<');
      const elements: TypeExpr[] = [];
      do elements.push(parseType(p)); while (p.acceptPunct(','));
      p.expectPunct('>');
      return { kind: 'tuple', elements, frozen: true };
    }
    case 'vector': return parseVectorType(p);
    case 'frozen': return parseFrozenType(p);
    default: return undefined;
  }
}

function parseVectorType(p: Cursor): TypeExpr {
  p.next(); p.expectPunct('<');
  const element = parseType(p);
  p.expectPunct(',');
  const dim = p.peek();
  if (dim.type !== 'integer') throw p.mismatch('INTEGER');
  p.next();
  const dimension = Number(dim.value);
  if (!(dimension > 0 && dimension <= VECTOR_DIMENSION_MAX)) {
    throw p.errorAt(dim, `vector dimension must be between 1 and ${VECTOR_DIMENSION_MAX}, got ${dim.value}`);
  }
  p.expectPunct('>');
  return { kind: 'vector', element, dimension };
}

/** Cassandra caps vectors far higher; this bound keeps a typo from allocating gigabytes. */
export const VECTOR_DIMENSION_MAX = 1 << 16;

function parseFrozenType(p: Cursor): TypeExpr {
  const frozenTok = p.next();
  p.expectPunct('<');
  const inner = parseType(p);
  p.expectPunct('>');
  switch (inner.kind) {
    case 'list': case 'set': case 'map': case 'tuple': case 'udt_ref':
      return { ...inner, frozen: true };
    case 'native': case 'vector': case 'custom':
      throw p.errorAt(frozenTok, 'frozen<> is only allowed on collections, tuples, and user-defined types');
  }
}

// ---------------------------------------------------------------------------------------------
// Small shared values

/** LIMIT / TTL / TIMESTAMP value: an integer constant (optionally negative) or a bind marker. */
export function parseIntValue(p: Cursor): Term {
  if (isBindAt(p)) return parseBind(p);
  const start = p.peek().start;
  const negative = p.acceptPunct('-');
  const t = p.peek();
  if (t.type !== 'integer') throw p.mismatch('INTEGER');
  p.next();
  return lit(p, 'integer', negative ? '-' + t.value : t.value, start);
}

/** A constant for properties and role options: string, number, boolean, uuid, blob, duration. */
export function parseConstant(p: Cursor): Literal {
  const start = p.peek().start;
  const term = parseUnary(p);
  if (term.kind === 'literal') return term.value;
  throw p.errorAt(tokenAtOffset(p, start), `expected a constant at input '${p.source.slice(start, p.lastEnd())}'`);
}

function tokenAtOffset(p: Cursor, offset: number) {
  for (let i = p.pos; i >= 0; i--) {
    const t = p.tokens[i];
    if (t !== undefined && t.start === offset) return t;
  }
  return p.peek();
}

/** True when the current token is a word that is not reserved (usable as an unquoted value). */
export function isUnreservedWord(p: Cursor): boolean {
  const t = p.peek();
  return t.type === 'ident' && !RESERVED_KEYWORDS.has(t.value);
}
