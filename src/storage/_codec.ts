// Binary encoding of rows and partitions, shared by the commit log (PartitionUpdate entries) and
// SSTable data files (partition header + rows). All integers big-endian.
//
// | item            | encoding                                                                 |
// |-----------------|--------------------------------------------------------------------------|
// | bytes           | u32 length, bytes                                                        |
// | string          | u16 length, utf8                                                         |
// | deletion        | f64 markedForDeleteAt µs, u32 localDeletionTime s                        |
// | clustering      | u8 count, count × bytes                                                  |
// | bound           | u8 inclusive, clustering                                                 |
// | row             | u8 flags (1 liveness, 2 deletion, 4 complex deletions), clustering,      |
// |                 | [f64 ts, u32 ttl, u32 expiry], [deletion], [u16 n, n × (string, deletion)],|
// |                 | u32 cell count, cells                                                     |
// | cell            | u8 flags (1 path, 2 non-null value, 4 counter), string column, [bytes path],|
// |                 | [bytes value], f64 ts, u32 ttl, u32 localExpirationTime                   |
// | partition head  | bytes key, i64 token, u8 flags (1 deletion, 2 static row), [deletion],    |
// |                 | u32 range tombstone count × (bound start, bound end, deletion), [row]     |
// | update          | string tableId, partition head, u32 row count, rows                      |

import { ByteReader } from '../util/bytes.js';
import type { Cell, DeletionTime, PartitionUpdate, RangeTombstone, Row, ClusteringBound } from './data.js';

/**
 * Where encoders write: a growing ByteWriter, or a FixedWriter over a buffer sized in advance
 * (commit log batches, sized with `updateBytes`).
 */
export interface ByteSink {
  readonly length: number;
  u8(v: number): ByteSink;
  u16(v: number): ByteSink;
  u32(v: number): ByteSink;
  i64(v: bigint): ByteSink;
  f64(v: number): ByteSink;
  bytes(b: Uint8Array): ByteSink;
  utf8(s: string): ByteSink;
}

/** A ByteSink over a caller's buffer that never grows: writing past its end is a bug (RangeError). */
export class FixedWriter implements ByteSink {
  length: number;
  constructor(readonly buf: Buffer, start = 0) { this.length = start; }
  u8(v: number): this { this.buf[this.length++] = v; return this; }
  u16(v: number): this { this.length = this.buf.writeUInt16BE(v, this.length); return this; }
  u32(v: number): this { this.length = this.buf.writeUInt32BE(v, this.length); return this; }
  i64(v: bigint): this { this.length = this.buf.writeBigInt64BE(v, this.length); return this; }
  f64(v: number): this { this.length = this.buf.writeDoubleBE(v, this.length); return this; }
  bytes(b: Uint8Array): this {
    if (this.length + b.length > this.buf.length) throw new RangeError(`FixedWriter: ${b.length} bytes do not fit at ${this.length} of ${this.buf.length}`);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }
  utf8(s: string): this { this.length += this.buf.write(s, this.length, 'utf8'); return this; }
}

export function writeBytes(w: ByteSink, b: Buffer): void {
  w.u32(b.length).bytes(b);
}

/**
 * Strings this codec writes are names (columns, table ids): few distinct ones, written once per
 * cell. Their UTF-8 bytes are kept here (a copy of a few bytes instead of two native calls, for
 * the length and the encoding, per cell), up to ENCODED_NAMES_MAX; then the cache starts over.
 */
const ENCODED_NAMES_MAX = 4096;
/** Longer strings are encoded each time (they are not names). */
const ENCODED_NAME_CHARS_MAX = 128;
const encodedNames = new Map<string, Buffer>();

function encodedName(s: string): Buffer {
  let b = encodedNames.get(s);
  if (b === undefined) {
    if (encodedNames.size >= ENCODED_NAMES_MAX) encodedNames.clear();
    b = Buffer.from(s, 'utf8');
    encodedNames.set(s, b);
  }
  return b;
}

export function writeString(w: ByteSink, s: string): void {
  if (s.length <= ENCODED_NAME_CHARS_MAX) {
    const b = encodedName(s);
    w.u16(b.length).bytes(b);
    return;
  }
  w.u16(Buffer.byteLength(s)).utf8(s);
}

export function readString(r: ByteReader): string {
  return r.utf8(r.u16());
}

/**
 * Length-prefixed bytes: a copy, or (copy = false) a view into the reader's buffer. Views are for
 * buffers that are never modified and not retained for long (decompressed SSTable chunks); commit
 * log replay copies, so memtables never pin whole segment files.
 */
function readBytesOf(r: ByteReader, copy: boolean): Buffer {
  const v = r.bytes(r.u32());
  return copy ? Buffer.from(v) : v;
}

function writeDeletion(w: ByteSink, d: DeletionTime): void {
  w.f64(d.markedForDeleteAtMicros).u32(d.localDeletionTimeSec >>> 0);
}

function readDeletion(r: ByteReader): DeletionTime {
  return { markedForDeleteAtMicros: r.f64(), localDeletionTimeSec: r.u32() };
}

export function writeClustering(w: ByteSink, values: Buffer[]): void {
  w.u8(values.length);
  for (const v of values) writeBytes(w, v);
}

export function readClustering(r: ByteReader, copy = true): Buffer[] {
  const n = r.u8();
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) out.push(readBytesOf(r, copy));
  return out;
}

function writeBound(w: ByteSink, b: ClusteringBound): void {
  w.u8(b.inclusive ? 1 : 0);
  writeClustering(w, b.values);
}

function readBound(r: ByteReader, copy: boolean): ClusteringBound {
  const inclusive = r.u8() === 1;
  return { inclusive, values: readClustering(r, copy) };
}

function writeCell(w: ByteSink, c: Cell): void {
  w.u8((c.path ? 1 : 0) | (c.value !== null ? 2 : 0) | (c.counter ? 4 : 0));
  writeString(w, c.column);
  if (c.path) writeBytes(w, c.path);
  if (c.value !== null) writeBytes(w, c.value);
  w.f64(c.timestampMicros).u32(c.ttlSec >>> 0).u32(c.localExpirationTimeSec >>> 0);
}

function readCell(r: ByteReader, copy: boolean): Cell {
  const flags = r.u8();
  const column = readString(r);
  const path = flags & 1 ? readBytesOf(r, copy) : undefined;
  const value = flags & 2 ? readBytesOf(r, copy) : null;
  const c: Cell = { column, value, timestampMicros: r.f64(), ttlSec: r.u32(), localExpirationTimeSec: r.u32() };
  if (path) c.path = path;
  if (flags & 4) c.counter = true;
  return c;
}

export function writeRow(w: ByteSink, row: Row): void {
  const cds = row.complexDeletions && row.complexDeletions.length > 0 ? row.complexDeletions : undefined;
  w.u8((row.liveness ? 1 : 0) | (row.deletion ? 2 : 0) | (cds ? 4 : 0));
  writeClustering(w, row.clustering);
  if (row.liveness) w.f64(row.liveness.timestampMicros).u32(row.liveness.ttlSec >>> 0).u32(row.liveness.localExpirationTimeSec >>> 0);
  if (row.deletion) writeDeletion(w, row.deletion);
  if (cds) {
    w.u16(cds.length);
    for (const cd of cds) { writeString(w, cd.column); writeDeletion(w, cd.deletion); }
  }
  w.u32(row.cells.length);
  for (const c of row.cells) writeCell(w, c);
}

export function readRow(r: ByteReader, copy = true): Row {
  const flags = r.u8();
  const row: Row = { clustering: readClustering(r, copy), cells: [] };
  if (flags & 1) row.liveness = { timestampMicros: r.f64(), ttlSec: r.u32(), localExpirationTimeSec: r.u32() };
  if (flags & 2) row.deletion = readDeletion(r);
  if (flags & 4) {
    const n = r.u16();
    row.complexDeletions = [];
    for (let i = 0; i < n; i++) row.complexDeletions.push({ column: readString(r), deletion: readDeletion(r) });
  }
  const n = r.u32();
  for (let i = 0; i < n; i++) row.cells.push(readCell(r, copy));
  return row;
}

export interface PartitionHead {
  key: Buffer;
  token: bigint;
  partitionDeletion?: DeletionTime;
  rangeTombstones: RangeTombstone[];
  staticRow?: Row;
}

export function writePartitionHead(w: ByteSink, p: PartitionHead): void {
  writeBytes(w, p.key);
  w.i64(p.token);
  w.u8((p.partitionDeletion ? 1 : 0) | (p.staticRow ? 2 : 0));
  if (p.partitionDeletion) writeDeletion(w, p.partitionDeletion);
  w.u32(p.rangeTombstones.length);
  for (const rt of p.rangeTombstones) {
    writeBound(w, rt.slice.start);
    writeBound(w, rt.slice.end);
    writeDeletion(w, rt.deletion);
  }
  if (p.staticRow) writeRow(w, p.staticRow);
}

export function readPartitionHead(r: ByteReader, copy = true): PartitionHead {
  const key = readBytesOf(r, copy);
  const token = r.i64();
  const flags = r.u8();
  const head: PartitionHead = { key, token, rangeTombstones: [] };
  if (flags & 1) head.partitionDeletion = readDeletion(r);
  const n = r.u32();
  for (let i = 0; i < n; i++) {
    const start = readBound(r, copy);
    const end = readBound(r, copy);
    head.rangeTombstones.push({ slice: { start, end }, deletion: readDeletion(r) });
  }
  if (flags & 2) head.staticRow = readRow(r, copy);
  return head;
}

export function encodeUpdate(w: ByteSink, u: PartitionUpdate): void {
  writeString(w, u.tableId);
  writePartitionHead(w, u);
  w.u32(u.rows.length);
  for (const row of u.rows) writeRow(w, row);
}

/** Exactly the number of bytes `encodeUpdate` writes for u (commit log entries are sized before encoding). */
export function updateBytes(u: PartitionUpdate): number {
  let n = 2 + Buffer.byteLength(u.tableId) + partitionHeadBytes(u) + 4;
  for (const row of u.rows) n += rowBytes(row);
  return n;
}

const DELETION_BYTES = 12; // f64 + u32
const LIVENESS_BYTES = 16; // f64 ts, u32 ttl, u32 expiry

function clusteringBytes(values: Buffer[]): number {
  let n = 1;
  for (const v of values) n += 4 + v.length;
  return n;
}

function partitionHeadBytes(p: PartitionHead): number {
  let n = 4 + p.key.length + 8 + 1 + (p.partitionDeletion ? DELETION_BYTES : 0) + 4;
  for (const rt of p.rangeTombstones) n += 2 + clusteringBytes(rt.slice.start.values) + clusteringBytes(rt.slice.end.values) + DELETION_BYTES;
  if (p.staticRow) n += rowBytes(p.staticRow);
  return n;
}

function rowBytes(row: Row): number {
  let n = 1 + clusteringBytes(row.clustering) + (row.liveness ? LIVENESS_BYTES : 0) + (row.deletion ? DELETION_BYTES : 0);
  const cds = row.complexDeletions;
  if (cds && cds.length > 0) {
    n += 2;
    for (const cd of cds) n += 2 + Buffer.byteLength(cd.column) + DELETION_BYTES;
  }
  n += 4;
  for (const c of row.cells) {
    n += 1 + 2 + Buffer.byteLength(c.column) + (c.path ? 4 + c.path.length : 0) + (c.value !== null ? 4 + c.value.length : 0) + LIVENESS_BYTES;
  }
  return n;
}

export function decodeUpdate(r: ByteReader): PartitionUpdate {
  const tableId = readString(r);
  const head = readPartitionHead(r);
  const n = r.u32();
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) rows.push(readRow(r));
  return { tableId, ...head, rows };
}
