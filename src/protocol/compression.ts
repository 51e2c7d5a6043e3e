// Compression for the native protocol.
//
// v4 envelope bodies (flag 0x01), algorithm chosen by STARTUP COMPRESSION:
//   lz4    | 4 bytes big-endian uncompressed length | raw LZ4 block |
//   snappy | raw Snappy stream (its own varint length preamble)       |
// v5 segments: raw LZ4 block; the lengths travel in the segment header (segment.ts).
//
// The LZ4 block codec is implemented here (greedy hash-chain-free matcher). lz4js was tried and
// rejected: its compressor may start a match later than 12 bytes before the block end, which the
// reference decoder (used by the python driver) rejects. The decoder here checks every bound and
// throws ProtocolError on malformed input; it never reads or writes outside its buffers.

import snappy from 'snappyjs';
import { ProtocolError } from '../util/errors.js';
import { assert } from '../util/assert.js';

const LZ4_MIN_MATCH = 4;
const LZ4_LAST_LITERALS = 5; // the last 5 bytes of a block are always literals
const LZ4_MFLIMIT = 12; // a match must start at least 12 bytes before the block end
const LZ4_MAX_OFFSET = 65535;
const LZ4_HASH_LOG = 16;
const LZ4_RUN_MASK = 15;
const LZ4_ML_MASK = 15;
/** Bytes of the big-endian length prefix in front of a v4 lz4 body. */
export const V4_LZ4_LENGTH_PREFIX_BYTES = 4;

assert(LZ4_MFLIMIT > LZ4_LAST_LITERALS + LZ4_MIN_MATCH - 1, 'lz4 end-of-block margins');

/** Worst-case size of an LZ4 block for n input bytes. */
export function lz4CompressBound(n: number): number {
  return n + Math.floor(n / 255) + 16;
}

/** Compresses src into one raw LZ4 block. */
export function lz4CompressBlock(src: Uint8Array, table: Int32Array = new Int32Array(1 << LZ4_HASH_LOG)): Buffer {
  assert(table.length === 1 << LZ4_HASH_LOG, 'lz4 hash table size');
  const n = src.length;
  const out = Buffer.allocUnsafe(lz4CompressBound(n));
  let o = 0;
  let anchor = 0;
  if (n > LZ4_MFLIMIT) {
    table.fill(-1);
    const matchStartLimit = n - LZ4_MFLIMIT;
    const matchEndLimit = n - LZ4_LAST_LITERALS;
    let i = 0;
    while (i <= matchStartLimit) {
      const seq = read32(src, i);
      const h = Math.imul(seq, 2654435761) >>> (32 - LZ4_HASH_LOG);
      const ref = table[h]!;
      table[h] = i;
      if (ref < 0 || i - ref > LZ4_MAX_OFFSET || read32(src, ref) !== seq) {
        i += 1 + ((i - anchor) >> 6);
        continue;
      }
      let len = LZ4_MIN_MATCH;
      while (i + len < matchEndLimit && src[ref + len] === src[i + len]) len++;
      o = writeSequence(out, o, src, anchor, i, i - ref, len);
      i += len;
      anchor = i;
    }
  }
  o = writeLastLiterals(out, o, src, anchor);
  return out.subarray(0, o);
}

function read32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) | 0;
}

function writeLength(out: Buffer, o: number, extra: number): number {
  let rest = extra;
  while (rest >= 255) { out[o++] = 255; rest -= 255; }
  out[o++] = rest;
  return o;
}

function writeSequence(out: Buffer, o: number, src: Uint8Array, anchor: number, at: number, offset: number, matchLen: number): number {
  const lit = at - anchor;
  const ml = matchLen - LZ4_MIN_MATCH;
  out[o++] = (Math.min(lit, LZ4_RUN_MASK) << 4) | Math.min(ml, LZ4_ML_MASK);
  if (lit >= LZ4_RUN_MASK) o = writeLength(out, o, lit - LZ4_RUN_MASK);
  out.set(src.subarray(anchor, at), o);
  o += lit;
  out[o++] = offset & 0xff;
  out[o++] = offset >>> 8;
  if (ml >= LZ4_ML_MASK) o = writeLength(out, o, ml - LZ4_ML_MASK);
  return o;
}

function writeLastLiterals(out: Buffer, o: number, src: Uint8Array, anchor: number): number {
  const lit = src.length - anchor;
  out[o++] = Math.min(lit, LZ4_RUN_MASK) << 4;
  if (lit >= LZ4_RUN_MASK) o = writeLength(out, o, lit - LZ4_RUN_MASK);
  out.set(src.subarray(anchor), o);
  return o + lit;
}

/** Decompresses one raw LZ4 block that must inflate to exactly `uncompressedBytes`. */
export function lz4DecompressBlock(src: Uint8Array, uncompressedBytes: number): Buffer {
  const out = Buffer.allocUnsafe(uncompressedBytes);
  const bad = (why: string): never => { throw new ProtocolError(`invalid lz4 block: ${why}`); };
  let i = 0;
  let o = 0;
  for (;;) {
    if (i >= src.length) bad('ends before its last literals');
    const token = src[i++]!;
    let lit = token >> 4;
    if (lit === LZ4_RUN_MASK) {
      let b: number;
      do { if (i >= src.length) bad('literal length runs past the end'); b = src[i++]!; lit += b; } while (b === 255);
    }
    if (i + lit > src.length) bad('literals run past the input');
    if (o + lit > uncompressedBytes) bad(`inflates beyond the announced ${uncompressedBytes} bytes`);
    out.set(src.subarray(i, i + lit), o);
    i += lit;
    o += lit;
    if (i === src.length) break;
    if (i + 2 > src.length) bad('match offset runs past the input');
    const offset = src[i]! | (src[i + 1]! << 8);
    i += 2;
    if (offset === 0 || offset > o) bad(`match offset ${offset} points before the output start`);
    let ml = token & LZ4_ML_MASK;
    if (ml === LZ4_ML_MASK) {
      let b: number;
      do { if (i >= src.length) bad('match length runs past the end'); b = src[i++]!; ml += b; } while (b === 255);
    }
    ml += LZ4_MIN_MATCH;
    if (o + ml > uncompressedBytes) bad(`inflates beyond the announced ${uncompressedBytes} bytes`);
    if (offset >= ml) {
      out.copyWithin(o, o - offset, o - offset + ml);
      o += ml;
    } else {
      for (let k = 0; k < ml; k++, o++) out[o] = out[o - offset]!;
    }
  }
  if (o !== uncompressedBytes) bad(`inflated to ${o} bytes, announced ${uncompressedBytes}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// v4 envelope body compressors

export type CompressionName = 'lz4' | 'snappy';

export interface BodyCompressor {
  readonly name: CompressionName;
  compress(body: Buffer): Buffer;
  /** Throws ProtocolError when the input is malformed or inflates beyond maxBytes. */
  decompress(body: Buffer, maxBytes: number): Buffer;
  /**
   * The uncompressed length the body announces in its preamble (not verified; 0 when there is
   * no readable preamble). Cheap: lets the transport count a request's inflated size before it
   * decompresses it.
   */
  declaredLength(body: Buffer): number;
}

export class Lz4BodyCompressor implements BodyCompressor {
  readonly name = 'lz4';
  private readonly table = new Int32Array(1 << LZ4_HASH_LOG);

  compress(body: Buffer): Buffer {
    const block = lz4CompressBlock(body, this.table);
    const out = Buffer.allocUnsafe(V4_LZ4_LENGTH_PREFIX_BYTES + block.length);
    out.writeUInt32BE(body.length, 0);
    block.copy(out, V4_LZ4_LENGTH_PREFIX_BYTES);
    return out;
  }

  decompress(body: Buffer, maxBytes: number): Buffer {
    if (body.length < V4_LZ4_LENGTH_PREFIX_BYTES) throw new ProtocolError(`lz4 body of ${body.length} bytes has no length prefix`);
    const n = body.readUInt32BE(0);
    if (n > maxBytes) throw new ProtocolError(`lz4 body inflates to ${n} bytes, over the limit of ${maxBytes}`);
    return lz4DecompressBlock(body.subarray(V4_LZ4_LENGTH_PREFIX_BYTES), n);
  }

  declaredLength(body: Buffer): number {
    return body.length < V4_LZ4_LENGTH_PREFIX_BYTES ? 0 : body.readUInt32BE(0);
  }
}

export class SnappyBodyCompressor implements BodyCompressor {
  readonly name = 'snappy';

  compress(body: Buffer): Buffer {
    return Buffer.from(snappy.compress(body));
  }

  /**
   * Our own bounds-checked decoder: snappyjs's reads a 4-byte literal length as a negative
   * int32 and then walks backwards through its input (a 200-byte body held the loop for 17 s).
   */
  decompress(body: Buffer, maxBytes: number): Buffer {
    return snappyUncompress(body, maxBytes);
  }

  declaredLength(body: Buffer): number {
    return readSnappyPreamble(body);
  }
}

/** Bytes of a snappy preamble at most: a varint of a 32-bit length. */
const SNAPPY_PREAMBLE_BYTES_MAX = 5;
const SNAPPY_LITERAL = 0;
const SNAPPY_COPY_1 = 1;
const SNAPPY_COPY_2 = 2;
/** Literal tags 60..63 say the length follows in 1..4 little-endian bytes. */
const SNAPPY_LITERAL_INLINE_MAX = 60;

function snappyPreambleBytes(body: Buffer): number {
  for (let i = 0; i < SNAPPY_PREAMBLE_BYTES_MAX && i < body.length; i++) if ((body[i]! & 0x80) === 0) return i + 1;
  return 0;
}

/** Little-endian unsigned integer of `bytes` bytes at `at` (caller checked the bounds). */
function readLE(src: Buffer, at: number, bytes: number): number {
  let v = 0;
  for (let i = bytes - 1; i >= 0; i--) v = v * 256 + src[at + i]!;
  return v;
}

/** Raw snappy stream → bytes; every length and offset checked; throws ProtocolError. */
export function snappyUncompress(src: Buffer, maxBytes: number): Buffer {
  const fail = (why: string): never => { throw new ProtocolError(`invalid snappy body: ${why}`); };
  const pre = snappyPreambleBytes(src);
  if (pre === 0) fail('no length preamble');
  const n = readSnappyPreamble(src);
  if (n > maxBytes) fail(`inflates to ${n} bytes, over the limit of ${maxBytes}`);
  const out = Buffer.allocUnsafe(n);
  let pos = pre;
  let o = 0;
  while (pos < src.length) {
    const tag = src[pos++]!;
    const kind = tag & 3;
    let len: number;
    if (kind === SNAPPY_LITERAL) {
      len = (tag >>> 2) + 1;
      if (len > SNAPPY_LITERAL_INLINE_MAX) {
        const extra = len - SNAPPY_LITERAL_INLINE_MAX;
        if (pos + extra > src.length) fail('literal length cut short');
        len = readLE(src, pos, extra) + 1;
        pos += extra;
      }
      if (pos + len > src.length) fail(`literal of ${len} bytes past the input`);
      if (o + len > n) fail(`literal of ${len} bytes past the declared ${n} bytes`);
      src.copy(out, o, pos, pos + len);
      pos += len;
      o += len;
      continue;
    }
    let offset: number;
    if (kind === SNAPPY_COPY_1) {
      if (pos + 1 > src.length) fail('copy cut short');
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[pos]!;
      pos += 1;
    } else {
      const bytes = kind === SNAPPY_COPY_2 ? 2 : 4;
      if (pos + bytes > src.length) fail('copy cut short');
      len = (tag >>> 2) + 1;
      offset = readLE(src, pos, bytes);
      pos += bytes;
    }
    if (offset === 0 || offset > o) fail(`copy offset ${offset} at output byte ${o}`);
    if (o + len > n) fail(`copy of ${len} bytes past the declared ${n} bytes`);
    for (let i = 0; i < len; i++, o++) out[o] = out[o - offset]!;
  }
  if (o !== n) fail(`${o} bytes decoded, ${n} declared`);
  return out;
}

/** The little-endian base-128 varint in front of a snappy stream; 0 when unreadable. */
function readSnappyPreamble(body: Buffer): number {
  let n = 0;
  for (let i = 0; i < SNAPPY_PREAMBLE_BYTES_MAX && i < body.length; i++) {
    const b = body[i]!;
    n += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return n;
  }
  return 0;
}

export function bodyCompressor(name: CompressionName): BodyCompressor {
  return name === 'lz4' ? new Lz4BodyCompressor() : new SnappyBodyCompressor();
}

/** Compression algorithms a client may name in STARTUP, per protocol version. */
export function supportedCompressions(version: number): CompressionName[] {
  return version >= 5 ? ['lz4'] : ['lz4', 'snappy'];
}
