// CQL duration: months (int32), days (int32) and nanoseconds (int64), all of the same sign.
// Serialized as three zig-zag encoded variable-length integers (Cassandra's VIntCoding: the count of
// leading 1 bits in the first byte is the count of extra bytes). Parsed from the three syntaxes CQL
// accepts: 1y2mo3w4d5h6m7s8ms9us10ns, ISO 8601 P1Y2M3DT4H5M6S / P2W, and P0001-02-03T04:05:06.

import { INT32_MAX, INT64_MAX } from './bignum.js';

export interface Duration {
  months: number;
  days: number;
  nanoseconds: bigint;
}

const NANOS_PER_MICRO = 1_000n;
const NANOS_PER_MILLI = 1_000_000n;
const NANOS_PER_SECOND = 1_000_000_000n;
const NANOS_PER_MINUTE = 60n * NANOS_PER_SECOND;
const NANOS_PER_HOUR = 60n * NANOS_PER_MINUTE;

export class DurationError extends Error {
  override name = 'DurationError';
}

// ---- binary form ----

function zigzag(n: bigint): bigint {
  return n >= 0n ? n << 1n : ((-n) << 1n) - 1n;
}

function unzigzag(n: bigint): bigint {
  return (n & 1n) === 0n ? n >> 1n : -((n + 1n) >> 1n);
}

function writeUnsignedVint(n: bigint, out: number[]): void {
  let extra = 0;
  while (extra < 8 && n >= 1n << BigInt(7 * (extra + 1))) extra++;
  // extra < 8: extra+1 bytes hold the value, the first one topped by `extra` 1 bits and a 0 bit.
  // extra == 8: a 0xff byte, then the value in 8 bytes.
  const valueBytes = extra === 8 ? 8 : extra + 1;
  const bytes: number[] = [];
  let rest = n;
  for (let i = 0; i < valueBytes; i++) {
    bytes.unshift(Number(rest & 0xffn));
    rest >>= 8n;
  }
  if (extra === 8) bytes.unshift(0xff);
  else bytes[0] = bytes[0]! | ((0xff << (8 - extra)) & 0xff);
  out.push(...bytes);
}

/** Reads one unsigned vint at `at`; returns the value and the offset after it, or null if truncated. */
export function readUnsignedVint(buf: Buffer, at: number): { value: bigint; next: number } | null {
  if (at >= buf.length) return null;
  const first = buf[at]!;
  let extra = 0;
  while (extra < 8 && (first & (0x80 >> extra)) !== 0) extra++;
  if (at + 1 + extra > buf.length) return null;
  let value = BigInt(first & (0xff >> (extra + 1)));
  if (extra === 8) value = 0n;
  for (let i = 1; i <= extra; i++) value = (value << 8n) | BigInt(buf[at + i]!);
  return { value, next: at + 1 + extra };
}

export function encodeDuration(d: Duration): Buffer {
  const out: number[] = [];
  writeUnsignedVint(zigzag(BigInt(d.months)), out);
  writeUnsignedVint(zigzag(BigInt(d.days)), out);
  writeUnsignedVint(zigzag(d.nanoseconds), out);
  return Buffer.from(out);
}

/** Decodes a serialized duration; throws DurationError with Cassandra's wording when malformed. */
export function decodeDuration(buf: Buffer): Duration {
  const months = readUnsignedVint(buf, 0);
  const days = months && readUnsignedVint(buf, months.next);
  const nanos = days && readUnsignedVint(buf, days.next);
  if (!months || !days || !nanos) throw new DurationError('Expected at least 3 bytes for a duration');
  if (nanos.next !== buf.length) throw new DurationError('Invalid duration: extra bytes after the three components');
  const d = { months: Number(unzigzag(months.value)), days: Number(unzigzag(days.value)), nanoseconds: unzigzag(nanos.value) };
  checkDuration(d);
  return d;
}

/** Throws DurationError unless every component fits and all share one sign. */
export function checkDuration(d: Duration): void {
  if (Math.abs(d.months) > INT32_MAX + (d.months < 0 ? 1 : 0)) throw new DurationError(`Invalid duration. The number of months must be less or equal to ${INT32_MAX}`);
  if (Math.abs(d.days) > INT32_MAX + (d.days < 0 ? 1 : 0)) throw new DurationError(`Invalid duration. The number of days must be less or equal to ${INT32_MAX}`);
  if (d.nanoseconds > INT64_MAX || d.nanoseconds < -INT64_MAX - 1n) throw new DurationError(`Invalid duration. The number of nanoseconds must be less or equal to ${INT64_MAX}`);
  const signs = [Math.sign(d.months), Math.sign(d.days), d.nanoseconds > 0n ? 1 : d.nanoseconds < 0n ? -1 : 0];
  if (signs.includes(1) && signs.includes(-1)) throw new DurationError('The duration months, days and nanoseconds must be all of the same sign');
}

// ---- text forms ----

const UNIT_TEXT = /(\d+)(y|mo|w|d|h|s|ms|us|µs|ns|m)/giy;
const ISO_TEXT = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
const ISO_WEEK_TEXT = /^P(\d+)W$/;
const ISO_ALT_TEXT = /^P(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

/** Parses any of the three CQL duration syntaxes, with an optional leading '-'; null if none fits. */
export function parseDuration(text: string): Duration | null {
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  if (body.length === 0) return null;
  const parts = body.startsWith('P') ? parseIso(body) : parseUnits(body);
  if (parts === null) return null;
  const sign = negative ? -1n : 1n;
  const d = { months: Number(sign * parts.months), days: Number(sign * parts.days), nanoseconds: sign * parts.nanoseconds };
  if (d.months === 0) d.months = 0; // no -0
  if (d.days === 0) d.days = 0;
  checkDuration(d);
  return d;
}

interface Parts { months: bigint; days: bigint; nanoseconds: bigint }

function parseUnits(body: string): Parts | null {
  const parts: Parts = { months: 0n, days: 0n, nanoseconds: 0n };
  UNIT_TEXT.lastIndex = 0;
  let consumed = 0;
  for (let m = UNIT_TEXT.exec(body); m !== null; m = UNIT_TEXT.exec(body)) {
    addUnit(parts, BigInt(m[1]!), m[2]!.toLowerCase());
    consumed = UNIT_TEXT.lastIndex;
  }
  return consumed === body.length && consumed > 0 ? parts : null;
}

function addUnit(parts: Parts, n: bigint, unit: string): void {
  switch (unit) {
    case 'y': parts.months += 12n * n; break;
    case 'mo': parts.months += n; break;
    case 'w': parts.days += 7n * n; break;
    case 'd': parts.days += n; break;
    case 'h': parts.nanoseconds += NANOS_PER_HOUR * n; break;
    case 'm': parts.nanoseconds += NANOS_PER_MINUTE * n; break;
    case 's': parts.nanoseconds += NANOS_PER_SECOND * n; break;
    case 'ms': parts.nanoseconds += NANOS_PER_MILLI * n; break;
    case 'us': case 'µs': parts.nanoseconds += NANOS_PER_MICRO * n; break;
    case 'ns': parts.nanoseconds += n; break;
    default: throw new DurationError(`Unknown duration symbol '${unit}'`);
  }
}

function parseIso(body: string): Parts | null {
  const week = ISO_WEEK_TEXT.exec(body);
  if (week) return { months: 0n, days: 7n * BigInt(week[1]!), nanoseconds: 0n };
  const alt = ISO_ALT_TEXT.exec(body);
  const m = alt ?? ISO_TEXT.exec(body);
  if (m === null || body === 'P' || body.endsWith('T')) return null;
  const n = (i: number): bigint => BigInt(m[i] ?? '0');
  return {
    months: 12n * n(1) + n(2),
    days: n(3),
    nanoseconds: NANOS_PER_HOUR * n(4) + NANOS_PER_MINUTE * n(5) + NANOS_PER_SECOND * n(6),
  };
}

/** Cassandra's Duration.toString: e.g. 1y2mo3d4h5m6s7ms8us9ns, '-' first when negative. */
export function formatDuration(d: Duration): string {
  const negative = d.months < 0 || d.days < 0 || d.nanoseconds < 0n;
  let out = negative ? '-' : '';
  const months = Math.abs(d.months);
  if (months >= 12) out += `${Math.floor(months / 12)}y`;
  if (months % 12 !== 0) out += `${months % 12}mo`;
  if (d.days !== 0) out += `${Math.abs(d.days)}d`;
  let nanos = d.nanoseconds < 0n ? -d.nanoseconds : d.nanoseconds;
  for (const [unit, size] of [['h', NANOS_PER_HOUR], ['m', NANOS_PER_MINUTE], ['s', NANOS_PER_SECOND], ['ms', NANOS_PER_MILLI], ['us', NANOS_PER_MICRO], ['ns', 1n]] as const) {
    if (nanos >= size) {
      out += `${nanos / size}${unit}`;
      nanos %= size;
    }
  }
  return out === '' || out === '-' ? '0s' : out;
}

