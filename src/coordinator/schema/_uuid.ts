// UUIDs the schema needs: time-based (version 1) ids for new tables, made by schema's
// TimeuuidGenerator, and name-based (version 3, MD5) ids for system tables and for the schema
// version digest. Formatting is the canonical 8-4-4-4-12 lower-case hex.

import { createHash } from 'node:crypto';
import type { Clock, Random } from '../../env/mod.js';
import { formatUuid, TimeuuidGenerator, type RandomBytes } from '../../schema/uuid.js';
import { assert } from '../../util/assert.js';

const NODE_BYTES = 6;
const CLOCK_SEQUENCE_MAX = 0x4000; // 14 bits
const LOW_BYTES = 8; // clock sequence (2) + node (6): TimeuuidGenerator's random part

/** A version 3 (MD5, name-based) uuid of the given bytes, as Java's UUID.nameUUIDFromBytes. */
export function nameUuid(data: Buffer | string): string {
  const md5 = createHash('md5').update(data).digest();
  md5[6] = (md5[6]! & 0x0f) | 0x30;
  md5[8] = (md5[8]! & 0x3f) | 0x80;
  return formatUuid(md5);
}

/** Generates strictly increasing version 1 uuids (as text) from a Clock, with a random node and clock sequence. */
export class TimeUuidGenerator {
  private readonly uuids: TimeuuidGenerator;

  constructor(private readonly clock: Clock, random: Random) {
    this.uuids = new TimeuuidGenerator(clock, lowBytesDrawnFrom(random));
  }

  next(): string {
    return formatUuid(this.uuids.nextAt(Math.floor(this.clock.nowMs())));
  }
}

/**
 * The node and clock sequence drawn as table ids have always been drawn (six node bytes, then a
 * 14-bit sequence), so a seeded Random keeps giving the same ids, laid out as the eight low bytes
 * TimeuuidGenerator asks for once; it sets the variant and multicast bits itself.
 */
function lowBytesDrawnFrom(random: Random): RandomBytes {
  const node = random.bytes(NODE_BYTES);
  const clockSequence = random.int(CLOCK_SEQUENCE_MAX);
  const low = Buffer.alloc(LOW_BYTES);
  low.writeUInt16BE(clockSequence, 0);
  node.copy(low, 2);
  return {
    bytes(n: number): Buffer {
      assert(n === LOW_BYTES, `TimeuuidGenerator asked for ${n} random bytes, not ${LOW_BYTES}`);
      return low;
    },
  };
}
