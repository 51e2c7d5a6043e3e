// Property tests over every CQL type: serialize/deserialize round trip, validate accepts what
// serialize makes, compareValues agrees with an independent reference order, formatLiteral reads
// back through fromLiteral, toJson reads back through fromJson.

import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type TypeCase, compositeCases, nativeCase } from './_arbitraries.js';
import { type CqlValue, deserialize, serialize, validate } from './codec.js';
import { comparatorFor } from './compare.js';
import { formatDisplay, formatLiteral } from './format.js';
import { fromLiteral } from './fromliteral.js';
import { fromJson, toJson } from './json.js';
import type { Literal } from './literal.js';
import { NATIVE_TYPE_NAMES, typeToCql } from './types.js';

const RUNS = 150;
const natives = NATIVE_TYPE_NAMES.map(nativeCase);
const composites = [
  ...compositeCases(nativeCase('int'), nativeCase('text')),
  ...compositeCases(nativeCase('text'), nativeCase('bigint')),
  ...compositeCases(nativeCase('double'), nativeCase('timeuuid')),
  ...compositeCases(nativeCase('decimal'), nativeCase('varint')),
  ...compositeCases(nativeCase('duration'), nativeCase('uuid')),
  // nested frozen collections
  ...compositeCases(compositeCases(nativeCase('int'), nativeCase('text'))[0]!, nativeCase('date')),
  ...compositeCases(compositeCases(nativeCase('blob'), nativeCase('int'))[2]!, nativeCase('inet')),
];
const all: TypeCase[] = [...natives, ...composites];

function hasNonFinite(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isFinite(v);
  if (Array.isArray(v)) return v.some(hasNonFinite);
  if (v instanceof Map) return [...v.entries()].some(hasNonFinite);
  if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) return Object.values(v).some(hasNonFinite);
  return false;
}

function sign(n: number): number {
  return n > 0 ? 1 : n < 0 ? -1 : 0;
}

function normalizeFloats(type: TypeCase, v: CqlValue): CqlValue {
  // A float goes through 32 bits: compare against the rounded value.
  return type.type.kind === 'native' && type.type.name === 'float' && typeof v === 'number' ? Math.fround(v) : v;
}

for (const c of all) {
  const name = typeToCql(c.type);

  test(`round trip serialize/deserialize/validate: ${name}`, () => {
    fc.assert(fc.property(c.value, (v) => {
      const bytes = serialize(c.type, v);
      validate(c.type, bytes);
      const back = deserialize(c.type, bytes);
      assert.deepEqual(serialize(c.type, back), bytes);
      if (c.type.kind === 'native') assert.deepEqual(back, normalizeFloats(c, v));
    }), { numRuns: RUNS });
  });

  if (c.order !== null) {
    const order = c.order;
    test(`compareValues matches reference order: ${name}`, () => {
      const cmp = comparatorFor(c.type);
      fc.assert(fc.property(c.value, c.value, (a, b) => {
        const x = serialize(c.type, a);
        const y = serialize(c.type, b);
        const expected = sign(order(normalizeFloats(c, a), normalizeFloats(c, b)));
        assert.equal(sign(cmp(x, y)), expected, 'order');
        assert.equal(sign(cmp(y, x)) + expected, 0, 'antisymmetric');
        assert.equal(cmp(x, x), 0);
        assert.ok(cmp(Buffer.alloc(0), x) <= 0, 'empty sorts first');
      }), { numRuns: RUNS });
    });
  }

  test(`toJson then fromJson gives the same bytes: ${name}`, () => {
    fc.assert(fc.property(c.value, (v) => {
      const bytes = serialize(c.type, v);
      const json = toJson(c.type, bytes);
      if (hasNonFinite(v)) return; // JSON has no NaN/Infinity: toJson writes null
      const back = fromJson(c.type, json);
      assert.ok(back !== null);
      assert.deepEqual(back, bytes, json);
    }), { numRuns: RUNS });
  });

  test(`formatDisplay never throws: ${name}`, () => {
    fc.assert(fc.property(c.value, (v) => {
      assert.equal(typeof formatDisplay(c.type, serialize(c.type, v)), 'string');
    }), { numRuns: 50 });
  });
}

/** The Literal the CQL lexer would make of a native constant's text. */
function literalOfText(text: string): Literal {
  if (text.startsWith("'")) return { kind: 'string', text: text.slice(1, -1).replace(/''/g, "'") };
  if (text.startsWith('0x')) return { kind: 'hex', text: text.slice(2) };
  if (text === 'true' || text === 'false') return { kind: 'boolean', text };
  if (/^[0-9a-f]{8}-/.test(text)) return { kind: 'uuid', text };
  if (/^-?\d+$/.test(text)) return { kind: 'integer', text };
  if (/^-?(\d|NaN|Infinity)/.test(text) && !/[a-zA-DF-Z]/.test(text.replace(/NaN|Infinity/, ''))) return { kind: 'float', text };
  return { kind: 'duration', text };
}

for (const c of natives) {
  if (c.type.kind !== 'native' || c.type.name === 'empty') continue;
  const type = c.type;
  test(`formatLiteral then fromLiteral gives the same bytes: ${type.name}`, () => {
    fc.assert(fc.property(c.value, (v) => {
      const bytes = serialize(type, v);
      const text = formatLiteral(type, bytes);
      assert.deepEqual(fromLiteral(type, literalOfText(text)), bytes, text);
    }), { numRuns: RUNS });
  });
}
