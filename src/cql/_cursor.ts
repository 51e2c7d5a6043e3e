// The parser's position in the token array, plus the shared helpers every grammar file uses:
// keyword/punctuation tests, identifiers, bind marker numbering, nesting depth and error messages
// shaped like Cassandra's (ANTLR) ones: `line L:C mismatched input 'X' expecting Y (snippet)`.

import { CqlSyntaxError } from '../util/errors.js';
import type { Literal, LiteralKind } from '../schema/literal.js';
import type { ArithmeticOp, BindMarker, BindMarkerInfo, QualifiedName, Span } from './ast.js';
import { tokenize, type Token } from './lexer.js';
import { lineColumn } from './_position.js';

/** Deepest nesting of terms, types and selectors accepted (guards the recursion). */
export const CQL_NESTING_DEPTH_MAX = 64;

/** Tokens shown before the offending token in an error snippet (Cassandra shows up to 10). */
import { APPENDIX_A_RESERVED_KEYWORDS } from '../schema/keywords.js';

export { APPENDIX_A_RESERVED_KEYWORDS };

const SNIPPET_TOKENS_BEFORE = 10;
const SNIPPET_CHARS_MAX = 120;

/** Words the parser never takes as unquoted identifiers: Appendix A, plus the boolean constants (tokens of their own in Cassandra's grammar). */
export const RESERVED_KEYWORDS: ReadonlySet<string> = new Set([...APPENDIX_A_RESERVED_KEYWORDS, 'true', 'false']);

export class Cursor {
  readonly tokens: Token[];
  pos = 0;
  private depth = 0;
  /** Every bind marker met so far, in index order. */
  readonly binds: BindMarkerInfo[] = [];

  constructor(readonly source: string) {
    this.tokens = tokenize(source);
  }

  peek(ahead = 0): Token {
    const i = this.pos + ahead;
    return this.tokens[i < this.tokens.length ? i : this.tokens.length - 1]!;
  }

  next(): Token {
    const t = this.peek();
    if (t.type !== 'eof') this.pos++;
    return t;
  }

  /** End offset of the last consumed token (start of the text when nothing was consumed). */
  lastEnd(): number {
    return this.pos > 0 ? this.tokens[this.pos - 1]!.end : 0;
  }

  spanFrom(start: number): Span {
    return { start, end: Math.max(start, this.lastEnd()) };
  }

  atEof(): boolean {
    return this.peek().type === 'eof';
  }

  /** True when the token `ahead` is the unquoted keyword `kw` (lower case). */
  isKw(kw: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.type === 'ident' && t.value === kw;
  }

  acceptKw(kw: string): boolean {
    if (!this.isKw(kw)) return false;
    this.pos++;
    return true;
  }

  expectKw(kw: string): Token {
    if (!this.isKw(kw)) throw this.mismatch(kw.toUpperCase());
    return this.next();
  }

  isPunct(p: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.type === 'punct' && t.value === p;
  }

  acceptPunct(p: string): boolean {
    if (!this.isPunct(p)) return false;
    this.pos++;
    return true;
  }

  expectPunct(p: string): Token {
    if (!this.isPunct(p)) throw this.mismatch(`'${p}'`);
    return this.next();
  }

  /** True when the token `ahead` can be an identifier: quoted, or unquoted and not reserved. */
  isIdent(ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.type === 'qident' || (t.type === 'ident' && !RESERVED_KEYWORDS.has(t.value));
  }

  /** Consumes an identifier and returns its normalized name. */
  ident(what = 'IDENT'): string {
    if (!this.isIdent()) throw this.mismatch(what);
    return this.next().value;
  }

  /** `name` or `ks.name`. */
  qualifiedName(what = 'IDENT'): QualifiedName {
    const first = this.ident(what);
    if (!this.acceptPunct('.')) return { name: first };
    return { keyspace: first, name: this.ident(what) };
  }

  /** `IF NOT EXISTS` if present. */
  acceptIfNotExists(): boolean {
    if (!this.isKw('if')) return false;
    this.pos++;
    this.expectKw('not');
    this.expectKw('exists');
    return true;
  }

  /** `IF EXISTS` if present. */
  acceptIfExists(): boolean {
    if (!this.isKw('if')) return false;
    this.pos++;
    this.expectKw('exists');
    return true;
  }

  /** Consumes a string constant. */
  stringValue(what = 'STRING_LITERAL'): string {
    const t = this.peek();
    if (t.type !== 'string') throw this.mismatch(what);
    this.pos++;
    return t.value;
  }

  newBind(start: number, name?: string): BindMarker {
    const span = this.spanFrom(start);
    const info: BindMarkerInfo = name === undefined ? { index: this.binds.length, span } : { index: this.binds.length, name, span };
    this.binds.push(info);
    return name === undefined ? { kind: 'bind', index: info.index, span } : { kind: 'bind', index: info.index, name, span };
  }

  /** Enter one nesting level (terms, types, selectors); pair with leave(). */
  enter(): void {
    this.depth++;
    if (this.depth > CQL_NESTING_DEPTH_MAX) {
      throw this.errorAt(this.peek(), `nesting deeper than the maximum of ${CQL_NESTING_DEPTH_MAX} levels at input '${this.tokenText(this.peek())}'`);
    }
  }

  leave(): void {
    this.depth--;
  }

  leaveMany(levels: number): void {
    this.depth -= levels;
  }

  tokenText(t: Token): string {
    return t.type === 'eof' ? '<EOF>' : this.source.slice(t.start, t.end);
  }

  /** `mismatched input 'X' expecting <expecting>` at the current token. */
  mismatch(expecting: string): CqlSyntaxError {
    const t = this.peek();
    return this.errorAt(t, `mismatched input '${this.tokenText(t)}' expecting ${expecting}`);
  }

  /** `no viable alternative at input 'X'` at the current token (or `t`). */
  noViable(t: Token = this.peek()): CqlSyntaxError {
    return this.errorAt(t, `no viable alternative at input '${this.tokenText(t)}'`);
  }

  /** An error located at token `t`, with Cassandra's `(... [offending]...)` snippet appended. */
  errorAt(t: Token, message: string): CqlSyntaxError {
    const { line, column } = lineColumn(this.source, t.start);
    return new CqlSyntaxError(`line ${line}:${column} ${message}${this.snippet(t)}`);
  }

  private snippet(t: Token): string {
    const index = this.tokens.indexOf(t);
    if (index < 0) return '';
    const firstIndex = Math.max(0, index - SNIPPET_TOKENS_BEFORE);
    let before = this.source.slice(this.tokens[firstIndex]!.start, t.start);
    let lead = firstIndex > 0 ? '...' : '';
    if (before.length > SNIPPET_CHARS_MAX) {
      before = before.slice(before.length - SNIPPET_CHARS_MAX);
      lead = '...';
    }
    const trail = t.type !== 'eof' && index + 1 < this.tokens.length - 1 ? '...' : '';
    return ` (${lead}${before}[${this.tokenText(t)}]${trail})`;
  }
}

export function literal(kind: LiteralKind, text: string): Literal {
  return { kind, text };
}

/** The operators of one precedence level: `+ -` bind looser than `* / %`. */
export const ADDITIVE_OPS: readonly ArithmeticOp[] = ['+', '-'];
export const MULTIPLICATIVE_OPS: readonly ArithmeticOp[] = ['*', '/', '%'];

/** A binary arithmetic node over operands of type T (terms and selectors share this shape). */
export interface BinaryNode<T> {
  kind: 'binary';
  op: ArithmeticOp;
  left: T;
  right: T;
  span: Span;
}

/** What a chain of operands of type T can be: one operand, or a binary node over chains. */
export type Chain<T> = T | BinaryNode<Chain<T>>;

/**
 * `operand (op operand)*` for one precedence level, folded left-deep, each node spanning from the
 * first operand. `stopBefore` is asked with an operator next, before it is consumed: true leaves
 * the operator for the caller. Each link counts one nesting level while the chain is built, as a
 * left-deep chain is as deep as its length for whoever walks it.
 */
export function parseBinaryChain<T>(
  p: Cursor,
  ops: readonly ArithmeticOp[],
  operand: (p: Cursor) => T,
  stopBefore?: (p: Cursor) => boolean,
): Chain<T> {
  const start = p.peek().start;
  let left: Chain<T> = operand(p);
  let chain = 0;
  for (let op = nextOp(p, ops); op !== undefined; op = nextOp(p, ops)) {
    if (stopBefore?.(p)) break;
    p.next();
    const right = operand(p);
    left = { kind: 'binary', op, left, right, span: p.spanFrom(start) };
    p.enter();
    chain++;
  }
  p.leaveMany(chain);
  return left;
}

function nextOp(p: Cursor, ops: readonly ArithmeticOp[]): ArithmeticOp | undefined {
  return ops.find((op) => p.isPunct(op));
}
