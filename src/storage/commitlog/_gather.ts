// The commit log's entry encoder: a ByteSink that writes small fields into reused slabs and keeps
// large values by reference, so a batch leaves as a list of pieces (slab views and the values'
// own buffers) in one writev per segment. It also checksums payloads as they are written.

import { crc32 } from 'node:zlib';
import { assert } from '../../util/assert.js';
import type { ByteSink } from '../_codec.js';

/** Values at least this long are written by reference (a piece of their own), never copied. */
export const VALUE_BY_REFERENCE_BYTES_MIN = 2048;
/** Slab size: small fields of many entries; one slab is reused once every batch using it is written. */
export const SLAB_BYTES = 256 * 1024;
/** Free slabs kept for reuse; more are left to the garbage collector. */
const FREE_SLABS_MAX = 4;
/** Longest a UTF-8 encoding of one UTF-16 code unit can be. */
const UTF8_BYTES_PER_CODE_UNIT_MAX = 3;

assert(VALUE_BY_REFERENCE_BYTES_MIN < SLAB_BYTES, 'a copied value must fit in one slab');

function viewOf(b: Buffer): DataView {
  return new DataView(b.buffer, b.byteOffset, b.length);
}

interface RetiredSlab { slab: Buffer; seq: number }

/**
 * Writes go to the current slab at `pos`; `cut()` turns the slab bytes written since the last cut
 * into a piece of the current target list. A slab left for a new one is retired with the number
 * of the batch being filled, and becomes reusable once `release(seq)` says that batch (and every
 * earlier one) is written.
 */
export class GatherWriter implements ByteSink {
  /** Bytes written through this writer so far (the ByteSink contract: encoders measure with it). */
  length = 0;
  private slab: Buffer;
  /** A DataView of `slab` (the fast entry encoder writes through it). */
  private view: DataView;
  private pos = 0;
  private cutAt = 0;
  private pieces: Uint8Array[] = [];
  private seq = 0;
  private readonly retired: RetiredSlab[] = [];
  private readonly free: Buffer[] = [];
  /** Slab offset from which the open payload's checksum still has to be taken; -1 when none is open. */
  private crcFrom = -1;
  private crc = 0;

  constructor() {
    this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    this.view = viewOf(this.slab);
  }

  /** The list that the next pieces go to (after cutting what the previous list is owed). */
  target(pieces: Uint8Array[]): void {
    this.cut();
    this.pieces = pieces;
  }

  /** The batch that the slab in use now will hold bytes of. */
  setSeq(seq: number): void {
    assert(seq >= this.seq, 'batch numbers only grow');
    this.seq = seq;
  }

  /** Appends the slab bytes written since the last cut to the target list as one piece. */
  cut(): void {
    if (this.pos === this.cutAt) return;
    if (this.crcFrom >= 0) {
      this.crc = crc32(this.slab.subarray(this.crcFrom, this.pos), this.crc);
      this.crcFrom = this.pos;
    }
    this.pieces.push(this.slab.subarray(this.cutAt, this.pos));
    this.cutAt = this.pos;
  }

  /** Every batch up to `seq` is written: their retired slabs may be reused. */
  release(seq: number): void {
    while (this.retired.length > 0 && this.retired[0]!.seq <= seq) {
      const { slab } = this.retired.shift()!;
      if (this.free.length < FREE_SLABS_MAX) this.free.push(slab);
    }
  }

  /** After a failure: forget every slab (writes that may still hold views keep them alive). */
  reset(): void {
    this.retired.length = 0;
    this.free.length = 0;
    this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    this.view = viewOf(this.slab);
    this.pos = 0;
    this.cutAt = 0;
    this.crcFrom = -1;
    this.pieces = [];
  }

  /** Makes `n` contiguous bytes available at `pos` (n ≤ SLAB_BYTES). */
  ensure(n: number): void {
    if (this.pos + n <= this.slab.length) return;
    assert(n <= SLAB_BYTES, `commit log field of ${n} bytes is larger than a slab`);
    this.cut();
    this.retired.push({ slab: this.slab, seq: this.seq });
    this.slab = this.free.pop() ?? Buffer.allocUnsafeSlow(SLAB_BYTES);
    this.view = viewOf(this.slab);
    this.pos = 0;
    this.cutAt = 0;
    if (this.crcFrom >= 0) this.crcFrom = 0;
  }

  /** Starts checksumming: every byte written until `endPayload` is covered. */
  beginPayload(): void {
    assert(this.crcFrom < 0, 'payload already open');
    this.crcFrom = this.pos;
    this.crc = 0;
  }

  /** Ends the payload started by `beginPayload`; returns its crc32. */
  endPayload(): number {
    assert(this.crcFrom >= 0, 'no payload open');
    if (this.pos > this.crcFrom) this.crc = crc32(this.slab.subarray(this.crcFrom, this.pos), this.crc);
    this.crcFrom = -1;
    return this.crc;
  }

  /**
   * Makes the next `n` bytes contiguous and returns their offset in `current` (and `currentView`);
   * the caller writes them there in place and then calls `advance(n)`. Not inside a payload.
   */
  place(n: number): number {
    assert(this.crcFrom < 0, 'place() inside a payload');
    this.ensure(n);
    return this.pos;
  }

  /** The `n` bytes at the offset `place(n)` returned are written. */
  advance(n: number): void {
    assert(this.pos + n <= this.slab.length, 'advance past the slab');
    this.pos += n;
    this.length += n;
  }

  /** The slab in use (valid until the next ensure/place). */
  get current(): Buffer { return this.slab; }
  get currentView(): DataView { return this.view; }

  u8(v: number): this {
    this.ensure(1);
    this.slab[this.pos++] = v;
    this.length += 1;
    return this;
  }
  u16(v: number): this {
    this.ensure(2);
    this.pos = this.slab.writeUInt16BE(v, this.pos);
    this.length += 2;
    return this;
  }
  u32(v: number): this {
    this.ensure(4);
    this.pos = this.slab.writeUInt32BE(v, this.pos);
    this.length += 4;
    return this;
  }
  i64(v: bigint): this {
    this.ensure(8);
    this.pos = this.slab.writeBigInt64BE(v, this.pos);
    this.length += 8;
    return this;
  }
  f64(v: number): this {
    this.ensure(8);
    this.pos = this.slab.writeDoubleBE(v, this.pos);
    this.length += 8;
    return this;
  }
  bytes(b: Uint8Array): this {
    if (b.length >= VALUE_BY_REFERENCE_BYTES_MIN) {
      this.cut();
      this.pieces.push(b);
      if (this.crcFrom >= 0) this.crc = crc32(b, this.crc);
    } else {
      this.ensure(b.length);
      this.slab.set(b, this.pos);
      this.pos += b.length;
    }
    this.length += b.length;
    return this;
  }
  utf8(s: string): this {
    this.ensure(s.length * UTF8_BYTES_PER_CODE_UNIT_MAX);
    const n = this.slab.write(s, this.pos, 'utf8');
    this.pos += n;
    this.length += n;
    return this;
  }
}
