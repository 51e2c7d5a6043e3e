// The commit log: every write is appended here before it reaches a memtable. See README.md for
// the segment and entry formats, sync modes and invariants.

import { crc32 } from 'node:zlib';
import type { Clock, FileHandle, FileSystem, Scheduler } from '../../env/mod.js';
import { assert } from '../../util/assert.js';
import { ByteReader, TruncatedInput } from '../../util/bytes.js';
import { crc32 as crc32Js } from '../../util/crc.js';
import { InvalidRequest, WriteFailure } from '../../util/errors.js';
import type { PartitionUpdate } from '../data.js';
import { decodeUpdate, encodeUpdate, FixedWriter, updateBytes } from '../_codec.js';
import type { CommitLogSync } from '../_config.js';

export const SEGMENT_MAGIC = 0x4353434c; // "CSCL"
export const SEGMENT_VERSION = 1;
export const SEGMENT_HEADER_BYTES = 32; // magic(4) version(2) reserved(2) segment id(8) header crc(4) padding(12)
export const ENTRY_HEADER_BYTES = 8; // length(4) crc of segment id + length(4)
export const ENTRY_TRAILER_BYTES = 4; // crc of payload(4)
export const ENTRY_OVERHEAD_BYTES = ENTRY_HEADER_BYTES + ENTRY_TRAILER_BYTES;
const ZERO_FILL_BYTES = 1024 * 1024;
const RECYCLED_SEGMENTS_MAX = 2;
const PENDING_WRITES_MAX = 100_000;
/** Batches being written and synced at once (group commit pipelining; they complete in order). */
const SYNCS_IN_FLIGHT_MAX = 4;
/** A batch with this many entries starts at once instead of waiting for the window or the next tick. */
const GROUP_ENTRIES_MIN = 16;
/**
 * A batch takes pending entries up to this many bytes (at least one entry), so encoding one
 * batch — a copy and a crc32 of each payload — holds the event loop for a bounded time.
 */
const BATCH_BYTES_MAX = 4 * 1024 * 1024;
/** Batch buffers kept for reuse (one per batch in flight); larger one-off buffers are dropped. */
const BATCH_BUFFERS_KEPT_MAX = SYNCS_IN_FLIGHT_MAX;
const BATCH_BUFFER_BYTES_MIN = 64 * 1024;
const DRAIN_POLLS_MAX = 600_000; // close/abandon wait at most this many 1 ms polls for queued writes

export interface CommitLogPosition {
  segmentId: number;
  offset: number;
}

export function comparePositions(a: CommitLogPosition, b: CommitLogPosition): number {
  return a.segmentId !== b.segmentId ? a.segmentId - b.segmentId : a.offset - b.offset;
}

export interface CommitLogOptions {
  fs: FileSystem;
  clock: Clock;
  scheduler: Scheduler;
  dir: string;
  sync: CommitLogSync;
  /**
   * batch/group modes: open segments with O_DSYNC, so each batch's write returns durable (one
   * system call, no separate fdatasync). Periodic mode never uses it.
   */
  dsync: boolean;
  groupWindowMs: number;
  periodMs: number;
  segmentBytes: number;
  log: { info(m: string): void; warn(m: string): void; error(m: string): void };
}

class Segment {
  /** Per table, the start offset of the last entry of that table applied from this segment. */
  readonly dirty = new Map<string, number>();
  writePos = SEGMENT_HEADER_BYTES;
  needsSync = false;
  /** The fdatasync running on this segment, if any (a release waits for it before closing). */
  syncing: Promise<void> | undefined;
  /** crc32 of the segment id: the seed of every entry header's checksum in this segment. */
  readonly seed: number;
  constructor(readonly id: number, readonly path: string, readonly fh: FileHandle, readonly sizeBytes: number) {
    this.seed = segmentSeed(id);
  }
  get name(): string { return segmentName(this.id); }
}

interface Append {
  update: PartitionUpdate;
  /** Entry size: header, payload (`updateBytes`), trailer. The entry is encoded when its batch starts. */
  entryBytes: number;
  segment?: Segment;
  offset?: number;
  apply: (pos: CommitLogPosition) => void;
  resolve: () => void;
  reject: (e: Error) => void;
}

interface Batch {
  appends: Append[];
  done: boolean;
  error: Error | undefined;
}

/** A batch's entries for one segment: one buffer written at one file offset. */
interface Run {
  segment: Segment;
  offset: number;
  bytes: Buffer;
}

/** A batch encoded into `buf` (reused for later batches once written). */
interface EncodedBatch {
  buf: Buffer;
  runs: Run[];
}

/** Writes one entry (header, payload, trailer) at w.length; `payloadBytes` must be exact. */
function writeEntry(w: FixedWriter, seed: number, update: PartitionUpdate, payloadBytes: number): void {
  const at = w.length;
  w.u32(payloadBytes);
  w.u32(crc32Js(w.buf, seed, at, at + 4));
  encodeUpdate(w, update);
  assert(w.length === at + ENTRY_HEADER_BYTES + payloadBytes, `commit log entry encoded to ${w.length - at - ENTRY_HEADER_BYTES} bytes, sized ${payloadBytes}`);
  w.u32(crc32(w.buf.subarray(at + ENTRY_HEADER_BYTES, w.length)));
}

export function segmentName(id: number): string {
  return `CommitLog-${SEGMENT_VERSION}-${id}.log`;
}

function parseSegmentName(name: string): number | undefined {
  const m = /^CommitLog-\d+-(\d+)\.log$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

function segmentSeed(id: number): number {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(id);
  return crc32(b);
}

export function encodeSegmentHeader(id: number): Buffer {
  const h = Buffer.alloc(SEGMENT_HEADER_BYTES);
  h.writeUInt32BE(SEGMENT_MAGIC, 0);
  h.writeUInt16BE(SEGMENT_VERSION, 4);
  h.writeDoubleBE(id, 8);
  h.writeUInt32BE(crc32(h.subarray(0, 16)), 16);
  return h;
}

/** Encodes one entry of `update` for segment `id` (the log itself encodes whole batches in place). */
export function encodeEntry(id: number, update: PartitionUpdate): Buffer {
  const payloadBytes = updateBytes(update);
  const w = new FixedWriter(Buffer.allocUnsafe(payloadBytes + ENTRY_OVERHEAD_BYTES));
  writeEntry(w, segmentSeed(id), update, payloadBytes);
  return w.buf;
}

export interface ReplayedEntry { update: PartitionUpdate; position: CommitLogPosition }

/**
 * Parses a segment's entries. Stops at the first entry that is zero-length, torn or fails its
 * checksum; `stopReason` says why when it was not a clean end.
 */
export function parseSegment(buf: Buffer, expectedId?: number): { id: number | undefined; entries: ReplayedEntry[]; endOffset: number; stopReason?: string } {
  if (buf.length < SEGMENT_HEADER_BYTES || buf.readUInt32BE(0) !== SEGMENT_MAGIC || buf.readUInt32BE(16) !== crc32(buf.subarray(0, 16))) {
    return { id: undefined, entries: [], endOffset: 0, stopReason: buf.length === 0 ? undefined : 'bad segment header' };
  }
  const id = buf.readDoubleBE(8);
  if (expectedId !== undefined && id !== expectedId) return { id, entries: [], endOffset: 0, stopReason: `header names segment ${id}` };
  const seed = segmentSeed(id);
  const entries: ReplayedEntry[] = [];
  let at = SEGMENT_HEADER_BYTES;
  for (;;) {
    if (at + ENTRY_HEADER_BYTES > buf.length) return { id, entries, endOffset: at };
    const len = buf.readUInt32BE(at);
    if (len === 0 && buf.readUInt32BE(at + 4) === 0) return { id, entries, endOffset: at };
    if (buf.readUInt32BE(at + 4) !== crc32(buf.subarray(at, at + 4), seed)) return { id, entries, endOffset: at, stopReason: 'entry header checksum mismatch (torn write or stale data)' };
    const end = at + ENTRY_HEADER_BYTES + len + ENTRY_TRAILER_BYTES;
    if (end > buf.length) return { id, entries, endOffset: at, stopReason: 'entry runs past the end of the segment' };
    const payload = buf.subarray(at + ENTRY_HEADER_BYTES, at + ENTRY_HEADER_BYTES + len);
    if (buf.readUInt32BE(end - ENTRY_TRAILER_BYTES) !== crc32(payload)) return { id, entries, endOffset: at, stopReason: 'entry payload checksum mismatch (torn write)' };
    try {
      entries.push({ update: decodeUpdate(new ByteReader(payload)), position: { segmentId: id, offset: at } });
    } catch (e) {
      if (!(e instanceof TruncatedInput)) throw e;
      return { id, entries, endOffset: at, stopReason: 'entry does not decode' };
    }
    at = end;
  }
}

export class CommitLog {
  private active: Segment | undefined;
  private spare: Segment | undefined;
  private preparing: Promise<void> | undefined;
  private readonly segments: Segment[] = [];
  private readonly recycled: string[] = [];
  private readonly waiting: Append[] = [];
  private pending: Append[] = [];
  private readonly inFlight: Batch[] = [];
  private startScheduled = false;
  private lastSyncStartMs = -Infinity;
  private lastId = 0;
  private periodic: { cancel(): void } | undefined;
  private prepareError: Error | undefined;
  private closed = false;
  /** Closing and recycling of released segments, one release after another. */
  private releasing: Promise<void> = Promise.resolve();
  private readonly batchBuffers: Buffer[] = [];
  /** End of the last entry handed to `apply`; flushes cut memtables here. */
  lastApplied: CommitLogPosition = { segmentId: 0, offset: 0 };
  bytesWritten = 0;
  syncs = 0;

  constructor(private readonly o: CommitLogOptions) {
    assert(o.segmentBytes >= 64 * 1024, 'commit log segment too small');
  }

  get maxEntryBytes(): number {
    return Math.floor(this.o.segmentBytes / 2);
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Reads every existing segment in id order, calling onEntry for each valid entry. Returns the files replayed. */
  async replay(onEntry: (e: ReplayedEntry) => void): Promise<string[]> {
    await this.o.fs.mkdirp(this.o.dir);
    const names = (await this.o.fs.readdir(this.o.dir)).filter((n) => parseSegmentName(n) !== undefined);
    names.sort((a, b) => parseSegmentName(a)! - parseSegmentName(b)!);
    for (const name of names) {
      const id = parseSegmentName(name)!;
      this.lastId = Math.max(this.lastId, id);
      const buf = await this.o.fs.readFile(`${this.o.dir}/${name}`);
      const parsed = parseSegment(buf, id);
      for (const e of parsed.entries) onEntry(e);
      if (parsed.stopReason && parsed.endOffset < buf.length) {
        this.o.log.warn(`commit log replay: ${name}: truncated at offset ${parsed.endOffset}: ${parsed.stopReason}; `
          + `${parsed.entries.length} entries replayed from this segment, the rest is an unacknowledged tail`);
      }
    }
    return names;
  }

  /** After replayed data is flushed: recycles the replayed files and opens the first segment. */
  async start(replayed: string[]): Promise<void> {
    for (const name of replayed) await this.recycleFile(`${this.o.dir}/${name}`);
    await this.ensureSpare();
    this.rotate();
    if (this.o.sync === 'periodic') {
      this.periodic = this.o.scheduler.every(this.o.periodMs, () => { void this.syncAll().catch((e) => this.o.log.error(`commit log periodic sync failed: ${e}`)); });
    }
  }

  private async recycleFile(path: string): Promise<void> {
    assert(!this.recycled.includes(path), `commit log segment ${path} recycled twice`);
    if (this.recycled.length < RECYCLED_SEGMENTS_MAX) this.recycled.push(path);
    else await this.o.fs.unlink(path);
  }

  private nextId(): number {
    this.lastId = Math.max(this.lastId + 1, Math.floor(this.o.clock.nowMs()));
    return this.lastId;
  }

  private ensureSpare(): Promise<void> {
    if (this.spare) return Promise.resolve();
    if (!this.preparing) {
      this.preparing = this.prepareSegment().then((s) => {
        this.spare = s;
        this.prepareError = undefined;
      }, (e: Error) => {
        this.prepareError = e;
        this.o.log.error(`commit log: cannot create a segment in ${this.o.dir}: ${e.message}`);
      }).finally(() => {
        this.preparing = undefined;
        this.assign();
      });
    }
    return this.preparing;
  }

  private async prepareSegment(): Promise<Segment> {
    const id = this.nextId();
    const path = `${this.o.dir}/${segmentName(id)}`;
    const reuse = this.recycled.shift();
    if (reuse) await this.o.fs.rename(reuse, path);
    else await this.preallocate(path);
    const fh = await this.o.fs.open(path, 'r+', { dsync: this.dsync });
    const header = encodeSegmentHeader(id);
    // The first entry slot is zeroed so a recycled file's old entries can never follow the new header.
    const head = Buffer.concat([header, Buffer.alloc(ENTRY_HEADER_BYTES)]);
    await fh.write(head, 0, head.length, 0);
    await fh.sync();
    await this.o.fs.syncDir(this.o.dir);
    return new Segment(id, path, fh, this.o.segmentBytes);
  }

  private get dsync(): boolean {
    return this.o.dsync && this.o.sync !== 'periodic';
  }

  /** Creates a segment file of full size (zeros, synced), so appends never grow the file. */
  private async preallocate(path: string): Promise<void> {
    const fh = await this.o.fs.open(path, 'w');
    try {
      const zeros = Buffer.alloc(Math.min(ZERO_FILL_BYTES, this.o.segmentBytes));
      for (let at = 0; at < this.o.segmentBytes; at += zeros.length) {
        const n = Math.min(zeros.length, this.o.segmentBytes - at);
        await fh.write(zeros, 0, n, at);
      }
      await fh.sync();
      await fh.close();
    } catch (e) {
      await fh.close().catch(() => {});
      await this.o.fs.unlink(path).catch(() => {});
      throw e;
    }
  }

  private rotate(): void {
    assert(this.spare, 'rotate without a spare segment');
    const old = this.active;
    this.active = this.spare;
    this.spare = undefined;
    this.segments.push(this.active);
    if (old) old.needsSync = true;
    void this.ensureSpare();
  }

  /**
   * Appends an update. `apply` runs (synchronously, in log order) once the entry is durable as the
   * sync mode promises; the returned promise resolves after it. Rejects with WriteFailure when the
   * entry cannot be written or synced, and then `apply` is never called.
   */
  append(update: PartitionUpdate, apply: (pos: CommitLogPosition) => void): Promise<void> {
    if (this.closed) return Promise.reject(new WriteFailure('commit log is closed', 'ONE', 0, 1, [], 'SIMPLE'));
    if (this.waiting.length + this.pending.length >= PENDING_WRITES_MAX) {
      return Promise.reject(new WriteFailure(`commit log has ${PENDING_WRITES_MAX} writes waiting for disk; the disk is too slow`, 'ONE', 0, 1, [], 'SIMPLE'));
    }
    const payloadBytes = updateBytes(update);
    if (payloadBytes + ENTRY_OVERHEAD_BYTES > this.maxEntryBytes) {
      return Promise.reject(new InvalidRequest(`mutation of ${payloadBytes} bytes is larger than the maximum of ${this.maxEntryBytes} bytes `
        + `(half of commitlog_segment_size)`));
    }
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ update, entryBytes: payloadBytes + ENTRY_OVERHEAD_BYTES, apply, resolve, reject });
      this.assign();
    });
  }

  /** Gives waiting appends a segment and an offset, strictly in arrival order. */
  private assign(): void {
    while (this.waiting.length > 0) {
      const a = this.waiting[0]!;
      if (!this.active || this.active.writePos + a.entryBytes + ENTRY_HEADER_BYTES > this.active.sizeBytes) {
        if (this.spare) { this.rotate(); continue; }
        if (this.prepareError && !this.preparing) {
          const err = this.prepareError;
          for (const w of this.waiting.splice(0)) w.reject(new WriteFailure(`commit log cannot take writes: ${err.message}`, 'ONE', 0, 1, [], 'SIMPLE'));
          this.prepareError = undefined;
          return;
        }
        void this.ensureSpare();
        return;
      }
      this.waiting.shift();
      const seg = this.active;
      a.segment = seg;
      a.offset = seg.writePos;
      seg.writePos += a.entryBytes;
      this.pending.push(a);
    }
    this.kick();
  }

  /**
   * Starts a batch when one may start: at once when GROUP_ENTRIES_MIN entries wait, otherwise on
   * the next turn of the event loop (group mode: not before the window since the last start), so
   * that writers woken by a finished batch share the next one. At most SYNCS_IN_FLIGHT_MAX
   * batches are being written and synced at a time; they complete strictly in order.
   */
  private kick(): void {
    // A batch is capped at BATCH_BYTES_MAX, so one turn may start several.
    while (this.pending.length >= GROUP_ENTRIES_MIN && this.inFlight.length < SYNCS_IN_FLIGHT_MAX) this.startBatch();
    if (this.pending.length === 0 || this.inFlight.length >= SYNCS_IN_FLIGHT_MAX) return;
    if (this.startScheduled) return;
    this.startScheduled = true;
    const waitMs = this.o.sync === 'group' ? this.lastSyncStartMs + this.o.groupWindowMs - this.o.clock.monotonicMs() : 0;
    const run = () => {
      this.startScheduled = false;
      if (this.pending.length > 0 && this.inFlight.length < SYNCS_IN_FLIGHT_MAX) this.startBatch();
      this.kick(); // what the byte cap left behind
    };
    if (waitMs > 0) this.o.scheduler.after(waitMs, run);
    else this.o.scheduler.soon(run);
  }

  private startBatch(): void {
    const batch: Batch = { appends: this.takePending(), done: false, error: undefined };
    this.lastSyncStartMs = this.o.clock.monotonicMs();
    this.inFlight.push(batch);
    const finish = (error: Error | undefined) => {
      batch.done = true;
      batch.error = error;
      if (error) {
        // Batches started after this one were written after a hole: none of them may be acknowledged.
        for (const b of this.inFlight) if (b !== batch) b.error ??= error;
        // Appends given offsets but not yet written would land after the hole too.
        const assigned = this.pending;
        this.pending = [];
        this.rejectBatch(assigned, error);
      }
      this.completeInOrder();
    };
    let encoded: EncodedBatch;
    try {
      encoded = this.encodeBatch(batch.appends);
    } catch (e) {
      this.closeForAppends(batch.appends);
      finish(e as Error);
      return;
    }
    this.writeBatch(encoded).then(() => finish(undefined), (e: Error) => finish(e));
  }

  /** The oldest pending appends, up to BATCH_BYTES_MAX (at least one); the rest stay pending. */
  private takePending(): Append[] {
    let bytes = 0;
    let n = 0;
    while (n < this.pending.length && (n === 0 || bytes + this.pending[n]!.entryBytes <= BATCH_BYTES_MAX)) bytes += this.pending[n++]!.entryBytes;
    if (n === this.pending.length) {
      const all = this.pending;
      this.pending = [];
      return all;
    }
    return this.pending.splice(0, n);
  }

  /**
   * Encodes a batch's entries straight into one buffer, sized once: one run per segment (the
   * appends of a segment have consecutive offsets), each a view of that buffer.
   */
  private encodeBatch(appends: Append[]): EncodedBatch {
    let total = 0;
    for (const a of appends) total += a.entryBytes;
    const buf = this.takeBatchBuffer(total);
    const w = new FixedWriter(buf);
    const runs: Run[] = [];
    let run: Run | undefined;
    let runStart = 0;
    for (const a of appends) {
      const seg = a.segment!;
      if (!run || run.segment !== seg) {
        if (run) run.bytes = buf.subarray(runStart, w.length);
        run = { segment: seg, offset: a.offset!, bytes: buf };
        runs.push(run);
        runStart = w.length;
      }
      assert(a.offset === run.offset + (w.length - runStart), 'commit log batch entries must be contiguous in their segment');
      writeEntry(w, seg.seed, a.update, a.entryBytes - ENTRY_OVERHEAD_BYTES);
    }
    run!.bytes = buf.subarray(runStart, w.length);
    return { buf, runs };
  }

  private takeBatchBuffer(bytes: number): Buffer {
    const i = this.batchBuffers.findIndex((b) => b.length >= bytes);
    if (i >= 0) return this.batchBuffers.splice(i, 1)[0]!;
    let size = BATCH_BUFFER_BYTES_MIN;
    while (size < bytes) size *= 2;
    return Buffer.allocUnsafeSlow(size);
  }

  private returnBatchBuffer(buf: Buffer): void {
    if (buf.length > BATCH_BYTES_MAX * 2 || this.batchBuffers.length >= BATCH_BUFFERS_KEPT_MAX) return;
    this.batchBuffers.push(buf);
  }

  /** After a failure: no entry may follow these in their segments (replay would stop at the hole). */
  private closeForAppends(appends: Append[]): void {
    for (const a of appends) if (a.segment) a.segment.writePos = a.segment.sizeBytes;
    if (this.active) this.active.writePos = this.active.sizeBytes;
  }

  /** Writes a batch's runs (one write each) and, unless periodic or O_DSYNC, syncs them. */
  private async writeBatch({ buf, runs }: EncodedBatch): Promise<void> {
    const touched = new Set<Segment>();
    try {
      for (const r of runs) {
        await r.segment.fh.write(r.bytes, 0, r.bytes.length, r.offset);
        this.bytesWritten += r.bytes.length;
        touched.add(r.segment);
      }
      this.returnBatchBuffer(buf);
      if (this.dsync) {
        this.syncs += touched.size; // each write above returned durable
      } else if (this.o.sync !== 'periodic') {
        for (const s of [...this.segments]) if (s.needsSync && !touched.has(s)) { s.needsSync = false; await this.syncSegment(s); }
        for (const s of touched) await this.syncSegment(s);
      } else {
        for (const s of touched) s.needsSync = true;
      }
    } catch (e) {
      // Never append after a failed write: later entries go to a fresh segment.
      for (const r of runs) r.segment.writePos = r.segment.sizeBytes;
      if (this.active) this.active.writePos = this.active.sizeBytes;
      throw e;
    }
  }

  /** Acknowledges (or rejects) finished batches in start order, then lets waiting batches start. */
  private completeInOrder(): void {
    while (this.inFlight.length > 0 && this.inFlight[0]!.done) {
      const batch = this.inFlight.shift()!;
      if (batch.error) this.rejectBatch(batch.appends, batch.error);
      else this.applyBatch(batch.appends);
    }
    this.kick();
  }

  private rejectBatch(batch: Append[], e: Error): void {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOSPC' ? `disk full in ${this.o.dir}` : err.message;
    for (const a of batch) a.reject(new WriteFailure(`commit log write failed: ${why}`, 'ONE', 0, 1, [], 'SIMPLE'));
  }

  private applyBatch(batch: Append[]): void {
    for (const a of batch) {
      const seg = a.segment!;
      const pos = { segmentId: seg.id, offset: a.offset! };
      try {
        a.apply(pos);
      } catch (e) {
        a.reject(e as Error);
        continue;
      }
      seg.dirty.set(a.update.tableId, a.offset!);
      this.lastApplied = { segmentId: seg.id, offset: a.offset! + a.entryBytes };
      a.resolve();
    }
  }

  async syncAll(): Promise<void> {
    for (const s of [...this.segments]) {
      if (s.needsSync) { s.needsSync = false; await this.syncSegment(s); }
    }
  }

  private async syncSegment(s: Segment): Promise<void> {
    const p = s.fh.sync();
    s.syncing = p;
    try {
      await p;
    } finally {
      if (s.syncing === p) s.syncing = undefined;
    }
    this.syncs++;
  }

  /** Tables with data in the oldest segment (to flush when the log is over its space limit). */
  oldestDirtyTables(): string[] {
    const s = this.segments[0];
    return s && s !== this.active ? [...s.dirty.keys()] : [];
  }

  /** Table `tableId` has flushed everything before `upTo`: release segments no table needs. */
  async markFlushed(tableId: string, upTo: CommitLogPosition): Promise<void> {
    for (const s of this.segments) {
      const last = s.dirty.get(tableId);
      if (last === undefined) continue;
      if (s.id < upTo.segmentId || (s.id === upTo.segmentId && last < upTo.offset)) s.dirty.delete(tableId);
    }
    await this.releaseClean();
  }

  /** Forgets a table entirely (dropped or truncated). */
  async forgetTable(tableId: string): Promise<void> {
    for (const s of this.segments) s.dirty.delete(tableId);
    await this.releaseClean();
  }

  /**
   * Releases every segment no table and no queued write needs. The choice is made synchronously
   * (a chosen segment leaves `segments` before any await), so overlapping calls — flushes of two
   * tables finishing together — never pick the same segment; closing and recycling run one call
   * after another on `releasing`. A failure to recycle is logged, not thrown: the flush that
   * released the segment is complete and durable either way.
   */
  private releaseClean(): Promise<void> {
    const clean = this.segments.filter((s) => this.releasable(s));
    if (clean.length === 0) return this.releasing;
    for (const s of clean) this.segments.splice(this.segments.indexOf(s), 1);
    const run = async () => {
      for (const s of clean) {
        try {
          await s.syncing?.catch(() => {});
          await s.fh.close();
          await this.recycleFile(s.path);
        } catch (e) {
          this.o.log.error(`commit log: could not recycle ${s.name}: ${(e as Error).message}`);
        }
      }
    };
    this.releasing = this.releasing.then(run, run);
    return this.releasing;
  }

  private releasable(s: Segment): boolean {
    if (s === this.active || s.dirty.size > 0) return false;
    return !this.pending.some((a) => a.segment === s) && !this.inFlight.some((b) => b.appends.some((a) => a.segment === s));
  }

  /** Waits for queued writes, syncs and closes every segment. */
  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
    this.periodic?.cancel();
    await this.preparing;
    await this.releasing;
    for (const s of this.segments) { await s.fh.sync(); await s.fh.close(); }
    await this.closeFiles();
  }

  /**
   * Stops as a crash would, for tests: no periodic sync from now on and no final sync. Writes
   * already queued are still written (and, in batch/group mode, synced as their batch promises),
   * so a new instance can open the directory; what periodic mode had not synced stays unsynced.
   */
  async abandon(): Promise<void> {
    this.periodic?.cancel();
    await this.drain();
    this.closed = true;
    await this.preparing;
    await this.releasing;
    for (const s of this.segments) await s.fh.close();
    await this.closeFiles();
  }

  private async drain(): Promise<void> {
    for (let i = 0; i < DRAIN_POLLS_MAX && (this.waiting.length > 0 || this.pending.length > 0 || this.inFlight.length > 0 || this.startScheduled); i++) {
      await new Promise<void>((r) => this.o.scheduler.after(1, r));
    }
  }

  private async closeFiles(): Promise<void> {
    if (this.spare) await this.spare.fh.close();
    this.segments.length = 0;
  }
}
