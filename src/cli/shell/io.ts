// The shell's I/O layer: argument handling, connecting, the -e/-f runs, and the interactive loop
// (readline, prompts, ---MORE---, Ctrl-C, history). Streams and the connect function are passed
// in, so tests drive the whole shell over pseudo-stdin with a fake session.

import { readFile, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { parseShellArgs, SHELL_VERSION, type ShellOptions } from './args.js';
import { connectionFailureMessage } from './errors.js';
import type { CqlSession } from './session.js';
import { Shell, type ShellIO } from './shell.js';
import { StatementSplitter, StatementTooLong } from './split.js';

/** Lines kept in the history file. */
export const HISTORY_LINES_MAX = 1000;
/** Lines read ahead of the shell before input is paused. */
export const LINE_QUEUE_MAX = 1000;
/** Largest file -f or SOURCE reads. */
export const SCRIPT_BYTES_MAX = 64 * 1024 * 1024;
export const HISTORY_FILE_NAME = '.cassia_history';

export interface ShellStreams {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
  /** Where history is kept; default ~/.cassia_history, or $CASSIA_HISTORY. */
  historyPath?: string;
  /** Opens the session; default: the npm driver (driver_session.ts). */
  connect?: (options: ShellOptions) => Promise<CqlSession>;
}

/** Runs `cassia shell` with the given argv and streams; resolves to the exit code. */
export async function runShellWith(argv: readonly string[], streams: ShellStreams): Promise<number> {
  const parsed = parseShellArgs(argv);
  if (parsed.kind === 'exit') {
    (parsed.code === 0 ? streams.stdout : streams.stderr).write(parsed.output);
    return parsed.code;
  }
  const options = parsed.options;
  let script: string | undefined;
  if (options.file !== undefined) {
    try {
      script = await readScript(options.file);
    } catch (err) {
      streams.stderr.write(`Could not open '${options.file}': ${(err as Error).message}\n`);
      return 1;
    }
  }
  const connect = streams.connect ?? (async (o: ShellOptions) => (await import('./driver_session.js')).connectDriverSession(o));
  let session: CqlSession;
  try {
    session = await connect(options);
  } catch (err) {
    streams.stderr.write(connectionFailureMessage(options.host, options.port, err) + '\n');
    return 1;
  }
  try {
    if (options.execute !== undefined) return await runBatch(session, streams, options.execute, '<stdin>');
    if (script !== undefined) return await runBatch(session, streams, script, options.file!);
    return await runInteractive(session, streams, options);
  } finally {
    await session.close().catch(() => undefined);
  }
}

async function readScript(path: string): Promise<string> {
  const full = resolve(path.startsWith('~/') ? join(homedir(), path.slice(2)) : path);
  const info = await stat(full);
  if (info.size > SCRIPT_BYTES_MAX) throw new Error(`file is larger than ${SCRIPT_BYTES_MAX} bytes`);
  return readFile(full, 'utf8');
}

function makeIO(streams: ShellStreams, more: () => Promise<boolean>): ShellIO {
  return {
    out: (text) => { streams.stdout.write(text); },
    err: (line) => { streams.stderr.write(line + '\n'); },
    more,
    readFile: readScript,
  };
}

/** -e and -f: every statement runs (errors do not stop the run); exit 2 if any failed. */
async function runBatch(session: CqlSession, streams: ShellStreams, text: string, source: string): Promise<number> {
  const shell = new Shell(session, makeIO(streams, async () => true), { tty: false });
  await shell.runText(text, source);
  return shell.errorCount > 0 ? 2 : 0;
}

const INTERRUPT = Symbol('interrupt');
type LineResult = string | null | typeof INTERRUPT;

/** Pull-style line reading over readline: next(prompt) resolves with a line, null at end, or INTERRUPT on Ctrl-C. */
class LineReader {
  private readonly rl: Interface;
  private readonly queue: LineResult[] = [];
  private waiter: ((r: LineResult) => void) | undefined;
  private closed = false;
  private paused = false;

  constructor(private readonly streams: ShellStreams, private readonly terminal: boolean, history: string[]) {
    this.rl = createInterface({
      input: streams.stdin,
      ...(terminal ? { output: streams.stdout } : {}),
      terminal,
      history: [...history].reverse(),
      historySize: HISTORY_LINES_MAX,
    });
    this.rl.on('line', (line) => this.push(line));
    this.rl.on('close', () => { this.closed = true; this.push(null); });
    this.rl.on('SIGINT', () => {
      if (this.waiter) { this.streams.stdout.write('\n'); this.push(INTERRUPT); }
    });
  }

  private push(r: LineResult): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(r);
      return;
    }
    this.queue.push(r);
    if (this.queue.length >= LINE_QUEUE_MAX && !this.paused && !this.closed) { this.paused = true; this.rl.pause(); }
  }

  next(prompt: string): Promise<LineResult> {
    if (this.terminal) {
      this.rl.setPrompt(prompt);
      this.rl.prompt();
    } else if (prompt !== '') {
      this.streams.stdout.write(prompt);
    }
    const queued = this.queue.shift();
    if (this.paused && this.queue.length < LINE_QUEUE_MAX / 2) { this.paused = false; this.rl.resume(); }
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.closed) return Promise.resolve(null);
    return new Promise((res) => { this.waiter = res; });
  }

  close(): void {
    this.rl.close();
  }
}

export function defaultHistoryPath(): string {
  return process.env['CASSIA_HISTORY'] ?? join(homedir(), HISTORY_FILE_NAME);
}

/** The last HISTORY_LINES_MAX lines of the history file (oldest first); empty when there is none. */
export async function loadHistory(path: string): Promise<string[]> {
  try {
    const text = await readFile(path, 'utf8');
    return text.split('\n').filter((l) => l.trim() !== '').slice(-HISTORY_LINES_MAX);
  } catch {
    return [];
  }
}

/** Writes the last HISTORY_LINES_MAX lines; a failure to write is reported, not fatal. */
export async function saveHistory(path: string, lines: readonly string[]): Promise<string | undefined> {
  try {
    await writeFile(path, lines.slice(-HISTORY_LINES_MAX).join('\n') + '\n', { mode: 0o600 });
    return undefined;
  } catch (err) {
    return `could not save history to ${path}: ${(err as Error).message}`;
  }
}

async function runInteractive(session: CqlSession, streams: ShellStreams, options: ShellOptions): Promise<number> {
  const terminal = streams.stdin.isTTY === true && streams.stdout.isTTY === true;
  const tty = options.tty || terminal;
  const historyPath = streams.historyPath ?? defaultHistoryPath();
  const history = tty ? await loadHistory(historyPath) : [];
  const reader = new LineReader(streams, terminal, history);
  const more = async () => {
    const r = await reader.next('---MORE---');
    if (r === null) streams.stdout.write('\n');
    return typeof r === 'string';
  };
  const shell = new Shell(session, makeIO(streams, more), { tty });
  const source = tty ? undefined : '<stdin>';
  if (tty) {
    const info = session.info();
    streams.stdout.write(`Connected to ${info.clusterName} at ${info.host}:${info.port}\n` +
      `[cassia shell ${SHELL_VERSION} | Cassandra ${info.releaseVersion} | CQL spec ${info.cqlVersion} | Native protocol v${info.protocolVersion}]\n` +
      'Use HELP for help.\n');
  }
  const splitter = new StatementSplitter();
  let exiting = false;
  try {
    while (!exiting) {
      const prompt = tty ? (splitter.pending() ? shell.continuationPrompt() : shell.prompt()) : '';
      const line = await reader.next(prompt);
      if (line === null) break;
      if (line === INTERRUPT) { splitter.reset(); continue; }
      if (line.trim() !== '') history.push(line);
      let statements;
      try {
        statements = splitter.feedLine(line);
      } catch (err) {
        if (!(err instanceof StatementTooLong)) throw err;
        shell.errorCount += 1;
        streams.stderr.write(err.message + '\n');
        continue;
      }
      for (const s of statements) {
        if ((await shell.runStatement(s, source)) === 'exit') { exiting = true; break; }
      }
    }
    if (!exiting && !tty) {
      for (const s of splitter.finish()) if ((await shell.runStatement(s, source)) === 'exit') break;
    }
    if (tty && !exiting) streams.stdout.write('\n');
  } finally {
    reader.close();
    if (tty) {
      const problem = await saveHistory(historyPath, history);
      if (problem) streams.stderr.write(`Warning: ${problem}\n`);
    }
  }
  return !tty && shell.errorCount > 0 ? 2 : 0;
}
