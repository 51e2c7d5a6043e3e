// Flush transcoder: writes a frozen memtable's partitions in the SSTable Data.db format straight
// from its slab records (_row_format.ts), without decoding them into Row/Cell objects, and notes
// the rows' statistics from the record fields. Its output is byte for byte what
// SSTableWriter.add writes for memtable.allPartitions() (transcode.test.ts compares the files).
//
// Record → SSTable row (../_codec.ts), field by field:
// | record (little endian)                     | SSTable (big endian)                             |
// |--------------------------------------------|--------------------------------------------------|
// | row flags 1 liveness, 2 liveness expiry,   | row flags 1 liveness, 2 deletion, 4 complex      |
// |   4 deletion, 8 complex deletions          |   deletions                                      |
// | clustering count u16                       | u8 (count & 0xff, as ByteWriter.u8 stores it)    |
// | value: u32 length, bytes                   | u32 length, bytes                                |
// | liveness f64 ts, [f64 ttl, f64 local time] | f64 ts, u32 ttl >>> 0, u32 local >>> 0 (0, 0 when no expiry) |
// | deletion f64 ts, f64 local time            | f64 ts, u32 local >>> 0                          |
// | complex deletion: u16 column id, deletion  | string column (u16 length, UTF-8), deletion      |
// | cell count u32                             | u32                                              |
// | cell flags 1 path, 2 tombstone, 4 counter, | cell flags 1 path, 2 value, 4 counter            |
// |   8 expiry, 16 value by reference          |                                                  |
// | cell: id, ts, [ttl, local], [path], [value | cell: name, [path], [value], f64 ts, u32 ttl, u32 local |
// |   or u32 index of a value by reference]    |                                                  |
// f64 timestamps are copied with their bytes reversed (the same double); TTLs and local times
// are read as doubles and written `>>> 0`, as the codec writes them.

import type { RangeTombstone } from '../data.js';
import { ROW_INDEX_BLOCK_BYTES } from '../sstable/format.js';
import { noteCell, type SSTableStats } from '../sstable/stats.js';
import type { EncodedPartition } from '../sstable/writer.js';
import { NO_ROW, type Memtable, type MemPartition } from './memtable.js';
import type { RecordRefs } from './_row_format.js';
import type { Slabs } from './_slabs.js';

// Record layout constants (the layout table is in this folder's README).
const ROW_FLAG_LIVENESS = 0x01;
const ROW_FLAG_LIVENESS_EXPIRY = 0x02;
const ROW_FLAG_DELETION = 0x04;
const ROW_FLAG_COMPLEX_DELETIONS = 0x08;
const CELL_FLAG_PATH = 0x01;
const CELL_FLAG_TOMBSTONE = 0x02;
const CELL_FLAG_COUNTER = 0x04;
const CELL_FLAG_EXPIRY = 0x08;
const CELL_FLAG_VALUE_BY_REFERENCE = 0x10;

// SSTable row/cell flags (../_codec.ts).
const SST_ROW_LIVENESS = 1;
const SST_ROW_DELETION = 2;
const SST_ROW_COMPLEX_DELETIONS = 4;
const SST_CELL_VALUE = 2;

const TOKEN_HEX_CHARS = 16;
/** Values up to this size are copied by a loop (cheaper than a native call). */
const SHORT_COPY_BYTES = 64;
const OUTPUT_BYTES_INITIAL = 64 * 1024;
/** Growth bound of the output buffer: one encoded partition (the codec's ByteWriter bound for a partition). */
const OUTPUT_BYTES_MAX = 512 * 1024 * 1024;

const NO_CLUSTERING: Buffer[] = [];

/**
 * Transcodes one frozen memtable for one SSTableWriter. `partitions()` yields one EncodedPartition
 * object, reused: hand it to `writer.addEncoded` and wait for that before taking the next.
 */
export class FlushTranscoder {
  private out = Buffer.allocUnsafe(OUTPUT_BYTES_INITIAL);
  private pos = 0;
  /** Encoded column names by column id: u16 length (big endian) + UTF-8, as the codec writes a string. */
  private readonly names: (Buffer | undefined)[] = [];
  private readonly slabs: Slabs;
  private readonly refs: RecordRefs;
  private readonly p: EncodedPartition = {
    sortKey: '', bytes: this.out, keyBytes: 0, headBytes: 0, blocks: [], tokenHi: 0, tokenLo: 0, firstClustering: null, lastClustering: null,
  };

  constructor(private readonly m: Memtable, private readonly stats: SSTableStats) {
    this.slabs = m.recordSlabs;
    this.refs = m.recordRefs;
  }

  *partitions(): IterableIterator<EncodedPartition> {
    for (const [sortKey, e] of this.m.recordEntries()) {
      this.encodePartition(sortKey, e);
      yield this.p;
    }
  }

  private encodePartition(sortKey: string, e: number | MemPartition): void {
    const p = this.p;
    p.sortKey = sortKey;
    p.blocks.length = 0;
    this.pos = 0;
    const keyBytes = sortKey.length - TOKEN_HEX_CHARS;
    this.ensure(4 + keyBytes + 8 + 1 + 12 + 4);
    this.u32(keyBytes);
    const o = this.out;
    let pos = this.pos;
    for (let i = 0; i < keyBytes; i++) o[pos++] = sortKey.charCodeAt(TOKEN_HEX_CHARS + i);
    this.pos = pos;
    // partitionSortKey: the token offset to unsigned (sign bit flipped), 16 lower-case hex digits.
    const hi = (hexWord(sortKey, 0) ^ 0x80000000) >>> 0;
    const lo = hexWord(sortKey, 8);
    this.u32(hi);
    this.u32(lo);
    p.keyBytes = keyBytes;
    p.tokenHi = hi;
    p.tokenLo = lo;
    if (typeof e === 'number') {
      this.out[this.pos++] = 0;
      this.u32(0);
      p.headBytes = this.pos;
      this.pushBlock();
      this.transcodeRow(e, true);
      this.stats.rowCount++;
      p.firstClustering = p.lastClustering = this.clusteringOf(e);
    } else {
      this.encodeHead(e);
      p.headBytes = this.pos;
      let blockStart = -Infinity;
      let first = NO_ROW;
      let last = NO_ROW;
      const rows = e.tree === null ? e.rows : e.tree.values();
      for (const address of rows) {
        if (this.pos - blockStart >= ROW_INDEX_BLOCK_BYTES) {
          blockStart = this.pos;
          this.pushBlock();
        }
        this.transcodeRow(address, true);
        this.stats.rowCount++;
        if (first === NO_ROW) first = address;
        last = address;
      }
      p.firstClustering = first === NO_ROW ? null : this.clusteringOf(first);
      p.lastClustering = last === first ? p.firstClustering : this.clusteringOf(last);
      this.notePartitionLevel(e);
    }
    p.bytes = this.out.subarray(0, this.pos);
  }

  /** Partition head after the key and token: flags, deletion, range tombstones, static row. */
  private encodeHead(e: MemPartition): void {
    const d = e.deletion;
    this.out[this.pos++] = (d !== undefined ? 1 : 0) | (e.staticRow !== NO_ROW ? 2 : 0);
    if (d !== undefined) this.deletion(d.markedForDeleteAtMicros, d.localDeletionTimeSec);
    const rts = e.rangeTombstones;
    this.u32(rts.length);
    for (let i = 0; i < rts.length; i++) this.rangeTombstone(rts[i]!);
    // The static row's statistics are noted after the rows' (notePartitionLevel), in add's order.
    if (e.staticRow !== NO_ROW) this.transcodeRow(e.staticRow, false);
  }

  private rangeTombstone(rt: RangeTombstone): void {
    for (const bound of [rt.slice.start, rt.slice.end]) {
      this.ensure(2);
      this.out[this.pos++] = bound.inclusive ? 1 : 0;
      this.out[this.pos++] = bound.values.length & 0xff;
      for (const v of bound.values) {
        this.ensure(4 + v.length);
        this.u32(v.length);
        this.copy(v, 0, v.length);
      }
    }
    this.ensure(12);
    this.deletion(rt.deletion.markedForDeleteAtMicros, rt.deletion.localDeletionTimeSec);
  }

  /** Static row, partition deletion and range tombstone statistics, as SSTableWriter.add notes them. */
  private notePartitionLevel(e: MemPartition): void {
    const s = this.stats;
    if (e.staticRow !== NO_ROW) {
      // Transcoded again past the partition's end only to note its statistics; the bytes are dropped.
      const end = this.pos;
      this.transcodeRow(e.staticRow, true);
      this.pos = end;
    }
    const d = e.deletion;
    if (d !== undefined) {
      s.hasPartitionLevelDeletions = true;
      s.tombstoneCount++;
      noteCell(s, d.markedForDeleteAtMicros, d.localDeletionTimeSec);
    }
    const rts = e.rangeTombstones;
    if (rts.length > 0) s.hasPartitionLevelDeletions = true;
    for (let i = 0; i < rts.length; i++) {
      s.tombstoneCount++;
      noteCell(s, rts[i]!.deletion.markedForDeleteAtMicros, rts[i]!.deletion.localDeletionTimeSec);
    }
    if (e.staticRow !== NO_ROW) s.hasStatic = true;
  }

  /** A row index block starts at the next row: its clustering follows the row's flags byte. */
  private pushBlock(): void {
    this.p.blocks.push(this.pos + 1, 0, this.pos);
  }

  private clusteringOf(address: number): Buffer[] {
    const b = this.slabs.bufferOf(address);
    let at = this.slabs.offsetOf(address);
    const n = readU16(b, at + 1);
    if (n === 0) return NO_CLUSTERING;
    at += 3;
    const out: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      const len = readU32(b, at);
      out.push(b.subarray(at + 4, at + 4 + len));
      at += 4 + len;
    }
    return out;
  }

  /** Writes the record at `address` as an SSTable row; notes its statistics when `note`. */
  private transcodeRow(address: number, note: boolean): void {
    const s = this.stats;
    const b = this.slabs.bufferOf(address);
    let at = this.slabs.offsetOf(address);
    const rowStart = this.pos;
    const flags = b[at]!;
    const nClustering = readU16(b, at + 1);
    at += 3;
    this.ensure(2);
    this.out[this.pos++] = ((flags & ROW_FLAG_LIVENESS) !== 0 ? SST_ROW_LIVENESS : 0) | ((flags & ROW_FLAG_DELETION) !== 0 ? SST_ROW_DELETION : 0)
      | ((flags & ROW_FLAG_COMPLEX_DELETIONS) !== 0 ? SST_ROW_COMPLEX_DELETIONS : 0);
    this.out[this.pos++] = nClustering & 0xff;
    for (let i = 0; i < nClustering; i++) {
      const len = readU32(b, at);
      this.ensure(4 + len);
      this.u32(len);
      this.copy(b, at + 4, len);
      at += 4 + len;
    }
    const blocks = this.p.blocks;
    if (blocks.length > 0 && blocks[blocks.length - 1] === rowStart) blocks[blocks.length - 2] = this.pos - rowStart - 1;
    if ((flags & ROW_FLAG_LIVENESS) !== 0) {
      let ttl = 0;
      let local = 0;
      if ((flags & ROW_FLAG_LIVENESS_EXPIRY) !== 0) {
        ttl = b.readDoubleLE(at + 8);
        local = b.readDoubleLE(at + 16);
      }
      this.ensure(16);
      this.f64(b, at);
      this.u32(ttl >>> 0);
      this.u32(local >>> 0);
      if (note) noteCell(s, b.readDoubleLE(at), ttl > 0 ? local : undefined);
      at += (flags & ROW_FLAG_LIVENESS_EXPIRY) !== 0 ? 24 : 8;
    }
    if ((flags & ROW_FLAG_DELETION) !== 0) {
      const ts = b.readDoubleLE(at);
      const local = b.readDoubleLE(at + 8);
      this.ensure(12);
      this.f64(b, at);
      this.u32(local >>> 0);
      if (note) { s.tombstoneCount++; noteCell(s, ts, local); }
      at += 16;
    }
    if ((flags & ROW_FLAG_COMPLEX_DELETIONS) !== 0) {
      const n = readU16(b, at);
      at += 2;
      this.ensure(2);
      this.out[this.pos++] = n >>> 8;
      this.out[this.pos++] = n & 0xff;
      for (let i = 0; i < n; i++) {
        const name = this.nameOf(readU16(b, at));
        const ts = b.readDoubleLE(at + 2);
        const local = b.readDoubleLE(at + 10);
        this.ensure(name.length + 12);
        this.copy(name, 0, name.length);
        this.f64(b, at + 2);
        this.u32(local >>> 0);
        if (note) { s.tombstoneCount++; noteCell(s, ts, local); }
        at += 18;
      }
    }
    const nCells = readU32(b, at);
    at += 4;
    this.ensure(4);
    this.u32(nCells);
    for (let i = 0; i < nCells; i++) at = this.transcodeCell(b, at, note);
  }

  private transcodeCell(b: Buffer, at: number, note: boolean): number {
    const flags = b[at]!;
    const name = this.nameOf(readU16(b, at + 1));
    const tsAt = at + 3;
    at += 11;
    let ttl = 0;
    let local = 0;
    if ((flags & CELL_FLAG_EXPIRY) !== 0) {
      ttl = b.readDoubleLE(at);
      local = b.readDoubleLE(at + 8);
      at += 16;
    }
    this.ensure(1 + name.length);
    this.out[this.pos++] = (flags & (CELL_FLAG_PATH | CELL_FLAG_COUNTER)) | ((flags & CELL_FLAG_TOMBSTONE) === 0 ? SST_CELL_VALUE : 0);
    this.copy(name, 0, name.length);
    if ((flags & CELL_FLAG_PATH) !== 0) {
      const len = readU32(b, at);
      this.ensure(4 + len);
      this.u32(len);
      this.copy(b, at + 4, len);
      at += 4 + len;
    }
    if ((flags & CELL_FLAG_VALUE_BY_REFERENCE) !== 0) {
      const v = this.refs.valueAt(readU32(b, at));
      at += 4;
      this.ensure(4 + v.length);
      this.u32(v.length);
      this.copy(v, 0, v.length);
    } else if ((flags & CELL_FLAG_TOMBSTONE) === 0) {
      const len = readU32(b, at);
      this.ensure(4 + len);
      this.u32(len);
      this.copy(b, at + 4, len);
      at += 4 + len;
    }
    this.ensure(16);
    this.f64(b, tsAt);
    this.u32(ttl >>> 0);
    this.u32(local >>> 0);
    if (note) {
      const s = this.stats;
      const tombstone = (flags & CELL_FLAG_TOMBSTONE) !== 0;
      s.cellCount++;
      if (tombstone) s.tombstoneCount++;
      noteCell(s, b.readDoubleLE(tsAt), tombstone || ttl > 0 ? local : undefined);
    }
    return at;
  }

  private nameOf(id: number): Buffer {
    let name = this.names[id];
    if (name === undefined) {
      const s = this.refs.nameOf(id);
      const n = Buffer.byteLength(s, 'utf8');
      name = Buffer.allocUnsafe(2 + n);
      name.writeUInt16BE(n, 0);
      name.write(s, 2, n, 'utf8');
      this.names[id] = name;
    }
    return name;
  }

  // ---- output ----------------------------------------------------------------------------------

  /** Room for n more bytes (the buffer doubles, keeping what is written). */
  private ensure(n: number): void {
    const want = this.pos + n;
    if (want <= this.out.length) return;
    if (want > OUTPUT_BYTES_MAX) throw new RangeError(`flush transcoder: a partition over ${OUTPUT_BYTES_MAX} bytes`);
    let size = this.out.length * 2;
    while (size < want) size *= 2;
    const next = Buffer.allocUnsafe(Math.min(size, OUTPUT_BYTES_MAX));
    this.out.copy(next, 0, 0, this.pos);
    this.out = next;
  }

  private u32(v: number): void {
    const o = this.out;
    const p = this.pos;
    o[p] = v >>> 24;
    o[p + 1] = (v >>> 16) & 0xff;
    o[p + 2] = (v >>> 8) & 0xff;
    o[p + 3] = v & 0xff;
    this.pos = p + 4;
  }

  /** The little-endian f64 at b[at] as big endian: its 8 bytes reversed. */
  private f64(b: Buffer, at: number): void {
    const o = this.out;
    const p = this.pos;
    for (let i = 0; i < 8; i++) o[p + i] = b[at + 7 - i]!;
    this.pos = p + 8;
  }

  private deletion(ts: number, localSec: number): void {
    this.ensure(12);
    const p = this.pos;
    this.out.writeDoubleBE(ts, p);
    this.pos = p + 8;
    this.u32(localSec >>> 0);
  }

  private copy(src: Buffer, from: number, n: number): void {
    const o = this.out;
    const p = this.pos;
    if (n <= SHORT_COPY_BYTES) {
      for (let i = 0; i < n; i++) o[p + i] = src[from + i]!;
    } else src.copy(o, p, from, from + n);
    this.pos = p + n;
  }
}

function readU16(b: Buffer, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}

function readU32(b: Buffer, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;
}

/** Eight lower-case hex digits of s from `from`, as a uint32. */
function hexWord(s: string, from: number): number {
  let v = 0;
  for (let i = from; i < from + 8; i++) {
    const c = s.charCodeAt(i);
    v = v * 16 + (c <= 0x39 ? c - 0x30 : c - 0x61 + 10);
  }
  return v;
}
