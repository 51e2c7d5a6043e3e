// src/env: the only way Cassia code touches time, timers, randomness, files and sockets.
//
// src/env/node implements these over Node; src/env/sim implements them over a seeded clock and
// in-memory network and file system so a whole cluster runs, and replays, in one process.
// Nothing outside src/env/node and src/cli may use Date.now, setTimeout, Math.random, fs or net.

export interface Clock {
  /** Wall-clock milliseconds since the Unix epoch (may jump; use for timestamps only). */
  nowMs(): number;
  /** Wall-clock microseconds since the Unix epoch; strictly increasing within one Clock. */
  nowMicros(): number;
  /** Monotonic milliseconds for measuring durations and deadlines. */
  monotonicMs(): number;
}

export interface TimerHandle {
  cancel(): void;
}

export interface Scheduler {
  /** Runs fn once after delayMs; the handle cancels it. */
  after(delayMs: number, fn: () => void): TimerHandle;
  /** Runs fn every periodMs until cancelled. */
  every(periodMs: number, fn: () => void): TimerHandle;
  /** Runs fn after the current I/O phase (setImmediate in Node). */
  soon(fn: () => void): void;
}

export interface Random {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** n random bytes. */
  bytes(n: number): Buffer;
}

export interface FileStat {
  sizeBytes: number;
  isDirectory: boolean;
  mtimeMs: number;
}

/** An open file. Positions are explicit; there is no implicit cursor. */
export interface FileHandle {
  read(buf: Buffer, bufOffset: number, length: number, position: number): Promise<number>;
  /**
   * Optional synchronous read for data expected in the OS page cache (a few µs, where an async
   * read costs a thread-pool round trip); blocks the caller while the disk works on a miss, so
   * callers time it and fall back to read() (src/storage/sstable/_page_reads.ts).
   */
  readSync?(buf: Buffer, bufOffset: number, length: number, position: number): number;
  write(buf: Buffer, bufOffset: number, length: number, position: number): Promise<number>;
  /**
   * Writes `buffers` back to back from `position` in one call (pwritev); returns the bytes
   * written, which is their total length unless an error stopped it part way (then it throws).
   * Same durability and crash semantics as `write`. Optional: callers fall back to `write`.
   */
  writev?(buffers: Uint8Array[], position: number): Promise<number>;
  /** Durably stores the data written so far (fdatasync). */
  sync(): Promise<void>;
  truncate(sizeBytes: number): Promise<void>;
  sizeBytes(): Promise<number>;
  close(): Promise<void>;
}

/** One region for a WriterThread request: `pieces` back to back from `position` in `file`. */
export interface WriteRun {
  file: FileHandle;
  position: number;
  pieces: readonly Uint8Array[];
  /** Total length of `pieces`. */
  bytes: number;
}

/**
 * A dedicated thread that writes runs and then syncs (fdatasync) files, one request at a time:
 * a log's batch then costs its caller one hand-off and one completion, not one per system call.
 * Same durability and crash semantics as FileHandle.writev followed by FileHandle.sync. The
 * request's bytes are copied before `writeAndSync` returns, so the caller may reuse its buffers
 * at once. Only handles opened by the same FileSystem are accepted, and a handle must stay open
 * until the request naming it has settled.
 */
export interface WriterThread {
  /** Largest request in bytes (all runs together); larger ones go through the handles themselves. */
  readonly requestBytesMax: number;
  /** Largest number of runs plus syncs in one request. */
  readonly requestOpsMax: number;
  /**
   * Writes the runs in order, then syncs each handle of `sync`; resolves when all are done, or
   * rejects with the first error (carrying its `code`) and does nothing after it. One request at
   * a time: the previous one must have settled.
   */
  writeAndSync(runs: readonly WriteRun[], sync: readonly FileHandle[]): Promise<void>;
  /** Ends the thread (no request may be in flight). */
  close(): Promise<void>;
}

export type OpenMode = 'r' | 'r+' | 'w' | 'wx' | 'a';

export interface OpenOptions {
  dsync?: boolean;
}

/** Errors carry Node's `code` (ENOENT, ENOSPC, EEXIST, ...) so callers can tell them apart. */
export interface FileSystem {
  /**
   * Opens a file. With `dsync`, every write returns only once its data is durable (O_DSYNC):
   * one system call instead of a write plus an fdatasync, for logs that sync every write batch.
   */
  open(path: string, mode: OpenMode, options?: OpenOptions): Promise<FileHandle>;
  readFile(path: string): Promise<Buffer>;
  /** Writes the whole file, syncs it, and renames it into place atomically. */
  writeFileAtomic(path: string, data: Buffer): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  link(existing: string, newPath: string): Promise<void>;
  mkdirp(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  stat(path: string): Promise<FileStat | null>;
  /** Syncs a directory so renames and creations in it are durable. */
  syncDir(path: string): Promise<void>;
  rmrf(path: string): Promise<void>;
  /** Free bytes on the file system holding path. */
  freeBytes(path: string): Promise<number>;
  /**
   * Starts a dedicated writer thread for this file system's handles. Optional: an Env without
   * real threads (the simulation) has none, and callers write through the handles.
   */
  startWriterThread?(): WriterThread;
}

/** A byte-stream connection (TCP in production). */
export interface Connection {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** Queues bytes; returns false when the kernel buffer is full (wait for onDrain). */
  write(data: Buffer): boolean;
  /** Writes several buffers in one system call where possible. */
  writev(data: Buffer[]): boolean;
  /** Stops delivering onData until resume() (backpressure). */
  pause(): void;
  resume(): void;
  /** TCP keepalive probes after initialDelayMs idle (finds half-open peers); optional: not every Network has it. */
  setKeepAlive?(enable: boolean, initialDelayMs: number): void;
  end(): void;
  destroy(): void;
  onData(fn: (chunk: Buffer) => void): void;
  onDrain(fn: () => void): void;
  onClose(fn: (hadError: boolean) => void): void;
  onError(fn: (err: Error) => void): void;
}

export interface Listener {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface Network {
  listen(host: string, port: number, onConnection: (conn: Connection) => void): Promise<Listener>;
  connect(host: string, port: number, options?: { localAddress?: string; timeoutMs?: number }): Promise<Connection>;
}

/** Everything from the outside world that a node needs. */
export interface Env {
  clock: Clock;
  scheduler: Scheduler;
  random: Random;
  fs: FileSystem;
  net: Network;
}
