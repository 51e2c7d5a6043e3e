// Terms: typing bind markers from their receivers (prepare time) and evaluating terms to
// serialized values (execute time). Receivers carry the name reported in bind variable metadata.

import type { Term, InValues } from '../../cql/ast.js';
import type { CqlType } from '../../schema/types.js';
import { typeToCql } from '../../schema/types.js';
import { comparatorFor } from '../../schema/compare.js';
import { InvalidRequest } from '../../util/errors.js';
import { assertNever } from '../../util/assert.js';
import { UNSET, type BoundValue, type ColumnSpec } from '../../protocol/messages.js';
import type { ExecContext } from './_context.js';
import { serializeElements, serializeMap, serializeTuple, deserializeElements } from './_bytes.js';
import { literalValue, validateValue } from './_codec.js';
import { type CallTerm, type Receiver, hintReceiver, resolveCall } from './_calls.js';

export type { Receiver } from './_calls.js';

/** Records the spec of every bind marker inside `term` given what it is bound to. */
export function typeMarkers(term: Term, receiver: Receiver, specs: (ColumnSpec | undefined)[]): void {
  switch (term.kind) {
    case 'bind':
      specs[term.index] = { keyspace: receiver.keyspace, table: receiver.table, name: term.name ?? receiver.name, type: receiver.type };
      return;
    case 'literal': case 'null': case 'empty_braces': return;
    case 'list': case 'set': {
      const t = receiver.type;
      const element = t.kind === 'list' || t.kind === 'set' ? t.element : t.kind === 'map' ? t.key : t;
      for (const e of term.elements) typeMarkers(e, { ...receiver, name: `value(${receiver.name})`, type: element }, specs);
      return;
    }
    case 'map': {
      const t = receiver.type;
      if (t.kind !== 'map') return;
      for (const e of term.entries) {
        typeMarkers(e.key, { ...receiver, name: `key(${receiver.name})`, type: t.key }, specs);
        typeMarkers(e.value, { ...receiver, name: `value(${receiver.name})`, type: t.value }, specs);
      }
      return;
    }
    case 'tuple': {
      const t = receiver.type;
      const types = t.kind === 'tuple' ? t.elements : [];
      term.elements.forEach((e, i) => { if (types[i]) typeMarkers(e, { ...receiver, type: types[i]! }, specs); });
      return;
    }
    case 'udt': {
      const t = receiver.type;
      if (t.kind !== 'udt') return;
      for (const f of term.fields) {
        const i = t.fieldNames.indexOf(f.field);
        if (i >= 0) typeMarkers(f.value, { ...receiver, name: `${receiver.name}.${f.field}`, type: t.fieldTypes[i]! }, specs);
      }
      return;
    }
    case 'cast': typeMarkers(term.term, hintReceiver(term, receiver), specs); return;
    case 'function_call': case 'binary': case 'negate': {
      const call = resolveCall(term, receiver, receiver.type);
      term.kind === 'negate' ? typeMarkers(term.operand, call.args[0]!, specs) : typeArgMarkers(term, call.args, specs);
      return;
    }
    default: return assertNever(term, 'term');
  }
}

/** Types the markers of an IN: `IN ?` binds a list of the receiver's type. */
export function typeInMarkers(values: InValues, receiver: Receiver, specs: (ColumnSpec | undefined)[]): void {
  if (values.kind === 'marker') {
    specs[values.marker.index] = {
      keyspace: receiver.keyspace, table: receiver.table, name: values.marker.name ?? `in(${receiver.name})`,
      type: { kind: 'list', element: receiver.type, frozen: false },
    };
  } else {
    for (const t of values.terms) typeMarkers(t, receiver, specs);
  }
}

/** Evaluates a term for its receiver: a serialized value, null, or UNSET (only from a bound value). */
export function evalTerm(term: Term, receiver: Receiver, ctx: ExecContext): BoundValue {
  switch (term.kind) {
    case 'literal': return literalValue(receiver.type, term.value, receiver.name);
    case 'null': return null;
    case 'bind': {
      if (term.index >= ctx.values.length) throw new InvalidRequest(`No value bound for ${term.name ?? receiver.name}`);
      const v = ctx.values[term.index]!;
      if (v !== null && v !== UNSET) validateValue(receiver.type, v, receiver.name);
      return v;
    }
    case 'list': case 'set': return evalCollection(term, receiver, ctx);
    case 'map': return evalMap(term, receiver, ctx);
    case 'empty_braces': return evalEmptyBraces(receiver);
    case 'tuple': return evalTuple(term.elements, receiver, ctx);
    case 'udt': return evalUdt(term, receiver, ctx);
    case 'function_call': case 'binary': case 'negate': return evalCall(term, receiver, ctx);
    case 'cast': return evalTerm(term.term, hintReceiver(term, receiver), ctx);
    default: return assertNever(term, 'term');
  }
}

/** Like evalTerm but null and UNSET are errors (key and condition positions). */
export function evalRequired(term: Term, receiver: Receiver, ctx: ExecContext, what: 'condition' | 'key' = 'condition'): Buffer {
  const v = evalTerm(term, receiver, ctx);
  if (v === null) throw new InvalidRequest(`Invalid null value in condition for column ${receiver.name}`);
  if (v === UNSET) throw new InvalidRequest(what === 'key' ? `Invalid unset value for column ${receiver.name}` : `Invalid unset value for column ${receiver.name}`);
  return v;
}

/** The values of an IN (sorted and deduplicated by the receiver type's order). */
export function evalIn(values: InValues, receiver: Receiver, ctx: ExecContext): Buffer[] {
  let out: Buffer[];
  if (values.kind === 'marker') {
    const v = ctx.values[values.marker.index];
    if (v === undefined || v === null) throw new InvalidRequest(`Invalid null value for IN restriction on column ${receiver.name}`);
    if (v === UNSET) throw new InvalidRequest(`Invalid unset value for IN restriction on column ${receiver.name}`);
    out = deserializeElements(v, 'list');
  } else {
    out = values.terms.map((t) => {
      const v = evalTerm(t, receiver, ctx);
      if (v === null) throw new InvalidRequest(`Invalid null value in condition for column ${receiver.name}`);
      if (v === UNSET) throw new InvalidRequest(`Invalid unset value for column ${receiver.name}`);
      return v;
    });
  }
  return sortUnique(out, comparatorFor(receiver.type));
}

export function sortUnique(values: Buffer[], cmp: (a: Buffer, b: Buffer) => number): Buffer[] {
  const sorted = [...values].sort(cmp);
  return sorted.filter((v, i) => i === 0 || cmp(sorted[i - 1]!, v) !== 0);
}

function elementReceiver(receiver: Receiver, type: CqlType, prefix: string): Receiver {
  return { ...receiver, name: `${prefix}(${receiver.name})`, type };
}

function evalCollection(term: Extract<Term, { kind: 'list' | 'set' }>, receiver: Receiver, ctx: ExecContext): Buffer {
  const t = receiver.type;
  if (t.kind === 'map' && term.kind === 'set' && term.elements.length === 0) return serializeMap([]);
  if (t.kind !== 'list' && t.kind !== 'set') throw invalidLiteral(receiver, term.kind);
  const r = elementReceiver(receiver, t.element, 'value');
  const elements = term.elements.map((e) => {
    const v = evalTerm(e, r, ctx);
    if (v === null) throw new InvalidRequest(`null is not supported inside collections`);
    if (v === UNSET) throw new InvalidRequest(`Invalid unset value in collection for column ${receiver.name}`);
    return v;
  });
  if (t.kind === 'list') return serializeElements(elements);
  return serializeElements(sortUnique(elements, comparatorFor(t.element)));
}

function evalMap(term: Extract<Term, { kind: 'map' }>, receiver: Receiver, ctx: ExecContext): Buffer {
  const t = receiver.type;
  if (t.kind !== 'map') throw invalidLiteral(receiver, 'map');
  const kr = elementReceiver(receiver, t.key, 'key');
  const vr = elementReceiver(receiver, t.value, 'value');
  const entries: [Buffer, Buffer][] = term.entries.map((e) => {
    const k = evalTerm(e.key, kr, ctx);
    const v = evalTerm(e.value, vr, ctx);
    if (k === null || v === null) throw new InvalidRequest(`null is not supported inside collections`);
    if (k === UNSET || v === UNSET) throw new InvalidRequest(`Invalid unset value in collection for column ${receiver.name}`);
    return [k, v];
  });
  const cmp = comparatorFor(t.key);
  entries.sort((a, b) => cmp(a[0], b[0]));
  const unique = entries.filter((e, i) => i === entries.length - 1 || cmp(e[0], entries[i + 1]![0]) !== 0);
  return serializeMap(unique);
}

function evalEmptyBraces(receiver: Receiver): Buffer {
  const t = receiver.type;
  if (t.kind === 'set' || t.kind === 'map') return serializeElements([]);
  if (t.kind === 'udt') return serializeTuple(t.fieldNames.map(() => null));
  throw invalidLiteral(receiver, '{}');
}

function evalTuple(elements: Term[], receiver: Receiver, ctx: ExecContext): Buffer {
  const t = receiver.type;
  if (t.kind !== 'tuple') throw invalidLiteral(receiver, 'tuple');
  if (elements.length > t.elements.length) {
    throw new InvalidRequest(`Invalid tuple literal for ${receiver.name}: too many elements. Type ${typeToCql(t)} expects ${t.elements.length} but got ${elements.length}`);
  }
  return serializeTuple(elements.map((e, i) => {
    const v = evalTerm(e, { ...receiver, type: t.elements[i]! }, ctx);
    if (v === UNSET) throw new InvalidRequest(`Invalid unset value in tuple for column ${receiver.name}`);
    return v;
  }));
}

function evalUdt(term: Extract<Term, { kind: 'udt' }>, receiver: Receiver, ctx: ExecContext): Buffer {
  const t = receiver.type;
  if (t.kind !== 'udt') throw invalidLiteral(receiver, 'user type');
  const fields: (Buffer | null)[] = t.fieldNames.map(() => null);
  for (const f of term.fields) {
    const i = t.fieldNames.indexOf(f.field);
    if (i < 0) throw new InvalidRequest(`Unknown field '${f.field}' in value of user defined type ${t.name}`);
    const v = evalTerm(f.value, { ...receiver, name: `${receiver.name}.${f.field}`, type: t.fieldTypes[i]! }, ctx);
    if (v === UNSET) throw new InvalidRequest(`Invalid unset value in user type for column ${receiver.name}`);
    fields[i] = v;
  }
  return serializeTuple(fields);
}

function callArgs(term: CallTerm): Term[] {
  return term.kind === 'function_call' ? term.args : term.kind === 'binary' ? [term.left, term.right] : [term.operand];
}

function typeArgMarkers(term: CallTerm, receivers: Receiver[], specs: (ColumnSpec | undefined)[]): void {
  callArgs(term).forEach((a, i) => typeMarkers(a, receivers[i]!, specs));
}

/** Evaluates a function call or operation: arguments for the overload's types, then the function. */
function evalCall(term: CallTerm, receiver: Receiver, ctx: ExecContext): Buffer | null {
  const call = resolveCall(term, receiver, receiver.type);
  const args = callArgs(term).map((a, i) => {
    const v = evalTerm(a, call.args[i]!, ctx);
    if (v === UNSET) throw new InvalidRequest(`Invalid unset value for argument in call to function ${call.args[i]!.name}`);
    return v;
  });
  return call.apply(args, ctx.functions);
}

function invalidLiteral(receiver: Receiver, what: string): InvalidRequest {
  return new InvalidRequest(`Invalid ${what} literal for ${receiver.name} of type ${typeToCql(receiver.type)}`);
}
