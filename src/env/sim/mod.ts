// The simulation Env: a seeded clock, scheduler, random source, in-memory file system and network,
// so that many nodes run in one process and any run replays exactly from its seed.
//
// Time only moves when the test calls `runFor`/`runUntilIdle`: timers fire in deadline order,
// ties broken by creation order. The file system keeps, per file, the bytes written and the bytes
// synced; `crash()` throws away everything not synced (and files or renames not made durable by a
// directory sync), as a power loss would.

import { posix } from 'node:path';
import type { Clock, Connection, Env, FileHandle, FileStat, FileSystem, Listener, Network, OpenMode, OpenOptions, Random, Scheduler, TimerHandle } from '../mod.js';
import { assert } from '../../util/assert.js';

/** xoshiro128** seeded through splitmix32: small, fast, good enough for simulation. */
export class SeededRandom implements Random {
  private s: Uint32Array;
  constructor(readonly seed: number) {
    this.s = new Uint32Array(4);
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }
  private nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!; s[3]! ^= s[1]!; s[1]! ^= s[2]!; s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }
  next(): number { return this.nextU32() / 0x1_0000_0000; }
  int(n: number): number { return Math.floor(this.next() * n); }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.nextU32() & 0xff;
    return b;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

interface Timer { atMs: number; seq: number; fn: () => void; periodMs: number; cancelled: boolean }

/** Virtual time shared by every node of one simulation. */
export class SimTime implements Clock, Scheduler {
  private nowMsValue: number;
  private seq = 0;
  private timers: Timer[] = [];
  private lastMicros = 0;

  constructor(startMs = 1_700_000_000_000) {
    this.nowMsValue = startMs;
  }

  nowMs(): number { return Math.floor(this.nowMsValue); }
  nowMicros(): number {
    let m = Math.floor(this.nowMsValue * 1000);
    if (m <= this.lastMicros) m = this.lastMicros + 1;
    this.lastMicros = m;
    return m;
  }
  monotonicMs(): number { return this.nowMsValue; }

  after(delayMs: number, fn: () => void): TimerHandle { return this.add(delayMs, fn, 0); }
  every(periodMs: number, fn: () => void): TimerHandle {
    assert(periodMs > 0, 'period must be positive');
    return this.add(periodMs, fn, periodMs);
  }
  soon(fn: () => void): void { this.add(0, fn, 0); }

  private add(delayMs: number, fn: () => void, periodMs: number): TimerHandle {
    const t: Timer = { atMs: this.nowMsValue + Math.max(0, delayMs), seq: this.seq++, fn, periodMs, cancelled: false };
    this.timers.push(t);
    return { cancel: () => { t.cancelled = true; } };
  }

  private popDue(untilMs: number): Timer | undefined {
    let best = -1;
    for (let i = 0; i < this.timers.length; i++) {
      const t = this.timers[i]!;
      if (t.cancelled || t.atMs > untilMs) continue;
      const b = best < 0 ? undefined : this.timers[best]!;
      if (!b || t.atMs < b.atMs || (t.atMs === b.atMs && t.seq < b.seq)) best = i;
    }
    if (best < 0) return undefined;
    return this.timers.splice(best, 1)[0];
  }

  /** Advances virtual time by ms, firing due timers in order; awaits microtasks between timers. */
  async runFor(ms: number): Promise<void> {
    const until = this.nowMsValue + ms;
    for (;;) {
      await drainMicrotasks();
      const t = this.popDue(until);
      if (!t) break;
      this.nowMsValue = Math.max(this.nowMsValue, t.atMs);
      if (t.periodMs > 0 && !t.cancelled) {
        // The same object goes back in the queue so the caller's handle still cancels it.
        t.atMs += t.periodMs;
        t.seq = this.seq++;
        this.timers.push(t);
      }
      t.fn();
    }
    this.nowMsValue = until;
    this.timers = this.timers.filter((t) => !t.cancelled);
  }

  /** Number of pending (not cancelled) timers. */
  pendingTimers(): number { return this.timers.filter((t) => !t.cancelled).length; }
}

async function drainMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

interface SimFile { data: Buffer; length: number; syncedData: Buffer; syncedLength: number }

/**
 * In-memory file system with crash semantics. Directory entries become durable on syncDir
 * (writeFileAtomic syncs its directory); file contents on FileHandle.sync.
 */
export class SimFileSystem implements FileSystem {
  private files = new Map<string, SimFile>();
  private dirs = new Set<string>(['/']);
  /** Names as they survive a crash: path → file identity. */
  private durableNames = new Map<string, SimFile>();
  private durableDirs = new Set<string>(['/']);
  /** When set, writes beyond this many total bytes fail with ENOSPC. */
  capacityBytes = Infinity;

  private used(): number {
    let n = 0;
    for (const f of this.files.values()) n += f.length;
    return n;
  }

  private norm(p: string): string { return posix.resolve('/', p); }

  private file(path: string): SimFile {
    const f = this.files.get(this.norm(path));
    if (!f) throw errno('ENOENT', path);
    return f;
  }

  async open(path: string, mode: OpenMode, options: OpenOptions = {}): Promise<FileHandle> {
    const p = this.norm(path);
    if (!this.dirs.has(posix.dirname(p))) throw errno('ENOENT', path);
    let f = this.files.get(p);
    if (mode === 'wx' && f) throw errno('EEXIST', path);
    if (!f) {
      if (mode === 'r' || mode === 'r+') throw errno('ENOENT', path);
      f = { data: Buffer.alloc(0), length: 0, syncedData: Buffer.alloc(0), syncedLength: 0 };
      this.files.set(p, f);
    } else if (mode === 'w') {
      f.length = 0;
    }
    return this.handle(f, mode === 'a', options.dsync === true);
  }

  private handle(f: SimFile, append: boolean, dsync: boolean): FileHandle {
    const fs = this;
    const writeAt = (b: Uint8Array, at: number): void => {
      const end = at + b.length;
      if (end > f.length && fs.used() + (end - f.length) > fs.capacityBytes) throw errno('ENOSPC', 'write');
      if (end > f.data.length) {
        const grown = Buffer.alloc(Math.max(end, f.data.length * 2));
        f.data.copy(grown, 0, 0, f.length);
        f.data = grown;
      }
      f.data.set(b, at);
      f.length = Math.max(f.length, end);
    };
    return {
      async read(buf, bufOffset, length, position) {
        const n = Math.max(0, Math.min(length, f.length - position));
        f.data.copy(buf, bufOffset, position, position + n);
        return n;
      },
      async write(buf, bufOffset, length, position) {
        writeAt(buf.subarray(bufOffset, bufOffset + length), append ? f.length : position);
        if (dsync) syncFile(f);
        return length;
      },
      async writev(buffers, position) {
        // All or nothing like one write: ENOSPC is checked for the whole range first.
        let total = 0;
        for (const b of buffers) total += b.length;
        const at = append ? f.length : position;
        if (at + total > f.length && fs.used() + (at + total - f.length) > fs.capacityBytes) throw errno('ENOSPC', 'writev');
        let pos = at;
        for (const b of buffers) { writeAt(b, pos); pos += b.length; }
        if (dsync) syncFile(f);
        return total;
      },
      async sync() { syncFile(f); },
      async truncate(sizeBytes) { f.length = Math.min(f.length, sizeBytes); },
      async sizeBytes() { return f.length; },
      async close() { /* nothing to release */ },
    };
  }

  async readFile(path: string): Promise<Buffer> {
    const f = this.file(path);
    return Buffer.from(f.data.subarray(0, f.length));
  }

  async writeFileAtomic(path: string, data: Buffer): Promise<void> {
    const tmp = `${this.norm(path)}.tmp`;
    const h = await this.open(tmp, 'w');
    await h.write(data, 0, data.length, 0);
    await h.sync();
    await this.rename(tmp, path);
    await this.syncDir(posix.dirname(this.norm(path)));
  }

  async rename(from: string, to: string): Promise<void> {
    const f = this.file(from);
    this.files.delete(this.norm(from));
    this.files.set(this.norm(to), f);
  }
  async unlink(path: string): Promise<void> {
    this.file(path);
    this.files.delete(this.norm(path));
  }
  async link(existing: string, newPath: string): Promise<void> {
    const f = this.file(existing);
    if (this.files.has(this.norm(newPath))) throw errno('EEXIST', newPath);
    this.files.set(this.norm(newPath), f);
  }
  async mkdirp(path: string): Promise<void> {
    let p = this.norm(path);
    while (!this.dirs.has(p)) {
      this.dirs.add(p);
      this.durableDirs.add(p); // directory creation is treated as durable
      p = posix.dirname(p);
    }
  }
  async readdir(path: string): Promise<string[]> {
    const p = this.norm(path);
    if (!this.dirs.has(p)) throw errno('ENOENT', path);
    const names = new Set<string>();
    for (const k of [...this.files.keys(), ...this.dirs]) {
      if (k !== p && posix.dirname(k) === p) names.add(posix.basename(k));
    }
    return [...names].sort();
  }
  async stat(path: string): Promise<FileStat | null> {
    const p = this.norm(path);
    if (this.dirs.has(p)) return { sizeBytes: 0, isDirectory: true, mtimeMs: 0 };
    const f = this.files.get(p);
    return f ? { sizeBytes: f.length, isDirectory: false, mtimeMs: 0 } : null;
  }
  async syncDir(path: string): Promise<void> {
    const p = this.norm(path);
    for (const [k, f] of this.files) if (posix.dirname(k) === p) this.durableNames.set(k, f);
    for (const k of [...this.durableNames.keys()]) {
      if (posix.dirname(k) === p && !this.files.has(k)) this.durableNames.delete(k);
    }
  }
  async rmrf(path: string): Promise<void> {
    const p = this.norm(path);
    for (const k of [...this.files.keys()]) if (k === p || k.startsWith(`${p}/`)) this.files.delete(k);
    for (const k of [...this.dirs]) if (k === p || k.startsWith(`${p}/`)) this.dirs.delete(k);
  }
  async freeBytes(): Promise<number> {
    return this.capacityBytes === Infinity ? Number.MAX_SAFE_INTEGER : Math.max(0, this.capacityBytes - this.used());
  }

  /**
   * Simulates power loss: each file keeps only its synced bytes, and only names made durable by
   * a directory sync survive. Files created but never named durably vanish.
   */
  crash(): void {
    const survivors = new Map<string, SimFile>();
    for (const [name, f] of this.durableNames) {
      survivors.set(name, { data: Buffer.from(f.syncedData), length: f.syncedLength, syncedData: Buffer.from(f.syncedData), syncedLength: f.syncedLength });
    }
    this.files = survivors;
    this.durableNames = new Map(survivors);
    this.dirs = new Set(this.durableDirs);
  }
}

function syncFile(f: SimFile): void {
  f.syncedData = Buffer.from(f.data.subarray(0, f.length));
  f.syncedLength = f.length;
}

function errno(code: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${path}`), { code });
}

/** An in-memory network: listeners keyed by host:port, connections as paired byte pipes. */
export class SimNetwork implements Network {
  private listeners = new Map<string, (conn: Connection) => void>();
  private nextPort = 40000;
  /** Pairs of hosts that cannot reach each other ("a|b"). */
  private partitions = new Set<string>();

  constructor(private readonly time: SimTime, private readonly latencyMs = 1) {}

  partition(a: string, b: string): void { this.partitions.add(`${a}|${b}`).add(`${b}|${a}`); }
  heal(): void { this.partitions.clear(); }

  async listen(host: string, port: number, onConnection: (conn: Connection) => void): Promise<Listener> {
    const actual = port === 0 ? this.nextPort++ : port;
    const key = `${host}:${actual}`;
    if (this.listeners.has(key)) throw errno('EADDRINUSE', key);
    this.listeners.set(key, onConnection);
    return { address: host, port: actual, close: async () => { this.listeners.delete(key); } };
  }

  async connect(host: string, port: number, options: { localAddress?: string } = {}): Promise<Connection> {
    const local = options.localAddress ?? '127.0.0.1';
    const accept = this.listeners.get(`${host}:${port}`);
    if (!accept || this.partitions.has(`${local}|${host}`)) throw errno('ECONNREFUSED', `${host}:${port}`);
    const a = new SimConnection(this.time, this.latencyMs, local, this.nextPort++, host, port);
    const b = new SimConnection(this.time, this.latencyMs, host, port, local, a.localPort);
    a.peer = b;
    b.peer = a;
    accept(b);
    return a;
  }
}

class SimConnection implements Connection {
  peer: SimConnection | null = null;
  private dataFns: ((c: Buffer) => void)[] = [];
  private closeFns: ((e: boolean) => void)[] = [];
  private paused = false;
  private held: Buffer[] = [];
  private closed = false;

  constructor(private readonly time: SimTime, private readonly latencyMs: number,
              readonly localAddress: string, readonly localPort: number,
              readonly remoteAddress: string, readonly remotePort: number) {}

  write(data: Buffer): boolean {
    if (this.closed || !this.peer) return false;
    const copy = Buffer.from(data);
    const peer = this.peer;
    this.time.after(this.latencyMs, () => peer.deliver(copy));
    return true;
  }
  writev(data: Buffer[]): boolean { return this.write(Buffer.concat(data)); }
  private deliver(chunk: Buffer): void {
    if (this.closed) return;
    if (this.paused) { this.held.push(chunk); return; }
    for (const fn of this.dataFns) fn(chunk);
  }
  pause(): void { this.paused = true; }
  resume(): void {
    this.paused = false;
    const held = this.held;
    this.held = [];
    for (const c of held) this.deliver(c);
  }
  end(): void { this.destroy(); }
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fn of this.closeFns) fn(false);
    const peer = this.peer;
    if (peer && !peer.closed) this.time.after(this.latencyMs, () => peer.destroy());
  }
  onData(fn: (chunk: Buffer) => void): void { this.dataFns.push(fn); }
  onDrain(): void { /* writes never block in the simulation */ }
  onClose(fn: (hadError: boolean) => void): void { this.closeFns.push(fn); }
  onError(): void { /* simulated sockets do not error */ }
}

/** One simulated node's Env over a shared SimTime and SimNetwork. */
export function simEnv(opts: { seed: number; time: SimTime; net: SimNetwork; fs?: SimFileSystem }): Env & { fs: FileSystem } {
  return { clock: opts.time, scheduler: opts.time, random: new SeededRandom(opts.seed), fs: opts.fs ?? new SimFileSystem(), net: opts.net };
}
