// Executing a ReadCommand over a table view (memtables + SSTables merged): partition selection
// in token order, slices, reversal, paging, limits, column selection, TTL expiry, guardrails.

import { ReadFailure } from '../util/errors.js';
import type { Cell, Partition, ReadCommand, ReadResult, ReadStats, Row, Slice } from './data.js';
import { afterStart, beforeEnd, partitionSortKey, tokenSortPrefix, type CKey, type TableOrder } from './_order.js';
import { coveringDeletion, isLiveCell, keyRangeTombstones, resolveRow, type KeyedRangeTombstone } from './reconcile.js';

export interface PartitionHeader {
  sortKey: string;
  key: Buffer;
  token: bigint;
}

/** What read execution needs from a table: merged partitions and merged key iteration. */
export interface TableView {
  order: TableOrder;
  /** The merged partition restricted to slices, or undefined when no source has it. */
  getPartition(header: PartitionHeader, slices: Slice[], stats: ReadStats): Promise<Partition | undefined>;
  /** Headers of partitions with sortKey >= from, ascending, each once. */
  keysFrom(from: string): AsyncIterableIterator<PartitionHeader>;
}

export interface ReadGuardrails {
  tombstoneWarnThreshold: number;
  tombstoneFailureThreshold: number;
}

const MIN_TOKEN = -(2n ** 63n);
const NO_KEYED_RANGE_TOMBSTONES: KeyedRangeTombstone[] = [];
/** Native protocol v5 failure reason code; the coordinator fills in the replica's address. */
const READ_TOO_MANY_TOMBSTONES = 0x0001;
const MAX_TOKEN = 2n ** 63n - 1n;

interface ReadState {
  rowsLeft: number;
  partitionsLeft: number;
  first: boolean;
  stats: ReadStats;
  partitions: Partition[];
}

/** Returned by the synchronous read functions when some data must be read asynchronously (an SSTable page not in the page cache). */
export const READ_NOT_SYNC: unique symbol = Symbol('READ_NOT_SYNC');

/** What a synchronous key read needs from a table: the merged partition without an await, or READ_NOT_SYNC. */
export interface SyncTableView {
  order: TableOrder;
  /** As TableView.getPartition, or READ_NOT_SYNC when a source would have to be read asynchronously. */
  getPartitionSync(header: PartitionHeader, slices: Slice[], stats: ReadStats): Partition | undefined | typeof READ_NOT_SYNC;
}

function newState(cmd: ReadCommand): ReadState {
  return {
    rowsLeft: cmd.rowLimit, partitionsLeft: cmd.partitionLimit, first: true,
    stats: { sstablesRead: 0, tombstonesScanned: 0, liveRowsScanned: 0 }, partitions: [],
  };
}

/** Processes one partition's content (or its absence) into the state; false once the limits are reached. Throws ReadFailure over the tombstone failure threshold. */
function visited(order: TableOrder, p: Partition | undefined, cmd: ReadCommand, state: ReadState, guard: ReadGuardrails): boolean {
  if (p) processInto(order, p, cmd, state);
  state.first = false;
  if (state.stats.tombstonesScanned > guard.tombstoneFailureThreshold) {
    throw new ReadFailure(`read of ${cmd.table.keyspace}.${cmd.table.name} scanned over ${guard.tombstoneFailureThreshold} tombstones `
      + `(tombstone_failure_threshold); delete less, lower gc_grace_seconds and compact, or narrow the query`,
      'ONE', 0, 1, [{ address: '', reasonCode: READ_TOO_MANY_TOMBSTONES }], false);
  }
  return state.rowsLeft > 0 && state.partitionsLeft > 0;
}

/** The command's partition keys as headers in sort-key order, each once. */
function keyHeaders(keys: readonly { key: Buffer; token: bigint }[]): PartitionHeader[] {
  if (keys.length === 1) {
    const k = keys[0]!;
    return [{ sortKey: partitionSortKey(k.token, k.key), key: k.key, token: k.token }];
  }
  const headers = keys.map((k) => ({ sortKey: partitionSortKey(k.token, k.key), key: k.key, token: k.token }));
  headers.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
  const out: PartitionHeader[] = [];
  for (let i = 0; i < headers.length; i++) if (i === 0 || headers[i]!.sortKey !== headers[i - 1]!.sortKey) out.push(headers[i]!);
  return out;
}

function resultOf(cmd: ReadCommand, state: ReadState, guard: ReadGuardrails): ReadResult {
  const warnings: string[] = [];
  if (state.stats.tombstonesScanned > guard.tombstoneWarnThreshold) {
    warnings.push(`Read ${state.stats.liveRowsScanned} live rows and ${state.stats.tombstonesScanned} tombstone cells for query `
      + `on ${cmd.table.keyspace}.${cmd.table.name} (tombstone_warn_threshold is ${guard.tombstoneWarnThreshold})`);
  }
  return { partitions: state.partitions, stats: state.stats, warnings };
}

export async function executeRead(view: TableView, cmd: ReadCommand, guard: ReadGuardrails): Promise<ReadResult> {
  const state = newState(cmd);
  if (cmd.partitions.kind === 'keys') {
    const headers = keyHeaders(cmd.partitions.keys);
    for (let i = 0; i < headers.length; i++) {
      if (!visited(view.order, await view.getPartition(headers[i]!, cmd.slices, state.stats), cmd, state, guard)) break;
    }
  } else {
    await scanRange(view, cmd, async (h) => visited(view.order, await view.getPartition(h, cmd.slices, state.stats), cmd, state, guard));
  }
  return resultOf(cmd, state, guard);
}

/**
 * executeRead for a key read, without an await: the same result, or READ_NOT_SYNC when some
 * partition cannot be read synchronously (nothing is kept of the work done; the caller reads again
 * with executeRead). Range reads are never synchronous (READ_NOT_SYNC).
 */
export function executeReadSync(view: SyncTableView, cmd: ReadCommand, guard: ReadGuardrails): ReadResult | typeof READ_NOT_SYNC {
  if (cmd.partitions.kind !== 'keys') return READ_NOT_SYNC;
  const state = newState(cmd);
  const keys = cmd.partitions.keys;
  if (keys.length === 1) {
    // One partition (a point read): no header list.
    const k = keys[0]!;
    const p = view.getPartitionSync({ sortKey: partitionSortKey(k.token, k.key), key: k.key, token: k.token }, cmd.slices, state.stats);
    if (p === READ_NOT_SYNC) return READ_NOT_SYNC;
    visited(view.order, p, cmd, state, guard);
    return resultOf(cmd, state, guard);
  }
  const headers = keyHeaders(keys);
  for (let i = 0; i < headers.length; i++) {
    const p = view.getPartitionSync(headers[i]!, cmd.slices, state.stats);
    if (p === READ_NOT_SYNC) return READ_NOT_SYNC;
    if (!visited(view.order, p, cmd, state, guard)) break;
  }
  return resultOf(cmd, state, guard);
}

/** Token-order segments [fromSortKey, toToken] covering the range (start, end], from `after`. */
function rangeSegments(cmd: ReadCommand): { from: string; toToken: bigint }[] {
  const sel = cmd.partitions;
  if (sel.kind !== 'range') return [];
  const { start, end } = sel.range;
  const fromToken = (t: bigint) => tokenSortPrefix(t);
  let segs: { from: string; toToken: bigint; lowToken: bigint }[];
  if (start === end) segs = [{ from: fromToken(MIN_TOKEN), toToken: MAX_TOKEN, lowToken: MIN_TOKEN }];
  else if (start < end) segs = [{ from: fromToken(start + 1n), toToken: end, lowToken: start + 1n }];
  else segs = [
    { from: start === MAX_TOKEN ? '\uffff' : fromToken(start + 1n), toToken: MAX_TOKEN, lowToken: start + 1n },
    { from: fromToken(MIN_TOKEN), toToken: end, lowToken: MIN_TOKEN },
  ];
  if (!sel.after) return segs;
  const afterKey = partitionSortKey(sel.after.token, sel.after.key) + '\u0000';
  const out: { from: string; toToken: bigint }[] = [];
  let found = false;
  for (const s of segs) {
    if (!found && sel.after.token >= s.lowToken && sel.after.token <= s.toToken) {
      found = true;
      out.push({ from: afterKey, toToken: s.toToken });
    } else if (found) out.push(s);
  }
  return found ? out : segs;
}

async function scanRange(view: TableView, cmd: ReadCommand, visit: (h: PartitionHeader) => Promise<boolean>): Promise<void> {
  const sel = cmd.partitions;
  if (sel.kind !== 'range') return;
  const afterSortKey = sel.after ? partitionSortKey(sel.after.token, sel.after.key) : undefined;
  for (const seg of rangeSegments(cmd)) {
    for await (const h of view.keysFrom(seg.from)) {
      if (h.token > seg.toToken) break;
      if (h.sortKey === afterSortKey) continue;
      if (!(await visit(h))) return;
    }
  }
}

interface SliceKeys { slice: Slice; startKey: CKey; endKey: CKey }

const NO_SLICE_KEYS: SliceKeys[] = [];

function sliceKeys(order: TableOrder, slices: Slice[]): SliceKeys[] {
  if (slices.length === 0) return NO_SLICE_KEYS;
  return slices.map((slice) => ({ slice, startKey: order.key(slice.start.values), endKey: order.key(slice.end.values) }));
}

function inSlices(order: TableOrder, k: CKey, slices: SliceKeys[]): boolean {
  if (slices.length === 0) return true;
  for (let i = 0; i < slices.length; i++) {
    const s = slices[i]!;
    if (afterStart(order, k, s.slice.start, s.startKey) && beforeEnd(order, k, s.slice.end, s.endKey)) return true;
  }
  return false;
}

function selectCells(row: Row, columns: Set<string> | undefined, live: boolean, nowSec: number): Row {
  if (!columns) return row;
  const cells = row.cells.filter((c) => columns.has(c.column));
  const stillLive = cells.some((c) => isLiveCell(c, nowSec))
    || (row.liveness !== undefined && (row.liveness.ttlSec === 0 || row.liveness.localExpirationTimeSec > nowSec));
  if (live && !stillLive) {
    // Keep one live cell so the row still reads as existing (its key is selected even if its values are not).
    const keep = row.cells.find((c) => isLiveCell(c, nowSec)) as Cell;
    cells.push(keep);
  }
  return { ...row, cells };
}

/**
 * True for the common row resolveRow would give back unchanged and live: no deletion in it
 * (the caller checks that none covers it), at least one cell, every cell live. Such a row is used
 * as it is: sources decode a fresh Row for every read.
 */
function nothingToResolve(row: Row, nowSec: number): boolean {
  if (row.deletion !== undefined || row.complexDeletions !== undefined) return false;
  const cells = row.cells;
  if (cells.length === 0) return false;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    if (c.value === null || (c.ttlSec > 0 && c.localExpirationTimeSec <= nowSec)) return false;
  }
  return true;
}

/**
 * True when processInto would give the partition back as it is: nothing deleted in it, no static
 * row, whole (no slices, no paging position, no column selection, in order), every row live with
 * nothing to resolve, and all of it within the limits.
 */
function takenWhole(p: Partition, cmd: ReadCommand, state: ReadState): boolean {
  const n = p.rows.length;
  if (n === 0 || p.partitionDeletion !== undefined || p.rangeTombstones.length !== 0 || p.staticRow !== undefined) return false;
  if (cmd.slices.length !== 0 || (state.first && cmd.afterClustering) || cmd.columns !== undefined || (cmd.reversed && n > 1)) return false;
  if (n > cmd.perPartitionLimit || n > state.rowsLeft) return false;
  for (let i = 0; i < n; i++) if (!nothingToResolve(p.rows[i]!, cmd.nowSec)) return false;
  return true;
}

/** Appends to the result's partitions; the first as a literal (a push to [] reserves 16 slots). */
function addPartition(state: ReadState, p: Partition): void {
  if (state.partitions.length === 0) state.partitions = [p];
  else state.partitions.push(p);
}

function processInto(order: TableOrder, p: Partition, cmd: ReadCommand, state: ReadState): void {
  if (takenWhole(p, cmd, state)) {
    // Sources decode a fresh Partition per read: it is the result (with an array of its own for
    // the range tombstones, as a source's shared empty one may be frozen).
    p.rangeTombstones = [];
    addPartition(state, p);
    state.stats.liveRowsScanned += p.rows.length;
    state.rowsLeft -= p.rows.length;
    state.partitionsLeft--;
    return;
  }
  const slices = sliceKeys(order, cmd.slices);
  const pd = p.partitionDeletion;
  if (pd) state.stats.tombstonesScanned++;
  // No per-read arrays for the common case of no range tombstones (a fresh [] in the result: a
  // source's shared empty array may be frozen, and for-of over a frozen array is slow).
  const rts = p.rangeTombstones.length === 0 ? [] : p.rangeTombstones.filter((rt) => !pd || rt.deletion.markedForDeleteAtMicros > pd.markedForDeleteAtMicros);
  state.stats.tombstonesScanned += rts.length;
  const keyedRts: KeyedRangeTombstone[] = rts.length === 0 ? NO_KEYED_RANGE_TOMBSTONES : keyRangeTombstones(order, rts);
  const out: Partition = { key: p.key, token: p.token, rangeTombstones: rts, rows: [] };
  if (pd) out.partitionDeletion = pd;
  let staticLive = false;
  if (p.staticRow) {
    const r = resolveRow(p.staticRow, pd, cmd.nowSec);
    state.stats.tombstonesScanned += r.tombstones;
    if (r.row) {
      out.staticRow = selectCells(r.row, cmd.columns, r.live, cmd.nowSec);
      staticLive = r.live;
    }
  }
  const afterKey = state.first && cmd.afterClustering ? order.key(cmd.afterClustering) : undefined;
  const perPartitionMax = Math.min(cmd.perPartitionLimit, state.rowsLeft);
  let live = 0;
  const n = p.rows.length;
  for (let i = 0; i < n && live < perPartitionMax; i++) {
    const row = p.rows[cmd.reversed ? n - 1 - i : i]!;
    // The row's sort key only when something compares it (a table without clustering: never).
    const k = slices.length === 0 && afterKey === undefined && keyedRts.length === 0 ? '' : order.key(row.clustering);
    if (!inSlices(order, k, slices)) continue;
    if (afterKey !== undefined) {
      const d = order.compare(k, afterKey);
      if (cmd.reversed ? d >= 0 : d <= 0) continue;
    }
    const outer = keyedRts.length === 0 ? pd : coveringDeletion(order, k, pd, keyedRts);
    if (outer === undefined && nothingToResolve(row, cmd.nowSec)) {
      out.rows.push(selectCells(row, cmd.columns, true, cmd.nowSec));
      live++;
      continue;
    }
    const r = resolveRow(row, outer, cmd.nowSec);
    state.stats.tombstonesScanned += r.tombstones;
    if (!r.row) continue;
    out.rows.push(selectCells(r.row, cmd.columns, r.live, cmd.nowSec));
    if (r.live) live++;
  }
  state.stats.liveRowsScanned += live;
  const wholePartition = cmd.slices.length === 0 && afterKey === undefined;
  const counted = live > 0 ? live : staticLive && wholePartition ? 1 : 0;
  if (out.rows.length > 0 || out.staticRow || out.partitionDeletion || out.rangeTombstones.length > 0) addPartition(state, out);
  if (counted > 0) {
    state.rowsLeft -= counted;
    state.partitionsLeft--;
  }
}
