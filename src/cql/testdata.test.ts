// Table-driven parser tests over testdata/cql/*.txt.
//
// File format: cases separated by blank lines; lines starting with '#' are comments. A case is the
// CQL text (one or more lines), a line '----', then the expected output: the one-line summary of
// the AST (summary.ts), followed by `binds: 0 1=name ...` when the statement has bind markers; or
// `error: <message>` for a CqlSyntaxError. Set CQL_TESTDATA_REWRITE=1 to rewrite the expectations
// from the current parser (then review the diff).

import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { actualOutput, readCases } from './_testdata_cases.js';

const DIR = fileURLToPath(new URL('../../../testdata/cql/', import.meta.url));

export function testdataFiles(): string[] {
  return readdirSync(DIR).filter((f) => f.endsWith('.txt')).sort().map((f) => join(DIR, f));
}

for (const file of testdataFiles()) {
  test(`testdata ${file.slice(DIR.length)}`, () => {
    const text = readFileSync(file, 'utf8');
    const cases = readCases(text);
    assert.ok(cases.length > 0, 'file has cases');
    if (process.env['CQL_TESTDATA_REWRITE'] === '1') {
      const rewritten = rewrite(text);
      writeFileSync(file, rewritten);
      return;
    }
    for (const c of cases) {
      assert.equal(actualOutput(c.input), c.expected, `input: ${c.input}`);
    }
  });
}

function rewrite(text: string): string {
  return text.split(/\n\s*\n/).map((block) => {
    const lines = block.split('\n');
    const sep = lines.indexOf('----');
    if (sep < 0) return block;
    const input = lines.slice(0, sep).filter((l) => !l.startsWith('#')).join('\n');
    return [...lines.slice(0, sep + 1), actualOutput(input)].join('\n');
  }).join('\n\n').replace(/\n*$/, '\n');
}
