// Log-linear bucket counting with HdrHistogram's exact bucket layout (lowest discernible value 1,
// 2 significant decimal digits), done with integer bit operations so recording costs a few
// nanoseconds. hdr-histogram-js computes the same index with Math.log2 and Math.pow (~200 ns per
// value measured here), so the hot path counts into our own array and the read path hands the
// non-empty buckets to hdr-histogram-js (see snapshot.ts) for percentiles.

import * as hdr from 'hdr-histogram-js';
import { assert } from '../util/assert.js';

/** 2 significant digits: 2 * 10^2 = 200 values of unit resolution → 256 sub-buckets. */
export const SIGNIFICANT_DIGITS = 2;
const SUB_BUCKET_COUNT_MAGNITUDE = 8; // ceil(log2(2 * 10^SIGNIFICANT_DIGITS))
const SUB_BUCKET_HALF_COUNT_MAGNITUDE = SUB_BUCKET_COUNT_MAGNITUDE - 1;
const SUB_BUCKET_COUNT = 1 << SUB_BUCKET_COUNT_MAGNITUDE;
const SUB_BUCKET_HALF_COUNT = SUB_BUCKET_COUNT >> 1;
const SUB_BUCKET_MASK = SUB_BUCKET_COUNT - 1;
/** 32 - unit magnitude (0) - half-count magnitude - 1, as HdrHistogram's leadingZeroCountBase. */
const LEADING_ZERO_COUNT_BASE = 32 - SUB_BUCKET_HALF_COUNT_MAGNITUDE - 1;
/** Largest recordable value; larger values are clamped to it (and counted in `clampedCount`). */
export const BUCKET_VALUE_MAX = 0xffff_ffff;
/** Number of counters: (bucket count + 1) * half count, as HdrHistogram lays them out. */
export const BUCKET_COUNT = (LEADING_ZERO_COUNT_BASE + 2) * SUB_BUCKET_HALF_COUNT;

assert(2 * 10 ** SIGNIFICANT_DIGITS <= SUB_BUCKET_COUNT && 2 * 10 ** SIGNIFICANT_DIGITS > SUB_BUCKET_HALF_COUNT, 'sub-bucket magnitude matches digits');

/** Index of the counter for an integer value in [0, BUCKET_VALUE_MAX]. */
export function bucketIndexOf(value: number): number {
  const bucketIndex = LEADING_ZERO_COUNT_BASE - Math.clz32(value | SUB_BUCKET_MASK);
  const subBucketIndex = value >>> bucketIndex;
  return ((bucketIndex + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (subBucketIndex - SUB_BUCKET_HALF_COUNT);
}

/** The lowest value that lands in counter `index` (HdrHistogram's valueFromIndex). */
export function bucketLowestValue(index: number): number {
  let bucketIndex = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
  let subBucketIndex = (index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
  if (bucketIndex < 0) {
    subBucketIndex -= SUB_BUCKET_HALF_COUNT;
    bucketIndex = 0;
  }
  return subBucketIndex * 2 ** bucketIndex;
}

/** One window's worth of recorded values: counters plus exact count, sum, min and max. */
export class BucketCounts {
  /** Allocated on the first value so idle histograms (most tables) cost almost nothing. */
  counts: Uint32Array | null = null;
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  record(value: number): void {
    let v = value > 0 ? Math.floor(value) : 0;
    if (v > BUCKET_VALUE_MAX) v = BUCKET_VALUE_MAX;
    const counts = this.counts ?? (this.counts = new Uint32Array(BUCKET_COUNT));
    counts[bucketIndexOf(v)]!++;
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  clear(): void {
    if (this.counts !== null && this.count > 0) this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
  }
}

/** Builds an hdr-histogram-js Histogram holding the union of the given windows. */
export function toHdr(windows: readonly BucketCounts[]): hdr.Histogram {
  const h = hdr.build({ lowestDiscernibleValue: 1, numberOfSignificantValueDigits: SIGNIFICANT_DIGITS, bitBucketSize: 32, highestTrackableValue: BUCKET_VALUE_MAX, autoResize: false });
  for (const w of windows) {
    const counts = w.counts;
    if (counts === null || w.count === 0) continue;
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i]!;
      if (c !== 0) h.recordValueWithCount(bucketLowestValue(i), c);
    }
  }
  return h;
}
