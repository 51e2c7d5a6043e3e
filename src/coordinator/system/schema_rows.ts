// system_schema.* and system_virtual_schema.* rows computed from the SchemaManager, with the
// columns and value formats of Cassandra 4.1 (what the npm driver's schema-parser.js and python's
// SchemaParserV4 read): replication maps with full class names, columns.kind / clustering_order
// in lower case, position -1 for non-key columns, type as a CQL type string, tables.flags.

import type { KeyspaceMetadata, TableMetadata } from '../../schema/metadata.js';
import type { SchemaManager } from '../schema/manager.js';
import { replicationToMap } from '../schema/options.js';
import { schemaTypeString } from '../schema/types.js';
import { VIRTUAL_KEYSPACES } from '../schema/system_keyspaces.js';
import type { VirtualRow } from './rows.js';

function schemaKeyspaces(schema: SchemaManager): KeyspaceMetadata[] {
  return schema.keyspaces().filter((k) => !VIRTUAL_KEYSPACES.has(k.name));
}

function virtualKeyspaces(schema: SchemaManager): KeyspaceMetadata[] {
  return schema.keyspaces().filter((k) => VIRTUAL_KEYSPACES.has(k.name));
}

function tablesOf(kss: KeyspaceMetadata[]): TableMetadata[] {
  return kss.flatMap((k) => [...k.tables.values()]);
}

function mapOf(r: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(r));
}

export function keyspaceRows(schema: SchemaManager): VirtualRow[] {
  return schemaKeyspaces(schema).map((k) => ({
    keyspace_name: k.name,
    durable_writes: k.durableWrites,
    replication: mapOf(replicationToMap(k.replication)),
  }));
}

export function tableRows(schema: SchemaManager): VirtualRow[] {
  return tablesOf(schemaKeyspaces(schema)).map((t) => {
    const o = t.options;
    return {
      keyspace_name: t.keyspace,
      table_name: t.name,
      additional_write_policy: o.additional_write_policy,
      bloom_filter_fp_chance: o.bloom_filter_fp_chance,
      caching: mapOf(o.caching),
      cdc: o.cdc,
      comment: o.comment,
      compaction: mapOf(o.compaction),
      compression: mapOf(o.compression),
      crc_check_chance: o.crc_check_chance,
      dclocal_read_repair_chance: 0,
      default_time_to_live: o.default_time_to_live,
      extensions: new Map(Object.entries(o.extensions).map(([k, v]) => [k, Buffer.from(v, 'utf8')])),
      flags: t.isCounter ? ['compound', 'counter'] : ['compound'],
      gc_grace_seconds: o.gc_grace_seconds,
      id: t.id,
      max_index_interval: o.max_index_interval,
      memtable_flush_period_in_ms: o.memtable_flush_period_in_ms,
      min_index_interval: o.min_index_interval,
      read_repair: o.read_repair,
      read_repair_chance: 0,
      speculative_retry: o.speculative_retry,
    };
  });
}

function columnRowsOf(tables: TableMetadata[]): VirtualRow[] {
  const out: VirtualRow[] = [];
  for (const t of tables) {
    for (const c of t.columns.values()) {
      out.push({
        keyspace_name: t.keyspace,
        table_name: t.name,
        column_name: c.name,
        clustering_order: c.clusteringOrder,
        column_name_bytes: Buffer.from(c.name, 'utf8'),
        kind: c.kind,
        position: c.position,
        type: schemaTypeString(c.type),
      });
    }
  }
  return out;
}

export function columnRows(schema: SchemaManager): VirtualRow[] {
  return columnRowsOf(tablesOf(schemaKeyspaces(schema)));
}

export function typeRows(schema: SchemaManager): VirtualRow[] {
  return schemaKeyspaces(schema).flatMap((k) => [...k.types.values()].map((t) => ({
    keyspace_name: t.keyspace,
    type_name: t.name,
    field_names: t.fieldNames,
    field_types: t.fieldTypes.map(schemaTypeString),
  })));
}

export function droppedColumnRows(schema: SchemaManager): VirtualRow[] {
  const out: VirtualRow[] = [];
  for (const t of tablesOf(schemaKeyspaces(schema))) {
    for (const d of schema.droppedColumns(t.id)) {
      out.push({
        keyspace_name: t.keyspace,
        table_name: t.name,
        column_name: d.name,
        dropped_time: Math.floor(d.droppedTimeMicros / 1000),
        kind: d.kind,
        type: schemaTypeString(d.type),
      });
    }
  }
  return out;
}

export function virtualKeyspaceRows(schema: SchemaManager): VirtualRow[] {
  return virtualKeyspaces(schema).map((k) => ({ keyspace_name: k.name }));
}

export function virtualTableRows(schema: SchemaManager): VirtualRow[] {
  return tablesOf(virtualKeyspaces(schema)).map((t) => ({ keyspace_name: t.keyspace, table_name: t.name, comment: t.options.comment }));
}

export function virtualColumnRows(schema: SchemaManager): VirtualRow[] {
  return columnRowsOf(tablesOf(virtualKeyspaces(schema)));
}
