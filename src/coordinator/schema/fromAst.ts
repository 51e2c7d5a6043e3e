// Translation of the parser's DDL statements (src/cql/ast.ts) into DdlStatement.

import { InvalidRequest } from '../../util/errors.js';
import { assertNever } from '../../util/assert.js';
import type * as ast from '../../cql/ast.js';
import type { AlterTableAction, AlterTypeAction, DdlStatement, OptionEntry, TypeExpr } from './ddl.js';

export type SchemaStatement =
  | ast.CreateKeyspaceStatement | ast.AlterKeyspaceStatement | ast.DropKeyspaceStatement
  | ast.CreateTableStatement | ast.AlterTableStatement | ast.DropTableStatement
  | ast.CreateTypeStatement | ast.AlterTypeStatement | ast.DropTypeStatement;

const SCHEMA_KINDS: ReadonlySet<string> = new Set([
  'create_keyspace', 'alter_keyspace', 'drop_keyspace', 'create_table', 'alter_table', 'drop_table',
  'create_type', 'alter_type', 'drop_type',
]);

/** True for the statements SchemaManager.execute handles. */
export function isSchemaStatement(stmt: ast.Statement): stmt is SchemaStatement {
  return SCHEMA_KINDS.has(stmt.kind);
}

export function typeFromAst(t: ast.TypeExpr): TypeExpr {
  const wrap = (e: TypeExpr, frozen: boolean): TypeExpr => (frozen ? { kind: 'frozen', inner: e } : e);
  switch (t.kind) {
    case 'native': return { kind: 'native', name: t.name };
    case 'custom': return { kind: 'custom', className: t.className };
    case 'list': return wrap({ kind: 'list', element: typeFromAst(t.element) }, t.frozen);
    case 'set': return wrap({ kind: 'set', element: typeFromAst(t.element) }, t.frozen);
    case 'map': return wrap({ kind: 'map', key: typeFromAst(t.key), value: typeFromAst(t.value) }, t.frozen);
    case 'tuple': return { kind: 'tuple', elements: t.elements.map(typeFromAst) };
    case 'udt_ref': return wrap(t.keyspace === undefined ? { kind: 'udt', name: t.name } : { kind: 'udt', keyspace: t.keyspace, name: t.name }, t.frozen);
    case 'vector': throw new InvalidRequest('The vector type is not supported (it is a Cassandra 5 feature)');
    default: return assertNever(t, 'type expression');
  }
}

function options(props: ast.Property[]): OptionEntry[] {
  return props.map((p) => ({ name: p.name, value: p.value.kind === 'constant' ? { kind: 'constant', literal: p.value.value } : { kind: 'map', entries: p.value.entries } }));
}

function columns(defs: ast.ColumnDefinition[]): { name: string; type: TypeExpr; isStatic: boolean }[] {
  return defs.map((d) => ({ name: d.name, type: typeFromAst(d.type), isStatic: d.isStatic }));
}

function timestampOf(l: ast.AlterTableAction & { kind: 'drop' }): number | undefined {
  if (!l.timestamp) return undefined;
  if (l.timestamp.kind !== 'integer') throw new InvalidRequest(`Invalid USING TIMESTAMP value ${l.timestamp.text}: expected an integer`);
  return Number(l.timestamp.text);
}

export function ddlFromAst(s: SchemaStatement): DdlStatement {
  switch (s.kind) {
    case 'create_keyspace': return { kind: 'create_keyspace', name: s.keyspace, ifNotExists: s.ifNotExists, options: options(s.properties) };
    case 'alter_keyspace': return { kind: 'alter_keyspace', name: s.keyspace, ifExists: s.ifExists, options: options(s.properties) };
    case 'drop_keyspace': return { kind: 'drop_keyspace', name: s.keyspace, ifExists: s.ifExists };
    case 'create_table': return {
      kind: 'create_table', table: s.table, ifNotExists: s.ifNotExists, columns: columns(s.columns),
      partitionKey: s.primaryKey.partitionKey, clustering: s.primaryKey.clustering,
      clusteringOrder: s.clusteringOrder.map((o) => ({ column: o.column, order: o.order === 'DESC' ? 'desc' : 'asc' })),
      compactStorage: false, options: options(s.properties),
    };
    case 'alter_table': return { kind: 'alter_table', table: s.table, ifExists: s.ifExists, action: alterTableAction(s.action) };
    case 'drop_table': return { kind: 'drop_table', table: s.table, ifExists: s.ifExists };
    case 'create_type': return {
      kind: 'create_type', type: s.name, ifNotExists: s.ifNotExists,
      fields: s.fields.map((f) => ({ name: f.name, type: typeFromAst(f.type) })),
    };
    case 'alter_type': return { kind: 'alter_type', type: s.name, ifExists: s.ifExists, action: alterTypeAction(s.action) };
    case 'drop_type': return { kind: 'drop_type', type: s.name, ifExists: s.ifExists };
    default: return assertNever(s, 'schema statement');
  }
}

function alterTableAction(a: ast.AlterTableAction): AlterTableAction {
  switch (a.kind) {
    case 'add': return { kind: 'add', columns: columns(a.columns), ifNotExists: a.ifNotExists };
    case 'drop': {
      const ts = timestampOf(a);
      return ts === undefined ? { kind: 'drop', columns: a.columns, ifExists: a.ifExists } : { kind: 'drop', columns: a.columns, ifExists: a.ifExists, timestampMicros: ts };
    }
    case 'rename': return { kind: 'rename', renames: a.renames, ifExists: a.ifExists };
    case 'alter_column_type': return { kind: 'alter_type', column: a.column, type: typeFromAst(a.type) };
    case 'with': return { kind: 'with', options: options(a.properties) };
    default: return assertNever(a, 'ALTER TABLE action');
  }
}

function alterTypeAction(a: ast.AlterTypeAction): AlterTypeAction {
  switch (a.kind) {
    case 'add': return { kind: 'add', field: a.field, type: typeFromAst(a.type), ifNotExists: a.ifNotExists };
    case 'rename': return { kind: 'rename', renames: a.renames, ifExists: a.ifExists };
    case 'alter_field_type': return { kind: 'alter_type', field: a.field, type: typeFromAst(a.type) };
    default: return assertNever(a, 'ALTER TYPE action');
  }
}
