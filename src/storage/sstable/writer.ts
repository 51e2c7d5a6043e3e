// Writes one SSTable from partitions given in sort order (token, then key). Components are
// written to `<name>.tmp`, synced, renamed, the directory synced, and TOC.txt written last
// (atomically), so a crash never leaves a readable half SSTable.

import { crc32 } from 'node:zlib';
import type { FileHandle, FileSystem } from '../../env/mod.js';
import { assert } from '../../util/assert.js';
import { ByteWriter } from '../../util/bytes.js';
import type { Partition, Row } from '../data.js';
import { writeClustering, writePartitionHead, writeRow, writeBytes } from '../_codec.js';
import { partitionSortKey, type CKey, type TableOrder } from '../_order.js';
import { BloomFilter } from './bloom.js';
import type { CompressedChunks, CompressionMethod } from './compression.js';
import { inlineCodec, type ChunkCodec } from '../workers/pool.js';
import { COMPONENTS, componentFile, ROW_INDEX_BLOCK_BYTES, SUMMARY_INTERVAL, type Component } from './format.js';
import { emptyStats, noteCell, notePartitionSize, tokenString, type SSTableStats } from './stats.js';

export interface WriterOptions {
  fs: FileSystem;
  dir: string;
  generation: number;
  order: TableOrder;
  method: CompressionMethod;
  chunkBytes: number;
  bloomFpChance: number;
  expectedPartitions: number;
  level: number;
  hostId: string;
  commitLogUpperBound?: { segmentId: number; offset: number };
  createdAtMs: number;
  /** Where chunks are compressed (worker threads in a node); inline when absent. */
  codec?: ChunkCodec;
}

/**
 * A partition already encoded in the Data.db format (partition head, then rows), as the memtable
 * flush transcoder (memtable/transcode.ts) makes it from slab records. Its producer notes the
 * rows', cells' and partition-level deletions' statistics into `SSTableWriter.stats` itself (in
 * the order `add` notes them); the writer does the rest (keys, tokens, clustering bounds, sizes,
 * index, bloom filter, summary).
 */
export interface EncodedPartition {
  /** partitionSortKey(token, key). */
  sortKey: string;
  /** The encoded partition; starts with the key (u32 length, bytes) and token (i64), which the index entry repeats. */
  bytes: Buffer;
  /** Length of the key. */
  keyBytes: number;
  /** Bytes of the partition head (up to the first row). */
  headBytes: number;
  /**
   * Row index blocks, three numbers each: where the block's first row's encoded clustering starts
   * in `bytes`, its length, and the row's offset in `bytes`. Written to the index when more than one.
   */
  blocks: number[];
  /** The token as two's complement words (high word first), as `i64` writes it. */
  tokenHi: number;
  tokenLo: number;
  /** Clustering of the partition's first and last rows (they bound all its rows); null without rows. */
  firstClustering: Buffer[] | null;
  lastClustering: Buffer[] | null;
}

/**
 * The writer fills a run of whole chunks (up to RUN_BYTES_MAX of uncompressed data) and hands the
 * run to the codec as one job, then writes the stored run with one file write: one worker round
 * trip and one write per run instead of per chunk. Under client load each round trip waits for an
 * event-loop turn, so per-chunk round trips made a flush slower than the writes filling the next
 * memtable (writes then stalled on memtable backpressure).
 */
const RUN_BYTES_MAX = 256 * 1024;
/** Runs handed to the codec and not yet written: compression of the next runs overlaps the file writes. */
const RUNS_IN_FLIGHT_MAX = 4;
/** Partitions up to this size are copied into the staging run by a loop (cheaper than a native call). */
const SHORT_COPY_BYTES = 64;

export class SSTableWriter {
  private data!: FileHandle;
  private dataFilePos = 0;
  private chunkOffsets: number[] = [];
  /** The run of chunks being filled (uncompressed); reused, since the codec copies what it is given. */
  private readonly staging: Buffer;
  private stagingBytes = 0;
  /** Uncompressed bytes of every partition added so far. */
  private rawPos = 0;
  /** Uncompressed bytes of the runs written to Data.db. */
  private rawWritten = 0;
  private readonly compressing: { raw: number; job: Promise<CompressedChunks> }[] = [];
  private readonly codec: ChunkCodec;
  private readonly index = new ByteWriter(64 * 1024, 1024 * 1024 * 1024);
  private readonly summary = new ByteWriter(4096, 256 * 1024 * 1024);
  private readonly part = new ByteWriter(64 * 1024, 512 * 1024 * 1024);
  private readonly bloom: BloomFilter;
  readonly stats: SSTableStats;
  private lastSortKey = '';
  /** The last partition's token words when addEncoded left stats.maxToken to finish() (one BigInt string per SSTable, not per partition). */
  private maxTokenHi = 0;
  private maxTokenLo = 0;
  private maxTokenPending = false;
  private minCk: CKey | undefined;
  private maxCk: CKey | undefined;
  private opened = false;

  constructor(private readonly o: WriterOptions) {
    this.bloom = BloomFilter.forKeys(o.expectedPartitions, o.bloomFpChance);
    this.stats = emptyStats(o);
    this.staging = Buffer.allocUnsafe(o.chunkBytes * Math.max(1, Math.floor(RUN_BYTES_MAX / o.chunkBytes)));
    this.codec = o.codec ?? inlineCodec;
  }

  private tmp(c: Component): string {
    return `${componentFile(this.o.dir, this.o.generation, c)}.tmp`;
  }

  get partitionCount(): number { return this.stats.partitionCount; }
  /**
   * Data.db bytes so far: those written, plus the runs still compressing and the staging run at
   * the compression ratio seen so far (1 before the first run is written). Leveled compaction
   * splits its output on this, so it must count what is not written yet.
   */
  get bytesOnDisk(): number {
    const pendingRaw = this.rawPos - this.rawWritten;
    const ratio = this.rawWritten > 0 ? this.dataFilePos / this.rawWritten : 1;
    return this.dataFilePos + Math.ceil(pendingRaw * ratio);
  }
  get uncompressedBytes(): number { return this.rawPos; }

  private async open(): Promise<void> {
    await this.o.fs.mkdirp(this.o.dir);
    this.data = await this.o.fs.open(this.tmp('Data.db'), 'w');
    this.opened = true;
  }

  async add(p: Partition): Promise<void> {
    if (!this.opened) await this.open();
    const sortKey = partitionSortKey(p.token, p.key);
    assert(sortKey > this.lastSortKey, 'SSTable partitions out of order');
    this.lastSortKey = sortKey;
    const start = this.rawPos;
    const w = this.part;
    w.reset();
    writePartitionHead(w, p);
    const headBytes = w.length;
    const blocks: { clustering: Buffer[]; offset: number }[] = [];
    let blockStart = -Infinity;
    for (const row of p.rows) {
      if (w.length - blockStart >= ROW_INDEX_BLOCK_BYTES) {
        blocks.push({ clustering: row.clustering, offset: w.length });
        blockStart = w.length;
      }
      writeRow(w, row);
      this.stats.rowCount++;
      this.noteClustering(row.clustering);
      this.noteRowCells(row);
    }
    if (p.staticRow) this.noteRowCells(p.staticRow);
    this.notePartition(p);
    const length = w.length;
    this.writeIndexEntry(p, start, length, headBytes, blocks.length > 1 ? blocks : []);
    notePartitionSize(this.stats, length);
    this.bloom.add(p.token);
    if (this.stats.partitionCount === 0) this.stats.firstKey = sortKey;
    this.stats.lastKey = sortKey;
    this.stats.partitionCount++;
    await this.appendRaw(w.view());
  }

  /**
   * Adds a partition encoded elsewhere (see EncodedPartition). Returns a promise only when the
   * writer has to wait (opening the file, a full run going to the codec or the file); `p` may be
   * reused once this returns undefined or its promise settles.
   */
  addEncoded(p: EncodedPartition): Promise<void> | undefined {
    if (!this.opened) return this.open().then(() => this.addEncoded(p));
    assert(p.sortKey > this.lastSortKey, 'SSTable partitions out of order');
    this.lastSortKey = p.sortKey;
    const s = this.stats;
    if (p.firstClustering !== null) {
      this.noteClustering(p.firstClustering);
      if (p.lastClustering !== null && p.lastClustering !== p.firstClustering) this.noteClustering(p.lastClustering);
    }
    if (s.partitionCount === 0) s.minToken = tokenString(p.tokenHi, p.tokenLo);
    this.maxTokenHi = p.tokenHi;
    this.maxTokenLo = p.tokenLo;
    this.maxTokenPending = true;
    const start = this.rawPos;
    const length = p.bytes.length;
    if (s.partitionCount % SUMMARY_INTERVAL === 0) {
      writeBytes(this.summary, Buffer.from(p.sortKey, 'latin1'));
      this.summary.f64(this.index.length);
    }
    const blockCount = p.blocks.length / 3;
    this.index.bytes(p.bytes.subarray(0, 4 + p.keyBytes + 8)).f64(start).u32(length).u32(p.headBytes).u32(blockCount > 1 ? blockCount : 0);
    if (blockCount > 1) {
      for (let i = 0; i < p.blocks.length; i += 3) {
        const at = p.blocks[i]!;
        this.index.bytes(p.bytes.subarray(at, at + p.blocks[i + 1]!)).u32(p.blocks[i + 2]!);
      }
    }
    notePartitionSize(s, length);
    this.bloom.addWords(p.tokenHi, p.tokenLo);
    if (s.partitionCount === 0) s.firstKey = p.sortKey;
    s.lastKey = p.sortKey;
    s.partitionCount++;
    return this.appendRaw(p.bytes);
  }

  private notePartition(p: Partition): void {
    const s = this.stats;
    if (p.partitionDeletion) {
      s.hasPartitionLevelDeletions = true;
      s.tombstoneCount++;
      noteCell(s, p.partitionDeletion.markedForDeleteAtMicros, p.partitionDeletion.localDeletionTimeSec);
    }
    if (p.rangeTombstones.length > 0) s.hasPartitionLevelDeletions = true;
    for (const rt of p.rangeTombstones) {
      s.tombstoneCount++;
      noteCell(s, rt.deletion.markedForDeleteAtMicros, rt.deletion.localDeletionTimeSec);
    }
    if (p.staticRow) s.hasStatic = true;
    const t = p.token.toString();
    if (s.partitionCount === 0) s.minToken = t;
    s.maxToken = t;
    this.maxTokenPending = false;
  }

  private noteClustering(clustering: Buffer[]): void {
    const k = this.o.order.key(clustering);
    if (this.minCk === undefined || this.o.order.compare(k, this.minCk) < 0) { this.minCk = k; this.stats.minClustering = clustering.map((b) => b.toString('hex')); }
    if (this.maxCk === undefined || this.o.order.compare(k, this.maxCk) > 0) { this.maxCk = k; this.stats.maxClustering = clustering.map((b) => b.toString('hex')); }
  }

  private noteRowCells(row: Row): void {
    const s = this.stats;
    if (row.liveness) noteCell(s, row.liveness.timestampMicros, row.liveness.ttlSec > 0 ? row.liveness.localExpirationTimeSec : undefined);
    if (row.deletion) { s.tombstoneCount++; noteCell(s, row.deletion.markedForDeleteAtMicros, row.deletion.localDeletionTimeSec); }
    for (const cd of row.complexDeletions ?? []) { s.tombstoneCount++; noteCell(s, cd.deletion.markedForDeleteAtMicros, cd.deletion.localDeletionTimeSec); }
    for (const c of row.cells) {
      s.cellCount++;
      if (c.value === null) s.tombstoneCount++;
      noteCell(s, c.timestampMicros, c.value === null || c.ttlSec > 0 ? c.localExpirationTimeSec : undefined);
    }
  }

  private writeIndexEntry(p: Partition, offset: number, length: number, headBytes: number, blocks: { clustering: Buffer[]; offset: number }[]): void {
    if (this.stats.partitionCount % SUMMARY_INTERVAL === 0) {
      writeBytes(this.summary, Buffer.from(partitionSortKey(p.token, p.key), 'latin1'));
      this.summary.f64(this.index.length);
    }
    writeBytes(this.index, p.key);
    this.index.i64(p.token).f64(offset).u32(length).u32(headBytes).u32(blocks.length);
    for (const b of blocks) {
      writeClustering(this.index, b.clustering);
      this.index.u32(b.offset);
    }
  }

  /** Copies bytes into the staging run; each full run goes to the codec (then it returns a promise). */
  private appendRaw(bytes: Buffer): Promise<void> | undefined {
    const n = bytes.length;
    if (n >= this.staging.length - this.stagingBytes) return this.appendRawRuns(bytes);
    const staging = this.staging;
    let at = this.stagingBytes;
    if (n <= SHORT_COPY_BYTES) {
      for (let i = 0; i < n; i++) staging[at++] = bytes[i]!;
    } else bytes.copy(staging, at);
    this.stagingBytes += n;
    this.rawPos += n;
    return undefined;
  }

  private async appendRawRuns(bytes: Buffer): Promise<void> {
    let at = 0;
    while (at < bytes.length) {
      const n = Math.min(bytes.length - at, this.staging.length - this.stagingBytes);
      bytes.copy(this.staging, this.stagingBytes, at, at + n);
      this.stagingBytes += n;
      this.rawPos += n;
      at += n;
      if (this.stagingBytes === this.staging.length) await this.emitRun();
    }
  }

  private async emitRun(): Promise<void> {
    const job = this.codec.compress(this.o.method, this.staging.subarray(0, this.stagingBytes), this.o.chunkBytes);
    job.catch(() => {}); // awaited in order by writeOldestRun; this only marks it handled meanwhile
    this.compressing.push({ raw: this.stagingBytes, job });
    this.stagingBytes = 0;
    while (this.compressing.length > RUNS_IN_FLIGHT_MAX) await this.writeOldestRun();
  }

  private async writeOldestRun(): Promise<void> {
    const pending = this.compressing.shift()!;
    const run = await pending.job;
    let at = this.dataFilePos;
    for (const n of run.chunkSizes) { this.chunkOffsets.push(at); at += n; }
    assert(at - this.dataFilePos === run.stored.length, 'stored run length is the sum of its chunks');
    await this.data.write(run.stored, 0, run.stored.length, this.dataFilePos);
    this.dataFilePos = at;
    this.rawWritten += pending.raw;
  }

  /** Finishes every component and publishes the SSTable; returns its stats. */
  async finish(): Promise<SSTableStats> {
    assert(this.opened && this.stats.partitionCount > 0, 'finishing an empty SSTable');
    if (this.maxTokenPending) this.stats.maxToken = tokenString(this.maxTokenHi, this.maxTokenLo);
    if (this.stagingBytes > 0) await this.emitRun();
    while (this.compressing.length > 0) await this.writeOldestRun();
    this.chunkOffsets.push(this.dataFilePos);
    await this.data.sync();
    await this.data.close();
    const s = this.stats;
    s.uncompressedBytes = this.rawPos;
    s.dataBytes = this.dataFilePos;
    const info = new ByteWriter(64 + this.chunkOffsets.length * 8);
    info.u32(this.o.chunkBytes).f64(this.rawPos).u32(this.chunkOffsets.length);
    for (const off of this.chunkOffsets) info.f64(off);
    const files: [Component, Buffer][] = [
      ['CompressionInfo.db', withCrc(info.view())],
      ['Index.db', withCrc(this.index.view())],
      ['Summary.db', withCrc(this.summary.view())],
      ['Filter.db', this.bloom.encode()],
      ['Statistics.db', withCrc(Buffer.from(JSON.stringify(s)))],
    ];
    for (const [c, buf] of files) await writeSynced(this.o.fs, this.tmp(c), buf);
    for (const c of COMPONENTS) {
      if (c === 'TOC.txt') continue;
      await this.o.fs.rename(this.tmp(c), componentFile(this.o.dir, this.o.generation, c));
    }
    await this.o.fs.syncDir(this.o.dir);
    await this.o.fs.writeFileAtomic(componentFile(this.o.dir, this.o.generation, 'TOC.txt'), Buffer.from(COMPONENTS.join('\n') + '\n'));
    return s;
  }

  /** Removes temporary files after a failed write. */
  async abort(): Promise<void> {
    await Promise.allSettled(this.compressing.splice(0).map((c) => c.job));
    if (this.opened) await this.data.close().catch(() => {});
    for (const c of COMPONENTS) await this.o.fs.unlink(this.tmp(c)).catch(() => {});
  }
}

export function withCrc(body: Buffer): Buffer {
  const out = Buffer.alloc(body.length + 4);
  body.copy(out);
  out.writeUInt32BE(crc32(body), body.length);
  return out;
}

async function writeSynced(fs: FileSystem, path: string, buf: Buffer): Promise<void> {
  const fh = await fs.open(path, 'w');
  try {
    await fh.write(buf, 0, buf.length, 0);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
