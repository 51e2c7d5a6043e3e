// The shell engine: runs parsed statements against a CqlSession and writes what cqlsh would.
// It owns the session settings (consistency, tracing, expand, paging) and counts errors; reading
// input (REPL, -e, -f) is io.ts's job. All output goes through ShellIO so tests can capture it.

import { assertNever } from '../../util/assert.js';
import { parseCommand, type Command, type DescribeTarget, type PagingSetting, type Toggle } from './commands.js';
import { describeOutput, keyspaceStatements, SYSTEM_KEYSPACES, tableCql, typeCql, type KeyspaceDescription } from './describe.js';
import { formatError, withLocation } from './errors.js';
import { DEFAULT_FORMAT_OPTIONS, formatTimestamp, formatValue, type FormatOptions } from './format.js';
import { helpText } from './help.js';
import { columnize, renderExpanded, renderTable } from './render.js';
import type { CqlSession, ResultPage } from './session.js';
import { splitStatements, type Statement } from './split.js';
import { SHELL_VERSION } from './args.js';

export interface ShellIO {
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes one message line to standard error. */
  err(line: string): void;
  /** Shows ---MORE--- and waits for Enter; false when input ended (stop paging). */
  more(): Promise<boolean>;
  readFile(path: string): Promise<string>;
}

export interface ShellConfig {
  /** Terminal mode: headers on every page, ---MORE--- between pages, no location prefixes. */
  tty: boolean;
  format?: FormatOptions;
}

/** Default page size with PAGING ON, as in cqlsh. */
export const DEFAULT_PAGE_SIZE = 100;
/** Page size used with PAGING OFF: all pages are printed, fetched this many rows at a time. */
export const UNPAGED_FETCH_SIZE = 5000;
/** Deepest SOURCE nesting (a file that sources itself stops here). */
export const SOURCE_DEPTH_MAX = 16;
/** Most pages printed for one statement; a bound on a runaway result. */
export const PAGES_MAX = 1_000_000;

/** Statements whose rows are listed with paging and a `(N rows)` count. */
const ROW_LISTING = /^\s*(SELECT|LIST)\b/i;

export class ShellError extends Error {
  override name = 'ShellError';
}

export type StepResult = 'continue' | 'exit';

export class Shell {
  consistency = 'ONE';
  serialConsistency: string | undefined = undefined;
  tracing = false;
  expand = false;
  paging = true;
  pageSize = DEFAULT_PAGE_SIZE;
  /** Statements that failed (server errors, bad shell commands, DESCRIBE of missing objects). */
  errorCount = 0;
  private readonly format: FormatOptions;
  private sourceDepth = 0;

  constructor(private readonly session: CqlSession, private readonly io: ShellIO, private readonly config: ShellConfig) {
    this.format = config.format ?? DEFAULT_FORMAT_OPTIONS;
  }

  /** `cassia> ` or `cassia:ks> `. */
  prompt(): string {
    const ks = this.session.keyspace();
    return ks ? `cassia:${ks}> ` : 'cassia> ';
  }

  /** Continuation prompt, as wide as the prompt. */
  continuationPrompt(): string {
    return ' '.repeat(Math.max(0, this.prompt().length - 4)) + '... ';
  }

  /** Runs every statement of a text (an -e argument, a file); stops early on EXIT. */
  async runText(text: string, source: string | undefined): Promise<StepResult> {
    for (const statement of splitStatements(text)) {
      if ((await this.runStatement(statement, source)) === 'exit') return 'exit';
    }
    return 'continue';
  }

  /** Runs one statement; errors are printed (with `source:line:` when source is given) and counted. */
  async runStatement(statement: Statement, source: string | undefined): Promise<StepResult> {
    try {
      return await this.run(parseCommand(statement.text), source);
    } catch (err) {
      this.errorCount += 1;
      this.io.err(withLocation(source, statement.line, formatError(err)));
      return 'continue';
    }
  }

  private async run(cmd: Command, source: string | undefined): Promise<StepResult> {
    switch (cmd.kind) {
      case 'cql': await this.executeCql(cmd.text); return 'continue';
      case 'describe': await this.describe(cmd.target); return 'continue';
      case 'consistency': this.setConsistency(cmd.level); return 'continue';
      case 'serial_consistency': this.setSerialConsistency(cmd.level); return 'continue';
      case 'tracing': this.setTracing(cmd.setting); return 'continue';
      case 'expand': this.setExpand(cmd.setting); return 'continue';
      case 'paging': this.setPaging(cmd.setting); return 'continue';
      case 'source': return this.source(cmd.file);
      case 'show': this.show(cmd.what); return 'continue';
      case 'help': this.io.out(helpText(cmd.topic)); return 'continue';
      case 'exit': return 'exit';
      case 'clear': if (this.config.tty) this.io.out('\x1b[2J\x1b[H'); return 'continue';
      case 'invalid': throw new ShellError(cmd.message);
      default: return assertNever(cmd, 'shell command');
    }
  }

  private line(text = ''): void {
    this.io.out(text + '\n');
  }

  // ---- CQL ----

  private async executeCql(text: string): Promise<void> {
    const fetchSize = this.paging ? this.pageSize : UNPAGED_FETCH_SIZE;
    const base = { fetchSize, consistency: this.consistency, trace: this.tracing,
      ...(this.serialConsistency !== undefined ? { serialConsistency: this.serialConsistency } : {}) };
    const first = await this.session.execute(text, base);
    if (first.columns !== null && ROW_LISTING.test(text)) {
      await this.printRows(first, (pageState) => this.session.execute(text, { ...base, pageState }));
    } else if (first.columns !== null) {
      // A conditional write's [applied] row: printed as a table without a row count, like cqlsh.
      this.line();
      this.printPage(first.columns.map((c) => c.name), first, true, 0);
    }
    this.printWarnings(first.warnings);
    if (this.tracing && first.traceId !== null) await this.printTrace(first.traceId);
  }

  private async printRows(first: ResultPage, nextPage: (pageState: string) => Promise<ResultPage>): Promise<void> {
    const names = first.columns!.map((c) => c.name);
    let page = first;
    let rowCount = 0;
    this.line();
    for (let pageNumber = 0; pageNumber < PAGES_MAX; pageNumber++) {
      if (page.rows.length > 0 || pageNumber === 0) {
        this.printPage(names, page, pageNumber === 0 || this.config.tty, rowCount);
        rowCount += page.rows.length;
      }
      if (page.pageState === null) {
        if (!this.config.tty) this.line();
        break;
      }
      if (this.config.tty && this.paging && !(await this.io.more())) break;
      page = await nextPage(page.pageState);
    }
    this.line(`(${rowCount} rows)`);
  }

  private printPage(names: string[], page: ResultPage, withHeader: boolean, rowsBefore: number): void {
    const types = page.columns?.map((c) => c.type) ?? [];
    const cells = page.rows.map((row) => row.map((v, i) => formatValue(v, types[i], this.format)));
    let lines: string[];
    if (this.expand && cells.length > 0) lines = renderExpanded(names, cells, rowsBefore + 1);
    else lines = renderTable(names, cells, { withHeader });
    if (this.config.tty && cells.length > 0 && !this.expand) lines.push('');
    for (const l of lines) this.line(l);
  }

  private printWarnings(warnings: string[]): void {
    if (warnings.length === 0) return;
    this.line();
    this.line('Warnings :');
    for (const w of warnings) { this.line(w); this.line(); }
  }

  private async printTrace(traceId: string): Promise<void> {
    let trace;
    try {
      trace = await this.session.trace(traceId);
    } catch (err) {
      this.io.err(`Statement trace did not complete: ${formatError(err)}`);
      return;
    }
    const ts = (d: Date | null) => (d === null ? '' : formatTimestamp(d).replace(/\+0000$/, ''));
    const rows: string[][] = [[`Execute CQL3 query`, ts(trace.startedAt), trace.coordinator, '0', trace.clientAddress]];
    for (const e of trace.events) {
      rows.push([e.activity, ts(e.at), e.source, e.elapsedMicros === null ? '' : String(e.elapsedMicros), trace.clientAddress]);
    }
    const end = trace.startedAt === null ? null : new Date(trace.startedAt.getTime() + Math.floor(trace.durationMicros / 1000));
    rows.push(['Request complete', ts(end), trace.coordinator, String(trace.durationMicros), trace.clientAddress]);
    this.line();
    this.line(`Tracing session: ${trace.sessionId}`);
    this.line();
    for (const l of renderTable(['activity', 'timestamp', 'source', 'source_elapsed', 'client'], rows, { withHeader: true })) this.line(l);
    this.line();
  }

  // ---- settings ----

  private setConsistency(level: string | undefined): void {
    if (level === undefined) { this.line(`Current consistency level is ${this.consistency}.`); return; }
    this.consistency = level;
    this.line(`Consistency level set to ${level}.`);
  }

  private setSerialConsistency(level: string | undefined): void {
    if (level === undefined) { this.line(`Current serial consistency level is ${this.serialConsistency ?? 'SERIAL'}.`); return; }
    this.serialConsistency = level;
    this.line(`Serial consistency level set to ${level}.`);
  }

  private setTracing(setting: Toggle): void {
    this.tracing = this.toggle('Tracing', 'TRACING', this.tracing, setting);
  }

  private setExpand(setting: Toggle): void {
    this.expand = this.toggle('Expanded output', 'EXPAND', this.expand, setting);
  }

  private toggle(what: string, command: string, current: boolean, setting: Toggle): boolean {
    if (setting.kind === 'show') {
      this.line(current ? `${what} is currently enabled. Use ${command} OFF to disable` : `${what} is currently disabled. Use ${command} ON to enable.`);
      return current;
    }
    if (setting.on) this.line(current ? `${what} is already enabled. Use ${command} OFF to disable.` : `Now ${what} is enabled`);
    else this.line(current ? `Disabled ${what}.` : `${what} is not enabled.`);
    return setting.on;
  }

  private setPaging(setting: PagingSetting): void {
    switch (setting.kind) {
      case 'show':
        if (this.paging) this.line(`Query paging is currently enabled. Use PAGING OFF to disable\nPage size: ${this.pageSize}`);
        else this.line('Query paging is currently disabled. Use PAGING ON to enable.');
        return;
      case 'set':
        if (setting.on) this.line(this.paging ? 'Query paging is already enabled. Use PAGING OFF to disable.' : `Now Query paging is enabled\nPage size: ${this.pageSize}`);
        else this.line(this.paging ? 'Disabled Query paging.' : 'Query paging is not enabled.');
        this.paging = setting.on;
        return;
      case 'size':
        this.paging = true;
        this.pageSize = setting.pageSize;
        this.line(`Page size: ${setting.pageSize}`);
        return;
      default:
        assertNever(setting, 'paging setting');
    }
  }

  private show(what: 'version' | 'host'): void {
    const info = this.session.info();
    if (what === 'host') this.line(`Connected to ${info.clusterName} at ${info.host}:${info.port}`);
    else this.line(`[cassia shell ${SHELL_VERSION} | Cassandra ${info.releaseVersion} | CQL spec ${info.cqlVersion} | Native protocol v${info.protocolVersion}]`);
  }

  private async source(file: string): Promise<StepResult> {
    if (this.sourceDepth >= SOURCE_DEPTH_MAX) throw new ShellError(`SOURCE nested deeper than ${SOURCE_DEPTH_MAX} files`);
    let text: string;
    try {
      text = await this.io.readFile(file);
    } catch (err) {
      throw new ShellError(`Could not open '${file}': ${(err as Error).message}`);
    }
    this.sourceDepth += 1;
    try {
      return await this.runText(text, file);
    } finally {
      this.sourceDepth -= 1;
    }
  }

  // ---- DESCRIBE ----

  private currentKeyspace(given: string | undefined): string {
    const ks = given ?? this.session.keyspace();
    if (ks === undefined) throw new ShellError('No keyspace specified and no current keyspace (USE one, or name it as ks.name)');
    return ks;
  }

  private async describe(target: DescribeTarget): Promise<void> {
    const schema = this.session.schema;
    switch (target.kind) {
      case 'keyspaces':
        this.io.out('\n' + columnize(await schema.keyspaceNames()).join('\n') + '\n\n');
        return;
      case 'keyspace':
        this.io.out(describeOutput(keyspaceStatements(await this.keyspaceDescription(this.currentKeyspace(target.keyspace)))));
        return;
      case 'tables':
        await this.describeList((ks) => schema.tableNames(ks));
        return;
      case 'types':
        await this.describeList((ks) => schema.typeNames(ks));
        return;
      case 'table': {
        const ks = this.currentKeyspace(target.keyspace);
        const table = await schema.table(ks, target.name);
        if (!table) throw new ShellError(`Table '${target.name}' not found in keyspace '${ks}'`);
        this.io.out(describeOutput([tableCql(ks, table)]));
        return;
      }
      case 'type': {
        const ks = this.currentKeyspace(target.keyspace);
        const udt = await schema.type(ks, target.name);
        if (!udt) throw new ShellError(`User type '${target.name}' not found in keyspace '${ks}'`);
        this.io.out(describeOutput([typeCql(ks, udt)]));
        return;
      }
      case 'cluster': {
        const info = this.session.info();
        this.io.out(`\nCluster: ${info.clusterName}\nPartitioner: ${info.partitioner}\n\n`);
        return;
      }
      case 'schema': {
        const names = (await schema.keyspaceNames()).filter((n) => target.full || !SYSTEM_KEYSPACES.has(n));
        const statements: string[] = [];
        for (const name of names) statements.push(...keyspaceStatements(await this.keyspaceDescription(name)));
        this.io.out(describeOutput(statements));
        return;
      }
      case 'object':
        await this.describeObject(target.keyspace, target.name);
        return;
      default:
        assertNever(target, 'describe target');
    }
  }

  private async keyspaceDescription(name: string): Promise<KeyspaceDescription> {
    const schema = this.session.schema;
    const keyspace = await schema.keyspace(name);
    if (!keyspace) throw new ShellError(`Keyspace '${name}' not found`);
    const types = [];
    for (const t of await schema.typeNames(name)) {
      const udt = await schema.type(name, t);
      if (udt) types.push(udt);
    }
    const tables = [];
    for (const t of await schema.tableNames(name)) {
      const table = await schema.table(name, t);
      if (table) tables.push(table);
    }
    return { keyspace, types, tables };
  }

  /** DESCRIBE TABLES/TYPES: names of the current keyspace, or of every keyspace under a heading. */
  private async describeList(names: (keyspace: string) => Promise<string[]>): Promise<void> {
    const current = this.session.keyspace();
    if (current !== undefined) {
      this.io.out('\n' + columnize(await names(current)).join('\n') + '\n\n');
      return;
    }
    let out = '';
    for (const ks of await this.session.schema.keyspaceNames()) {
      const list = await names(ks);
      if (list.length === 0) continue;
      out += `\nKeyspace ${ks}\n${'-'.repeat('Keyspace '.length + ks.length)}\n${columnize(list).join('\n')}\n`;
    }
    this.io.out(out + '\n');
  }

  /** DESCRIBE name: a keyspace, else a table, else a type in the given or current keyspace. */
  private async describeObject(keyspace: string | undefined, name: string): Promise<void> {
    const schema = this.session.schema;
    if (keyspace === undefined && (await schema.keyspace(name))) {
      await this.describe({ kind: 'keyspace', keyspace: name });
      return;
    }
    const ks = this.currentKeyspace(keyspace);
    if (await schema.table(ks, name)) return this.describe({ kind: 'table', keyspace: ks, name });
    if (await schema.type(ks, name)) return this.describe({ kind: 'type', keyspace: ks, name });
    throw new ShellError(`'${name}' not found in keyspace '${ks}'`);
  }
}
