// `cassia shell`: an interactive CQL shell in the manner of cqlsh, over the npm cassandra-driver.
//
// runShell(argv) is what the `cassia` bin calls with everything after `shell`; it resolves to the
// process exit code (0 ok; 1 bad arguments or no connection; 2 a statement failed in -e, -f or
// piped input). runShellWith takes the streams and the connect function, for tests and embedding.

import { runShellWith } from './io.js';

export { runShellWith, type ShellStreams, HISTORY_LINES_MAX, HISTORY_FILE_NAME } from './io.js';
export { parseShellArgs, type ShellOptions } from './args.js';
export type { CqlSession, ResultPage, SchemaSource, ExecuteOptions, QueryTrace, ConnectionInfo } from './session.js';

/** Runs the shell on the process's stdin/stdout/stderr. `argv` is everything after `shell`. */
export function runShell(argv: string[]): Promise<number> {
  return runShellWith(argv, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
}
