// Virtual rows → the storage data model, and the part of a read that storage would do:
// partition selection (keys or token range, with paging), clustering slices, order and limits.
// Virtual tables describe rows as plain JS values; everything is serialized with src/schema codecs.

import { serialize, type CqlValue } from '../../schema/codec.js';
import { comparatorFor, compareBytes, type Comparator } from '../../schema/compare.js';
import { serializeCompositeKey } from '../../schema/composite.js';
import type { ColumnMetadata, TableMetadata } from '../../schema/metadata.js';
import { isMultiCell, type CqlType } from '../../schema/types.js';
import type { Cell, ClusteringBound, Partition, ReadCommand, Row, Slice } from '../../storage/data.js';
import { tokenOf } from '../../util/murmur3.js';
import { assert } from '../../util/assert.js';

/** One virtual row: column name → value; undefined or null means no cell. */
export type VirtualRow = Record<string, CqlValue | Date | undefined>;

/** Bound on rows one virtual table may produce for one read (they are built in memory). */
export const VIRTUAL_ROWS_MAX = 1_000_000;

export interface RowContext {
  /** Write timestamp given to every cell and row liveness. */
  timestampMicros: number;
}

function keyOf(table: TableMetadata, row: VirtualRow): Buffer {
  const parts = table.partitionKey.map((c) => serializeRequired(table, c, row[c.name]));
  return parts.length === 1 ? parts[0]! : serializeCompositeKey(parts);
}

function serializeRequired(table: TableMetadata, c: ColumnMetadata, v: VirtualRow[string]): Buffer {
  assert(v !== undefined && v !== null, `${table.keyspace}.${table.name}: key column ${c.name} has no value`);
  return serialize(c.type, v);
}

function cellsOf(table: TableMetadata, row: VirtualRow, ctx: RowContext): Cell[] {
  const cells: Cell[] = [];
  const base = { timestampMicros: ctx.timestampMicros, ttlSec: 0, localExpirationTimeSec: 0 };
  for (const c of table.columns.values()) {
    if (c.kind === 'partition_key' || c.kind === 'clustering') continue;
    const v = row[c.name];
    if (v === undefined || v === null) continue;
    if (isMultiCell(c.type)) cells.push(...multiCells(c.name, c.type, v, base));
    else cells.push({ column: c.name, value: serialize(c.type, v), ...base });
  }
  cells.sort((a, b) => (a.column < b.column ? -1 : a.column > b.column ? 1 : compareBytes(a.path ?? EMPTY, b.path ?? EMPTY)));
  return cells;
}

const EMPTY = Buffer.alloc(0);

function multiCells(column: string, type: CqlType, v: NonNullable<VirtualRow[string]>, base: Omit<Cell, 'column' | 'value'>): Cell[] {
  switch (type.kind) {
    case 'set': {
      const items = v instanceof Set ? [...v] : (v as CqlValue[]);
      return items.map((e) => ({ column, path: serialize(type.element, e as CqlValue), value: EMPTY, ...base }));
    }
    case 'map': {
      const entries = v instanceof Map ? [...v.entries()] : (v as unknown as [CqlValue, CqlValue][]);
      return entries.map(([k, val]) => ({ column, path: serialize(type.key, k), value: serialize(type.value, val), ...base }));
    }
    case 'list': {
      // Cells of a list are ordered by a timeuuid path; a big-endian index keeps the order.
      const items = v as CqlValue[];
      return items.map((e, i) => {
        const path = Buffer.alloc(16);
        path.writeUInt32BE(i, 12);
        path[6] = 0x10; // version 1 nibble
        return { column, path, value: serialize(type.element, e), ...base };
      });
    }
    default:
      assert(false, `virtual tables use no multi-cell ${type.kind} columns (${column})`);
  }
}

/** Builds partitions (sorted by token, then key) with rows sorted in clustering order. */
export function buildPartitions(table: TableMetadata, rows: VirtualRow[], ctx: RowContext): Partition[] {
  assert(rows.length <= VIRTUAL_ROWS_MAX, `${table.keyspace}.${table.name} produced ${rows.length} rows (max ${VIRTUAL_ROWS_MAX})`);
  const byKey = new Map<string, Partition>();
  for (const r of rows) {
    const key = keyOf(table, r);
    const hex = key.toString('hex');
    let p = byKey.get(hex);
    if (!p) {
      p = { key, token: tokenOf(key), rangeTombstones: [], rows: [] };
      byKey.set(hex, p);
    }
    p.rows.push({
      clustering: table.clustering.map((c) => serializeRequired(table, c, r[c.name])),
      liveness: { timestampMicros: ctx.timestampMicros, ttlSec: 0, localExpirationTimeSec: 0 },
      cells: cellsOf(table, r, ctx),
    });
  }
  const cmp = clusteringComparator(table);
  const out = [...byKey.values()];
  for (const p of out) p.rows.sort((a, b) => cmp(a.clustering, b.clustering));
  out.sort((a, b) => (a.token < b.token ? -1 : a.token > b.token ? 1 : compareBytes(a.key, b.key)));
  return out;
}

/** Compares clustering prefixes column by column in clustering order (DESC columns reversed). */
export function clusteringComparator(table: TableMetadata): (a: Buffer[], b: Buffer[]) => number {
  const cmps: Comparator[] = table.clustering.map((c) => {
    const base = comparatorFor(c.type);
    return c.clusteringOrder === 'desc' ? (x, y) => -base(x, y) : base;
  });
  return (a, b) => {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const r = cmps[i]!(a[i]!, b[i]!);
      if (r !== 0) return r;
    }
    return 0;
  };
}

function inRange(token: bigint, start: bigint, end: bigint): boolean {
  if (start === end) return true;
  if (start < end) return token > start && token <= end;
  return token > start || token <= end; // wraps around the ring
}

/** Applies the command's partition selection, slices, direction, paging and limits. */
export function applyRead(table: TableMetadata, all: Partition[], cmd: ReadCommand): Partition[] {
  const selected = selectPartitions(all, cmd);
  const cmp = clusteringComparator(table);
  const out: Partition[] = [];
  let rowsLeft = cmd.rowLimit;
  let first = true;
  for (const p of selected) {
    if (rowsLeft <= 0 || out.length >= cmd.partitionLimit) break;
    let rows = p.rows.filter((r) => cmd.slices.length === 0 || cmd.slices.some((s) => inSlice(cmp, r.clustering, s)));
    if (cmd.reversed) rows = rows.reverse();
    if (first && cmd.afterClustering) {
      const after = cmd.afterClustering;
      rows = rows.filter((r) => (cmd.reversed ? cmp(r.clustering, after) < 0 : cmp(r.clustering, after) > 0));
    }
    first = false;
    rows = rows.slice(0, Math.min(cmd.perPartitionLimit, rowsLeft)).map((r) => projectRow(r, cmd.columns));
    if (rows.length === 0) continue;
    rowsLeft -= rows.length;
    out.push({ ...p, rows });
  }
  return out;
}

function selectPartitions(all: Partition[], cmd: ReadCommand): Partition[] {
  const sel = cmd.partitions;
  if (sel.kind === 'keys') {
    const byKey = new Map(all.map((p) => [p.key.toString('hex'), p]));
    const out: Partition[] = [];
    for (const k of sel.keys) {
      const p = byKey.get(k.key.toString('hex'));
      if (p && !out.includes(p)) out.push(p);
    }
    return out;
  }
  let parts = all.filter((p) => inRange(p.token, sel.range.start, sel.range.end));
  if (sel.range.start > sel.range.end) {
    // A wrapping range reads the part after start first, then the part from the ring's start.
    parts = [...parts.filter((p) => p.token > sel.range.start), ...parts.filter((p) => p.token <= sel.range.start)];
  }
  const after = sel.after;
  if (after) {
    const i = parts.findIndex((p) => p.token === after.token && p.key.equals(after.key));
    if (i >= 0) parts = parts.slice(i + 1);
    else parts = parts.filter((p) => p.token > after.token || (p.token === after.token && compareBytes(p.key, after.key) > 0));
  }
  return parts;
}

function inSlice(cmp: (a: Buffer[], b: Buffer[]) => number, clustering: Buffer[], s: Slice): boolean {
  return satisfiesStart(cmp, clustering, s.start) && satisfiesEnd(cmp, clustering, s.end);
}

function satisfiesStart(cmp: (a: Buffer[], b: Buffer[]) => number, c: Buffer[], b: ClusteringBound): boolean {
  if (b.values.length === 0) return true;
  const r = cmp(c.slice(0, b.values.length), b.values);
  return r > 0 || (r === 0 && b.inclusive);
}

function satisfiesEnd(cmp: (a: Buffer[], b: Buffer[]) => number, c: Buffer[], b: ClusteringBound): boolean {
  if (b.values.length === 0) return true;
  const r = cmp(c.slice(0, b.values.length), b.values);
  return r < 0 || (r === 0 && b.inclusive);
}

function projectRow(r: Row, columns: Set<string> | undefined): Row {
  if (!columns) return r;
  return { ...r, cells: r.cells.filter((c) => columns.has(c.column)) };
}
