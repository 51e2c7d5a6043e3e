// Virtual nodes: each endpoint owns num_tokens tokens chosen at random (Cassandra's random
// allocation). The Random is injected, so a seeded simulation picks the same tokens every run.

import { assert } from '../../util/assert.js';
import { TOKEN_MIN, compareTokens, type Token } from './token.js';
import { ENDPOINT_TOKENS_MAX } from './metadata.js';

export const NUM_TOKENS_DEFAULT = 16;

/** The part of env's Random that allocation needs (the ring layer does not import env). */
export interface TokenRandom {
  bytes(n: number): Buffer;
}
/** Draws per wanted token before giving up (collisions in 2^64 are practically impossible). */
const DRAWS_PER_TOKEN_MAX = 16;

/**
 * `count` distinct random tokens, ascending, none in `taken` and none equal to TOKEN_MIN
 * (reserved as the ring's minimum).
 */
export function allocateRandomTokens(count: number, random: TokenRandom, taken: ReadonlySet<Token> = new Set()): Token[] {
  assert(Number.isInteger(count) && count >= 1 && count <= ENDPOINT_TOKENS_MAX, `num_tokens must be 1..${ENDPOINT_TOKENS_MAX}, got ${count}`);
  const chosen = new Set<Token>();
  for (let draws = 0; chosen.size < count; draws++) {
    assert(draws < count * DRAWS_PER_TOKEN_MAX, 'could not draw distinct tokens; is the Random broken?');
    const token = random.bytes(8).readBigInt64BE(0);
    if (token === TOKEN_MIN || taken.has(token)) continue;
    chosen.add(token);
  }
  return [...chosen].sort(compareTokens);
}
