// The per-node store: one TableStore per table (active memtable, memtables being flushed, live
// SSTables), the shared commit log, flush and compaction scheduling, and read execution.
// See README.md for the write path, the read path and the invariants.

import { BACKGROUND_SLICE_MS, LoopSlices } from './_slices.js';
import type { Env } from '../env/mod.js';
import type { TableMetadata } from '../schema/metadata.js';
import { assert } from '../util/assert.js';
import { InvalidRequest, WriteFailure } from '../util/errors.js';
import { CommitLog, comparePositions, type CommitLogPosition } from './commitlog/commitlog.js';
import { purgePartition } from './compaction/purge.js';
import { pickCompaction, type CompactionTask } from './compaction/strategies.js';
import type { Partition, PartitionUpdate, ReadCommand, ReadResult, ReadStats, Slice, TokenRange } from './data.js';
import { Memtable } from './memtable/memtable.js';
import { emptyMetrics, noteHistogram, type StorageMetrics } from './metrics.js';
import { READ_NOT_SYNC, executeRead, executeReadSync, type PartitionHeader, type SyncTableView, type TableView } from './read.js';
import { mergePartitions } from './reconcile.js';
import { compressionFromOptions } from './sstable/compression.js';
import { COMPONENTS, componentFile, parseComponentFile } from './sstable/format.js';
import { ChunkCache, READ_ASYNC, SSTableReader } from './sstable/reader.js';
import { PageCacheReads } from './sstable/_page_reads.js';
import { SSTableWriter } from './sstable/writer.js';
import { FlushTranscoder } from './memtable/transcode.js';
import { storageSettings, type StorageSettings } from './_config.js';
import { chunkCodec, type ChunkCodec } from './workers/pool.js';
import { partitionSortKey, tableOrder, type TableOrder } from './_order.js';

export interface StorageLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export const silentLogger: StorageLogger = { info() {}, warn() {}, error() {} };

export interface StorageOptions {
  env: Env;
  dataDir: string;
  commitlogDir: string;
  config?: Record<string, unknown>;
  logger?: StorageLogger;
  hostId: string;
  /**
   * Worker threads for SSTable chunk compression (flush, compaction) and compaction's chunk
   * decompression. 0 runs them inline on the event loop: deterministic, for the simulation.
   * Default STORAGE_WORKER_THREADS_DEFAULT.
   */
  workerThreads?: number;
  /**
   * Commit log segments opened with O_DSYNC in batch/group mode instead of write + fdatasync
   * (one system call per batch). Default true since session 2 round 2: with one batch in flight
   * it measured as cheap or cheaper (commitlog/README.md); false for disks where fdatasync wins.
   */
  commitLogDsync?: boolean;
  /**
   * Commit log batches written and synced on a dedicated writer thread where the Env's file
   * system has one (FileSystem.startWriterThread; the simulation has none). Default true.
   */
  commitLogWriterThread?: boolean;
  /**
   * Flush and compaction hand the event loop back to I/O after this many ms of work
   * (src/storage/_slices.ts). Default BACKGROUND_SLICE_MS; tests set 0 to yield after every
   * partition.
   */
  backgroundSliceMs?: number;
}

export const STORAGE_WORKER_THREADS_DEFAULT = 1;

const TRUNCATION_RECORD = 'truncated.json';
const TXN_SUFFIX = '.txn';

/**
 * A compaction's transaction record, `<table dir>/compaction-<first input generation>.txn`, written
 * atomically: first (uncommitted) before any output file exists, listing the outputs as they are
 * created; then committed once every output is complete. open() finishes what a crash left:
 * committed → the inputs go; uncommitted → the outputs go. The record is removed once the losing
 * side's files are deleted and the directory synced.
 */
export interface CompactionTxn {
  inputs: number[];
  outputs: number[];
  committed: boolean;
}
const FLUSH_BACKPRESSURE_FACTOR = 2; // writes wait once memtables hold twice the space limit
const COMPACTION_SLICE_BYTES = 1024 * 1024;

export class TableStore {
  memtable: Memtable;
  flushing: Memtable[] = [];
  /** Newest max timestamp first, so reads can stop early behind a partition deletion. */
  sstables: SSTableReader[] = [];
  nextGeneration = 1;
  replayAfter: CommitLogPosition = { segmentId: 0, offset: 0 };
  flushChain: Promise<void> = Promise.resolve();
  compacting = new Set<SSTableReader>();
  epoch = 0;
  dropped = false;

  constructor(public table: TableMetadata, readonly dir: string) {
    this.memtable = new Memtable(table);
  }

  memtables(): Memtable[] {
    return [this.memtable, ...this.flushing];
  }

  setSSTables(list: SSTableReader[]): void {
    this.sstables = [...list].sort((a, b) => b.stats.maxTimestampMicros - a.stats.maxTimestampMicros);
  }
}

export function tableDirName(table: TableMetadata): string {
  return `${table.keyspace}/${table.name}-${table.id.replace(/-/g, '')}`;
}

export class StorageEngine {
  readonly settings: StorageSettings;
  readonly logger: StorageLogger;
  private readonly tables = new Map<string, TableStore>();
  private readonly commitLog: CommitLog;
  private readonly chunkCache: ChunkCache;
  private readonly pageReads: PageCacheReads;
  private readonly codec: ChunkCodec;
  private readonly m: StorageMetrics = emptyMetrics();
  private compactionChain: Promise<void> = Promise.resolve();
  private compactionRunning = false;
  private backgroundCompactions = true;
  private opened = false;
  private closed = false;
  /**
   * Running totals of memtable sizeBytes over all tables: the current memtables, and those being
   * flushed. Kept by every place that changes them (apply, flush start and end, truncate, drop), so
   * the backpressure check per write is two additions, not a sum over every table.
   */
  private activeMemtableBytes = 0;
  private flushingMemtableBytes = 0;
  /** SSTable deletions and compaction-record removals running in the background; close/abandon wait for them. */
  private readonly background = new Set<Promise<void>>();
  /** readSync's view, reset per read (reads without an await never overlap). */
  private readonly syncView: SyncView;

  constructor(readonly options: StorageOptions) {
    this.settings = storageSettings(options.config);
    this.logger = options.logger ?? silentLogger;
    this.chunkCache = new ChunkCache(this.settings.chunkCacheBytes);
    this.pageReads = new PageCacheReads(options.env.clock);
    this.syncView = new SyncView(this.settings.partitionSizeWarnBytes);
    this.codec = chunkCodec(options.workerThreads ?? STORAGE_WORKER_THREADS_DEFAULT);
    this.commitLog = new CommitLog({
      fs: options.env.fs, clock: options.env.clock, scheduler: options.env.scheduler, dir: options.commitlogDir,
      sync: this.settings.commitLogSync, dsync: options.commitLogDsync ?? true, writerThread: options.commitLogWriterThread ?? true, groupWindowMs: this.settings.commitLogGroupWindowMs, periodMs: this.settings.commitLogPeriodMs,
      segmentBytes: this.settings.commitLogSegmentBytes, log: this.logger,
      apply: (u) => {
        this.applyToMemtable(this.store(u.tableId), u);
        this.m.writes++;
      },
      afterBatch: () => this.afterWrite(),
    });
  }

  private get fs() { return this.options.env.fs; }
  private nowSec(): number { return Math.floor(this.options.env.clock.nowMs() / 1000); }

  // ---- lifecycle -------------------------------------------------------------------------------

  async open(): Promise<void> {
    assert(!this.opened, 'storage opened twice');
    this.opened = true;
    await this.fs.mkdirp(this.options.dataDir);
    for (const t of this.tables.values()) await this.loadTable(t);
    let replayedEntries = 0;
    const replayed = await this.commitLog.replay(({ update, position }) => {
      const t = this.tables.get(update.tableId);
      if (!t || comparePositions(position, t.replayAfter) < 0) return;
      this.applyToMemtable(t, update);
      replayedEntries++;
    });
    if (replayedEntries > 0) this.logger.info(`commit log replay: ${replayedEntries} writes from ${replayed.length} segments`);
    for (const t of this.tables.values()) await this.flushTable(t, { segmentId: 0, offset: 0 });
    await this.commitLog.start(replayed);
  }

  private async loadTable(t: TableStore): Promise<void> {
    await this.fs.mkdirp(t.dir);
    await this.resolveCompactionTxns(t);
    const names = await this.fs.readdir(t.dir);
    const complete = new Set<number>();
    const seen = new Set<number>();
    for (const n of names) {
      if (n.endsWith('.tmp')) { await this.fs.unlink(`${t.dir}/${n}`); continue; }
      const p = parseComponentFile(n);
      if (!p) continue;
      seen.add(p.generation);
      if (p.component === 'TOC.txt') complete.add(p.generation);
    }
    const readers: SSTableReader[] = [];
    for (const g of seen) {
      t.nextGeneration = Math.max(t.nextGeneration, g + 1);
      if (!complete.has(g)) {
        this.logger.warn(`${t.dir}: removing incomplete SSTable generation ${g} (no TOC.txt; a flush or compaction was interrupted)`);
        for (const c of COMPONENTS) await this.fs.unlink(componentFile(t.dir, g, c)).catch(() => {});
        continue;
      }
      const r = await this.openReader(t, g);
      readers.push(r);
      const ub = r.stats.commitLogUpperBound;
      if (ub && comparePositions(ub, t.replayAfter) > 0) t.replayAfter = ub;
    }
    t.setSSTables(readers);
    const trunc = await this.fs.stat(`${t.dir}/${TRUNCATION_RECORD}`);
    if (trunc) {
      const pos = JSON.parse((await this.fs.readFile(`${t.dir}/${TRUNCATION_RECORD}`)).toString()) as CommitLogPosition;
      if (comparePositions(pos, t.replayAfter) > 0) t.replayAfter = pos;
    }
  }

  /** Completes or rolls back compactions that a crash interrupted (see CompactionTxn). */
  private async resolveCompactionTxns(t: TableStore): Promise<void> {
    for (const n of await this.fs.readdir(t.dir)) {
      if (!n.endsWith(TXN_SUFFIX)) continue;
      const path = `${t.dir}/${n}`;
      const bytes = await this.fs.readFile(path).catch((e: NodeJS.ErrnoException) => { if (e.code === 'ENOENT') return undefined; throw e; });
      if (!bytes) continue; // removed since readdir: its compaction finished
      const txn = JSON.parse(bytes.toString('utf8')) as CompactionTxn;
      const losers = txn.committed ? txn.inputs : txn.outputs;
      this.logger.info(`${t.dir}: ${n}: compaction ${txn.committed ? 'committed; removing its inputs' : 'not committed; removing its outputs'} `
        + `(generations ${losers.join(', ') || 'none'})`);
      for (const g of losers) await this.unlinkGeneration(t.dir, g);
      await this.finishTxn(t.dir, path);
    }
  }

  /** Deletes one generation's files, TOC first (a crash midway leaves an incomplete generation). */
  private async unlinkGeneration(dir: string, generation: number): Promise<void> {
    for (const c of [...COMPONENTS].reverse()) {
      await this.fs.unlink(componentFile(dir, generation, c)).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'ENOENT') throw e; });
    }
  }

  /** Makes the deletions durable, then removes the record. */
  private async finishTxn(dir: string, path: string): Promise<void> {
    await this.fs.syncDir(dir);
    await this.fs.unlink(path).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'ENOENT') throw e; });
    await this.fs.syncDir(dir);
  }

  private async writeTxn(path: string, txn: CompactionTxn): Promise<void> {
    await this.fs.writeFileAtomic(path, Buffer.from(JSON.stringify(txn)));
  }

  async addTable(table: TableMetadata): Promise<void> {
    const existing = this.tables.get(table.id);
    if (existing) { this.updateTable(table); return; }
    const t = new TableStore(table, `${this.options.dataDir}/${tableDirName(table)}`);
    this.tables.set(table.id, t);
    if (this.opened) await this.loadTable(t);
  }

  updateTable(table: TableMetadata): void {
    const t = this.tables.get(table.id);
    if (!t) return;
    t.table = table;
    t.memtable.setTable(table);
    for (const m of t.flushing) m.setTable(table);
    this.maybeCompact(t);
  }

  private store(tableId: string): TableStore {
    const t = this.tables.get(tableId);
    if (!t) throw new InvalidRequest(`unknown table id ${tableId}`);
    return t;
  }

  async dropTable(tableId: string): Promise<void> {
    const t = this.tables.get(tableId);
    if (!t) return;
    if (this.settings.autoSnapshot) await this.snapshot(`dropped-${this.options.env.clock.nowMs()}-${t.table.name}`, tableId);
    await this.removeAllData(t);
    t.dropped = true;
    this.tables.delete(tableId);
    await this.commitLog.forgetTable(tableId);
  }

  async truncate(tableId: string): Promise<void> {
    const t = this.store(tableId);
    if (this.settings.autoSnapshot) await this.snapshot(`truncated-${this.options.env.clock.nowMs()}-${t.table.name}`, tableId);
    await this.removeAllData(t);
  }

  private async removeAllData(t: TableStore): Promise<void> {
    await t.flushChain;
    t.epoch++;
    const upTo = this.commitLog.lastApplied;
    this.activeMemtableBytes -= t.memtable.sizeBytes;
    for (const f of t.flushing) this.flushingMemtableBytes -= f.sizeBytes;
    t.memtable = new Memtable(t.table);
    t.flushing = [];
    const old = t.sstables;
    t.setSSTables([]);
    await this.fs.mkdirp(t.dir);
    await this.fs.writeFileAtomic(`${t.dir}/${TRUNCATION_RECORD}`, Buffer.from(JSON.stringify(upTo)));
    t.replayAfter = upTo;
    for (const r of old) this.retire(r);
    await this.commitLog.markFlushed(t.table.id, upTo);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.backgroundCompactions = false;
    await this.flush();
    this.closed = true;
    await this.compactionChain;
    await this.settleBackground();
    await this.commitLog.close();
    for (const t of this.tables.values()) for (const r of t.sstables) await r.close();
    await this.codec.close();
  }

  /**
   * For tests: stops like a crash would, without flushing memtables (their data stays only in the
   * commit log) and without a final commit log sync (periodic mode's unsynced tail stays
   * unsynced). Background flushes and compactions already running are allowed to finish so that a
   * new instance can open the same directories.
   */
  async abandon(): Promise<void> {
    this.backgroundCompactions = false;
    this.closed = true;
    for (const t of this.tables.values()) await t.flushChain.catch(() => {});
    await this.compactionChain;
    await this.settleBackground();
    await this.commitLog.abandon();
    for (const t of this.tables.values()) for (const r of t.sstables) await r.close();
    await this.codec.close();
  }

  // ---- writes ----------------------------------------------------------------------------------

  /**
   * No async frame: a write that needs no backpressure wait is one commit-log append. The log
   * applies the update to its memtable once durable, in log order (CommitLogOptions.apply), and
   * runs the flush checks once per batch (afterBatch), so the usual write costs one promise.
   */
  apply(update: PartitionUpdate): Promise<void> {
    try {
      this.checkWritable(update);
      if (this.overBackpressureLimit()) return this.memtableBackpressure().then(() => this.commitLog.append(update));
      return this.commitLog.append(update);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * apply() with a callback (Storage.applyThen): `done(undefined)` once durable and applied,
   * `done(error)` otherwise; exactly once, possibly before this returns. No promise when no
   * backpressure wait is needed.
   */
  applyThen(update: PartitionUpdate, done: (error: unknown) => void): void {
    try {
      this.checkWritable(update);
    } catch (e) {
      done(e);
      return;
    }
    if (this.overBackpressureLimit()) {
      this.memtableBackpressure().then(() => this.commitLog.appendThen(update, done), done);
      return;
    }
    this.commitLog.appendThen(update, done);
  }

  private checkWritable(update: PartitionUpdate): void {
    if (this.closed) throw new WriteFailure('storage is closed; the node is shutting down', 'ONE', 0, 1, [], 'SIMPLE');
    assert(this.opened, 'apply before open');
    this.store(update.tableId);
  }

  /** Applies to the table's current memtable and keeps the running total. */
  private applyToMemtable(t: TableStore, update: PartitionUpdate): void {
    const m = t.memtable;
    const before = m.sizeBytes;
    m.apply(update);
    this.activeMemtableBytes += m.sizeBytes - before;
  }

  private overBackpressureLimit(): boolean {
    return this.activeMemtableBytes + this.flushingMemtableBytes > FLUSH_BACKPRESSURE_FACTOR * this.settings.memtableSpaceBytes;
  }

  /** Sum over every table (metrics, and tests of the running totals). */
  private memtableBytes(includeFlushing: boolean): number {
    let n = 0;
    for (const t of this.tables.values()) {
      n += t.memtable.sizeBytes;
      if (includeFlushing) for (const f of t.flushing) n += f.sizeBytes;
    }
    return n;
  }

  /** The running totals and the sums they stand for (tests: they must be equal). */
  memtableBytesAccounting(): { active: number; flushing: number; activeSum: number; flushingSum: number } {
    const activeSum = this.memtableBytes(false);
    return { active: this.activeMemtableBytes, flushing: this.flushingMemtableBytes, activeSum, flushingSum: this.memtableBytes(true) - activeSum };
  }

  private async memtableBackpressure(): Promise<void> {
    for (let i = 0; i < 1000 && this.overBackpressureLimit(); i++) {
      const busy = [...this.tables.values()].filter((t) => t.flushing.length > 0);
      if (busy.length === 0) break;
      await Promise.race(busy.map((t) => t.flushChain));
    }
  }

  private afterWrite(): void {
    if (this.activeMemtableBytes > this.settings.memtableSpaceBytes) {
      let largest: TableStore | undefined;
      for (const t of this.tables.values()) if (!largest || t.memtable.sizeBytes > largest.memtable.sizeBytes) largest = t;
      if (largest && largest.memtable.sizeBytes > 0) void this.flushTable(largest).catch((e) => this.logger.error(`flush failed: ${e}`));
    }
    if (this.commitLog.segmentCount * this.settings.commitLogSegmentBytes > this.settings.commitLogTotalBytes) {
      for (const id of this.commitLog.oldestDirtyTables()) {
        const t = this.tables.get(id);
        if (t && t.flushing.length === 0) void this.flushTable(t).catch((e) => this.logger.error(`flush failed: ${e}`));
      }
    }
  }

  // ---- flush -----------------------------------------------------------------------------------

  async flush(tableId?: string): Promise<void> {
    const targets = tableId ? [this.store(tableId)] : [...this.tables.values()];
    await Promise.all(targets.map((t) => this.flushTable(t)));
  }

  /** Switches the table's memtable and writes the old one as an SSTable; flushes run one at a time per table. */
  private flushTable(t: TableStore, upToOverride?: CommitLogPosition): Promise<void> {
    const m = t.memtable;
    const upTo = upToOverride ?? this.commitLog.lastApplied;
    if (!m.isEmpty) {
      t.memtable = new Memtable(t.table);
      t.flushing.push(m);
      this.activeMemtableBytes -= m.sizeBytes;
      this.flushingMemtableBytes += m.sizeBytes;
    }
    const epoch = t.epoch;
    const run = async () => {
      if (!m.isEmpty && t.epoch === epoch) await this.writeMemtable(t, m, upTo, epoch);
      // Truncate/drop may have dropped it from the list (and from the total) already.
      if (t.flushing.includes(m)) this.flushingMemtableBytes -= m.sizeBytes;
      t.flushing = t.flushing.filter((x) => x !== m);
      if (this.opened && !t.dropped) await this.commitLog.markFlushed(t.table.id, upTo);
    };
    t.flushChain = t.flushChain.then(run, run);
    return t.flushChain;
  }

  private async writeMemtable(t: TableStore, m: Memtable, upTo: CommitLogPosition, epoch: number): Promise<void> {
    const writer = this.newWriter(t, 0, m.partitionCount, upTo);
    const slices = this.loopSlices();
    try {
      // Slab records straight to SSTable bytes (memtable/transcode.ts); promises only when waiting.
      for (const p of new FlushTranscoder(m, writer.stats).partitions()) {
        const written = writer.addEncoded(p);
        if (written !== undefined) await written;
        const turn = slices.maybeYield();
        if (turn !== undefined) await turn;
      }
      await writer.finish();
    } catch (e) {
      await writer.abort();
      throw e;
    }
    const reader = await this.openReader(t, writer.generation);
    this.m.bytesFlushed += reader.sizeBytes;
    this.m.flushes++;
    if (t.epoch !== epoch || t.dropped) { this.retire(reader); return; }
    t.setSSTables([...t.sstables, reader]);
    this.maybeCompact(t);
  }

  private async openReader(t: TableStore, generation: number): Promise<SSTableReader> {
    return (await SSTableReader.open(this.fs, t.dir, generation, this.chunkCache, this.pageReads)).setCodec(this.codec);
  }

  private newWriter(t: TableStore, level: number, expectedPartitions: number, upTo?: CommitLogPosition): SSTableWriter & { generation: number } {
    const { method, chunkBytes } = compressionFromOptions(t.table.options.compression);
    const generation = t.nextGeneration++;
    const w = new SSTableWriter({
      fs: this.fs, dir: t.dir, generation, order: tableOrder(t.table), method, chunkBytes,
      bloomFpChance: t.table.options.bloom_filter_fp_chance, expectedPartitions, level, hostId: this.options.hostId,
      ...(upTo ? { commitLogUpperBound: upTo } : {}), createdAtMs: this.options.env.clock.nowMs(), codec: this.codec,
    });
    return Object.assign(w, { generation });
  }

  /**
   * Removes an SSTable from service; its files go once no read holds it. Resolves when they are
   * deleted (possibly after the last read holding it finishes).
   */
  private retire(r: SSTableReader): Promise<void> {
    r.obsolete = true;
    const gone = r.deleted();
    if (r.refs === 0) this.track(this.deleteSSTable(r));
    return gone;
  }

  private track(p: Promise<void>): void {
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }

  /** Waits for background deletions (bounded: each round waits for those running at its start). */
  private async settleBackground(): Promise<void> {
    for (let i = 0; i < 16 && this.background.size > 0; i++) await Promise.allSettled([...this.background]);
  }

  private async deleteSSTable(r: SSTableReader): Promise<void> {
    if (!r.startDeletion()) return;
    await r.close().catch(() => {});
    // TOC first: a crash midway leaves an incomplete generation that open() removes.
    for (const f of [...r.files()].reverse()) await this.fs.unlink(f).catch(() => {});
    r.finishDeletion();
  }

  // ---- reads -----------------------------------------------------------------------------------

  async read(command: ReadCommand): Promise<ReadResult> {
    const t = this.store(command.table.id);
    const sstables = [...t.sstables];
    for (const r of sstables) r.refs++;
    const warnings: string[] = [];
    try {
      const result = await executeRead(this.view(t, sstables, warnings), command, this.settings);
      this.m.reads++;
      noteHistogram(this.m.sstablesPerRead, result.stats.sstablesRead);
      noteHistogram(this.m.tombstonesPerRead, result.stats.tombstonesScanned);
      result.warnings.push(...warnings);
      return result;
    } finally {
      for (const r of sstables) {
        r.refs--;
        if (r.obsolete && r.refs === 0) this.track(this.deleteSSTable(r));
      }
    }
  }

  /**
   * read() without an await, for key reads whose data is in memory (memtables, and SSTable index
   * segments and chunks served from the chunk cache or the page cache): the same result, or
   * undefined when the read has to go through read() (a range read, or some SSTable read would be
   * asynchronous; nothing is kept of the work done then). Throws what read() would reject with.
   */
  readSync(command: ReadCommand): ReadResult | undefined {
    if (command.partitions.kind !== 'keys') return undefined;
    const view = this.syncView.start(this.store(command.table.id));
    const result = executeReadSync(view, command, this.settings);
    if (result === READ_NOT_SYNC) {
      this.m.readsNotSync++;
      return undefined;
    }
    this.m.reads++;
    this.m.readsSync++;
    noteHistogram(this.m.sstablesPerRead, result.stats.sstablesRead);
    noteHistogram(this.m.tombstonesPerRead, result.stats.tombstonesScanned);
    if (view.warnings !== null) result.warnings.push(...view.warnings);
    return result;
  }

  private view(t: TableStore, sstables: SSTableReader[], warnings: string[]): TableView {
    const order = tableOrder(t.table);
    const memtables = t.memtables();
    const table = t.table;
    const warnBytes = this.settings.partitionSizeWarnBytes;
    return {
      order,
      async getPartition(h: PartitionHeader, slices: Slice[], stats: ReadStats): Promise<Partition | undefined> {
        let merged: Partition | undefined;
        for (const m of memtables) {
          const p = m.readPartition(h, slices);
          if (!p) continue;
          merged = merged ? mergePartitions(table, merged, p) : p;
        }
        for (const r of sstables) {
          const pd = merged?.partitionDeletion;
          if (pd && pd.markedForDeleteAtMicros >= r.stats.maxTimestampMicros) break;
          if (!r.mayIntersect(order, slices)) continue;
          // Synchronous while the page cache serves the reads (sstable/_page_reads.ts): no await per step.
          const found = r.findEntrySync(h.sortKey, h.token, h.key);
          const e = found === READ_ASYNC ? await r.findEntry(h.sortKey, h.token, h.key) : found;
          if (!e) continue;
          stats.sstablesRead++;
          if (e.length > warnBytes && warnings.length < 10) {
            warnings.push(`partition ${e.key.toString('hex')} of ${table.keyspace}.${table.name} is ${e.length} bytes in one SSTable (over ${warnBytes})`);
          }
          const read = r.readPartitionSync(e, order, slices);
          const p = read === READ_ASYNC ? await r.readPartition(e, order, slices) : read;
          merged = merged ? mergePartitions(table, merged, p) : p;
        }
        return merged;
      },
      keysFrom(from: string): AsyncIterableIterator<PartitionHeader> {
        return mergeHeaderStreams([...memtables.map((m) => memtableHeaders(m, from)), ...sstables.map((r) => sstableHeaders(r, from))]);
      },
    };
  }

  // ---- compaction ------------------------------------------------------------------------------

  private maybeCompact(t: TableStore): void {
    if (!this.backgroundCompactions || this.closed) return;
    const free = t.sstables.filter((r) => !t.compacting.has(r));
    const task = pickCompaction(t.table.options.compaction, free);
    if (!task) return;
    this.m.pendingCompactions++;
    for (const r of task.inputs) t.compacting.add(r);
    this.enqueueCompaction(t, task);
  }

  private enqueueCompaction(t: TableStore, task: CompactionTask): Promise<void> {
    const run = async () => {
      try {
        await this.runCompaction(t, task);
      } catch (e) {
        this.logger.error(`compaction of ${t.table.keyspace}.${t.table.name} failed: ${(e as Error).stack ?? e}`);
      } finally {
        for (const r of task.inputs) t.compacting.delete(r);
        this.m.pendingCompactions--;
      }
      this.maybeCompact(t);
    };
    this.compactionChain = this.compactionChain.then(run, run);
    return this.compactionChain;
  }

  /** Major compaction: every SSTable of the table (or all tables) into one (split by size for Leveled). */
  async compact(tableId?: string): Promise<void> {
    const targets = tableId ? [this.store(tableId)] : [...this.tables.values()];
    for (const t of targets) {
      await t.flushChain;
      await this.compactionChain;
      const inputs = t.sstables.filter((r) => !t.compacting.has(r));
      if (inputs.length === 0) continue;
      if (inputs.length === 1 && !this.hasPurgeable(t, inputs[0]!)) continue;
      const leveled = /Leveled/i.test(t.table.options.compaction['class'] ?? '');
      const sizeMb = Number(t.table.options.compaction['sstable_size_in_mb'] ?? 160);
      for (const r of inputs) t.compacting.add(r);
      this.m.pendingCompactions++;
      await this.enqueueCompaction(t, { inputs, outputLevel: leveled ? 1 : 0, maxOutputBytes: leveled ? sizeMb * 1024 * 1024 : Infinity, reason: 'major' });
    }
  }

  private hasPurgeable(_t: TableStore, r: SSTableReader): boolean {
    return r.stats.tombstoneCount > 0 || Number.isFinite(r.stats.minLocalDeletionTimeSec);
  }

  private maxPurgeable(t: TableStore, inputs: Set<SSTableReader>, sortKey: string, token: bigint): number {
    let min = Infinity;
    for (const r of t.sstables) {
      if (inputs.has(r) || r.stats.minTimestampMicros >= min) continue;
      if (sortKey < r.stats.firstKey || sortKey > r.stats.lastKey || !r.mightContain(token)) continue;
      min = r.stats.minTimestampMicros;
    }
    for (const m of t.memtables()) if (m.has(sortKey)) min = Math.min(min, m.minTimestampMicros);
    return min;
  }

  private async runCompaction(t: TableStore, task: CompactionTask, keep?: (token: bigint) => boolean): Promise<void> {
    if (t.dropped) return;
    const epoch = t.epoch;
    const order = tableOrder(t.table);
    const inputs = new Set(task.inputs);
    const nowSec = this.nowSec();
    const gcBeforeSec = nowSec - t.table.options.gc_grace_seconds;
    const expected = task.inputs.reduce((n, r) => n + r.stats.partitionCount, 0);
    const outputs: (SSTableWriter & { generation: number })[] = [];
    let writer: (SSTableWriter & { generation: number }) | undefined;
    const txn: CompactionTxn = { inputs: task.inputs.map((r) => r.generation), outputs: [], committed: false };
    const txnPath = `${t.dir}/compaction-${Math.min(...txn.inputs)}${TXN_SUFFIX}`;
    const startMs = this.options.env.clock.monotonicMs();
    let bytesIn = 0;
    let sinceYield = 0;
    const slices = this.loopSlices();
    try {
      for await (const p of mergePartitionStreams(t.table, task.inputs.map((r) => r.scan(order)))) {
        if (keep && !keep(p.token)) continue;
        const sortKey = partitionSortKey(p.token, p.key);
        const purged = purgePartition(order, p, { nowSec, gcBeforeSec, maxPurgeableMicros: this.maxPurgeable(t, inputs, sortKey, p.token) });
        if (!purged) continue;
        if (!writer || writer.bytesOnDisk >= task.maxOutputBytes) {
          writer = this.newWriter(t, task.outputLevel, expected, inputsUpperBound(task.inputs));
          outputs.push(writer);
          txn.outputs.push(writer.generation);
          await this.writeTxn(txnPath, txn); // before the output has any file
        }
        const before = writer.uncompressedBytes;
        await writer.add(purged);
        const n = writer.uncompressedBytes - before;
        bytesIn += n;
        sinceYield += n;
        if (sinceYield >= COMPACTION_SLICE_BYTES) {
          sinceYield = 0;
          await this.throttle(startMs, bytesIn);
        } else {
          await slices.maybeYield();
        }
      }
      for (const w of outputs) await w.finish();
      txn.committed = true;
      await this.writeTxn(txnPath, txn); // the commit point: from here on the inputs are obsolete
    } catch (e) {
      for (const w of outputs) await w.abort();
      if (!txn.committed) {
        for (const g of txn.outputs) await this.unlinkGeneration(t.dir, g);
        await this.finishTxn(t.dir, txnPath);
      }
      throw e;
    }
    const readers: SSTableReader[] = [];
    for (const w of outputs) readers.push(await this.openReader(t, w.generation));
    if (t.epoch !== epoch || t.dropped) { for (const r of readers) this.retire(r); return; }
    t.setSSTables([...t.sstables.filter((r) => !inputs.has(r)), ...readers]);
    const gone = task.inputs.map((r) => this.retire(r));
    // The record goes once the inputs are gone (later, if reads still hold them); a crash before
    // that leaves it for open() to finish.
    this.track(Promise.all(gone)
      .then(() => this.finishTxn(t.dir, txnPath))
      .catch((e) => this.logger.error(`compaction record ${txnPath}: ${e}`)));
    this.m.completedCompactions++;
    this.m.bytesCompacted += readers.reduce((n, r) => n + r.sizeBytes, 0);
    this.logger.info(`compacted ${task.inputs.length} SSTables of ${t.table.keyspace}.${t.table.name} into ${readers.length} (${task.reason})`);
  }

  private loopSlices(): LoopSlices {
    return new LoopSlices(this.options.env.clock, this.options.env.scheduler, this.options.backgroundSliceMs ?? BACKGROUND_SLICE_MS);
  }

  private async throttle(startMs: number, bytes: number): Promise<void> {
    const rate = this.settings.compactionThroughputBytesPerSec;
    const elapsedMs = this.options.env.clock.monotonicMs() - startMs;
    const wantMs = Number.isFinite(rate) ? (bytes / rate) * 1000 : 0;
    const waitMs = Math.max(0, wantMs - elapsedMs);
    await new Promise<void>((r) => (waitMs > 0 ? this.options.env.scheduler.after(waitMs, r) : this.options.env.scheduler.soon(r)));
  }

  // ---- nodetool hooks --------------------------------------------------------------------------

  /** Flushes and hard-links every live SSTable into <table dir>/snapshots/<tag>/. */
  async snapshot(tag: string, tableId?: string): Promise<string[]> {
    assert(/^[\w.-]+$/.test(tag), `snapshot tag must be a plain name, got ${tag}`);
    const targets = tableId ? [this.store(tableId)] : [...this.tables.values()];
    const dirs: string[] = [];
    for (const t of targets) {
      await this.flushTable(t);
      const dir = `${t.dir}/snapshots/${tag}`;
      await this.fs.mkdirp(dir);
      for (const r of t.sstables) {
        for (const f of r.files()) await this.fs.link(f, `${dir}/${f.slice(f.lastIndexOf('/') + 1)}`);
      }
      await this.fs.syncDir(dir);
      dirs.push(dir);
    }
    return dirs;
  }

  /** Removes one snapshot (or all when tag is undefined) of every table. */
  async clearSnapshot(tag?: string): Promise<void> {
    for (const t of this.tables.values()) await this.fs.rmrf(tag ? `${t.dir}/snapshots/${tag}` : `${t.dir}/snapshots`);
  }

  /** Rewrites a table's SSTables keeping only partitions whose token is in `owned` (nodetool cleanup). */
  async cleanup(tableId: string, owned: TokenRange[]): Promise<void> {
    const t = this.store(tableId);
    await this.flushTable(t);
    await this.compactionChain;
    const inRange = (tok: bigint) => owned.some((r) => r.start === r.end || (r.start < r.end ? tok > r.start && tok <= r.end : tok > r.start || tok <= r.end));
    for (const r of [...t.sstables]) {
      if (t.compacting.has(r)) continue;
      t.compacting.add(r);
      this.m.pendingCompactions++;
      const run = async () => {
        try { await this.runCompaction(t, { inputs: [r], outputLevel: r.level, maxOutputBytes: Infinity, reason: 'cleanup' }, inRange); }
        finally { t.compacting.delete(r); this.m.pendingCompactions--; }
      };
      this.compactionChain = this.compactionChain.then(run, run);
      await this.compactionChain;
    }
  }

  /** Stops or resumes automatic (strategy-driven) compactions. */
  setAutoCompaction(enabled: boolean): void {
    this.backgroundCompactions = enabled;
  }

  metrics(): StorageMetrics {
    const out: StorageMetrics = structuredClone(this.m);
    out.memtableBytes = this.memtableBytes(true);
    out.commitLogSegments = this.commitLog.segmentCount;
    out.commitLogBytesWritten = this.commitLog.bytesWritten;
    out.commitLogSyncs = this.commitLog.syncs;
    const cc = this.chunkCache;
    out.chunkCache = { capacityBytes: cc.maxBytes, sizeBytes: cc.sizeBytes, entries: cc.entries, hits: cc.hits, misses: cc.misses };
    const pr = this.pageReads;
    out.sstablePointReads = { sync: pr.syncReads, async: pr.asyncReads, slowSync: pr.slowSyncReads };
    out.tables = {};
    for (const t of this.tables.values()) {
      const hist: Record<string, number> = {};
      for (const r of t.sstables) for (const [b, n] of Object.entries(r.stats.partitionSizeHistogram)) hist[b] = (hist[b] ?? 0) + n;
      out.liveSSTables += t.sstables.length;
      out.liveSSTableBytes += t.sstables.reduce((n, r) => n + r.sizeBytes, 0);
      out.tables[`${t.table.keyspace}.${t.table.name}`] = {
        memtableBytes: t.memtable.sizeBytes + t.flushing.reduce((n, m) => n + m.sizeBytes, 0),
        liveSSTables: t.sstables.length,
        liveSSTableBytes: t.sstables.reduce((n, r) => n + r.sizeBytes, 0),
        sstableLevels: t.sstables.map((r) => r.level),
        partitionSizeHistogram: hist,
        maxPartitionBytes: t.sstables.reduce((n, r) => Math.max(n, r.stats.maxPartitionBytes), 0),
        estimatedPartitions: t.sstables.reduce((n, r) => n + r.stats.partitionCount, 0) + t.memtable.partitionCount,
      };
    }
    return out;
  }
}

/** The latest commit log position covered by any input: outputs cover it too, so replay after a restart skips it. */
function inputsUpperBound(inputs: SSTableReader[]): CommitLogPosition | undefined {
  let max: CommitLogPosition | undefined;
  for (const r of inputs) {
    const ub = r.stats.commitLogUpperBound;
    if (ub && (!max || comparePositions(ub, max) > 0)) max = ub;
  }
  return max;
}

/**
 * A table's sources read without an await (StorageEngine.readSync): memtables, then SSTables
 * while their index segments and chunks are in memory. Holds no SSTable references: nothing can
 * retire an SSTable while the read runs.
 */
class SyncView implements SyncTableView {
  order!: TableOrder;
  /** Large-partition warnings, made only when there are some. */
  warnings: string[] | null = null;
  private t!: TableStore;

  constructor(private readonly warnBytes: number) {}

  /** The view of a table for one read. */
  start(t: TableStore): this {
    this.t = t;
    this.order = t.memtable.order;
    this.warnings = null;
    return this;
  }

  getPartitionSync(h: PartitionHeader, slices: Slice[], stats: ReadStats): Partition | undefined | typeof READ_NOT_SYNC {
    const t = this.t;
    const table = t.table;
    let merged = t.memtable.readPartition(h, slices);
    for (let i = 0; i < t.flushing.length; i++) {
      const p = t.flushing[i]!.readPartition(h, slices);
      if (p !== undefined) merged = merged ? mergePartitions(table, merged, p) : p;
    }
    const sstables = t.sstables;
    for (let i = 0; i < sstables.length; i++) {
      const r = sstables[i]!;
      const pd = merged?.partitionDeletion;
      if (pd && pd.markedForDeleteAtMicros >= r.stats.maxTimestampMicros) break;
      if (!r.mayIntersect(this.order, slices)) continue;
      const e = r.findEntrySync(h.sortKey, h.token, h.key);
      if (e === READ_ASYNC) return READ_NOT_SYNC;
      if (!e) continue;
      const p = r.readPartitionSync(e, this.order, slices);
      if (p === READ_ASYNC) return READ_NOT_SYNC;
      stats.sstablesRead++;
      if (e.length > this.warnBytes && (this.warnings ??= []).length < 10) {
        this.warnings.push(`partition ${e.key.toString('hex')} of ${table.keyspace}.${table.name} is ${e.length} bytes in one SSTable (over ${this.warnBytes})`);
      }
      merged = merged ? mergePartitions(table, merged, p) : p;
    }
    return merged;
  }
}

async function* memtableHeaders(m: Memtable, from: string): AsyncIterableIterator<PartitionHeader> {
  yield* m.headersFrom(from);
}

async function* sstableHeaders(r: SSTableReader, from: string): AsyncIterableIterator<PartitionHeader> {
  for await (const e of r.entriesFrom(from)) yield { sortKey: e.sortKey, key: e.key, token: e.token };
}

/** Merges ascending header streams into one ascending stream without duplicates. */
export async function* mergeHeaderStreams(streams: AsyncIterableIterator<PartitionHeader>[]): AsyncIterableIterator<PartitionHeader> {
  const heads: (PartitionHeader | undefined)[] = [];
  for (const s of streams) { const r = await s.next(); heads.push(r.done ? undefined : r.value); }
  for (;;) {
    let min: PartitionHeader | undefined;
    for (const h of heads) if (h && (!min || h.sortKey < min.sortKey)) min = h;
    if (!min) return;
    yield min;
    const k = min.sortKey;
    for (let i = 0; i < heads.length; i++) {
      if (heads[i] && heads[i]!.sortKey === k) {
        const r = await streams[i]!.next();
        heads[i] = r.done ? undefined : r.value;
      }
    }
  }
}

/** Merges ascending partition streams (SSTable scans), reconciling equal keys. */
async function* mergePartitionStreams(table: TableMetadata, streams: AsyncIterableIterator<Partition>[]): AsyncIterableIterator<Partition> {
  const heads: ({ p: Partition; k: string } | undefined)[] = [];
  const next = async (i: number) => {
    const r = await streams[i]!.next();
    heads[i] = r.done ? undefined : { p: r.value, k: partitionSortKey(r.value.token, r.value.key) };
  };
  for (let i = 0; i < streams.length; i++) await next(i);
  for (;;) {
    let min: string | undefined;
    for (const h of heads) if (h && (min === undefined || h.k < min)) min = h.k;
    if (min === undefined) return;
    let merged: Partition | undefined;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h && h.k === min) {
        merged = merged ? mergePartitions(table, merged, h.p) : h.p;
        await next(i);
      }
    }
    yield merged!;
  }
}
