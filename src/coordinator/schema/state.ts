// The schema as a value: keyspaces (with their tables and types) plus the dropped-column registry,
// and the log operations that change it. Operations are deterministic and self-contained (a new
// table carries its id), so every node that applies the same log gets the same schema.
// Metadata objects are never mutated once published: an operation builds new objects
// (copy-on-write), so a TableMetadata a reader holds stays consistent.

import type { CqlType } from '../../schema/types.js';
import type { ColumnKind, ColumnMetadata, KeyspaceMetadata, ReplicationStrategy, TableMetadata, UserTypeMetadata } from '../../schema/metadata.js';
import { assert, assertNever } from '../../util/assert.js';

/** A column removed by ALTER TABLE DROP; cells written before droppedTimeMicros stay hidden. */
export interface DroppedColumn {
  name: string;
  /** The type as Cassandra records it: user types expanded to tuples. */
  type: CqlType;
  kind: ColumnKind;
  droppedTimeMicros: number;
}

export interface SchemaState {
  keyspaces: Map<string, KeyspaceMetadata>;
  /** Keyed by table id. */
  dropped: Map<string, DroppedColumn[]>;
}

/** A table in JSON-friendly form (the log and the snapshot file hold these). */
export interface TableJson {
  keyspace: string;
  name: string;
  id: string;
  columns: ColumnMetadata[];
  options: TableMetadata['options'];
  isCounter: boolean;
  dropped: DroppedColumn[];
}

export type SchemaOp =
  | { op: 'put_keyspace'; name: string; replication: ReplicationStrategy; durableWrites: boolean }
  | { op: 'drop_keyspace'; name: string }
  | { op: 'put_table'; table: TableJson }
  | { op: 'drop_table'; keyspace: string; name: string }
  | { op: 'put_type'; type: UserTypeMetadata }
  | { op: 'drop_type'; keyspace: string; name: string };

export function tableToJson(t: TableMetadata, dropped: DroppedColumn[]): TableJson {
  return {
    keyspace: t.keyspace, name: t.name, id: t.id, columns: [...t.columns.values()],
    options: t.options, isCounter: t.isCounter, dropped,
  };
}

/** Rebuilds TableMetadata; columns keep the JSON order, which is SELECT * order. */
export function tableFromJson(j: TableJson): TableMetadata {
  const columns = new Map<string, ColumnMetadata>(j.columns.map((c) => [c.name, c]));
  const byPosition = (kind: ColumnKind): ColumnMetadata[] =>
    j.columns.filter((c) => c.kind === kind).sort((a, b) => a.position - b.position);
  const partitionKey = byPosition('partition_key');
  const clustering = byPosition('clustering');
  partitionKey.forEach((c, i) => assert(c.position === i, `${j.keyspace}.${j.name}: partition key positions`));
  clustering.forEach((c, i) => assert(c.position === i, `${j.keyspace}.${j.name}: clustering positions`));
  assert(partitionKey.length > 0, `${j.keyspace}.${j.name} has a partition key`);
  return { keyspace: j.keyspace, name: j.name, id: j.id, partitionKey, clustering, columns, options: j.options, isCounter: j.isCounter, virtual: false };
}

/** Applies one operation, returning a new state; `state` is left untouched. */
export function applyOp(state: SchemaState, op: SchemaOp): SchemaState {
  const keyspaces = new Map(state.keyspaces);
  const dropped = new Map(state.dropped);
  switch (op.op) {
    case 'put_keyspace': {
      const prev = keyspaces.get(op.name);
      keyspaces.set(op.name, {
        name: op.name, replication: op.replication, durableWrites: op.durableWrites,
        tables: prev?.tables ?? new Map(), types: prev?.types ?? new Map(), system: prev?.system ?? false,
      });
      break;
    }
    case 'drop_keyspace': {
      const prev = keyspaces.get(op.name);
      assert(prev, `drop of unknown keyspace ${op.name}`);
      for (const t of prev.tables.values()) dropped.delete(t.id);
      keyspaces.delete(op.name);
      break;
    }
    case 'put_table': {
      const ks = keyspaces.get(op.table.keyspace);
      assert(ks, `table in unknown keyspace ${op.table.keyspace}`);
      const tables = new Map(ks.tables);
      const prev = tables.get(op.table.name);
      assert(!prev || prev.id === op.table.id, `table ${op.table.keyspace}.${op.table.name} changes id`);
      tables.set(op.table.name, tableFromJson(op.table));
      keyspaces.set(ks.name, { ...ks, tables });
      if (op.table.dropped.length > 0) dropped.set(op.table.id, op.table.dropped);
      else dropped.delete(op.table.id);
      break;
    }
    case 'drop_table': {
      const ks = keyspaces.get(op.keyspace);
      const prev = ks?.tables.get(op.name);
      assert(ks && prev, `drop of unknown table ${op.keyspace}.${op.name}`);
      const tables = new Map(ks.tables);
      tables.delete(op.name);
      keyspaces.set(ks.name, { ...ks, tables });
      dropped.delete(prev.id);
      break;
    }
    case 'put_type': {
      const ks = keyspaces.get(op.type.keyspace);
      assert(ks, `type in unknown keyspace ${op.type.keyspace}`);
      const types = new Map(ks.types);
      types.set(op.type.name, op.type);
      keyspaces.set(ks.name, { ...ks, types });
      break;
    }
    case 'drop_type': {
      const ks = keyspaces.get(op.keyspace);
      assert(ks && ks.types.has(op.name), `drop of unknown type ${op.keyspace}.${op.name}`);
      const types = new Map(ks.types);
      types.delete(op.name);
      keyspaces.set(ks.name, { ...ks, types });
      break;
    }
    default:
      assertNever(op, 'schema op');
  }
  return { keyspaces, dropped };
}

export interface TableEffects {
  created: TableMetadata[];
  updated: TableMetadata[];
  dropped: TableMetadata[];
}

/** Which tables a change created, altered or removed (by id and object identity). */
export function diffTables(before: SchemaState, after: SchemaState): TableEffects {
  const index = (s: SchemaState): Map<string, TableMetadata> => {
    const m = new Map<string, TableMetadata>();
    for (const ks of s.keyspaces.values()) for (const t of ks.tables.values()) m.set(t.id, t);
    return m;
  };
  const a = index(before);
  const b = index(after);
  const out: TableEffects = { created: [], updated: [], dropped: [] };
  for (const [id, t] of b) {
    const prev = a.get(id);
    if (!prev) out.created.push(t);
    else if (prev !== t) out.updated.push(t);
  }
  for (const [id, t] of a) if (!b.has(id)) out.dropped.push(t);
  return out;
}
