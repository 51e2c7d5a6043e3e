// The commit log: every write is appended here before it reaches a memtable. See README.md for
// the segment and entry formats, sync modes and invariants.

import { crc32 } from 'node:zlib';
import type { Clock, FileHandle, FileSystem, Scheduler, WriteRun, WriterThread } from '../../env/mod.js';
import { assert } from '../../util/assert.js';
import { ByteReader, TruncatedInput } from '../../util/bytes.js';
import { InvalidRequest, WriteFailure } from '../../util/errors.js';
import type { PartitionUpdate } from '../data.js';
import { decodeUpdate, encodeUpdate, updateBytes } from '../_codec.js';
import { GatherWriter } from './_gather.js';
import { crc32Js } from './_crc.js';
import { encodeSmallEntry, payloadBytes as entryPayloadBytes, SMALL_ENTRY_BYTES_MAX } from './_entry.js';
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
/**
 * A batch takes appends up to this many bytes (at least one entry); a fuller batch is sealed and
 * the next one opened. Large values are written by reference, so what a batch costs the event
 * loop is its entries' small fields and checksums, paid as each write arrives.
 */
const BATCH_BYTES_MAX = 4 * 1024 * 1024;
/** An entry of at least this many bytes is large: it may wait for a later batch (below). */
const LARGE_ENTRY_BYTES_MIN = 64 * 1024;
/**
 * Large entries join a batch only while it holds less than this (or nothing yet); the rest wait
 * unencoded (`deferred`, in arrival order) for the next batch, while small entries still join
 * the batch growing now. So a small write never queues behind more than two batches of a flooding
 * client's large values (issue 4: one client must not starve others); before, every full batch
 * was sealed and queued ahead of it. 1 MiB here gave the flood test WriteTimeouts (4x the
 * fdatasyncs for its bytes), so large batches keep the full size.
 */
const LARGE_BATCH_BYTES_MAX = BATCH_BYTES_MAX;
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
  /**
   * Write and sync batches on a dedicated thread (FileSystem.startWriterThread) where the file
   * system has one and the batch fits its request; otherwise through the handles (libuv's thread
   * pool: one round trip per system call). Default true.
   */
  writerThread?: boolean;
  groupWindowMs: number;
  periodMs: number;
  segmentBytes: number;
  /** Called for each entry once it is durable as the sync mode promises, in log order (the memtable apply). */
  apply: (update: PartitionUpdate) => void;
  /** Called after each batch's entries were applied (a cheap place for per-batch checks). */
  afterBatch?: () => void;
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
  /** Entry size: header, payload (`updateBytes`), trailer. */
  entryBytes: number;
  /** `CommitLog.arrivals` when this append arrived (a segment failure older than it is retried first). */
  arrival: number;
  /** Called once: undefined when durable and applied, else the error (AppendDone). */
  done: AppendDone;
}

/**
 * How an append is acknowledged (appendThen): `done(undefined)` once the entry is durable as the
 * sync mode promises and applied, `done(error)` when it never will be. Called exactly once, from
 * the log's batch completion (synchronously, in log order) or inside appendThen for a refusal.
 * Must not throw (a throw is logged and otherwise ignored).
 */
export type AppendDone = (error: Error | undefined) => void;

/** A batch's entries in one segment: consecutive from `offset`, written with one writev. */
interface Run {
  segment: Segment;
  offset: number;
  bytes: number;
  /** Slab views and referenced values, back to back. */
  pieces: Uint8Array[];
}

/**
 * Appends encoded as they arrive (`open`), then sealed, written, synced and acknowledged as one.
 * Runs are in segment order; the appends are the runs' entries in order.
 */
interface Batch {
  seq: number;
  appends: Append[];
  runs: Run[];
  bytes: number;
  /** Small entries among `appends` (large ones are kept out of a batch that small ones are joining). */
  small: number;
}

/**
 * Writes one entry (header, payload, trailer) through the gather writer; `payloadBytes` must be
 * exact. Small entries in one pass into the slab (`_entry.ts`), others field by field.
 */
function writeEntry(w: GatherWriter, seed: number, update: PartitionUpdate, payloadBytes: number): void {
  const entryBytes = payloadBytes + ENTRY_OVERHEAD_BYTES;
  if (entryBytes <= SMALL_ENTRY_BYTES_MAX) {
    const at = w.place(entryBytes);
    const end = encodeSmallEntry(w.current, w.currentView, at, seed, update, payloadBytes);
    assert(end === at + entryBytes, 'small commit log entry size');
    w.advance(entryBytes);
    return;
  }
  const at = w.place(ENTRY_HEADER_BYTES);
  const slab = w.current;
  w.u32(payloadBytes);
  w.u32(crc32Js(slab, at, at + 4, seed));
  const start = w.length;
  w.beginPayload();
  encodeUpdate(w, update);
  const crc = w.endPayload();
  if (w.length !== start + payloadBytes) assert(false, `commit log entry encoded to ${w.length - start} bytes, sized ${payloadBytes}`);
  w.u32(crc);
}

/** Writes `pieces` back to back from `offset`: one writev where the handle has it. */
async function writePieces(fh: FileHandle, pieces: Uint8Array[], offset: number, bytes: number): Promise<void> {
  let written = 0;
  if (fh.writev) {
    written = await fh.writev(pieces, offset);
  } else {
    for (const p of pieces) {
      const b = Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.length);
      written += await fh.write(b, 0, b.length, offset + written);
    }
  }
  if (written !== bytes) throw new Error(`commit log write stored ${written} of ${bytes} bytes`);
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

/** Encodes one entry of `update` for segment `id` as one buffer (the log itself gathers batches in place). */
export function encodeEntry(id: number, update: PartitionUpdate): Buffer {
  const w = new GatherWriter();
  const pieces: Uint8Array[] = [];
  w.target(pieces);
  writeEntry(w, segmentSeed(id), update, updateBytes(update));
  w.cut();
  return Buffer.concat(pieces);
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
  /** Appends that have no segment space yet (a rotation waits for the spare), in arrival order. */
  private readonly waiting: Append[] = [];
  /** The batch new entries are encoded into. */
  private open: Batch;
  /** Large appends left for a later batch (LARGE_BATCH_BYTES_MAX), without offsets, in arrival order. */
  private readonly deferred: Append[] = [];
  /** formBatch() is assigning deferred appends: large ones fill the batch to LARGE_BATCH_BYTES_MAX. */
  private pulling = false;
  /** The batch last started left deferred large appends waiting (for small ones): the next one takes them. */
  private skippedLarge = false;
  /** Full batches (BATCH_BYTES_MAX) waiting for the one in flight, in order. */
  private readonly sealed: Batch[] = [];
  /** The batch being written and synced; at most one, so the next one grows while it runs. */
  private inFlight: Batch | undefined;
  private readonly gather = new GatherWriter();
  /** The dedicated writer thread, once started (start()), if the file system has one. */
  private writer: WriterThread | undefined;
  private startScheduled = false;
  private lastSyncStartMs = -Infinity;
  private lastId = 0;
  private periodic: { cancel(): void } | undefined;
  private prepareError: Error | undefined;
  /** Appends that have arrived so far, and their count when the last segment preparation failed. */
  private arrivals = 0;
  private prepareFailedAtArrival = 0;
  private closed = false;
  /** Closing and recycling of released segments, one release after another. */
  private releasing: Promise<void> = Promise.resolve();
  /** End of the last entry handed to `apply`; flushes cut memtables here. */
  lastApplied: CommitLogPosition = { segmentId: 0, offset: 0 };
  bytesWritten = 0;
  syncs = 0;
  /** Batches written (each one write per segment it touches, and one sync unless periodic). */
  batches = 0;

  constructor(private readonly o: CommitLogOptions) {
    assert(o.segmentBytes >= 64 * 1024, 'commit log segment too small');
    this.open = { seq: 1, appends: [], runs: [], bytes: 0, small: 0 };
    this.gather.setSeq(1);
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
    if (this.o.writerThread ?? true) {
      const w = this.o.fs.startWriterThread?.();
      // A wrapping FileSystem that turns every method async (some tests' proxies) hands back a promise: not a writer.
      if (w && typeof w.writeAndSync === 'function') this.writer = w;
    }
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
        this.prepareFailedAtArrival = this.arrivals;
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
   * Appends an update. The log calls `apply(update)` (synchronously, in log order) once the entry
   * is durable as the sync mode promises; the returned promise resolves after it. Rejects with
   * WriteFailure when the entry cannot be written or synced, and then `apply` is never called.
   * The update's buffers are referenced until the entry is written: never reuse them.
   */
  append(update: PartitionUpdate): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.appendThen(update, (e) => { if (e) reject(e); else resolve(); });
    });
  }

  /**
   * `append` without a promise: `done` is called once, as AppendDone says (after `apply(update)`
   * when it succeeds). Refusals (closed, too many writes waiting, entry too large) call it
   * before this returns.
   */
  appendThen(update: PartitionUpdate, done: AppendDone): void {
    const refusal = this.refusal(update);
    if (typeof refusal !== 'number') { this.settle(done, refusal); return; }
    const a: Append = { update, entryBytes: refusal + ENTRY_OVERHEAD_BYTES, arrival: ++this.arrivals, done };
    if (this.waiting.length === 0 && this.placeNow(a)) { this.kick(); return; }
    this.waiting.push(a);
    this.assign();
  }

  /**
   * The usual case of an append, without the `waiting` queue: nothing waits before it and the
   * active segment has room, so it is deferred or encoded now (as `assign` would). False when
   * it has to wait (no segment space).
   */
  private placeNow(a: Append): boolean {
    if (this.defers(a)) { this.deferred.push(a); return true; }
    const seg = this.active;
    if (!seg || seg.writePos + a.entryBytes + ENTRY_HEADER_BYTES > seg.sizeBytes) return false;
    try {
      this.encode(a, seg);
    } catch (e) {
      this.failEncode(a, e as Error);
    }
    return true;
  }

  /** A bug in sizing or encoding: the open batch may hold a partial entry, so fail it all. */
  private failEncode(a: Append, e: Error): void {
    this.settle(a.done, e);
    this.failQueued(e);
  }

  /** Why `update` cannot be appended now, or else its payload size. */
  private refusal(update: PartitionUpdate): number | Error {
    if (this.closed) return new WriteFailure('commit log is closed', 'ONE', 0, 1, [], 'SIMPLE');
    if (this.waiting.length + this.queuedAppends() >= PENDING_WRITES_MAX) {
      return new WriteFailure(`commit log has ${PENDING_WRITES_MAX} writes waiting for disk; the disk is too slow`, 'ONE', 0, 1, [], 'SIMPLE');
    }
    const payloadBytes = entryPayloadBytes(update);
    if (payloadBytes + ENTRY_OVERHEAD_BYTES > this.maxEntryBytes) {
      return new InvalidRequest(`mutation of ${payloadBytes} bytes is larger than the maximum of ${this.maxEntryBytes} bytes `
        + `(half of commitlog_segment_size)`);
    }
    return payloadBytes;
  }

  /** Acknowledges one append (a throwing callback must not stop the others of its batch). */
  private settle(done: AppendDone, error: Error | undefined): void {
    try {
      done(error);
    } catch (e) {
      this.o.log.error(`commit log: an append's completion callback threw: ${(e as Error).stack ?? String(e)}`);
    }
  }

  /** Appends encoded but not yet being written. */
  private queuedAppends(): number {
    let n = this.open.appends.length + this.deferred.length;
    if (this.sealed.length === 0) return n;
    for (const b of this.sealed) n += b.appends.length;
    return n;
  }

  /** Gives waiting appends a segment offset, strictly in arrival order, and encodes them into the open batch. */
  private assign(): void {
    let taken = 0;
    while (taken < this.waiting.length) {
      const a = this.waiting[taken]!;
      if (this.defers(a)) { this.deferred.push(a); taken++; continue; }
      const seg = this.active;
      if (!seg || seg.writePos + a.entryBytes + ENTRY_HEADER_BYTES > seg.sizeBytes) {
        if (this.spare) { this.rotate(); continue; }
        this.waiting.splice(0, taken);
        taken = 0;
        // Fail the waiting appends only with the error of a preparation that failed after the
        // oldest of them arrived. One that failed before (e.g. while the disk was full) says
        // nothing about now: prepare again, and fail them if that fails too.
        if (this.prepareError && !this.preparing && this.waiting.length > 0 && this.waiting[0]!.arrival <= this.prepareFailedAtArrival) {
          const err = this.prepareError;
          for (const w of this.waiting.splice(0)) this.settle(w.done, new WriteFailure(`commit log cannot take writes: ${err.message}`, 'ONE', 0, 1, [], 'SIMPLE'));
          this.prepareError = undefined;
          break;
        }
        void this.ensureSpare();
        break;
      }
      taken++;
      try {
        this.encode(a, seg);
      } catch (e) {
        this.waiting.splice(0, taken);
        this.failEncode(a, e as Error);
        this.kick();
        return;
      }
    }
    if (taken > 0) this.waiting.splice(0, taken);
    this.kick();
  }

  /** A large entry waits for a later batch when large ones wait already or the open batch is full enough for them. */
  private defers(a: Append): boolean {
    if (a.entryBytes < LARGE_ENTRY_BYTES_MIN) return false;
    const full = this.open.bytes > 0 && this.open.bytes + a.entryBytes > LARGE_BATCH_BYTES_MAX;
    if (this.pulling) return full;
    // With nothing written meanwhile a large entry joins the batch about to start (no extra sync for a lone writer).
    return full || this.deferred.length > 0 || this.inFlight !== undefined || this.sealed.length > 0;
  }

  /** Moves the deferred large appends to the front of the queue and assigns them (to the batch growing now). */
  private pullDeferred(): void {
    this.pulling = true;
    try {
      this.waiting.unshift(...this.deferred.splice(0));
      this.assign();
    } finally {
      this.pulling = false;
    }
  }

  /**
   * Decides what the batch about to start holds: the small entries that joined it, and the
   * deferred large ones unless small ones are waiting and the previous batch took large ones.
   * So under a flood small-only batches alternate with batches that must take large entries.
   */
  private formBatch(): void {
    if (this.deferred.length === 0) { this.skippedLarge = false; return; }
    if (this.open.appends.length > 0 && !this.skippedLarge) { this.skippedLarge = true; return; }
    this.pullDeferred();
    this.skippedLarge = false;
  }

  /** Encodes `a` at the end of the open batch, as the next entry of `seg`. */
  private encode(a: Append, seg: Segment): void {
    if (this.open.appends.length > 0 && this.open.bytes + a.entryBytes > BATCH_BYTES_MAX) this.seal();
    const b = this.open;
    let run = b.runs.length > 0 ? b.runs[b.runs.length - 1]! : undefined;
    if (!run || run.segment !== seg) {
      run = { segment: seg, offset: seg.writePos, bytes: 0, pieces: [] };
      b.runs.push(run);
      this.gather.target(run.pieces);
    }
    assert(run.offset + run.bytes === seg.writePos, 'commit log batch entries must be contiguous in their segment');
    const before = this.gather.length;
    writeEntry(this.gather, seg.seed, a.update, a.entryBytes - ENTRY_OVERHEAD_BYTES);
    assert(this.gather.length - before === a.entryBytes, 'commit log entry size');
    seg.writePos += a.entryBytes;
    run.bytes += a.entryBytes;
    b.bytes += a.entryBytes;
    if (a.entryBytes < LARGE_ENTRY_BYTES_MIN) b.small++;
    b.appends.push(a);
  }

  /** Closes the open batch (its bytes are complete) and opens the next. */
  private seal(): void {
    this.gather.cut();
    this.sealed.push(this.open);
    const seq = this.open.seq + 1;
    this.open = { seq, appends: [], runs: [], bytes: 0, small: 0 };
    this.gather.setSeq(seq);
  }

  /**
   * Starts the next batch when none is in flight: a sealed (full) batch at once, otherwise the
   * open one on the next turn of the event loop (group mode: not before the window since the last
   * start). While a batch is written and synced the next one grows, so under load one write and
   * one sync cover everything that arrived during the previous ones (group commit).
   */
  private kick(): void {
    if (this.inFlight) return;
    if (this.pulling) return; // formBatch() starts the batch itself
    const full = this.sealed.shift();
    if (full) { this.startBatch(full); return; }
    if ((this.open.appends.length === 0 && this.deferred.length === 0) || this.startScheduled) return;
    this.startScheduled = true;
    const waitMs = this.o.sync === 'group' ? this.lastSyncStartMs + this.o.groupWindowMs - this.o.clock.monotonicMs() : 0;
    const run = () => {
      this.startScheduled = false;
      if (!this.inFlight && this.sealed.length === 0) {
        this.formBatch();
        if (this.open.appends.length > 0) this.seal();
      }
      this.kick();
    };
    if (waitMs > 0) this.o.scheduler.after(waitMs, run);
    else this.o.scheduler.soon(run);
  }

  private startBatch(batch: Batch): void {
    assert(!this.inFlight, 'one batch in flight');
    this.inFlight = batch;
    this.lastSyncStartMs = this.o.clock.monotonicMs();
    this.batches++;
    this.writeBatch(batch).then(() => this.finish(batch, undefined), (e: Error) => this.finish(batch, e));
  }

  private finish(batch: Batch, error: Error | undefined): void {
    assert(this.inFlight === batch, 'the batch in flight finished');
    this.inFlight = undefined;
    if (error) {
      this.rejectAppends(batch.appends, error);
      this.failQueued(error);
    } else {
      this.applyBatch(batch);
    }
    this.kick();
  }

  /**
   * After a failed write or encode: every encoded append not yet written sits after a hole that
   * replay stops at, so all are rejected, and no entry may follow them in their segments.
   */
  private failQueued(error: Error): void {
    const queued = [...this.sealed, this.open];
    this.sealed.length = 0;
    this.open = { seq: this.open.seq + 1, appends: [], runs: [], bytes: 0, small: 0 };
    this.gather.reset();
    this.gather.setSeq(this.open.seq);
    for (const b of queued) {
      for (const r of b.runs) r.segment.writePos = r.segment.sizeBytes;
      this.rejectAppends(b.appends, error);
    }
    if (this.active) this.active.writePos = this.active.sizeBytes;
  }

  /**
   * Writes a batch's runs and, in batch/group mode without O_DSYNC, syncs every segment that
   * needs it (older ones with unsynced entries, then the batch's own): on the writer thread as
   * one request where it fits, else one writev per run and one fdatasync per segment.
   */
  private async writeBatch(batch: Batch): Promise<void> {
    const touched: Segment[] = [];
    for (const r of batch.runs) if (!touched.includes(r.segment)) touched.push(r.segment);
    const toSync = this.dsync || this.o.sync === 'periodic' ? [] : this.segmentsToSync(touched);
    try {
      const w = this.writer;
      if (w && batch.bytes <= w.requestBytesMax && batch.runs.length + toSync.length <= w.requestOpsMax) {
        await this.writeOnThread(w, batch, toSync);
      } else {
        await this.writeThroughHandles(batch, toSync);
      }
      this.bytesWritten += batch.bytes;
      this.syncs += this.dsync ? touched.length : toSync.length; // with O_DSYNC each write returned durable
      if (this.o.sync === 'periodic') for (const s of touched) s.needsSync = true;
    } catch (e) {
      // Never append after a failed write: later entries go to a fresh segment.
      for (const r of batch.runs) r.segment.writePos = r.segment.sizeBytes;
      if (this.active) this.active.writePos = this.active.sizeBytes;
      for (const s of toSync) s.needsSync = true;
      throw e;
    }
  }

  /** Older segments left unsynced by a rotation, then the batch's own segments; clears their flags. */
  private segmentsToSync(touched: Segment[]): Segment[] {
    const out: Segment[] = [];
    for (const s of this.segments) if (s.needsSync && !touched.includes(s)) { s.needsSync = false; out.push(s); }
    for (const s of touched) { s.needsSync = false; out.push(s); }
    return out;
  }

  /** One request to the writer thread; its bytes are copied at once, so the slabs are free again. */
  private async writeOnThread(w: WriterThread, batch: Batch, toSync: Segment[]): Promise<void> {
    const runs: WriteRun[] = batch.runs.map((r) => ({ file: r.segment.fh, position: r.offset, pieces: r.pieces, bytes: r.bytes }));
    const p = w.writeAndSync(runs, toSync.map((s) => s.fh));
    this.gather.release(batch.seq);
    for (const s of toSync) s.syncing = p; // a release of `s` waits for it before closing the handle
    try {
      await p;
    } finally {
      for (const s of toSync) if (s.syncing === p) s.syncing = undefined;
    }
  }

  private async writeThroughHandles(batch: Batch, toSync: Segment[]): Promise<void> {
    for (const r of batch.runs) await writePieces(r.segment.fh, r.pieces, r.offset, r.bytes);
    this.gather.release(batch.seq);
    for (const s of toSync) await this.syncSegment(s);
  }

  private rejectAppends(appends: Append[], e: Error): void {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOSPC' ? `disk full in ${this.o.dir}` : err.message;
    for (const a of appends) this.settle(a.done, new WriteFailure(`commit log write failed: ${why}`, 'ONE', 0, 1, [], 'SIMPLE'));
  }

  /** Applies a durable batch's entries in log order and acknowledges them. */
  private applyBatch(batch: Batch): void {
    let i = 0;
    for (const r of batch.runs) {
      const seg = r.segment;
      const end = r.offset + r.bytes;
      let applied = -1; // end of the run's last entry applied so far
      for (let offset = r.offset; offset < end; i++) {
        const a = batch.appends[i]!;
        const at = offset;
        offset += a.entryBytes;
        try {
          this.o.apply(a.update);
        } catch (e) {
          this.settle(a.done, e as Error);
          continue;
        }
        seg.dirty.set(a.update.tableId, at);
        applied = offset;
        this.settle(a.done, undefined);
      }
      // Once per run: a callback that reads it meanwhile sees an earlier position, which only
      // makes a flush cut there replay more (idempotent), never less.
      if (applied >= 0) this.lastApplied = { segmentId: seg.id, offset: applied };
    }
    assert(i === batch.appends.length, 'a batch\'s runs hold its appends');
    this.o.afterBatch?.();
  }

  async syncAll(): Promise<void> {
    for (const s of [...this.segments]) {
      if (s.needsSync) { s.needsSync = false; await this.syncSegment(s); this.syncs++; }
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
    const uses = (b: Batch | undefined) => b !== undefined && b.runs.some((r) => r.segment === s);
    return !uses(this.open) && !uses(this.inFlight) && !this.sealed.some(uses);
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
    for (let i = 0; i < DRAIN_POLLS_MAX && (this.waiting.length > 0 || this.deferred.length > 0 || this.open.appends.length > 0 || this.sealed.length > 0 || this.inFlight || this.startScheduled); i++) {
      await new Promise<void>((r) => this.o.scheduler.after(1, r));
    }
  }

  private async closeFiles(): Promise<void> {
    if (this.spare) await this.spare.fh.close();
    this.segments.length = 0;
    const w = this.writer;
    this.writer = undefined;
    await w?.close();
  }
}
