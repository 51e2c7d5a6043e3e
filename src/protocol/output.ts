// EnvelopeOutput: a connection's outgoing envelopes, encoded back to back straight into a slab.
//
// begin() reserves an envelope header, the encoders write the body through the ByteSink methods,
// finish() fills the header in. take() hands everything written since the last take() to the
// caller as one view, to pass to the socket; those bytes are never written again (later envelopes
// go after them in the same slab, or into a fresh slab once it is full), so no copy is needed
// and no buffer is reused while the socket may still hold it. A slab is dropped by release()
// (an idle connection holds none). Marks are offsets relative to the first byte not yet taken,
// so they stay valid when a growing envelope moves the pending bytes into a bigger slab.

import { assert } from '../util/assert.js';
import { ENVELOPE_HEADER_BYTES, RESPONSE_DIRECTION_BIT, headerBytesFor, writeEnvelopeHeaderAt } from './envelope.js';
import type { ByteSink } from './sink.js';

/** Copies up to this many bytes by a loop: TypedArray#set costs more for short values (ids, ints, short strings). */
const SMALL_COPY_BYTES = 32;

/** Largest fresh slab; an envelope that does not fit gets a slab of the next power of two. */
export const OUTPUT_SLAB_BYTES = 64 * 1024;
/**
 * Smallest fresh slab. A fresh slab is sized at twice the last take() (a power of two, between
 * this and the largest): a connection answering a few small responses per turn gets a slice of
 * Node's shared buffer pool (allocUnsafe below 4 KiB) instead of a 64 KiB ArrayBuffer per turn.
 */
export const OUTPUT_SLAB_MIN_BYTES = 1024;

export interface OutgoingHeader {
  version: number;
  flags: number;
  streamId: number;
  opcode: number;
}

export class EnvelopeOutput implements ByteSink {
  private slab: Buffer | null = null;
  /** First byte not yet taken. */
  private start = 0;
  /** Write position. */
  private at = 0;
  /** Size of the next fresh slab (adapts to the last take()). */
  private freshBytes: number;

  constructor(private readonly slabBytes = OUTPUT_SLAB_BYTES) {
    assert(slabBytes >= 64, 'slab holds at least a few envelopes');
    this.freshBytes = slabBytes;
  }

  /** Bytes written and not yet taken. */
  get pendingBytes(): number { return this.at - this.start; }

  /** Starts an envelope of `version` (reserves its header); returns its mark. */
  begin(version: number): number {
    const mark = this.at - this.start;
    const n = headerBytesFor(version);
    this.ensure(n);
    this.at += n;
    return mark;
  }

  /** Fills in the header of the envelope begun at `mark`; its body is everything written since. */
  finish(mark: number, h: OutgoingHeader): void {
    const at = this.start + mark;
    const bodyLength = this.at - at - headerBytesFor(h.version);
    assert(bodyLength >= 0, 'envelope body after its header');
    const s = this.slab!;
    if (h.version < 3) {
      writeEnvelopeHeaderAt(s, at, { version: h.version, isResponse: true, flags: h.flags, streamId: h.streamId, opcode: h.opcode, bodyLength });
      return;
    }
    // The 9-byte header written in place (envelope.ts's table), no header object per response.
    s[at] = h.version | RESPONSE_DIRECTION_BIT;
    s[at + 1] = h.flags;
    s.writeInt16BE(h.streamId, at + 2);
    s[at + 4] = h.opcode;
    s.writeInt32BE(bodyLength, at + ENVELOPE_HEADER_BYTES - 4);
  }

  /** The body written so far for the envelope begun at `mark` (a view, valid until the next write). */
  bodyOf(mark: number, version: number): Buffer {
    return this.slab!.subarray(this.start + mark + headerBytesFor(version), this.at);
  }

  /** Drops what was written since `mark` (a failed encoding, or a body about to be replaced). */
  rewind(mark: number): void {
    assert(mark >= 0 && this.start + mark <= this.at, 'rewind within the pending bytes');
    this.at = this.start + mark;
  }

  /** Everything written since the last take(), as one view; it is never written again. */
  take(): Buffer {
    assert(this.slab !== null && this.at > this.start, 'take with bytes pending');
    const out = this.slab.subarray(this.start, this.at);
    this.start = this.at;
    let fresh = Math.min(OUTPUT_SLAB_MIN_BYTES, this.slabBytes);
    while (fresh < 2 * out.length && fresh < this.slabBytes) fresh *= 2;
    this.freshBytes = fresh;
    return out;
  }

  /** Forgets the slab (nothing pending): an idle connection keeps no output memory. */
  release(): void {
    assert(this.at === this.start, 'release with nothing pending');
    this.slab = null;
    this.start = 0;
    this.at = 0;
  }

  private ensure(n: number): void {
    if (this.slab !== null && this.at + n <= this.slab.length) return;
    const pending = this.at - this.start;
    let size = this.freshBytes;
    while (size < pending + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    if (this.slab !== null && pending > 0) this.slab.copy(next, 0, this.start, this.at);
    this.slab = next;
    this.start = 0;
    this.at = pending;
  }

  u8(v: number): this { this.ensure(1); this.slab![this.at++] = v; return this; }

  // u16 and i32 store bytes directly (Buffer#writeInt32BE's argument checks cost more than the
  // store); a value out of range is still a RangeError, as with ByteWriter.
  u16(v: number): this {
    if (!(v >= 0 && v <= 0xffff)) throw new RangeError(`u16 out of range: ${v}`);
    this.ensure(2);
    const s = this.slab!;
    s[this.at] = v >>> 8;
    s[this.at + 1] = v;
    this.at += 2;
    return this;
  }

  i32(v: number): this {
    if (!(v >= -0x80000000 && v <= 0x7fffffff)) throw new RangeError(`i32 out of range: ${v}`);
    this.ensure(4);
    const s = this.slab!;
    const at = this.at;
    s[at] = v >>> 24;
    s[at + 1] = v >>> 16;
    s[at + 2] = v >>> 8;
    s[at + 3] = v;
    this.at = at + 4;
    return this;
  }

  i64(v: bigint): this { this.ensure(8); this.slab!.writeBigInt64BE(v, this.at); this.at += 8; return this; }

  bytes(b: Uint8Array): this {
    const n = b.length;
    this.ensure(n);
    const s = this.slab!;
    if (n <= SMALL_COPY_BYTES) {
      for (let i = 0, at = this.at; i < n; i++) s[at + i] = b[i]!;
    } else {
      s.set(b, this.at);
    }
    this.at += n;
    return this;
  }

  utf8(s: string): this {
    // One pass for ASCII-sized strings: write into the slab if the worst case (3 bytes per UTF-16 unit) fits.
    const worst = s.length * 3;
    if (this.slab === null || this.at + worst > this.slab.length) this.ensure(Buffer.byteLength(s, 'utf8'));
    this.at += this.slab!.write(s, this.at, 'utf8');
    return this;
  }
}
