// CQL lexer: one pass over the text with charCodeAt (no regex per character), producing all tokens
// up front so the parser can look ahead freely. Comments and whitespace are skipped.
//
// Token values:
//   ident    unquoted identifier or keyword, lower-cased (raw text via source.slice(start, end))
//   qident   "quoted identifier", `""` unescaped to `"`, case kept
//   string   '...' (with '' → ') or $$...$$, unquoted
//   integer  digits (no sign; the parser folds a preceding '-')
//   float    digits with fraction and/or exponent
//   uuid     8-4-4-4-12 hex, as written
//   hex      blob constant without the 0x prefix
//   duration 1h30m, 12mo, P1DT2H, P2W, P0001-02-03T04:05:06, as written
//   punct    ( ) [ ] { } , ; . .. : ? = != < <= > >= + - * / % += -=

import { CqlSyntaxError } from '../util/errors.js';
import { lineColumn } from './_position.js';

export type TokenType =
  | 'ident' | 'qident' | 'string' | 'integer' | 'float' | 'uuid' | 'hex' | 'duration' | 'punct' | 'eof';

export interface Token {
  type: TokenType;
  value: string;
  start: number;
  end: number;
}

/** Longest CQL text accepted by the lexer (characters). Larger requests are refused with a syntax error. */
export const CQL_TEXT_LENGTH_MAX = 16 * 1024 * 1024;

const CH_TAB = 9, CH_LF = 10, CH_FF = 12, CH_CR = 13, CH_SPACE = 32;
const CH_DQUOTE = 34, CH_DOLLAR = 36, CH_QUOTE = 39, CH_STAR = 42, CH_PLUS = 43, CH_MINUS = 45, CH_DOT = 46;
const CH_SLASH = 47, CH_0 = 48, CH_9 = 57, CH_LT = 60, CH_EQ = 61, CH_GT = 62, CH_BANG = 33;
const CH_UNDERSCORE = 95, CH_X_UPPER = 88, CH_X_LOWER = 120, CH_MICRO = 0xb5, CH_GREEK_MU = 0x3bc;

const SINGLE_PUNCT = '()[]{},;:?%*';

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isIdentPart(c: number): boolean {
  return isLetter(c) || isDigit(c) || c === CH_UNDERSCORE;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

export function lexError(source: string, offset: number, message: string): CqlSyntaxError {
  const { line, column } = lineColumn(source, offset);
  return new CqlSyntaxError(`line ${line}:${column} ${message}`);
}

function describeChar(source: string, offset: number): string {
  return offset >= source.length ? '<EOF>' : source[offset]!;
}

/** Splits `source` into tokens, ending with one 'eof' token. Throws CqlSyntaxError on a bad token. */
export function tokenize(source: string): Token[] {
  if (source.length > CQL_TEXT_LENGTH_MAX) {
    throw new CqlSyntaxError(`CQL text of ${source.length} characters exceeds the maximum of ${CQL_TEXT_LENGTH_MAX}`);
  }
  const tokens: Token[] = [];
  const n = source.length;
  let i = 0;
  while (true) {
    i = skipTrivia(source, i);
    if (i >= n) break;
    const c = source.charCodeAt(i);
    let end: number;
    if (isHex(c) && (end = matchUuid(source, i)) > 0) {
      tokens.push({ type: 'uuid', value: source.slice(i, end), start: i, end });
    } else if (isDigit(c)) {
      end = lexNumber(source, i, tokens);
    } else if (isLetter(c)) {
      end = lexWord(source, i, tokens);
    } else if (c === CH_QUOTE) {
      end = lexQuotedString(source, i, tokens);
    } else if (c === CH_DQUOTE) {
      end = lexQuotedIdent(source, i, tokens);
    } else if (c === CH_DOLLAR && source.charCodeAt(i + 1) === CH_DOLLAR) {
      end = lexDollarString(source, i, tokens);
    } else {
      end = lexPunct(source, i, tokens);
    }
    i = end;
  }
  tokens.push({ type: 'eof', value: '<EOF>', start: n, end: n });
  return tokens;
}

function skipTrivia(source: string, start: number): number {
  const n = source.length;
  let i = start;
  while (i < n) {
    const c = source.charCodeAt(i);
    if (c === CH_SPACE || c === CH_LF || c === CH_CR || c === CH_TAB || c === CH_FF) {
      i++;
    } else if ((c === CH_MINUS && source.charCodeAt(i + 1) === CH_MINUS) || (c === CH_SLASH && source.charCodeAt(i + 1) === CH_SLASH)) {
      while (i < n && source.charCodeAt(i) !== CH_LF) i++;
    } else if (c === CH_SLASH && source.charCodeAt(i + 1) === CH_STAR) {
      const close = source.indexOf('*/', i + 2);
      if (close < 0) throw lexError(source, i, `mismatched character '<EOF>' expecting '*/' (unterminated comment)`);
      i = close + 2;
    } else {
      break;
    }
  }
  return i;
}

const UUID_GROUPS = [8, 4, 4, 4, 12];

/** End offset of a uuid starting at `start`, or 0. */
function matchUuid(source: string, start: number): number {
  let i = start;
  for (let g = 0; g < UUID_GROUPS.length; g++) {
    if (g > 0) {
      if (source.charCodeAt(i) !== CH_MINUS) return 0;
      i++;
    }
    for (let k = 0; k < UUID_GROUPS[g]!; k++, i++) {
      if (!isHex(source.charCodeAt(i))) return 0;
    }
  }
  return isIdentPart(source.charCodeAt(i)) ? 0 : i;
}

function lexNumber(source: string, start: number, tokens: Token[]): number {
  const c1 = source.charCodeAt(start + 1);
  if (source.charCodeAt(start) === CH_0 && (c1 === CH_X_LOWER || c1 === CH_X_UPPER)) {
    let i = start + 2;
    while (isHex(source.charCodeAt(i))) i++;
    if (isIdentPart(source.charCodeAt(i))) throw lexError(source, i, `no viable alternative at character '${source[i]}' in blob constant`);
    tokens.push({ type: 'hex', value: source.slice(start + 2, i), start, end: i });
    return i;
  }
  let i = start;
  while (isDigit(source.charCodeAt(i))) i++;
  let isFloat = false;
  if (source.charCodeAt(i) === CH_DOT && source.charCodeAt(i + 1) !== CH_DOT) {
    isFloat = true;
    i++;
    while (isDigit(source.charCodeAt(i))) i++;
  }
  const e = source.charCodeAt(i);
  if (e === 101 || e === 69) {
    let j = i + 1;
    const s = source.charCodeAt(j);
    if (s === CH_PLUS || s === CH_MINUS) j++;
    if (isDigit(source.charCodeAt(j))) {
      while (isDigit(source.charCodeAt(j))) j++;
      isFloat = true;
      i = j;
    }
  }
  const after = source.charCodeAt(i);
  if (!isFloat && (isLetter(after) || after === CH_MICRO || after === CH_GREEK_MU)) {
    const end = matchUnitDuration(source, start);
    if (end > 0) {
      tokens.push({ type: 'duration', value: source.slice(start, end), start, end });
      return end;
    }
  }
  tokens.push({ type: isFloat ? 'float' : 'integer', value: source.slice(start, i), start, end: i });
  return i;
}

/** Length of a duration unit at `i` (y mo w d h m s ms us µs ns), or 0. */
function unitLength(source: string, i: number): number {
  const c = lower(source.charCodeAt(i));
  const d = lower(source.charCodeAt(i + 1));
  switch (c) {
    case 121: case 119: case 100: case 104: case 115: return 1; // y w d h s
    case 109: return d === 111 || d === 115 ? 2 : 1; // mo ms m
    case 117: case 110: return d === 115 ? 2 : 0; // us ns
    case CH_MICRO: case CH_GREEK_MU: return d === 115 ? 2 : 0; // µs
    default: return 0;
  }
}

/** `(digits unit)+` ending before a non-identifier character; returns the end offset or 0. */
function matchUnitDuration(source: string, start: number): number {
  let i = start;
  while (isDigit(source.charCodeAt(i))) {
    while (isDigit(source.charCodeAt(i))) i++;
    const len = unitLength(source, i);
    if (len === 0) return 0;
    i += len;
  }
  return isIdentPart(source.charCodeAt(i)) || i === start ? 0 : i;
}

/** ISO 8601 durations: P1Y2M3DT4H5M6S (at least one part), P2W, P0001-02-03T04:05:06. Returns end or 0. */
function matchIsoDuration(source: string, start: number): number {
  let i = start + 1; // after P
  const alt = matchIsoAlternative(source, i);
  if (alt > 0) return alt;
  let parts = 0;
  let inTime = false;
  while (true) {
    const c = lower(source.charCodeAt(i));
    if (c === 116 && !inTime) { // t
      inTime = true;
      i++;
      continue;
    }
    if (!isDigit(c)) break;
    while (isDigit(source.charCodeAt(i))) i++;
    const u = lower(source.charCodeAt(i));
    const ok = inTime ? u === 104 || u === 109 || u === 115 : u === 121 || u === 109 || u === 100 || u === 119;
    if (!ok) return 0;
    i++;
    parts++;
  }
  if (parts === 0 || isIdentPart(source.charCodeAt(i))) return 0;
  return i;
}

function matchIsoAlternative(source: string, start: number): number {
  const pattern = 'dddd-dd-ddTdd:dd:dd';
  for (let k = 0; k < pattern.length; k++) {
    const c = source.charCodeAt(start + k);
    const p = pattern[k]!;
    if (p === 'd' ? !isDigit(c) : lower(c) !== lower(p.charCodeAt(0))) return 0;
  }
  const end = start + pattern.length;
  return isIdentPart(source.charCodeAt(end)) ? 0 : end;
}

function lexWord(source: string, start: number, tokens: Token[]): number {
  const c = source.charCodeAt(start);
  if (c === 80 || c === 112) { // P / p
    const end = matchIsoDuration(source, start);
    if (end > 0) {
      tokens.push({ type: 'duration', value: source.slice(start, end), start, end });
      return end;
    }
  }
  let upper = c <= 90;
  let i = start + 1;
  for (let d = source.charCodeAt(i); isIdentPart(d); d = source.charCodeAt(++i)) {
    if (d >= 65 && d <= 90) upper = true;
  }
  const text = source.slice(start, i);
  tokens.push({ type: 'ident', value: upper ? text.toLowerCase() : text, start, end: i });
  return i;
}

function lexQuotedString(source: string, start: number, tokens: Token[]): number {
  const { value, end } = readDoubledQuoted(source, start, "'", 'string');
  tokens.push({ type: 'string', value, start, end });
  return end;
}

function lexDollarString(source: string, start: number, tokens: Token[]): number {
  const close = source.indexOf('$$', start + 2);
  if (close < 0) throw lexError(source, source.length, `mismatched character '<EOF>' expecting '$$' (unterminated string starting at offset ${start})`);
  tokens.push({ type: 'string', value: source.slice(start + 2, close), start, end: close + 2 });
  return close + 2;
}

function lexQuotedIdent(source: string, start: number, tokens: Token[]): number {
  const { value, end } = readDoubledQuoted(source, start, '"', 'quoted identifier');
  if (value.length === 0) throw lexError(source, start, `no viable alternative at input '""' (empty quoted identifier)`);
  tokens.push({ type: 'qident', value, start, end });
  return end;
}

/**
 * The text between the `quote` at `start` and its closing quote, a doubled quote standing for one;
 * `end` is just past the closing quote. `what` names the token in the unterminated error.
 */
function readDoubledQuoted(source: string, start: number, quote: "'" | '"', what: string): { value: string; end: number } {
  let i = start + 1;
  let value = '';
  let chunkStart = i;
  while (true) {
    const close = source.indexOf(quote, i);
    if (close < 0) throw lexError(source, source.length, `mismatched character '<EOF>' expecting '${quote}' (unterminated ${what} starting at offset ${start})`);
    if (source[close + 1] === quote) {
      value += source.slice(chunkStart, close + 1);
      i = close + 2;
      chunkStart = i;
      continue;
    }
    value += source.slice(chunkStart, close);
    return { value, end: close + 1 };
  }
}

function lexPunct(source: string, start: number, tokens: Token[]): number {
  const c = source.charCodeAt(start);
  const next = source.charCodeAt(start + 1);
  let len = 0;
  if (SINGLE_PUNCT.indexOf(source[start]!) >= 0) len = 1;
  else if (c === CH_DOT) len = next === CH_DOT ? 2 : 1;
  else if (c === CH_EQ) len = 1;
  else if (c === CH_LT || c === CH_GT || c === CH_PLUS || c === CH_MINUS) len = next === CH_EQ ? 2 : 1;
  else if (c === CH_BANG && next === CH_EQ) len = 2;
  else if (c === CH_SLASH) len = 1;
  if (len === 0) {
    throw lexError(source, start, `no viable alternative at character '${describeChar(source, start)}'`);
  }
  const end = start + len;
  tokens.push({ type: 'punct', value: source.slice(start, end), start, end });
  return end;
}
