// Bloom filter over partition tokens (the Murmur3 token is already a good 64-bit hash of the key).
// Filter.db: | bit count u32 | hash count u8 | bits | crc32 u32 |

import { crc32 } from 'node:zlib';
import { CorruptSSTable } from './compression.js';

const FILTER_HEADER_BYTES = 5; // bits(4) hashes(1)
const BITS_MAX = 2 ** 31;

export class BloomFilter {
  constructor(readonly bits: Uint8Array, readonly bitCount: number, readonly hashCount: number) {}

  static forKeys(expected: number, fpChance: number): BloomFilter {
    const n = Math.max(1, expected);
    const p = Math.min(Math.max(fpChance, 1e-6), 0.99);
    const m = Math.min(BITS_MAX, Math.max(64, Math.ceil((-n * Math.log(p)) / (Math.LN2 * Math.LN2))));
    const k = Math.max(1, Math.min(20, Math.round((m / n) * Math.LN2)));
    return new BloomFilter(new Uint8Array(Math.ceil(m / 8)), m, k);
  }

  private positions(token: bigint, fn: (bit: number) => boolean): boolean {
    const h1 = Number(BigInt.asUintN(32, token));
    const h2 = Number(BigInt.asUintN(32, token >> 32n)) | 1;
    for (let i = 0; i < this.hashCount; i++) {
      const bit = ((h1 + Math.imul(i, h2)) >>> 0) % this.bitCount;
      if (!fn(bit)) return false;
    }
    return true;
  }

  add(token: bigint): void {
    this.positions(token, (bit) => { this.bits[bit >>> 3]! |= 1 << (bit & 7); return true; });
  }

  /** add(token) for the token's two's complement words (high word first): no BigInt, no closure. */
  addWords(hi: number, lo: number): void {
    const h1 = lo >>> 0;
    const h2 = hi | 1;
    for (let i = 0; i < this.hashCount; i++) {
      const bit = ((h1 + Math.imul(i, h2)) >>> 0) % this.bitCount;
      this.bits[bit >>> 3]! |= 1 << (bit & 7);
    }
  }

  mightContain(token: bigint): boolean {
    return this.positions(token, (bit) => (this.bits[bit >>> 3]! & (1 << (bit & 7))) !== 0);
  }

  encode(): Buffer {
    const out = Buffer.alloc(FILTER_HEADER_BYTES + this.bits.length + 4);
    out.writeUInt32BE(this.bitCount, 0);
    out[4] = this.hashCount;
    out.set(this.bits, FILTER_HEADER_BYTES);
    out.writeUInt32BE(crc32(out.subarray(0, out.length - 4)), out.length - 4);
    return out;
  }

  static decode(buf: Buffer, where: string): BloomFilter {
    if (buf.length < FILTER_HEADER_BYTES + 4 || buf.readUInt32BE(buf.length - 4) !== crc32(buf.subarray(0, buf.length - 4))) {
      throw new CorruptSSTable(`${where}: bloom filter checksum mismatch`);
    }
    const bitCount = buf.readUInt32BE(0);
    return new BloomFilter(new Uint8Array(buf.subarray(FILTER_HEADER_BYTES, buf.length - 4)), bitCount, buf[4]!);
  }
}
