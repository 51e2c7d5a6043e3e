// The commit log's fast path for small entries: sizing and encoding of a PartitionUpdate in the
// format of `../_codec.ts` (encodeUpdate / updateBytes: the tests compare the bytes), written
// straight into a slab with DataView and byte stores, and checksummed in the same turn with one
// call. The generic path (GatherWriter as a ByteSink) costs a method call, a bounds check and a
// Buffer method with its argument validation per field; this writes the entry's ~20 fields in
// one function. Only for entries of at most SMALL_ENTRY_BYTES_MAX bytes: no value in them is
// long enough to be written by reference, so the whole entry is one contiguous slab range.

import { assert } from '../../util/assert.js';
import type { Cell, DeletionTime, PartitionUpdate, Row } from '../data.js';
import { crc32Js, crc32Range } from './_crc.js';
import { VALUE_BY_REFERENCE_BYTES_MIN } from './_gather.js';

/** Entries up to this size (header, payload, trailer) are encoded by `encodeSmallEntry`. */
export const SMALL_ENTRY_BYTES_MAX = VALUE_BY_REFERENCE_BYTES_MIN;
const ENTRY_HEADER_BYTES = 8; // length(4) crc of segment id + length(4); same as commitlog.ts
const ENTRY_TRAILER_BYTES = 4; // crc of payload(4)
const DELETION_BYTES = 12; // f64 + u32
const LIVENESS_BYTES = 16; // f64 ts, u32 ttl, u32 expiry
/** Values copied with a byte loop below this length; TypedArray.set above (a native call). */
const COPY_LOOP_BYTES_MAX = 16;

/** UTF-8 length of `s`: its length when ASCII (a JS loop), else Buffer.byteLength. */
function utf8Bytes(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  return s.length;
}

function clusteringBytes(values: Buffer[]): number {
  let n = 1;
  for (let i = 0; i < values.length; i++) n += 4 + values[i]!.length;
  return n;
}

function rowBytes(row: Row): number {
  let n = 1 + clusteringBytes(row.clustering) + (row.liveness ? LIVENESS_BYTES : 0) + (row.deletion ? DELETION_BYTES : 0) + 4;
  const cds = row.complexDeletions;
  if (cds && cds.length > 0) {
    n += 2;
    for (const cd of cds) n += 2 + utf8Bytes(cd.column) + DELETION_BYTES;
  }
  const cells = row.cells;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    n += 1 + 2 + utf8Bytes(c.column) + LIVENESS_BYTES + (c.path ? 4 + c.path.length : 0) + (c.value !== null ? 4 + c.value.length : 0);
  }
  return n;
}

/** Exactly `updateBytes(u)` (../_codec.ts), without a native call per string for ASCII names. */
export function payloadBytes(u: PartitionUpdate): number {
  let n = 2 + utf8Bytes(u.tableId) + 4 + u.key.length + 8 + 1 + (u.partitionDeletion ? DELETION_BYTES : 0) + 4 + 4;
  for (const rt of u.rangeTombstones) n += 2 + clusteringBytes(rt.slice.start.values) + clusteringBytes(rt.slice.end.values) + DELETION_BYTES;
  if (u.staticRow) n += rowBytes(u.staticRow);
  const rows = u.rows;
  for (let i = 0; i < rows.length; i++) n += rowBytes(rows[i]!);
  return n;
}

/** u16 length + UTF-8 bytes of `s` at `p`; returns the end. ASCII is stored char by char. */
function putString(slab: Buffer, dv: DataView, p: number, s: string): number {
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      const n = slab.write(s, p + 2, 'utf8');
      dv.setUint16(p, n);
      return p + 2 + n;
    }
    slab[p + 2 + i] = c;
  }
  dv.setUint16(p, len);
  return p + 2 + len;
}

/** u32 length + bytes of `b` at `p`; returns the end. */
function putBytes(slab: Buffer, dv: DataView, p: number, b: Uint8Array): number {
  const len = b.length;
  dv.setUint32(p, len);
  p += 4;
  if (len <= COPY_LOOP_BYTES_MAX) {
    for (let i = 0; i < len; i++) slab[p + i] = b[i]!;
  } else {
    slab.set(b, p);
  }
  return p + len;
}

function putDeletion(dv: DataView, p: number, d: DeletionTime): number {
  dv.setFloat64(p, d.markedForDeleteAtMicros);
  dv.setUint32(p + 8, d.localDeletionTimeSec >>> 0);
  return p + DELETION_BYTES;
}

function putClustering(slab: Buffer, dv: DataView, p: number, values: Buffer[]): number {
  slab[p++] = values.length;
  for (let i = 0; i < values.length; i++) p = putBytes(slab, dv, p, values[i]!);
  return p;
}

function putCell(slab: Buffer, dv: DataView, p: number, c: Cell): number {
  slab[p] = (c.path ? 1 : 0) | (c.value !== null ? 2 : 0) | (c.counter ? 4 : 0);
  p = putString(slab, dv, p + 1, c.column);
  if (c.path) p = putBytes(slab, dv, p, c.path);
  if (c.value !== null) p = putBytes(slab, dv, p, c.value);
  dv.setFloat64(p, c.timestampMicros);
  dv.setUint32(p + 8, c.ttlSec >>> 0);
  dv.setUint32(p + 12, c.localExpirationTimeSec >>> 0);
  return p + LIVENESS_BYTES;
}

function putRow(slab: Buffer, dv: DataView, p: number, row: Row): number {
  const cds = row.complexDeletions && row.complexDeletions.length > 0 ? row.complexDeletions : undefined;
  slab[p] = (row.liveness ? 1 : 0) | (row.deletion ? 2 : 0) | (cds ? 4 : 0);
  p = putClustering(slab, dv, p + 1, row.clustering);
  const l = row.liveness;
  if (l) {
    dv.setFloat64(p, l.timestampMicros);
    dv.setUint32(p + 8, l.ttlSec >>> 0);
    dv.setUint32(p + 12, l.localExpirationTimeSec >>> 0);
    p += LIVENESS_BYTES;
  }
  if (row.deletion) p = putDeletion(dv, p, row.deletion);
  if (cds) {
    dv.setUint16(p, cds.length);
    p += 2;
    for (const cd of cds) p = putDeletion(dv, putString(slab, dv, p, cd.column), cd.deletion);
  }
  const cells = row.cells;
  dv.setUint32(p, cells.length);
  p += 4;
  for (let i = 0; i < cells.length; i++) p = putCell(slab, dv, p, cells[i]!);
  return p;
}

/**
 * Writes one whole entry (header, payload, payload crc) of `u` at `at` in `slab` (`dv` views the
 * same bytes); `bytes` is payloadBytes(u) and the entry must fit (at most SMALL_ENTRY_BYTES_MAX).
 * `seed` is the segment's (crc32 of its id). Returns the end offset.
 */
export function encodeSmallEntry(slab: Buffer, dv: DataView, at: number, seed: number, u: PartitionUpdate, bytes: number): number {
  assert(bytes + ENTRY_HEADER_BYTES + ENTRY_TRAILER_BYTES <= SMALL_ENTRY_BYTES_MAX, 'small commit log entry');
  dv.setUint32(at, bytes);
  dv.setUint32(at + 4, crc32Js(slab, at, at + 4, seed));
  const start = at + ENTRY_HEADER_BYTES;
  let p = putString(slab, dv, start, u.tableId);
  p = putBytes(slab, dv, p, u.key);
  dv.setBigInt64(p, u.token);
  p += 8;
  slab[p++] = (u.partitionDeletion ? 1 : 0) | (u.staticRow ? 2 : 0);
  if (u.partitionDeletion) p = putDeletion(dv, p, u.partitionDeletion);
  dv.setUint32(p, u.rangeTombstones.length);
  p += 4;
  for (const rt of u.rangeTombstones) {
    slab[p] = rt.slice.start.inclusive ? 1 : 0;
    p = putClustering(slab, dv, p + 1, rt.slice.start.values);
    slab[p] = rt.slice.end.inclusive ? 1 : 0;
    p = putClustering(slab, dv, p + 1, rt.slice.end.values);
    p = putDeletion(dv, p, rt.deletion);
  }
  if (u.staticRow) p = putRow(slab, dv, p, u.staticRow);
  const rows = u.rows;
  dv.setUint32(p, rows.length);
  p += 4;
  for (let i = 0; i < rows.length; i++) p = putRow(slab, dv, p, rows[i]!);
  // The message is built only on failure (a template argument would be built for every entry).
  if (p !== start + bytes) assert(false, `commit log entry encoded to ${p - start} bytes, sized ${bytes}`);
  dv.setUint32(p, crc32Range(slab, start, p, 0));
  return p + ENTRY_TRAILER_BYTES;
}
