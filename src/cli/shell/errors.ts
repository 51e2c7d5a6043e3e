// Error messages like cqlsh's: `InvalidRequest: Error from server: code=2200 [Invalid query] message="..."`.
// The class names and summaries are those the Python driver (and so cqlsh) shows per protocol
// error code; the code and message come from the npm driver's ResponseError.

/** Protocol error code → [name cqlsh shows, summary in brackets]. */
export const SERVER_ERRORS: ReadonlyMap<number, readonly [string, string]> = new Map([
  [0x0000, ['ServerError', 'Server error']],
  [0x000a, ['ProtocolException', 'Protocol error']],
  [0x0100, ['AuthenticationFailed', 'Bad credentials']],
  [0x1000, ['Unavailable', 'Unavailable exception']],
  [0x1001, ['OverloadedErrorMessage', 'Coordinator node overloaded']],
  [0x1002, ['IsBootstrappingErrorMessage', 'Coordinator node is bootstrapping']],
  [0x1003, ['TruncateError', 'Error during truncate']],
  [0x1100, ['WriteTimeout', "Coordinator node timed out waiting for replica nodes' responses"]],
  [0x1200, ['ReadTimeout', "Coordinator node timed out waiting for replica nodes' responses"]],
  [0x1300, ['ReadFailure', 'Replica(s) failed to execute read']],
  [0x1400, ['FunctionFailure', 'User Defined Function failure']],
  [0x1500, ['WriteFailure', 'Replica(s) failed to execute write']],
  [0x1600, ['CDCWriteFailure', 'Failed to execute write due to CDC space exhaustion.']],
  [0x1700, ['CASWriteUnknown', 'CAS operation result is unknown']],
  [0x2000, ['SyntaxException', 'Syntax error in CQL query']],
  [0x2100, ['Unauthorized', 'Unauthorized']],
  [0x2200, ['InvalidRequest', 'Invalid query']],
  [0x2300, ['ConfigurationException', 'Query invalid because of configuration issue']],
  [0x2400, ['AlreadyExists', 'Already exists']],
  [0x2500, ['Unprepared', 'Unprepared query']],
]);

interface ErrorLike {
  name?: string;
  message?: string;
  code?: number;
  consistencies?: number;
  required?: number;
  alive?: number;
  received?: number;
  blockFor?: number;
  writeType?: string;
  isDataPresent?: boolean;
  failures?: number;
  innerErrors?: Record<string, unknown>;
}

const CONSISTENCY_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'ANY'], [1, 'ONE'], [2, 'TWO'], [3, 'THREE'], [4, 'QUORUM'], [5, 'ALL'], [6, 'LOCAL_QUORUM'],
  [7, 'EACH_QUORUM'], [8, 'SERIAL'], [9, 'LOCAL_SERIAL'], [10, 'LOCAL_ONE'],
]);

/** Extra details the server sent with an error, as cqlsh appends them: ` info={'consistency': 'QUORUM', ...}`. */
function errorInfo(e: ErrorLike): string {
  const parts: string[] = [];
  if (typeof e.consistencies === 'number') parts.push(`'consistency': '${CONSISTENCY_NAMES.get(e.consistencies) ?? e.consistencies}'`);
  if (typeof e.required === 'number') parts.push(`'required_replicas': ${e.required}`);
  if (typeof e.alive === 'number') parts.push(`'alive_replicas': ${e.alive}`);
  if (typeof e.blockFor === 'number') parts.push(`'required_responses': ${e.blockFor}`);
  if (typeof e.received === 'number') parts.push(`'received_responses': ${e.received}`);
  if (typeof e.failures === 'number') parts.push(`'failures': ${e.failures}`);
  if (typeof e.writeType === 'string') parts.push(`'write_type': '${e.writeType}'`);
  return parts.length === 0 ? '' : ` info={${parts.join(', ')}}`;
}

/** The message for any error thrown by the driver or the shell, without a location prefix. */
export function formatError(err: unknown): string {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ErrorLike;
  const message = e.message ?? String(err);
  if (typeof e.code === 'number' && e.name === 'ResponseError') {
    const [name, summary] = SERVER_ERRORS.get(e.code) ?? ['ServerError', 'Unknown error'];
    const code = e.code.toString(16).padStart(4, '0');
    return `${name}: Error from server: code=${code} [${summary}] message="${message}"${errorInfo(e)}`;
  }
  switch (e.name) {
    case 'NoHostAvailableError': return `NoHostAvailable: ${message}`;
    case 'OperationTimedOutError': return `OperationTimedOut: ${message}`;
    case 'ArgumentError': return `ArgumentError: ${message}`;
    default: return message;
  }
}

/** cqlsh's location prefix for non-interactive input: `<stdin>:1:` or `file.cql:12:`. */
export function withLocation(source: string | undefined, line: number, message: string): string {
  return source === undefined ? message : `${source}:${line}:${message}`;
}

/** Why a connection failed, naming the address; the inner errors of NoHostAvailable give the reason. */
export function connectionFailureMessage(host: string, port: number, err: unknown): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorLike;
  let reason = e.message ?? String(err);
  if (e.innerErrors) {
    const inner = Object.values(e.innerErrors)[0] as ErrorLike | undefined;
    if (inner?.message) reason = inner.message;
  }
  return `Connection error: could not connect to ${host}:${port}: ${reason}`;
}
