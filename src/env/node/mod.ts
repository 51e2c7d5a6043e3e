// The production Env: Node's clock, timers, crypto randomness, fs and net.

import * as fs from 'node:fs/promises';
import { constants as fsConstants, readSync as fsReadSync } from 'node:fs';
import * as net from 'node:net';
import { randomBytes, randomInt } from 'node:crypto';
import { dirname } from 'node:path';
import type { Clock, Connection, Env, FileHandle, FileStat, FileSystem, Listener, Network, OpenMode, OpenOptions, Random, Scheduler, TimerHandle, WriterThread } from '../mod.js';
import { NodeWriterThread, type DescriptorHandle } from './_writer_thread.js';
import { adoptAccepted, type AdoptedSocket, type ReadMode } from './_read_buffer.js';

export class NodeClock implements Clock {
  private lastMicros = 0;
  private readonly originMs = performance.timeOrigin;

  nowMs(): number {
    return Date.now();
  }

  nowMicros(): number {
    // Sub-millisecond precision from the high-resolution clock, kept strictly increasing so two
    // writes from one coordinator never share a timestamp.
    let micros = Math.floor((this.originMs + performance.now()) * 1000);
    if (micros <= this.lastMicros) micros = this.lastMicros + 1;
    this.lastMicros = micros;
    return micros;
  }

  monotonicMs(): number {
    return performance.now();
  }
}

export class NodeScheduler implements Scheduler {
  after(delayMs: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, delayMs);
    return { cancel: () => clearTimeout(t) };
  }
  every(periodMs: number, fn: () => void): TimerHandle {
    const t = setInterval(fn, periodMs);
    return { cancel: () => clearInterval(t) };
  }
  soon(fn: () => void): void {
    setImmediate(fn);
  }
}

export class NodeRandom implements Random {
  next(): number { return Math.random(); }
  int(n: number): number { return n <= 1 ? 0 : randomInt(n); }
  bytes(n: number): Buffer { return randomBytes(n); }
}

class NodeFileHandle implements FileHandle, DescriptorHandle {
  constructor(private readonly fh: fs.FileHandle) {}
  /** The file descriptor, for the writer thread (-1 once closed). */
  get fd(): number { return this.fh.fd; }
  async read(buf: Buffer, bufOffset: number, length: number, position: number): Promise<number> {
    return (await this.fh.read(buf, bufOffset, length, position)).bytesRead;
  }
  readSync(buf: Buffer, bufOffset: number, length: number, position: number): number {
    return fsReadSync(this.fh.fd, buf, bufOffset, length, position);
  }
  async write(buf: Buffer, bufOffset: number, length: number, position: number): Promise<number> {
    return (await this.fh.write(buf, bufOffset, length, position)).bytesWritten;
  }
  async writev(buffers: Uint8Array[], position: number): Promise<number> {
    // libuv writes every buffer (looping over short writes and IOV_MAX) before it answers.
    return (await this.fh.writev(buffers, position)).bytesWritten;
  }
  sync(): Promise<void> { return this.fh.datasync(); }
  truncate(sizeBytes: number): Promise<void> { return this.fh.truncate(sizeBytes); }
  async sizeBytes(): Promise<number> { return (await this.fh.stat()).size; }
  close(): Promise<void> { return this.fh.close(); }
}

/** The numeric open(2) flags of a mode string, so that O_DSYNC can be added. */
function openFlags(mode: OpenMode): number {
  const c = fsConstants;
  switch (mode) {
    case 'r': return c.O_RDONLY;
    case 'r+': return c.O_RDWR;
    case 'w': return c.O_WRONLY | c.O_CREAT | c.O_TRUNC;
    case 'wx': return c.O_WRONLY | c.O_CREAT | c.O_TRUNC | c.O_EXCL;
    case 'a': return c.O_WRONLY | c.O_CREAT | c.O_APPEND;
  }
}

export class NodeFileSystem implements FileSystem {
  async open(path: string, mode: OpenMode, options: OpenOptions = {}): Promise<FileHandle> {
    return new NodeFileHandle(await fs.open(path, options.dsync ? openFlags(mode) | fsConstants.O_DSYNC : mode));
  }
  readFile(path: string): Promise<Buffer> { return fs.readFile(path); }
  async writeFileAtomic(path: string, data: Buffer): Promise<void> {
    const tmp = `${path}.tmp`;
    const fh = await fs.open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, path);
    await this.syncDir(dirname(path));
  }
  rename(from: string, to: string): Promise<void> { return fs.rename(from, to); }
  unlink(path: string): Promise<void> { return fs.unlink(path); }
  link(existing: string, newPath: string): Promise<void> { return fs.link(existing, newPath); }
  async mkdirp(path: string): Promise<void> { await fs.mkdir(path, { recursive: true }); }
  readdir(path: string): Promise<string[]> { return fs.readdir(path); }
  async stat(path: string): Promise<FileStat | null> {
    try {
      const s = await fs.stat(path);
      return { sizeBytes: s.size, isDirectory: s.isDirectory(), mtimeMs: s.mtimeMs };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }
  async syncDir(path: string): Promise<void> {
    const fh = await fs.open(path, 'r');
    try { await fh.sync(); } finally { await fh.close(); }
  }
  async rmrf(path: string): Promise<void> { await fs.rm(path, { recursive: true, force: true }); }
  async freeBytes(path: string): Promise<number> {
    const s = await fs.statfs(path);
    return s.bavail * s.bsize;
  }
  startWriterThread(): WriterThread { return new NodeWriterThread(); }
}

class NodeConnection implements Connection {
  private readonly socket: net.Socket;
  /** Accepted connections: how reads are delivered (see _read_buffer.ts); null for outgoing ones. */
  private readonly reader: AdoptedSocket | null;

  constructor(socket: net.Socket | AdoptedSocket) {
    if (socket instanceof net.Socket) {
      this.socket = socket;
      this.reader = null;
    } else {
      this.socket = socket.socket;
      this.reader = socket;
    }
    this.socket.setNoDelay(true);
  }
  get remoteAddress(): string { return stripV4Mapped(this.socket.remoteAddress ?? ''); }
  get remotePort(): number { return this.socket.remotePort ?? 0; }
  get localAddress(): string { return stripV4Mapped(this.socket.localAddress ?? ''); }
  get localPort(): number { return this.socket.localPort ?? 0; }
  write(data: Buffer): boolean { return this.socket.write(data); }
  writev(data: Buffer[]): boolean {
    if (data.length === 1) return this.socket.write(data[0]!);
    this.socket.cork();
    let ok = true;
    for (const b of data) ok = this.socket.write(b);
    this.socket.uncork();
    return ok;
  }
  pause(): void {
    if (this.reader) this.reader.pause();
    else this.socket.pause();
  }
  resume(): void {
    if (this.reader) this.reader.resume();
    else this.socket.resume();
  }
  setKeepAlive(enable: boolean, initialDelayMs: number): void { this.socket.setKeepAlive(enable, initialDelayMs); }
  end(): void { this.socket.end(); }
  destroy(): void { this.socket.destroy(); }
  onData(fn: (chunk: Buffer) => void): void {
    if (this.reader) this.reader.onData(fn);
    else this.socket.on('data', fn);
  }
  onDrain(fn: () => void): void { this.socket.on('drain', fn); }
  onClose(fn: (hadError: boolean) => void): void { this.socket.on('close', fn); }
  onError(fn: (err: Error) => void): void { this.socket.on('error', fn); }
}

function stripV4Mapped(addr: string): string {
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

export class NodeNetwork implements Network {
  /** readMode: how accepted connections read ('reused-buffer', the default, or Node's 'stream' mode; see _read_buffer.ts). */
  constructor(private readonly readMode: ReadMode = 'reused-buffer') {}

  listen(host: string, port: number, onConnection: (conn: Connection) => void): Promise<Listener> {
    return new Promise((resolve, reject) => {
      const server: net.Server = net.createServer({ noDelay: true, pauseOnConnect: true },
        (socket) => onConnection(new NodeConnection(adoptAccepted(server, socket, this.readMode))));
      server.once('error', reject);
      server.listen({ host, port, backlog: 1024 }, () => {
        server.off('error', reject);
        const addr = server.address() as net.AddressInfo;
        resolve({
          address: addr.address,
          port: addr.port,
          close: () => new Promise<void>((res) => server.close(() => res())),
        });
      });
    });
  }

  connect(host: string, port: number, options: { localAddress?: string; timeoutMs?: number } = {}): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port, localAddress: options.localAddress });
      const timer = options.timeoutMs ? setTimeout(() => socket.destroy(new Error(`connect to ${host}:${port} timed out after ${options.timeoutMs} ms`)), options.timeoutMs) : undefined;
      socket.once('error', (err) => { clearTimeout(timer); reject(err); });
      socket.once('connect', () => { clearTimeout(timer); resolve(new NodeConnection(socket)); });
    });
  }
}

export function nodeEnv(): Env {
  return {
    clock: new NodeClock(),
    scheduler: new NodeScheduler(),
    random: new NodeRandom(),
    fs: new NodeFileSystem(),
    net: new NodeNetwork(),
  };
}
