// SELECT: prepare-time plan (restrictions, selection, ordering, grouping) and execution with
// paging. Pages resume from a Cursor (see _paging.ts): the last partition and clustering consumed
// and the LIMIT / PER PARTITION LIMIT left.

import type { SelectStatement, Term } from '../../cql/ast.js';
import type { KeyspaceMetadata, TableMetadata } from '../../schema/metadata.js';
import type { ColumnSpec, RowsResult } from '../../protocol/messages.js';
import { UNSET } from '../../protocol/messages.js';
import type { ReadCommand, Slice, PartitionSelector, ReadResult } from '../../storage/data.js';
import type { ConsistencyName } from '../../util/errors.js';
import { InvalidRequest } from '../../util/errors.js';
import type { ExecContext, QueryLimits } from './_context.js';
import { analyzeSelectWhere, bindKeys, bindSlices, bindTokenRange, columnOf, compareClustering, type WherePlan, type BoundKey } from './_where.js';
import { compileSelection, type CompiledSelection, type Acc } from './_selection.js';
import { partitionRows, isLiveRow, isLiveCell, type RowView } from './_rows.js';
import { bindFilters, rowMatches, type BoundFilter } from './_filter.js';
import { typeMarkers, evalTerm } from './_terms.js';
import { readSignedInteger } from './_bytes.js';
import { encodePagingState, decodePagingState, type Cursor } from './_paging.js';

export interface SelectPlan {
  kind: 'select';
  table: TableMetadata;
  where: WherePlan;
  selection: CompiledSelection;
  reversed: boolean;
  /** ORDER BY was given (matters for IN queries, which then sort across partitions). */
  ordered: boolean;
  limit?: Term;
  perPartitionLimit?: Term;
  distinct: boolean;
  /** Primary key columns in the GROUP BY (0: none). */
  groupByColumns: number;
  /** Show the static-only row of partitions without live rows. */
  staticOnlyRow: boolean;
}

export function planSelect(stmt: SelectStatement, table: TableMetadata, specs: (ColumnSpec | undefined)[]): SelectPlan {
  const where = analyzeSelectWhere(table, stmt.where, specs, { allowFiltering: stmt.allowFiltering, distinct: stmt.distinct });
  const selection = compileSelection(table, stmt.selection, { json: stmt.json, specs });
  const { reversed, ordered } = planOrdering(stmt, table, where);
  if (stmt.distinct) checkDistinct(stmt, table);
  const groupByColumns = planGroupBy(stmt, table);
  const limitReceiver = (name: string) => ({ keyspace: table.keyspace, table: table.name, name, type: { kind: 'native', name: 'int' } as const });
  if (stmt.limit) typeMarkers(stmt.limit, limitReceiver('[limit]'), specs);
  if (stmt.perPartitionLimit) typeMarkers(stmt.perPartitionLimit, limitReceiver('[per_partition_limit]'), specs);
  const hasStatics = table.columns.size > 0 && [...table.columns.values()].some((c) => c.kind === 'static');
  return {
    kind: 'select', table, where, selection, reversed, ordered, limit: stmt.limit, perPartitionLimit: stmt.perPartitionLimit,
    distinct: stmt.distinct, groupByColumns, staticOnlyRow: hasStatics && !where.hasClusteringRestrictions,
  };
}

function planOrdering(stmt: SelectStatement, table: TableMetadata, where: WherePlan): { reversed: boolean; ordered: boolean } {
  if (stmt.orderBy.length === 0) return { reversed: false, ordered: false };
  let reversed: boolean | null = null;
  stmt.orderBy.forEach((o, i) => {
    const c = columnOf(table, o.column);
    if (c.kind !== 'clustering') throw new InvalidRequest(`Order by is currently only supported on the clustered columns of the PRIMARY KEY, got ${c.name}`);
    if (c.position !== i) throw new InvalidRequest('Order by currently only supports the ordering of columns following their declared order in the PRIMARY KEY');
    const r = (o.order === 'DESC') !== (c.clusteringOrder === 'desc');
    if (reversed !== null && reversed !== r) throw new InvalidRequest('Unsupported order by relation');
    reversed = r;
  });
  if (where.partition.kind !== 'keys') throw new InvalidRequest('ORDER BY is only supported when the partition key is restricted by an EQ or an IN.');
  return { reversed: reversed ?? false, ordered: true };
}

function checkDistinct(stmt: SelectStatement, table: TableMetadata): void {
  if (stmt.selection.kind === 'wildcard') throw new InvalidRequest('SELECT DISTINCT queries must only request partition key columns and/or static columns (not all columns)');
  const named = new Set<string>();
  for (const item of stmt.selection.items) {
    if (item.selector.kind !== 'column') continue;
    const c = columnOf(table, item.selector.name);
    if (c.kind !== 'partition_key' && c.kind !== 'static') throw new InvalidRequest(`SELECT DISTINCT queries must only request partition key columns and/or static columns (not ${c.name})`);
    named.add(c.name);
  }
  const missing = table.partitionKey.filter((c) => !named.has(c.name)).map((c) => c.name);
  if (missing.length > 0 && stmt.selection.items.some((i) => i.selector.kind === 'column')) {
    throw new InvalidRequest(`SELECT DISTINCT queries must request all the partition key columns (missing ${missing.join(', ')})`);
  }
}

function planGroupBy(stmt: SelectStatement, table: TableMetadata): number {
  const keyColumns = [...table.partitionKey, ...table.clustering];
  stmt.groupBy.forEach((name, i) => {
    const c = columnOf(table, name);
    if (c.kind !== 'partition_key' && c.kind !== 'clustering') throw new InvalidRequest(`Group by is currently only supported on the columns of the PRIMARY KEY, got ${c.name}`);
    if (keyColumns[i] !== c) throw new InvalidRequest('Group by currently only support groups of columns following their declared order in the PRIMARY KEY');
  });
  if (stmt.groupBy.length > 0 && stmt.groupBy.length < table.partitionKey.length) {
    throw new InvalidRequest('Group by currently only support groups of columns following their declared order in the PRIMARY KEY');
  }
  return stmt.groupBy.length;
}

// ------------------------------------------------------------------------------ execution

export interface SelectRun {
  keyspace: KeyspaceMetadata;
  cl: ConsistencyName;
  pageSize: number | null;
  pagingState: Buffer | null;
  fingerprint: Buffer;
  limits: QueryLimits;
  read(keyspace: KeyspaceMetadata, cmd: ReadCommand, cl: ConsistencyName): Promise<ReadResult>;
}

type Scope =
  | { kind: 'keys'; keys: BoundKey[] }
  | { kind: 'range'; range: { start: bigint; end: bigint } }
  | { kind: 'empty' };

interface Bound {
  scope: Scope;
  slices: Slice[];
  filters: BoundFilter[];
  limit: number;
  perPartitionLimit: number;
}

function positiveInt(term: Term | undefined, name: string, ctx: ExecContext): number {
  if (!term) return Infinity;
  const v = evalTerm(term, { keyspace: '', table: '', name, type: { kind: 'native', name: 'int' } }, ctx);
  if (v === null || v === UNSET) throw new InvalidRequest(`Invalid null value of ${name}`);
  const n = Number(readSignedInteger(v));
  if (n <= 0) throw new InvalidRequest(`${name === '[limit]' ? 'LIMIT' : 'PER PARTITION LIMIT'} must be strictly positive`);
  return n;
}

// Shared empty lists for the common SELECT without clustering restrictions or filters (never
// mutated; not frozen, as for-of over a frozen array is slow).
const NO_SLICES: Slice[] = [];
const NO_FILTERS: BoundFilter[] = [];

function bindSelect(plan: SelectPlan, ctx: ExecContext, limits: QueryLimits): Bound {
  const { table, where } = plan;
  let scope: Scope;
  switch (where.partition.kind) {
    case 'keys': scope = { kind: 'keys', keys: bindKeys(table, where.partition.columns, ctx, limits) }; break;
    case 'token': {
      const range = bindTokenRange(where.partition, table, ctx);
      scope = range ? { kind: 'range', range } : { kind: 'empty' };
      break;
    }
    case 'scan': scope = { kind: 'range', range: { start: TOKEN_MIN, end: TOKEN_MAX } }; break; // (MIN, MAX]: the whole ring without wrapping; murmur3 never yields MIN
  }
  const slices = bindSlices(table, where.clustering, ctx, limits);
  if (slices !== null && slices.length === 0) scope = { kind: 'empty' };
  return {
    scope, slices: slices ?? NO_SLICES, filters: where.filters.length === 0 ? NO_FILTERS : bindFilters(table, where.filters, ctx),
    limit: positiveInt(plan.limit, '[limit]', ctx),
    perPartitionLimit: plan.distinct ? 1 : positiveInt(plan.perPartitionLimit, '[per_partition_limit]', ctx),
  };
}

interface Chunk {
  views: RowView[];
  /** Consuming every view consumes the whole scope of the read. */
  complete: boolean;
  /** The read covered only the rest of the cursor's partition. */
  partitionOnly: boolean;
}

/**
 * One ReadCommand, built as a literal with every field in one order (object spread here cost
 * more than the rest of a memtable read's query layer: V8 clones spreads on a slow path).
 */
function readCommand(plan: SelectPlan, b: Bound, partitions: PartitionSelector, rowLimit: number, perPartitionLimit: number, ctx: ExecContext): ReadCommand {
  return {
    table: plan.table, partitions, slices: b.slices, reversed: plan.reversed, rowLimit, perPartitionLimit,
    partitionLimit: Infinity, nowSec: ctx.nowSec, afterClustering: undefined,
  };
}

/** The read a chunk needs (cmd null: the chunk is empty and complete without reading). */
interface ChunkRead {
  cmd: ReadCommand | null;
  partitionOnly: boolean;
}

const NO_READ: ChunkRead = Object.freeze({ cmd: null, partitionOnly: false });

function chunkRead(plan: SelectPlan, b: Bound, cursor: Cursor, rowLimit: number, ctx: ExecContext): ChunkRead {
  const pushPpl = b.filters.length === 0 && plan.groupByColumns === 0 ? b.perPartitionLimit : Infinity;
  if (cursor.partition && !cursor.partitionDone) {
    // What is left of the partition's limit applies to raw rows only when the limit counts raw rows.
    const ppl = Number.isFinite(pushPpl) ? Math.min(pushPpl, cursor.remainingInPartition) : Infinity;
    const cmd = readCommand(plan, b, { kind: 'keys', keys: [cursor.partition] }, rowLimit, ppl, ctx);
    cmd.afterClustering = cursor.clustering;
    return { cmd, partitionOnly: true };
  }
  let partitions: PartitionSelector;
  const scope = b.scope;
  switch (scope.kind) {
    case 'empty': return NO_READ;
    case 'keys': {
      let keys = scope.keys;
      if (cursor.partition) {
        const at = keys.findIndex((k) => k.key.equals(cursor.partition!.key));
        keys = keys.slice(at + 1);
      }
      if (keys.length === 0) return NO_READ;
      // The bound keys as they are when none was consumed (a BoundKey is a { key, token } with its parts).
      partitions = { kind: 'keys', keys: keys === scope.keys ? keys : keys.map((k) => ({ key: k.key, token: k.token })) };
      break;
    }
    case 'range':
      partitions = cursor.partition ? { kind: 'range', range: scope.range, after: cursor.partition } : { kind: 'range', range: scope.range };
      break;
  }
  return { cmd: readCommand(plan, b, partitions, rowLimit, pushPpl, ctx), partitionOnly: false };
}

function emptyChunk(): Chunk {
  return { views: [], complete: true, partitionOnly: false };
}

async function readChunk(plan: SelectPlan, b: Bound, cursor: Cursor, rowLimit: number, run: SelectRun, ctx: ExecContext): Promise<Chunk> {
  const r = chunkRead(plan, b, cursor, rowLimit, ctx);
  if (r.cmd === null) return emptyChunk();
  return toChunk(plan, await run.read(run.keyspace, r.cmd, run.cl), ctx, rowLimit, r.partitionOnly, r.cmd);
}

/** readChunk without an await: undefined when the read cannot be answered synchronously (SyncSelectRun.readSync). */
function readChunkSync(plan: SelectPlan, b: Bound, cursor: Cursor, rowLimit: number, run: SyncSelectRun, ctx: ExecContext): Chunk | undefined {
  const r = chunkRead(plan, b, cursor, rowLimit, ctx);
  if (r.cmd === null) return emptyChunk();
  const result = run.readSync(run.keyspace, r.cmd, run.cl);
  return result === undefined ? undefined : toChunk(plan, result, ctx, rowLimit, r.partitionOnly, r.cmd);
}

/**
 * The views of a read's partitions, and whether the read gave everything in its scope: `units`
 * counts what storage counted against the row limit (read.ts: live rows, or 1 for a partition with
 * only a live static row when the read is of whole partitions: no slices, not resumed), so a chunk
 * is complete exactly when storage stopped for want of data.
 */
function toChunk(plan: SelectPlan, result: ReadResult, ctx: ExecContext, rowLimit: number, partitionOnly: boolean, cmd: ReadCommand): Chunk {
  let views: RowView[] = [];
  const resumed = cmd.afterClustering !== undefined;
  const staticCounts = cmd.slices.length === 0 && !resumed;
  let units = 0;
  for (const p of result.partitions) {
    const rows = partitionRows(plan.table, p, ctx.nowSec, { staticOnlyRow: plan.staticOnlyRow && !resumed });
    let liveRows = 0;
    for (let i = 0; i < p.rows.length; i++) if (isLiveRow(p.rows[i]!, ctx.nowSec)) liveRows++;
    const staticLive = staticCounts && p.staticRow?.cells.some((c) => isLiveCell(c, ctx.nowSec)) ? 1 : 0;
    units += Math.max(liveRows, staticLive);
    if (plan.distinct) {
      const first = rows[0] ?? partitionRows(plan.table, p, ctx.nowSec, { staticOnlyRow: true })[0];
      if (first) views.push({ ...first, clustering: null });
    } else if (result.partitions.length === 1) {
      views = rows; // one partition: its views as they are
    } else {
      for (let i = 0; i < rows.length; i++) views.push(rows[i]!);
    }
  }
  for (const w of result.warnings) if (!ctx.warnings.includes(w)) ctx.warnings.push(w);
  return { views, complete: units < rowLimit, partitionOnly };
}

function consumeInto(cursor: Cursor, view: RowView, ppl: number): void {
  if (!cursor.partition || !sameBytes(cursor.partition.key, view.partitionKey)) {
    cursor.partition = { key: view.partitionKey, token: view.token };
    cursor.partitionDone = false;
    cursor.clustering = undefined;
    cursor.remainingInPartition = ppl;
  }
  if (view.clustering === null) cursor.partitionDone = true;
  else cursor.clustering = view.clustering;
}

import { TOKEN_MIN, TOKEN_MAX } from '../../util/murmur3.js';
import { sameBytes } from './_ids.js';

function startCursor(run: SelectRun | SyncSelectRun, b: Bound): Cursor {
  if (run.pagingState) return decodePagingState(run.pagingState, run.fingerprint);
  // Every field from the start (consumeInto sets partition and clustering: no shape change).
  return { partition: undefined, clustering: undefined, partitionDone: false, remaining: b.limit, remainingInPartition: b.perPartitionLimit };
}

export interface SelectOutput {
  rows: (Buffer | null)[][];
  pagingState: Buffer | null;
}

/** Runs a SELECT for one page. */
export async function executeSelect(plan: SelectPlan, ctx: ExecContext, run: SelectRun): Promise<SelectOutput> {
  const b = bindSelect(plan, ctx, run.limits);
  if (plan.where.partition.kind !== 'keys' && plan.selection.aggregate) ctx.warnings.push('Aggregation query used without partition key');
  if (plan.selection.aggregate && plan.groupByColumns === 0) return aggregateAll(plan, b, ctx, run);
  if (plan.ordered && b.scope.kind === 'keys' && b.scope.keys.length > 1) {
    if (run.pageSize !== null) {
      throw new InvalidRequest('Cannot page queries with both ORDER BY and a IN restriction on the partition key; you must either remove the ORDER BY or the IN and sort client side, or disable paging for this query');
    }
    return sortedAcrossPartitions(plan, b, ctx, run);
  }
  if (plan.groupByColumns > 0) return groupedPage(plan, b, ctx, run);
  return plainPage(plan, b, ctx, run);
}

/** What a SELECT read without an await needs: SelectRun with a synchronous read instead of read(). */
export interface SyncSelectRun extends Omit<SelectRun, 'read'> {
  /** The read's result, or undefined when it cannot be answered synchronously. Throws what read() rejects with. */
  readSync(keyspace: KeyspaceMetadata, cmd: ReadCommand, cl: ConsistencyName): ReadResult | undefined;
}

/**
 * Whether executeSelectSync may answer the plan: one partition named by equalities on the whole
 * partition key, rows taken as they come (no aggregate or GROUP BY): executeSelect's plainPage.
 */
export function selectsSyncable(plan: SelectPlan): boolean {
  const p = plan.where.partition;
  return p.kind === 'keys' && p.columns.every((k) => k.kind === 'eq') && !plan.selection.aggregate && plan.groupByColumns === 0;
}

/**
 * executeSelect for a plan that selectsSyncable() accepts, without an await: the same page, or
 * undefined when some read cannot be answered synchronously (nothing is kept: the caller runs
 * executeSelect with a fresh context). Throws what executeSelect rejects with.
 */
export function executeSelectSync(plan: SelectPlan, ctx: ExecContext, run: SyncSelectRun): SelectOutput | undefined {
  const b = bindSelect(plan, ctx, run.limits);
  return plainPageSync(plan, b, ctx, run);
}

function pageSizeOf(run: SelectRun | SyncSelectRun): number {
  if (run.pageSize === null) return run.limits.unpagedRowsMax;
  return run.pageSize > 0 ? run.pageSize : run.limits.defaultPageSize;
}

function rowOf(plan: SelectPlan, view: RowView, ctx: ExecContext): (Buffer | null)[] {
  const sels = plan.selection.sels;
  const row = new Array<Buffer | null>(sels.length); // sized once: a push to [] reserves 16 slots
  for (let i = 0; i < sels.length; i++) {
    const s = sels[i]!;
    if (s.rowValue !== undefined) { row[i] = s.rowValue(view, ctx); continue; }
    const acc = s.make();
    acc.add(view, ctx);
    row[i] = acc.result(ctx);
  }
  return row;
}

/** A plain page being filled: the cursor, the page size and the rows so far. */
interface PageState {
  cursor: Cursor;
  pageSize: number;
  rows: (Buffer | null)[][];
}

function startPage(b: Bound, run: SelectRun | SyncSelectRun): PageState {
  if (run.pageSize === null && Number.isFinite(b.limit) && b.limit > run.limits.unpagedRowsMax) {
    throw new InvalidRequest(`Unpaged queries may return at most ${run.limits.unpagedRowsMax} rows; use paging`);
  }
  return { cursor: startCursor(run, b), pageSize: pageSizeOf(run), rows: [] };
}

/** Row limit of the page's next read. */
function nextRowLimit(page: PageState, b: Bound, run: SelectRun | SyncSelectRun): number {
  const want = Math.min(page.pageSize - page.rows.length, page.cursor.remaining);
  return b.filters.length > 0 ? run.limits.internalPageRows : want;
}

/** Takes a chunk's rows into the page: the page's output once it is complete, null to read on. */
function takeChunk(plan: SelectPlan, b: Bound, ctx: ExecContext, run: SelectRun | SyncSelectRun, page: PageState, chunk: Chunk): SelectOutput | null {
  const { cursor, pageSize } = page;
  let rows = page.rows;
  for (let i = 0; i < chunk.views.length; i++) {
    const view = chunk.views[i]!;
    consumeInto(cursor, view, b.perPartitionLimit);
    if (cursor.remainingInPartition <= 0) { cursor.partitionDone = true; continue; }
    if (!rowMatches(b.filters, view, ctx)) continue;
    const row = rowOf(plan, view, ctx);
    // The page's first row makes its list as a literal (a push to [] reserves 16 slots).
    if (rows.length === 0) page.rows = rows = [row];
    else rows.push(row);
    cursor.remaining--;
    cursor.remainingInPartition--;
    if (cursor.remainingInPartition <= 0) cursor.partitionDone = true;
    if (rows.length >= pageSize || cursor.remaining <= 0) {
      const last = i === chunk.views.length - 1 && chunk.complete && !chunk.partitionOnly;
      if (last || cursor.remaining <= 0) return { rows, pagingState: null };
      if (run.pageSize === null) throw new InvalidRequest(`Unpaged query returned more than ${run.limits.unpagedRowsMax} rows; use paging`);
      return { rows, pagingState: encodePagingState(cursor, run.fingerprint) };
    }
  }
  if (chunk.complete) {
    if (!chunk.partitionOnly) return { rows, pagingState: null };
    cursor.partitionDone = true;
  }
  return null;
}

async function plainPage(plan: SelectPlan, b: Bound, ctx: ExecContext, run: SelectRun): Promise<SelectOutput> {
  const page = startPage(b, run);
  for (;;) {
    if (page.cursor.remaining <= 0) return { rows: page.rows, pagingState: null };
    const chunk = await readChunk(plan, b, page.cursor, nextRowLimit(page, b, run), run, ctx);
    const out = takeChunk(plan, b, ctx, run, page, chunk);
    if (out !== null) return out;
  }
}

/** plainPage without an await: its output, or undefined as soon as a read cannot be answered synchronously. */
function plainPageSync(plan: SelectPlan, b: Bound, ctx: ExecContext, run: SyncSelectRun): SelectOutput | undefined {
  const page = startPage(b, run);
  for (;;) {
    if (page.cursor.remaining <= 0) return { rows: page.rows, pagingState: null };
    const chunk = readChunkSync(plan, b, page.cursor, nextRowLimit(page, b, run), run, ctx);
    if (chunk === undefined) return undefined;
    const out = takeChunk(plan, b, ctx, run, page, chunk);
    if (out !== null) return out;
  }
}

/** Reads every row in scope (bounded by unpagedRowsMax) and hands them to `each`. */
async function forEachView(plan: SelectPlan, b: Bound, ctx: ExecContext, run: SelectRun, each: (v: RowView) => void): Promise<void> {
  const cursor: Cursor = { partitionDone: false, remaining: Infinity, remainingInPartition: b.perPartitionLimit };
  let seen = 0;
  for (;;) {
    const chunk = await readChunk(plan, b, cursor, run.limits.internalPageRows, run, ctx);
    for (const view of chunk.views) {
      consumeInto(cursor, view, b.perPartitionLimit);
      if (cursor.remainingInPartition <= 0) { cursor.partitionDone = true; continue; }
      if (!rowMatches(b.filters, view, ctx)) continue;
      cursor.remainingInPartition--;
      if (cursor.remainingInPartition <= 0) cursor.partitionDone = true;
      each(view);
      if (++seen > run.limits.unpagedRowsMax * 100) throw new InvalidRequest('Query scans too many rows');
    }
    if (chunk.complete) {
      if (!chunk.partitionOnly) return;
      cursor.partitionDone = true;
    }
  }
}

async function aggregateAll(plan: SelectPlan, b: Bound, ctx: ExecContext, run: SelectRun): Promise<SelectOutput> {
  if (run.pagingState) return { rows: [], pagingState: null };
  const accs: Acc[] = plan.selection.sels.map((s) => s.make());
  await forEachView(plan, b, ctx, run, (view) => { for (const a of accs) a.add(view, ctx); });
  return { rows: [accs.map((a) => a.result(ctx))], pagingState: null };
}

async function sortedAcrossPartitions(plan: SelectPlan, b: Bound, ctx: ExecContext, run: SelectRun): Promise<SelectOutput> {
  const views: RowView[] = [];
  await forEachView(plan, b, ctx, run, (v) => { views.push(v); });
  const sign = plan.reversed ? -1 : 1;
  views.sort((x, y) => sign * compareClustering(plan.table, x.clustering ?? [], y.clustering ?? []));
  const rows = views.slice(0, Number.isFinite(b.limit) ? b.limit : views.length).map((v) => rowOf(plan, v, ctx));
  return { rows, pagingState: null };
}

function groupKey(plan: SelectPlan, view: RowView): string {
  const pkCount = plan.table.partitionKey.length;
  const parts = [view.partitionKey.toString('hex')];
  const n = plan.groupByColumns - pkCount;
  for (let i = 0; i < n; i++) parts.push(view.clustering?.[i]?.toString('hex') ?? '');
  return parts.join(':');
}

async function groupedPage(plan: SelectPlan, b: Bound, ctx: ExecContext, run: SelectRun): Promise<SelectOutput> {
  const cursor = startCursor(run, b);
  const pageSize = pageSizeOf(run);
  const rows: (Buffer | null)[][] = [];
  let current: { key: string; accs: Acc[]; cursorAfter: Cursor } | null = null;
  const finish = (): void => {
    if (!current) return;
    rows.push(current.accs.map((a) => a.result(ctx)));
    cursor.remaining--;
    current = null;
  };
  for (;;) {
    if (cursor.remaining <= 0) return { rows, pagingState: null };
    const chunk = await readChunk(plan, b, cursor, run.limits.internalPageRows, run, ctx);
    for (const view of chunk.views) {
      const before: Cursor = { ...cursor };
      consumeInto(cursor, view, b.perPartitionLimit);
      if (!rowMatches(b.filters, view, ctx)) continue;
      const key = groupKey(plan, view);
      const cur = current as { key: string; accs: Acc[]; cursorAfter: Cursor } | null;
      if (cur && cur.key !== key) {
        finish();
        if (rows.length >= pageSize || cursor.remaining <= 0) {
          if (cursor.remaining <= 0) return { rows, pagingState: null };
          return { rows, pagingState: encodePagingState({ ...before, remaining: cursor.remaining }, run.fingerprint) };
        }
      }
      if (!current) {
        // PER PARTITION LIMIT counts groups: a partition that has used its groups is skipped.
        if (cursor.remainingInPartition <= 0) { cursor.partitionDone = true; continue; }
        cursor.remainingInPartition--;
        current = { key, accs: plan.selection.sels.map((s) => s.make()), cursorAfter: cursor };
      }
      for (const a of (current as { accs: Acc[] }).accs) a.add(view, ctx);
    }
    if (chunk.complete) {
      if (!chunk.partitionOnly) {
        finish();
        return { rows, pagingState: null };
      }
      cursor.partitionDone = true;
    }
  }
}

export function rowsResult(columns: ColumnSpec[], out: SelectOutput, skipMetadata: boolean): RowsResult {
  return { kind: 'rows', columns, rows: out.rows, pagingState: out.pagingState, noMetadata: skipMetadata, newMetadataId: null };
}
