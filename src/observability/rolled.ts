// Rolled log files through env.fs: <dir>/<prefix>.<seq, 12 digits>.<ext>. Appends are queued in
// memory (bounded) and written in batches, one write per batch, so callers on the request path
// never await I/O. A file is closed and the next one opened before it would pass maxFileBytes;
// past maxFiles the oldest file is deleted. A record is never split across files.

import type { FileHandle, FileSystem } from '../env/mod.js';
import { assert } from '../util/assert.js';

export interface RolledLogOptions {
  fs: FileSystem;
  dir: string;
  prefix: string;
  ext: string;
  maxFileBytes: number;
  maxFiles: number;
  /** Bytes queued but not yet written; appends past it are dropped and counted. */
  maxPendingBytes: number;
  /** fdatasync after each batch (durable, slower). */
  syncEachBatch?: boolean;
}

const SEQ_DIGITS = 12;

export class RolledLogWriter {
  private handle: FileHandle | null = null;
  private fileBytes = 0;
  private seq = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private writing: Promise<void> | null = null;
  private closed = false;
  /** Records dropped because the queue was full (or the writer closed). */
  dropped = 0;
  /** The last write error, if any (writing continues with the next batch). */
  lastError: Error | null = null;

  private constructor(private readonly o: RolledLogOptions) {}

  /** Opens a writer that continues after the highest existing sequence number in dir. */
  static async open(options: RolledLogOptions): Promise<RolledLogWriter> {
    assert(options.maxFileBytes > 0 && options.maxFiles > 0 && options.maxPendingBytes > 0, 'rolled log limits must be positive');
    const w = new RolledLogWriter(options);
    await options.fs.mkdirp(options.dir);
    const existing = await listRolledFiles(options.fs, options.dir, options.prefix, options.ext);
    w.seq = existing.length === 0 ? 0 : existing[existing.length - 1]!.seq;
    await w.roll();
    return w;
  }

  /** Queues one record; returns false when it was dropped (queue full or closed). */
  append(record: Buffer): boolean {
    if (this.closed || this.pendingBytes + record.length > this.o.maxPendingBytes) {
      this.dropped++;
      return false;
    }
    this.pending.push(record);
    this.pendingBytes += record.length;
    if (this.writing === null) this.writing = this.drain();
    return true;
  }

  /** Resolves when everything appended so far is written. */
  async flush(): Promise<void> {
    while (this.writing !== null) await this.writing;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    await this.handle?.close();
    this.handle = null;
  }

  currentFile(): string {
    return rolledFileName(this.o.dir, this.o.prefix, this.seq, this.o.ext);
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.takeBatch();
        try {
          await this.writeBatch(batch);
        } catch (err) {
          this.lastError = err as Error;
        }
      }
    } finally {
      this.writing = null;
    }
  }

  /** Takes queued records that fit in the current file (at least one record). */
  private takeBatch(): Buffer[] {
    const batch: Buffer[] = [];
    let bytes = 0;
    while (this.pending.length > 0) {
      const next = this.pending[0]!;
      if (batch.length > 0 && bytes + next.length > this.o.maxFileBytes) break;
      batch.push(this.pending.shift()!);
      bytes += next.length;
    }
    this.pendingBytes -= bytes;
    return batch;
  }

  private async writeBatch(batch: Buffer[]): Promise<void> {
    const data = batch.length === 1 ? batch[0]! : Buffer.concat(batch);
    if (this.fileBytes > 0 && this.fileBytes + data.length > this.o.maxFileBytes) await this.roll();
    const h = this.handle!;
    let written = 0;
    while (written < data.length) written += await h.write(data, written, data.length - written, this.fileBytes + written);
    this.fileBytes += data.length;
    if (this.o.syncEachBatch) await h.sync();
  }

  private async roll(): Promise<void> {
    await this.handle?.close();
    this.seq++;
    this.handle = await this.o.fs.open(this.currentFile(), 'wx');
    this.fileBytes = 0;
    const files = await listRolledFiles(this.o.fs, this.o.dir, this.o.prefix, this.o.ext);
    for (const f of files.slice(0, Math.max(0, files.length - this.o.maxFiles))) await this.o.fs.unlink(f.path);
  }
}

export function rolledFileName(dir: string, prefix: string, seq: number, ext: string): string {
  return `${dir}/${prefix}.${String(seq).padStart(SEQ_DIGITS, '0')}.${ext}`;
}

/** The rolled files of a log, oldest first. */
export async function listRolledFiles(fs: FileSystem, dir: string, prefix: string, ext: string): Promise<Array<{ path: string; seq: number }>> {
  const names = (await fs.stat(dir)) === null ? [] : await fs.readdir(dir);
  const re = new RegExp(`^${escapeRe(prefix)}\\.(\\d{${SEQ_DIGITS}})\\.${escapeRe(ext)}$`);
  return names.flatMap((n) => {
    const m = n.match(re);
    return m ? [{ path: `${dir}/${n}`, seq: Number(m[1]) }] : [];
  }).sort((a, b) => a.seq - b.seq);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
