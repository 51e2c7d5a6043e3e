// Numbers for CQL functions and operators: serialized value <-> a small numeric model, Java's
// conversion rules between numeric types (narrowing wraps, double -> integer truncates and
// saturates), and exact decimal/varint arithmetic on bigint.

import { assertNever } from '../../util/assert.js';
import { InvalidRequest } from '../../util/errors.js';
import { type Decimal, type CqlType, type NativeTypeName, deserialize, formatDecimal, javaDoubleToString, parseDecimal, serialize } from '../../schema/mod.js';

export type NumericTypeName = 'tinyint' | 'smallint' | 'int' | 'bigint' | 'counter' | 'varint' | 'float' | 'double' | 'decimal';
export const NUMERIC_TYPES: readonly NumericTypeName[] = ['tinyint', 'smallint', 'int', 'bigint', 'counter', 'varint', 'float', 'double', 'decimal'];

export type Num =
  | { kind: 'integer'; value: bigint }
  | { kind: 'floating'; value: number }
  | { kind: 'decimal'; value: Decimal };

/** Significant digits of Java's MathContext.DECIMAL128 (decimal division). */
export const DECIMAL128_DIGITS = 34;

export function isNumericType(t: CqlType): t is { kind: 'native'; name: NumericTypeName } {
  return t.kind === 'native' && (NUMERIC_TYPES as readonly NativeTypeName[]).includes(t.name);
}

export function readNum(name: NumericTypeName, bytes: Buffer): Num {
  const v = deserialize({ kind: 'native', name }, bytes);
  switch (name) {
    case 'tinyint': case 'smallint': case 'int': return { kind: 'integer', value: BigInt(v as number) };
    case 'bigint': case 'counter': case 'varint': return { kind: 'integer', value: v as bigint };
    case 'float': case 'double': return { kind: 'floating', value: v as number };
    case 'decimal': return { kind: 'decimal', value: v as Decimal };
    default: return assertNever(name, 'numeric type');
  }
}

const WIDTH: Partial<Record<NumericTypeName, number>> = { tinyint: 8, smallint: 16, int: 32, bigint: 64, counter: 64 };

/** Converts with Java's rules and serializes as `name`. */
export function writeNum(name: NumericTypeName, n: Num): Buffer {
  const type: CqlType = { kind: 'native', name };
  switch (name) {
    case 'tinyint': case 'smallint': case 'int': case 'bigint': case 'counter': {
      const width = WIDTH[name]!;
      const v = BigInt.asIntN(width, toIntegerTruncating(n, width));
      return serialize(type, width === 64 ? v : Number(v));
    }
    case 'varint': return serialize(type, toIntegerTruncating(n, 0));
    case 'float': return serialize(type, Math.fround(toDouble(n)));
    case 'double': return serialize(type, toDouble(n));
    case 'decimal': return serialize(type, toDecimal(n));
    default: return assertNever(name, 'numeric type');
  }
}

/** Java's (long)/(int) of a double: NaN is 0, out of range saturates; decimals truncate toward zero. */
function toIntegerTruncating(n: Num, width: number): bigint {
  switch (n.kind) {
    case 'integer': return n.value;
    case 'decimal': return truncateDecimal(n.value);
    case 'floating': {
      if (Number.isNaN(n.value)) {
        if (width === 0) throw new InvalidRequest('Cannot convert NaN to varint');
        return 0n;
      }
      if (!Number.isFinite(n.value) && width === 0) throw new InvalidRequest(`Cannot convert ${n.value} to varint`);
      const saturateBits = width === 64 ? 64 : 32; // byte/short go through int first, as Java does
      const max = (1n << BigInt(saturateBits - 1)) - 1n;
      const min = -(1n << BigInt(saturateBits - 1));
      if (n.value === Infinity) return width === 0 ? 0n : max;
      if (n.value === -Infinity) return min;
      const t = BigInt(Math.trunc(n.value));
      if (width === 0) return t;
      return t > max ? max : t < min ? min : t;
    }
    default: return assertNever(n, 'Num');
  }
}

export function truncateDecimal(d: Decimal): bigint {
  if (d.scale <= 0) return d.unscaled * 10n ** BigInt(-d.scale);
  return d.unscaled / 10n ** BigInt(d.scale); // bigint division truncates toward zero
}

export function toDouble(n: Num): number {
  switch (n.kind) {
    case 'integer': return Number(n.value);
    case 'floating': return n.value;
    case 'decimal': return Number(formatDecimal(n.value));
    default: return assertNever(n, 'Num');
  }
}

export function toDecimal(n: Num): Decimal {
  switch (n.kind) {
    case 'integer': return { unscaled: n.value, scale: 0 };
    case 'decimal': return n.value;
    case 'floating': {
      if (!Number.isFinite(n.value)) throw new InvalidRequest(`Cannot convert ${n.value} to decimal`);
      return parseDecimal(javaDoubleToString(n.value))!;
    }
    default: return assertNever(n, 'Num');
  }
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Aligns two decimals to the larger scale. */
export function alignDecimals(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.unscaled * pow10(scale - a.scale), b.unscaled * pow10(scale - b.scale), scale];
}

function digitCount(n: bigint): number {
  return (n < 0n ? -n : n).toString().length;
}

/** Rounds |q| (with remainder info) half-even. `half` compares twice the remainder to the divisor. */
function roundHalfEven(q: bigint, remainderTwice: bigint, divisor: bigint, negative: boolean): bigint {
  const r = remainderTwice < 0n ? -remainderTwice : remainderTwice;
  const d = divisor < 0n ? -divisor : divisor;
  const mag = q < 0n ? -q : q;
  const up = r > d || (r === d && mag % 2n === 1n);
  const rounded = up ? mag + 1n : mag;
  return negative ? -rounded : rounded;
}

/** BigDecimal.divide(b, MathContext.DECIMAL128): 34 significant digits, half-even, trailing zeros stripped to the preferred scale. */
export function divideDecimal(a: Decimal, b: Decimal): Decimal {
  if (b.unscaled === 0n) throw new InvalidRequest('Division by zero');
  const preferredScale = a.scale - b.scale;
  if (a.unscaled === 0n) return { unscaled: 0n, scale: clampScale(preferredScale) };
  const negative = (a.unscaled < 0n) !== (b.unscaled < 0n);
  const x = a.unscaled < 0n ? -a.unscaled : a.unscaled;
  const y = b.unscaled < 0n ? -b.unscaled : b.unscaled;
  // Scale the dividend so the integer quotient has at least DECIMAL128_DIGITS + 1 digits.
  const shift = Math.max(0, DECIMAL128_DIGITS + 1 + digitCount(y) - digitCount(x));
  let q = (x * pow10(shift)) / y;
  let rem = (x * pow10(shift)) % y;
  let scale = preferredScale + shift;
  const excess = digitCount(q) - DECIMAL128_DIGITS;
  let exact = rem === 0n;
  if (excess > 0) {
    const div = pow10(excess);
    const dropped = q % div;
    q /= div;
    scale -= excess;
    // Half-even on the dropped digits (plus any remainder, which only breaks ties upward).
    const twice = 2n * dropped + (rem === 0n ? 0n : 1n);
    exact = exact && dropped === 0n;
    q = roundHalfEven(q, twice, div, false);
    rem = 0n;
    if (digitCount(q) > DECIMAL128_DIGITS) { q /= 10n; scale--; } // carry: 99..9|5 → 10^34, as Java's doRound
  }
  if (exact) {
    while (scale > preferredScale && q % 10n === 0n && q !== 0n) { q /= 10n; scale--; }
  }
  return { unscaled: negative ? -q : q, scale: clampScale(scale) };
}

function clampScale(scale: number): number {
  return Math.max(-0x80000000, Math.min(0x7fffffff, scale));
}

/** BigDecimal.divide(b, RoundingMode.HALF_EVEN): the quotient at a's scale. */
export function divideDecimalAtScale(a: Decimal, divisor: bigint): Decimal {
  if (divisor === 0n) throw new InvalidRequest('Division by zero');
  const q = a.unscaled / divisor;
  const r = a.unscaled % divisor;
  const negative = (a.unscaled < 0n) !== (divisor < 0n);
  return { unscaled: roundHalfEven(q, 2n * r, divisor, negative), scale: a.scale };
}
