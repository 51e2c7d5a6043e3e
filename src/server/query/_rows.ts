// Reading values out of partitions: liveness, simple and multi-cell column values, counters,
// write times and TTLs. A RowView is one result row before selection: a clustering row, or the
// static row alone for a partition without live clustering rows.

import type { Cell, Partition, Row } from '../../storage/data.js';
import type { ColumnMetadata, TableMetadata } from '../../schema/metadata.js';
import { isMultiCell } from '../../schema/types.js';
import { serializeElements, serializeMap, serializeTuple, splitCompositeKey, int64 } from './_bytes.js';
import { counterValue } from './_codec.js';

export interface RowView {
  table: TableMetadata;
  partitionKey: Buffer;
  /** The partition's token (the read result's; not hashed again). */
  token: bigint;
  /** Partition key values, one per partition key column. */
  keyParts: Buffer[];
  /** Null for a static-only row. */
  clustering: Buffer[] | null;
  row: Row | null;
  staticRow: Row | null;
  nowSec: number;
}

export function isLiveCell(c: Cell, nowSec: number): boolean {
  return c.value !== null && (c.ttlSec === 0 || c.localExpirationTimeSec > nowSec);
}

export function isLiveRow(row: Row, nowSec: number): boolean {
  const l = row.liveness;
  if (l && (l.ttlSec === 0 || l.localExpirationTimeSec > nowSec)) return true;
  return row.cells.some((c) => isLiveCell(c, nowSec));
}

/** The result rows of one partition, in read order: live rows, or the static row alone when asked. */
export function partitionRows(table: TableMetadata, p: Partition, nowSec: number, opts: { staticOnlyRow: boolean }): RowView[] {
  const keyParts = splitCompositeKey(p.key, table.partitionKey.length);
  const staticRow = p.staticRow && p.staticRow.cells.some((c) => isLiveCell(c, nowSec)) ? p.staticRow : null;
  if (p.rows.length === 1 && isLiveRow(p.rows[0]!, nowSec)) {
    // One live row (a point read): the list as a literal (a push to [] reserves 16 slots).
    const row = p.rows[0]!;
    return [{ table, partitionKey: p.key, token: p.token, keyParts, clustering: row.clustering, row, staticRow, nowSec }];
  }
  const out: RowView[] = [];
  for (const row of p.rows) {
    if (!isLiveRow(row, nowSec)) continue;
    out.push({ table, partitionKey: p.key, token: p.token, keyParts, clustering: row.clustering, row, staticRow, nowSec });
  }
  if (out.length === 0 && staticRow && opts.staticOnlyRow) {
    out.push({ table, partitionKey: p.key, token: p.token, keyParts, clustering: null, row: null, staticRow, nowSec });
  }
  return out;
}

/** The first live cell of a column in this row view, or undefined (liveCells(view, column)[0] without the array). */
export function firstLiveCell(view: RowView, column: ColumnMetadata): Cell | undefined {
  const row = column.kind === 'static' ? view.staticRow : view.row;
  if (!row) return undefined;
  const cells = row.cells;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    if (c.column === column.name && isLiveCell(c, view.nowSec)) return c;
  }
  return undefined;
}

/** Live cells of a column in this row view (one for simple columns; elements for multi-cell). */
export function liveCells(view: RowView, column: ColumnMetadata): Cell[] {
  const row = column.kind === 'static' ? view.staticRow : view.row;
  if (!row) return [];
  return row.cells.filter((c) => c.column === column.name && isLiveCell(c, view.nowSec));
}

/** The serialized value of a column (null when absent), assembling multi-cell collections. */
export function columnValue(view: RowView, column: ColumnMetadata): Buffer | null {
  switch (column.kind) {
    case 'partition_key': return view.keyParts[column.position] ?? null;
    case 'clustering': return view.clustering?.[column.position] ?? null;
    case 'static': case 'regular': break;
  }
  if (!isMultiCell(column.type)) {
    const c = firstLiveCell(view, column);
    if (c === undefined) return null;
    if (c.counter) return int64(counterValue(c.value!));
    return c.value;
  }
  const cells = liveCells(view, column);
  if (cells.length === 0) return null;
  return assembleMultiCell(column, cells);
}

export function assembleMultiCell(column: ColumnMetadata, cells: Cell[]): Buffer | null {
  const t = column.type;
  switch (t.kind) {
    case 'list': return serializeElements(cells.map((c) => c.value!));
    case 'set': return serializeElements(cells.map((c) => c.path!));
    case 'map': return serializeMap(cells.map((c) => [c.path!, c.value!]));
    case 'udt': {
      const fields: (Buffer | null)[] = t.fieldNames.map(() => null);
      for (const c of cells) {
        const i = c.path!.readUInt16BE(0);
        if (i < fields.length) fields[i] = c.value;
      }
      let last = fields.length;
      while (last > 0 && fields[last - 1] === null) last--;
      return last === 0 ? null : serializeTuple(fields);
    }
    default: return cells[0]!.value;
  }
}

/** True when the partition has any live data (static or rows). */
export function partitionIsLive(p: Partition, nowSec: number): boolean {
  if (p.staticRow && p.staticRow.cells.some((c) => isLiveCell(c, nowSec))) return true;
  return p.rows.some((r) => isLiveRow(r, nowSec));
}
