// Fuzzing: any input either parses or throws CqlSyntaxError — never another error, never a hang.
// Inputs are random strings, random token soups, and mutations of the valid statements in the
// testdata corpus. A failure prints fast-check's seed and shrunk counterexample.

import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parseStatement, parseStatements, parseTypeString } from './parser.js';
import { summarize } from './summary.js';
import { CqlSyntaxError } from '../util/errors.js';
import { actualOutput, readCases } from './_testdata_cases.js';
import type { Statement } from './ast.js';


const DIR = fileURLToPath(new URL('../../../testdata/cql/', import.meta.url));
const RUNS_SCALE = Number(process.env['CQL_FUZZ_SCALE'] ?? '1');

function corpus(): string[] {
  const out: string[] = [];
  for (const name of readdirSync(DIR).filter((n) => n.endsWith('.txt'))) {
    const f = join(DIR, name);
    for (const c of readCases(readFileSync(f, 'utf8'))) {
      if (!actualOutput(c.input).startsWith('error:')) out.push(c.input);
    }
  }
  return out;
}

/** Parses and checks the invariants of a successful parse; rethrows anything but CqlSyntaxError. */
function parseOrSyntaxError(input: string): void {
  let s: Statement;
  try {
    s = parseStatement(input);
  } catch (e) {
    if (e instanceof CqlSyntaxError) {
      assert.match(e.message, /^line \d+:\d+ |exceeds the maximum/);
      return;
    }
    throw e;
  }
  assert.ok(s.span.start >= 0 && s.span.end <= input.length && s.span.start <= s.span.end, 'span inside input');
  s.bindMarkers.forEach((b, i) => assert.equal(b.index, i, 'markers numbered 0..n-1'));
  summarize(s);
}

function scriptOrSyntaxError(input: string): void {
  try {
    for (const { statement, text } of parseStatements(input)) assert.equal(input.slice(statement.span.start, statement.span.end), text);
  } catch (e) {
    if (!(e instanceof CqlSyntaxError)) throw e;
  }
}

function typeOrSyntaxError(input: string): void {
  try {
    parseTypeString(input);
  } catch (e) {
    if (!(e instanceof CqlSyntaxError)) throw e;
  }
}

const VOCABULARY = [
  'SELECT', 'FROM', 'WHERE', 'AND', 'IN', 'INSERT', 'INTO', 'VALUES', 'UPDATE', 'SET', 'DELETE', 'IF', 'NOT', 'EXISTS',
  'BEGIN', 'BATCH', 'APPLY', 'CREATE', 'TABLE', 'KEYSPACE', 'TYPE', 'PRIMARY', 'KEY', 'WITH', 'USING', 'TTL',
  'TIMESTAMP', 'LIMIT', 'token', 'count', 'CAST', 'AS', 'frozen', 'list', 'map', 'set', 'tuple', 'int', 'text',
  'null', 'true', 'NaN', 'Infinity', 'k', 'v', '"Q"', "'s'", '$$d$$', '0x1f', '1', '-1', '1.5e3', '1h2m', 'P1D',
  '123e4567-e89b-12d3-a456-426614174000', '?', ':n', '(', ')', '[', ']', '{', '}', ',', ';', '.', '..', ':', '=', '<',
  '>', '<=', '>=', '!=', '+', '-', '*', '/', '%', '+=', '-=', '--', '/*', '*/', '\n', ' ', "'", '"', '$$',
];

test('fuzz: random strings parse or throw CqlSyntaxError', () => {
  fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 })), (s) => {
    parseOrSyntaxError(s);
    scriptOrSyntaxError(s);
    typeOrSyntaxError(s);
  }), { numRuns: 2000 * RUNS_SCALE });
});

test('fuzz: token soups parse or throw CqlSyntaxError', () => {
  const soup = fc.array(fc.constantFrom(...VOCABULARY), { maxLength: 60 }).map((ws) => ws.join(' '));
  fc.assert(fc.property(soup, (s) => {
    parseOrSyntaxError(s);
    scriptOrSyntaxError(s);
    typeOrSyntaxError(s);
  }), { numRuns: 2000 * RUNS_SCALE });
});

type Mutation =
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'duplicate'; at: number; len: number }
  | { kind: 'truncate'; at: number };

function applyMutation(s: string, m: Mutation): string {
  const at = s.length === 0 ? 0 : m.at % (s.length + 1);
  switch (m.kind) {
    case 'delete': return s.slice(0, at) + s.slice(at + m.len);
    case 'insert': return s.slice(0, at) + m.text + s.slice(at);
    case 'duplicate': return s.slice(0, at) + s.slice(at, at + m.len) + s.slice(at);
    case 'truncate': return s.slice(0, at);
  }
}

test('fuzz: mutations of the valid corpus parse or throw CqlSyntaxError', () => {
  const valid = corpus();
  assert.ok(valid.length > 100, `corpus has ${valid.length} valid statements`);
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...VOCABULARY), fc.string({ maxLength: 3 })) }),
    fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 30 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  );
  const mutated = fc.tuple(fc.constantFrom(...valid), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([s, ms]) => ms.reduce(applyMutation, s));
  fc.assert(fc.property(mutated, (s) => {
    parseOrSyntaxError(s);
    scriptOrSyntaxError(s + ';' + s);
  }), { numRuns: 6000 * RUNS_SCALE });
});
