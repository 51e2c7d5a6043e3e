// Paging state: where the next page resumes. Opaque to drivers; our own versioned format.
//
// | field            | bytes   | meaning                                                        |
// |------------------|---------|----------------------------------------------------------------|
// | version          | 1       | PAGING_STATE_VERSION                                           |
// | flags            | 1       | 0x01 has partition, 0x02 has clustering, 0x04 partition done   |
// | fingerprint      | 8       | first bytes of MD5(statement text + keyspace): rejects states of other queries |
// | remaining        | 4       | LIMIT rows/groups still to return; 0xFFFFFFFF = no limit      |
// | remaining in pk  | 4       | PER PARTITION LIMIT left in the current partition; 0xFFFFFFFF = none |
// | key length, key  | 4 + n   | when 0x01: serialized partition key                            |
// | token            | 8       | when 0x01: its token (signed)                                  |
// | count            | 2       | when 0x02: clustering values, each 4-byte length + bytes       |

import { ProtocolError } from '../../util/errors.js';
import { ByteReader, TruncatedInput } from '../../util/bytes.js';
import { md5Of } from './_cache.js';

export const PAGING_STATE_VERSION = 1;
const FINGERPRINT_BYTES = 8;
const NO_LIMIT = 0xffffffff;
const FLAG_PARTITION = 0x01;
const FLAG_CLUSTERING = 0x02;
const FLAG_PARTITION_DONE = 0x04;
/** A paging state is small; anything larger is not ours. */
export const PAGING_STATE_BYTES_MAX = 1 << 20;

export interface Cursor {
  /** Last partition consumed (absent: nothing consumed yet). */
  partition?: { key: Buffer; token: bigint };
  /** Last clustering consumed within `partition` (absent with partition: its static row, or nothing). */
  clustering?: Buffer[];
  /** The partition is consumed entirely: resume with the next one. */
  partitionDone: boolean;
  /** LIMIT left (Infinity: none). */
  remaining: number;
  /** PER PARTITION LIMIT left in `partition` (Infinity: none). */
  remainingInPartition: number;
}

export function fingerprintOf(text: string): Buffer {
  return md5Of(text).subarray(0, FINGERPRINT_BYTES);
}

export function encodePagingState(c: Cursor, fingerprint: Buffer): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(2 + FINGERPRINT_BYTES + 8);
  let flags = 0;
  if (c.partition) flags |= FLAG_PARTITION;
  if (c.clustering) flags |= FLAG_CLUSTERING;
  if (c.partitionDone) flags |= FLAG_PARTITION_DONE;
  head.writeUInt8(PAGING_STATE_VERSION, 0);
  head.writeUInt8(flags, 1);
  fingerprint.copy(head, 2, 0, FINGERPRINT_BYTES);
  head.writeUInt32BE(limitField(c.remaining), 2 + FINGERPRINT_BYTES);
  head.writeUInt32BE(limitField(c.remainingInPartition), 6 + FINGERPRINT_BYTES);
  parts.push(head);
  if (c.partition) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(c.partition.key.length);
    const tok = Buffer.alloc(8);
    tok.writeBigInt64BE(c.partition.token);
    parts.push(len, c.partition.key, tok);
  }
  if (c.clustering) {
    const count = Buffer.alloc(2);
    count.writeUInt16BE(c.clustering.length);
    parts.push(count);
    for (const v of c.clustering) {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(v.length);
      parts.push(len, v);
    }
  }
  return Buffer.concat(parts);
}

function limitField(n: number): number {
  return Number.isFinite(n) ? Math.min(n, NO_LIMIT - 1) : NO_LIMIT;
}

function limitValue(n: number): number {
  return n === NO_LIMIT ? Infinity : n;
}

/** Decodes and checks a paging state; ProtocolError naming the problem if it is not one of ours for this query. */
export function decodePagingState(buf: Buffer, fingerprint: Buffer): Cursor {
  const bad = (why: string): ProtocolError => new ProtocolError(`Invalid value for the paging state: ${why}`);
  if (buf.length > PAGING_STATE_BYTES_MAX) throw bad('too large');
  try {
    const r = new ByteReader(buf);
    const version = r.u8();
    if (version !== PAGING_STATE_VERSION) throw bad(`unknown version ${version}`);
    const flags = r.u8();
    if (flags & ~(FLAG_PARTITION | FLAG_CLUSTERING | FLAG_PARTITION_DONE)) throw bad(`unknown flags 0x${flags.toString(16)}`);
    const fp = r.bytes(FINGERPRINT_BYTES);
    if (!fp.equals(fingerprint)) throw bad('it was issued for a different query');
    const cursor: Cursor = { partitionDone: (flags & FLAG_PARTITION_DONE) !== 0, remaining: limitValue(r.u32()), remainingInPartition: limitValue(r.u32()) };
    if (flags & FLAG_PARTITION) {
      const key = Buffer.from(r.bytes(r.u32()));
      cursor.partition = { key, token: r.i64() };
    }
    if (flags & FLAG_CLUSTERING) {
      if (!(flags & FLAG_PARTITION)) throw bad('clustering without a partition');
      const n = r.u16();
      const values: Buffer[] = [];
      for (let i = 0; i < n; i++) values.push(Buffer.from(r.bytes(r.u32())));
      cursor.clustering = values;
    }
    if (r.remaining !== 0) throw bad(`${r.remaining} extra bytes`);
    return cursor;
  } catch (e) {
    if (e instanceof TruncatedInput) throw bad('truncated');
    throw e;
  }
}
