// The typed syntax tree the CQL parser produces. Pure data: no schema lookups happen at parse time.
//
// Conventions
// - Every union is discriminated on `kind`; switch on it and end with assertNever.
// - Names (keyspaces, tables, columns, fields, roles...) are already normalized: unquoted identifiers
//   are lower-cased, quoted identifiers keep their case with `""` unescaped to `"`.
// - `Span` offsets are UTF-16 indexes into the text given to the parser (end exclusive). Every
//   statement, term, selector and relation keeps one so later errors can point at the source.
// - Constants are `Literal` (src/schema/literal.ts). A leading minus on a number/duration literal is
//   folded into the literal (`-1` and `- 1` both give {kind:'integer', text:'-1'}).
// - Bind markers are numbered 0,1,2... in order of appearance across the whole statement (a BATCH
//   numbers across its inner statements). Named markers (`:name`) get an index too; each occurrence
//   of a name is its own marker, as in Cassandra.
// - Types are `TypeExpr`, not `CqlType`: a user-defined type is only a name (`udt_ref`) here. The
//   executor resolves a TypeExpr to a CqlType with `udt_ref.keyspace ?? <statement keyspace ??
//   session keyspace>` and looks the UDT up in schema (see resolve notes on TypeExpr).

import type { Literal } from '../schema/literal.js';
import type { NativeTypeName } from '../schema/types.js';

/** Offsets into the parsed source text, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

/** `ks.name` or `name`. keyspace is undefined when the statement did not name one. */
export interface QualifiedName {
  keyspace?: string;
  name: string;
}

// ---------------------------------------------------------------------------------------------
// Types

/**
 * A type as written in CQL. Resolution to CqlType (executor's job):
 * - native/list/set/map/tuple/custom map 1:1 (tuples are always frozen in CqlType).
 * - udt_ref → look up keyspace (or the statement's/session's keyspace) and name; CQL requires a
 *   UDT used inside a collection or tuple to be frozen; a top-level non-frozen UDT column is allowed.
 * - vector → Cassandra 5 `vector<float, 3>`; reject if unsupported.
 * `frozen<...>` sets `frozen: true` on the wrapped collection/udt_ref/tuple.
 */
export type TypeExpr =
  | { kind: 'native'; name: NativeTypeName }
  | { kind: 'list'; element: TypeExpr; frozen: boolean }
  | { kind: 'set'; element: TypeExpr; frozen: boolean }
  | { kind: 'map'; key: TypeExpr; value: TypeExpr; frozen: boolean }
  | { kind: 'tuple'; elements: TypeExpr[]; frozen: boolean }
  | { kind: 'vector'; element: TypeExpr; dimension: number }
  | { kind: 'udt_ref'; keyspace?: string; name: string; frozen: boolean }
  /** A quoted Java class name, e.g. 'org.apache.cassandra.db.marshal.DynamicCompositeType'. */
  | { kind: 'custom'; className: string };

// ---------------------------------------------------------------------------------------------
// Terms (values)

export interface BindMarker {
  kind: 'bind';
  /** 0-based position among all markers of the statement. */
  index: number;
  /** Set for `:name` markers (normalized like an identifier). */
  name?: string;
  span: Span;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';

export type Term =
  | { kind: 'literal'; value: Literal; span: Span }
  | { kind: 'null'; span: Span }
  /** The `UNSET` keyword is not a CQL term; unset values only come through bound values. */
  | BindMarker
  /** `[a, b]`: a list, or a vector when the receiver is a vector. */
  | { kind: 'list'; elements: Term[]; span: Span }
  /** `{a, b}` (at least one element). */
  | { kind: 'set'; elements: Term[]; span: Span }
  /** `{k: v, ...}` where the first key is not a bare identifier (at least one entry). */
  | { kind: 'map'; entries: MapEntry[]; span: Span }
  /** `{}`: an empty set, empty map or (for UDT receivers) a UDT with all fields null. */
  | { kind: 'empty_braces'; span: Span }
  /** `(a, b, ...)`; as in Cassandra, `(a)` is a one-element tuple (receivers may unwrap it). */
  | { kind: 'tuple'; elements: Term[]; span: Span }
  /** `{field: term, ...}`: keys are identifiers (quoted or not). */
  | { kind: 'udt'; fields: UdtFieldValue[]; span: Span }
  | { kind: 'function_call'; keyspace?: string; name: string; args: Term[]; span: Span }
  /** Type hint `(type) term`. */
  | { kind: 'cast'; type: TypeExpr; term: Term; span: Span }
  | { kind: 'binary'; op: ArithmeticOp; left: Term; right: Term; span: Span }
  /** Unary minus on anything but a numeric/duration literal (those fold into the literal). */
  | { kind: 'negate'; operand: Term; span: Span };

export interface MapEntry {
  key: Term;
  value: Term;
}

export interface UdtFieldValue {
  field: string;
  value: Term;
}

// ---------------------------------------------------------------------------------------------
// SELECT

export type Selector =
  | { kind: 'column'; name: string; span: Span }
  /** A constant or other term used as a selector (Cassandra 4+), e.g. `SELECT 1, (int)? FROM t`. */
  | { kind: 'term'; term: Term; span: Span }
  /** COUNT(*) and COUNT(1). */
  | { kind: 'count_rows'; span: Span }
  | { kind: 'function_call'; keyspace?: string; name: string; args: Selector[]; span: Span }
  | { kind: 'writetime'; selector: Selector; span: Span }
  | { kind: 'maxwritetime'; selector: Selector; span: Span }
  | { kind: 'ttl'; selector: Selector; span: Span }
  /** CAST(x AS type). */
  | { kind: 'cast'; selector: Selector; type: TypeExpr; span: Span }
  /** `m['k']`, `l[1]`. */
  | { kind: 'element'; selector: Selector; key: Term; span: Span }
  /** `s[1..3]`, `s[..3]`, `s[1..]`. */
  | { kind: 'slice'; selector: Selector; from?: Term; to?: Term; span: Span }
  /** `udt.f`. */
  | { kind: 'field'; selector: Selector; field: string; span: Span }
  | { kind: 'binary'; op: ArithmeticOp; left: Selector; right: Selector; span: Span }
  | { kind: 'negate'; operand: Selector; span: Span };

export interface SelectItem {
  selector: Selector;
  alias?: string;
  span: Span;
}

export type Selection = { kind: 'wildcard' } | { kind: 'items'; items: SelectItem[] };

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** Values of an IN: either a parenthesized list `(a, b)` or one marker bound to a whole list `IN ?`. */
export type InValues =
  | { kind: 'terms'; terms: Term[] }
  | { kind: 'marker'; marker: BindMarker };

export type Relation =
  /** `c op v`. */
  | { kind: 'compare'; column: string; op: CompareOp; value: Term; span: Span }
  | { kind: 'in'; column: string; values: InValues; span: Span }
  | { kind: 'contains'; column: string; value: Term; span: Span }
  | { kind: 'contains_key'; column: string; value: Term; span: Span }
  | { kind: 'like'; column: string; value: Term; span: Span }
  | { kind: 'is_not_null'; column: string; span: Span }
  /** `m['k'] op v`. */
  | { kind: 'element_compare'; column: string; key: Term; op: CompareOp; value: Term; span: Span }
  /** `token(a, b) op v`. */
  | { kind: 'token'; columns: string[]; op: CompareOp; value: Term; span: Span }
  /** `(c1, c2) op (1, 2)` or `(c1, c2) op ?`: value is a tuple term or a marker. */
  | { kind: 'multi_compare'; columns: string[]; op: CompareOp; value: Term; span: Span }
  /** `(c1, c2) IN ((1, 2), (3, 4))`, `IN (?, ?)` or `IN ?`. */
  | { kind: 'multi_in'; columns: string[]; values: InValues; span: Span };

export type Order = 'ASC' | 'DESC';

export interface Ordering {
  column: string;
  order: Order;
}

export interface SelectStatement extends StatementBase {
  kind: 'select';
  json: boolean;
  distinct: boolean;
  table: QualifiedName;
  selection: Selection;
  where: Relation[];
  groupBy: string[];
  orderBy: Ordering[];
  /** Integer literal or bind marker. */
  perPartitionLimit?: Term;
  limit?: Term;
  allowFiltering: boolean;
}

// ---------------------------------------------------------------------------------------------
// INSERT / UPDATE / DELETE / BATCH

/** USING TTL / TIMESTAMP values: integer literal or bind marker (undefined when absent). */
export interface UsingClause {
  ttl?: Term;
  timestamp?: Term;
}

export type InsertValues =
  | { kind: 'values'; columns: string[]; values: Term[] }
  /** INSERT JSON 'text' (or a marker); defaultUnset is true for DEFAULT UNSET (DEFAULT NULL is the default). */
  | { kind: 'json'; json: Term; defaultUnset: boolean };

export interface InsertStatement extends StatementBase {
  kind: 'insert';
  table: QualifiedName;
  values: InsertValues;
  ifNotExists: boolean;
  using: UsingClause;
}

export type Assignment =
  /** `c = t`. */
  | { kind: 'set'; column: string; value: Term; span: Span }
  /** `c = c + t`, `c += t` (counter increment, collection append/union). */
  | { kind: 'add'; column: string; value: Term; span: Span }
  /** `c = t + c` (list prepend). */
  | { kind: 'prepend'; column: string; value: Term; span: Span }
  /** `c = c - t`, `c -= t` (counter decrement, collection removal). */
  | { kind: 'subtract'; column: string; value: Term; span: Span }
  /** `m[k] = t`, `l[i] = t`. */
  | { kind: 'set_element'; column: string; key: Term; value: Term; span: Span }
  /** `u.f = t`. */
  | { kind: 'set_field'; column: string; field: string; value: Term; span: Span };

/** The left side of an IF condition. */
export type ConditionTarget =
  | { kind: 'column'; column: string }
  | { kind: 'element'; column: string; key: Term }
  | { kind: 'field'; column: string; field: string };

export type Condition =
  | { kind: 'compare'; target: ConditionTarget; op: CompareOp; value: Term; span: Span }
  | { kind: 'in'; target: ConditionTarget; values: InValues; span: Span }
  | { kind: 'contains'; target: ConditionTarget; value: Term; span: Span }
  | { kind: 'contains_key'; target: ConditionTarget; value: Term; span: Span };

/** IF clause of UPDATE/DELETE. */
export type IfClause =
  | { kind: 'none' }
  | { kind: 'exists' }
  | { kind: 'conditions'; conditions: Condition[] };

export interface UpdateStatement extends StatementBase {
  kind: 'update';
  table: QualifiedName;
  using: UsingClause;
  assignments: Assignment[];
  where: Relation[];
  ifClause: IfClause;
}

export type DeleteTarget =
  | { kind: 'column'; column: string; span: Span }
  | { kind: 'element'; column: string; key: Term; span: Span }
  | { kind: 'field'; column: string; field: string; span: Span };

export interface DeleteStatement extends StatementBase {
  kind: 'delete';
  /** Empty means delete whole rows. */
  targets: DeleteTarget[];
  table: QualifiedName;
  /** Only `timestamp` can be set (the parser rejects TTL on DELETE). */
  using: UsingClause;
  where: Relation[];
  ifClause: IfClause;
}

export type BatchType = 'logged' | 'unlogged' | 'counter';

export type ModificationStatement = InsertStatement | UpdateStatement | DeleteStatement;

export interface BatchStatement extends StatementBase {
  kind: 'batch';
  batchType: BatchType;
  using: UsingClause;
  statements: ModificationStatement[];
}

// ---------------------------------------------------------------------------------------------
// Properties (WITH ... AND ...)

export type PropertyValue =
  /** A constant; a bare unreserved word (e.g. `WITH x = keys_only`) becomes a string literal. */
  | { kind: 'constant'; value: Literal }
  /** `{ 'k': v, ... }`: keys and values are constants. */
  | { kind: 'map'; entries: { key: Literal; value: Literal }[] };

export interface Property {
  /** Lower-cased option name. */
  name: string;
  value: PropertyValue;
  span: Span;
}

// ---------------------------------------------------------------------------------------------
// Keyspaces, tables, types, indexes, views

export interface CreateKeyspaceStatement extends StatementBase {
  kind: 'create_keyspace';
  ifNotExists: boolean;
  keyspace: string;
  properties: Property[];
}

export interface AlterKeyspaceStatement extends StatementBase {
  kind: 'alter_keyspace';
  ifExists: boolean;
  keyspace: string;
  properties: Property[];
}

export interface DropKeyspaceStatement extends StatementBase {
  kind: 'drop_keyspace';
  ifExists: boolean;
  keyspace: string;
}

export interface UseStatement extends StatementBase {
  kind: 'use';
  keyspace: string;
}

export interface ColumnDefinition {
  name: string;
  type: TypeExpr;
  isStatic: boolean;
  span: Span;
}

export interface PrimaryKey {
  /** At least one column. */
  partitionKey: string[];
  clustering: string[];
}

export interface CreateTableStatement extends StatementBase {
  kind: 'create_table';
  ifNotExists: boolean;
  table: QualifiedName;
  columns: ColumnDefinition[];
  /** From the PRIMARY KEY clause or the single inline `c type PRIMARY KEY`. */
  primaryKey: PrimaryKey;
  /** CLUSTERING ORDER BY (...), in the order written. */
  clusteringOrder: Ordering[];
  /** Other WITH options (COMPACT STORAGE is rejected by the parser). */
  properties: Property[];
}

export type AlterTableAction =
  | { kind: 'add'; ifNotExists: boolean; columns: ColumnDefinition[] }
  | { kind: 'drop'; ifExists: boolean; columns: string[]; timestamp?: Literal }
  | { kind: 'rename'; ifExists: boolean; renames: Rename[] }
  | { kind: 'alter_column_type'; column: string; type: TypeExpr }
  | { kind: 'with'; properties: Property[] };

export interface Rename {
  from: string;
  to: string;
}

export interface AlterTableStatement extends StatementBase {
  kind: 'alter_table';
  ifExists: boolean;
  table: QualifiedName;
  action: AlterTableAction;
}

export interface DropTableStatement extends StatementBase {
  kind: 'drop_table';
  ifExists: boolean;
  table: QualifiedName;
}

export interface TruncateStatement extends StatementBase {
  kind: 'truncate';
  table: QualifiedName;
}

export interface FieldDefinition {
  name: string;
  type: TypeExpr;
}

export interface CreateTypeStatement extends StatementBase {
  kind: 'create_type';
  ifNotExists: boolean;
  name: QualifiedName;
  fields: FieldDefinition[];
}

export type AlterTypeAction =
  | { kind: 'add'; ifNotExists: boolean; field: string; type: TypeExpr }
  | { kind: 'rename'; ifExists: boolean; renames: Rename[] }
  /** Parsed for old scripts; Cassandra 4+ rejects it. */
  | { kind: 'alter_field_type'; field: string; type: TypeExpr };

export interface AlterTypeStatement extends StatementBase {
  kind: 'alter_type';
  ifExists: boolean;
  name: QualifiedName;
  action: AlterTypeAction;
}

export interface DropTypeStatement extends StatementBase {
  kind: 'drop_type';
  ifExists: boolean;
  name: QualifiedName;
}

export type IndexTargetKind = 'simple' | 'values' | 'keys' | 'entries' | 'full';

export interface IndexTarget {
  /** `simple` is a bare column (values of a collection, the value otherwise). */
  kind: IndexTargetKind;
  column: string;
}

export interface CreateIndexStatement extends StatementBase {
  kind: 'create_index';
  ifNotExists: boolean;
  /** Undefined when unnamed (the executor derives `<table>_<column>_idx`). */
  name?: string;
  table: QualifiedName;
  targets: IndexTarget[];
  /** CREATE CUSTOM INDEX ... USING 'class'. */
  customClass?: string;
  /** USING 'class' without CUSTOM is allowed in Cassandra 5 (e.g. 'sai'). */
  properties: Property[];
}

export interface DropIndexStatement extends StatementBase {
  kind: 'drop_index';
  ifExists: boolean;
  name: QualifiedName;
}

export interface CreateMaterializedViewStatement extends StatementBase {
  kind: 'create_materialized_view';
  ifNotExists: boolean;
  name: QualifiedName;
  selection: Selection;
  baseTable: QualifiedName;
  where: Relation[];
  primaryKey: PrimaryKey;
  clusteringOrder: Ordering[];
  properties: Property[];
}

export interface AlterMaterializedViewStatement extends StatementBase {
  kind: 'alter_materialized_view';
  ifExists: boolean;
  name: QualifiedName;
  properties: Property[];
}

export interface DropMaterializedViewStatement extends StatementBase {
  kind: 'drop_materialized_view';
  ifExists: boolean;
  name: QualifiedName;
}

// ---------------------------------------------------------------------------------------------
// Functions and aggregates

export interface FunctionArgument {
  name: string;
  type: TypeExpr;
}

export interface CreateFunctionStatement extends StatementBase {
  kind: 'create_function';
  orReplace: boolean;
  ifNotExists: boolean;
  name: QualifiedName;
  args: FunctionArgument[];
  /** CALLED ON NULL INPUT (true) vs RETURNS NULL ON NULL INPUT (false). */
  calledOnNullInput: boolean;
  returnType: TypeExpr;
  /** Lower-cased, e.g. 'java', 'javascript'. */
  language: string;
  body: string;
  deterministic: boolean;
  monotonic: boolean;
  monotonicOn: string[];
}

export interface DropFunctionStatement extends StatementBase {
  kind: 'drop_function';
  ifExists: boolean;
  name: QualifiedName;
  /** Undefined when no signature was given (drops the only overload). */
  argTypes?: TypeExpr[];
}

export interface CreateAggregateStatement extends StatementBase {
  kind: 'create_aggregate';
  orReplace: boolean;
  ifNotExists: boolean;
  name: QualifiedName;
  argTypes: TypeExpr[];
  stateFunction: string;
  stateType: TypeExpr;
  finalFunction?: string;
  initCond?: Term;
  deterministic: boolean;
}

export interface DropAggregateStatement extends StatementBase {
  kind: 'drop_aggregate';
  ifExists: boolean;
  name: QualifiedName;
  argTypes?: TypeExpr[];
}

// ---------------------------------------------------------------------------------------------
// Roles, users, permissions

export type RoleOption =
  | { kind: 'password'; value: string }
  | { kind: 'hashed_password'; value: string }
  | { kind: 'login'; value: boolean }
  | { kind: 'superuser'; value: boolean }
  | { kind: 'options'; entries: { key: Literal; value: Literal }[] }
  /** ACCESS TO ALL DATACENTERS (all: true) or ACCESS TO DATACENTERS {'dc1', ...}. */
  | { kind: 'access_to_datacenters'; all: boolean; datacenters: string[] };

export interface CreateRoleStatement extends StatementBase {
  kind: 'create_role';
  ifNotExists: boolean;
  role: string;
  options: RoleOption[];
}

export interface AlterRoleStatement extends StatementBase {
  kind: 'alter_role';
  ifExists: boolean;
  role: string;
  options: RoleOption[];
}

export interface DropRoleStatement extends StatementBase {
  kind: 'drop_role';
  ifExists: boolean;
  role: string;
}

export interface CreateUserStatement extends StatementBase {
  kind: 'create_user';
  ifNotExists: boolean;
  user: string;
  password?: string;
  hashedPassword?: string;
  /** Undefined when neither SUPERUSER nor NOSUPERUSER was written. */
  superuser?: boolean;
}

export interface AlterUserStatement extends StatementBase {
  kind: 'alter_user';
  ifExists: boolean;
  user: string;
  password?: string;
  hashedPassword?: string;
  superuser?: boolean;
}

export interface DropUserStatement extends StatementBase {
  kind: 'drop_user';
  ifExists: boolean;
  user: string;
}

export interface GrantRoleStatement extends StatementBase {
  kind: 'grant_role';
  role: string;
  grantee: string;
}

export interface RevokeRoleStatement extends StatementBase {
  kind: 'revoke_role';
  role: string;
  revokee: string;
}

export type Permission =
  | 'CREATE' | 'ALTER' | 'DROP' | 'SELECT' | 'MODIFY' | 'AUTHORIZE' | 'DESCRIBE' | 'EXECUTE'
  | 'UNMASK' | 'SELECT_MASKED';

export type Resource =
  | { kind: 'all_keyspaces' }
  | { kind: 'keyspace'; keyspace: string }
  /** TABLE ks.t or bare `t` / `ks.t`. */
  | { kind: 'table'; table: QualifiedName }
  | { kind: 'all_roles' }
  | { kind: 'role'; role: string }
  /** ALL FUNCTIONS [IN KEYSPACE ks]. */
  | { kind: 'all_functions'; keyspace?: string }
  | { kind: 'function'; name: QualifiedName; argTypes: TypeExpr[] }
  | { kind: 'all_mbeans' }
  /** MBEAN 'pattern' / MBEANS 'pattern'. */
  | { kind: 'mbean'; pattern: string };

/** ALL [PERMISSIONS] is 'all'. */
export type PermissionSet = { kind: 'all' } | { kind: 'some'; permissions: Permission[] };

export interface GrantPermissionStatement extends StatementBase {
  kind: 'grant_permission';
  permissions: PermissionSet;
  resource: Resource;
  grantee: string;
}

export interface RevokePermissionStatement extends StatementBase {
  kind: 'revoke_permission';
  permissions: PermissionSet;
  resource: Resource;
  revokee: string;
}

export interface ListRolesStatement extends StatementBase {
  kind: 'list_roles';
  of?: string;
  recursive: boolean;
}

export interface ListUsersStatement extends StatementBase {
  kind: 'list_users';
}

export interface ListPermissionsStatement extends StatementBase {
  kind: 'list_permissions';
  permissions: PermissionSet;
  resource?: Resource;
  of?: string;
  recursive: boolean;
}

// ---------------------------------------------------------------------------------------------
// Statement

export interface BindMarkerInfo {
  index: number;
  name?: string;
  span: Span;
}

export interface StatementBase {
  /** The statement's own text range (for a script, within the whole script). */
  span: Span;
  /**
   * Markers inside this statement in index order. For a top-level statement they are exactly
   * 0..n-1; for a statement inside a BATCH they are that statement's slice of the batch's markers.
   */
  bindMarkers: BindMarkerInfo[];
}

export type Statement =
  | SelectStatement
  | InsertStatement
  | UpdateStatement
  | DeleteStatement
  | BatchStatement
  | CreateKeyspaceStatement
  | AlterKeyspaceStatement
  | DropKeyspaceStatement
  | UseStatement
  | CreateTableStatement
  | AlterTableStatement
  | DropTableStatement
  | TruncateStatement
  | CreateTypeStatement
  | AlterTypeStatement
  | DropTypeStatement
  | CreateIndexStatement
  | DropIndexStatement
  | CreateMaterializedViewStatement
  | AlterMaterializedViewStatement
  | DropMaterializedViewStatement
  | CreateFunctionStatement
  | DropFunctionStatement
  | CreateAggregateStatement
  | DropAggregateStatement
  | CreateRoleStatement
  | AlterRoleStatement
  | DropRoleStatement
  | CreateUserStatement
  | AlterUserStatement
  | DropUserStatement
  | GrantRoleStatement
  | RevokeRoleStatement
  | GrantPermissionStatement
  | RevokePermissionStatement
  | ListRolesStatement
  | ListUsersStatement
  | ListPermissionsStatement;

export type StatementKind = Statement['kind'];
