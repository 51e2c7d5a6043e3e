// The internode frame: one message per frame, length-prefixed, with a CRC32 trailer over header
// and body. FrameDecoder reassembles frames from a byte stream split anywhere.
//
//   offset  size  field
//   0       4     body length in bytes (u32, at most FRAME_BODY_BYTES_MAX)
//   4       1     verb code (see messages.ts VERB_CODES)
//   5       1     flags (reserved, 0)
//   6       4     request id (u32; 0 for one-way messages)
//   10      4     timeout in ms the sender still allows (u32; 0 = none)
//   14      n     body (the verb's payload)
//   14+n    4     crc32 of bytes [0, 14+n)

import { assert } from '../../util/assert.js';
import { crc32 } from '../../util/crc.js';
import type { Connection } from '../../env/mod.js';

export const FRAME_HEADER_BYTES = 14; // length(4), verb(1), flags(1), id(4), timeout(4)
export const FRAME_TRAILER_BYTES = 4; // crc32
/** Largest body one frame may carry; bigger messages are refused at send time. */
export const FRAME_BODY_BYTES_MAX = 64 * 1024 * 1024;
/** Request ids wrap below this (u32). */
export const REQUEST_ID_MAX = 0xffff_ffff;

assert(FRAME_HEADER_BYTES === 4 + 1 + 1 + 4 + 4, 'frame header layout');

export interface FrameHeader {
  verbCode: number;
  requestId: number;
  timeoutMs: number;
}

export interface Frame extends FrameHeader {
  /** A view into the decoder's buffer; valid until the next push. Copy to keep it. */
  body: Buffer;
}

/** A frame that cannot be trusted: the connection carrying it must be closed. */
export class CorruptFrame extends Error {
  override name = 'CorruptFrame';
}

/** Header, body and trailer in one buffer (one write per frame keeps frames whole on the wire). */
export function encodeFrame(header: FrameHeader, body: Buffer): Buffer {
  assert(body.length <= FRAME_BODY_BYTES_MAX, `frame body of ${body.length} bytes exceeds ${FRAME_BODY_BYTES_MAX}`);
  assert(Number.isInteger(header.verbCode) && header.verbCode >= 0 && header.verbCode <= 0xff, 'verb code is a byte');
  assert(header.requestId >= 0 && header.requestId <= REQUEST_ID_MAX, 'request id is a u32');
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length + FRAME_TRAILER_BYTES);
  out.writeUInt32BE(body.length, 0);
  out.writeUInt8(header.verbCode, 4);
  out.writeUInt8(0, 5);
  out.writeUInt32BE(header.requestId, 6);
  out.writeUInt32BE(Math.min(0xffff_ffff, Math.max(0, Math.ceil(header.timeoutMs))), 10);
  body.copy(out, FRAME_HEADER_BYTES);
  const end = FRAME_HEADER_BYTES + body.length;
  out.writeUInt32BE(crc32(out, 0, 0, end) >>> 0, end);
  return out;
}

/**
 * Accumulates stream bytes and yields whole frames. Holds at most one partial frame (bounded by
 * FRAME_BODY_BYTES_MAX). Throws CorruptFrame on an oversized length, a nonzero flags byte or a
 * CRC mismatch; the decoder is unusable afterwards.
 */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  /** Bytes held for an incomplete frame. */
  get bufferedBytes(): number { return this.pending.length; }

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    let at = 0;
    for (;;) {
      const frame = this.frameAt(at);
      if (!frame) break;
      frames.push(frame.frame);
      at = frame.next;
    }
    this.pending = at === this.pending.length ? Buffer.alloc(0) : this.pending.subarray(at);
    return frames;
  }

  private frameAt(at: number): { frame: Frame; next: number } | null {
    const buf = this.pending;
    if (buf.length - at < FRAME_HEADER_BYTES) return null;
    const bodyLength = buf.readUInt32BE(at);
    if (bodyLength > FRAME_BODY_BYTES_MAX) throw new CorruptFrame(`frame body of ${bodyLength} bytes exceeds ${FRAME_BODY_BYTES_MAX}`);
    if (buf[at + 5] !== 0) throw new CorruptFrame(`frame flags ${buf[at + 5]} are not 0`);
    const end = at + FRAME_HEADER_BYTES + bodyLength;
    if (buf.length < end + FRAME_TRAILER_BYTES) return null;
    const expected = buf.readUInt32BE(end);
    const actual = crc32(buf, 0, at, end) >>> 0;
    if (expected !== actual) throw new CorruptFrame(`frame crc32 mismatch (expected ${expected}, computed ${actual})`);
    return {
      frame: {
        verbCode: buf[at + 4]!,
        requestId: buf.readUInt32BE(at + 6),
        timeoutMs: buf.readUInt32BE(at + 10),
        body: buf.subarray(at + FRAME_HEADER_BYTES, end),
      },
      next: end + FRAME_TRAILER_BYTES,
    };
  }
}

/**
 * Feeds a connection's bytes through a FrameDecoder, calling onFrame per frame. On a corrupt
 * frame it calls onCorrupt and destroys the connection (the stream cannot be resynchronized).
 */
export function readFrames(conn: Connection, onFrame: (frame: Frame) => void, onCorrupt: (err: CorruptFrame) => void): void {
  const decoder = new FrameDecoder();
  conn.onData((chunk) => {
    let frames: Frame[];
    try {
      frames = decoder.push(chunk);
    } catch (err) {
      if (!(err instanceof CorruptFrame)) throw err;
      onCorrupt(err);
      conn.destroy();
      return;
    }
    for (const frame of frames) onFrame(frame);
  });
}
