// `cassia shell` arguments: [HOST[:PORT] [PORT]] [-e CQL] [-f FILE] [-u USER -p PASS] [-k KEYSPACE]
// [--protocol-version N] [--connect-timeout S] [--request-timeout S] [-t]. Parsed with commander,
// without letting commander exit the process: the result is options or a message and exit code.

import { Command, CommanderError, InvalidArgumentError } from 'commander';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 9042;
export const DEFAULT_CONNECT_TIMEOUT_S = 5;
export const DEFAULT_REQUEST_TIMEOUT_S = 10;
export const SHELL_VERSION = '0.1.0';

export interface ShellOptions {
  host: string;
  port: number;
  execute?: string;
  file?: string;
  username?: string;
  password?: string;
  keyspace?: string;
  protocolVersion?: number;
  connectTimeoutS: number;
  requestTimeoutS: number;
  /** Force terminal behaviour (prompts, ---MORE---, history) even when stdin is not a TTY. */
  tty: boolean;
}

export type ParsedArgs =
  | { kind: 'options'; options: ShellOptions }
  | { kind: 'exit'; code: number; output: string };

/** `host`, `host:port`, `[v6]:port`, or a bare IPv6 address. */
export function parseHostPort(text: string): { host: string; port?: number } | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return withPort(bracketed[1]!, bracketed[2]);
  const colons = text.split(':').length - 1;
  if (colons >= 2) return { host: text };
  const [host, port] = text.split(':') as [string, string | undefined];
  if (host === '') return undefined;
  return withPort(host, port);
}

function withPort(host: string, port: string | undefined): { host: string; port?: number } | undefined {
  if (port === undefined) return { host };
  const n = parsePort(port);
  return n === undefined ? undefined : { host, port: n };
}

function parsePort(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : undefined;
}

function positiveNumber(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > 86_400) throw new InvalidArgumentError('expected a number of seconds from 0 to 86400');
  return n;
}

function protocolVersion(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 3 || n > 5) throw new InvalidArgumentError('expected 3, 4 or 5');
  return n;
}

function buildCommand(): Command {
  return new Command('cassia shell')
    .description('CQL shell for Cassia (and Apache Cassandra)')
    .argument('[host]', `HOST or HOST:PORT to connect to (default ${DEFAULT_HOST}:${DEFAULT_PORT})`)
    .argument('[port]', 'PORT, when not given as HOST:PORT')
    .option('-e, --execute <cql>', 'execute the statement(s) and exit')
    .option('-f, --file <file>', 'execute the statements in FILE, then exit')
    .option('-u, --username <user>', 'authenticate as USER')
    .option('-p, --password <pass>', 'authenticate with PASS')
    .option('-k, --keyspace <keyspace>', 'use KEYSPACE after connecting')
    .option('--protocol-version <n>', 'native protocol version to use (3, 4 or 5; default: negotiate)', protocolVersion)
    .option('--connect-timeout <seconds>', `connection timeout (default ${DEFAULT_CONNECT_TIMEOUT_S})`, positiveNumber)
    .option('--request-timeout <seconds>', `request timeout (default ${DEFAULT_REQUEST_TIMEOUT_S})`, positiveNumber)
    .option('-t, --tty', 'force terminal mode (prompts, paging, history) even without a TTY')
    .version(SHELL_VERSION, '-v, --version')
    .helpOption('-h, --help', 'show this help')
    .exitOverride();
}

/** Parses the argv after `shell`. Never exits the process. */
export function parseShellArgs(argv: readonly string[]): ParsedArgs {
  let output = '';
  const cmd = buildCommand().configureOutput({ writeOut: (s) => { output += s; }, writeErr: (s) => { output += s; } });
  try {
    cmd.parse([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      const ok = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help';
      return { kind: 'exit', code: ok ? 0 : 1, output };
    }
    throw err;
  }
  return resolveOptions(cmd.opts(), cmd.processedArgs as Array<string | undefined>);
}

function resolveOptions(o: Record<string, unknown>, args: Array<string | undefined>): ParsedArgs {
  const fail = (message: string): ParsedArgs => ({ kind: 'exit', code: 1, output: `error: ${message}\n` });
  let host = DEFAULT_HOST;
  let port = DEFAULT_PORT;
  if (args[0] !== undefined) {
    const hp = parseHostPort(args[0]);
    if (!hp) return fail(`invalid host '${args[0]}' (expected HOST or HOST:PORT)`);
    host = hp.host;
    if (hp.port !== undefined) port = hp.port;
  }
  if (args[1] !== undefined) {
    const p = parsePort(args[1]);
    if (p === undefined) return fail(`invalid port '${args[1]}'`);
    port = p;
  }
  if (o['execute'] !== undefined && o['file'] !== undefined) return fail('give either -e or -f, not both');
  if (o['password'] !== undefined && o['username'] === undefined) return fail('-p needs -u');
  const options: ShellOptions = {
    host, port,
    connectTimeoutS: (o['connectTimeout'] as number | undefined) ?? DEFAULT_CONNECT_TIMEOUT_S,
    requestTimeoutS: (o['requestTimeout'] as number | undefined) ?? DEFAULT_REQUEST_TIMEOUT_S,
    tty: o['tty'] === true,
  };
  for (const key of ['execute', 'file', 'username', 'password', 'keyspace'] as const) {
    const v = o[key];
    if (typeof v === 'string') options[key] = v;
  }
  if (typeof o['protocolVersion'] === 'number') options.protocolVersion = o['protocolVersion'];
  return { kind: 'options', options };
}
