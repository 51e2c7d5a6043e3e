// UUIDs the schema needs: time-based (version 1) ids for new tables, and name-based (version 3,
// MD5) ids for system tables and for the schema version digest. Formatting is the canonical
// 8-4-4-4-12 lower-case hex.

import { createHash } from 'node:crypto';
import type { Clock, Random } from '../../env/mod.js';
import { assert } from '../../util/assert.js';

const UUID_BYTES = 16;
/** 100-ns intervals between the Gregorian epoch (1582-10-15) and the Unix epoch. */
const GREGORIAN_OFFSET_100NS = 0x01b21dd213814000n;
const TICKS_PER_MS = 10_000n;

export function formatUuid(bytes: Buffer): string {
  assert(bytes.length === UUID_BYTES, 'a uuid has 16 bytes');
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function parseUuid(text: string): Buffer {
  const hex = text.replace(/-/g, '');
  assert(/^[0-9a-fA-F]{32}$/.test(hex), `not a uuid: ${text}`);
  return Buffer.from(hex, 'hex');
}

/** A version 3 (MD5, name-based) uuid of the given bytes, as Java's UUID.nameUUIDFromBytes. */
export function nameUuid(data: Buffer | string): string {
  const md5 = createHash('md5').update(data).digest();
  md5[6] = (md5[6]! & 0x0f) | 0x30;
  md5[8] = (md5[8]! & 0x3f) | 0x80;
  return formatUuid(md5);
}

/** Generates strictly increasing version 1 uuids from a Clock, with a random node and clock sequence. */
export class TimeUuidGenerator {
  private lastTicks = 0n;
  private readonly node: Buffer;
  private readonly clockSeq: number;

  constructor(private readonly clock: Clock, random: Random) {
    this.node = random.bytes(6);
    this.node[0] = this.node[0]! | 0x01; // multicast bit: not a real MAC address
    this.clockSeq = random.int(0x4000);
  }

  next(): string {
    let ticks = BigInt(Math.floor(this.clock.nowMs())) * TICKS_PER_MS + GREGORIAN_OFFSET_100NS;
    if (ticks <= this.lastTicks) ticks = this.lastTicks + 1n;
    this.lastTicks = ticks;
    const b = Buffer.alloc(UUID_BYTES);
    const timeLow = Number(ticks & 0xffffffffn);
    const timeMid = Number((ticks >> 32n) & 0xffffn);
    const timeHi = Number((ticks >> 48n) & 0x0fffn) | 0x1000;
    b.writeUInt32BE(timeLow, 0);
    b.writeUInt16BE(timeMid, 4);
    b.writeUInt16BE(timeHi, 6);
    b.writeUInt16BE((this.clockSeq & 0x3fff) | 0x8000, 8);
    this.node.copy(b, 10);
    return formatUuid(b);
  }
}
