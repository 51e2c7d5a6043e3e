// The DDL statements the SchemaManager executes, in the shape it validates. The CQL parser's AST
// (src/cql/ast.ts) is translated into these by fromAst.ts; tests and internal callers may build
// them directly. Names are already case-folded by the parser (unquoted → lower case).

import type { Literal } from '../../schema/literal.js';
import type { NativeTypeName } from '../../schema/types.js';

/** A type as written in CQL, before user types are looked up and frozen rules applied. */
export type TypeExpr =
  | { kind: 'native'; name: NativeTypeName }
  | { kind: 'list'; element: TypeExpr }
  | { kind: 'set'; element: TypeExpr }
  | { kind: 'map'; key: TypeExpr; value: TypeExpr }
  | { kind: 'tuple'; elements: TypeExpr[] }
  | { kind: 'frozen'; inner: TypeExpr }
  | { kind: 'udt'; keyspace?: string; name: string }
  | { kind: 'custom'; className: string };

/** The value of one `WITH name = value` property. */
export type OptionValue =
  | { kind: 'constant'; literal: Literal }
  | { kind: 'map'; entries: { key: Literal; value: Literal }[] };

export interface OptionEntry {
  name: string;
  value: OptionValue;
}

export interface ColumnDef {
  name: string;
  type: TypeExpr;
  isStatic: boolean;
}

export interface QualifiedName {
  /** Undefined when the statement did not name a keyspace; the client's keyspace is used. */
  keyspace?: string;
  name: string;
}

export type AlterTableAction =
  | { kind: 'add'; columns: ColumnDef[]; ifNotExists: boolean }
  | { kind: 'drop'; columns: string[]; ifExists: boolean; timestampMicros?: number }
  | { kind: 'rename'; renames: { from: string; to: string }[]; ifExists: boolean }
  | { kind: 'alter_type'; column: string; type: TypeExpr }
  | { kind: 'with'; options: OptionEntry[] };

export type AlterTypeAction =
  | { kind: 'add'; field: string; type: TypeExpr; ifNotExists: boolean }
  | { kind: 'rename'; renames: { from: string; to: string }[]; ifExists: boolean }
  | { kind: 'alter_type'; field: string; type: TypeExpr };

export type DdlStatement =
  | { kind: 'create_keyspace'; name: string; ifNotExists: boolean; options: OptionEntry[] }
  | { kind: 'alter_keyspace'; name: string; ifExists: boolean; options: OptionEntry[] }
  | { kind: 'drop_keyspace'; name: string; ifExists: boolean }
  | {
      kind: 'create_table';
      table: QualifiedName;
      ifNotExists: boolean;
      columns: ColumnDef[];
      /** Partition key column names in order (the first PRIMARY KEY component). */
      partitionKey: string[];
      clustering: string[];
      /** As written in WITH CLUSTERING ORDER BY (...); may be empty. */
      clusteringOrder: { column: string; order: 'asc' | 'desc' }[];
      compactStorage: boolean;
      options: OptionEntry[];
    }
  | { kind: 'alter_table'; table: QualifiedName; ifExists: boolean; action: AlterTableAction }
  | { kind: 'drop_table'; table: QualifiedName; ifExists: boolean }
  | { kind: 'create_type'; type: QualifiedName; ifNotExists: boolean; fields: { name: string; type: TypeExpr }[] }
  | { kind: 'alter_type'; type: QualifiedName; ifExists: boolean; action: AlterTypeAction }
  | { kind: 'drop_type'; type: QualifiedName; ifExists: boolean };

export type DdlKind = DdlStatement['kind'];

/** Shorthands for building statements in code and tests. */
export const lit = {
  str: (text: string): Literal => ({ kind: 'string', text }),
  int: (n: number): Literal => ({ kind: 'integer', text: String(n) }),
  float: (n: number): Literal => ({ kind: 'float', text: String(n) }),
  bool: (b: boolean): Literal => ({ kind: 'boolean', text: b ? 'true' : 'false' }),
};

export function constOption(name: string, literal: Literal): OptionEntry {
  return { name, value: { kind: 'constant', literal } };
}

export function mapOption(name: string, entries: Record<string, string | number>): OptionEntry {
  return {
    name,
    value: {
      kind: 'map',
      entries: Object.entries(entries).map(([k, v]) => ({
        key: lit.str(k),
        value: typeof v === 'number' ? lit.int(v) : lit.str(v),
      })),
    },
  };
}
