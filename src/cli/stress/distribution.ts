// Seeded randomness and value distributions for `cassia stress`, in cassandra-stress's notation:
// fixed(N), uniform(A..B), gaussian(A..B[,STDVS]) (also gauss/normal), sequence(A..B) (also seq).
// Numbers may carry a k/m/b suffix (thousand, million, billion). Every sample is a function of a
// seed and an index, so two runs with the same --seed generate the same values.

import { assert, assertNever } from '../../util/assert.js';

/** A parsed distribution over integers in [min, max]. */
export type Distribution =
  | { kind: 'fixed'; min: number; max: number }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'gaussian'; min: number; max: number; stdvs: number }
  | { kind: 'sequence'; min: number; max: number };

export class DistributionError extends Error {
  override name = 'DistributionError';
}

/** Number of standard deviations between the mean and either bound when none is given (as cassandra-stress). */
export const GAUSSIAN_STDVS_DEFAULT = 3;
/** Largest bound accepted: integers stay exact in a double. */
export const DISTRIBUTION_BOUND_MAX = Number.MAX_SAFE_INTEGER;

const SUFFIX: Record<string, number> = { k: 1e3, m: 1e6, b: 1e9 };

/** Parses `123`, `10k`, `1M`, `2b` into an integer. */
export function parseCount(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)([kmb])?\s*$/i.exec(text);
  if (!m) throw new DistributionError(`'${text}' is not a count (digits, optionally with k, m or b)`);
  const value = Number(m[1]) * (m[2] ? SUFFIX[m[2].toLowerCase()]! : 1);
  if (!Number.isSafeInteger(value)) throw new DistributionError(`'${text}' is not a whole number within ${DISTRIBUTION_BOUND_MAX}`);
  return value;
}

/** Parses a distribution spec such as `uniform(1..1000)`; throws DistributionError naming what is wrong. */
export function parseDistribution(text: string): Distribution {
  const m = /^\s*([a-z]+)\s*\(([^)]*)\)\s*$/i.exec(text);
  if (!m) throw new DistributionError(`'${text}' is not a distribution: use fixed(N), uniform(A..B), gaussian(A..B) or sequence(A..B)`);
  const name = m[1]!.toLowerCase();
  const args = m[2]!;
  if (name === 'fixed') {
    const n = parseCount(args);
    return { kind: 'fixed', min: n, max: n };
  }
  const range = /^\s*([^.,]+)\.\.([^,]+)(?:,(.+))?$/.exec(args);
  if (!range) throw new DistributionError(`'${text}': ${name} needs a range A..B`);
  const min = parseCount(range[1]!);
  const max = parseCount(range[2]!);
  if (min > max) throw new DistributionError(`'${text}': the lower bound ${min} exceeds the upper bound ${max}`);
  const extra = range[3];
  const isGaussian = name === 'gaussian' || name === 'gauss' || name === 'normal';
  if (extra !== undefined && !isGaussian) throw new DistributionError(`'${text}': unexpected argument '${extra}'`);
  switch (name) {
    case 'uniform':
      return { kind: 'uniform', min, max };
    case 'gaussian': case 'gauss': case 'normal': {
      const stdvs = extra === undefined ? GAUSSIAN_STDVS_DEFAULT : Number(extra);
      if (!(stdvs > 0)) throw new DistributionError(`'${text}': the number of standard deviations must be positive`);
      return { kind: 'gaussian', min, max, stdvs };
    }
    case 'sequence': case 'seq':
      return { kind: 'sequence', min, max };
    default:
      throw new DistributionError(`'${text}': unknown distribution '${name}' (fixed, uniform, gaussian, sequence)`);
  }
}

/** The spec text of a distribution (round-trips through parseDistribution). */
export function formatDistribution(d: Distribution): string {
  switch (d.kind) {
    case 'fixed': return `fixed(${d.min})`;
    case 'uniform': return `uniform(${d.min}..${d.max})`;
    case 'gaussian': return `gaussian(${d.min}..${d.max},${d.stdvs})`;
    case 'sequence': return `sequence(${d.min}..${d.max})`;
    default: return assertNever(d);
  }
}

/** 32-bit mixing of any number of integers (murmur3's finalizer over a running hash). */
export function mix32(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    // Fold in both 32-bit halves so indexes above 2^32 still differ.
    h = fmix32(h ^ (v >>> 0));
    h = fmix32(h ^ Math.floor(v / 4294967296));
  }
  return h >>> 0;
}

function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A small, fast, seeded generator (mulberry32). Not for cryptography. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Re-seeds in place (avoids an allocation per operation). */
  reseed(seed: number): this {
    this.state = seed >>> 0;
    return this;
  }

  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** An integer in [min, max], both inclusive. */
  nextInt(min: number, max: number): number {
    assert(min <= max, 'nextInt bounds in order');
    return min + Math.floor(this.nextFloat() * (max - min + 1));
  }

  /** A standard normal sample (Box-Muller). */
  nextGaussian(): number {
    const u1 = 1 - this.nextFloat(); // (0, 1]
    const u2 = this.nextFloat();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}

/**
 * One sample of d. `index` drives sequence (min + index mod span); the other kinds draw from rng.
 * The result is always an integer within [d.min, d.max].
 */
export function sample(d: Distribution, rng: Rng, index: number): number {
  switch (d.kind) {
    case 'fixed':
      return d.min;
    case 'uniform':
      return rng.nextInt(d.min, d.max);
    case 'gaussian': {
      const mean = (d.min + d.max) / 2;
      const stdev = (d.max - d.min) / 2 / d.stdvs;
      const v = Math.round(mean + rng.nextGaussian() * stdev);
      return Math.min(d.max, Math.max(d.min, v));
    }
    case 'sequence': {
      const span = d.max - d.min + 1;
      return d.min + (((index % span) + span) % span);
    }
    default:
      return assertNever(d);
  }
}

/** Parses `a=1,b=3` into ordered [name, weight] pairs; weights are positive numbers. */
export function parseRatio(text: string): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z_][\w-]*)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!m) throw new DistributionError(`'${part}' in '${text}' is not NAME=WEIGHT`);
    const weight = Number(m[2]);
    if (out.some(([n]) => n === m[1])) throw new DistributionError(`'${m[1]}' appears twice in '${text}'`);
    if (weight > 0) out.push([m[1]!, weight]);
  }
  if (out.length === 0) throw new DistributionError(`'${text}' gives no operation a positive weight`);
  return out;
}

/** Picks an index by weight: a cumulative table built once, one draw per pick. */
export class WeightedChoice {
  private readonly cumulative: number[];

  constructor(weights: readonly number[]) {
    assert(weights.length > 0 && weights.every((w) => w >= 0), 'weights non-negative and non-empty');
    let sum = 0;
    this.cumulative = weights.map((w) => (sum += w));
    assert(sum > 0, 'some weight positive');
  }

  pick(rng: Rng): number {
    const x = rng.nextFloat() * this.cumulative[this.cumulative.length - 1]!;
    for (let i = 0; i < this.cumulative.length; i++) if (x < this.cumulative[i]!) return i;
    return this.cumulative.length - 1;
  }
}
