// Protocol v5 framing: after the STARTUP exchange, every byte travels inside segments
// (native_protocol_v5.spec section 2; the spec calls them frames). All integers little-endian.
//
// Uncompressed segment:
// | size | field                                                                    |
// |------|--------------------------------------------------------------------------|
// | 3    | header: bits 0-16 payload length, bit 17 self-contained, 18-23 padding   |
// | 3    | CRC24 of the 3 header bytes                                              |
// | n    | payload (n <= SEGMENT_PAYLOAD_MAX_BYTES)                                 |
// | 4    | CRC32 of the payload, seeded with the bytes fa 2d 55 ca                  |
//
// LZ4-compressed segment:
// | size | field                                                                    |
// |------|--------------------------------------------------------------------------|
// | 5    | header: bits 0-16 compressed length, 17-33 uncompressed length,          |
// |      | bit 34 self-contained, 35-39 padding; uncompressed length 0 = stored raw |
// | 3    | CRC24 of the 5 header bytes                                              |
// | n    | payload as sent (raw LZ4 block, or the plain bytes when stored raw)      |
// | 4    | CRC32 of the payload as sent                                             |
//
// A self-contained segment holds one or more whole envelopes. An envelope larger than one
// payload is split across consecutive non-self-contained segments holding nothing else.

import { crc24, crc32 } from '../util/crc.js';
import { ProtocolError } from '../util/errors.js';
import { assert } from '../util/assert.js';
import { lz4CompressBlock } from './compression.js';

export const SEGMENT_PAYLOAD_MAX_BYTES = 128 * 1024 - 1; // 17-bit length field
export const UNCOMPRESSED_HEADER_DATA_BYTES = 3;
export const COMPRESSED_HEADER_DATA_BYTES = 5;
export const HEADER_CRC_BYTES = 3;
export const UNCOMPRESSED_HEADER_BYTES = UNCOMPRESSED_HEADER_DATA_BYTES + HEADER_CRC_BYTES; // 6
export const COMPRESSED_HEADER_BYTES = COMPRESSED_HEADER_DATA_BYTES + HEADER_CRC_BYTES; // 8
export const SEGMENT_TRAILER_BYTES = 4; // CRC32 of the payload
const LENGTH_BITS = 17;
const LENGTH_MASK = (1 << LENGTH_BITS) - 1;
const TWO_POW_17 = 2 ** 17;
const TWO_POW_34 = 2 ** 34;

/** CRC32 of the seed bytes fa 2d 55 ca: payload checksums continue from it. */
export const SEGMENT_CRC32_SEED = crc32(Uint8Array.from([0xfa, 0x2d, 0x55, 0xca]));

assert(SEGMENT_PAYLOAD_MAX_BYTES === LENGTH_MASK, 'payload limit is the 17-bit length field');

export interface SegmentHeader {
  /** Bytes of payload on the wire. */
  payloadBytes: number;
  /** Inflated size for a compressed payload; 0 when the payload is stored raw (or uncompressed framing). */
  uncompressedBytes: number;
  selfContained: boolean;
}

export function segmentHeaderBytes(compressed: boolean): number {
  return compressed ? COMPRESSED_HEADER_BYTES : UNCOMPRESSED_HEADER_BYTES;
}

/** Decodes and checks a segment header at buf[offset]; throws ProtocolError on a CRC mismatch. */
export function decodeSegmentHeader(buf: Buffer, offset: number, compressed: boolean): SegmentHeader {
  const dataBytes = compressed ? COMPRESSED_HEADER_DATA_BYTES : UNCOMPRESSED_HEADER_DATA_BYTES;
  const value = buf.readUIntLE(offset, dataBytes);
  const sentCrc = buf.readUIntLE(offset + dataBytes, HEADER_CRC_BYTES);
  const crc = crc24(value, dataBytes);
  if (crc !== sentCrc) {
    throw new ProtocolError(`segment header CRC24 mismatch: header ${value.toString(16)} carries ${sentCrc.toString(16)}, computed ${crc.toString(16)}`);
  }
  const payloadBytes = value & LENGTH_MASK;
  if (!compressed) return { payloadBytes, uncompressedBytes: 0, selfContained: (value >>> LENGTH_BITS & 1) === 1 };
  const uncompressedBytes = Math.floor(value / TWO_POW_17) & LENGTH_MASK;
  const selfContained = Math.floor(value / TWO_POW_34) % 2 === 1;
  return { payloadBytes, uncompressedBytes, selfContained };
}

/** Checks the payload CRC32 trailer; throws ProtocolError on mismatch. */
export function checkSegmentPayload(payload: Buffer, trailer: Buffer): void {
  const sent = trailer.readUInt32LE(0);
  const crc = crc32(payload, SEGMENT_CRC32_SEED);
  if (sent !== crc) throw new ProtocolError(`segment payload CRC32 mismatch: carries ${sent.toString(16)}, computed ${crc.toString(16)}`);
}

/** Segment encoder for one connection (owns the LZ4 hash table when compressing). */
export class SegmentEncoder {
  private readonly table: Int32Array | null;

  constructor(readonly compressed: boolean) {
    this.table = compressed ? new Int32Array(1 << 16) : null;
  }

  /** One segment as [header, payload, trailer] buffers (ready for writev). */
  encodeSegment(payload: Buffer, selfContained: boolean): Buffer[] {
    assert(payload.length <= SEGMENT_PAYLOAD_MAX_BYTES, 'segment payload over the limit');
    let wire = payload;
    let header: Buffer;
    if (this.table) {
      const block = payload.length > 0 ? lz4CompressBlock(payload, this.table) : payload;
      const useBlock = block.length < payload.length;
      wire = useBlock ? block : payload;
      const value = wire.length + (useBlock ? payload.length : 0) * TWO_POW_17 + (selfContained ? TWO_POW_34 : 0);
      header = Buffer.allocUnsafe(COMPRESSED_HEADER_BYTES);
      header.writeUIntLE(value, 0, COMPRESSED_HEADER_DATA_BYTES);
      header.writeUIntLE(crc24(value, COMPRESSED_HEADER_DATA_BYTES), COMPRESSED_HEADER_DATA_BYTES, HEADER_CRC_BYTES);
    } else {
      const value = payload.length | (selfContained ? 1 << LENGTH_BITS : 0);
      header = Buffer.allocUnsafe(UNCOMPRESSED_HEADER_BYTES);
      header.writeUIntLE(value, 0, UNCOMPRESSED_HEADER_DATA_BYTES);
      header.writeUIntLE(crc24(value, UNCOMPRESSED_HEADER_DATA_BYTES), UNCOMPRESSED_HEADER_DATA_BYTES, HEADER_CRC_BYTES);
    }
    const trailer = Buffer.allocUnsafe(SEGMENT_TRAILER_BYTES);
    trailer.writeUInt32LE(crc32(wire, SEGMENT_CRC32_SEED), 0);
    return [header, wire, trailer];
  }

  /**
   * Packs whole envelopes into segments: consecutive small envelopes share self-contained
   * segments; an envelope over SEGMENT_PAYLOAD_MAX_BYTES gets its own non-self-contained run.
   */
  encodeEnvelopes(envelopes: readonly Buffer[]): Buffer[] {
    const out: Buffer[] = [];
    let batch: Buffer[] = [];
    let batchBytes = 0;
    const flush = (): void => {
      if (batch.length === 0) return;
      const payload = batch.length === 1 ? batch[0]! : contiguousView(batch, batchBytes) ?? Buffer.concat(batch, batchBytes);
      out.push(...this.encodeSegment(payload, true));
      batch = [];
      batchBytes = 0;
    };
    for (const env of envelopes) {
      if (env.length > SEGMENT_PAYLOAD_MAX_BYTES) {
        flush();
        for (let at = 0; at < env.length; at += SEGMENT_PAYLOAD_MAX_BYTES) {
          out.push(...this.encodeSegment(env.subarray(at, at + SEGMENT_PAYLOAD_MAX_BYTES), false));
        }
        continue;
      }
      if (batchBytes + env.length > SEGMENT_PAYLOAD_MAX_BYTES) flush();
      batch.push(env);
      batchBytes += env.length;
    }
    flush();
    return out;
  }
}

/** One view over `parts` when they lie back to back in one ArrayBuffer (the transport's output slab); else null. */
function contiguousView(parts: readonly Buffer[], bytes: number): Buffer | null {
  const first = parts[0]!;
  let end = first.byteOffset + first.length;
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.buffer !== first.buffer || p.byteOffset !== end) return null;
    end += p.length;
  }
  return Buffer.from(first.buffer, first.byteOffset, bytes);
}
