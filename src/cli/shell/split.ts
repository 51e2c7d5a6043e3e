// Statement splitting for the shell: turns lines of input into complete statements.
//
// A CQL statement ends at a `;` that is outside a string ('...'), a quoted identifier ("..."),
// a $$...$$ block, and a comment (`-- ...`, `// ...`, `/* ... */`). A batch
// (`BEGIN [UNLOGGED|COUNTER] BATCH ... APPLY BATCH;`) holds inner `;`s and ends only after
// `APPLY BATCH`. A shell command (DESCRIBE, EXPAND, EXIT, ...) also ends at the end of its line,
// as in cqlsh. Comments are removed from the emitted text; string contents are kept verbatim.

/** One complete statement, comments removed, without its terminating `;`. */
export interface Statement {
  text: string;
  /** 1-based line of input where the statement's first token is. */
  line: number;
}

type Mode = 'normal' | 'single_quote' | 'double_quote' | 'dollar' | 'block_comment';

/** First words that make a statement a shell command, which a newline may end. */
export const SHELL_COMMAND_WORDS: ReadonlySet<string> = new Set([
  'DESCRIBE', 'DESC', 'CONSISTENCY', 'SERIAL', 'TRACING', 'EXPAND', 'PAGING', 'SOURCE', 'SHOW',
  'HELP', '?', 'EXIT', 'QUIT', 'CLEAR', 'CLS',
]);

/** Longest statement the splitter buffers; past it the statement is dropped with an error. */
export const STATEMENT_CHARS_MAX = 16 * 1024 * 1024;

const BATCH_START = /^BEGIN\s+((UNLOGGED|COUNTER)\s+)?BATCH\b/i;
const BATCH_END = /\bAPPLY\s+BATCH\s*$/i;

export class StatementTooLong extends Error {
  override name = 'StatementTooLong';
}

/**
 * Incremental splitter: feed it lines (without their newline) and it returns the statements
 * each line completed. State (an open string, comment or statement) carries across lines.
 */
export class StatementSplitter {
  private mode: Mode = 'normal';
  private text = '';
  private startLine = 0;
  private lineNumber = 0;

  /** True while a statement, string or comment is open (the shell shows its continuation prompt). */
  pending(): boolean {
    return this.mode !== 'normal' || this.text.trim() !== '';
  }

  /** Forgets any partial statement (Ctrl-C in the interactive shell). */
  reset(): void {
    this.mode = 'normal';
    this.text = '';
    this.startLine = 0;
  }

  /** Consumes one line; returns the statements it completed, in order. */
  feedLine(line: string): Statement[] {
    this.lineNumber += 1;
    const out: Statement[] = [];
    let i = 0;
    while (i < line.length) i = this.step(line, i, out);
    if (this.mode === 'normal' && this.isShellCommand()) this.emit(out);
    else if (this.text !== '' || this.mode !== 'normal') this.append('\n');
    return out;
  }

  /** End of input: the unterminated rest (if any) as a last statement, as cqlsh -e accepts. */
  finish(): Statement[] {
    const out: Statement[] = [];
    if (this.mode === 'block_comment') this.mode = 'normal';
    if (this.text.trim() !== '') this.emit(out);
    this.reset();
    return out;
  }

  /** Handles the character(s) at `i`; returns the index after them. */
  private step(line: string, i: number, out: Statement[]): number {
    const c = line[i]!;
    const next = line[i + 1];
    switch (this.mode) {
      case 'single_quote':
      case 'double_quote': {
        const quote = this.mode === 'single_quote' ? "'" : '"';
        if (c === quote && next === quote) { this.append(c + next); return i + 2; }
        if (c === quote) this.mode = 'normal';
        this.append(c);
        return i + 1;
      }
      case 'dollar':
        if (c === '$' && next === '$') { this.mode = 'normal'; this.append('$$'); return i + 2; }
        this.append(c);
        return i + 1;
      case 'block_comment':
        if (c === '*' && next === '/') { this.mode = 'normal'; this.append(' '); return i + 2; }
        return i + 1;
      case 'normal':
        return this.stepNormal(line, i, out);
    }
  }

  private stepNormal(line: string, i: number, out: Statement[]): number {
    const c = line[i]!;
    const next = line[i + 1];
    if ((c === '-' && next === '-') || (c === '/' && next === '/')) return line.length;
    if (c === '/' && next === '*') { this.mode = 'block_comment'; return i + 2; }
    if (c === '$' && next === '$') { this.startIfEmpty(); this.mode = 'dollar'; this.append('$$'); return i + 2; }
    if (c === "'" || c === '"') { this.startIfEmpty(); this.mode = c === "'" ? 'single_quote' : 'double_quote'; this.append(c); return i + 1; }
    if (c === ';') {
      if (this.insideBatch()) { this.append(';'); return i + 1; }
      this.emit(out);
      return i + 1;
    }
    if (c.trim() !== '') this.startIfEmpty();
    if (this.text !== '' || c.trim() !== '') this.append(c);
    return i + 1;
  }

  private startIfEmpty(): void {
    if (this.text.trim() === '') { this.text = ''; this.startLine = this.lineNumber; }
  }

  private append(s: string): void {
    if (this.text.length + s.length > STATEMENT_CHARS_MAX) {
      this.reset();
      throw new StatementTooLong(`statement longer than ${STATEMENT_CHARS_MAX} characters; discarded`);
    }
    this.text += s;
  }

  private insideBatch(): boolean {
    const t = this.text.trim();
    return BATCH_START.test(t) && !BATCH_END.test(t);
  }

  private isShellCommand(): boolean {
    const t = this.text.trimStart();
    if (t === '') return false;
    const first = /^[^\s;]+/.exec(t);
    return first !== null && SHELL_COMMAND_WORDS.has(first[0].toUpperCase());
  }

  private emit(out: Statement[]): void {
    const text = this.text.trim();
    if (text !== '') out.push({ text, line: this.startLine || this.lineNumber });
    this.text = '';
    this.startLine = 0;
  }
}

/** Splits a whole text (an -e argument or a file) into statements. */
export function splitStatements(input: string): Statement[] {
  const splitter = new StatementSplitter();
  const out: Statement[] = [];
  for (const line of input.split(/\r?\n/)) out.push(...splitter.feedLine(line));
  out.push(...splitter.finish());
  return out;
}
