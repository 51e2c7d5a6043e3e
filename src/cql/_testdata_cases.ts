// Reading testdata/cql case files and rendering a parse result the way they expect (shared by the
// table-driven test and the fuzz test). Format: see src/cql/testdata.test.ts.

import { parseStatement } from './parser.js';
import { summarize } from './summary.js';
import { CqlSyntaxError } from '../util/errors.js';

export interface Case {
  input: string;
  expected: string;
}

export function readCases(text: string): Case[] {
  const cases: Case[] = [];
  const blocks = text.split(/\n\s*\n/);
  for (const block of blocks) {
    const lines = block.split('\n').filter((l) => !l.startsWith('#'));
    const sep = lines.indexOf('----');
    if (sep < 0) {
      if (lines.some((l) => l.trim() !== '')) throw new Error(`case without '----': ${block}`);
      continue;
    }
    cases.push({ input: lines.slice(0, sep).join('\n'), expected: lines.slice(sep + 1).join('\n').trim() });
  }
  return cases;
}

export function actualOutput(input: string): string {
  try {
    const s = parseStatement(input);
    const out = summarize(s);
    if (s.bindMarkers.length === 0) return out;
    return `${out}\nbinds: ${s.bindMarkers.map((b) => (b.name === undefined ? `${b.index}` : `${b.index}=${b.name}`)).join(' ')}`;
  } catch (e) {
    if (e instanceof CqlSyntaxError) return `error: ${e.message}`;
    throw e;
  }
}

