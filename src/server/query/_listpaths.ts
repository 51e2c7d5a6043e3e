// Cell paths for list elements: version 1 timeuuids. Appends use the current time and increase
// strictly; prepends use times mirrored before a reference point (2010-01-01, as Cassandra does),
// decreasing, so prepended elements sort before every appended one.

import type { Clock, Random } from '../../env/mod.js';
import { GREGORIAN_OFFSET_100NS, UUID_BYTES } from '../../schema/uuid.js';

const TICKS_PER_MS = 10_000n;
const PREPEND_REFERENCE_MS = 1_262_304_000_000n; // 2010-01-01T00:00:00Z

export class ListPathGenerator {
  private lastAppend = 0n;
  private lastPrepend: bigint | null = null;
  private readonly low: Buffer;

  constructor(private readonly clock: Clock, random: Random) {
    this.low = Buffer.from(random.bytes(8));
    this.low[0] = (this.low[0]! & 0x3f) | 0x80;
  }

  append(n: number): Buffer[] {
    const out: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      let ticks = BigInt(this.clock.nowMs()) * TICKS_PER_MS + GREGORIAN_OFFSET_100NS;
      if (ticks <= this.lastAppend) ticks = this.lastAppend + 1n;
      this.lastAppend = ticks;
      out.push(this.uuid(ticks));
    }
    return out;
  }

  /** n paths in increasing order, all before any path made before by prepend or append. */
  prepend(n: number): Buffer[] {
    const nowMs = BigInt(this.clock.nowMs());
    let start = (PREPEND_REFERENCE_MS - (nowMs - PREPEND_REFERENCE_MS)) * TICKS_PER_MS + GREGORIAN_OFFSET_100NS;
    if (this.lastPrepend !== null && start + BigInt(n) > this.lastPrepend) start = this.lastPrepend - BigInt(n);
    this.lastPrepend = start;
    const out: Buffer[] = [];
    for (let i = 0; i < n; i++) out.push(this.uuid(start + BigInt(i)));
    return out;
  }

  private uuid(ticks: bigint): Buffer {
    const out = Buffer.alloc(UUID_BYTES);
    const low = Number(ticks & 0xffffffffn);
    const mid = Number((ticks >> 32n) & 0xffffn);
    const high = Number((ticks >> 48n) & 0x0fffn) | 0x1000;
    out.writeUInt32BE(low, 0);
    out.writeUInt16BE(mid, 4);
    out.writeUInt16BE(high, 6);
    this.low.copy(out, 8);
    return out;
  }
}
