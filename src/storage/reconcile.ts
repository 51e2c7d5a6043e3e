// Reconciliation exactly as Cassandra does it, as pure functions over the data.ts shapes.
//
// Cells: the higher timestamp wins. On equal timestamps a tombstone or expiring cell beats a
// regular live cell; a tombstone beats an expiring cell; between two tombstones (or two expiring
// cells) the later local deletion/expiry time wins; otherwise the greater value (unsigned bytes).
// Counter cells merge their contexts (a counter tombstone always wins).
// Deletions (partition, range, row, complex) shadow everything with timestamp <= markedForDeleteAt.
// Expired TTL cells read as tombstones with localDeletionTime = expiry - ttl.

import type { TableMetadata } from '../schema/metadata.js';
import { mergeCounterContexts } from './counter.js';
import type { Cell, DeletionTime, LivenessInfo, Partition, RangeTombstone, Row } from './data.js';
import { compareBytes } from '../schema/compare.js';
import { afterStart, beforeEnd, tableOrder, type CKey, type TableOrder } from './_order.js';

const NO_DELETION_TIME = 0x7fffffff;

function cellDeletionTime(c: Cell): number {
  if (c.value === null) return c.localExpirationTimeSec;
  return c.ttlSec > 0 ? c.localExpirationTimeSec : NO_DELETION_TIME;
}

export function isTombstone(c: Cell): boolean {
  return c.value === null;
}

export function isExpiredAt(c: Cell, nowSec: number): boolean {
  return c.value !== null && c.ttlSec > 0 && c.localExpirationTimeSec <= nowSec;
}

export function isLiveCell(c: Cell, nowSec: number): boolean {
  return c.value !== null && !(c.ttlSec > 0 && c.localExpirationTimeSec <= nowSec);
}

/** Cassandra's Cells.reconcile. */
export function reconcileCells(a: Cell, b: Cell): Cell {
  if (a.counter || b.counter) return reconcileCounters(a, b);
  if (a.timestampMicros !== b.timestampMicros) return a.timestampMicros > b.timestampMicros ? a : b;
  const aDel = cellDeletionTime(a);
  const bDel = cellDeletionTime(b);
  const aExpOrTomb = aDel !== NO_DELETION_TIME;
  const bExpOrTomb = bDel !== NO_DELETION_TIME;
  if (aExpOrTomb || bExpOrTomb) {
    if (aExpOrTomb !== bExpOrTomb) return aExpOrTomb ? a : b;
    const aTomb = a.value === null;
    const bTomb = b.value === null;
    if (aTomb !== bTomb) return aTomb ? a : b;
    if (aDel !== bDel) return aDel > bDel ? a : b;
  }
  if (a.value === null || b.value === null) return a;
  return compareBytes(a.value, b.value) >= 0 ? a : b;
}

function reconcileCounters(a: Cell, b: Cell): Cell {
  const aTomb = a.value === null;
  const bTomb = b.value === null;
  if (aTomb && bTomb) return a.timestampMicros >= b.timestampMicros ? a : b;
  if (aTomb) return a;
  if (bTomb) return b;
  return {
    column: a.column,
    ...(a.path ? { path: a.path } : {}),
    value: mergeCounterContexts(a.value!, b.value!),
    timestampMicros: Math.max(a.timestampMicros, b.timestampMicros),
    ttlSec: 0,
    localExpirationTimeSec: 0,
    counter: true,
  };
}

/** The later deletion (higher markedForDeleteAt, then later local deletion time). */
export function maxDeletion(a: DeletionTime | undefined, b: DeletionTime | undefined): DeletionTime | undefined {
  if (!a) return b;
  if (!b) return a;
  if (a.markedForDeleteAtMicros !== b.markedForDeleteAtMicros) return a.markedForDeleteAtMicros > b.markedForDeleteAtMicros ? a : b;
  return a.localDeletionTimeSec >= b.localDeletionTimeSec ? a : b;
}

function livenessSupersedes(a: LivenessInfo, b: LivenessInfo): boolean {
  if (a.timestampMicros !== b.timestampMicros) return a.timestampMicros > b.timestampMicros;
  const aExp = a.ttlSec > 0;
  const bExp = b.ttlSec > 0;
  if (aExp === bExp) return a.localExpirationTimeSec > b.localExpirationTimeSec;
  return aExp;
}

export function mergeLiveness(a: LivenessInfo | undefined, b: LivenessInfo | undefined): LivenessInfo | undefined {
  if (!a) return b;
  if (!b) return a;
  return livenessSupersedes(b, a) ? b : a;
}

export function compareCells(order: TableOrder, a: Cell, b: Cell): number {
  if (a.column !== b.column) return a.column < b.column ? -1 : 1;
  if (!a.path || !b.path) return (a.path ? 1 : 0) - (b.path ? 1 : 0);
  return order.pathComparator(a.column)(a.path, b.path);
}

export function mergeCellLists(order: TableOrder, a: Cell[], b: Cell[]): Cell[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out: Cell[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const d = compareCells(order, a[i]!, b[j]!);
    if (d < 0) out.push(a[i++]!);
    else if (d > 0) out.push(b[j++]!);
    else out.push(reconcileCells(a[i++]!, b[j++]!));
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

function mergeComplexDeletions(a: Row['complexDeletions'], b: Row['complexDeletions']): Row['complexDeletions'] {
  if (!a || a.length === 0) return b;
  if (!b || b.length === 0) return a;
  const byColumn = new Map<string, DeletionTime>();
  for (const cd of [...a, ...b]) byColumn.set(cd.column, maxDeletion(byColumn.get(cd.column), cd.deletion)!);
  return [...byColumn].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)).map(([column, deletion]) => ({ column, deletion }));
}

export function mergeRows(order: TableOrder, a: Row, b: Row): Row {
  const row: Row = { clustering: a.clustering, cells: mergeCellLists(order, a.cells, b.cells) };
  const liveness = mergeLiveness(a.liveness, b.liveness);
  if (liveness) row.liveness = liveness;
  const deletion = maxDeletion(a.deletion, b.deletion);
  if (deletion) row.deletion = deletion;
  const cds = mergeComplexDeletions(a.complexDeletions, b.complexDeletions);
  if (cds && cds.length > 0) row.complexDeletions = cds;
  return row;
}

/** Sorts a row's cells by column then path (rows from outside may arrive unsorted). */
export function normalizeRow(order: TableOrder, row: Row): Row {
  const cells = row.cells;
  for (let i = 1; i < cells.length; i++) {
    if (compareCells(order, cells[i - 1]!, cells[i]!) >= 0) {
      const sorted = [...cells].sort((x, y) => compareCells(order, x, y));
      let merged: Cell[] = [];
      for (const c of sorted) {
        const last = merged[merged.length - 1];
        if (last && compareCells(order, last, c) === 0) merged[merged.length - 1] = reconcileCells(last, c);
        else merged.push(c);
      }
      return { ...row, cells: merged };
    }
  }
  return row;
}

export function mergeRowLists(order: TableOrder, a: Row[], b: Row[]): Row[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out: Row[] = [];
  let i = 0;
  let j = 0;
  let ka: CKey | undefined;
  let kb: CKey | undefined;
  while (i < a.length && j < b.length) {
    ka ??= order.key(a[i]!.clustering);
    kb ??= order.key(b[j]!.clustering);
    const d = order.compare(ka, kb);
    if (d < 0) { out.push(a[i++]!); ka = undefined; }
    else if (d > 0) { out.push(b[j++]!); kb = undefined; }
    else { out.push(mergeRows(order, a[i++]!, b[j++]!)); ka = undefined; kb = undefined; }
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

function sameRangeTombstone(x: RangeTombstone, y: RangeTombstone): boolean {
  const sameBound = (p: Buffer[], q: Buffer[]) => p.length === q.length && p.every((v, i) => v.equals(q[i]!));
  return x.deletion.markedForDeleteAtMicros === y.deletion.markedForDeleteAtMicros
    && x.deletion.localDeletionTimeSec === y.deletion.localDeletionTimeSec
    && x.slice.start.inclusive === y.slice.start.inclusive && x.slice.end.inclusive === y.slice.end.inclusive
    && sameBound(x.slice.start.values, y.slice.start.values) && sameBound(x.slice.end.values, y.slice.end.values);
}

export function mergeRangeTombstones(a: RangeTombstone[], b: RangeTombstone[]): RangeTombstone[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = [...a];
  for (const rt of b) if (!out.some((x) => sameRangeTombstone(x, rt))) out.push(rt);
  return out;
}

/** Merges two versions of one partition (from replicas, memtables or SSTables). Pure. */
export function mergePartitions(table: TableMetadata, a: Partition, b: Partition): Partition {
  const order = tableOrder(table);
  const out: Partition = {
    key: a.key,
    token: a.token,
    rangeTombstones: mergeRangeTombstones(a.rangeTombstones, b.rangeTombstones),
    rows: mergeRowLists(order, a.rows, b.rows),
  };
  const pd = maxDeletion(a.partitionDeletion, b.partitionDeletion);
  if (pd) out.partitionDeletion = pd;
  const sr = a.staticRow && b.staticRow ? mergeRows(order, a.staticRow, b.staticRow) : a.staticRow ?? b.staticRow;
  if (sr) out.staticRow = sr;
  return out;
}

/** A range tombstone with its bounds' sort keys computed once. */
export interface KeyedRangeTombstone {
  rt: RangeTombstone;
  startKey: CKey;
  endKey: CKey;
}

export function keyRangeTombstones(order: TableOrder, rts: RangeTombstone[]): KeyedRangeTombstone[] {
  return rts.map((rt) => ({ rt, startKey: order.key(rt.slice.start.values), endKey: order.key(rt.slice.end.values) }));
}

/** The deletion covering a row: the latest of the partition deletion and covering range tombstones. */
export function coveringDeletion(order: TableOrder, rowKey: CKey, pd: DeletionTime | undefined,
                                 rts: KeyedRangeTombstone[]): DeletionTime | undefined {
  let d = pd;
  for (const k of rts) {
    if (afterStart(order, rowKey, k.rt.slice.start, k.startKey) && beforeEnd(order, rowKey, k.rt.slice.end, k.endKey)) {
      d = maxDeletion(d, k.rt.deletion);
    }
  }
  return d;
}

export interface ResolvedRow {
  /** The row without shadowed data (tombstones kept), or null when nothing is left. */
  row: Row | null;
  live: boolean;
  tombstones: number;
}

function shadows(d: DeletionTime | undefined, timestampMicros: number): boolean {
  return d !== undefined && timestampMicros <= d.markedForDeleteAtMicros;
}

function expiredToTombstone(c: Cell): Cell {
  return {
    column: c.column,
    ...(c.path ? { path: c.path } : {}),
    value: null,
    timestampMicros: c.timestampMicros,
    ttlSec: 0,
    localExpirationTimeSec: c.localExpirationTimeSec - c.ttlSec,
    ...(c.counter ? { counter: true } : {}),
  };
}

/**
 * Applies the deletions covering a row (outer: partition/range deletion) and TTL expiry at
 * nowSec: drops shadowed data, turns expired cells into tombstones, keeps tombstones.
 */
export function resolveRow(row: Row, outer: DeletionTime | undefined, nowSec: number): ResolvedRow {
  let tombstones = 0;
  const rowDeletion = row.deletion && !(outer && maxDeletion(outer, row.deletion) === outer) ? row.deletion : undefined;
  if (rowDeletion) tombstones++;
  const covering = maxDeletion(outer, rowDeletion);
  const out: Row = { clustering: row.clustering, cells: [] };
  let live = false;
  if (row.liveness && !shadows(covering, row.liveness.timestampMicros)) {
    out.liveness = row.liveness;
    if (row.liveness.ttlSec === 0 || row.liveness.localExpirationTimeSec > nowSec) live = true;
  }
  if (rowDeletion) out.deletion = rowDeletion;
  let cds: Map<string, DeletionTime> | undefined;
  if (row.complexDeletions) {
    for (const cd of row.complexDeletions) {
      if (covering && cd.deletion.markedForDeleteAtMicros <= covering.markedForDeleteAtMicros) continue;
      (cds ??= new Map()).set(cd.column, cd.deletion);
      (out.complexDeletions ??= []).push(cd);
    }
  }
  for (const c of row.cells) {
    const d = cds?.get(c.column) ?? covering;
    if (shadows(d, c.timestampMicros)) continue;
    if (c.value === null) { tombstones++; out.cells.push(c); continue; }
    if (c.ttlSec > 0 && c.localExpirationTimeSec <= nowSec) { tombstones++; out.cells.push(expiredToTombstone(c)); continue; }
    live = true;
    out.cells.push(c);
  }
  const empty = !out.liveness && !out.deletion && !out.complexDeletions && out.cells.length === 0;
  return { row: empty ? null : out, live, tombstones };
}

/** Only the live parts of a resolved row: live cells, and liveness if still live. */
export function liveOnly(row: Row, nowSec: number): Row {
  const out: Row = { clustering: row.clustering, cells: row.cells.filter((c) => isLiveCell(c, nowSec)) };
  if (row.liveness && (row.liveness.ttlSec === 0 || row.liveness.localExpirationTimeSec > nowSec)) out.liveness = row.liveness;
  return out;
}

/** The live clustering rows of a (possibly multi-replica-merged) partition, each with only live cells. */
export function liveRows(table: TableMetadata, partition: Partition, nowSec: number): Row[] {
  const order = tableOrder(table);
  const rts = keyRangeTombstones(order, partition.rangeTombstones);
  const out: Row[] = [];
  for (const row of partition.rows) {
    const outer = rts.length === 0 ? partition.partitionDeletion : coveringDeletion(order, order.key(row.clustering), partition.partitionDeletion, rts);
    const r = resolveRow(row, outer, nowSec);
    if (r.live && r.row) out.push(liveOnly(r.row, nowSec));
  }
  return out;
}

/** The live static row of a partition, if any static cell is live. */
export function liveStaticRow(table: TableMetadata, partition: Partition, nowSec: number): Row | undefined {
  if (!partition.staticRow) return undefined;
  const r = resolveRow(partition.staticRow, partition.partitionDeletion, nowSec);
  return r.live && r.row ? liveOnly(r.row, nowSec) : undefined;
}
