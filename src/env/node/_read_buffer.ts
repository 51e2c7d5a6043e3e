// Accepted sockets that read into one reused buffer instead of a fresh ArrayBuffer per read.
//
// By default Node hands every read to JavaScript as a new Buffer: a malloc, a BackingStore, an
// ArrayBuffer and a Readable push per system call. When requests arrive one at a time (a paced
// client, many independent clients) that is paid per request; with the `onread` option of
// net.Socket, libuv reads into a buffer we supply and calls us back directly. Node offers
// `onread` only to sockets it constructs from options, so an accepted connection (created paused,
// `pauseOnConnect`) has its handle moved into a new Socket built with `onread`. That step uses two
// long-standing fields of Node's net.Socket, `_handle` and `_server`; when they are not what this
// expects, the accepted socket is used as it is, in the ordinary stream mode.
//
// The buffer is shared by every socket of the process: a read fills it and its callback copies
// the bytes out before returning (the event loop runs one callback at a time), so the chunk a
// consumer gets is its own and may be kept (decoded requests hold views into it).

import * as net from 'node:net';

/** Bytes one read system call may return; Node's own stream reads use the same size. */
export const READ_BUFFER_BYTES = 64 * 1024;

let shared: Buffer | null = null;
function sharedReadBuffer(): Buffer {
  shared ??= Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
  return shared;
}

/** How an accepted socket delivers its bytes. */
export type ReadMode = 'reused-buffer' | 'stream';

/**
 * Bytes an adopted socket keeps reading after pause() before it stops reading from the kernel,
 * as Node's stream mode does up to its high-water mark: a peer that closes while its connection
 * is paused is still noticed (its EOF is read) unless this much is already waiting.
 */
export const PAUSED_READ_AHEAD_BYTES = 16 * 1024;

export interface AdoptedSocket {
  socket: net.Socket;
  /** Sets where chunks go and starts reading (the socket reads nothing before). */
  onData(fn: (chunk: Buffer) => void): void;
  /** Stops delivering chunks; reading goes on up to PAUSED_READ_AHEAD_BYTES, held for resume(). */
  pause(): void;
  /** Delivers what was held, then reads on (unless a delivery paused it again). */
  resume(): void;
}

interface HandleWithUserBuffer { useUserBuffer?: unknown }
interface SocketInternals { _handle?: HandleWithUserBuffer | null; _server?: net.Server | null; server?: net.Server | null }

/**
 * Wraps a socket accepted by `server` (created with `pauseOnConnect: true`) for reading: in
 * 'reused-buffer' mode its handle moves into a Socket that reads into the shared buffer; in
 * 'stream' mode, or when Node's internals are not as expected, the socket itself delivers 'data'
 * events. Either way nothing is read until onData.
 */
export function adoptAccepted(server: net.Server, accepted: net.Socket, mode: ReadMode): AdoptedSocket {
  const inner = accepted as unknown as SocketInternals;
  const handle = inner._handle;
  if (mode === 'stream' || !handle || typeof handle.useUserBuffer !== 'function' || inner._server !== server) {
    return streamMode(accepted);
  }
  const reader = new HeldReader();
  const onRead = (bytes: number, buf: Buffer): void => {
    const chunk = Buffer.allocUnsafe(bytes);
    buf.copy(chunk, 0, 0, bytes);
    reader.arrived(chunk);
  };
  // The accepted Socket gives up its handle. It was counted in server._connections; the new
  // Socket, given the same _server, decrements that when it closes, so server.close() still waits
  // for it.
  inner._handle = null;
  const options = { handle, pauseOnCreate: true, onread: { buffer: sharedReadBuffer(), callback: onRead } };
  const socket = new net.Socket(options as net.SocketConstructorOpts);
  const adopted = socket as unknown as SocketInternals;
  adopted._server = server;
  adopted.server = server;
  reader.socket = socket;
  return reader;
}

/** Delivery of an onread socket's chunks, with pause() holding a bounded read-ahead. */
class HeldReader implements AdoptedSocket {
  socket!: net.Socket;
  private deliver: (chunk: Buffer) => void = () => {};
  private paused = false;
  private readonly held: Buffer[] = [];
  private heldBytes = 0;
  private draining = false;

  onData(fn: (chunk: Buffer) => void): void {
    this.deliver = fn;
    this.socket.resume();
  }

  arrived(chunk: Buffer): void {
    if (!this.paused) {
      this.deliver(chunk);
      return;
    }
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.heldBytes >= PAUSED_READ_AHEAD_BYTES) this.socket.pause();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    // As in Node's stream mode, chunks resume on a later tick, never inside the caller.
    if (!this.draining) {
      this.draining = true;
      process.nextTick(() => this.drain());
    }
  }

  private drain(): void {
    this.draining = false;
    while (this.held.length > 0 && !this.paused) {
      const chunk = this.held.shift()!;
      this.heldBytes -= chunk.length;
      this.deliver(chunk);
    }
    if (!this.paused && !this.socket.destroyed) this.socket.resume();
  }
}

function streamMode(socket: net.Socket): AdoptedSocket {
  return {
    socket,
    onData(fn) {
      socket.on('data', fn);
      socket.resume();
    },
    pause: () => socket.pause(),
    resume: () => socket.resume(),
  };
}
