// Arithmetic operators +, -, *, /, % between numeric types, and timestamp/date +/- duration.
//
// Result type (Cassandra's OperationFcts): floating if either side is float/double/decimal;
// the size is the larger of the two (tinyint 1, smallint 2, int/float 4, bigint/counter/double 8,
// varint/decimal unbounded): integer 1/2/4/8/unbounded -> tinyint/smallint/int/bigint/varint,
// floating 4/8/unbounded -> float/double/decimal. Fixed-width integers wrap on overflow (Java);
// integer division truncates; division or modulo by zero of integers is an error; decimal
// division uses 34 significant digits (DECIMAL128).

import { assertNever } from '../../util/assert.js';
import { InvalidRequest } from '../../util/errors.js';
import { type CqlType, type Duration, deserialize, serialize, typeToCql } from '../../schema/mod.js';
import { MS_PER_DAY, civilFromDays, daysFromCivil } from '../../schema/mod.js';
import { alignDecimals, divideDecimal, isNumericType, readNum, toDecimal, toDouble, writeNum, type Num, type NumericTypeName } from './numeric.js';

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';

export interface Operation {
  returnType: CqlType;
  /** Null in, null out (Cassandra returns null when an operand is null). */
  apply(left: Buffer | null, right: Buffer | null): Buffer | null;
}

const SIZE: Record<NumericTypeName, number> = { tinyint: 1, smallint: 2, int: 4, float: 4, bigint: 8, counter: 8, double: 8, varint: Infinity, decimal: Infinity };

export function arithmeticResultType(left: NumericTypeName, right: NumericTypeName): NumericTypeName {
  const floating = [left, right].some((t) => t === 'float' || t === 'double' || t === 'decimal');
  const size = Math.max(SIZE[left], SIZE[right]);
  if (floating) return size === 4 ? 'float' : size === 8 ? 'double' : 'decimal';
  return size === 1 ? 'tinyint' : size === 2 ? 'smallint' : size === 4 ? 'int' : size === 8 ? 'bigint' : 'varint';
}

/** The operation for `left op right`; InvalidRequest when the operand types do not support it. */
export function resolveOperation(op: ArithmeticOperator, left: CqlType, right: CqlType): Operation {
  if (isNumericType(left) && isNumericType(right)) return numericOperation(op, left.name, right.name);
  if (left.kind === 'native' && (left.name === 'timestamp' || left.name === 'date') && right.kind === 'native' && right.name === 'duration' && (op === '+' || op === '-')) {
    return temporalOperation(op, left.name);
  }
  throw new InvalidRequest(`the '${typeToCql(left)} ${op} ${typeToCql(right)}' operation is not supported`);
}

function numericOperation(op: ArithmeticOperator, left: NumericTypeName, right: NumericTypeName): Operation {
  const result = arithmeticResultType(left, right);
  return {
    returnType: { kind: 'native', name: result },
    apply(a, b) {
      if (a === null || b === null || a.length === 0 || b.length === 0) return null;
      const x = readNum(left, a);
      const y = readNum(right, b);
      try {
        return writeNum(result, compute(op, result, x, y));
      } catch (e) {
        if (e instanceof InvalidRequest) throw new InvalidRequest(`the operation '${left} ${op} ${right}' failed: ${e.message}`);
        throw e;
      }
    },
  };
}

function compute(op: ArithmeticOperator, result: NumericTypeName, x: Num, y: Num): Num {
  if (result === 'decimal') return { kind: 'decimal', value: decimalOp(op, x, y) };
  if (result === 'float' || result === 'double') {
    const a = toDouble(x);
    const b = toDouble(y);
    const v = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a % b;
    return { kind: 'floating', value: result === 'float' ? Math.fround(v) : v };
  }
  const a = (x as Extract<Num, { kind: 'integer' }>).value;
  const b = (y as Extract<Num, { kind: 'integer' }>).value;
  if ((op === '/' || op === '%') && b === 0n) throw new InvalidRequest(op === '/' ? '/ by zero' : '% by zero');
  switch (op) {
    case '+': return { kind: 'integer', value: a + b };
    case '-': return { kind: 'integer', value: a - b };
    case '*': return { kind: 'integer', value: a * b };
    case '/': return { kind: 'integer', value: a / b };
    case '%': return { kind: 'integer', value: a % b };
    default: return assertNever(op, 'operator');
  }
}

function decimalOp(op: ArithmeticOperator, x: Num, y: Num): { unscaled: bigint; scale: number } {
  const a = toDecimal(x);
  const b = toDecimal(y);
  switch (op) {
    case '+': { const [p, q, s] = alignDecimals(a, b); return { unscaled: p + q, scale: s }; }
    case '-': { const [p, q, s] = alignDecimals(a, b); return { unscaled: p - q, scale: s }; }
    case '*': return { unscaled: a.unscaled * b.unscaled, scale: a.scale + b.scale };
    case '/': return divideDecimal(a, b);
    case '%': {
      const [p, q, s] = alignDecimals(a, b);
      if (q === 0n) throw new InvalidRequest('Division by zero');
      return { unscaled: p % q, scale: s };
    }
    default: return assertNever(op, 'operator');
  }
}

function temporalOperation(op: '+' | '-', name: 'timestamp' | 'date'): Operation {
  const type: CqlType = { kind: 'native', name };
  return {
    returnType: type,
    apply(a, b) {
      if (a === null || b === null || a.length === 0 || b.length === 0) return null;
      const d = deserialize({ kind: 'native', name: 'duration' }, b) as Duration;
      const signed = op === '+' ? d : { months: -d.months, days: -d.days, nanoseconds: -d.nanoseconds };
      if (name === 'timestamp') return serialize(type, addDuration(deserialize(type, a) as number, signed));
      if (signed.nanoseconds !== 0n) throw new InvalidRequest(`The duration must have a day precision. Was: ${typeToCql(type)} ${op} duration with a time part`);
      const days = deserialize(type, a) as number;
      return serialize(type, Math.floor(addDuration(days * MS_PER_DAY, signed) / MS_PER_DAY));
    },
  };
}

/** Adds months (clamping the day of month, as java.util.Calendar), then days, then whole milliseconds. */
export function addDuration(ms: number, d: Duration): number {
  let t = ms;
  if (d.months !== 0) {
    const days = Math.floor(t / MS_PER_DAY);
    const msOfDay = t - days * MS_PER_DAY;
    const civil = civilFromDays(days);
    const totalMonths = civil.year * 12 + (civil.month - 1) + d.months;
    const year = Math.floor(totalMonths / 12);
    const month = totalMonths - year * 12 + 1;
    const nextMonthStart = month === 12 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, month + 1, 1);
    const lastDay = nextMonthStart - daysFromCivil(year, month, 1);
    t = daysFromCivil(year, month, Math.min(civil.day, lastDay)) * MS_PER_DAY + msOfDay;
  }
  return t + d.days * MS_PER_DAY + Number(d.nanoseconds / 1_000_000n);
}
