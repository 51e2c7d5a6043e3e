// The envelope (v5 name; "frame" in v4): a 9-byte header, then the body.
//
// | offset | size | field   | notes                                                    |
// |--------|------|---------|----------------------------------------------------------|
// | 0      | 1    | version | bit 7 = direction (1 = response), bits 0-6 = version     |
// | 1      | 1    | flags   | FLAG_* below                                             |
// | 2      | 2    | stream  | signed big-endian; -1 for EVENT; requests use 0..32767  |
// | 4      | 1    | opcode  | OPCODE_* below                                           |
// | 5      | 4    | length  | body bytes, big-endian signed int, 0..maxEnvelopeBytes   |
//
// Versions 1 and 2 used an 8-byte header with a 1-byte stream; Cassia answers them only with
// a ProtocolError in their own header format so the client can read it and step up.

import { assert } from '../util/assert.js';
import type { MessageOpcode } from './messages.js';

export const ENVELOPE_HEADER_BYTES = 9; // version, flags, stream(2), opcode, length(4)
export const LEGACY_ENVELOPE_HEADER_BYTES = 8; // v1/v2: version, flags, stream(1), opcode, length(4)
export const RESPONSE_DIRECTION_BIT = 0x80;
export const VERSION_MASK = 0x7f;

export const FLAG_COMPRESSION = 0x01;
export const FLAG_TRACING = 0x02;
export const FLAG_CUSTOM_PAYLOAD = 0x04;
export const FLAG_WARNING = 0x08;
export const FLAG_USE_BETA = 0x10;

/** Protocol versions Cassia speaks fully. */
export const SUPPORTED_VERSIONS: readonly number[] = [4, 5];
export const MIN_SUPPORTED_VERSION = 4;
export const MAX_SUPPORTED_VERSION = 5;
/** Versions marked beta: a client must set FLAG_USE_BETA to use them (none at present). */
export const BETA_VERSIONS: readonly number[] = [];
/** Highest stream id a client may use (streams 0..32767); negatives are server-initiated. */
export const STREAM_ID_MAX = 32767;
export const EVENT_STREAM_ID = -1;

/** Default limit on one envelope's body, like Cassandra's native_transport_max_frame_size (16 MiB). */
export const DEFAULT_MAX_ENVELOPE_BYTES = 16 * 1024 * 1024;
/** Absolute spec limit on an envelope body (256 MiB). */
export const SPEC_MAX_ENVELOPE_BYTES = 256 * 1024 * 1024;

assert(SUPPORTED_VERSIONS.includes(MIN_SUPPORTED_VERSION) && SUPPORTED_VERSIONS.includes(MAX_SUPPORTED_VERSION), 'version bounds');
assert(DEFAULT_MAX_ENVELOPE_BYTES <= SPEC_MAX_ENVELOPE_BYTES, 'default envelope limit within the spec limit');

export const OPCODE: Record<MessageOpcode, number> = {
  ERROR: 0x00,
  STARTUP: 0x01,
  READY: 0x02,
  AUTHENTICATE: 0x03,
  OPTIONS: 0x05,
  SUPPORTED: 0x06,
  QUERY: 0x07,
  RESULT: 0x08,
  PREPARE: 0x09,
  EXECUTE: 0x0a,
  REGISTER: 0x0b,
  EVENT: 0x0c,
  BATCH: 0x0d,
  AUTH_CHALLENGE: 0x0e,
  AUTH_RESPONSE: 0x0f,
  AUTH_SUCCESS: 0x10,
};
const OPCODE_NAMES = new Map<number, MessageOpcode>(Object.entries(OPCODE).map(([k, v]) => [v, k as MessageOpcode]));

/** The opcode's name, or undefined for an opcode the protocol does not define. */
export function opcodeName(code: number): MessageOpcode | undefined {
  return OPCODE_NAMES.get(code);
}

export interface EnvelopeHeader {
  /** Protocol version without the direction bit. */
  version: number;
  /** True when the direction bit says response. */
  isResponse: boolean;
  flags: number;
  streamId: number;
  /** Raw opcode byte (may be undefined in the protocol; see opcodeName). */
  opcode: number;
  bodyLength: number;
}

export interface Envelope {
  header: EnvelopeHeader;
  body: Buffer;
}

export function headerBytesFor(version: number): number {
  return version >= 3 ? ENVELOPE_HEADER_BYTES : LEGACY_ENVELOPE_HEADER_BYTES;
}

/** Decodes a header from buf at offset (caller ensures headerBytesFor(version) bytes are there). */
export function decodeEnvelopeHeader(buf: Buffer, offset: number): EnvelopeHeader {
  const first = buf[offset]!;
  const version = first & VERSION_MASK;
  const legacy = version < 3;
  assert(buf.length - offset >= headerBytesFor(version), 'header bytes present');
  return {
    version,
    isResponse: (first & RESPONSE_DIRECTION_BIT) !== 0,
    flags: buf[offset + 1]!,
    streamId: legacy ? buf.readInt8(offset + 2) : buf.readInt16BE(offset + 2),
    opcode: buf[offset + (legacy ? 3 : 4)]!,
    bodyLength: buf.readInt32BE(offset + (legacy ? 4 : 5)),
  };
}

/** Reads a header from buf at offset into `into` (no allocation; caller ensures the bytes are there). */
export function readEnvelopeHeaderInto(buf: Buffer, offset: number, into: EnvelopeHeader): void {
  const first = buf[offset]!;
  const version = first & VERSION_MASK;
  const legacy = version < 3;
  assert(buf.length - offset >= headerBytesFor(version), 'header bytes present');
  into.version = version;
  into.isResponse = (first & RESPONSE_DIRECTION_BIT) !== 0;
  into.flags = buf[offset + 1]!;
  into.streamId = legacy ? buf.readInt8(offset + 2) : buf.readInt16BE(offset + 2);
  into.opcode = buf[offset + (legacy ? 3 : 4)]!;
  into.bodyLength = buf.readInt32BE(offset + (legacy ? 4 : 5));
}

const NO_BYTES = Buffer.alloc(0);

/**
 * One envelope's header fields and where its body lies: `buf[offset, end)`. InboundDecoder.pull()
 * fills one in place, so the transport's hot path builds no header, item or body view per
 * envelope. Valid until the next pull() into it: copyFrom() into another view to keep it. The
 * body bytes themselves are never reused (they are a received chunk, or a copy).
 */
export class EnvelopeView implements EnvelopeHeader {
  readonly kind = 'view' as const;
  version = 0;
  isResponse = false;
  flags = 0;
  streamId = 0;
  opcode = 0;
  bodyLength = 0;
  buf: Buffer = NO_BYTES;
  offset = 0;
  end = 0;

  /** The body as a Buffer view (allocates one; the hot path decodes from buf/offset/end instead). */
  body(): Buffer {
    return this.buf.subarray(this.offset, this.end);
  }

  /** Points this view at `body` (a whole buffer), keeping the header fields. */
  setBody(body: Buffer): void {
    this.buf = body;
    this.offset = 0;
    this.end = body.length;
  }

  setHeader(h: EnvelopeHeader): void {
    this.version = h.version;
    this.isResponse = h.isResponse;
    this.flags = h.flags;
    this.streamId = h.streamId;
    this.opcode = h.opcode;
    this.bodyLength = h.bodyLength;
  }

  copyFrom(v: EnvelopeView): void {
    this.setHeader(v);
    this.buf = v.buf;
    this.offset = v.offset;
    this.end = v.end;
  }

  /** The header fields as a plain EnvelopeHeader object. */
  header(): EnvelopeHeader {
    return { version: this.version, isResponse: this.isResponse, flags: this.flags, streamId: this.streamId, opcode: this.opcode, bodyLength: this.bodyLength };
  }
}

/** Encodes a header into a fresh buffer. */
export function encodeEnvelopeHeader(h: EnvelopeHeader): Buffer {
  const out = Buffer.allocUnsafe(headerBytesFor(h.version));
  writeEnvelopeHeaderAt(out, 0, h);
  return out;
}

/** Writes a header at `offset` of `out` (headerBytesFor(h.version) bytes). */
export function writeEnvelopeHeaderAt(out: Buffer, offset: number, h: EnvelopeHeader): void {
  out[offset] = (h.version & VERSION_MASK) | (h.isResponse ? RESPONSE_DIRECTION_BIT : 0);
  out[offset + 1] = h.flags;
  if (h.version < 3) {
    out.writeInt8(Math.max(-128, Math.min(127, h.streamId)), offset + 2);
    out[offset + 3] = h.opcode;
    out.writeInt32BE(h.bodyLength, offset + 4);
  } else {
    out.writeInt16BE(h.streamId, offset + 2);
    out[offset + 4] = h.opcode;
    out.writeInt32BE(h.bodyLength, offset + 5);
  }
}

/** Header and body as one buffer. */
export function encodeEnvelope(h: Omit<EnvelopeHeader, 'bodyLength'>, body: Buffer): Buffer {
  const header = encodeEnvelopeHeader({ ...h, bodyLength: body.length });
  return Buffer.concat([header, body], header.length + body.length);
}

/** The text Cassandra uses, which drivers look for to step down ("Invalid or unsupported protocol version"). */
export function unsupportedVersionMessage(version: number): string {
  const list = SUPPORTED_VERSIONS.map((v) => `${v}/v${v}${BETA_VERSIONS.includes(v) ? '-beta' : ''}`).join(', ');
  return `Invalid or unsupported protocol version (${version}); supported versions are (${list})`;
}

/**
 * The version to write an "unsupported version" error in: a client that is too old gets its own
 * version (so it can parse the reply), a client that is too new gets our highest version.
 */
export function versionForVersionError(requested: number): number {
  return requested < MIN_SUPPORTED_VERSION ? Math.max(1, requested) : MAX_SUPPORTED_VERSION;
}
