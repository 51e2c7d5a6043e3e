// The memtable's row record: one Row (data.ts) encoded into slab bytes. Self-delimiting, little
// endian, no alignment; the layout table is in this folder's README. Decoding makes a fresh Row
// whose clustering values, paths and cell values are views into the slab (slabs are never
// changed once written, so the views stay valid for as long as anyone holds them).
//
// Column names are stored as 2-byte ids of a per-memtable dictionary (RecordRefs), so a decoded
// cell's `column` is the same interned string every time. Values of VALUE_BY_REFERENCE_BYTES_MIN
// or more are not copied: the record holds a 4-byte index of the Buffer kept in RecordRefs (a
// copy of a 256 KiB value would cost a memcpy per write and leave the request body as garbage;
// Storage.apply's ownership rule lets storage keep the buffers it is given).

import { assert } from '../../util/assert.js';
import type { Cell, DeletionTime, Row } from '../data.js';

const ROW_FLAG_LIVENESS = 0x01;
const ROW_FLAG_LIVENESS_EXPIRY = 0x02;
const ROW_FLAG_DELETION = 0x04;
const ROW_FLAG_COMPLEX_DELETIONS = 0x08;

const CELL_FLAG_PATH = 0x01;
const CELL_FLAG_TOMBSTONE = 0x02; // value null
const CELL_FLAG_COUNTER = 0x04;
const CELL_FLAG_EXPIRY = 0x08; // ttlSec or localExpirationTimeSec non-zero
const CELL_FLAG_VALUE_BY_REFERENCE = 0x10; // value is a 4-byte index into RecordRefs' values

const FLAGS_BYTES = 1;
const COUNT16_BYTES = 2;
const COUNT32_BYTES = 4;
const LENGTH_BYTES = 4;
const COLUMN_ID_BYTES = 2;
const TIMESTAMP_BYTES = 8; // f64: microseconds are integers below 2^53
const TTL_BYTES = 8; // f64: any number a caller passes reads back unchanged (no range to assert on the apply path)
const LOCAL_TIME_BYTES = 8; // f64: local expiration/deletion seconds (0x7fffffff and beyond 2038 fit)
const EXPIRY_BYTES = TTL_BYTES + LOCAL_TIME_BYTES;
const DELETION_BYTES = TIMESTAMP_BYTES + LOCAL_TIME_BYTES;
const CELL_FIXED_BYTES = FLAGS_BYTES + COLUMN_ID_BYTES + TIMESTAMP_BYTES;
const ROW_FIXED_BYTES = FLAGS_BYTES + COUNT16_BYTES + COUNT32_BYTES;

const COLUMN_IDS_MAX = 0xffff;
const VALUE_REFERENCE_BYTES = 4;
/** Cell values at least this large are kept by reference, not copied into the slab. */
export const VALUE_BY_REFERENCE_BYTES_MIN = 64 * 1024;
const CLUSTERING_VALUES_MAX = 0xffff;
/** Values up to this size are copied by a loop (cheaper than a native call). */
const SHORT_COPY_BYTES = 32;

/**
 * What records refer to, per memtable: column name ⇄ 2-byte id (grows with the columns written;
 * bounded by COLUMN_IDS_MAX), and the large values kept by reference, each once, with the number
 * of live records referring to it: a value no live record refers to any more (its row was
 * overwritten) is let go at once, as the object memtable let go of a replaced cell.
 */
export class RecordRefs {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly values: (Buffer | null)[] = [];
  private readonly referrers: number[] = [];
  private readonly valueIndexes = new Map<Buffer, number>();
  /** Bytes of every value ever kept by reference (never decreases, like the memtable's other counts). */
  valueBytes = 0;
  /** Values ever kept by reference. */
  valueCount = 0;

  /** The index of v, counting one more record that refers to it. */
  valueIndexOf(v: Buffer): number {
    const known = this.valueIndexes.get(v);
    if (known !== undefined) {
      this.referrers[known]!++;
      return known;
    }
    this.values.push(v);
    this.referrers.push(1);
    this.valueIndexes.set(v, this.values.length - 1);
    this.valueBytes += v.length;
    this.valueCount++;
    return this.values.length - 1;
  }

  /** One record fewer refers to v (a value read back from a superseded record); at none, v is let go. */
  release(v: Buffer): void {
    const i = this.valueIndexes.get(v);
    assert(i !== undefined && this.referrers[i]! > 0, 'memtable released a value it does not hold');
    if (--this.referrers[i]! > 0) return;
    this.values[i] = null;
    this.valueIndexes.delete(v);
  }

  valueAt(i: number): Buffer {
    const v = this.values[i];
    if (v === undefined || v === null) assert(false, `memtable value reference ${i} unknown or let go`);
    return v;
  }

  idOf(name: string): number {
    const id = this.ids.get(name);
    if (id !== undefined) return id;
    assert(this.names.length < COLUMN_IDS_MAX, 'memtable column dictionary full');
    this.names.push(name);
    this.ids.set(name, this.names.length - 1);
    return this.names.length - 1;
  }

  nameOf(id: number): string {
    const name = this.names[id];
    if (name === undefined) assert(false, `memtable column id ${id} unknown`); // message built on failure only
    return name;
  }
}

/** Whether encodeRow keeps this value by reference (then RecordRefs.release it when its record is superseded). */
export function isValueByReference(v: Buffer | null): boolean {
  return v !== null && v.length >= VALUE_BY_REFERENCE_BYTES_MIN;
}

/** Bytes encodeRow writes for this row. */
export function encodedRowBytes(row: Row): number {
  let n = ROW_FIXED_BYTES;
  const clustering = row.clustering;
  for (let i = 0; i < clustering.length; i++) n += LENGTH_BYTES + clustering[i]!.length;
  if (row.liveness !== undefined) {
    n += TIMESTAMP_BYTES;
    if (row.liveness.ttlSec !== 0 || row.liveness.localExpirationTimeSec !== 0) n += EXPIRY_BYTES;
  }
  if (row.deletion !== undefined) n += DELETION_BYTES;
  const cds = row.complexDeletions;
  if (cds !== undefined && cds.length > 0) n += COUNT16_BYTES + cds.length * (COLUMN_ID_BYTES + DELETION_BYTES);
  const cells = row.cells;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    n += CELL_FIXED_BYTES;
    if (c.ttlSec !== 0 || c.localExpirationTimeSec !== 0) n += EXPIRY_BYTES;
    if (c.path !== undefined) n += LENGTH_BYTES + c.path.length;
    if (c.value !== null) n += isValueByReference(c.value) ? VALUE_REFERENCE_BYTES : LENGTH_BYTES + c.value.length;
  }
  return n;
}

/** Writes the row at `at` (exactly encodedRowBytes(row) bytes); returns the end offset. */
export function encodeRow(b: Buffer, at: number, row: Row, columns: RecordRefs): number {
  const cds = row.complexDeletions !== undefined && row.complexDeletions.length > 0 ? row.complexDeletions : undefined;
  const lv = row.liveness;
  const lvExpiry = lv !== undefined && (lv.ttlSec !== 0 || lv.localExpirationTimeSec !== 0);
  b[at++] = (lv !== undefined ? ROW_FLAG_LIVENESS : 0) | (lvExpiry ? ROW_FLAG_LIVENESS_EXPIRY : 0)
    | (row.deletion !== undefined ? ROW_FLAG_DELETION : 0) | (cds !== undefined ? ROW_FLAG_COMPLEX_DELETIONS : 0);
  const clustering = row.clustering;
  assert(clustering.length <= CLUSTERING_VALUES_MAX, 'too many clustering values');
  at = u16(b, at, clustering.length);
  for (let i = 0; i < clustering.length; i++) at = bytes(b, at, clustering[i]!);
  if (lv !== undefined) {
    at = b.writeDoubleLE(lv.timestampMicros, at);
    if (lvExpiry) at = expiry(b, at, lv.ttlSec, lv.localExpirationTimeSec);
  }
  if (row.deletion !== undefined) at = deletion(b, at, row.deletion);
  if (cds !== undefined) {
    at = u16(b, at, cds.length);
    for (const cd of cds) {
      at = u16(b, at, columns.idOf(cd.column));
      at = deletion(b, at, cd.deletion);
    }
  }
  const cells = row.cells;
  at = u32(b, at, cells.length);
  for (let i = 0; i < cells.length; i++) at = encodeCell(b, at, cells[i]!, columns);
  return at;
}

function encodeCell(b: Buffer, at: number, c: Cell, columns: RecordRefs): number {
  const hasExpiry = c.ttlSec !== 0 || c.localExpirationTimeSec !== 0;
  const byReference = isValueByReference(c.value);
  b[at++] = (c.path !== undefined ? CELL_FLAG_PATH : 0) | (c.value === null ? CELL_FLAG_TOMBSTONE : 0)
    | (c.counter === true ? CELL_FLAG_COUNTER : 0) | (hasExpiry ? CELL_FLAG_EXPIRY : 0) | (byReference ? CELL_FLAG_VALUE_BY_REFERENCE : 0);
  at = u16(b, at, columns.idOf(c.column));
  at = b.writeDoubleLE(c.timestampMicros, at);
  if (hasExpiry) at = expiry(b, at, c.ttlSec, c.localExpirationTimeSec);
  if (c.path !== undefined) at = bytes(b, at, c.path);
  if (byReference) at = u32(b, at, columns.valueIndexOf(c.value!));
  else if (c.value !== null) at = bytes(b, at, c.value);
  return at;
}

function u16(b: Buffer, at: number, v: number): number {
  b[at] = v & 0xff;
  b[at + 1] = v >>> 8;
  return at + 2;
}

function u32(b: Buffer, at: number, v: number): number {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = v >>> 24;
  return at + 4;
}

function bytes(b: Buffer, at: number, v: Buffer): number {
  at = u32(b, at, v.length);
  if (v.length <= SHORT_COPY_BYTES) {
    for (let i = 0; i < v.length; i++) b[at + i] = v[i]!;
  } else b.set(v, at);
  return at + v.length;
}

function expiry(b: Buffer, at: number, ttlSec: number, localTimeSec: number): number {
  at = b.writeDoubleLE(ttlSec, at);
  return b.writeDoubleLE(localTimeSec, at);
}

function deletion(b: Buffer, at: number, d: DeletionTime): number {
  at = b.writeDoubleLE(d.markedForDeleteAtMicros, at);
  return b.writeDoubleLE(d.localDeletionTimeSec, at);
}

// ---- decoding ----------------------------------------------------------------------------------

function readU16(b: Buffer, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}

function readU32(b: Buffer, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;
}

/** The row's clustering values (views into b), without decoding the rest. */
export function decodeClustering(b: Buffer, at: number): Buffer[] {
  const n = readU16(b, at + FLAGS_BYTES);
  at += FLAGS_BYTES + COUNT16_BYTES;
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const len = readU32(b, at);
    out.push(b.subarray(at + LENGTH_BYTES, at + LENGTH_BYTES + len));
    at += LENGTH_BYTES + len;
  }
  return out;
}

/** The row at `at`, as a new Row whose buffers are views into b. */
export function decodeRow(b: Buffer, at: number, columns: RecordRefs, sharedEmptyClustering: Buffer[]): Row {
  const flags = b[at]!;
  const nClustering = readU16(b, at + FLAGS_BYTES);
  let clustering = sharedEmptyClustering;
  at += FLAGS_BYTES + COUNT16_BYTES;
  if (nClustering > 0) {
    clustering = [];
    for (let i = 0; i < nClustering; i++) {
      const len = readU32(b, at);
      clustering.push(b.subarray(at + LENGTH_BYTES, at + LENGTH_BYTES + len));
      at += LENGTH_BYTES + len;
    }
  }
  const row: Row = { clustering, cells: [] };
  if ((flags & ROW_FLAG_LIVENESS) !== 0) {
    const timestampMicros = b.readDoubleLE(at);
    at += TIMESTAMP_BYTES;
    let ttlSec = 0;
    let localExpirationTimeSec = 0;
    if ((flags & ROW_FLAG_LIVENESS_EXPIRY) !== 0) {
      ttlSec = b.readDoubleLE(at);
      localExpirationTimeSec = b.readDoubleLE(at + TTL_BYTES);
      at += EXPIRY_BYTES;
    }
    row.liveness = { timestampMicros, ttlSec, localExpirationTimeSec };
  }
  if ((flags & ROW_FLAG_DELETION) !== 0) {
    row.deletion = readDeletion(b, at);
    at += DELETION_BYTES;
  }
  if ((flags & ROW_FLAG_COMPLEX_DELETIONS) !== 0) {
    const n = readU16(b, at);
    at += COUNT16_BYTES;
    const cds: { column: string; deletion: DeletionTime }[] = [];
    for (let i = 0; i < n; i++) {
      cds.push({ column: columns.nameOf(readU16(b, at)), deletion: readDeletion(b, at + COLUMN_ID_BYTES) });
      at += COLUMN_ID_BYTES + DELETION_BYTES;
    }
    row.complexDeletions = cds;
  }
  const nCells = readU32(b, at);
  at += COUNT32_BYTES;
  // Sized once (a pushed-to empty array reserves 16 slots at its first push; rows are decoded per read).
  if (nCells > 0) row.cells = new Array<Cell>(nCells);
  for (let i = 0; i < nCells; i++) at = decodeCell(b, at, columns, row.cells, i);
  return row;
}

function readDeletion(b: Buffer, at: number): DeletionTime {
  return { markedForDeleteAtMicros: b.readDoubleLE(at), localDeletionTimeSec: b.readDoubleLE(at + TIMESTAMP_BYTES) };
}

/** Decodes the cell at `at` into out[index]; returns the offset after it. */
function decodeCell(b: Buffer, at: number, columns: RecordRefs, out: Cell[], index: number): number {
  const flags = b[at]!;
  const column = columns.nameOf(readU16(b, at + FLAGS_BYTES));
  const timestampMicros = b.readDoubleLE(at + FLAGS_BYTES + COLUMN_ID_BYTES);
  at += CELL_FIXED_BYTES;
  let ttlSec = 0;
  let localExpirationTimeSec = 0;
  if ((flags & CELL_FLAG_EXPIRY) !== 0) {
    ttlSec = b.readDoubleLE(at);
    localExpirationTimeSec = b.readDoubleLE(at + TTL_BYTES);
    at += EXPIRY_BYTES;
  }
  let path: Buffer | undefined;
  if ((flags & CELL_FLAG_PATH) !== 0) {
    const len = readU32(b, at);
    path = b.subarray(at + LENGTH_BYTES, at + LENGTH_BYTES + len);
    at += LENGTH_BYTES + len;
  }
  let value: Buffer | null = null;
  if ((flags & CELL_FLAG_VALUE_BY_REFERENCE) !== 0) {
    value = columns.valueAt(readU32(b, at));
    at += VALUE_REFERENCE_BYTES;
  } else if ((flags & CELL_FLAG_TOMBSTONE) === 0) {
    const len = readU32(b, at);
    value = b.subarray(at + LENGTH_BYTES, at + LENGTH_BYTES + len);
    at += LENGTH_BYTES + len;
  }
  const cell: Cell = path === undefined
    ? { column, value, timestampMicros, ttlSec, localExpirationTimeSec }
    : { column, path, value, timestampMicros, ttlSec, localExpirationTimeSec };
  if ((flags & CELL_FLAG_COUNTER) !== 0) cell.counter = true;
  out[index] = cell;
  return at;
}
