// LZ4 block decoding (the block format, not the frame format), written for point reads: it can
// stop once a prefix of the output is decoded, so a read of one partition near the start of a
// chunk does not pay for the rest of it. Compression stays with lz4js (on the worker threads).
//
// A block is a series of sequences:
// | token u8 (literal length high nibble, match length − 4 low nibble) | [literal length bytes] |
// | literals | match offset u16 LE | [match length bytes] |
// A nibble of 15 continues with bytes that are added until one is below 255. The last sequence
// has literals only. A match copies `length` bytes from `offset` bytes back, possibly overlapping
// what it writes (offset < length repeats a pattern).

const NIBBLE_MAX = 15; // a 4-bit length of 15 continues in the following bytes
const LENGTH_BYTE_MAX = 255; // a continuation byte of 255 continues again
const MATCH_LENGTH_MIN = 4; // match lengths are stored minus 4
const MATCH_OFFSET_BYTES = 2;
/**
 * Literal runs and non-overlapping matches at least this long are copied natively (set/copyWithin);
 * shorter ones byte by byte: the native call costs more than a loop over a few dozen bytes (SSTable
 * rows are mostly short literals and ~30-byte matches).
 */
const NATIVE_COPY_BYTES_MIN = 256;

export class Lz4Corrupt extends Error {
  override name = 'Lz4Corrupt';
}

/**
 * Decodes src[srcStart, srcEnd) into dst from offset 0 until at least `needBytes` bytes are
 * decoded (or the block ends). Returns the number of bytes decoded: ≥ needBytes unless the block
 * is shorter. Never writes past dst.length; throws Lz4Corrupt on malformed input.
 */
export function lz4DecodePrefix(src: Uint8Array, srcStart: number, srcEnd: number, dst: Uint8Array, needBytes: number): number {
  let ip = srcStart;
  let op = 0;
  const dstEnd = dst.length;
  while (ip < srcEnd) {
    const token = src[ip++]!;
    let literals = token >>> 4;
    if (literals === NIBBLE_MAX) {
      let b = LENGTH_BYTE_MAX;
      while (b === LENGTH_BYTE_MAX) {
        if (ip >= srcEnd) throw new Lz4Corrupt('literal length runs past the block');
        b = src[ip++]!;
        literals += b;
      }
    }
    if (ip + literals > srcEnd || op + literals > dstEnd) throw new Lz4Corrupt('literals run past the block or the output');
    if (literals >= NATIVE_COPY_BYTES_MIN) {
      dst.set(src.subarray(ip, ip + literals), op);
      ip += literals;
      op += literals;
    } else {
      for (const end = op + literals; op < end;) dst[op++] = src[ip++]!;
    }
    if (ip >= srcEnd || op >= needBytes) break; // the last sequence has no match
    if (ip + MATCH_OFFSET_BYTES > srcEnd) throw new Lz4Corrupt('match offset runs past the block');
    const offset = src[ip]! | (src[ip + 1]! << 8);
    ip += MATCH_OFFSET_BYTES;
    let length = token & NIBBLE_MAX;
    if (length === NIBBLE_MAX) {
      let b = LENGTH_BYTE_MAX;
      while (b === LENGTH_BYTE_MAX) {
        if (ip >= srcEnd) throw new Lz4Corrupt('match length runs past the block');
        b = src[ip++]!;
        length += b;
      }
    }
    length += MATCH_LENGTH_MIN;
    if (offset === 0 || offset > op) throw new Lz4Corrupt(`match offset ${offset} at output ${op}`);
    if (op + length > dstEnd) throw new Lz4Corrupt('match runs past the output');
    let from = op - offset;
    if (offset >= length && length >= NATIVE_COPY_BYTES_MIN) {
      dst.copyWithin(op, from, from + length);
      op += length;
    } else {
      for (const end = op + length; op < end;) dst[op++] = dst[from++]!;
    }
  }
  return op;
}
