// Native scalar functions used in SELECT clauses, numeric helpers for aggregates and arithmetic,
// and CAST conversions. Values are serialized; each function declares its return type.

import type { TypeExpr } from '../../cql/ast.js';
import type { CqlType, NativeTypeName } from '../../schema/types.js';
import { NATIVE_TYPE_NAMES, typeToCql } from '../../schema/types.js';
import { deserialize, serialize } from '../../schema/codec.js';
import { formatDisplay } from '../../schema/format.js';
import { nativeFromText } from '../../schema/fromliteral.js';
import { MS_PER_DAY, DATE_EPOCH_OFFSET } from '../../schema/temporal.js';
import { TimeuuidGenerator, randomUuid, minTimeuuid, maxTimeuuid, unixTimestampOf } from '../../schema/uuid.js';
import { InvalidRequest } from '../../util/errors.js';
import { assertNever } from '../../util/assert.js';
import type { ExecContext } from './_context.js';
import { int64, readSignedInteger, varintBytes } from './_bytes.js';

export type Numeric = bigint | number;

const INTEGER_TYPES = new Set<string>(['tinyint', 'smallint', 'int', 'bigint', 'counter', 'varint']);
const FLOAT_TYPES = new Set<string>(['float', 'double', 'decimal']);

export function isNumericType(t: CqlType): boolean {
  return t.kind === 'native' && (INTEGER_TYPES.has(t.name) || FLOAT_TYPES.has(t.name));
}

export function numericOf(t: CqlType, v: Buffer): Numeric {
  if (t.kind !== 'native') throw new InvalidRequest(`${typeToCql(t)} is not a number`);
  switch (t.name) {
    case 'tinyint': case 'smallint': case 'int': case 'bigint': case 'counter': case 'varint': return readSignedInteger(v);
    case 'float': return v.readFloatBE(0);
    case 'double': return v.readDoubleBE(0);
    case 'decimal': {
      const scale = v.readInt32BE(0);
      return Number(readSignedInteger(v.subarray(4))) / 10 ** scale;
    }
    default: throw new InvalidRequest(`${t.name} is not a number`);
  }
}

export function numericValue(t: CqlType, x: Numeric): Buffer {
  if (t.kind !== 'native') throw new InvalidRequest(`${typeToCql(t)} is not a number`);
  const big = (): bigint => (typeof x === 'bigint' ? x : BigInt(Math.trunc(x)));
  switch (t.name) {
    case 'tinyint': { const b = Buffer.alloc(1); b.writeInt8(Number(BigInt.asIntN(8, big()))); return b; }
    case 'smallint': { const b = Buffer.alloc(2); b.writeInt16BE(Number(BigInt.asIntN(16, big()))); return b; }
    case 'int': { const b = Buffer.alloc(4); b.writeInt32BE(Number(BigInt.asIntN(32, big()))); return b; }
    case 'bigint': case 'counter': return int64(BigInt.asIntN(64, big()));
    case 'varint': return varintBytes(big());
    case 'float': { const b = Buffer.alloc(4); b.writeFloatBE(Number(x)); return b; }
    case 'double': { const b = Buffer.alloc(8); b.writeDoubleBE(Number(x)); return b; }
    case 'decimal': return serialize(t, String(Number(x)));
    default: throw new InvalidRequest(`${t.name} is not a number`);
  }
}

/** AST TypeExpr → CqlType for CAST and type hints (user types are not castable targets). */
export function resolveTypeExpr(t: TypeExpr): CqlType {
  switch (t.kind) {
    case 'native': return { kind: 'native', name: t.name };
    case 'list': return { kind: 'list', element: resolveTypeExpr(t.element), frozen: t.frozen };
    case 'set': return { kind: 'set', element: resolveTypeExpr(t.element), frozen: t.frozen };
    case 'map': return { kind: 'map', key: resolveTypeExpr(t.key), value: resolveTypeExpr(t.value), frozen: t.frozen };
    case 'tuple': return { kind: 'tuple', elements: t.elements.map(resolveTypeExpr) };
    case 'custom': return { kind: 'custom', className: t.className };
    case 'vector': case 'udt_ref': throw new InvalidRequest(`Type ${t.kind === 'udt_ref' ? t.name : 'vector'} is not supported here`);
    default: return assertNever(t, 'type expression');
  }
}

/** CAST(v AS to). */
export function castValue(from: CqlType, to: CqlType, v: Buffer | null): Buffer | null {
  if (v === null) return null;
  if (to.kind !== 'native' || from.kind !== 'native') throw new InvalidRequest(`Cannot cast from ${typeToCql(from)} to ${typeToCql(to)}`);
  if (from.name === to.name) return v;
  if (to.name === 'text' || to.name === 'ascii') return Buffer.from(formatDisplay(from, v), 'utf8');
  if (isNumericType(from) && isNumericType(to)) return numericValue(to, numericOf(from, v));
  if (from.name === 'timestamp' && to.name === 'date') return dateOfMs(Number(readSignedInteger(v)));
  if (from.name === 'timeuuid' && to.name === 'timestamp') return int64(BigInt(unixTimestampOf(v)));
  if (from.name === 'timeuuid' && to.name === 'date') return dateOfMs(unixTimestampOf(v));
  if (from.name === 'date' && to.name === 'timestamp') return int64(BigInt((v.readUInt32BE(0) - DATE_EPOCH_OFFSET) * MS_PER_DAY));
  throw new InvalidRequest(`Cannot cast from ${from.name} to ${to.name}`);
}

function dateOfMs(ms: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(Math.floor(ms / MS_PER_DAY) + DATE_EPOCH_OFFSET);
  return b;
}

const generators = new WeakMap<object, TimeuuidGenerator>();

export function timeuuidNow(ctx: ExecContext): Buffer {
  let g = generators.get(ctx.clock);
  if (!g) generators.set(ctx.clock, (g = new TimeuuidGenerator(ctx.clock, ctx.random)));
  return g.next();
}

export interface ScalarFunction {
  type: CqlType;
  call(args: (Buffer | null)[], ctx: ExecContext): Buffer | null;
}

const N = (name: NativeTypeName): CqlType => ({ kind: 'native', name });

function arity(name: string, args: CqlType[], n: number): void {
  if (args.length !== n) throw new InvalidRequest(`Invalid number of arguments in call to function system.${name}: ${n} required but ${args.length} provided`);
}

function noMatch(name: string, args: CqlType[]): never {
  throw new InvalidRequest(`Invalid call to function ${name}, none of its type signatures match (known type signatures: system.${name}(${args.map(typeToCql).join(', ')}))`);
}

/** Resolves a native scalar function by name and argument types. */
export function callSelectorFunction(name: string, args: CqlType[]): ScalarFunction {
  const argName = (i: number): string => (args[i]?.kind === 'native' ? (args[i] as { name: string }).name : '');
  switch (name) {
    case 'now': case 'currenttimeuuid': arity(name, args, 0); return { type: N('timeuuid'), call: (_a, ctx) => timeuuidNow(ctx) };
    case 'uuid': arity(name, args, 0); return { type: N('uuid'), call: (_a, ctx) => randomUuid(ctx.random) };
    case 'currenttimestamp': arity(name, args, 0); return { type: N('timestamp'), call: (_a, ctx) => int64(BigInt(ctx.nowMs)) };
    case 'currentdate': arity(name, args, 0); return { type: N('date'), call: (_a, ctx) => dateOfMs(ctx.nowMs) };
    case 'currenttime': arity(name, args, 0); return { type: N('time'), call: (_a, ctx) => int64(BigInt(ctx.nowMs % MS_PER_DAY) * 1_000_000n) };
    case 'totimestamp': case 'dateof': {
      arity(name, args, 1);
      if (!['timeuuid', 'date', 'timestamp'].includes(argName(0))) noMatch(name, args);
      return { type: N('timestamp'), call: ([v]) => castValue(args[0]!, N('timestamp'), v ?? null) };
    }
    case 'todate': {
      arity(name, args, 1);
      if (!['timeuuid', 'date', 'timestamp'].includes(argName(0))) noMatch(name, args);
      return { type: N('date'), call: ([v]) => castValue(args[0]!, N('date'), v ?? null) };
    }
    case 'tounixtimestamp': case 'unixtimestampof': {
      arity(name, args, 1);
      const from = argName(0);
      if (!['timeuuid', 'date', 'timestamp'].includes(from)) noMatch(name, args);
      return { type: N('bigint'), call: ([v]) => {
        if (!v) return null;
        if (from === 'timeuuid') return int64(BigInt(unixTimestampOf(v)));
        if (from === 'timestamp') return v;
        return int64(BigInt((v.readUInt32BE(0) - DATE_EPOCH_OFFSET) * MS_PER_DAY));
      } };
    }
    case 'mintimeuuid': case 'maxtimeuuid': {
      arity(name, args, 1);
      return { type: N('timeuuid'), call: ([v]) => (v ? (name === 'mintimeuuid' ? minTimeuuid : maxTimeuuid)(Number(readSignedInteger(v))) : null) };
    }
    default: break;
  }
  const blobAs = /^blobas(\w+)$/.exec(name);
  if (blobAs) {
    const target = NATIVE_TYPE_NAMES.find((t) => t === blobAs[1] || (blobAs[1] === 'varchar' && t === 'text'));
    if (!target) throw new InvalidRequest(`Unknown function 'system.${name}'`);
    arity(name, args, 1);
    if (argName(0) !== 'blob') noMatch(name, args);
    return { type: N(target), call: ([v]) => v ?? null };
  }
  const asBlob = /^(\w+)asblob$/.exec(name);
  if (asBlob) {
    arity(name, args, 1);
    return { type: N('blob'), call: ([v]) => v ?? null };
  }
  throw new InvalidRequest(`Unknown function 'system.${name}'`);
}

export { deserialize, nativeFromText };
