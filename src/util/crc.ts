// Checksums used by wire formats.
//
// crc32: the IEEE 802.3 CRC-32 (zlib's crc32), with an optional running value so a checksum can
// be continued over several buffers. crc24: the CRC-24 Cassandra uses for v5 frame headers
// (init 0x875060, polynomial 0x1974F0B), computed over the header's little-endian integer.

import { assert } from './assert.js';

const CRC32_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * CRC-32 of data[start, end), continuing from `running` (the result of a previous call; 0 to
 * start fresh). Same results as zlib.crc32(data, running).
 */
export function crc32(data: Uint8Array, running = 0, start = 0, end = data.length): number {
  assert(start >= 0 && start <= end && end <= data.length, 'crc32 range out of bounds');
  let c = (running ^ 0xffffffff) >>> 0;
  for (let i = start; i < end; i++) c = CRC32_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export const CRC24_INIT = 0x875060;
export const CRC24_POLY = 0x1974f0b;

/**
 * CRC-24 of the low `lengthBytes` bytes of `value`, taken least significant byte first (the
 * order in which a little-endian header integer sits on the wire). lengthBytes is 3 or 5 for
 * v5 frame headers; at most 6 so the value stays an exact JS integer.
 */
export function crc24(value: number, lengthBytes: number): number {
  assert(Number.isSafeInteger(value) && value >= 0, 'crc24 value must be a non-negative safe integer');
  assert(lengthBytes >= 1 && lengthBytes <= 6, 'crc24 covers 1..6 bytes');
  let crc = CRC24_INIT;
  let rest = value;
  for (let i = 0; i < lengthBytes; i++) {
    const byte = rest % 256;
    rest = Math.floor(rest / 256);
    crc ^= byte << 16;
    for (let bit = 0; bit < 8; bit++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= CRC24_POLY;
    }
  }
  return crc & 0xffffff;
}
