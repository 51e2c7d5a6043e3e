// Native scalar functions (system keyspace): time and uuid functions, blob conversions, toJson /
// fromJson, token (declared; the executor computes it) and CAST. Functions take serialized
// arguments and return a serialized value or null. Anything from the outside world (the clock,
// randomness) comes from the FunctionContext.

import { InvalidRequest } from '../../util/errors.js';
import { assertNever } from '../../util/assert.js';
import {
  type CqlType, type LiteralKind, type NativeTypeName, MS_PER_DAY, NATIVE_TYPE_NAMES, TimeuuidGenerator, deserialize, formatLiteral, fromJson, maxTimeuuid,
  minTimeuuid, nativeFromText, randomUuid, serialize, toJson, typeToCql, unixTimestampOf, validate, formatDecimal, javaDoubleToString, javaFloatToString,
} from '../../schema/mod.js';
import { isNumericType, readNum, writeNum } from './numeric.js';

/** What non-deterministic functions need; one per node (the generator keeps timeuuids unique). */
export interface FunctionContext {
  clock: { nowMs(): number };
  random: { bytes(n: number): Buffer };
  timeuuids: TimeuuidGenerator;
}

export function makeFunctionContext(clock: { nowMs(): number }, random: { bytes(n: number): Buffer }): FunctionContext {
  return { clock, random, timeuuids: new TimeuuidGenerator(clock, random) };
}

export interface ScalarFunction {
  /** Lower-case name as CQL resolves it (function names are case-insensitive unless quoted). */
  name: string;
  argTypes: CqlType[];
  returnType: CqlType;
  /** False for now(), uuid(), current*(): never folded at prepare time. */
  deterministic: boolean;
  /** Returns null for null input unless the function says otherwise. */
  execute(args: readonly (Buffer | null)[], ctx: FunctionContext): Buffer | null;
}

const N = (name: NativeTypeName): CqlType => ({ kind: 'native', name });
const TIMESTAMP = N('timestamp');
const TIMEUUID = N('timeuuid');
const DATE = N('date');
const BIGINT = N('bigint');
const BLOB = N('blob');

function fn(name: string, argTypes: CqlType[], returnType: CqlType, body: (args: Buffer[], ctx: FunctionContext) => Buffer | null, deterministic = true): ScalarFunction {
  return {
    name, argTypes, returnType, deterministic,
    execute(args, ctx) {
      if (args.length !== argTypes.length) throw new InvalidRequest(`Invalid number of arguments in call to function ${name}: ${argTypes.length} required but ${args.length} provided`);
      if (args.some((a) => a === null || a.length === 0)) return null;
      return body(args as Buffer[], ctx);
    },
  };
}

const msOf = (ts: Buffer): number => deserialize(TIMESTAMP, ts) as number;
const tsOf = (ms: number): Buffer => serialize(TIMESTAMP, ms);
const dateOfMs = (ms: number): Buffer => serialize(DATE, Math.floor(ms / MS_PER_DAY));
const msOfDate = (d: Buffer): number => (deserialize(DATE, d) as number) * MS_PER_DAY;

function timeFunctions(): ScalarFunction[] {
  return [
    fn('now', [], TIMEUUID, (_a, ctx) => ctx.timeuuids.next(), false),
    fn('currenttimeuuid', [], TIMEUUID, (_a, ctx) => ctx.timeuuids.next(), false),
    fn('currenttimestamp', [], TIMESTAMP, (_a, ctx) => tsOf(ctx.clock.nowMs()), false),
    fn('currentdate', [], DATE, (_a, ctx) => dateOfMs(ctx.clock.nowMs()), false),
    fn('currenttime', [], N('time'), (_a, ctx) => {
      const ms = ctx.clock.nowMs();
      return serialize(N('time'), BigInt(ms - Math.floor(ms / MS_PER_DAY) * MS_PER_DAY) * 1_000_000n);
    }, false),
    fn('uuid', [], N('uuid'), (_a, ctx) => randomUuid(ctx.random), false),
    fn('mintimeuuid', [TIMESTAMP], TIMEUUID, ([t]) => minTimeuuid(msOf(t!))),
    fn('maxtimeuuid', [TIMESTAMP], TIMEUUID, ([t]) => maxTimeuuid(msOf(t!))),
    fn('dateof', [TIMEUUID], TIMESTAMP, ([u]) => tsOf(unixTimestampOf(u!))),
    fn('unixtimestampof', [TIMEUUID], BIGINT, ([u]) => serialize(BIGINT, BigInt(unixTimestampOf(u!)))),
    fn('todate', [TIMEUUID], DATE, ([u]) => dateOfMs(unixTimestampOf(u!))),
    fn('todate', [TIMESTAMP], DATE, ([t]) => dateOfMs(msOf(t!))),
    fn('todate', [DATE], DATE, ([d]) => d!),
    fn('totimestamp', [TIMEUUID], TIMESTAMP, ([u]) => tsOf(unixTimestampOf(u!))),
    fn('totimestamp', [DATE], TIMESTAMP, ([d]) => tsOf(msOfDate(d!))),
    fn('totimestamp', [TIMESTAMP], TIMESTAMP, ([t]) => t!),
    fn('tounixtimestamp', [TIMEUUID], BIGINT, ([u]) => serialize(BIGINT, BigInt(unixTimestampOf(u!)))),
    fn('tounixtimestamp', [TIMESTAMP], BIGINT, ([t]) => serialize(BIGINT, BigInt(msOf(t!)))),
    fn('tounixtimestamp', [DATE], BIGINT, ([d]) => serialize(BIGINT, BigInt(msOfDate(d!)))),
  ];
}

function blobFunctions(): ScalarFunction[] {
  const out: ScalarFunction[] = [];
  for (const name of NATIVE_TYPE_NAMES) {
    if (name === 'blob') continue;
    out.push(fn(`${name}asblob`, [N(name)], BLOB, ([v]) => v!));
    out.push({
      name: `blobas${name}`, argTypes: [BLOB], returnType: N(name), deterministic: true,
      execute(args) {
        const v = args[0];
        if (v === null || v === undefined) return null;
        try {
          validate(N(name), v); // an empty blob is the type's empty value
        } catch (err) {
          // Cassandra's FromBlob wording, whatever the codec said.
          throw new InvalidRequest(`In call to function system.blobas${name}, value 0x${v.toString('hex')} is not a valid binary representation for type ${name}`, { cause: err });
        }
        return v;
      },
    });
  }
  return out;
}

/** All overloads of native scalar functions, except per-type toJson/fromJson/token and CAST (see below). */
export const NATIVE_SCALAR_FUNCTIONS: readonly ScalarFunction[] = [...timeFunctions(), ...blobFunctions()];

/** Function names the executor handles itself or that depend on the call site. */
export const SPECIAL_FUNCTION_NAMES = ['token', 'tojson', 'fromjson', 'writetime', 'maxwritetime', 'ttl', 'cast'] as const;

/** toJson(x) for an argument of type `type`: text (null gives "null"). */
export function toJsonFunction(type: CqlType): ScalarFunction {
  return {
    name: 'tojson', argTypes: [type], returnType: N('text'), deterministic: true,
    execute: (args) => Buffer.from(toJson(type, args[0] ?? null), 'utf8'),
  };
}

/** fromJson(text) for a receiver of type `type`. */
export function fromJsonFunction(type: CqlType): ScalarFunction {
  return {
    name: 'fromjson', argTypes: [N('text')], returnType: type, deterministic: true,
    execute: (args) => (args[0] == null ? null : fromJson(type, args[0].toString('utf8'))),
  };
}

/** token(k1, ...): declared with the partition key types; the executor computes the Murmur3 token. */
export function tokenFunction(partitionKeyTypes: CqlType[]): Omit<ScalarFunction, 'execute'> {
  return { name: 'token', argTypes: partitionKeyTypes, returnType: BIGINT, deterministic: true };
}

/** A constant not yet given a type (Cassandra's Constants.Literal): matched by its kind. */
export interface UntypedConstant {
  kind: 'constant';
  literal: LiteralKind;
  text: string;
}

/** An argument's type; null for a bind marker or NULL (matches any type); a constant matches by kind. */
export type ArgType = CqlType | UntypedConstant | null;

/** How well an argument fits a parameter (Cassandra's AssignmentTestable.TestResult). */
export type ArgMatch = 'exact' | 'weak' | 'none';

function sameType(a: CqlType, b: CqlType): boolean {
  return typeToCql(a) === typeToCql(b);
}

const CONSTANT_TARGETS: Record<LiteralKind, readonly NativeTypeName[]> = {
  string: ['ascii', 'text', 'inet', 'date', 'time', 'timestamp'],
  integer: ['bigint', 'counter', 'date', 'decimal', 'double', 'duration', 'float', 'int', 'smallint', 'time', 'timestamp', 'tinyint', 'varint'],
  float: ['decimal', 'double', 'float'],
  uuid: ['uuid', 'timeuuid'],
  boolean: ['boolean'],
  hex: ['blob'],
  duration: ['duration'],
};

/** The type a constant has when nothing else decides (integers: the smallest of int, bigint, varint). */
export function preferredConstantType(c: UntypedConstant): NativeTypeName {
  switch (c.literal) {
    case 'integer': {
      const v = BigInt(c.text);
      if (v === BigInt.asIntN(32, v)) return 'int';
      return v === BigInt.asIntN(64, v) ? 'bigint' : 'varint';
    }
    case 'float': return 'double';
    case 'string': return 'text';
    case 'uuid': return 'uuid';
    case 'boolean': return 'boolean';
    case 'hex': return 'blob';
    case 'duration': return 'duration';
    default: return assertNever(c.literal, 'literal kind');
  }
}

/** Cassandra's argument test: same type exact, compatible types and untyped values weak. */
export function matchArgument(param: CqlType, arg: ArgType): ArgMatch {
  if (arg === null) return 'weak';
  if (arg.kind === 'constant') {
    if (param.kind !== 'native') return param.kind === 'custom' ? 'weak' : 'none';
    if (preferredConstantType(arg) === param.name) return 'exact';
    return CONSTANT_TARGETS[arg.literal].includes(param.name) ? 'weak' : 'none';
  }
  if (sameType(param, arg)) return 'exact';
  return valueCompatible(param, arg) ? 'weak' : 'none';
}

/** True when a value of type `from` may be used where `to` is expected (ascii→text, counter→bigint, timeuuid→uuid). */
export function valueCompatible(to: CqlType, from: CqlType): boolean {
  if (sameType(to, from)) return true;
  if (to.kind !== 'native' || from.kind !== 'native') return false;
  return (to.name === 'text' && from.name === 'ascii') || (to.name === 'bigint' && from.name === 'counter') || (to.name === 'uuid' && from.name === 'timeuuid');
}

/** The weakest match over all parameters. */
export function matchArguments(params: readonly CqlType[], args: readonly ArgType[]): ArgMatch {
  let result: ArgMatch = 'exact';
  for (let i = 0; i < params.length; i++) {
    const m = matchArgument(params[i]!, args[i] ?? null);
    if (m === 'none') return 'none';
    if (m === 'weak') result = 'weak';
  }
  return result;
}

export function showArgType(a: ArgType): string {
  if (a === null) return '?';
  return a.kind === 'constant' ? (a.literal === 'string' ? `'${a.text}'` : a.text) : typeToCql(a);
}

/**
 * Resolves a native scalar function by (case-insensitive) name and argument types. Exact matches
 * win over compatible ones; more than one candidate left is "Ambiguous call to function".
 */
export function resolveScalarFunction(name: string, args: readonly ArgType[]): ScalarFunction {
  const lower = name.toLowerCase();
  const named = NATIVE_SCALAR_FUNCTIONS.filter((f) => f.name === lower);
  if (named.length === 0) throw new InvalidRequest(`Unknown function '${name}'`);
  const arity = named.filter((f) => f.argTypes.length === args.length);
  if (arity.length === 0) {
    throw new InvalidRequest(`Invalid number of arguments in call to function ${lower}: ${named[0]!.argTypes.length} required but ${args.length} provided`);
  }
  const matches = arity.map((f) => matchArguments(f.argTypes, args));
  const exact = arity.filter((_f, i) => matches[i] === 'exact');
  if (exact.length === 1) return exact[0]!;
  const compatible = arity.filter((_f, i) => matches[i] !== 'none');
  if (compatible.length === 1) return compatible[0]!;
  const shown = args.map(showArgType).join(', ');
  if (compatible.length === 0) {
    throw new InvalidRequest(`Type error: cannot assign result of function ${lower}(${shown}) — no overload accepts these argument types (candidates: ${arity.map(signature).join(', ')})`);
  }
  throw new InvalidRequest(`Ambiguous call to function ${lower} (can be matched by following signatures: ${compatible.map(signature).join(', ')}): use type casts to disambiguate`);
}

export function signature(f: Pick<ScalarFunction, 'name' | 'argTypes' | 'returnType'>): string {
  return `system.${f.name}(${f.argTypes.map(typeToCql).join(', ')}) -> ${typeToCql(f.returnType)}`;
}

// ---------------------------------------------------------------- CAST

const TEMPORAL_CASTS: Record<string, (v: Buffer) => Buffer> = {
  'timestamp>date': (v) => dateOfMs(msOf(v)),
  'date>timestamp': (v) => tsOf(msOfDate(v)),
  'timeuuid>timestamp': (v) => tsOf(unixTimestampOf(v)),
  'timeuuid>date': (v) => dateOfMs(unixTimestampOf(v)),
};

/** Text of a value for CAST(x AS text): Cassandra's AbstractType.getString (no quotes). */
export function castToText(type: CqlType, v: Buffer): string {
  if (type.kind === 'native') {
    switch (type.name) {
      case 'text': case 'ascii': return v.toString('utf8');
      case 'float': return javaFloatToString(v.readFloatBE(0));
      case 'double': return javaDoubleToString(v.readDoubleBE(0));
      case 'decimal': return formatDecimal(deserialize(type, v) as never);
      case 'blob': return v.toString('hex');
      default: break;
    }
  }
  const literal = formatLiteral(type, v);
  return literal.startsWith("'") && literal.endsWith("'") && type.kind === 'native' ? literal.slice(1, -1).replace(/''/g, "'") : literal;
}

/**
 * CAST(x AS to): numeric <-> numeric (Java conversions), anything -> text/ascii, timestamp <-> date,
 * timeuuid -> timestamp/date, and a type to itself. Others are InvalidRequest as in Cassandra.
 */
export function castFunction(from: CqlType, to: CqlType): ScalarFunction {
  const name = `castas${typeToCql(to)}`;
  const make = (body: (v: Buffer) => Buffer): ScalarFunction => ({
    name, argTypes: [from], returnType: to, deterministic: true,
    execute: (args) => (args[0] == null || args[0].length === 0 ? null : body(args[0])),
  });
  if (sameType(from, to)) return make((v) => v);
  if (isNumericType(from) && isNumericType(to)) return make((v) => writeNum(to.name, readNum(from.name, v)));
  if (to.kind === 'native' && (to.name === 'text' || to.name === 'ascii')) {
    return make((v) => {
      const text = castToText(from, v);
      return to.name === 'ascii' ? nativeFromText('ascii', text) : Buffer.from(text, 'utf8');
    });
  }
  if (from.kind === 'native' && to.kind === 'native') {
    const temporal = TEMPORAL_CASTS[`${from.name}>${to.name}`];
    if (temporal) return make(temporal);
  }
  throw new InvalidRequest(`${typeToCql(from)} cannot be cast to ${typeToCql(to)}`);
}
