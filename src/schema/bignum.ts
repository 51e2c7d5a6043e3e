// Exact integer and decimal helpers shared by the codecs, literals, JSON and CQL functions:
// varint bytes <-> bigint, decimal text <-> {unscaled, scale} (java.math.BigDecimal's rules),
// and Java's Float/Double.toString digits (Cassandra prints floats the way Java does).

import { readVarint } from './compare.js';

export { readVarint };

/** A CQL decimal: unscaled * 10^-scale (BigDecimal). scale is a signed 32-bit integer. */
export interface Decimal {
  unscaled: bigint;
  scale: number;
}

export const INT32_MIN = -0x80000000;
export const INT32_MAX = 0x7fffffff;
export const INT64_MIN = -(1n << 63n);
export const INT64_MAX = (1n << 63n) - 1n;

/** Minimal two's complement big-endian bytes of n (0 is one zero byte, as Java's BigInteger). */
export function writeVarint(n: bigint): Buffer {
  if (n === 0n) return Buffer.alloc(1);
  let hex = (n < 0n ? -n - 1n : n).toString(16);
  if (hex.length % 2 === 1) hex = '0' + hex;
  let bytes = Buffer.from(hex, 'hex');
  if (n < 0n) for (let i = 0; i < bytes.length; i++) bytes[i] = ~bytes[i]! & 0xff;
  const signBitSet = bytes[0]! >= 0x80;
  if (signBitSet !== n < 0n) bytes = Buffer.concat([Buffer.from([n < 0n ? 0xff : 0x00]), bytes]);
  return bytes;
}

export function fitsInt64(n: bigint): boolean {
  return n >= INT64_MIN && n <= INT64_MAX;
}

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Parses decimal text as BigDecimal does ("1.50" has scale 2, "1e3" scale -3); null if invalid. */
export function parseDecimal(text: string): Decimal | null {
  const m = DECIMAL_TEXT.exec(text);
  if (m === null) return null;
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? '';
  if (intPart.length + fracPart.length === 0) return null;
  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  const scale = fracPart.length - exponent;
  if (!Number.isSafeInteger(exponent) || scale < INT32_MIN || scale > INT32_MAX) return null;
  let unscaled = BigInt((intPart + fracPart) || '0');
  if (m[1] === '-') unscaled = -unscaled;
  return { unscaled, scale };
}

/** BigDecimal.toString: plain when scale >= 0 and the adjusted exponent >= -6, else scientific. */
export function formatDecimal(d: Decimal): string {
  const negative = d.unscaled < 0n;
  const coefficient = (negative ? -d.unscaled : d.unscaled).toString();
  const sign = negative ? '-' : '';
  const adjusted = -d.scale + (coefficient.length - 1);
  if (d.scale === 0) return sign + coefficient;
  if (d.scale > 0 && adjusted >= -6) {
    if (coefficient.length > d.scale) {
      const point = coefficient.length - d.scale;
      return `${sign}${coefficient.slice(0, point)}.${coefficient.slice(point)}`;
    }
    return `${sign}0.${'0'.repeat(d.scale - coefficient.length)}${coefficient}`;
  }
  const mantissa = coefficient.length > 1 ? `${coefficient[0]}.${coefficient.slice(1)}` : coefficient;
  return `${sign}${mantissa}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
}

/** Decimal as plain digits without an exponent (for JSON-free contexts that need no 'E'). */
export function decimalToNumber(d: Decimal): number {
  return Number(formatDecimal(d));
}

/** The exact decimal value of a finite double (BigDecimal.valueOf(double) uses its shortest text). */
export function decimalFromNumber(x: number): Decimal {
  const parsed = parseDecimal(javaDoubleToString(x));
  if (parsed === null) throw new RangeError(`not a finite number: ${x}`);
  return parsed;
}

/** Java's Double.toString: shortest digits, "1.0" style, scientific "1.0E10" outside [1e-3, 1e7). */
export function javaDoubleToString(x: number): string {
  return javaStyle(x, shortestDigits(x, false));
}

/** Java's Float.toString for a float value (shortest digits that round-trip through float). */
export function javaFloatToString(x: number): string {
  return javaStyle(x, shortestDigits(x, true));
}

function shortestDigits(x: number, isFloat: boolean): string {
  if (!isFloat) return Math.abs(x).toExponential();
  for (let p = 1; p <= 9; p++) {
    const s = Math.abs(x).toExponential(p - 1);
    if (Math.fround(Number(s)) === Math.abs(x)) return s;
  }
  return Math.abs(x).toExponential(8);
}

function javaStyle(x: number, exponential: string): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (x === 0) return `${sign}0.0`;
  const [mantissa, expText] = exponential.split('e') as [string, string];
  const exponent = Number(expText);
  const digits = mantissa.replace('.', '');
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e7) {
    if (exponent >= 0) {
      const intPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
      const frac = digits.slice(exponent + 1);
      return `${sign}${intPart}.${frac.length > 0 ? frac : '0'}`;
    }
    return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  }
  const frac = digits.slice(1);
  return `${sign}${digits[0]}.${frac.length > 0 ? frac : '0'}E${exponent}`;
}
