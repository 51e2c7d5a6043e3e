// Big-endian byte reader and writer for wire and disk formats.
//
// ByteReader reads from one Buffer and throws TruncatedInput when a read would pass the end, so
// decoders can be written straight-line and a caller catches one error type for short input.
// ByteWriter grows its buffer geometrically up to `maxBytes` and never beyond.

import { assert } from './assert.js';

export class TruncatedInput extends Error {
  override name = 'TruncatedInput';
}

export class ByteReader {
  offset: number;
  constructor(readonly buf: Buffer, offset = 0, readonly end = buf.length) {
    assert(end <= buf.length, 'reader end past buffer');
    this.offset = offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number): void {
    if (this.offset + n > this.end) {
      throw new TruncatedInput(`need ${n} bytes at offset ${this.offset}, have ${this.end - this.offset}`);
    }
  }

  u8(): number { this.need(1); return this.buf[this.offset++]!; }
  i8(): number { this.need(1); const v = this.buf.readInt8(this.offset); this.offset += 1; return v; }
  u16(): number { this.need(2); const v = this.buf.readUInt16BE(this.offset); this.offset += 2; return v; }
  i16(): number { this.need(2); const v = this.buf.readInt16BE(this.offset); this.offset += 2; return v; }
  i32(): number { this.need(4); const v = this.buf.readInt32BE(this.offset); this.offset += 4; return v; }
  u32(): number { this.need(4); const v = this.buf.readUInt32BE(this.offset); this.offset += 4; return v; }
  i64(): bigint { this.need(8); const v = this.buf.readBigInt64BE(this.offset); this.offset += 8; return v; }
  f32(): number { this.need(4); const v = this.buf.readFloatBE(this.offset); this.offset += 4; return v; }
  f64(): number { this.need(8); const v = this.buf.readDoubleBE(this.offset); this.offset += 8; return v; }

  /** A view (not a copy) of the next n bytes. */
  bytes(n: number): Buffer {
    assert(n >= 0, 'negative length');
    this.need(n);
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  utf8(n: number): string {
    this.need(n);
    const v = this.buf.toString('utf8', this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  skip(n: number): void { this.need(n); this.offset += n; }
}

export class ByteWriter {
  private buf: Buffer;
  length = 0;

  constructor(initialBytes = 256, readonly maxBytes = 256 * 1024 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  private ensure(n: number): void {
    const want = this.length + n;
    if (want <= this.buf.length) return;
    if (want > this.maxBytes) throw new RangeError(`ByteWriter over its limit of ${this.maxBytes} bytes`);
    let size = this.buf.length * 2;
    while (size < want) size *= 2;
    const next = Buffer.allocUnsafe(Math.min(size, this.maxBytes));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  u8(v: number): this { this.ensure(1); this.buf[this.length++] = v; return this; }
  i8(v: number): this { this.ensure(1); this.buf.writeInt8(v, this.length); this.length += 1; return this; }
  u16(v: number): this { this.ensure(2); this.buf.writeUInt16BE(v, this.length); this.length += 2; return this; }
  i16(v: number): this { this.ensure(2); this.buf.writeInt16BE(v, this.length); this.length += 2; return this; }
  i32(v: number): this { this.ensure(4); this.buf.writeInt32BE(v, this.length); this.length += 4; return this; }
  u32(v: number): this { this.ensure(4); this.buf.writeUInt32BE(v, this.length); this.length += 4; return this; }
  i64(v: bigint): this { this.ensure(8); this.buf.writeBigInt64BE(v, this.length); this.length += 8; return this; }
  f32(v: number): this { this.ensure(4); this.buf.writeFloatBE(v, this.length); this.length += 4; return this; }
  f64(v: number): this { this.ensure(8); this.buf.writeDoubleBE(v, this.length); this.length += 8; return this; }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  utf8(s: string): this {
    const n = Buffer.byteLength(s, 'utf8');
    this.ensure(n);
    this.buf.write(s, this.length, n, 'utf8');
    this.length += n;
    return this;
  }

  /** Reserves n bytes to be filled later (e.g. a length prefix); returns their offset. */
  reserve(n: number): number {
    this.ensure(n);
    const at = this.length;
    this.length += n;
    return at;
  }

  patchI32(at: number, v: number): void {
    assert(at + 4 <= this.length, 'patch past end');
    this.buf.writeInt32BE(v, at);
  }

  /** A view of the bytes written so far; valid until the next write. */
  view(): Buffer { return this.buf.subarray(0, this.length); }

  /** A copy of the bytes written so far. */
  toBuffer(): Buffer { return Buffer.from(this.buf.subarray(0, this.length)); }

  reset(): void { this.length = 0; }
}
