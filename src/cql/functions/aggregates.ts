// Native aggregates over serialized values: count, min, max, sum, avg.
//
// count(*)/count(x) -> bigint, counting non-null inputs. min/max -> the argument type, by
// compareValues; null when there were no non-null inputs. sum -> the argument type (counter ->
// bigint), fixed-width integers wrap on overflow as Java arithmetic does, 0 when no rows.
// avg -> the argument type: integers are summed exactly and divided with truncation; float and
// double in double precision; decimal at the sum's scale rounding half-even; varint truncates;
// 0 when no rows. Null and empty inputs are skipped.

import { InvalidRequest } from '../../util/errors.js';
import { type CqlType, comparatorFor, typeToCql } from '../../schema/mod.js';
import { alignDecimals, divideDecimalAtScale, isNumericType, readNum, toDecimal, toDouble, writeNum, type Num, type NumericTypeName } from './numeric.js';

export interface Accumulator {
  /** Adds one row's argument values (serialized; null for null). */
  add(args: readonly (Buffer | null)[]): void;
  /** The aggregate's value over the rows added so far. */
  result(): Buffer | null;
}

export interface AggregateFunction {
  name: 'count' | 'min' | 'max' | 'sum' | 'avg';
  argTypes: CqlType[];
  returnType: CqlType;
  /** A fresh accumulator (one per group). */
  init(): Accumulator;
}

const BIGINT: CqlType = { kind: 'native', name: 'bigint' };

/** count(*) when argType is null, else count(x). */
export function countAggregate(argType: CqlType | null): AggregateFunction {
  return {
    name: 'count', argTypes: argType === null ? [] : [argType], returnType: BIGINT,
    init() {
      let n = 0n;
      return {
        add(args) { if (argType === null || (args[0] != null)) n++; },
        result: () => writeNum('bigint', { kind: 'integer', value: n }),
      };
    },
  };
}

function extremum(name: 'min' | 'max', type: CqlType): AggregateFunction {
  const cmp = comparatorFor(type);
  const sign = name === 'min' ? -1 : 1;
  return {
    name, argTypes: [type], returnType: type,
    init() {
      let best: Buffer | null = null;
      return {
        add(args) {
          const v = args[0];
          if (v == null || v.length === 0) return;
          if (best === null || sign * cmp(v, best) > 0) best = Buffer.from(v);
        },
        result: () => best,
      };
    },
  };
}

function numericArg(name: string, type: CqlType): NumericTypeName {
  if (!isNumericType(type)) throw new InvalidRequest(`Invalid call to function ${name}, none of its type signatures match (argument of type ${typeToCql(type)})`);
  return type.name;
}

function addNums(a: Num, b: Num, result: NumericTypeName): Num {
  if (result === 'decimal') {
    const [x, y, scale] = alignDecimals(toDecimal(a), toDecimal(b));
    return { kind: 'decimal', value: { unscaled: x + y, scale } };
  }
  if (result === 'float' || result === 'double') return { kind: 'floating', value: toDouble(a) + toDouble(b) };
  return { kind: 'integer', value: (a as { value: bigint }).value + (b as { value: bigint }).value };
}

const WRAP_BITS: Partial<Record<NumericTypeName, number>> = { tinyint: 8, smallint: 16, int: 32, bigint: 64, counter: 64 };

function sumAggregate(type: CqlType): AggregateFunction {
  const arg = numericArg('sum', type);
  const result: NumericTypeName = arg === 'counter' ? 'bigint' : arg;
  const zero: Num = result === 'decimal' ? { kind: 'decimal', value: { unscaled: 0n, scale: 0 } } : result === 'float' || result === 'double' ? { kind: 'floating', value: 0 } : { kind: 'integer', value: 0n };
  const bits = WRAP_BITS[arg];
  return {
    name: 'sum', argTypes: [type], returnType: { kind: 'native', name: result },
    init() {
      let sum = zero;
      return {
        add(args) {
          const v = args[0];
          if (v == null || v.length === 0) return;
          sum = addNums(sum, readNum(arg, v), result);
          if (bits !== undefined && sum.kind === 'integer') sum = { kind: 'integer', value: BigInt.asIntN(bits, sum.value) };
        },
        result: () => writeNum(result, sum),
      };
    },
  };
}

function avgAggregate(type: CqlType): AggregateFunction {
  const arg = numericArg('avg', type);
  const result: NumericTypeName = arg === 'counter' ? 'bigint' : arg;
  return {
    name: 'avg', argTypes: [type], returnType: { kind: 'native', name: result },
    init() {
      let count = 0n;
      let sum: Num = result === 'decimal' ? { kind: 'decimal', value: { unscaled: 0n, scale: 0 } } : result === 'float' || result === 'double' ? { kind: 'floating', value: 0 } : { kind: 'integer', value: 0n };
      return {
        add(args) {
          const v = args[0];
          if (v == null || v.length === 0) return;
          sum = addNums(sum, readNum(arg, v), result);
          count++;
        },
        result() {
          if (count === 0n) return writeNum(result, { kind: 'integer', value: 0n });
          switch (sum.kind) {
            case 'floating': return writeNum(result, { kind: 'floating', value: sum.value / Number(count) });
            case 'decimal': return writeNum(result, { kind: 'decimal', value: divideDecimalAtScale(sum.value, count) });
            case 'integer': return writeNum(result, { kind: 'integer', value: sum.value / count });
          }
        },
      };
    },
  };
}

/** The native aggregate `name` (case-insensitive) for an argument of type `argType` (null: count(*)). */
export function resolveAggregate(name: string, argType: CqlType | null): AggregateFunction {
  const lower = name.toLowerCase();
  if (lower === 'count') return countAggregate(argType);
  if (argType === null) throw new InvalidRequest(`Invalid number of arguments in call to function ${lower}: 1 required but 0 provided`);
  switch (lower) {
    case 'min': case 'max': return extremum(lower, argType);
    case 'sum': return sumAggregate(argType);
    case 'avg': return avgAggregate(argType);
    default: throw new InvalidRequest(`Unknown aggregate function '${name}'`);
  }
}

export function isAggregateName(name: string): boolean {
  return ['count', 'min', 'max', 'sum', 'avg'].includes(name.toLowerCase());
}
