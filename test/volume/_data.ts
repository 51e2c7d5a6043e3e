// The volume test's data set: every value is a pure function of (table, p, c, version), so the
// expected content of any row is recomputed instead of held in memory.
//
// Pass 1 writes every (p, c) with version 1. Pass 2 overwrites rows with c % 7 == 0 (version 2),
// then deletes rows with c % 11 == 5 and, in partitions with p % 16 == 3, the range c in [40, 48).

export const PARTITIONS = 64;
export const ROWS_PER_PARTITION = 64;
const VALUE_BYTES_MIN = 1024;
const VALUE_BYTES_SPREAD = 2048;
export const RANGE_DELETE_FROM = 40;
export const RANGE_DELETE_TO = 48;

export function isRangeDeleted(p: number, c: number): boolean {
  return p % 16 === 3 && c >= RANGE_DELETE_FROM && c < RANGE_DELETE_TO;
}

export function isRowDeleted(c: number): boolean {
  return c % 11 === 5;
}

export function isOverwritten(c: number): boolean {
  return c % 7 === 0;
}

function seedOf(table: string, p: number, c: number, version: number): number {
  let h = 0x811c9dc5;
  const text = `${table}/${p}/${c}/${version}`;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0 || 1;
}

/** The value written for (table, p, c) in a pass: 1..3 KiB of xorshift32 words. */
export function valueOf(table: string, p: number, c: number, version: number): Buffer {
  const words = (VALUE_BYTES_MIN + ((p * 31 + c * 17 + version * 7) % VALUE_BYTES_SPREAD)) >> 2;
  const out = Buffer.allocUnsafe(words * 4);
  let x = seedOf(table, p, c, version);
  for (let i = 0; i < words; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out.writeUInt32LE(x, i * 4);
  }
  return out;
}

/** What a read must return for (table, p, c) after pass `passesDone` (1 or 2); undefined: no row. */
export function expectedValue(table: string, p: number, c: number, passesDone: number): Buffer | undefined {
  if (passesDone >= 2) {
    if (isRowDeleted(c) || isRangeDeleted(p, c)) return undefined;
    if (isOverwritten(c)) return valueOf(table, p, c, 2);
  }
  return valueOf(table, p, c, 1);
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` at once. */
export async function forEachBounded(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}
