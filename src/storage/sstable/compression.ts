// Chunk compression for Data.db: each chunk of uncompressed data is stored as
// | method u8 (0 none, 1 lz4 block, 2 snappy, 3 deflate) | uncompressed length u32 | payload | crc32 u32 |
// The crc covers method, length and payload, so a damaged chunk is detected before decompression.

import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import lz4 from 'lz4js';
import snappy from 'snappyjs';
import { assert } from '../../util/assert.js';
import { CHUNK_HEADER_BYTES, CHUNK_TRAILER_BYTES } from './format.js';
import { lz4DecodePrefix, Lz4Corrupt } from './_lz4.js';

export type CompressionMethod = 'none' | 'lz4' | 'snappy' | 'deflate';
const METHOD_CODES: Record<CompressionMethod, number> = { none: 0, lz4: 1, snappy: 2, deflate: 3 };

export class CorruptSSTable extends Error {
  override name = 'CorruptSSTable';
}

/** The table's `compression` option → method and chunk size. */
export function compressionFromOptions(opts: Record<string, string>): { method: CompressionMethod; chunkBytes: number } {
  const chunkKb = Number(opts['chunk_length_in_kb'] ?? opts['chunk_length_kb'] ?? 16);
  const chunkBytes = Math.max(1, chunkKb) * 1024;
  const cls = (opts['class'] ?? opts['sstable_compression'] ?? 'LZ4Compressor').toLowerCase();
  if (opts['enabled'] === 'false' || cls === '') return { method: 'none', chunkBytes };
  if (cls.includes('snappy')) return { method: 'snappy', chunkBytes };
  if (cls.includes('deflate')) return { method: 'deflate', chunkBytes };
  return { method: 'lz4', chunkBytes };
}

export function compressChunk(method: CompressionMethod, raw: Buffer): Buffer {
  let payload: Buffer = raw;
  let code = 0;
  if (method === 'lz4') {
    const dst = Buffer.alloc(lz4.compressBound(raw.length));
    const n = lz4.compressBlock(raw, dst, 0, raw.length, new Uint32Array(1 << 16));
    if (n > 0 && n < raw.length) { payload = dst.subarray(0, n); code = 1; }
  } else if (method === 'snappy') {
    const c = Buffer.from(snappy.compress(raw));
    if (c.length < raw.length) { payload = c; code = 2; }
  } else if (method === 'deflate') {
    const c = deflateRawSync(raw);
    if (c.length < raw.length) { payload = c; code = 3; }
  }
  const out = Buffer.alloc(CHUNK_HEADER_BYTES + payload.length + CHUNK_TRAILER_BYTES);
  out[0] = code;
  out.writeUInt32BE(raw.length, 1);
  payload.copy(out, CHUNK_HEADER_BYTES);
  out.writeUInt32BE(crc32(out.subarray(0, CHUNK_HEADER_BYTES + payload.length)), CHUNK_HEADER_BYTES + payload.length);
  return out;
}

/** Stored chunks of consecutive raw bytes, back to back in one buffer (as they go into Data.db). */
export interface CompressedChunks {
  stored: Buffer;
  /** Stored length of each chunk, in order. */
  chunkSizes: number[];
}

/** Splits raw into chunks of chunkBytes (the last may be shorter) and stores each (compressChunk). */
export function compressChunks(method: CompressionMethod, raw: Buffer, chunkBytes: number): CompressedChunks {
  assert(chunkBytes > 0, 'chunk size positive');
  const parts: Buffer[] = [];
  const chunkSizes: number[] = [];
  for (let at = 0; at < raw.length; at += chunkBytes) {
    const c = compressChunk(method, raw.subarray(at, Math.min(raw.length, at + chunkBytes)));
    parts.push(c);
    chunkSizes.push(c.length);
  }
  return { stored: parts.length === 1 ? parts[0]! : Buffer.concat(parts), chunkSizes };
}

export function decompressChunk(stored: Buffer, where: string): Buffer {
  const { code, rawLength, payload } = checkedChunk(stored, where);
  let raw: Buffer;
  switch (code) {
    case 0: raw = payload; break;
    case 1: {
      raw = Buffer.allocUnsafe(rawLength);
      const n = decodeLz4(payload, raw, rawLength, where);
      assert(n === rawLength, `${where}: lz4 chunk decoded to ${n} bytes, expected ${rawLength}`);
      break;
    }
    case 2: raw = Buffer.from(snappy.uncompress(payload)); break;
    case 3: raw = inflateRawSync(payload); break;
    default: throw new CorruptSSTable(`${where}: unknown compression method ${code}`);
  }
  if (raw.length !== rawLength) throw new CorruptSSTable(`${where}: chunk length ${raw.length}, expected ${rawLength}`);
  return raw;
}

/**
 * Point reads: at least the first `needBytes` uncompressed bytes of a stored chunk (all of it for
 * methods other than lz4), in a buffer of its own that is as long as what was decoded. `stored`
 * and `scratch` may be reused by the caller afterwards; scratch must hold the chunk's length.
 */
export function decompressChunkPrefix(stored: Buffer, needBytes: number, where: string, scratch: Buffer): Buffer {
  const { code, rawLength, payload } = checkedChunk(stored, where);
  const want = Math.min(needBytes, rawLength);
  if (code === 0) return ownCopy(payload);
  if (code !== 1) return decompressChunk(stored, where);
  assert(scratch.length >= rawLength, `${where}: scratch of ${scratch.length} bytes for a ${rawLength}-byte chunk`);
  const n = decodeLz4(payload, scratch.subarray(0, rawLength), want, where);
  if (n < want) throw new CorruptSSTable(`${where}: lz4 chunk decoded to ${n} bytes, expected ${rawLength}`);
  return ownCopy(scratch.subarray(0, n));
}

/** A copy in a memory block of its own (never a slice of Node's shared pool), so caches can count its bytes. */
function ownCopy(b: Buffer): Buffer {
  const out = Buffer.allocUnsafeSlow(b.length);
  b.copy(out);
  return out;
}

/** Header fields and payload of a stored chunk whose checksum matches. */
function checkedChunk(stored: Buffer, where: string): { code: number; rawLength: number; payload: Buffer } {
  if (stored.length < CHUNK_HEADER_BYTES + CHUNK_TRAILER_BYTES) throw new CorruptSSTable(`${where}: chunk too short`);
  const end = stored.length - CHUNK_TRAILER_BYTES;
  if (stored.readUInt32BE(end) !== crc32(stored.subarray(0, end))) throw new CorruptSSTable(`${where}: chunk checksum mismatch`);
  return { code: stored[0]!, rawLength: stored.readUInt32BE(1), payload: stored.subarray(CHUNK_HEADER_BYTES, end) };
}

function decodeLz4(payload: Buffer, dst: Buffer, needBytes: number, where: string): number {
  try {
    return lz4DecodePrefix(payload, 0, payload.length, dst, needBytes);
  } catch (e) {
    if (e instanceof Lz4Corrupt) throw new CorruptSSTable(`${where}: ${e.message}`);
    throw e;
  }
}

export function methodCode(m: CompressionMethod): number {
  return METHOD_CODES[m];
}
