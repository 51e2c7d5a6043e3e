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

import { ByteReader, ByteWriter } from '../util/bytes.js';
import type { Cell, DeletionTime, PartitionUpdate, RangeTombstone, Row, ClusteringBound } from './data.js';

export function writeBytes(w: ByteWriter, b: Buffer): void {
  w.u32(b.length).bytes(b);
}

export function writeString(w: ByteWriter, s: string): void {
  const n = Buffer.byteLength(s);
  w.u16(n).utf8(s);
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

function writeDeletion(w: ByteWriter, d: DeletionTime): void {
  w.f64(d.markedForDeleteAtMicros).u32(d.localDeletionTimeSec >>> 0);
}

function readDeletion(r: ByteReader): DeletionTime {
  return { markedForDeleteAtMicros: r.f64(), localDeletionTimeSec: r.u32() };
}

export function writeClustering(w: ByteWriter, values: Buffer[]): void {
  w.u8(values.length);
  for (const v of values) writeBytes(w, v);
}

export function readClustering(r: ByteReader, copy = true): Buffer[] {
  const n = r.u8();
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) out.push(readBytesOf(r, copy));
  return out;
}

function writeBound(w: ByteWriter, b: ClusteringBound): void {
  w.u8(b.inclusive ? 1 : 0);
  writeClustering(w, b.values);
}

function readBound(r: ByteReader, copy: boolean): ClusteringBound {
  const inclusive = r.u8() === 1;
  return { inclusive, values: readClustering(r, copy) };
}

function writeCell(w: ByteWriter, c: Cell): void {
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

export function writeRow(w: ByteWriter, row: Row): void {
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

export function writePartitionHead(w: ByteWriter, p: PartitionHead): void {
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

export function encodeUpdate(w: ByteWriter, u: PartitionUpdate): void {
  writeString(w, u.tableId);
  writePartitionHead(w, u);
  w.u32(u.rows.length);
  for (const row of u.rows) writeRow(w, row);
}

export function decodeUpdate(r: ByteReader): PartitionUpdate {
  const tableId = readString(r);
  const head = readPartitionHead(r);
  const n = r.u32();
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) rows.push(readRow(r));
  return { tableId, ...head, rows };
}
