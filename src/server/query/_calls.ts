// Function calls, arithmetic and type hints inside terms (VALUES, SET, WHERE, IF), resolved through
// the native function registry (src/cql/functions) once per term and receiver type. Bind markers in
// arguments take the types of the chosen overload and Cassandra's names (`arg0(system.mintimeuuid)`).

import type { Term, TypeExpr } from '../../cql/ast.js';
import type { CqlType } from '../../schema/types.js';
import { typeToCql } from '../../schema/types.js';
import {
  type ArgType, type FunctionContext, OPERATION_FUNCTION_NAMES, fromJsonFunction, resolveNegation, resolveOperationFor,
  resolveScalarFunction, valueCompatible,
} from '../../cql/functions/mod.js';
import { tokenOf } from '../../util/murmur3.js';
import { InvalidRequest } from '../../util/errors.js';
import { assertNever } from '../../util/assert.js';
import { compositeKey, int64 } from './_bytes.js';

/** Something a term is assigned or compared to: its name (for metadata and errors) and type. */
export interface Receiver {
  keyspace: string;
  table: string;
  name: string;
  type: CqlType;
  /** Partition key column types, for `token(...)` on the right of a token relation. */
  partitionKey?: CqlType[];
}

export type CallTerm = Extract<Term, { kind: 'function_call' | 'binary' | 'negate' }>;

/** A resolved call: argument receivers (typed by the overload) and the function over their values. */
export interface TermCall {
  returnType: CqlType;
  args: Receiver[];
  apply(args: readonly (Buffer | null)[], functions: FunctionContext): Buffer | null;
}

const cache = new WeakMap<Term, Map<string, TermCall>>();

/** Resolves `term` for a receiver (null type: a nested argument whose type the call decides). */
export function resolveCall(term: CallTerm, receiver: Receiver, expected: CqlType | null): TermCall {
  const key = expected === null ? '' : typeToCql(expected);
  let byType = cache.get(term);
  if (!byType) cache.set(term, (byType = new Map()));
  let call = byType.get(key);
  if (!call) byType.set(key, (call = resolveUncached(term, receiver, expected)));
  return call;
}

function resolveUncached(term: CallTerm, receiver: Receiver, expected: CqlType | null): TermCall {
  switch (term.kind) {
    case 'function_call': return functionCall(term, receiver, expected);
    case 'binary': return operation(term, receiver, expected);
    case 'negate': return negation(term, receiver, expected);
    default: return assertNever(term, 'call term');
  }
}

/** The type a term shows to function resolution: typed for casts and calls, untyped otherwise. */
export function argTypeOf(term: Term, receiver: Receiver): ArgType {
  switch (term.kind) {
    case 'literal': return { kind: 'constant', literal: term.value.kind, text: term.value.text };
    case 'cast': return resolveTypeExpr(term.type);
    case 'function_call': case 'binary': case 'negate': return resolveCall(term, receiver, null).returnType;
    default: return null;
  }
}

function argReceiver(receiver: Receiver, fname: string, i: number, type: CqlType): Receiver {
  return { keyspace: receiver.keyspace, table: receiver.table, name: `arg${i}(system.${fname})`, type };
}

function checkAssignable(what: string, returnType: CqlType, receiver: Receiver, expected: CqlType | null): void {
  if (expected === null || valueCompatible(expected, returnType)) return;
  throw new InvalidRequest(`Type error: cannot assign result of ${what} (type ${typeToCql(returnType)}) to ${receiver.name} (type ${typeToCql(expected)})`);
}

function functionCall(term: Extract<Term, { kind: 'function_call' }>, receiver: Receiver, expected: CqlType | null): TermCall {
  const fname = term.name.toLowerCase();
  if (term.keyspace !== undefined && term.keyspace !== 'system') throw new InvalidRequest(`Unknown function '${term.keyspace}.${term.name}'`);
  if (fname === 'token') return tokenCall(term, receiver);
  if (fname === 'tojson') throw new InvalidRequest('toJson() may only be used within the selection clause of SELECT statements');
  if (fname === 'fromjson') {
    if (expected === null) throw new InvalidRequest('fromJson() cannot be used in the selection clause of a SELECT statement');
    return fromRegistry(fromJsonFunction(expected), receiver);
  }
  const f = resolveScalarFunction(fname, term.args.map((a) => argTypeOf(a, receiver)));
  checkAssignable(`function system.${fname}`, f.returnType, receiver, expected);
  return fromRegistry(f, receiver);
}

function fromRegistry(f: { name: string; argTypes: CqlType[]; returnType: CqlType; execute: TermCall['apply'] }, receiver: Receiver): TermCall {
  return { returnType: f.returnType, args: f.argTypes.map((t, i) => argReceiver(receiver, f.name, i, t)), apply: (args, functions) => f.execute(args, functions) };
}

function tokenCall(term: Extract<Term, { kind: 'function_call' }>, receiver: Receiver): TermCall {
  const types = receiver.partitionKey;
  if (!types) throw new InvalidRequest('token() can only be used in a token relation of a WHERE clause');
  if (term.args.length !== types.length) {
    throw new InvalidRequest(`Invalid number of arguments in call to function system.token: ${types.length} required but ${term.args.length} provided`);
  }
  return {
    returnType: { kind: 'native', name: 'bigint' },
    args: types.map((t, i) => argReceiver(receiver, 'token', i, t)),
    apply(args) {
      if (args.some((a) => a === null)) return null;
      return int64(tokenOf(compositeKey(args as Buffer[])));
    },
  };
}

function operation(term: Extract<Term, { kind: 'binary' }>, receiver: Receiver, expected: CqlType | null): TermCall {
  const op = resolveOperationFor(term.op, [argTypeOf(term.left, receiver), argTypeOf(term.right, receiver)], expected);
  checkAssignable(`operation '${term.op}'`, op.returnType, receiver, expected);
  const name = OPERATION_FUNCTION_NAMES[term.op];
  return {
    returnType: op.returnType,
    args: op.argTypes.map((t, i) => argReceiver(receiver, name, i, t)),
    apply: ([a, b]) => op.apply(a ?? null, b ?? null),
  };
}

function negation(term: Extract<Term, { kind: 'negate' }>, receiver: Receiver, expected: CqlType | null): TermCall {
  const operand = argTypeOf(term.operand, receiver);
  const type = operand !== null && operand.kind !== 'constant' ? operand : expected;
  if (type === null) throw new InvalidRequest('Ambiguous negation: use type casts to disambiguate');
  const negate = resolveNegation(type);
  checkAssignable("operation '-'", negate.type, receiver, expected);
  return { returnType: negate.type, args: [argReceiver(receiver, '_negate', 0, type)], apply: ([v]) => negate.apply(v ?? null) };
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

/** The receiver of a type hint `(type) term`: the hint's type, which must suit the outer receiver. */
export function hintReceiver(term: Extract<Term, { kind: 'cast' }>, receiver: Receiver): Receiver {
  const type = resolveTypeExpr(term.type);
  if (!valueCompatible(receiver.type, type) && receiver.type.kind !== 'custom') {
    throw new InvalidRequest(`Cannot assign value of type ${typeToCql(type)} to ${receiver.name} of type ${typeToCql(receiver.type)}`);
  }
  return { ...receiver, type };
}
