// UUIDs: text <-> bytes, version 1 (time-based) generation for timeuuid/now(), version 4 for
// uuid(), and the timeuuid helpers minTimeuuid, maxTimeuuid and unixTimestampOf.
//
// A v1 timestamp counts 100 ns intervals since 1582-10-15 (the Gregorian reform). Cassandra's
// minTimeuuid/maxTimeuuid fill the low 8 bytes with the smallest/largest value in TimeUUIDType's
// signed-byte order (0x8080808080808080 and 0x7f7f7f7f7f7f7f7f).

import { assert } from '../util/assert.js';

/** The part of env's Clock this file needs (schema may not import env; env's Clock fits). */
export interface MsClock { nowMs(): number }
/** The part of env's Random this file needs. */
export interface RandomBytes { bytes(n: number): Buffer }

export const UUID_BYTES = 16;
/** 100 ns intervals between 1582-10-15 and 1970-01-01. */
export const GREGORIAN_OFFSET_100NS = 0x01b21dd213814000n;
const TICKS_PER_MS = 10_000n;

const UUID_TEXT = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** 16 bytes of canonical uuid text (any case), or null. */
export function parseUuid(text: string): Buffer | null {
  if (!UUID_TEXT.test(text)) return null;
  return Buffer.from(text.replace(/-/g, ''), 'hex');
}

/** Lower-case 8-4-4-4-12 text. */
export function formatUuid(bytes: Buffer): string {
  assert(bytes.length === UUID_BYTES, 'uuid must be 16 bytes');
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function uuidVersion(bytes: Buffer): number {
  return bytes[6]! >> 4;
}

/** The 60-bit v1 timestamp (100 ns since 1582-10-15). */
export function timeuuidTicks(bytes: Buffer): bigint {
  const timeLow = BigInt(bytes.readUInt32BE(0));
  const timeMid = BigInt(bytes.readUInt16BE(4));
  const timeHi = BigInt(bytes.readUInt16BE(6) & 0x0fff);
  return (timeHi << 48n) | (timeMid << 32n) | timeLow;
}

/** Milliseconds since the Unix epoch of a v1 uuid (unixTimestampOf / toUnixTimestamp). */
export function unixTimestampOf(bytes: Buffer): number {
  const ticks = timeuuidTicks(bytes) - GREGORIAN_OFFSET_100NS;
  // Floor division, so times before 1970 map to the millisecond that contains them.
  const q = ticks / TICKS_PER_MS;
  return Number(ticks < 0n && q * TICKS_PER_MS !== ticks ? q - 1n : q);
}

function writeTimeFields(out: Buffer, ticks: bigint): void {
  assert(ticks >= 0n && ticks < 1n << 60n, 'v1 timestamp out of 60 bits');
  out.writeUInt32BE(Number(ticks & 0xffffffffn), 0);
  out.writeUInt16BE(Number((ticks >> 32n) & 0xffffn), 4);
  out.writeUInt16BE(Number((ticks >> 48n) & 0x0fffn) | 0x1000, 6);
}

/**
 * A version 1 uuid from 100 ns ticks since 1582-10-15 and its 8 low bytes (clock sequence with
 * the IETF variant, and node), e.g. list cell paths. Ticks must fit in 60 bits (asserted).
 */
export function timeuuidOfTicks(ticks: bigint, low: Buffer): Buffer {
  assert(low.length === UUID_BYTES - 8, 'timeuuid low part must be 8 bytes');
  const out = Buffer.allocUnsafe(UUID_BYTES);
  writeTimeFields(out, ticks);
  low.copy(out, 8);
  return out;
}

function ticksOfMs(ms: number): bigint {
  return BigInt(ms) * TICKS_PER_MS + GREGORIAN_OFFSET_100NS;
}

/** The smallest timeuuid at millisecond `ms` (for range queries on timeuuid columns). */
export function minTimeuuid(ms: number): Buffer {
  const out = Buffer.alloc(UUID_BYTES, 0x80);
  writeTimeFields(out, ticksOfMs(ms));
  return out;
}

/** The largest timeuuid at millisecond `ms`. */
export function maxTimeuuid(ms: number): Buffer {
  const out = Buffer.alloc(UUID_BYTES, 0x7f);
  writeTimeFields(out, ticksOfMs(ms) + TICKS_PER_MS - 1n);
  return out;
}

/** A random (version 4, IETF variant) uuid. */
export function randomUuid(random: RandomBytes): Buffer {
  const out = Buffer.from(random.bytes(UUID_BYTES));
  assert(out.length === UUID_BYTES, 'Random.bytes returned the wrong length');
  out[6] = (out[6]! & 0x0f) | 0x40;
  out[8] = (out[8]! & 0x3f) | 0x80;
  return out;
}

/**
 * Makes version 1 uuids. Timestamps are strictly increasing within one generator: when the clock
 * has not advanced (or went back), the last timestamp plus one 100 ns tick is used, so two calls
 * never return the same uuid. Node and clock sequence are random per generator (one per process).
 */
export class TimeuuidGenerator {
  private lastTicks = -1n;
  private readonly lowBytes: Buffer;

  constructor(private readonly clock: MsClock, random: RandomBytes) {
    this.lowBytes = Buffer.from(random.bytes(8));
    assert(this.lowBytes.length === 8, 'Random.bytes returned the wrong length');
    this.lowBytes[0] = (this.lowBytes[0]! & 0x3f) | 0x80; // IETF variant in the clock sequence
    this.lowBytes[2] = this.lowBytes[2]! | 0x01; // multicast bit: a random node id, not a MAC
  }

  /** A new timeuuid at the current time (now(), currentTimeUUID()). */
  next(): Buffer {
    return this.nextAt(this.clock.nowMs());
  }

  /** A new timeuuid whose time is `ms`, or just after the last one made when that is not later. */
  nextAt(ms: number): Buffer {
    let ticks = ticksOfMs(ms);
    if (ticks <= this.lastTicks) ticks = this.lastTicks + 1n;
    this.lastTicks = ticks;
    const out = Buffer.alloc(UUID_BYTES);
    writeTimeFields(out, ticks);
    this.lowBytes.copy(out, 8);
    return out;
  }
}
