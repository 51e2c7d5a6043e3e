// Cassandra's Murmur3Partitioner token: the first 64-bit half of x64 MurmurHash3-128 (seed 0) of
// the serialized partition key, read as a signed int64.
//
// Cassandra's variant differs from the reference hash in one place: tail bytes (the last
// length % 16) are read as signed Java bytes and sign-extended to 64 bits before being shifted
// and XORed in. Keys whose tail bytes are all < 0x80 hash identically to the reference.
// Long.MIN_VALUE is reserved as the ring's minimum token, so a hash equal to it becomes
// Long.MAX_VALUE; an empty key has the minimum token (Cassandra's getToken does the same).
//
// The 64-bit arithmetic is done on pairs of unsigned 32-bit numbers (hi, lo), which is several
// times faster than BigInt; only the final token is built as a bigint (one allocation, through a
// BigInt64Array view).


export const TOKEN_MIN = -(2n ** 63n);
export const TOKEN_MAX = 2n ** 63n - 1n;

const BLOCK_BYTES = 16; // two 64-bit lanes per block
const C1_HI = 0x87c37b91, C1_LO = 0x114253d5;
const C2_HI = 0x4cf5ad43, C2_LO = 0x2745937f;
const FMIX1_HI = 0xff51afd7, FMIX1_LO = 0xed558ccd;
const FMIX2_HI = 0xc4ceb9fe, FMIX2_LO = 0x1a85ec53;
const H1_ADD = 0x52dce729;
const H2_ADD = 0x38495ab5;

// Scratch registers for the two-word results of the helpers below: R[HI], R[LO] (the words' bits,
// read back as int32). A typed array,
// not module-level `let`s: a uint32 above 2^30 stored into a module variable is boxed as a fresh
// heap number on every store (that boxing was most of a hash's cost). Only touched synchronously
// inside the functions below, so no state survives a call.
const R = new Int32Array(2);
const HI = 0;
const LO = 1;
// The last hash as a signed int64, read through a BigInt64Array view (one bigint allocation).
const TOKEN_WORDS = new Int32Array(2);
const TOKEN_VIEW = new BigInt64Array(TOKEN_WORDS.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const WORD_HI = LITTLE_ENDIAN ? 1 : 0;
const WORD_LO = LITTLE_ENDIAN ? 0 : 1;

/** (hi, lo) * (bhi, blo) mod 2^64 into R. */
function mul64(hi: number, lo: number, bhi: number, blo: number): void {
  // The 64-bit product of the two low words from 16-bit pieces (each partial product < 2^32,
  // exact in a double), then the cross terms, which only affect the high word.
  const a0 = lo & 0xffff, a1 = lo >>> 16;
  const b0 = blo & 0xffff, b1 = blo >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  R[LO] = ((mid & 0xffff) << 16) | (p00 & 0xffff);
  R[HI] = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(hi, blo) + Math.imul(lo, bhi);
}

function add64(hi: number, lo: number, bhi: number, blo: number): void {
  const sum = (lo >>> 0) + (blo >>> 0);
  R[LO] = sum;
  R[HI] = hi + bhi + (sum > 0xffffffff ? 1 : 0);
}

/** Rotate left by n, 0 < n < 64, n !== 32. */
function rotl64(hi: number, lo: number, n: number): void {
  if (n > 32) {
    const t = hi; hi = lo; lo = t; n -= 32;
  }
  R[HI] = (hi << n) | (lo >>> (32 - n));
  R[LO] = (lo << n) | (hi >>> (32 - n));
}

/** k1 *= c1; k1 = rotl(k1, 31); k1 *= c2 */
function mixK1(hi: number, lo: number): void {
  mul64(hi, lo, C1_HI, C1_LO);
  rotl64(R[HI]!, R[LO]!, 31);
  mul64(R[HI]!, R[LO]!, C2_HI, C2_LO);
}

/** k2 *= c2; k2 = rotl(k2, 33); k2 *= c1 */
function mixK2(hi: number, lo: number): void {
  mul64(hi, lo, C2_HI, C2_LO);
  rotl64(R[HI]!, R[LO]!, 33);
  mul64(R[HI]!, R[LO]!, C1_HI, C1_LO);
}

function fmix64(hi: number, lo: number): void {
  lo = (lo ^ (hi >>> 1)) >>> 0; // k ^= k >>> 33
  mul64(hi, lo, FMIX1_HI, FMIX1_LO);
  hi = R[HI]!; lo = (R[LO]! ^ (hi >>> 1)) >>> 0;
  mul64(hi, lo, FMIX2_HI, FMIX2_LO);
  hi = R[HI]!;
  R[LO] = R[LO]! ^ (hi >>> 1);
}

/**
 * XORs the tail bytes key[from, from + count) into a lane, byte i shifted left by 8*i after
 * sign extension (Cassandra's quirk); result in R.
 */
function tailLane(key: Buffer, from: number, count: number): void {
  let hi = 0, lo = 0;
  for (let i = count - 1; i >= 0; i--) {
    const b = key[from + i]!;
    const shift = 8 * i;
    // Sign-extended byte as 64 bits: (extHi, extLo).
    const extLo = b >= 0x80 ? (0xffffff00 | b) >>> 0 : b;
    const extHi = b >= 0x80 ? 0xffffffff : 0;
    if (shift === 0) {
      lo ^= extLo; hi ^= extHi;
    } else if (shift < 32) {
      lo ^= extLo << shift;
      hi ^= (extHi << shift) | (extLo >>> (32 - shift));
    } else {
      hi ^= extLo << (shift - 32);
    }
  }
  R[HI] = hi;
  R[LO] = lo;
}

/** Little-endian uint32 at off (Buffer.readUInt32LE without its bounds checks and call). */
function u32le(key: Buffer, off: number): number {
  return (key[off]! | (key[off + 1]! << 8) | (key[off + 2]! << 16) | (key[off + 3]! << 24)) >>> 0;
}

/**
 * Hashes `key` into R (the first 64 bits of Cassandra's MurmurHash3 x64-128, seed 0, as two
 * unsigned words).
 */
function hashInto(key: Buffer): void {
  const length = key.length;
  const blocks = Math.floor(length / BLOCK_BYTES);
  let h1Hi = 0, h1Lo = 0, h2Hi = 0, h2Lo = 0;

  for (let i = 0; i < blocks; i++) {
    const off = i * BLOCK_BYTES;
    mixK1(u32le(key, off + 4), u32le(key, off));
    h1Hi = (h1Hi ^ R[HI]!) >>> 0; h1Lo = (h1Lo ^ R[LO]!) >>> 0;
    rotl64(h1Hi, h1Lo, 27);
    add64(R[HI]!, R[LO]!, h2Hi, h2Lo);
    mul64(R[HI]!, R[LO]!, 0, 5);
    add64(R[HI]!, R[LO]!, 0, H1_ADD);
    h1Hi = R[HI]!; h1Lo = R[LO]!;

    mixK2(u32le(key, off + 12), u32le(key, off + 8));
    h2Hi = (h2Hi ^ R[HI]!) >>> 0; h2Lo = (h2Lo ^ R[LO]!) >>> 0;
    rotl64(h2Hi, h2Lo, 31);
    add64(R[HI]!, R[LO]!, h1Hi, h1Lo);
    mul64(R[HI]!, R[LO]!, 0, 5);
    add64(R[HI]!, R[LO]!, 0, H2_ADD);
    h2Hi = R[HI]!; h2Lo = R[LO]!;
  }

  const tail = blocks * BLOCK_BYTES;
  const tailBytes = length - tail;
  if (tailBytes > 8) {
    tailLane(key, tail + 8, tailBytes - 8);
    mixK2(R[HI]!, R[LO]!);
    h2Hi = (h2Hi ^ R[HI]!) >>> 0; h2Lo = (h2Lo ^ R[LO]!) >>> 0;
  }
  if (tailBytes > 0) {
    tailLane(key, tail, Math.min(tailBytes, 8));
    mixK1(R[HI]!, R[LO]!);
    h1Hi = (h1Hi ^ R[HI]!) >>> 0; h1Lo = (h1Lo ^ R[LO]!) >>> 0;
  }

  // Lengths are < 2^32 here (a Buffer's length), so the high word of `length` is 0.
  h1Lo = (h1Lo ^ length) >>> 0;
  h2Lo = (h2Lo ^ length) >>> 0;
  add64(h1Hi, h1Lo, h2Hi, h2Lo); h1Hi = R[HI]!; h1Lo = R[LO]!;
  add64(h2Hi, h2Lo, h1Hi, h1Lo); h2Hi = R[HI]!; h2Lo = R[LO]!;
  fmix64(h1Hi, h1Lo); h1Hi = R[HI]!; h1Lo = R[LO]!;
  fmix64(h2Hi, h2Lo); h2Hi = R[HI]!; h2Lo = R[LO]!;
  add64(h1Hi, h1Lo, h2Hi, h2Lo);
}

/** The hash left in R as a signed int64. */
function resultAsInt64(): bigint {
  TOKEN_WORDS[WORD_HI] = R[HI]!;
  TOKEN_WORDS[WORD_LO] = R[LO]!;
  return TOKEN_VIEW[0]!;
}

/**
 * The first 64 bits of Cassandra's MurmurHash3 x64-128 of `key` (seed 0) as a signed int64,
 * with no partitioner adjustments.
 */
export function murmur3Hash64(key: Buffer): bigint {
  hashInto(key);
  return resultAsInt64();
}

/** The Murmur3Partitioner token of a serialized partition key, in [TOKEN_MIN, TOKEN_MAX]. */
export function tokenOf(key: Buffer): bigint {
  if (key.length === 0) return TOKEN_MIN;
  hashInto(key);
  // Long.MIN_VALUE's words: the only hash that needs the adjustment, checked without a bigint compare.
  if (R[HI] === -0x80000000 && R[LO] === 0) return TOKEN_MAX;
  return resultAsInt64(); // a signed int64 other than TOKEN_MIN: in range by construction
}
