// SELECT, INSERT, UPDATE, DELETE and BATCH. Each parseX starts at the statement's first keyword
// and returns the node without its StatementBase fields (parser.ts adds span and markers).

import type {
  Assignment, BatchStatement, BatchType, DeleteStatement, DeleteTarget, IfClause, InsertStatement,
  InsertValues, ModificationStatement, Ordering, SelectStatement, Term, UpdateStatement, UsingClause,
} from './ast.js';
import { Cursor } from './_cursor.js';
import { parseConditions, parseOrder, parseSelection, parseUsing, parseWhere } from './_clauses.js';
import { isBareColumn, isBindAt, parseBind, parseIntValue, parseTerm } from './_terms.js';

export type Body<S> = S extends unknown ? Omit<S, 'span' | 'bindMarkers'> : never;

export function parseSelect(p: Cursor): Body<SelectStatement> {
  p.expectKw('select');
  const json = p.isKw('json') && !isSelectorEnd(p, 1) ? (p.next(), true) : false;
  const distinct = p.isKw('distinct') && !isSelectorEnd(p, 1) ? (p.next(), true) : false;
  const selection = parseSelection(p);
  p.expectKw('from');
  const table = p.qualifiedName('table name');
  const where = p.acceptKw('where') ? parseWhere(p) : [];
  const groupBy: string[] = [];
  if (p.isKw('group') && p.isKw('by', 1)) {
    p.next(); p.next();
    do groupBy.push(p.ident('column name')); while (p.acceptPunct(','));
  }
  const orderBy: Ordering[] = [];
  if (p.acceptKw('order')) {
    p.expectKw('by');
    do {
      const column = p.ident('column name');
      orderBy.push({ column, order: parseOrder(p) });
    } while (p.acceptPunct(','));
  }
  let perPartitionLimit: Term | undefined;
  if (p.isKw('per') && p.isKw('partition', 1)) {
    p.next(); p.next();
    p.expectKw('limit');
    perPartitionLimit = parseIntValue(p);
  }
  const limit = p.acceptKw('limit') ? parseIntValue(p) : undefined;
  let allowFiltering = false;
  if (p.acceptKw('allow')) {
    p.expectKw('filtering');
    allowFiltering = true;
  }
  const out: Body<SelectStatement> = { kind: 'select', json, distinct, table, selection, where, groupBy, orderBy, allowFiltering };
  if (perPartitionLimit !== undefined) out.perPartitionLimit = perPartitionLimit;
  if (limit !== undefined) out.limit = limit;
  return out;
}

/** `SELECT json FROM`, `SELECT distinct, x`, `SELECT json AS j`: the word is a column, not a modifier. */
function isSelectorEnd(p: Cursor, ahead: number): boolean {
  return p.isKw('from', ahead) || p.isPunct(',', ahead) || p.isKw('as', ahead) || p.isPunct('[', ahead)
    || p.isPunct('.', ahead);
}

export function parseInsert(p: Cursor): Body<InsertStatement> {
  p.expectKw('insert');
  p.expectKw('into');
  const table = p.qualifiedName('table name');
  let values: InsertValues;
  if (p.acceptKw('json')) {
    values = parseJsonValues(p);
  } else {
    values = parseValuesClause(p);
  }
  const ifNotExists = p.acceptIfNotExists();
  const using: UsingClause = p.acceptKw('using') ? parseUsing(p, true) : {};
  return { kind: 'insert', table, values, ifNotExists, using };
}

function parseJsonValues(p: Cursor): InsertValues {
  let json: Term;
  if (isBindAt(p)) {
    json = parseBind(p);
  } else {
    const t = p.peek();
    p.stringValue('STRING_LITERAL');
    json = { kind: 'literal', value: { kind: 'string', text: t.value }, span: { start: t.start, end: t.end } };
  }
  let defaultUnset = false;
  if (p.acceptKw('default')) {
    if (p.acceptKw('unset')) defaultUnset = true;
    else if (!p.acceptKw('null')) throw p.mismatch('NULL or UNSET');
  }
  return { kind: 'json', json, defaultUnset };
}

function parseValuesClause(p: Cursor): InsertValues {
  p.expectPunct('(');
  const columns: string[] = [];
  do columns.push(p.ident('column name')); while (p.acceptPunct(','));
  p.expectPunct(')');
  p.expectKw('values');
  const open = p.expectPunct('(');
  const values: Term[] = [];
  do values.push(parseTerm(p)); while (p.acceptPunct(','));
  p.expectPunct(')');
  if (values.length !== columns.length) {
    throw p.errorAt(open, `Unmatched column names/values: ${columns.length} column(s) but ${values.length} value(s)`);
  }
  return { kind: 'values', columns, values };
}

export function parseUpdate(p: Cursor): Body<UpdateStatement> {
  p.expectKw('update');
  const table = p.qualifiedName('table name');
  const using: UsingClause = p.acceptKw('using') ? parseUsing(p, true) : {};
  p.expectKw('set');
  const assignments: Assignment[] = [];
  do assignments.push(parseAssignment(p)); while (p.acceptPunct(','));
  p.expectKw('where');
  const where = parseWhere(p);
  const ifClause = parseIfClause(p);
  return { kind: 'update', table, using, assignments, where, ifClause };
}

function parseAssignment(p: Cursor): Assignment {
  const start = p.peek().start;
  const column = p.ident('column name');
  if (p.acceptPunct('[')) {
    const key = parseTerm(p);
    p.expectPunct(']');
    p.expectPunct('=');
    return { kind: 'set_element', column, key, value: parseTerm(p), span: p.spanFrom(start) };
  }
  if (p.acceptPunct('.')) {
    const field = p.ident('field name');
    p.expectPunct('=');
    return { kind: 'set_field', column, field, value: parseTerm(p), span: p.spanFrom(start) };
  }
  if (p.acceptPunct('+=')) return { kind: 'add', column, value: parseTerm(p), span: p.spanFrom(start) };
  if (p.acceptPunct('-=')) return { kind: 'subtract', column, value: parseTerm(p), span: p.spanFrom(start) };
  p.expectPunct('=');
  if (isBareColumn(p)) return parseSelfReference(p, column, start);
  const value = parseTerm(p);
  if (p.acceptPunct('+')) {
    expectSameColumn(p, column, 'Only expressions of the form X = <value> + X are supported.');
    return { kind: 'prepend', column, value, span: p.spanFrom(start) };
  }
  return { kind: 'set', column, value, span: p.spanFrom(start) };
}

/** `c = c + t` / `c = c - t`. */
function parseSelfReference(p: Cursor, column: string, start: number): Assignment {
  expectSameColumn(p, column, 'Only expressions of the form X = X +/- <value> are supported.');
  if (p.acceptPunct('+')) return { kind: 'add', column, value: parseTerm(p), span: p.spanFrom(start) };
  if (p.acceptPunct('-')) return { kind: 'subtract', column, value: parseTerm(p), span: p.spanFrom(start) };
  throw p.mismatch("'+' or '-'");
}

function expectSameColumn(p: Cursor, column: string, message: string): void {
  const t = p.peek();
  const other = p.ident('column name');
  if (other !== column) throw p.errorAt(t, message);
}

function parseIfClause(p: Cursor): IfClause {
  if (!p.acceptKw('if')) return { kind: 'none' };
  if (p.acceptKw('exists')) return { kind: 'exists' };
  return { kind: 'conditions', conditions: parseConditions(p) };
}

export function parseDelete(p: Cursor): Body<DeleteStatement> {
  p.expectKw('delete');
  const targets: DeleteTarget[] = [];
  if (!p.isKw('from')) {
    do targets.push(parseDeleteTarget(p)); while (p.acceptPunct(','));
  }
  p.expectKw('from');
  const table = p.qualifiedName('table name');
  const using: UsingClause = p.acceptKw('using') ? parseUsing(p, false) : {};
  p.expectKw('where');
  const where = parseWhere(p);
  const ifClause = parseIfClause(p);
  return { kind: 'delete', targets, table, using, where, ifClause };
}

function parseDeleteTarget(p: Cursor): DeleteTarget {
  const start = p.peek().start;
  const column = p.ident('column name');
  if (p.acceptPunct('[')) {
    const key = parseTerm(p);
    p.expectPunct(']');
    return { kind: 'element', column, key, span: p.spanFrom(start) };
  }
  if (p.acceptPunct('.')) return { kind: 'field', column, field: p.ident('field name'), span: p.spanFrom(start) };
  return { kind: 'column', column, span: p.spanFrom(start) };
}

/** Largest number of statements inside one BATCH text. */
export const BATCH_STATEMENTS_MAX = 65_535;

export function parseBatch(p: Cursor, wrap: (start: number, firstBind: number, body: Body<ModificationStatement>) => ModificationStatement): Body<BatchStatement> {
  p.expectKw('begin');
  let batchType: BatchType = 'logged';
  if (p.acceptKw('unlogged')) batchType = 'unlogged';
  else if (p.acceptKw('counter')) batchType = 'counter';
  p.expectKw('batch');
  const using: UsingClause = p.acceptKw('using') ? parseUsing(p, false) : {};
  const statements: ModificationStatement[] = [];
  while (!p.isKw('apply')) {
    if (statements.length >= BATCH_STATEMENTS_MAX) throw p.errorAt(p.peek(), `more than ${BATCH_STATEMENTS_MAX} statements in a batch`);
    const start = p.peek().start;
    const firstBind = p.binds.length;
    statements.push(wrap(start, firstBind, parseBatchChild(p)));
    p.acceptPunct(';');
  }
  p.expectKw('apply');
  p.expectKw('batch');
  return { kind: 'batch', batchType, using, statements };
}

function parseBatchChild(p: Cursor): Body<ModificationStatement> {
  if (p.isKw('insert')) return parseInsert(p);
  if (p.isKw('update')) return parseUpdate(p);
  if (p.isKw('delete')) return parseDelete(p);
  throw p.mismatch('INSERT, UPDATE, DELETE or APPLY BATCH');
}
