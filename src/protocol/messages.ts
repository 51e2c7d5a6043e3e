// Native protocol messages (v4 and v5) as discriminated unions on a literal `opcode`.
//
// These types are the contract between the wire codec (codec.ts) and the node (handler.ts).
// They carry decoded values only: no envelope header, no framing. Values bound to statements and
// values in result rows stay serialized (Buffer) here; src/schema codecs turn them into values.
// Stable: add fields and members, never rename.

import type { ConsistencyName, RequestError } from '../util/errors.js';
import type { CqlType } from '../schema/types.js';

// ---------------------------------------------------------------------------------------------
// Shared pieces

/** A bound value that is "not set": leaves the column unchanged (v4+ [value] length -2). */
export const UNSET: unique symbol = Symbol('UNSET');
export type Unset = typeof UNSET;

/** A serialized bound value: bytes, null (length -1) or not-set (length -2). */
export type BoundValue = Buffer | null | Unset;

/** Values bound to a QUERY/EXECUTE: by position, or by name (QUERY flag 0x40). */
export type BoundValues =
  | { kind: 'positional'; values: BoundValue[] }
  | { kind: 'named'; names: string[]; values: BoundValue[] };

/** The <query_parameters> of QUERY and EXECUTE. Absent optional parts are null. */
export interface QueryParameters {
  consistency: ConsistencyName;
  values: BoundValues;
  /** The client asked for rows without metadata (flag 0x02). */
  skipMetadata: boolean;
  /** Rows per page; null when the client did not ask for paging (flag 0x04 absent). */
  pageSize: number | null;
  pagingState: Buffer | null;
  serialConsistency: ConsistencyName | null;
  /** Microseconds since the epoch; null when the server assigns the timestamp. */
  defaultTimestamp: bigint | null;
  /** v5 only: overrides the connection's keyspace for this request. */
  keyspace: string | null;
  /** v5 only: "now" for TTL and tombstone decisions. */
  nowInSeconds: number | null;
}

/** Column or bind-variable description as sent in result and prepared metadata. */
export interface ColumnSpec {
  keyspace: string;
  table: string;
  name: string;
  type: CqlType;
}

export type EventType = 'TOPOLOGY_CHANGE' | 'STATUS_CHANGE' | 'SCHEMA_CHANGE';
export const EVENT_TYPES: readonly EventType[] = ['TOPOLOGY_CHANGE', 'STATUS_CHANGE', 'SCHEMA_CHANGE'];

export type SchemaChangeType = 'CREATED' | 'UPDATED' | 'DROPPED';

/** A schema change, as carried by RESULT/schema_change and by SCHEMA_CHANGE events. */
export type SchemaChange =
  | { changeType: SchemaChangeType; target: 'KEYSPACE'; keyspace: string }
  | { changeType: SchemaChangeType; target: 'TABLE' | 'TYPE'; keyspace: string; name: string }
  | { changeType: SchemaChangeType; target: 'FUNCTION' | 'AGGREGATE'; keyspace: string; name: string; argTypes: string[] };

/** [inet]: an IP address (dotted IPv4 or IPv6 text) and a port. */
export interface InetEndpoint {
  address: string;
  port: number;
}

export type ProtocolEvent =
  | { type: 'TOPOLOGY_CHANGE'; change: 'NEW_NODE' | 'REMOVED_NODE' | 'MOVED_NODE'; node: InetEndpoint }
  | { type: 'STATUS_CHANGE'; change: 'UP' | 'DOWN'; node: InetEndpoint }
  | { type: 'SCHEMA_CHANGE'; change: SchemaChange };

// ---------------------------------------------------------------------------------------------
// Requests (client → server)

export interface Startup {
  opcode: 'STARTUP';
  /** CQL_VERSION (mandatory), COMPRESSION, DRIVER_NAME, DRIVER_VERSION, THROW_ON_OVERLOAD, ... */
  options: Map<string, string>;
}

export interface Options {
  opcode: 'OPTIONS';
}

export interface Query {
  opcode: 'QUERY';
  query: string;
  params: QueryParameters;
}

export interface Prepare {
  opcode: 'PREPARE';
  query: string;
  /** v5 only (flag 0x01): the keyspace to prepare in, overriding the connection's. */
  keyspace: string | null;
}

export interface Execute {
  opcode: 'EXECUTE';
  /** The prepared statement id returned by RESULT/prepared. */
  id: Buffer;
  /** v5 only: the result metadata id the client holds; null in v4. */
  resultMetadataId: Buffer | null;
  params: QueryParameters;
}

export type BatchType = 'LOGGED' | 'UNLOGGED' | 'COUNTER';

export type BatchStatement =
  | { kind: 'query'; query: string; values: BoundValue[] }
  | { kind: 'prepared'; id: Buffer; values: BoundValue[] };

export interface Batch {
  opcode: 'BATCH';
  batchType: BatchType;
  statements: BatchStatement[];
  consistency: ConsistencyName;
  serialConsistency: ConsistencyName | null;
  defaultTimestamp: bigint | null;
  /** v5 only. */
  keyspace: string | null;
  /** v5 only. */
  nowInSeconds: number | null;
}

export interface Register {
  opcode: 'REGISTER';
  events: EventType[];
}

export interface AuthResponse {
  opcode: 'AUTH_RESPONSE';
  token: Buffer | null;
}

export type Request = Startup | Options | Query | Prepare | Execute | Batch | Register | AuthResponse;
export type RequestOpcode = Request['opcode'];

// ---------------------------------------------------------------------------------------------
// Responses (server → client)

export interface ErrorResponse {
  opcode: 'ERROR';
  /** Encoded with every field its code carries (see codec.ts encodeError). */
  error: RequestError;
}

export interface Ready {
  opcode: 'READY';
}

export interface Authenticate {
  opcode: 'AUTHENTICATE';
  /** Fully qualified authenticator class name, e.g. org.apache.cassandra.auth.PasswordAuthenticator. */
  authenticator: string;
}

export interface Supported {
  opcode: 'SUPPORTED';
  options: Map<string, string[]>;
}

export interface VoidResult {
  kind: 'void';
}

export interface RowsResult {
  kind: 'rows';
  /** Always the full column list; when noMetadata is set only its length goes on the wire. */
  columns: ColumnSpec[];
  /** rows[i][j] is the serialized value of column j in row i (null for a null cell). */
  rows: (Buffer | null)[][];
  /** Present when more pages follow (Has_more_pages). */
  pagingState: Buffer | null;
  /** Send only the column count (the client asked with Skip_metadata and has the metadata). */
  noMetadata: boolean;
  /** v5 only: set (Metadata_changed) when the prepared result metadata id changed. */
  newMetadataId: Buffer | null;
}

export interface SetKeyspaceResult {
  kind: 'set_keyspace';
  keyspace: string;
}

export interface PreparedResult {
  kind: 'prepared';
  id: Buffer;
  /** v5 only: id of the result metadata; ignored when encoding v4. */
  resultMetadataId: Buffer | null;
  bindVariables: ColumnSpec[];
  /** Index of the bind variable for each partition key column, in key order; [] if not all bound. */
  partitionKeyIndexes: number[];
  /** Result columns of the statement (empty for non-SELECT: sent with No_metadata). */
  resultColumns: ColumnSpec[];
}

export interface SchemaChangeResult {
  kind: 'schema_change';
  change: SchemaChange;
}

export type ResultBody = VoidResult | RowsResult | SetKeyspaceResult | PreparedResult | SchemaChangeResult;
export type ResultKind = ResultBody['kind'];

export interface Result {
  opcode: 'RESULT';
  result: ResultBody;
}

export interface Event {
  opcode: 'EVENT';
  event: ProtocolEvent;
}

export interface AuthChallenge {
  opcode: 'AUTH_CHALLENGE';
  token: Buffer | null;
}

export interface AuthSuccess {
  opcode: 'AUTH_SUCCESS';
  token: Buffer | null;
}

export type Response = ErrorResponse | Ready | Authenticate | Supported | Result | Event | AuthChallenge | AuthSuccess;
export type ResponseOpcode = Response['opcode'];

export type Message = Request | Response;
export type MessageOpcode = Message['opcode'];

/**
 * Envelope-level extras that travel in front of a message body, selected by header flags:
 * tracing id (0x02, responses only), warnings (0x08, responses only), custom payload (0x04).
 */
export interface MessageExtras {
  tracingId?: Buffer;
  warnings?: string[];
  customPayload?: Map<string, Buffer>;
}
