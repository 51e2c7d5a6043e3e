// Reads one SSTable: summary, bloom filter, statistics and chunk offsets in memory; index
// segments and data chunks read on demand (decompressed chunks shared through a ChunkCache).

import { crc32 } from 'node:zlib';
import type { FileHandle, FileSystem } from '../../env/mod.js';
import { assert } from '../../util/assert.js';
import { ByteReader, TruncatedInput } from '../../util/bytes.js';
import type { Partition, Row, Slice } from '../data.js';
import { readClustering, readPartitionHead, readRow } from '../_codec.js';
import { afterStart, beforeEnd, partitionSortKey, type TableOrder } from '../_order.js';
import { BloomFilter } from './bloom.js';
import { CorruptSSTable, decompressChunk, decompressChunkPrefix } from './compression.js';
import { ASYNC_ONLY, type PageCacheReads } from './_page_reads.js';
import { componentFile, COMPONENTS, SUMMARY_INTERVAL, type Component } from './format.js';
import type { SSTableStats } from './stats.js';
import { inlineCodec, type ChunkCodec } from '../workers/pool.js';

const INDEX_SEGMENT_CACHE_MAX = 64; // decoded segments kept for scans (range reads, compaction)
/** Chunks a scan reads and decompresses (on the codec's workers) ahead of the one it is decoding. */
const SCAN_READ_AHEAD_CHUNKS = 4;
/** Cache keys are owner * OWNER_KEYS_MAX + item (chunk or index segment number): plain numbers, no strings. */
const OWNER_KEYS_MAX = 2 ** 24;
const OWNERS_MAX = 2 ** 28; // keys stay below 2^52, exact as doubles

export interface IndexEntry {
  sortKey: string;
  key: Buffer;
  token: bigint;
  offset: number;
  length: number;
  headBytes: number;
  blocks: { clustering: Buffer[]; offset: number }[];
}

/**
 * A byte-bounded cache shared by every SSTable of a node: decompressed Data.db chunks (or the
 * decoded prefix of one) and Index.db segments. Each reader takes owner ids (`newOwner`) and keys
 * its items by number. Recency is approximated by two generations, each at most maxBytes / 2:
 * new and hit items go to the young one; when it is full it becomes the old one and the previous
 * old generation is dropped whole. A hit is two Map lookups at most and eviction costs nothing
 * per item (an exact LRU's delete + re-insert per hit left holes that Map iteration had to skip:
 * 8% of a large read workload's CPU).
 */
export class ChunkCache {
  private young = new Map<number, Buffer>();
  private old = new Map<number, Buffer>();
  private youngBytes = 0;
  private oldBytes = 0;
  private nextOwner = 1;
  hits = 0;
  misses = 0;
  constructor(readonly maxBytes: number) {}
  newOwner(): number {
    assert(this.nextOwner < OWNERS_MAX, 'chunk cache owner ids exhausted');
    return this.nextOwner++;
  }
  static key(owner: number, item: number): number {
    assert(item >= 0 && item < OWNER_KEYS_MAX, `cache item ${item} out of range`);
    return owner * OWNER_KEYS_MAX + item;
  }
  /** The item if cached with at least minBytes (a partly decoded chunk may be shorter); counts a hit or a miss. */
  get(k: number, minBytes = 0): Buffer | undefined {
    let v = this.young.get(k);
    if (v === undefined) {
      v = this.old.get(k);
      if (v !== undefined && v.length >= minBytes) {
        this.old.delete(k);
        this.oldBytes -= v.length;
        this.putYoung(k, v);
      }
    }
    if (v !== undefined && v.length >= minBytes) { this.hits++; return v; }
    this.misses++;
    return undefined;
  }
  set(k: number, v: Buffer): void {
    if (v.length > this.maxBytes / 2) return;
    const inOld = this.old.get(k);
    if (inOld !== undefined) { this.old.delete(k); this.oldBytes -= inOld.length; }
    const inYoung = this.young.get(k);
    if (inYoung !== undefined) { this.young.delete(k); this.youngBytes -= inYoung.length; }
    this.putYoung(k, v);
  }
  private putYoung(k: number, v: Buffer): void {
    if (this.youngBytes + v.length > this.maxBytes / 2) {
      this.old = this.young;
      this.oldBytes = this.youngBytes;
      this.young = new Map();
      this.youngBytes = 0;
    }
    this.young.set(k, v);
    this.youngBytes += v.length;
    assert(this.youngBytes + this.oldBytes <= this.maxBytes, 'chunk cache over its limit');
  }
  /** Whether v of `bytes` can be set without dropping anything cached (the young generation has room). */
  hasRoomFor(bytes: number): boolean {
    return this.youngBytes + bytes <= this.maxBytes / 2;
  }
  dropOwner(owner: number): void {
    const lo = owner * OWNER_KEYS_MAX;
    const hi = lo + OWNER_KEYS_MAX;
    for (const [k, v] of this.young) if (k >= lo && k < hi) { this.young.delete(k); this.youngBytes -= v.length; }
    for (const [k, v] of this.old) if (k >= lo && k < hi) { this.old.delete(k); this.oldBytes -= v.length; }
  }
  get sizeBytes(): number { return this.youngBytes + this.oldBytes; }
  get entries(): number { return this.young.size + this.old.size; }
}

export function checkCrc(buf: Buffer, where: string): Buffer {
  if (buf.length < 4 || buf.readUInt32BE(buf.length - 4) !== crc32(buf.subarray(0, buf.length - 4))) {
    throw new CorruptSSTable(`${where}: checksum mismatch`);
  }
  return buf.subarray(0, buf.length - 4);
}

function parseStats(buf: Buffer, where: string): SSTableStats {
  const s = JSON.parse(checkCrc(buf, where).toString('utf8')) as SSTableStats;
  s.minTimestampMicros ??= -Infinity;
  s.maxTimestampMicros ??= Infinity;
  s.minLocalDeletionTimeSec ??= Infinity;
  s.maxLocalDeletionTimeSec ??= -Infinity;
  return s;
}

export class SSTableReader {
  refs = 0;
  obsolete = false;
  private deleting = false;
  private deletedPromise: Promise<void> | undefined;
  private markDeleted: (() => void) | undefined;
  private readonly indexSegments = new Map<number, IndexEntry[]>();
  private readonly dataOwner: number;
  private readonly indexOwner: number;
  /** Scans: chunks being read and decompressed ahead, by chunk number (at most SCAN_READ_AHEAD_CHUNKS + 1). */
  private readonly readAhead = new Map<number, Promise<Buffer>>();
  private codec: ChunkCodec = inlineCodec;
  /** Synchronous point reads only (no await while in use): stored chunk, decoded chunk, raw index segment. */
  private storedScratch = Buffer.alloc(0);
  private decodeScratch = Buffer.alloc(0);
  private indexScratch = Buffer.alloc(0);

  private constructor(readonly fs: FileSystem, readonly dir: string, readonly generation: number, readonly stats: SSTableStats,
                      private readonly bloom: BloomFilter, private readonly summaryKeys: string[], private readonly summaryOffsets: number[],
                      private readonly indexBytes: number, private readonly chunkBytes: number, private readonly chunkOffsets: number[],
                      private readonly data: FileHandle, private readonly index: FileHandle, private readonly cache: ChunkCache,
                      private readonly reads: PageCacheReads) {
    this.dataOwner = cache.newOwner();
    this.indexOwner = cache.newOwner();
  }

  /** Scans (compaction, tools) decompress chunks through `codec` (worker threads in a node). */
  setCodec(codec: ChunkCodec): this {
    this.codec = codec;
    return this;
  }

  /** `reads` decides between synchronous and asynchronous point reads (asynchronous only by default). */
  static async open(fs: FileSystem, dir: string, generation: number, cache: ChunkCache, reads: PageCacheReads = ASYNC_ONLY): Promise<SSTableReader> {
    const file = (c: Component) => componentFile(dir, generation, c);
    const stats = parseStats(await fs.readFile(file('Statistics.db')), file('Statistics.db'));
    const bloom = BloomFilter.decode(await fs.readFile(file('Filter.db')), file('Filter.db'));
    const summary = checkCrc(await fs.readFile(file('Summary.db')), file('Summary.db'));
    const keys: string[] = [];
    const offsets: number[] = [];
    const sr = new ByteReader(summary);
    while (sr.remaining > 0) {
      keys.push(sr.bytes(sr.u32()).toString('latin1'));
      offsets.push(sr.f64());
    }
    const info = new ByteReader(checkCrc(await fs.readFile(file('CompressionInfo.db')), file('CompressionInfo.db')));
    const chunkBytes = info.u32();
    info.f64();
    const n = info.u32();
    const chunkOffsets: number[] = [];
    for (let i = 0; i < n; i++) chunkOffsets.push(info.f64());
    const indexStat = await fs.stat(file('Index.db'));
    const data = await fs.open(file('Data.db'), 'r');
    const index = await fs.open(file('Index.db'), 'r');
    return new SSTableReader(fs, dir, generation, stats, bloom, keys, offsets, (indexStat?.sizeBytes ?? 4) - 4, chunkBytes, chunkOffsets, data, index, cache, reads);
  }

  /** Resolves once the engine has deleted this SSTable's files. */
  deleted(): Promise<void> {
    this.deletedPromise ??= new Promise<void>((resolve) => { this.markDeleted = resolve; });
    return this.deletedPromise;
  }

  /** False when deletion already started (it happens once). */
  startDeletion(): boolean {
    if (this.deleting) return false;
    this.deleting = true;
    return true;
  }

  finishDeletion(): void {
    void this.deleted();
    this.markDeleted!();
  }

  get name(): string { return componentFile(this.dir, this.generation, 'Data.db'); }
  get sizeBytes(): number { return this.stats.dataBytes; }
  get level(): number { return this.stats.level; }

  files(): string[] {
    return COMPONENTS.map((c) => componentFile(this.dir, this.generation, c));
  }

  mightContain(token: bigint): boolean {
    return this.bloom.mightContain(token);
  }

  /** Could this SSTable hold rows in these slices (or partition-level data)? */
  mayIntersect(order: TableOrder, slices: Slice[]): boolean {
    const s = this.stats;
    if (slices.length === 0 || s.hasPartitionLevelDeletions || s.hasStatic || !s.minClustering || !s.maxClustering) return true;
    const minK = order.key(s.minClustering.map((h) => Buffer.from(h, 'hex')));
    const maxK = order.key(s.maxClustering.map((h) => Buffer.from(h, 'hex')));
    return slices.some((sl) => beforeEnd(order, minK, sl.end, order.key(sl.end.values)) && afterStart(order, maxK, sl.start, order.key(sl.start.values)));
  }

  /**
   * Index segment i (the entries between two summary entries) with a directory in front, through
   * the shared cache: | count u32 | count × (entry start u32, token high i32, token low u32) | raw entries |.
   */
  private async directedIndexSegment(i: number): Promise<Buffer> {
    const cacheKey = ChunkCache.key(this.indexOwner, i);
    const hit = this.cache.get(cacheKey);
    if (hit) return hit;
    const start = this.summaryOffsets[i]!;
    const end = i + 1 < this.summaryOffsets.length ? this.summaryOffsets[i + 1]! : this.indexBytes;
    let raw = this.readAt(this.index, start, end - start, 'index');
    if (raw instanceof Promise) raw = await raw; // no await on the synchronous path: raw may be scratch
    let withDirectory: Buffer;
    try {
      withDirectory = addDirectory(raw);
    } catch (e) {
      if (e instanceof RangeError) throw new CorruptSSTable(`${this.name}: index segment ${i} does not decode`);
      throw e;
    }
    this.cache.set(cacheKey, withDirectory);
    return withDirectory;
  }

  private async rawIndexSegment(i: number): Promise<Buffer> {
    const b = await this.directedIndexSegment(i);
    return b.subarray(DIRECTORY_HEAD_BYTES + DIRECTORY_ENTRY_BYTES * b.readUInt32LE(0));
  }

  private async indexSegment(i: number): Promise<IndexEntry[]> {
    const cached = this.indexSegments.get(i);
    if (cached) return cached;
    const buf = await this.rawIndexSegment(i);
    const entries: IndexEntry[] = [];
    const r = new ByteReader(buf);
    try {
      while (r.remaining > 0) {
        const key = Buffer.from(r.bytes(r.u32()));
        const token = r.i64();
        entries.push(decodeIndexEntryTail(r, partitionSortKey(token, key), key, token));
      }
    } catch (e) {
      if (e instanceof TruncatedInput) throw new CorruptSSTable(`${this.name}: index segment ${i} does not decode`);
      throw e;
    }
    if (this.indexSegments.size >= INDEX_SEGMENT_CACHE_MAX) this.indexSegments.delete(this.indexSegments.keys().next().value!);
    this.indexSegments.set(i, entries);
    return entries;
  }

  private segmentFor(sortKey: string): number {
    let lo = 0;
    let hi = this.summaryKeys.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.summaryKeys[mid]! <= sortKey) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /**
   * The index entry of one partition, or undefined. Scans the raw index segment without decoding
   * the entries it passes (token compared as two 32-bit halves, key bytes only on a token match).
   * `key` is the partition key (derived from sortKey when omitted).
   */
  async findEntry(sortKey: string, token: bigint, key?: Buffer): Promise<IndexEntry | undefined> {
    const found = this.findEntrySync(sortKey, token, key);
    if (found !== READ_ASYNC) return found;
    const segment = this.segmentFor(sortKey);
    try {
      return searchIndexSegment(await this.directedIndexSegment(segment), sortKey, token, key ?? Buffer.from(sortKey.slice(SORT_KEY_TOKEN_CHARS), 'latin1'));
    } catch (e) {
      if (e instanceof TruncatedInput || e instanceof RangeError) throw new CorruptSSTable(`${this.name}: index segment ${segment} does not decode`);
      throw e;
    }
  }

  /** As findEntry without an await, or READ_ASYNC when the index segment must be read asynchronously. */
  findEntrySync(sortKey: string, token: bigint, key?: Buffer): IndexEntry | undefined | typeof READ_ASYNC {
    if (this.summaryKeys.length === 0 || sortKey < this.stats.firstKey || sortKey > this.stats.lastKey) return undefined;
    if (!this.bloom.mightContain(token)) return undefined;
    const segment = this.segmentFor(sortKey);
    const cacheKey = ChunkCache.key(this.indexOwner, segment);
    try {
      const directed = this.cache.get(cacheKey);
      if (directed !== undefined) return searchIndexSegment(directed, sortKey, token, key ?? Buffer.from(sortKey.slice(SORT_KEY_TOKEN_CHARS), 'latin1'));
      // From the page cache: scan the raw segment in place (no directory, no cache entry)...
      const raw = this.indexSegmentSync(segment);
      if (raw === undefined) return READ_ASYNC;
      const withDirectory = DIRECTORY_HEAD_BYTES + DIRECTORY_ENTRY_BYTES * SUMMARY_INTERVAL + raw.length;
      if (!this.cache.hasRoomFor(withDirectory)) return scanRawIndexSegment(raw, sortKey, token, key ?? Buffer.from(sortKey.slice(SORT_KEY_TOKEN_CHARS), 'latin1'));
      // ...unless the cache has room without dropping anything (an index that fits): then the
      // segment is kept with its directory, and later lookups in it are a binary search, no read.
      const built = addDirectory(raw);
      this.cache.set(cacheKey, built);
      return searchIndexSegment(built, sortKey, token, key ?? Buffer.from(sortKey.slice(SORT_KEY_TOKEN_CHARS), 'latin1'));
    } catch (e) {
      if (e instanceof TruncatedInput || e instanceof RangeError) throw new CorruptSSTable(`${this.name}: index segment ${segment} does not decode`);
      throw e;
    }
  }

  /** Index segment i read synchronously into the index scratch buffer, or undefined when it must be read asynchronously. */
  private indexSegmentSync(i: number): Buffer | undefined {
    const start = this.summaryOffsets[i]!;
    const end = i + 1 < this.summaryOffsets.length ? this.summaryOffsets[i + 1]! : this.indexBytes;
    if (this.indexScratch.length < end - start) this.indexScratch = Buffer.allocUnsafe(Math.max(end - start, 2 * this.indexScratch.length));
    const view = this.indexScratch.subarray(0, end - start);
    return this.reads.tryReadSync(this.index, view, start) ? view : undefined;
  }

  async *entriesFrom(sortKey: string): AsyncIterableIterator<IndexEntry> {
    if (this.summaryKeys.length === 0 || sortKey > this.stats.lastKey) return;
    for (let i = this.segmentFor(sortKey); i < this.summaryKeys.length; i++) {
      for (const e of await this.indexSegment(i)) if (e.sortKey >= sortKey) yield e;
    }
  }

  /** Uncompressed bytes [start, end) of Data.db. */
  async readRange(start: number, end: number, useCache = true): Promise<Buffer> {
    const first = Math.floor(start / this.chunkBytes);
    const last = Math.floor((end - 1) / this.chunkBytes);
    const parts: Buffer[] = [];
    for (let i = first; i <= last; i++) parts.push(await this.chunk(i, useCache, i < last ? this.chunkBytes : end - i * this.chunkBytes));
    const all = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    const base = first * this.chunkBytes;
    return all.subarray(start - base, end - base);
  }

  /** As readRange for point reads, without an await: undefined when a chunk must be read asynchronously. */
  private readRangeSync(start: number, end: number): Buffer | undefined {
    const first = Math.floor(start / this.chunkBytes);
    const last = Math.floor((end - 1) / this.chunkBytes);
    let all: Buffer | undefined;
    if (first === last) {
      all = this.chunkSync(first, end - first * this.chunkBytes);
    } else {
      const parts: Buffer[] = [];
      for (let i = first; i <= last; i++) {
        const c = this.chunkSync(i, i < last ? this.chunkBytes : end - i * this.chunkBytes);
        if (c === undefined) return undefined;
        parts.push(c);
      }
      all = Buffer.concat(parts);
    }
    if (all === undefined) return undefined;
    const base = first * this.chunkBytes;
    return all.subarray(start - base, end - base);
  }

  /** Chunk i's first needBytes (or more) from the cache or a synchronous read; undefined when it must be read asynchronously. */
  private chunkSync(i: number, needBytes: number): Buffer | undefined {
    const cacheKey = ChunkCache.key(this.dataOwner, i);
    const hit = this.cache.get(cacheKey, needBytes);
    if (hit) return hit;
    if (i + 1 >= this.chunkOffsets.length) throw new CorruptSSTable(`${this.name}: chunk ${i} past the end`);
    const storedBytes = this.chunkOffsets[i + 1]! - this.chunkOffsets[i]!;
    if (this.storedScratch.length < storedBytes) this.storedScratch = Buffer.allocUnsafe(Math.max(storedBytes, 2 * this.storedScratch.length));
    const stored = this.storedScratch.subarray(0, storedBytes);
    if (!this.reads.tryReadSync(this.data, stored, this.chunkOffsets[i]!)) return undefined;
    return this.decodeAndCache(i, stored, needBytes);
  }

  private decodeAndCache(i: number, stored: Buffer, needBytes: number): Buffer {
    if (this.decodeScratch.length < this.chunkBytes) this.decodeScratch = Buffer.allocUnsafe(this.chunkBytes);
    const raw = decompressChunkPrefix(stored, needBytes, `${this.name} chunk ${i}`, this.decodeScratch);
    this.cache.set(ChunkCache.key(this.dataOwner, i), raw);
    return raw;
  }

  /** Chunk i, or (point reads) at least its first needBytes uncompressed bytes. */
  private async chunk(i: number, useCache: boolean, needBytes = this.chunkBytes): Promise<Buffer> {
    if (!useCache) return this.scanChunk(i);
    const cacheKey = ChunkCache.key(this.dataOwner, i);
    const hit = this.cache.get(cacheKey, needBytes);
    if (hit) return hit;
    // Point reads decode here, and only as far as the read needs: a 16 KiB chunk costs less than a
    // round trip to a worker. What was decoded is cached (a later read further in decodes again).
    if (i + 1 >= this.chunkOffsets.length) throw new CorruptSSTable(`${this.name}: chunk ${i} past the end`);
    let stored = this.readAt(this.data, this.chunkOffsets[i]!, this.chunkOffsets[i + 1]! - this.chunkOffsets[i]!, 'data');
    if (stored instanceof Promise) stored = await stored; // no await on the synchronous path: stored may be scratch
    return this.decodeAndCache(i, stored, needBytes);
  }

  /**
   * `length` bytes of a component from `position`. Read synchronously into this reader's scratch
   * buffer while the page cache serves reads: the result is then valid only until the caller's
   * next await (another read reuses the scratch), so callers must not await in between.
   */
  private readAt(fh: FileHandle, position: number, length: number, which: 'data' | 'index'): Buffer | Promise<Buffer> {
    let scratch = which === 'data' ? this.storedScratch : this.indexScratch;
    if (scratch.length < length) {
      scratch = Buffer.allocUnsafe(length);
      if (which === 'data') this.storedScratch = scratch; else this.indexScratch = scratch;
    }
    const view = scratch.subarray(0, length);
    if (this.reads.tryReadSync(fh, view, position)) return view;
    const own = Buffer.allocUnsafe(length);
    return readFully(fh, own, position).then(() => own);
  }

  private async storedChunk(i: number): Promise<Buffer> {
    if (i + 1 >= this.chunkOffsets.length) throw new CorruptSSTable(`${this.name}: chunk ${i} past the end`);
    const stored = Buffer.allocUnsafe(this.chunkOffsets[i + 1]! - this.chunkOffsets[i]!);
    await readFully(this.data, stored, this.chunkOffsets[i]!);
    return stored;
  }

  /**
   * A chunk for a sequential scan, bypassing the cache: chunks i+1..i+SCAN_READ_AHEAD_CHUNKS are
   * read and decompressed meanwhile. Chunk i stays available for the next partition starting in it.
   */
  private scanChunk(i: number): Promise<Buffer> {
    let p = this.readAhead.get(i);
    if (!p) { p = this.loadForScan(i); this.readAhead.set(i, p); }
    for (const k of this.readAhead.keys()) if (k < i || k > i + SCAN_READ_AHEAD_CHUNKS) this.readAhead.delete(k);
    for (let j = i + 1; j <= i + SCAN_READ_AHEAD_CHUNKS && j + 1 < this.chunkOffsets.length; j++) {
      if (!this.readAhead.has(j)) this.readAhead.set(j, this.loadForScan(j));
    }
    return p;
  }

  private loadForScan(i: number): Promise<Buffer> {
    const p = this.storedChunk(i).then((stored) => this.codec.decompress(stored, `${this.name} chunk ${i}`));
    p.catch(() => {}); // read-ahead that nobody asks for must not be an unhandled rejection
    return p;
  }

  /** The partition of an index entry, rows restricted to slices (all when empty). */
  async readPartition(e: IndexEntry, order: TableOrder, slices: Slice[], useCache = true): Promise<Partition> {
    const { rowsFrom, rowsTo } = rowsExtent(e, order, slices);
    try {
      if (rowsFrom === e.headBytes) return this.decodePartition(e, order, slices, await this.readRange(e.offset, e.offset + rowsTo, useCache), undefined);
      const head = await this.readRange(e.offset, e.offset + e.headBytes, useCache);
      return this.decodePartition(e, order, slices, head, await this.readRange(e.offset + rowsFrom, e.offset + rowsTo, useCache));
    } catch (err) {
      if (err instanceof TruncatedInput) throw new CorruptSSTable(`${this.name}: partition at ${e.offset} does not decode`);
      throw err;
    }
  }

  /**
   * As readPartition (through the chunk cache) without an await, or READ_ASYNC when a chunk must
   * be read asynchronously or only some row blocks are wanted.
   */
  readPartitionSync(e: IndexEntry, order: TableOrder, slices: Slice[]): Partition | typeof READ_ASYNC {
    const { rowsFrom, rowsTo } = rowsExtent(e, order, slices);
    if (rowsFrom !== e.headBytes) return READ_ASYNC;
    const buf = this.readRangeSync(e.offset, e.offset + rowsTo);
    if (buf === undefined) return READ_ASYNC;
    try {
      return this.decodePartition(e, order, slices, buf, undefined);
    } catch (err) {
      if (err instanceof TruncatedInput) throw new CorruptSSTable(`${this.name}: partition at ${e.offset} does not decode`);
      throw err;
    }
  }

  /**
   * Decodes a partition from its bytes: `first` holds the head and, when `rows` is undefined, the
   * rows after it; else `rows` holds the wanted row blocks. Values are views into these buffers
   * (decompressed chunks: immutable; see _codec.ts readBytesOf).
   */
  private decodePartition(e: IndexEntry, order: TableOrder, slices: Slice[], first: Buffer, rows: Buffer | undefined): Partition {
    const headReader = new ByteReader(first);
    const head = readPartitionHead(headReader, false);
    if (headReader.offset !== e.headBytes) throw new CorruptSSTable(`${this.name}: partition head at ${e.offset} is ${headReader.offset} bytes, index says ${e.headBytes}`);
    const r = rows === undefined ? headReader : new ByteReader(rows);
    const out: Row[] = [];
    const sliceKeys = slices.length === 0 ? [] : slices.map((sl) => ({ sl, sk: order.key(sl.start.values), ek: order.key(sl.end.values) }));
    while (r.remaining > 0) {
      const row = readRow(r, false);
      if (sliceKeys.length === 0) { out.push(row); continue; }
      const k = order.key(row.clustering);
      if (sliceKeys.some((x) => afterStart(order, k, x.sl.start, x.sk) && beforeEnd(order, k, x.sl.end, x.ek))) out.push(row);
    }
    // A literal, not `{ ...head, rows }`: V8 clones spreads on a slow path (one per point read).
    const p: Partition = { key: head.key, token: head.token, rangeTombstones: head.rangeTombstones, rows: out };
    if (head.partitionDeletion !== undefined) p.partitionDeletion = head.partitionDeletion;
    if (head.staticRow !== undefined) p.staticRow = head.staticRow;
    return p;
  }

  /** Every partition in order (compaction, dump, verify); bypasses the chunk cache. */
  async *scan(order: TableOrder): AsyncIterableIterator<Partition> {
    for await (const e of this.entriesFrom('')) yield await this.readPartition(e, order, [], false);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.readAhead.values()); // no read may still use the file handle
    this.readAhead.clear();
    this.cache.dropOwner(this.dataOwner);
    this.cache.dropOwner(this.indexOwner);
    await this.data.close();
    await this.index.close();
  }
}

/** Returned by the ...Sync read methods when the data must be read asynchronously. */
export const READ_ASYNC: unique symbol = Symbol('READ_ASYNC');

/** The byte extent of the rows to read: all of them, or only the row index blocks the slices touch. */
function rowsExtent(e: IndexEntry, order: TableOrder, slices: Slice[]): { rowsFrom: number; rowsTo: number } {
  if (e.blocks.length <= 1 || slices.length === 0) return { rowsFrom: e.headBytes, rowsTo: e.length };
  let firstBlock = e.blocks.length - 1;
  let lastBlock = 0;
  for (const sl of slices) {
    const sk = order.key(sl.start.values);
    const ek = order.key(sl.end.values);
    let b0 = 0;
    let b1 = e.blocks.length - 1;
    if (sl.start.values.length > 0) while (b0 + 1 < e.blocks.length && order.compare(order.key(e.blocks[b0 + 1]!.clustering), sk) <= 0) b0++;
    if (sl.end.values.length > 0) { b1 = b0; while (b1 + 1 < e.blocks.length && order.compareToPrefix(order.key(e.blocks[b1 + 1]!.clustering), ek) <= 0) b1++; }
    firstBlock = Math.min(firstBlock, b0);
    lastBlock = Math.max(lastBlock, b1);
  }
  const rowsFrom = e.blocks[firstBlock]!.offset;
  const rowsTo = lastBlock + 1 < e.blocks.length ? e.blocks[lastBlock + 1]!.offset : e.length;
  return { rowsFrom, rowsTo };
}

const SORT_KEY_TOKEN_CHARS = 16; // partitionSortKey: 16 hex digits of the token, then the key as latin1

/** Index.db entry after key and token: offset f64, length u32, head length u32, blocks. */
function decodeIndexEntryTail(r: ByteReader, sortKey: string, key: Buffer, token: bigint): IndexEntry {
  const offset = r.f64();
  const length = r.u32();
  const headBytes = r.u32();
  const nb = r.u32();
  const blocks: IndexEntry['blocks'] = [];
  for (let b = 0; b < nb; b++) blocks.push({ clustering: readClustering(r), offset: r.u32() });
  return { sortKey, key, token, offset, length, headBytes, blocks };
}

/** Offset just past the index entry that starts at `at`, read without allocating. */
function skipIndexEntry(b: Buffer, at: number): number {
  at += 4 + b.readUInt32BE(at); // key
  at += 8 + 8 + 4 + 4; // token, offset, length, head length
  const blocks = b.readUInt32BE(at);
  at += 4;
  for (let i = 0; i < blocks; i++) {
    const values = b[at++]!;
    for (let j = 0; j < values; j++) at += 4 + b.readUInt32BE(at);
    at += 4; // block offset
  }
  return at;
}

function sameBytes(b: Buffer, at: number, key: Buffer): boolean {
  for (let i = 0; i < key.length; i++) if (b[at + i] !== key[i]) return false;
  return true;
}

const DIRECTORY_HEAD_BYTES = 4; // entry count u32, little-endian
const DIRECTORY_ENTRY_BYTES = 12; // entry start, token high, token low: int32 little-endian each

/** Prefixes a raw index segment with its directory (entry starts and tokens) for binary search. */
function addDirectory(raw: Buffer): Buffer {
  const starts: number[] = [];
  for (let at = 0; at < raw.length; at = skipIndexEntry(raw, at)) starts.push(at);
  const dirBytes = DIRECTORY_HEAD_BYTES + DIRECTORY_ENTRY_BYTES * starts.length;
  const out = Buffer.alloc(dirBytes + raw.length);
  out.writeUInt32LE(starts.length, 0);
  for (let i = 0; i < starts.length; i++) {
    const t = starts[i]! + 4 + raw.readUInt32BE(starts[i]!);
    const at = DIRECTORY_HEAD_BYTES + DIRECTORY_ENTRY_BYTES * i;
    out.writeInt32LE(starts[i]!, at);
    out.writeInt32LE(raw.readInt32BE(t), at + 4);
    out.writeInt32LE(raw.readInt32BE(t + 4), at + 8); // low half stored as int32; compared unsigned (>>> 0)
  }
  raw.copy(out, dirBytes);
  return out;
}

/**
 * Finds (token, key) in a raw index segment (sorted by token, then key) by walking it; stops once
 * past the token. The match is copied out, so `raw` may be a scratch buffer.
 */
function scanRawIndexSegment(raw: Buffer, sortKey: string, token: bigint, key: Buffer): IndexEntry | undefined {
  const tokenHi = Number(token >> 32n);
  const tokenLo = Number(BigInt.asUintN(32, token));
  for (let at = 0; at < raw.length;) {
    const keyBytes = raw.readUInt32BE(at);
    const t = at + 4 + keyBytes;
    const hi = raw.readInt32BE(t);
    const lo = raw.readUInt32BE(t + 4);
    if (hi > tokenHi || (hi === tokenHi && lo > tokenLo)) return undefined;
    const next = skipIndexEntry(raw, at);
    if (hi === tokenHi && lo === tokenLo && keyBytes === key.length && sameBytes(raw, at + 4, key)) {
      const own = Buffer.from(raw.subarray(at, next));
      return decodeIndexEntryTail(new ByteReader(own, 4 + keyBytes + 8), sortKey, own.subarray(4, 4 + keyBytes), token);
    }
    at = next;
  }
  return undefined;
}

/** Finds (token, key) in a directed index segment sorted by token then key; decodes only the match. */
function searchIndexSegment(directed: Buffer, sortKey: string, token: bigint, key: Buffer): IndexEntry | undefined {
  // The directory's little-endian words read in place: no typed-array view made per lookup.
  const count = directed.readUInt32LE(0);
  const rawStart = DIRECTORY_HEAD_BYTES + DIRECTORY_ENTRY_BYTES * count;
  const tokenHi = Number(token >> 32n);
  const tokenLo = Number(BigInt.asUintN(32, token));
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const h = directed.readInt32LE(4 * (2 + 3 * mid));
    if (h < tokenHi || (h === tokenHi && directed.readInt32LE(4 * (3 + 3 * mid)) >>> 0 < tokenLo)) lo = mid + 1; else hi = mid;
  }
  for (let i = lo; i < count && directed.readInt32LE(4 * (2 + 3 * i)) === tokenHi && directed.readInt32LE(4 * (3 + 3 * i)) >>> 0 === tokenLo; i++) {
    const at = rawStart + directed.readInt32LE(4 * (1 + 3 * i));
    const keyBytes = directed.readUInt32BE(at);
    if (keyBytes === key.length && sameBytes(directed, at + 4, key)) {
      const t = at + 4 + keyBytes;
      return decodeIndexEntryTail(new ByteReader(directed, t + 8), sortKey, Buffer.from(directed.subarray(at + 4, t)), token);
    }
  }
  return undefined;
}

async function readFully(fh: FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const n = await fh.read(buf, done, buf.length - done, position + done);
    if (n === 0) throw new CorruptSSTable(`unexpected end of file at ${position + done}`);
    done += n;
  }
}
