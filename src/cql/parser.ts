// Entry points of the CQL parser: a hand-written recursive-descent parser over the token array
// from lexer.ts. Grammar pieces live in _terms.ts (terms, types), _clauses.ts (selectors, WHERE,
// IF, USING, WITH), _dml.ts, _ddl.ts and _auth.ts. Every failure is a CqlSyntaxError.

import type {
  DropAggregateStatement, DropFunctionStatement, ModificationStatement, Statement, TypeExpr,
} from './ast.js';
import { Cursor } from './_cursor.js';
import { parseCreateRole, parseAlterRole, parseCreateUser, parseAlterUser, parseGrant, parseRevoke, parseList } from './_auth.js';
import {
  acceptKeyspaceWord, acceptTableWord, parseAlterKeyspace, parseAlterMaterializedView, parseAlterTable,
  parseAlterType, parseCreateAggregate, parseCreateFunction, parseCreateIndex, parseCreateKeyspace,
  parseCreateMaterializedView, parseCreateTable, parseCreateType, parseFunctionQualifiedName, parseTypeList,
} from './_ddl.js';
import { type Body, parseBatch, parseDelete, parseInsert, parseSelect, parseUpdate } from './_dml.js';
import { parseType } from './_terms.js';

export { APPENDIX_A_RESERVED_KEYWORDS, CQL_NESTING_DEPTH_MAX, RESERVED_KEYWORDS } from './_cursor.js';
export { CQL_TEXT_LENGTH_MAX } from './lexer.js';
export { BATCH_STATEMENTS_MAX } from './_dml.js';

/** Most statements accepted in one script by parseStatements. */
export const SCRIPT_STATEMENTS_MAX = 100_000;

/** Parses exactly one statement (an optional trailing ';' is allowed). Throws CqlSyntaxError. */
export function parseStatement(cql: string): Statement {
  const p = new Cursor(cql);
  const statement = parseOne(p);
  p.acceptPunct(';');
  if (!p.atEof()) throw p.mismatch('EOF');
  return statement;
}

export interface ScriptStatement {
  statement: Statement;
  /** The statement's own text (without the ';'). */
  text: string;
}

/**
 * Parses a ';'-separated script (empty statements are skipped). Bind markers are numbered per
 * statement; spans are offsets into `text`. Throws CqlSyntaxError at the first bad statement.
 */
export function parseStatements(text: string): ScriptStatement[] {
  const p = new Cursor(text);
  const out: ScriptStatement[] = [];
  while (true) {
    while (p.acceptPunct(';'));
    if (p.atEof()) return out;
    if (out.length >= SCRIPT_STATEMENTS_MAX) throw p.errorAt(p.peek(), `more than ${SCRIPT_STATEMENTS_MAX} statements in one script`);
    p.binds.length = 0;
    const statement = parseOne(p);
    out.push({ statement, text: text.slice(statement.span.start, statement.span.end) });
    if (!p.atEof() && !p.isPunct(';')) throw p.mismatch("';'");
  }
}

/** Parses a type as CQL or system_schema writes it, e.g. `frozen<map<text, "MyType">>`. */
export function parseTypeString(s: string): TypeExpr {
  const p = new Cursor(s);
  const type = parseType(p);
  if (!p.atEof()) throw p.mismatch('EOF');
  return type;
}

function parseOne(p: Cursor): Statement {
  const start = p.peek().start;
  const firstBind = p.binds.length;
  const body = parseBody(p);
  return finish(p, body, start, firstBind);
}

/** Completes a freshly built body in place (a spread copy cost a third of the parse time). */
function finish<S extends Statement>(p: Cursor, body: Body<S>, start: number, firstBind: number): S {
  const statement = body as Body<S> & { span?: S['span']; bindMarkers?: S['bindMarkers'] };
  statement.span = p.spanFrom(start);
  statement.bindMarkers = p.binds.length === firstBind ? [] : p.binds.slice(firstBind);
  return statement as S;
}

function parseBody(p: Cursor): Body<Statement> {
  const t = p.peek();
  if (t.type !== 'ident') throw p.noViable();
  switch (t.value) {
    case 'select': return parseSelect(p);
    case 'insert': return parseInsert(p);
    case 'update': return parseUpdate(p);
    case 'delete': return parseDelete(p);
    case 'begin':
      return parseBatch(p, (start, firstBind, body) => finish<ModificationStatement>(p, body as Body<ModificationStatement>, start, firstBind));
    case 'use': p.next(); return { kind: 'use', keyspace: p.ident('keyspace name') };
    case 'truncate':
      p.next();
      if (p.isKw('table') || p.isKw('columnfamily')) acceptTableWord(p);
      return { kind: 'truncate', table: p.qualifiedName('table name') };
    case 'create': p.next(); return parseCreate(p);
    case 'alter': p.next(); return parseAlter(p);
    case 'drop': p.next(); return parseDrop(p);
    case 'grant': p.next(); return parseGrant(p);
    case 'revoke': p.next(); return parseRevoke(p);
    case 'list': p.next(); return parseList(p);
    default: throw p.noViable();
  }
}

function parseCreate(p: Cursor): Body<Statement> {
  let orReplace = false;
  if (p.acceptKw('or')) {
    p.expectKw('replace');
    orReplace = true;
    if (!p.isKw('function') && !p.isKw('aggregate')) throw p.mismatch('FUNCTION or AGGREGATE');
  }
  const t = p.peek();
  switch (t.type === 'ident' ? t.value : '') {
    case 'keyspace': case 'schema': return parseCreateKeyspace(p);
    case 'table': case 'columnfamily': return parseCreateTable(p);
    case 'type': return parseCreateType(p);
    case 'index': case 'custom': return parseCreateIndex(p);
    case 'materialized': p.next(); p.expectKw('view'); return parseCreateMaterializedView(p);
    case 'function': p.next(); return parseCreateFunction(p, orReplace);
    case 'aggregate': p.next(); return parseCreateAggregate(p, orReplace);
    case 'role': return parseCreateRole(p);
    case 'user': return parseCreateUser(p);
    default: throw p.noViable();
  }
}

function parseAlter(p: Cursor): Body<Statement> {
  const t = p.peek();
  switch (t.type === 'ident' ? t.value : '') {
    case 'keyspace': case 'schema': return parseAlterKeyspace(p);
    case 'table': case 'columnfamily': return parseAlterTable(p);
    case 'type': return parseAlterType(p);
    case 'materialized': p.next(); p.expectKw('view'); return parseAlterMaterializedView(p);
    case 'role': return parseAlterRole(p);
    case 'user': return parseAlterUser(p);
    default: throw p.noViable();
  }
}

function parseDrop(p: Cursor): Body<Statement> {
  const t = p.peek();
  switch (t.type === 'ident' ? t.value : '') {
    case 'keyspace': case 'schema': {
      acceptKeyspaceWord(p);
      const ifExists = p.acceptIfExists();
      return { kind: 'drop_keyspace', ifExists, keyspace: p.ident('keyspace name') };
    }
    case 'table': case 'columnfamily': {
      acceptTableWord(p);
      const ifExists = p.acceptIfExists();
      return { kind: 'drop_table', ifExists, table: p.qualifiedName('table name') };
    }
    case 'type': {
      p.next();
      const ifExists = p.acceptIfExists();
      return { kind: 'drop_type', ifExists, name: p.qualifiedName('type name') };
    }
    case 'index': {
      p.next();
      const ifExists = p.acceptIfExists();
      return { kind: 'drop_index', ifExists, name: p.qualifiedName('index name') };
    }
    case 'materialized': {
      p.next(); p.expectKw('view');
      const ifExists = p.acceptIfExists();
      return { kind: 'drop_materialized_view', ifExists, name: p.qualifiedName('view name') };
    }
    case 'function': case 'aggregate': return parseDropFunctionLike(p);
    case 'role': { p.next(); const ifExists = p.acceptIfExists(); return { kind: 'drop_role', ifExists, role: roleName(p) }; }
    case 'user': { p.next(); const ifExists = p.acceptIfExists(); return { kind: 'drop_user', ifExists, user: roleName(p) }; }
    default: throw p.noViable();
  }
}

function roleName(p: Cursor): string {
  return p.peek().type === 'string' ? p.next().value : p.ident('role name');
}

function parseDropFunctionLike(p: Cursor): Body<DropFunctionStatement> | Body<DropAggregateStatement> {
  const kind = p.next().value === 'function' ? 'drop_function' : 'drop_aggregate';
  const ifExists = p.acceptIfExists();
  const name = parseFunctionQualifiedName(p);
  if (!p.isPunct('(')) return { kind, ifExists, name };
  return { kind, ifExists, name, argTypes: parseTypeList(p) };
}
