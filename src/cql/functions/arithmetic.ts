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
import { NUMERIC_TYPES } from './numeric.js';
import { type ArgType, matchArguments, showArgType, valueCompatible } from './scalar.js';
import { alignDecimals, divideDecimal, isNumericType, readNum, toDecimal, toDouble, writeNum, type Num, type NumericTypeName } from './numeric.js';

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';

export interface Operation {
  /** The operand types the operation was declared for (operands are serialized as these). */
  argTypes: [CqlType, CqlType];
  returnType: CqlType;
  /** Null in, null out (Cassandra returns null when an operand is null). */
  apply(left: Buffer | null, right: Buffer | null): Buffer | null;
}

const DURATION: CqlType = { kind: 'native', name: 'duration' };

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
    argTypes: [{ kind: 'native', name: left }, { kind: 'native', name: right }],
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
    argTypes: [type, DURATION],
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

/** Cassandra's internal names of the operator functions (bind variable names `arg0(system._add)`). */
export const OPERATION_FUNCTION_NAMES: Record<ArithmeticOperator, string> = { '+': '_add', '-': '_substract', '*': '_multiply', '/': '_divide', '%': '_modulo' };

function operandPairs(op: ArithmeticOperator): [CqlType, CqlType][] {
  const n = (name: string): CqlType => ({ kind: 'native', name } as CqlType);
  const pairs: [CqlType, CqlType][] = NUMERIC_TYPES.flatMap((l) => NUMERIC_TYPES.map((r): [CqlType, CqlType] => [n(l), n(r)]));
  if (op === '+' || op === '-') pairs.push([n('timestamp'), DURATION], [n('date'), DURATION]);
  return pairs;
}

/**
 * `left op right` where operands may be untyped (constants, bind markers), as Cassandra's
 * FunctionResolver picks among the operator's overloads: only those whose result fits `receiver`
 * (when known); an exact match wins; several compatible ones are ambiguous unless the operands
 * hold no bind marker and one overload takes the receiver's type on both sides.
 */
export function resolveOperationFor(op: ArithmeticOperator, args: [ArgType, ArgType], receiver: CqlType | null): Operation {
  const [left, right] = args;
  if (left !== null && left.kind !== 'constant' && right !== null && right.kind !== 'constant') return resolveOperation(op, left, right);
  const candidates = operandPairs(op).map(([l, r]) => resolveOperation(op, l, r))
    .filter((o) => receiver === null || valueCompatible(receiver, o.returnType));
  const matches = candidates.map((o) => matchArguments(o.argTypes, args));
  const exact = candidates.find((_o, i) => matches[i] === 'exact');
  if (exact) return exact;
  const compatible = candidates.filter((_o, i) => matches[i] === 'weak');
  if (compatible.length === 1) return compatible[0]!;
  const shown = `${showArgType(left)} and ${showArgType(right)}`;
  if (compatible.length === 0) throw new InvalidRequest(`the '${op}' operation is not supported between ${shown}`);
  const sameAsReceiver = receiver !== null && left !== null && right !== null
    ? compatible.find((o) => o.argTypes.every((t) => typeToCql(t) === typeToCql(receiver)))
    : undefined;
  if (sameAsReceiver) return sameAsReceiver;
  throw new InvalidRequest(`Ambiguous '${op}' operation with args ${shown}: use type hint to disambiguate, example '(int) ?'`);
}

/** Unary minus: numeric types (fixed-width integers wrap, as Java) and duration. */
export interface Negation {
  type: CqlType;
  apply(v: Buffer | null): Buffer | null;
}

export function resolveNegation(type: CqlType): Negation {
  if (isNumericType(type)) {
    const name = type.name;
    return { type, apply: (v) => (v === null || v.length === 0 ? null : writeNum(name, negateNum(readNum(name, v)))) };
  }
  if (type.kind === 'native' && type.name === 'duration') {
    return { type, apply(v) {
      if (v === null || v.length === 0) return null;
      const d = deserialize(type, v) as Duration;
      return serialize(type, { months: -d.months, days: -d.days, nanoseconds: -d.nanoseconds });
    } };
  }
  throw new InvalidRequest(`the '-' operation is not supported for ${typeToCql(type)}`);
}

function negateNum(n: Num): Num {
  switch (n.kind) {
    case 'integer': return { kind: 'integer', value: -n.value };
    case 'floating': return { kind: 'floating', value: -n.value };
    case 'decimal': return { kind: 'decimal', value: { unscaled: -n.value.unscaled, scale: n.value.scale } };
    default: return assertNever(n, 'Num');
  }
}
