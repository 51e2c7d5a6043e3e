// Incremental decoder for the bytes a client sends on one connection.
//
// push() appends chunks as they arrive (any split, any coalescing); next() returns the next
// complete envelope, a ProtocolError to answer, or null when more bytes are needed. Pulling
// lets the transport stop decoding while a connection is at its in-flight limit.
//
// Two modes: plain envelopes (v4, and v5 before STARTUP is answered), and v5 segments
// (useSegments(), called when the READY or AUTHENTICATE reply is queued). Errors are
// `fatal` when the byte stream cannot be resynchronized (CRC mismatch, negative length,
// response direction bit); after a fatal error next() returns null forever. An envelope over
// maxEnvelopeBytes is skipped and answered with a non-fatal error naming its stream.
// next() throws nothing: every problem comes back as an 'error' item. pull(view) is next() for
// the transport's hot path: an envelope comes back as the caller's EnvelopeView filled in place
// (in plain mode, its body left inside the received chunk: no header object, item or body view).

import { ProtocolError } from '../util/errors.js';
import { assert } from '../util/assert.js';
import {
  DEFAULT_MAX_ENVELOPE_BYTES, ENVELOPE_HEADER_BYTES, SPEC_MAX_ENVELOPE_BYTES, decodeEnvelopeHeader, headerBytesFor,
  readEnvelopeHeaderInto, EnvelopeView, VERSION_MASK, type EnvelopeHeader,
} from './envelope.js';
import {
  SEGMENT_TRAILER_BYTES, checkSegmentPayload, decodeSegmentHeader, segmentHeaderBytes, SEGMENT_PAYLOAD_MAX_BYTES,
} from './segment.js';
import { lz4DecompressBlock } from './compression.js';

export type Inbound =
  | { kind: 'envelope'; header: EnvelopeHeader; body: Buffer }
  | { kind: 'error'; streamId: number; version: number; error: ProtocolError; fatal: boolean };

export type InboundError = Extract<Inbound, { kind: 'error' }>;

export interface DecoderLimits {
  /** Largest envelope body accepted (native_transport_max_frame_size); default 16 MiB. */
  maxEnvelopeBytes: number;
  /** Which direction bit the envelopes must carry: a server decodes requests, a client responses. */
  expect: 'requests' | 'responses';
}

export const DEFAULT_DECODER_LIMITS: DecoderLimits = { maxEnvelopeBytes: DEFAULT_MAX_ENVELOPE_BYTES, expect: 'requests' };

/** A FIFO of byte chunks that copies only when a read spans chunks. */
export class ChunkQueue {
  private chunks: Buffer[] = [];
  private head = 0; // offset into chunks[0]
  length = 0;
  /** Bytes skipped or taken since creation. */
  consumed = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** The first n bytes (n <= length) as one buffer, without consuming them. */
  peek(n: number): Buffer {
    assert(n <= this.length, 'peek past the buffered bytes');
    const first = this.chunks[0];
    if (first && first.length - this.head >= n) return first.subarray(this.head, this.head + n);
    const out = Buffer.allocUnsafe(n);
    let copied = 0;
    for (let i = 0; copied < n; i++) {
      const c = this.chunks[i]!;
      const from = i === 0 ? this.head : 0;
      const take = Math.min(c.length - from, n - copied);
      c.copy(out, copied, from, from + take);
      copied += take;
    }
    return out;
  }

  /** The byte at index i (i < length), without joining chunks. */
  byteAt(i: number): number {
    assert(i < this.length, 'byteAt past the buffered bytes');
    let at = this.head + i;
    for (const c of this.chunks) {
      if (at < c.length) return c[at]!;
      at -= c.length;
    }
    throw new Error('unreachable: length covers the chunks');
  }

  /** decode(buf, offset) over the first n bytes (n <= length): in place when one chunk holds them. */
  decodeFirst<T>(n: number, decode: (buf: Buffer, offset: number) => T): T {
    const first = this.chunks[0];
    if (first && first.length - this.head >= n) return decode(first, this.head);
    return decode(this.peek(n), 0);
  }

  /** Reads a header of n bytes (n <= length) into `into`: in place when one chunk holds it. */
  readHeader(n: number, into: EnvelopeHeader): void {
    const first = this.chunks[0];
    if (first && first.length - this.head >= n) readEnvelopeHeaderInto(first, this.head, into);
    else readEnvelopeHeaderInto(this.peek(n), 0, into);
  }

  /** Consumes the first n bytes (n <= length) and points view at them: in place when one chunk holds them, else a copy. */
  takeInto(n: number, view: EnvelopeView): void {
    const first = this.chunks[0];
    if (first && first.length - this.head >= n) {
      view.buf = first;
      view.offset = this.head;
      view.end = this.head + n;
      this.skip(n);
      return;
    }
    view.setBody(this.take(n));
  }

  /** Drops the first n bytes (n <= length). */
  skip(n: number): void {
    assert(n <= this.length, 'skip past the buffered bytes');
    this.length -= n;
    this.consumed += n;
    let rest = n;
    while (rest > 0) {
      const c = this.chunks[0]!;
      const avail = c.length - this.head;
      if (avail > rest) { this.head += rest; return; }
      rest -= avail;
      this.chunks.shift();
      this.head = 0;
    }
  }

  take(n: number): Buffer {
    const b = this.peek(n);
    this.skip(n);
    return b;
  }
}

interface LargeEnvelope {
  parts: Buffer[];
  bytes: number;
  header: EnvelopeHeader | null;
  /** True once the envelope turned out too large: its remaining parts are dropped. */
  discarding: boolean;
}

export class InboundDecoder {
  private readonly input = new ChunkQueue();
  private readonly limits: DecoderLimits;
  private segments: { compressed: boolean } | null = null;
  private discardBytes = 0;
  private readonly ready: Inbound[] = [];
  /** next()'s envelope before it is copied out. */
  private readonly scratch = new EnvelopeView();
  private large: LargeEnvelope | null = null;
  private dead = false;
  /** Version of the last envelope seen, used to write errors the client can read. */
  private lastVersion = 0;

  constructor(limits: Partial<DecoderLimits> = {}) {
    this.limits = { ...DEFAULT_DECODER_LIMITS, ...limits };
    assert(this.limits.maxEnvelopeBytes > 0 && this.limits.maxEnvelopeBytes <= SPEC_MAX_ENVELOPE_BYTES, 'maxEnvelopeBytes within the spec limit');
  }

  get failed(): boolean { return this.dead; }
  get bufferedBytes(): number { return this.input.length; }
  /** Bytes of input consumed so far (the envelope just returned by next() ends at or before this offset). */
  get consumedBytes(): number { return this.input.consumed; }
  get inSegmentMode(): boolean { return this.segments !== null; }

  push(chunk: Buffer): void {
    if (!this.dead) this.input.push(chunk);
  }

  /** From now on, input is v5 segments (compressed with LZ4 when `compressed`). */
  useSegments(compressed: boolean): void {
    this.segments = { compressed };
  }

  next(): Inbound | null {
    if (this.dead) return null;
    try {
      if (this.segments) return this.nextFromSegments(this.segments.compressed);
      const got = this.nextEnvelope(this.scratch);
      if (got === null || got.kind === 'error') return got;
      return { kind: 'envelope', header: got.header(), body: got.body() };
    } catch (e) {
      return this.fatal(undecodable(e), 0);
    }
  }

  /**
   * Like next(), but an envelope comes back as `view`, filled in place (valid until the next
   * pull into it). Throws nothing.
   */
  pull(view: EnvelopeView): EnvelopeView | InboundError | null {
    if (this.dead) return null;
    try {
      if (!this.segments) return this.nextEnvelope(view);
      const item = this.nextFromSegments(this.segments.compressed);
      if (item === null || item.kind === 'error') return item;
      view.setHeader(item.header);
      view.setBody(item.body);
      return view;
    } catch (e) {
      return this.fatal(undecodable(e), 0);
    }
  }

  private fatal(error: ProtocolError, streamId: number): InboundError {
    this.dead = true;
    this.ready.length = 0; // same array: callers push the returned item into it
    return { kind: 'error', streamId, version: this.lastVersion, error, fatal: true };
  }

  // ---- plain envelopes -----------------------------------------------------------------------

  private nextEnvelope(view: EnvelopeView): EnvelopeView | InboundError | null {
    if (this.discardBytes > 0) {
      const n = Math.min(this.discardBytes, this.input.length);
      this.input.skip(n);
      this.discardBytes -= n;
      if (this.discardBytes > 0) return null;
    }
    if (this.input.length < 1) return null;
    const version = this.input.byteAt(0) & VERSION_MASK;
    const headerBytes = headerBytesFor(version);
    if (this.input.length < headerBytes) return null;
    this.input.readHeader(headerBytes, view);
    const problem = this.checkHeader(view);
    if (problem) return problem;
    if (view.bodyLength > this.limits.maxEnvelopeBytes) {
      this.input.skip(headerBytes);
      this.discardBytes = view.bodyLength;
      return this.tooLarge(view);
    }
    if (this.input.length < headerBytes + view.bodyLength) return null;
    this.input.skip(headerBytes);
    this.input.takeInto(view.bodyLength, view);
    return view;
  }

  /** Problems that make the stream unreadable from here on. */
  private checkHeader(header: EnvelopeHeader): InboundError | null {
    this.lastVersion = header.version;
    if (header.isResponse !== (this.limits.expect === 'responses')) {
      const got = header.isResponse ? 'response' : 'request';
      return this.fatal(new ProtocolError(`envelope has the ${got} direction bit (version byte 0x${(header.version | (header.isResponse ? 0x80 : 0)).toString(16)}); expected ${this.limits.expect}`), header.streamId);
    }
    if (header.bodyLength < 0) return this.fatal(new ProtocolError(`envelope body length ${header.bodyLength} is negative`), header.streamId);
    return null;
  }

  private tooLarge(header: EnvelopeHeader): InboundError {
    const error = new ProtocolError(`envelope body of ${header.bodyLength} bytes exceeds the limit of ${this.limits.maxEnvelopeBytes} bytes (native_transport_max_frame_size)`);
    return { kind: 'error', streamId: header.streamId, version: header.version, error, fatal: false };
  }

  // ---- v5 segments ---------------------------------------------------------------------------

  private nextFromSegments(compressed: boolean): Inbound | null {
    for (;;) {
      const queued = this.ready.shift();
      if (queued) return queued;
      const payload = this.readSegment(compressed);
      if (payload === null) return null;
      if (payload.selfContained) this.splitSelfContained(payload.bytes);
      else this.addLargePart(payload.bytes);
      if (this.dead) return this.ready.shift() ?? null;
    }
  }

  private readSegment(compressed: boolean): { bytes: Buffer; selfContained: boolean } | null {
    const headerBytes = segmentHeaderBytes(compressed);
    if (this.input.length < headerBytes) return null;
    const h = decodeSegmentHeader(this.input.peek(headerBytes), 0, compressed);
    const total = headerBytes + h.payloadBytes + SEGMENT_TRAILER_BYTES;
    if (this.input.length < total) return null;
    this.input.skip(headerBytes);
    const wire = this.input.take(h.payloadBytes);
    checkSegmentPayload(wire, this.input.take(SEGMENT_TRAILER_BYTES));
    if (!compressed || h.uncompressedBytes === 0) return { bytes: wire, selfContained: h.selfContained };
    if (h.uncompressedBytes > SEGMENT_PAYLOAD_MAX_BYTES) throw new ProtocolError(`segment inflates to ${h.uncompressedBytes} bytes, over ${SEGMENT_PAYLOAD_MAX_BYTES}`);
    return { bytes: lz4DecompressBlock(wire, h.uncompressedBytes), selfContained: h.selfContained };
  }

  private splitSelfContained(payload: Buffer): void {
    if (this.large) { this.ready.push(this.fatal(new ProtocolError('self-contained segment arrived in the middle of a multi-segment envelope'), 0)); return; }
    let at = 0;
    while (at < payload.length) {
      if (payload.length - at < ENVELOPE_HEADER_BYTES) {
        this.ready.push(this.fatal(new ProtocolError(`self-contained segment ends inside an envelope header (${payload.length - at} of ${ENVELOPE_HEADER_BYTES} bytes)`), 0));
        return;
      }
      const header = decodeEnvelopeHeader(payload, at);
      const problem = this.checkHeader(header);
      if (problem) { this.ready.push(problem); return; }
      const end = at + ENVELOPE_HEADER_BYTES + header.bodyLength;
      if (end > payload.length) {
        this.ready.push(this.fatal(new ProtocolError(`self-contained segment ends inside an envelope body (stream ${header.streamId}, body of ${header.bodyLength} bytes)`), header.streamId));
        return;
      }
      this.ready.push({ kind: 'envelope', header, body: payload.subarray(at + ENVELOPE_HEADER_BYTES, end) });
      at = end;
    }
  }

  private addLargePart(part: Buffer): void {
    const large = this.large ?? (this.large = { parts: [], bytes: 0, header: null, discarding: false });
    if (!large.discarding) large.parts.push(part);
    large.bytes += part.length;
    if (large.header === null && large.bytes >= ENVELOPE_HEADER_BYTES) {
      const header = decodeEnvelopeHeader(Buffer.concat(large.parts), 0);
      const problem = this.checkHeader(header);
      if (problem) { this.ready.push(problem); return; }
      large.header = header;
      if (header.bodyLength > this.limits.maxEnvelopeBytes) {
        large.discarding = true;
        large.parts = [];
        this.ready.push(this.tooLarge(header));
      }
    }
    if (large.header === null) return;
    const total = ENVELOPE_HEADER_BYTES + large.header.bodyLength;
    if (large.bytes < total) return;
    this.large = null;
    if (large.bytes > total) {
      this.ready.push(this.fatal(new ProtocolError(`multi-segment envelope carries ${large.bytes - total} bytes beyond its ${total}-byte envelope`), large.header.streamId));
      return;
    }
    if (large.discarding) return;
    const whole = Buffer.concat(large.parts, large.bytes);
    this.ready.push({ kind: 'envelope', header: large.header, body: whole.subarray(ENVELOPE_HEADER_BYTES) });
  }
}

function undecodable(e: unknown): ProtocolError {
  return e instanceof ProtocolError ? e : new ProtocolError(`undecodable input: ${(e as Error).message}`);
}
