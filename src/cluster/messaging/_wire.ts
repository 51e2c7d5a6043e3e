// Primitive encodings shared by the payload codecs: length-prefixed strings and bytes, optional
// values, counted lists, each list bounded by LIST_ITEMS_MAX.

import { ByteReader, ByteWriter } from '../../util/bytes.js';

/** Longest counted list in any message (rows, cells, digests, ...). */
export const LIST_ITEMS_MAX = 16 * 1024 * 1024;
/** Longest string (u16 length prefix is too short for JSON payloads, so strings use u32). */
export const STRING_BYTES_MAX = 64 * 1024 * 1024;

/** A body that does not parse: the frame is skipped (and a request answered with a failure). */
export class MalformedMessage extends Error {
  override name = 'MalformedMessage';
}

export function writeString(w: ByteWriter, s: string): void {
  w.u32(Buffer.byteLength(s, 'utf8'));
  w.utf8(s);
}

export function readString(r: ByteReader): string {
  const n = r.u32();
  if (n > STRING_BYTES_MAX) throw new MalformedMessage(`string of ${n} bytes exceeds ${STRING_BYTES_MAX}`);
  return r.utf8(n);
}

export function writeBytes(w: ByteWriter, b: Buffer): void {
  w.u32(b.length);
  w.bytes(b);
}

/** A copy, so the value outlives the frame buffer. */
export function readBytes(r: ByteReader): Buffer {
  return Buffer.from(r.bytes(r.u32()));
}

export function writeList<T>(w: ByteWriter, items: readonly T[], each: (w: ByteWriter, item: T) => void): void {
  w.u32(items.length);
  for (const item of items) each(w, item);
}

export function readList<T>(r: ByteReader, each: (r: ByteReader) => T): T[] {
  const n = r.u32();
  if (n > LIST_ITEMS_MAX) throw new MalformedMessage(`list of ${n} items exceeds ${LIST_ITEMS_MAX}`);
  // Each item takes at least one byte: a count beyond the remaining bytes is a lie.
  if (n > r.remaining) throw new MalformedMessage(`list of ${n} items in ${r.remaining} bytes`);
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(each(r));
  return out;
}

export function writeOptional<T>(w: ByteWriter, value: T | undefined, each: (w: ByteWriter, v: T) => void): void {
  if (value === undefined) { w.u8(0); return; }
  w.u8(1);
  each(w, value);
}

export function readOptional<T>(r: ByteReader, each: (r: ByteReader) => T): T | undefined {
  const flag = r.u8();
  if (flag === 0) return undefined;
  if (flag !== 1) throw new MalformedMessage(`optional flag ${flag}`);
  return each(r);
}

export function readBool(r: ByteReader): boolean {
  const v = r.u8();
  if (v > 1) throw new MalformedMessage(`boolean byte ${v}`);
  return v === 1;
}

/** Integers up to 2^53 (timestamps in µs) as i64. */
export function writeSafeInt(w: ByteWriter, n: number): void {
  w.i64(BigInt(Math.trunc(n)));
}

export function readSafeInt(r: ByteReader): number {
  const v = r.i64();
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new MalformedMessage(`integer ${v} beyond 2^53`);
  return Number(v);
}

/** JSON documents (schema log entries, DDL statements) as length-prefixed UTF-8. */
export function writeJson(w: ByteWriter, value: unknown): void {
  writeString(w, JSON.stringify(value));
}

export function readJson(r: ByteReader): unknown {
  const text = readString(r);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new MalformedMessage(`bad JSON payload: ${(err as Error).message}`);
  }
}
