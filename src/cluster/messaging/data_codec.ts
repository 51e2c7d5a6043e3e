// Wire form of the shared data model (src/storage/data.ts): PartitionUpdate, ReadCommand,
// ReadResult. Only types are imported from storage and schema (erased at runtime), so the
// messaging layer stays below them. A table travels as its id; the receiver resolves it through
// its schema and fails the message with UnknownTable when it does not know the id (yet).

import { ByteReader, ByteWriter } from '../../util/bytes.js';
import type { TableMetadata } from '../../schema/metadata.js';
import type {
  Cell, ClusteringBound, DeletionTime, LivenessInfo, Partition, PartitionSelector, PartitionUpdate,
  RangeTombstone, ReadCommand, ReadResult, Row, Slice,
} from '../../storage/data.js';
import {
  MalformedMessage, readBool, readBytes, readList, readOptional, readSafeInt, readString,
  writeBytes, writeList, writeOptional, writeSafeInt, writeString,
} from './_wire.js';

/** A message names a table this node's schema does not have (e.g. schema not yet pulled). */
export class UnknownTable extends Error {
  override name = 'UnknownTable';
  constructor(readonly tableId: string) {
    super(`unknown table id ${tableId} (schema not in agreement yet?)`);
  }
}

/** How the receiver finds a table by id. */
export type TableResolver = (tableId: string) => TableMetadata | undefined;

const CELL_HAS_PATH = 1;
const CELL_TOMBSTONE = 2;
const CELL_COUNTER = 4;
const CELL_FLAGS_ALL = CELL_HAS_PATH | CELL_TOMBSTONE | CELL_COUNTER;

// ---- small parts -------------------------------------------------------------------------------

function writeDeletion(w: ByteWriter, d: DeletionTime): void {
  writeSafeInt(w, d.markedForDeleteAtMicros);
  writeSafeInt(w, d.localDeletionTimeSec);
}

function readDeletion(r: ByteReader): DeletionTime {
  return { markedForDeleteAtMicros: readSafeInt(r), localDeletionTimeSec: readSafeInt(r) };
}

function writeLiveness(w: ByteWriter, l: LivenessInfo): void {
  writeSafeInt(w, l.timestampMicros);
  writeSafeInt(w, l.ttlSec);
  writeSafeInt(w, l.localExpirationTimeSec);
}

function readLiveness(r: ByteReader): LivenessInfo {
  return { timestampMicros: readSafeInt(r), ttlSec: readSafeInt(r), localExpirationTimeSec: readSafeInt(r) };
}

function writeCell(w: ByteWriter, c: Cell): void {
  const flags = (c.path ? CELL_HAS_PATH : 0) | (c.value === null ? CELL_TOMBSTONE : 0) | (c.counter ? CELL_COUNTER : 0);
  w.u8(flags);
  writeString(w, c.column);
  if (c.path) writeBytes(w, c.path);
  if (c.value !== null) writeBytes(w, c.value);
  writeSafeInt(w, c.timestampMicros);
  writeSafeInt(w, c.ttlSec);
  writeSafeInt(w, c.localExpirationTimeSec);
}

function readCell(r: ByteReader): Cell {
  const flags = r.u8();
  if ((flags & ~CELL_FLAGS_ALL) !== 0) throw new MalformedMessage(`cell flags ${flags}`);
  const column = readString(r);
  const path = flags & CELL_HAS_PATH ? readBytes(r) : undefined;
  const value = flags & CELL_TOMBSTONE ? null : readBytes(r);
  const cell: Cell = { column, value, timestampMicros: readSafeInt(r), ttlSec: readSafeInt(r), localExpirationTimeSec: readSafeInt(r) };
  if (path) cell.path = path;
  if (flags & CELL_COUNTER) cell.counter = true;
  return cell;
}

function writeRow(w: ByteWriter, row: Row): void {
  writeList(w, row.clustering, writeBytes);
  writeOptional(w, row.liveness, writeLiveness);
  writeOptional(w, row.deletion, writeDeletion);
  writeOptional(w, row.complexDeletions, (w2, list) => writeList(w2, list, (w3, d) => {
    writeString(w3, d.column);
    writeDeletion(w3, d.deletion);
  }));
  writeList(w, row.cells, writeCell);
}

function readRow(r: ByteReader): Row {
  const clustering = readList(r, readBytes);
  const liveness = readOptional(r, readLiveness);
  const deletion = readOptional(r, readDeletion);
  const complexDeletions = readOptional(r, (r2) => readList(r2, (r3) => ({ column: readString(r3), deletion: readDeletion(r3) })));
  const row: Row = { clustering, cells: readList(r, readCell) };
  if (liveness) row.liveness = liveness;
  if (deletion) row.deletion = deletion;
  if (complexDeletions) row.complexDeletions = complexDeletions;
  return row;
}

function writeBound(w: ByteWriter, b: ClusteringBound): void {
  writeList(w, b.values, writeBytes);
  w.u8(b.inclusive ? 1 : 0);
}

function readBound(r: ByteReader): ClusteringBound {
  return { values: readList(r, readBytes), inclusive: readBool(r) };
}

function writeSlice(w: ByteWriter, s: Slice): void {
  writeBound(w, s.start);
  writeBound(w, s.end);
}

function readSlice(r: ByteReader): Slice {
  return { start: readBound(r), end: readBound(r) };
}

function writeRangeTombstone(w: ByteWriter, t: RangeTombstone): void {
  writeSlice(w, t.slice);
  writeDeletion(w, t.deletion);
}

function readRangeTombstone(r: ByteReader): RangeTombstone {
  return { slice: readSlice(r), deletion: readDeletion(r) };
}

/** Partition contents shared by PartitionUpdate and Partition (after key and token). */
function writeContents(w: ByteWriter, p: Partition | PartitionUpdate): void {
  writeBytes(w, p.key);
  w.i64(p.token);
  writeOptional(w, p.partitionDeletion, writeDeletion);
  writeList(w, p.rangeTombstones, writeRangeTombstone);
  writeOptional(w, p.staticRow, writeRow);
  writeList(w, p.rows, writeRow);
}

function readContents(r: ByteReader): Partition {
  const key = readBytes(r);
  const token = r.i64();
  const partitionDeletion = readOptional(r, readDeletion);
  const rangeTombstones = readList(r, readRangeTombstone);
  const staticRow = readOptional(r, readRow);
  const p: Partition = { key, token, rangeTombstones, rows: readList(r, readRow) };
  if (partitionDeletion) p.partitionDeletion = partitionDeletion;
  if (staticRow) p.staticRow = staticRow;
  return p;
}

// ---- the three payloads --------------------------------------------------------------------------

export function writePartitionUpdate(w: ByteWriter, u: PartitionUpdate): void {
  writeString(w, u.tableId);
  writeContents(w, u);
}

export function readPartitionUpdate(r: ByteReader, tables: TableResolver): PartitionUpdate {
  const tableId = readString(r);
  if (!tables(tableId)) throw new UnknownTable(tableId);
  return { tableId, ...readContents(r) };
}

function writeSelector(w: ByteWriter, s: PartitionSelector): void {
  if (s.kind === 'keys') {
    w.u8(0);
    writeList(w, s.keys, (w2, k) => { writeBytes(w2, k.key); w2.i64(k.token); });
    return;
  }
  w.u8(1);
  w.i64(s.range.start);
  w.i64(s.range.end);
  writeOptional(w, s.after, (w2, a) => { writeBytes(w2, a.key); w2.i64(a.token); });
}

function readSelector(r: ByteReader): PartitionSelector {
  const kind = r.u8();
  if (kind === 0) return { kind: 'keys', keys: readList(r, (r2) => ({ key: readBytes(r2), token: r2.i64() })) };
  if (kind !== 1) throw new MalformedMessage(`partition selector kind ${kind}`);
  const range = { start: r.i64(), end: r.i64() };
  const after = readOptional(r, (r2) => ({ key: readBytes(r2), token: r2.i64() }));
  return after ? { kind: 'range', range, after } : { kind: 'range', range };
}

/** Limits may be Infinity: they travel as f64. */
export function writeReadCommand(w: ByteWriter, c: ReadCommand): void {
  writeString(w, c.table.id);
  writeSelector(w, c.partitions);
  writeList(w, c.slices, writeSlice);
  w.u8(c.reversed ? 1 : 0);
  writeOptional(w, c.afterClustering, (w2, list) => writeList(w2, list, writeBytes));
  w.f64(c.rowLimit);
  w.f64(c.perPartitionLimit);
  w.f64(c.partitionLimit);
  writeOptional(w, c.columns ? [...c.columns] : undefined, (w2, list) => writeList(w2, list, writeString));
  writeSafeInt(w, c.nowSec);
}

export function readReadCommand(r: ByteReader, tables: TableResolver): ReadCommand {
  const tableId = readString(r);
  const table = tables(tableId);
  if (!table) throw new UnknownTable(tableId);
  const partitions = readSelector(r);
  const slices = readList(r, readSlice);
  const reversed = readBool(r);
  const afterClustering = readOptional(r, (r2) => readList(r2, readBytes));
  const rowLimit = readLimit(r), perPartitionLimit = readLimit(r), partitionLimit = readLimit(r);
  const columns = readOptional(r, (r2) => readList(r2, readString));
  const command: ReadCommand = { table, partitions, slices, reversed, rowLimit, perPartitionLimit, partitionLimit, nowSec: readSafeInt(r) };
  if (afterClustering) command.afterClustering = afterClustering;
  if (columns) command.columns = new Set(columns);
  return command;
}

function readLimit(r: ByteReader): number {
  const v = r.f64();
  if (!(v >= 0)) throw new MalformedMessage(`read limit ${v}`);
  return v;
}

export function writeReadResult(w: ByteWriter, result: ReadResult): void {
  writeList(w, result.partitions, writeContents);
  writeSafeInt(w, result.stats.sstablesRead);
  writeSafeInt(w, result.stats.tombstonesScanned);
  writeSafeInt(w, result.stats.liveRowsScanned);
  writeList(w, result.warnings, writeString);
}

export function readReadResult(r: ByteReader): ReadResult {
  const partitions = readList(r, readContents);
  const stats = { sstablesRead: readSafeInt(r), tombstonesScanned: readSafeInt(r), liveRowsScanned: readSafeInt(r) };
  return { partitions, stats, warnings: readList(r, readString) };
}
