// Schema statements: keyspaces, tables, types, indexes, materialized views, functions, aggregates,
// USE and TRUNCATE. Entry points start after the leading CREATE / ALTER / DROP keyword (parser.ts
// dispatches on the following word).

import type {
  AlterKeyspaceStatement, AlterMaterializedViewStatement, AlterTableAction, AlterTableStatement,
  AlterTypeAction, AlterTypeStatement, ColumnDefinition, CreateAggregateStatement, CreateFunctionStatement,
  CreateIndexStatement, CreateKeyspaceStatement, CreateMaterializedViewStatement, CreateTableStatement,
  CreateTypeStatement, FieldDefinition, FunctionArgument, IndexTarget, PrimaryKey, Rename, Term, TypeExpr,
} from './ast.js';
import { Cursor } from './_cursor.js';
import type { Body } from './_dml.js';
import {
  parseColumnList, parsePrimaryKeyClause, parseProperties, parseSelection, parseTableOptions, parseWhere,
} from './_clauses.js';
import { parseConstant, parseTerm, parseType } from './_terms.js';

/** Most columns accepted in one CREATE TABLE / ALTER TABLE ADD, and fields in one CREATE TYPE. */
export const COLUMN_DEFINITIONS_MAX = 10_000;

// ---------------------------------------------------------------------------------------------
// Keyspaces

export function parseCreateKeyspace(p: Cursor): Body<CreateKeyspaceStatement> {
  acceptKeyspaceWord(p);
  const ifNotExists = p.acceptIfNotExists();
  const keyspace = p.ident('keyspace name');
  p.expectKw('with');
  return { kind: 'create_keyspace', ifNotExists, keyspace, properties: parseProperties(p) };
}

export function parseAlterKeyspace(p: Cursor): Body<AlterKeyspaceStatement> {
  acceptKeyspaceWord(p);
  const ifExists = p.acceptIfExists();
  const keyspace = p.ident('keyspace name');
  p.expectKw('with');
  return { kind: 'alter_keyspace', ifExists, keyspace, properties: parseProperties(p) };
}

/** KEYSPACE or its old synonym SCHEMA. */
export function acceptKeyspaceWord(p: Cursor): void {
  if (!p.acceptKw('keyspace') && !p.acceptKw('schema')) throw p.mismatch('KEYSPACE');
}

// ---------------------------------------------------------------------------------------------
// Tables

/** TABLE or its old synonym COLUMNFAMILY. */
export function acceptTableWord(p: Cursor): void {
  if (!p.acceptKw('table') && !p.acceptKw('columnfamily')) throw p.mismatch('TABLE');
}

export function parseCreateTable(p: Cursor): Body<CreateTableStatement> {
  acceptTableWord(p);
  const ifNotExists = p.acceptIfNotExists();
  const table = p.qualifiedName('table name');
  const open = p.expectPunct('(');
  const columns: ColumnDefinition[] = [];
  let primaryKey: PrimaryKey | undefined;
  do {
    if (p.isPunct(')')) break; // trailing comma
    if (columns.length >= COLUMN_DEFINITIONS_MAX) throw p.errorAt(p.peek(), `more than ${COLUMN_DEFINITIONS_MAX} columns`);
    const pkTok = p.peek();
    if (p.isKw('primary')) {
      p.next();
      p.expectKw('key');
      if (primaryKey !== undefined) throw p.errorAt(pkTok, 'Multiple PRIMARY KEYs specified (exactly one required)');
      primaryKey = parsePrimaryKeyClause(p);
      continue;
    }
    const def = parseColumnDefinition(p);
    columns.push(def);
    if (p.isKw('primary')) {
      const inlineTok = p.next();
      p.expectKw('key');
      if (primaryKey !== undefined) throw p.errorAt(inlineTok, 'Multiple PRIMARY KEYs specified (exactly one required)');
      primaryKey = { partitionKey: [def.name], clustering: [] };
    }
  } while (p.acceptPunct(','));
  p.expectPunct(')');
  if (primaryKey === undefined) throw p.errorAt(open, `No PRIMARY KEY specifed for table '${table.name}' (exactly one required)`);
  const options = p.acceptKw('with') ? parseTableOptions(p) : { properties: [], clusteringOrder: [] };
  return { kind: 'create_table', ifNotExists, table, columns, primaryKey, ...options };
}

function parseColumnDefinition(p: Cursor): ColumnDefinition {
  const start = p.peek().start;
  const name = p.ident('column name');
  const type = parseType(p);
  const isStatic = p.acceptKw('static');
  return { name, type, isStatic, span: p.spanFrom(start) };
}

export function parseAlterTable(p: Cursor): Body<AlterTableStatement> {
  acceptTableWord(p);
  const ifExists = p.acceptIfExists();
  const table = p.qualifiedName('table name');
  return { kind: 'alter_table', ifExists, table, action: parseAlterTableAction(p) };
}

function parseAlterTableAction(p: Cursor): AlterTableAction {
  if (p.acceptKw('add')) {
    const ifNotExists = p.acceptIfNotExists();
    const columns: ColumnDefinition[] = [];
    if (p.acceptPunct('(')) {
      do columns.push(parseColumnDefinition(p)); while (p.acceptPunct(','));
      p.expectPunct(')');
    } else {
      columns.push(parseColumnDefinition(p));
    }
    return { kind: 'add', ifNotExists, columns };
  }
  if (p.acceptKw('drop')) {
    if (p.isKw('compact') && p.isKw('storage', 1)) {
      throw p.errorAt(p.peek(), 'DROP COMPACT STORAGE is not supported: compact tables do not exist here');
    }
    const ifExists = p.acceptIfExists();
    const columns = p.isPunct('(') ? parseColumnList(p) : [p.ident('column name')];
    if (!p.acceptKw('using')) return { kind: 'drop', ifExists, columns };
    p.expectKw('timestamp');
    const ts = parseConstant(p);
    if (ts.kind !== 'integer') throw p.errorAt(p.tokens[p.pos - 1]!, 'USING TIMESTAMP expects an integer');
    return { kind: 'drop', ifExists, columns, timestamp: ts };
  }
  if (p.acceptKw('rename')) {
    const ifExists = p.acceptIfExists();
    return { kind: 'rename', ifExists, renames: parseRenames(p) };
  }
  if (p.acceptKw('alter')) {
    const column = p.ident('column name');
    p.expectKw('type');
    return { kind: 'alter_column_type', column, type: parseType(p) };
  }
  if (p.acceptKw('with')) return { kind: 'with', properties: parseTableOptions(p).properties };
  throw p.mismatch('ADD, DROP, RENAME, ALTER or WITH');
}

/** `a TO b (AND c TO d)*`. */
function parseRenames(p: Cursor): Rename[] {
  const renames: Rename[] = [];
  do {
    const from = p.ident('column name');
    p.expectKw('to');
    renames.push({ from, to: p.ident('column name') });
  } while (p.acceptKw('and'));
  return renames;
}

// ---------------------------------------------------------------------------------------------
// Types

export function parseCreateType(p: Cursor): Body<CreateTypeStatement> {
  p.expectKw('type');
  const ifNotExists = p.acceptIfNotExists();
  const name = p.qualifiedName('type name');
  p.expectPunct('(');
  const fields: FieldDefinition[] = [];
  do {
    if (p.isPunct(')')) break;
    if (fields.length >= COLUMN_DEFINITIONS_MAX) throw p.errorAt(p.peek(), `more than ${COLUMN_DEFINITIONS_MAX} fields`);
    const field = p.ident('field name');
    fields.push({ name: field, type: parseType(p) });
  } while (p.acceptPunct(','));
  p.expectPunct(')');
  return { kind: 'create_type', ifNotExists, name, fields };
}

export function parseAlterType(p: Cursor): Body<AlterTypeStatement> {
  p.expectKw('type');
  const ifExists = p.acceptIfExists();
  const name = p.qualifiedName('type name');
  return { kind: 'alter_type', ifExists, name, action: parseAlterTypeAction(p) };
}

function parseAlterTypeAction(p: Cursor): AlterTypeAction {
  if (p.acceptKw('add')) {
    const ifNotExists = p.acceptIfNotExists();
    const field = p.ident('field name');
    return { kind: 'add', ifNotExists, field, type: parseType(p) };
  }
  if (p.acceptKw('rename')) {
    const ifExists = p.acceptIfExists();
    return { kind: 'rename', ifExists, renames: parseRenames(p) };
  }
  if (p.acceptKw('alter')) {
    const field = p.ident('field name');
    p.expectKw('type');
    return { kind: 'alter_field_type', field, type: parseType(p) };
  }
  throw p.mismatch('ADD, RENAME or ALTER');
}

// ---------------------------------------------------------------------------------------------
// Indexes and views

/** After CREATE: `[CUSTOM] INDEX [IF NOT EXISTS] [name] ON t (target, ...) [USING 'cls'] [WITH ...]`. */
export function parseCreateIndex(p: Cursor): Body<CreateIndexStatement> {
  const custom = p.acceptKw('custom');
  p.expectKw('index');
  const ifNotExists = p.acceptIfNotExists();
  const name = p.isIdent() ? p.ident('index name') : undefined;
  p.expectKw('on');
  const table = p.qualifiedName('table name');
  p.expectPunct('(');
  const targets: IndexTarget[] = [];
  if (!p.isPunct(')')) {
    do targets.push(parseIndexTarget(p)); while (p.acceptPunct(','));
  }
  p.expectPunct(')');
  let customClass: string | undefined;
  if (p.acceptKw('using')) customClass = p.stringValue('index class name');
  else if (custom) throw p.mismatch('USING');
  const properties = p.acceptKw('with') ? parseProperties(p) : [];
  const out: Body<CreateIndexStatement> = { kind: 'create_index', ifNotExists, table, targets, properties };
  if (name !== undefined) out.name = name;
  if (customClass !== undefined) out.customClass = customClass;
  return out;
}

function parseIndexTarget(p: Cursor): IndexTarget {
  for (const kind of ['values', 'keys', 'entries', 'full'] as const) {
    if (p.isKw(kind) && p.isPunct('(', 1)) {
      p.next(); p.next();
      const column = p.ident('column name');
      p.expectPunct(')');
      return { kind, column };
    }
  }
  return { kind: 'simple', column: p.ident('column name') };
}

/** After CREATE MATERIALIZED VIEW. */
export function parseCreateMaterializedView(p: Cursor): Body<CreateMaterializedViewStatement> {
  const ifNotExists = p.acceptIfNotExists();
  const name = p.qualifiedName('view name');
  p.expectKw('as');
  p.expectKw('select');
  const selection = parseSelection(p);
  p.expectKw('from');
  const baseTable = p.qualifiedName('table name');
  const where = p.acceptKw('where') ? parseWhere(p) : [];
  p.expectKw('primary');
  p.expectKw('key');
  const primaryKey = parsePrimaryKeyClause(p);
  const options = p.acceptKw('with') ? parseTableOptions(p) : { properties: [], clusteringOrder: [] };
  return { kind: 'create_materialized_view', ifNotExists, name, selection, baseTable, where, primaryKey, ...options };
}

/** After ALTER MATERIALIZED VIEW. */
export function parseAlterMaterializedView(p: Cursor): Body<AlterMaterializedViewStatement> {
  const ifExists = p.acceptIfExists();
  const name = p.qualifiedName('view name');
  p.expectKw('with');
  return { kind: 'alter_materialized_view', ifExists, name, properties: parseTableOptions(p).properties };
}

// ---------------------------------------------------------------------------------------------
// Functions and aggregates

/** After CREATE [OR REPLACE] FUNCTION. */
export function parseCreateFunction(p: Cursor, orReplace: boolean): Body<CreateFunctionStatement> {
  const ifNotExists = p.acceptIfNotExists();
  const name = parseFunctionQualifiedName(p);
  p.expectPunct('(');
  const args: FunctionArgument[] = [];
  if (!p.isPunct(')')) {
    do {
      const argName = p.ident('argument name');
      args.push({ name: argName, type: parseType(p) });
    } while (p.acceptPunct(','));
  }
  p.expectPunct(')');
  const calledOnNullInput = parseNullInputClause(p);
  p.expectKw('returns');
  const returnType = parseType(p);
  const deterministic = p.acceptKw('deterministic');
  const monotonicOn: string[] = [];
  const monotonic = p.acceptKw('monotonic');
  if (monotonic && p.acceptKw('on')) {
    do monotonicOn.push(p.ident('argument name')); while (p.acceptPunct(','));
  }
  p.expectKw('language');
  const language = p.ident('language');
  p.expectKw('as');
  const body = p.stringValue('function body');
  return {
    kind: 'create_function', orReplace, ifNotExists, name, args, calledOnNullInput, returnType, language, body,
    deterministic, monotonic: monotonic && monotonicOn.length === 0, monotonicOn,
  };
}

function parseNullInputClause(p: Cursor): boolean {
  let called: boolean;
  if (p.acceptKw('called')) {
    called = true;
  } else if (p.acceptKw('returns')) {
    p.expectKw('null');
    called = false;
  } else {
    throw p.mismatch('CALLED or RETURNS NULL');
  }
  p.expectKw('on');
  p.expectKw('null');
  p.expectKw('input');
  return called;
}

/** Function names may be unreserved words (and `token`). */
export function parseFunctionQualifiedName(p: Cursor): { keyspace?: string; name: string } {
  const first = p.ident('function name');
  if (!p.acceptPunct('.')) return { name: first };
  return { keyspace: first, name: p.ident('function name') };
}

/** `( type, ... )`. */
export function parseTypeList(p: Cursor): TypeExpr[] {
  p.expectPunct('(');
  const types: TypeExpr[] = [];
  if (!p.isPunct(')')) {
    do types.push(parseType(p)); while (p.acceptPunct(','));
  }
  p.expectPunct(')');
  return types;
}

/** After CREATE [OR REPLACE] AGGREGATE. */
export function parseCreateAggregate(p: Cursor, orReplace: boolean): Body<CreateAggregateStatement> {
  const ifNotExists = p.acceptIfNotExists();
  const name = parseFunctionQualifiedName(p);
  const argTypes = parseTypeList(p);
  p.expectKw('sfunc');
  const stateFunction = p.ident('function name');
  p.expectKw('stype');
  const stateType = parseType(p);
  let finalFunction: string | undefined;
  if (p.acceptKw('finalfunc')) finalFunction = p.ident('function name');
  let initCond: Term | undefined;
  if (p.acceptKw('initcond')) initCond = parseTerm(p);
  const deterministic = p.acceptKw('deterministic');
  const out: Body<CreateAggregateStatement> = {
    kind: 'create_aggregate', orReplace, ifNotExists, name, argTypes, stateFunction, stateType, deterministic,
  };
  if (finalFunction !== undefined) out.finalFunction = finalFunction;
  if (initCond !== undefined) out.initCond = initCond;
  return out;
}
