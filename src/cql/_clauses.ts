// Clauses shared by several statements: selectors, WHERE relations, IF conditions, USING,
// properties (WITH a = b AND ...), PRIMARY KEY and CLUSTERING ORDER.

import type {
  CompareOp, Condition, ConditionTarget, InValues, Ordering, PrimaryKey, Property,
  PropertyValue, Relation, SelectItem, Selection, Selector, Term, UsingClause,
} from './ast.js';
import { ADDITIVE_OPS, Cursor, literal, MULTIPLICATIVE_OPS, parseBinaryChain } from './_cursor.js';
import {
  foldNegation, isBindAt, isFunctionCallAt, isTypeHintAt, isUnreservedWord, parseBind, parseConstant, parseFunctionName,
  parseIntValue, parseSimpleTerm, parseTerm, parseType,
} from './_terms.js';

// ---------------------------------------------------------------------------------------------
// Selectors

export function parseSelection(p: Cursor): Selection {
  if (p.acceptPunct('*')) return { kind: 'wildcard' };
  const items: SelectItem[] = [];
  do items.push(parseSelectItem(p)); while (p.acceptPunct(','));
  return { kind: 'items', items };
}

function parseSelectItem(p: Cursor): SelectItem {
  const start = p.peek().start;
  const selector = parseSelector(p);
  if (p.acceptKw('as')) {
    const alias = p.ident('alias');
    return { selector, alias, span: p.spanFrom(start) };
  }
  return { selector, span: p.spanFrom(start) };
}

export function parseSelector(p: Cursor): Selector {
  p.enter();
  const selector = parseBinaryChain(p, ADDITIVE_OPS, parseSelectorProduct);
  p.leave();
  return selector;
}

function parseSelectorProduct(p: Cursor): Selector {
  return parseBinaryChain(p, MULTIPLICATIVE_OPS, parseSelectorUnary);
}

function parseSelectorUnary(p: Cursor): Selector {
  if (!p.isPunct('-')) return parseSelectorPostfix(p);
  const start = p.next().start;
  p.enter();
  const operand = parseSelectorUnary(p);
  p.leave();
  const span = p.spanFrom(start);
  if (operand.kind === 'term') {
    // Fold the sign into a constant as the term grammar does.
    const term: Term = { kind: 'negate', operand: operand.term, span };
    return { kind: 'term', term: foldNegation(term), span };
  }
  return { kind: 'negate', operand, span };
}

function parseSelectorPostfix(p: Cursor): Selector {
  const start = p.peek().start;
  let sel = parseSelectorPrimary(p);
  while (true) {
    if (p.acceptPunct('[')) {
      sel = parseElementOrSlice(p, sel, start);
    } else if (p.isPunct('.') && p.isIdent(1)) {
      p.next();
      sel = { kind: 'field', selector: sel, field: p.ident('field name'), span: p.spanFrom(start) };
    } else {
      return sel;
    }
  }
}

function parseElementOrSlice(p: Cursor, selector: Selector, start: number): Selector {
  if (p.acceptPunct('..')) {
    if (p.acceptPunct(']')) throw p.noViable(p.tokens[p.pos - 1]);
    const to = parseTerm(p);
    p.expectPunct(']');
    return { kind: 'slice', selector, to, span: p.spanFrom(start) };
  }
  const key = parseTerm(p);
  if (p.acceptPunct('..')) {
    if (p.acceptPunct(']')) return { kind: 'slice', selector, from: key, span: p.spanFrom(start) };
    const to = parseTerm(p);
    p.expectPunct(']');
    return { kind: 'slice', selector, from: key, to, span: p.spanFrom(start) };
  }
  p.expectPunct(']');
  return { kind: 'element', selector, key, span: p.spanFrom(start) };
}

function parseSelectorPrimary(p: Cursor): Selector {
  const start = p.peek().start;
  if (isFunctionCallAt(p)) return parseSelectorCall(p);
  if (p.isIdent()) return { kind: 'column', name: p.next().value, span: p.spanFrom(start) };
  if (p.isPunct('(') && !isTypeHintAt(p)) {
    p.next();
    const inner = parseSelector(p);
    p.expectPunct(')');
    return inner;
  }
  const term = parseSimpleTerm(p);
  return { kind: 'term', term, span: p.spanFrom(start) };
}

function parseSelectorCall(p: Cursor): Selector {
  const start = p.peek().start;
  const fn = parseFunctionName(p);
  p.expectPunct('(');
  if (fn.keyspace === undefined) {
    const special = parseSpecialCall(p, fn.name, start);
    if (special !== undefined) return special;
  }
  const args: Selector[] = [];
  if (!p.isPunct(')')) {
    do args.push(parseSelector(p)); while (p.acceptPunct(','));
  }
  p.expectPunct(')');
  const span = p.spanFrom(start);
  return fn.keyspace === undefined
    ? { kind: 'function_call', name: fn.name, args, span }
    : { kind: 'function_call', keyspace: fn.keyspace, name: fn.name, args, span };
}

/** COUNT(*), COUNT(1), WRITETIME(x), MAXWRITETIME(x), TTL(x), CAST(x AS type); undefined otherwise. */
function parseSpecialCall(p: Cursor, name: string, start: number): Selector | undefined {
  switch (name) {
    case 'count': {
      const arg = p.peek();
      const isStar = arg.type === 'punct' && arg.value === '*';
      const isOne = arg.type === 'integer';
      if (!(isStar || isOne) || !p.isPunct(')', 1)) return undefined;
      if (isOne && arg.value !== '1') throw p.errorAt(arg, `Only COUNT(1) is supported, got COUNT(${arg.value})`);
      p.next();
      p.expectPunct(')');
      return { kind: 'count_rows', span: p.spanFrom(start) };
    }
    case 'writetime': case 'maxwritetime': case 'ttl': {
      const selector = parseSelector(p);
      p.expectPunct(')');
      return { kind: name, selector, span: p.spanFrom(start) };
    }
    case 'cast': {
      const selector = parseSelector(p);
      p.expectKw('as');
      const type = parseType(p);
      p.expectPunct(')');
      return { kind: 'cast', selector, type, span: p.spanFrom(start) };
    }
    default: return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// WHERE

/** `rel (AND rel)*`. */
export function parseWhere(p: Cursor): Relation[] {
  const relations: Relation[] = [];
  do relations.push(parseRelation(p)); while (p.acceptKw('and'));
  return relations;
}

const COMPARE_OPS: ReadonlySet<string> = new Set(['=', '!=', '<', '<=', '>', '>=']);

function acceptCompareOp(p: Cursor): CompareOp | undefined {
  const t = p.peek();
  if (t.type !== 'punct' || !COMPARE_OPS.has(t.value)) return undefined;
  p.next();
  return t.value as CompareOp;
}

function expectCompareOp(p: Cursor): CompareOp {
  const op = acceptCompareOp(p);
  if (op === undefined) throw p.noViable();
  return op;
}

function parseRelation(p: Cursor): Relation {
  const start = p.peek().start;
  if (p.isKw('token') && p.isPunct('(', 1)) {
    p.next();
    const columns = parseColumnList(p);
    const op = expectCompareOp(p);
    const value = parseTerm(p);
    return { kind: 'token', columns, op, value, span: p.spanFrom(start) };
  }
  if (p.isPunct('(')) return parseMultiColumnRelation(p, start);
  const column = p.ident('column name');
  if (p.acceptPunct('[')) {
    const key = parseTerm(p);
    p.expectPunct(']');
    const op = expectCompareOp(p);
    const value = parseTerm(p);
    return { kind: 'element_compare', column, key, op, value, span: p.spanFrom(start) };
  }
  return parseSingleColumnTail(p, column, start);
}

function parseSingleColumnTail(p: Cursor, column: string, start: number): Relation {
  const op = acceptCompareOp(p);
  if (op !== undefined) return { kind: 'compare', column, op, value: parseTerm(p), span: p.spanFrom(start) };
  if (p.acceptKw('in')) return { kind: 'in', column, values: parseInValues(p), span: p.spanFrom(start) };
  if (p.acceptKw('contains')) {
    if (p.acceptKw('key')) return { kind: 'contains_key', column, value: parseTerm(p), span: p.spanFrom(start) };
    return { kind: 'contains', column, value: parseTerm(p), span: p.spanFrom(start) };
  }
  if (p.acceptKw('like')) return { kind: 'like', column, value: parseTerm(p), span: p.spanFrom(start) };
  if (p.acceptKw('is')) {
    p.expectKw('not');
    p.expectKw('null');
    return { kind: 'is_not_null', column, span: p.spanFrom(start) };
  }
  throw p.noViable();
}

function parseMultiColumnRelation(p: Cursor, start: number): Relation {
  const columns = parseColumnList(p);
  if (p.acceptKw('in')) return { kind: 'multi_in', columns, values: parseInValues(p), span: p.spanFrom(start) };
  const op = expectCompareOp(p);
  const value = parseTerm(p);
  return { kind: 'multi_compare', columns, op, value, span: p.spanFrom(start) };
}

/** `(a, b, ...)` of identifiers. */
export function parseColumnList(p: Cursor): string[] {
  p.expectPunct('(');
  const columns: string[] = [];
  do columns.push(p.ident('column name')); while (p.acceptPunct(','));
  p.expectPunct(')');
  return columns;
}

/** After IN: `(t, ...)`, `()` or a single marker. */
function parseInValues(p: Cursor): InValues {
  if (isBindAt(p)) return { kind: 'marker', marker: parseBind(p) };
  p.expectPunct('(');
  const terms: Term[] = [];
  if (!p.isPunct(')')) {
    do terms.push(parseTerm(p)); while (p.acceptPunct(','));
  }
  p.expectPunct(')');
  return { kind: 'terms', terms };
}

// ---------------------------------------------------------------------------------------------
// IF conditions

/** After IF: `cond (AND cond)*`. */
export function parseConditions(p: Cursor): Condition[] {
  const conditions: Condition[] = [];
  do conditions.push(parseCondition(p)); while (p.acceptKw('and'));
  return conditions;
}

function parseCondition(p: Cursor): Condition {
  const start = p.peek().start;
  const target = parseConditionTarget(p);
  const op = acceptCompareOp(p);
  if (op !== undefined) return { kind: 'compare', target, op, value: parseTerm(p), span: p.spanFrom(start) };
  if (p.acceptKw('in')) return { kind: 'in', target, values: parseInValues(p), span: p.spanFrom(start) };
  if (p.acceptKw('contains')) {
    if (p.acceptKw('key')) return { kind: 'contains_key', target, value: parseTerm(p), span: p.spanFrom(start) };
    return { kind: 'contains', target, value: parseTerm(p), span: p.spanFrom(start) };
  }
  throw p.noViable();
}

function parseConditionTarget(p: Cursor): ConditionTarget {
  const column = p.ident('column name');
  if (p.acceptPunct('[')) {
    const key = parseTerm(p);
    p.expectPunct(']');
    return { kind: 'element', column, key };
  }
  if (p.acceptPunct('.')) return { kind: 'field', column, field: p.ident('field name') };
  return { kind: 'column', column };
}

// ---------------------------------------------------------------------------------------------
// USING TTL / TIMESTAMP

/** After USING: `TTL v | TIMESTAMP v (AND ...)*`; `allowTtl` false for DELETE and BATCH. */
export function parseUsing(p: Cursor, allowTtl: boolean): UsingClause {
  const using: UsingClause = {};
  do {
    const t = p.peek();
    if (allowTtl && p.acceptKw('ttl')) {
      if (using.ttl !== undefined) throw p.errorAt(t, 'TTL specified more than once');
      using.ttl = parseIntValue(p);
    } else if (p.acceptKw('timestamp')) {
      if (using.timestamp !== undefined) throw p.errorAt(t, 'TIMESTAMP specified more than once');
      using.timestamp = parseIntValue(p);
    } else {
      throw p.mismatch(allowTtl ? 'TTL or TIMESTAMP' : 'TIMESTAMP');
    }
  } while (p.acceptKw('and'));
  return using;
}

// ---------------------------------------------------------------------------------------------
// WITH properties, PRIMARY KEY, CLUSTERING ORDER

export interface TableOptionsClause {
  properties: Property[];
  clusteringOrder: Ordering[];
}

/** After WITH for tables and views: properties plus CLUSTERING ORDER BY; rejects COMPACT STORAGE. */
export function parseTableOptions(p: Cursor): TableOptionsClause {
  const out: TableOptionsClause = { properties: [], clusteringOrder: [] };
  do {
    if (p.isKw('clustering') && p.isKw('order', 1)) {
      p.next(); p.next();
      p.expectKw('by');
      out.clusteringOrder.push(...parseOrderingList(p));
    } else if (p.isKw('compact') && p.isKw('storage', 1)) {
      throw p.errorAt(p.peek(), 'Compact tables are not allowed in Cassandra starting with 4.0 version (COMPACT STORAGE is not supported)');
    } else {
      out.properties.push(parseProperty(p));
    }
  } while (p.acceptKw('and'));
  return out;
}

function parseOrderingList(p: Cursor): Ordering[] {
  p.expectPunct('(');
  const list: Ordering[] = [];
  do {
    const column = p.ident('column name');
    list.push({ column, order: parseOrder(p) });
  } while (p.acceptPunct(','));
  p.expectPunct(')');
  return list;
}

/** Optional ASC / DESC, ASC when absent. */
export function parseOrder(p: Cursor): 'ASC' | 'DESC' {
  if (p.acceptKw('desc')) return 'DESC';
  p.acceptKw('asc');
  return 'ASC';
}

/** `prop (AND prop)*`. */
export function parseProperties(p: Cursor): Property[] {
  const properties: Property[] = [];
  do properties.push(parseProperty(p)); while (p.acceptKw('and'));
  return properties;
}

function parseProperty(p: Cursor): Property {
  const start = p.peek().start;
  const name = p.ident('property name');
  p.expectPunct('=');
  const value = parsePropertyValue(p);
  return { name, value, span: p.spanFrom(start) };
}

function parsePropertyValue(p: Cursor): PropertyValue {
  if (p.isPunct('{')) return { kind: 'map', entries: parseConstantMap(p) };
  if (isUnreservedWord(p) && !p.isPunct('(', 1)) return { kind: 'constant', value: literal('string', p.next().value) };
  return { kind: 'constant', value: parseConstant(p) };
}

/** `{ const : const, ... }` (may be empty). */
export function parseConstantMap(p: Cursor): { key: ReturnType<typeof parseConstant>; value: ReturnType<typeof parseConstant> }[] {
  p.expectPunct('{');
  const entries: { key: ReturnType<typeof parseConstant>; value: ReturnType<typeof parseConstant> }[] = [];
  if (!p.isPunct('}')) {
    do {
      const key = parseConstant(p);
      p.expectPunct(':');
      entries.push({ key, value: parseConstant(p) });
    } while (p.acceptPunct(','));
  }
  p.expectPunct('}');
  return entries;
}

/** `PRIMARY KEY` already consumed: `( (a, b), c, d )` or `( a, c )`. */
export function parsePrimaryKeyClause(p: Cursor): PrimaryKey {
  p.expectPunct('(');
  let partitionKey: string[];
  if (p.isPunct('(')) {
    partitionKey = parseColumnList(p);
  } else {
    partitionKey = [p.ident('column name')];
  }
  const clustering: string[] = [];
  while (p.acceptPunct(',')) clustering.push(p.ident('column name'));
  p.expectPunct(')');
  return { partitionKey, clustering };
}
