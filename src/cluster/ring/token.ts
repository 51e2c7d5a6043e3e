// Tokens and token ranges of the Murmur3 ring: signed 64-bit integers held as bigint.
//
// A range is (start, end]: it excludes start and includes end, and wraps past TOKEN_MAX back to
// TOKEN_MIN when end <= start. start === end means the whole ring (a ring with one token).

import { TOKEN_MAX, TOKEN_MIN } from '../../util/murmur3.js';

export { TOKEN_MAX, TOKEN_MIN };
export type Token = bigint;

/** Same shape as storage's TokenRange (src/storage/data.ts), so either can be passed. */
export interface TokenRange {
  start: Token;
  end: Token;
}

export const RING_SIZE = 2n ** 64n;

export function compareTokens(a: Token, b: Token): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** True when token lies in (start, end], wrapping; start === end covers every token. */
export function rangeContains(range: TokenRange, token: Token): boolean {
  const { start, end } = range;
  if (start === end) return true;
  if (start < end) return token > start && token <= end;
  return token > start || token <= end;
}

/** Number of tokens in the range: (end - start) mod 2^64, and 2^64 for the whole ring. */
export function rangeWidth(range: TokenRange): bigint {
  if (range.start === range.end) return RING_SIZE;
  const width = range.end - range.start;
  return width > 0n ? width : width + RING_SIZE;
}

/** Cassandra's textual form: "(start,end]". */
export function formatRange(range: TokenRange): string {
  return `(${range.start},${range.end}]`;
}

/** Parses a decimal token, rejecting anything outside the signed 64-bit range. */
export function parseToken(text: string): Token {
  if (!/^-?\d{1,20}$/.test(text)) throw new RangeError(`not a token: '${text}'`);
  const token = BigInt(text);
  if (token < TOKEN_MIN || token > TOKEN_MAX) throw new RangeError(`token out of range: ${text}`);
  return token;
}
