// Operating errors: each class maps one-to-one to a native protocol error code
// (native_protocol_v5.spec section 8). Any layer may throw them; src/protocol encodes them.
// A bug is an AssertionError (util/assert.ts) and is reported as ServerError.

export type ConsistencyName =
  | 'ANY' | 'ONE' | 'TWO' | 'THREE' | 'QUORUM' | 'ALL' | 'LOCAL_QUORUM' | 'EACH_QUORUM'
  | 'SERIAL' | 'LOCAL_SERIAL' | 'LOCAL_ONE' | 'NODE_LOCAL';

export const ErrorCode = {
  ServerError: 0x0000,
  ProtocolError: 0x000a,
  AuthenticationError: 0x0100,
  Unavailable: 0x1000,
  Overloaded: 0x1001,
  IsBootstrapping: 0x1002,
  TruncateError: 0x1003,
  WriteTimeout: 0x1100,
  ReadTimeout: 0x1200,
  ReadFailure: 0x1300,
  FunctionFailure: 0x1400,
  WriteFailure: 0x1500,
  CdcWriteFailure: 0x1600,
  CasWriteUnknown: 0x1700,
  SyntaxError: 0x2000,
  Unauthorized: 0x2100,
  Invalid: 0x2200,
  ConfigError: 0x2300,
  AlreadyExists: 0x2400,
  Unprepared: 0x2500,
} as const;
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

export abstract class RequestError extends Error {
  abstract readonly code: ErrorCodeValue;
}

export class ServerError extends RequestError { readonly code = ErrorCode.ServerError; override name = 'ServerError'; }
export class ProtocolError extends RequestError { readonly code = ErrorCode.ProtocolError; override name = 'ProtocolError'; }
export class AuthenticationError extends RequestError { readonly code = ErrorCode.AuthenticationError; override name = 'AuthenticationError'; }
export class Overloaded extends RequestError { readonly code = ErrorCode.Overloaded; override name = 'Overloaded'; }
export class IsBootstrapping extends RequestError { readonly code = ErrorCode.IsBootstrapping; override name = 'IsBootstrapping'; }
export class TruncateError extends RequestError { readonly code = ErrorCode.TruncateError; override name = 'TruncateError'; }
export class CqlSyntaxError extends RequestError { readonly code = ErrorCode.SyntaxError; override name = 'SyntaxError'; }
export class Unauthorized extends RequestError { readonly code = ErrorCode.Unauthorized; override name = 'Unauthorized'; }
export class InvalidRequest extends RequestError { readonly code = ErrorCode.Invalid; override name = 'InvalidRequest'; }
export class ConfigError extends RequestError { readonly code = ErrorCode.ConfigError; override name = 'ConfigError'; }

export class Unavailable extends RequestError {
  readonly code = ErrorCode.Unavailable;
  override name = 'Unavailable';
  constructor(message: string, readonly consistency: ConsistencyName, readonly required: number, readonly alive: number) {
    super(message);
  }
}

export type WriteType = 'SIMPLE' | 'BATCH' | 'UNLOGGED_BATCH' | 'COUNTER' | 'BATCH_LOG' | 'CAS' | 'VIEW' | 'CDC';

export class WriteTimeout extends RequestError {
  readonly code = ErrorCode.WriteTimeout;
  override name = 'WriteTimeout';
  constructor(message: string, readonly consistency: ConsistencyName, readonly received: number, readonly blockFor: number,
              readonly writeType: WriteType, readonly contentions = 0) {
    super(message);
  }
}

export class ReadTimeout extends RequestError {
  readonly code = ErrorCode.ReadTimeout;
  override name = 'ReadTimeout';
  constructor(message: string, readonly consistency: ConsistencyName, readonly received: number, readonly blockFor: number,
              readonly dataPresent: boolean) {
    super(message);
  }
}

/** Per-replica failure reasons (v5 reasonmap: endpoint address → failure code). */
export interface FailureReason { address: string; reasonCode: number }

export class ReadFailure extends RequestError {
  readonly code = ErrorCode.ReadFailure;
  override name = 'ReadFailure';
  constructor(message: string, readonly consistency: ConsistencyName, readonly received: number, readonly blockFor: number,
              readonly reasons: FailureReason[], readonly dataPresent: boolean) {
    super(message);
  }
}

export class WriteFailure extends RequestError {
  readonly code = ErrorCode.WriteFailure;
  override name = 'WriteFailure';
  constructor(message: string, readonly consistency: ConsistencyName, readonly received: number, readonly blockFor: number,
              readonly reasons: FailureReason[], readonly writeType: WriteType) {
    super(message);
  }
}

export class FunctionFailure extends RequestError {
  readonly code = ErrorCode.FunctionFailure;
  override name = 'FunctionFailure';
  constructor(message: string, readonly keyspace: string, readonly functionName: string, readonly argTypes: string[]) {
    super(message);
  }
}

export class CasWriteUnknown extends RequestError {
  readonly code = ErrorCode.CasWriteUnknown;
  override name = 'CasWriteUnknown';
  constructor(message: string, readonly consistency: ConsistencyName, readonly received: number, readonly blockFor: number) {
    super(message);
  }
}

export class AlreadyExists extends RequestError {
  readonly code = ErrorCode.AlreadyExists;
  override name = 'AlreadyExists';
  /** table is '' when a keyspace already exists. */
  constructor(message: string, readonly keyspace: string, readonly table: string) {
    super(message);
  }
}

export class Unprepared extends RequestError {
  readonly code = ErrorCode.Unprepared;
  override name = 'Unprepared';
  constructor(message: string, readonly statementId: Buffer) {
    super(message);
  }
}
