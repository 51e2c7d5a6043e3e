// Message bodies: encode and decode every request and response of protocol v4 and v5.
//
// encodeMessage and decodeMessage are each one switch on the opcode calling small encodeX /
// decodeX functions. Decoders read from a ByteReader over the complete body and throw only
// ProtocolError (a value the spec forbids) or TruncatedInput (the body ended early); the
// caller (decodeBody) turns TruncatedInput into a ProtocolError naming the message.
// Version differences handled here (v4 → v5): query/batch flags [byte] → [int], PREPARE flags
// and keyspace, EXECUTE result_metadata_id, prepared result_metadata_id, rows new_metadata_id,
// keyspace/now_in_seconds parameters, READ/WRITE_FAILURE reason maps, WRITE_TIMEOUT contentions.

import { ByteReader, ByteWriter, TruncatedInput } from '../util/bytes.js';
import type { ByteSink } from './sink.js';
import {
  AlreadyExists, AuthenticationError, CasWriteUnknown, ConfigError, CqlSyntaxError, ErrorCode, FunctionFailure,
  InvalidRequest, IsBootstrapping, Overloaded, ProtocolError, ReadFailure, ReadTimeout, RequestError, ServerError,
  TruncateError, Unauthorized, Unavailable, Unprepared, WriteFailure, WriteTimeout,
  type ErrorCodeValue, type FailureReason, type WriteType,
} from '../util/errors.js';
import { assertNever } from '../util/assert.js';
import type { CqlType } from '../schema/types.js';
import {
  type Batch, type BatchStatement, type BatchType, type BoundValue, type ColumnSpec, type Event, type EventType,
  type Execute, type Message, type MessageExtras, type MessageOpcode, type Prepare, type PreparedResult,
  type ProtocolEvent, type Query, type QueryParameters, type Request, type Response, type ResultBody,
  type RowsResult, type SchemaChange, EVENT_TYPES,
} from './messages.js';
import {
  FLAG_CUSTOM_PAYLOAD, FLAG_TRACING, FLAG_WARNING, OPCODE, opcodeName, type EnvelopeView,
} from './envelope.js';
import {
  readBytes, readBytesMap, readConsistency, readCount, readInet, readInetAddr, readLongString, readShortBytes,
  readString, readStringList, readStringMap, readStringMultimap, readUuid, readValue, writeBytes, writeBytesMap,
  writeConsistency, writeInet, writeInetAddr, writeLongString, writeShortBytes, writeString, writeStringList,
  writeStringMap, writeStringMultimap, writeUuid, writeValue,
} from './primitives.js';
import { readTypeOption, writeTypeOption } from './type_option.js';

// Query parameter flags (QUERY, EXECUTE): [byte] in v4, [int] in v5.
export const QUERY_FLAG_VALUES = 0x01;
export const QUERY_FLAG_SKIP_METADATA = 0x02;
export const QUERY_FLAG_PAGE_SIZE = 0x04;
export const QUERY_FLAG_PAGING_STATE = 0x08;
export const QUERY_FLAG_SERIAL_CONSISTENCY = 0x10;
export const QUERY_FLAG_DEFAULT_TIMESTAMP = 0x20;
export const QUERY_FLAG_NAMES = 0x40;
export const QUERY_FLAG_KEYSPACE = 0x80; // v5
export const QUERY_FLAG_NOW_IN_SECONDS = 0x100; // v5
export const PREPARE_FLAG_KEYSPACE = 0x01; // v5

// Result kinds and metadata flags.
export const RESULT_KIND = { void: 0x0001, rows: 0x0002, set_keyspace: 0x0003, prepared: 0x0004, schema_change: 0x0005 } as const;
export const ROWS_FLAG_GLOBAL_TABLES_SPEC = 0x0001;
export const ROWS_FLAG_HAS_MORE_PAGES = 0x0002;
export const ROWS_FLAG_NO_METADATA = 0x0004;
export const ROWS_FLAG_METADATA_CHANGED = 0x0008;

/** Most columns a result without metadata may announce (a hostile count would allocate without bound). */
export const RESULT_COLUMNS_MAX = 65536;

const BATCH_TYPES: readonly BatchType[] = ['LOGGED', 'UNLOGGED', 'COUNTER'];
const BATCH_KIND_QUERY = 0;
const BATCH_KIND_PREPARED = 1;
const WRITE_TYPES: readonly WriteType[] = ['SIMPLE', 'BATCH', 'UNLOGGED_BATCH', 'COUNTER', 'BATCH_LOG', 'CAS', 'VIEW', 'CDC'];

/** An error whose code Cassia has no bespoke class for (e.g. CDC_WRITE_FAILURE), kept as decoded. */
export class GenericRequestError extends RequestError {
  override name = 'RequestError';
  constructor(readonly code: ErrorCodeValue, message: string) {
    super(message);
  }
}

const REQUEST_OPCODES: ReadonlySet<MessageOpcode> = new Set<MessageOpcode>(
  ['STARTUP', 'OPTIONS', 'QUERY', 'PREPARE', 'EXECUTE', 'BATCH', 'REGISTER', 'AUTH_RESPONSE'],
);

export function isRequest(m: Message): m is Request {
  return REQUEST_OPCODES.has(m.opcode);
}

// =============================================================================================
// Whole bodies, with the envelope extras in front

/**
 * Encodes [tracing id][warnings][custom payload] and the message; returns the body and the
 * envelope flags that announce the extras. Tracing id and warnings are written for responses only.
 */
export function encodeBody(msg: Message, version: number, extras: MessageExtras = {}): { body: Buffer; flags: number } {
  const w = new ByteWriter(64);
  const flags = encodeBodyInto(w, msg, version, extras);
  return { body: w.toBuffer(), flags };
}

const NO_EXTRAS: MessageExtras = Object.freeze({});

/** encodeBody writing into `w`; returns the envelope flags that announce the extras. */
export function encodeBodyInto(w: ByteSink, msg: Message, version: number, extras: MessageExtras = NO_EXTRAS): number {
  let flags = 0;
  if (extras !== NO_EXTRAS) {
    const response = !isRequest(msg);
    if (response && extras.tracingId) { flags |= FLAG_TRACING; writeUuid(w, extras.tracingId); }
    if (response && extras.warnings && extras.warnings.length > 0) { flags |= FLAG_WARNING; writeStringList(w, extras.warnings); }
    if (extras.customPayload && extras.customPayload.size > 0) { flags |= FLAG_CUSTOM_PAYLOAD; writeBytesMap(w, extras.customPayload); }
  }
  encodeMessage(w, msg, version);
  return flags;
}

/**
 * Decodes a complete, decompressed body. `isResponse` decides whether the tracing flag announces
 * a tracing id in the body (responses) or only asks for tracing (requests).
 * Throws ProtocolError only.
 */
export function decodeBody(opts: { opcode: number; flags: number; version: number; isResponse: boolean }, body: Buffer): { message: Message; extras: MessageExtras } {
  const name = opcodeName(opts.opcode);
  if (name === undefined) throw new ProtocolError(`unknown opcode 0x${opts.opcode.toString(16).padStart(2, '0')}`);
  const r = new ByteReader(body);
  try {
    const extras: MessageExtras = {};
    if (opts.isResponse && opts.flags & FLAG_TRACING) extras.tracingId = readUuid(r);
    if (opts.isResponse && opts.flags & FLAG_WARNING) extras.warnings = readStringList(r);
    if (opts.flags & FLAG_CUSTOM_PAYLOAD) extras.customPayload = readBytesMap(r);
    const message = decodeMessage(r, name, opts.version);
    return { message, extras };
  } catch (e) {
    if (e instanceof TruncatedInput) throw new ProtocolError(`malformed ${name} message: body of ${body.length} bytes ended early (${e.message})`);
    if (e instanceof ProtocolError) throw new ProtocolError(`malformed ${name} message: ${e.message}`);
    throw e;
  }
}

/** Request opcodes by opcode byte (undefined: not a request). */
const REQUEST_OPCODE_BY_BYTE: readonly (Request['opcode'] | undefined)[] = (() => {
  const out: (Request['opcode'] | undefined)[] = [];
  for (const name of REQUEST_OPCODES) out[OPCODE[name]] = name as Request['opcode'];
  return out;
})();

/**
 * The transport's request decoder: decodes the (decompressed) body an EnvelopeView points at,
 * straight from the received bytes — no body view, extras object or result pair. The custom
 * payload (flag 0x04) of the request just decoded is left in `customPayload`. Throws
 * ProtocolError only (naming the message, as decodeBody does).
 */
export class RequestDecoder {
  customPayload: Map<string, Buffer> | null = null;
  private readonly ids = new PreparedIds();

  decode(v: EnvelopeView, version: number): Request {
    const name = REQUEST_OPCODE_BY_BYTE[v.opcode];
    if (name === undefined) {
      const any = opcodeName(v.opcode);
      if (any === undefined) throw new ProtocolError(`unknown opcode 0x${v.opcode.toString(16).padStart(2, '0')}`);
      throw new ProtocolError(`unexpected ${any} message: clients send requests only`);
    }
    const r = new ByteReader(v.buf, v.offset, v.end);
    try {
      this.customPayload = v.flags & FLAG_CUSTOM_PAYLOAD ? readBytesMap(r) : null;
      if (name === 'EXECUTE') return decodeExecute(r, version, this.ids);
      if (name === 'BATCH') return decodeBatch(r, version, this.ids);
      return decodeMessage(r, name, version) as Request;
    } catch (e) {
      if (e instanceof TruncatedInput) throw new ProtocolError(`malformed ${name} message: body of ${v.end - v.offset} bytes ended early (${e.message})`);
      if (e instanceof ProtocolError) throw new ProtocolError(`malformed ${name} message: ${e.message}`);
      throw e;
    }
  }
}

/** Prepared ids a RequestDecoder remembers (a connection uses a few statements over and over). */
export const PREPARED_IDS_MAX = 8;

/**
 * Recently seen prepared statement ids, each kept as one Buffer (a copy, never written): an
 * EXECUTE or BATCH statement naming one of them gets that same Buffer instead of a new view of
 * the received bytes — no Buffer construction per id, and a handler may recognize it by identity.
 */
class PreparedIds {
  private readonly ids: Buffer[] = [];
  private next = 0;

  /** readShortBytes(r), as a remembered Buffer when the bytes equal one. */
  read(r: ByteReader): Buffer {
    const n = r.u16();
    if (n > r.remaining) return r.bytes(n); // throws TruncatedInput
    const at = r.offset;
    const buf = r.buf;
    for (const id of this.ids) {
      if (id.length === n && sameBytesAt(id, buf, at)) { r.skip(n); return id; }
    }
    const id = Buffer.from(r.bytes(n));
    if (this.ids.length < PREPARED_IDS_MAX) this.ids.push(id);
    else { this.ids[this.next] = id; this.next = (this.next + 1) % PREPARED_IDS_MAX; }
    return id;
  }
}

/** True when buf[at, at + id.length) holds id's bytes. */
function sameBytesAt(id: Buffer, buf: Buffer, at: number): boolean {
  for (let i = 0; i < id.length; i++) if (id[i] !== buf[at + i]) return false;
  return true;
}

// =============================================================================================
// The two switches

export function encodeMessage(w: ByteSink, msg: Message, version: number): void {
  switch (msg.opcode) {
    case 'STARTUP': return writeStringMap(w, msg.options);
    case 'OPTIONS': return;
    case 'QUERY': writeLongString(w, msg.query); return encodeQueryParameters(w, msg.params, version);
    case 'PREPARE': return encodePrepare(w, msg, version);
    case 'EXECUTE': return encodeExecute(w, msg, version);
    case 'BATCH': return encodeBatch(w, msg, version);
    case 'REGISTER': return writeStringList(w, msg.events);
    case 'AUTH_RESPONSE': return writeBytes(w, msg.token);
    case 'ERROR': return encodeError(w, msg.error, version);
    case 'READY': return;
    case 'AUTHENTICATE': return writeString(w, msg.authenticator);
    case 'SUPPORTED': return writeStringMultimap(w, msg.options);
    case 'RESULT': return encodeResult(w, msg.result, version);
    case 'EVENT': return encodeEvent(w, msg.event);
    case 'AUTH_CHALLENGE': return writeBytes(w, msg.token);
    case 'AUTH_SUCCESS': return writeBytes(w, msg.token);
    default: assertNever(msg, 'message');
  }
}

export function decodeMessage(r: ByteReader, opcode: MessageOpcode, version: number): Message {
  switch (opcode) {
    case 'STARTUP': return { opcode, options: readStringMap(r) };
    case 'OPTIONS': return { opcode };
    case 'QUERY': return decodeQuery(r, version);
    case 'PREPARE': return decodePrepare(r, version);
    case 'EXECUTE': return decodeExecute(r, version);
    case 'BATCH': return decodeBatch(r, version);
    case 'REGISTER': return { opcode, events: decodeEventTypes(r) };
    case 'AUTH_RESPONSE': return { opcode, token: readBytes(r) };
    case 'ERROR': return { opcode, error: decodeError(r, version) };
    case 'READY': return { opcode };
    case 'AUTHENTICATE': return { opcode, authenticator: readString(r) };
    case 'SUPPORTED': return { opcode, options: readStringMultimap(r) };
    case 'RESULT': return { opcode, result: decodeResult(r, version) };
    case 'EVENT': return { opcode, event: decodeEvent(r) };
    case 'AUTH_CHALLENGE': return { opcode, token: readBytes(r) };
    case 'AUTH_SUCCESS': return { opcode, token: readBytes(r) };
    default: return assertNever(opcode, 'opcode');
  }
}

/** Opcode byte of a message. */
export function opcodeOf(msg: Message): number {
  return OPCODE[msg.opcode];
}

// =============================================================================================
// Requests

function writeFlags(w: ByteSink, flags: number, version: number): void {
  if (version >= 5) w.i32(flags);
  else w.u8(flags);
}

function readFlags(r: ByteReader, version: number): number {
  return version >= 5 ? r.i32() : r.u8();
}

export function encodeQueryParameters(w: ByteSink, p: QueryParameters, version: number): void {
  writeConsistency(w, p.consistency);
  const hasValues = p.values.values.length > 0;
  let flags = 0;
  if (hasValues) flags |= QUERY_FLAG_VALUES;
  if (hasValues && p.values.kind === 'named') flags |= QUERY_FLAG_NAMES;
  if (p.skipMetadata) flags |= QUERY_FLAG_SKIP_METADATA;
  if (p.pageSize !== null) flags |= QUERY_FLAG_PAGE_SIZE;
  if (p.pagingState !== null) flags |= QUERY_FLAG_PAGING_STATE;
  if (p.serialConsistency !== null) flags |= QUERY_FLAG_SERIAL_CONSISTENCY;
  if (p.defaultTimestamp !== null) flags |= QUERY_FLAG_DEFAULT_TIMESTAMP;
  if (version >= 5 && p.keyspace !== null) flags |= QUERY_FLAG_KEYSPACE;
  if (version >= 5 && p.nowInSeconds !== null) flags |= QUERY_FLAG_NOW_IN_SECONDS;
  writeFlags(w, flags, version);
  if (hasValues) {
    const v = p.values;
    w.u16(v.values.length);
    v.values.forEach((value, i) => {
      if (v.kind === 'named') writeString(w, v.names[i]!);
      writeValue(w, value);
    });
  }
  if (p.pageSize !== null) w.i32(p.pageSize);
  if (p.pagingState !== null) writeBytes(w, p.pagingState);
  if (p.serialConsistency !== null) writeConsistency(w, p.serialConsistency);
  if (p.defaultTimestamp !== null) w.i64(p.defaultTimestamp);
  if (version >= 5 && p.keyspace !== null) writeString(w, p.keyspace);
  if (version >= 5 && p.nowInSeconds !== null) w.i32(p.nowInSeconds);
}

export function decodeQueryParameters(r: ByteReader, version: number): QueryParameters {
  const consistency = readConsistency(r);
  const flags = readFlags(r, version);
  // Fields read in wire order straight into one object literal (one allocation, one shape).
  const values = flags & QUERY_FLAG_VALUES ? decodeBoundValues(r, (flags & QUERY_FLAG_NAMES) !== 0) : { kind: 'positional' as const, values: [] };
  const pageSize = flags & QUERY_FLAG_PAGE_SIZE ? r.i32() : null;
  const pagingState = flags & QUERY_FLAG_PAGING_STATE ? readBytes(r) : null;
  const serialConsistency = flags & QUERY_FLAG_SERIAL_CONSISTENCY ? readConsistency(r) : null;
  const defaultTimestamp = flags & QUERY_FLAG_DEFAULT_TIMESTAMP ? r.i64() : null;
  const keyspace = version >= 5 && flags & QUERY_FLAG_KEYSPACE ? readString(r) : null;
  const nowInSeconds = version >= 5 && flags & QUERY_FLAG_NOW_IN_SECONDS ? r.i32() : null;
  return { consistency, values, skipMetadata: (flags & QUERY_FLAG_SKIP_METADATA) !== 0, pageSize, pagingState, serialConsistency, defaultTimestamp, keyspace, nowInSeconds };
}

function decodeBoundValues(r: ByteReader, named: boolean): QueryParameters['values'] {
  const n = readCount(r, r.u16(), named ? 6 : 4, 'bound value');
  const values: BoundValue[] = new Array<BoundValue>(n);
  if (!named) {
    for (let i = 0; i < n; i++) values[i] = readValue(r);
    return { kind: 'positional', values };
  }
  const names: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    names[i] = readString(r);
    values[i] = readValue(r);
  }
  return { kind: 'named', names, values };
}

function decodeQuery(r: ByteReader, version: number): Query {
  const query = readLongString(r);
  return { opcode: 'QUERY', query, params: decodeQueryParameters(r, version) };
}

function encodePrepare(w: ByteSink, msg: Prepare, version: number): void {
  writeLongString(w, msg.query);
  if (version < 5) return;
  w.i32(msg.keyspace !== null ? PREPARE_FLAG_KEYSPACE : 0);
  if (msg.keyspace !== null) writeString(w, msg.keyspace);
}

function decodePrepare(r: ByteReader, version: number): Prepare {
  const query = readLongString(r);
  let keyspace: string | null = null;
  if (version >= 5) {
    const flags = r.i32();
    if (flags & PREPARE_FLAG_KEYSPACE) keyspace = readString(r);
  }
  return { opcode: 'PREPARE', query, keyspace };
}

function encodeExecute(w: ByteSink, msg: Execute, version: number): void {
  writeShortBytes(w, msg.id);
  if (version >= 5) writeShortBytes(w, msg.resultMetadataId ?? Buffer.alloc(0));
  encodeQueryParameters(w, msg.params, version);
}

function decodeExecute(r: ByteReader, version: number, ids: PreparedIds | null = null): Execute {
  const id = ids !== null ? ids.read(r) : readShortBytes(r);
  const resultMetadataId = version >= 5 ? readShortBytes(r) : null;
  return { opcode: 'EXECUTE', id, resultMetadataId, params: decodeQueryParameters(r, version) };
}

function encodeBatch(w: ByteSink, msg: Batch, version: number): void {
  w.u8(BATCH_TYPES.indexOf(msg.batchType));
  w.u16(msg.statements.length);
  for (const s of msg.statements) {
    if (s.kind === 'query') { w.u8(BATCH_KIND_QUERY); writeLongString(w, s.query); }
    else { w.u8(BATCH_KIND_PREPARED); writeShortBytes(w, s.id); }
    w.u16(s.values.length);
    for (const v of s.values) writeValue(w, v);
  }
  writeConsistency(w, msg.consistency);
  let flags = 0;
  if (msg.serialConsistency !== null) flags |= QUERY_FLAG_SERIAL_CONSISTENCY;
  if (msg.defaultTimestamp !== null) flags |= QUERY_FLAG_DEFAULT_TIMESTAMP;
  if (version >= 5 && msg.keyspace !== null) flags |= QUERY_FLAG_KEYSPACE;
  if (version >= 5 && msg.nowInSeconds !== null) flags |= QUERY_FLAG_NOW_IN_SECONDS;
  writeFlags(w, flags, version);
  if (msg.serialConsistency !== null) writeConsistency(w, msg.serialConsistency);
  if (msg.defaultTimestamp !== null) w.i64(msg.defaultTimestamp);
  if (version >= 5 && msg.keyspace !== null) writeString(w, msg.keyspace);
  if (version >= 5 && msg.nowInSeconds !== null) w.i32(msg.nowInSeconds);
}

function decodeBatch(r: ByteReader, version: number, ids: PreparedIds | null = null): Batch {
  const typeCode = r.u8();
  const batchType = BATCH_TYPES[typeCode];
  if (batchType === undefined) throw new ProtocolError(`unknown batch type ${typeCode} (0 logged, 1 unlogged, 2 counter)`);
  const n = readCount(r, r.u16(), 5, 'batch statement');
  const statements = new Array<BatchStatement>(n);
  for (let i = 0; i < n; i++) statements[i] = decodeBatchStatement(r, ids);
  const consistency = readConsistency(r);
  const flags = readFlags(r, version);
  if (flags & QUERY_FLAG_NAMES) throw new ProtocolError('named values in BATCH statements are not supported');
  const batch: Batch = {
    opcode: 'BATCH', batchType, statements, consistency,
    serialConsistency: null, defaultTimestamp: null, keyspace: null, nowInSeconds: null,
  };
  if (flags & QUERY_FLAG_SERIAL_CONSISTENCY) batch.serialConsistency = readConsistency(r);
  if (flags & QUERY_FLAG_DEFAULT_TIMESTAMP) batch.defaultTimestamp = r.i64();
  if (version >= 5 && flags & QUERY_FLAG_KEYSPACE) batch.keyspace = readString(r);
  if (version >= 5 && flags & QUERY_FLAG_NOW_IN_SECONDS) batch.nowInSeconds = r.i32();
  return batch;
}

/** One literal per kind (an object spread per statement cost more than the rest of the batch's decoding). */
function decodeBatchStatement(r: ByteReader, ids: PreparedIds | null): BatchStatement {
  const kind = r.u8();
  if (kind === BATCH_KIND_PREPARED) {
    const id = ids !== null ? ids.read(r) : readShortBytes(r);
    return { kind: 'prepared', id, values: decodeBatchValues(r) };
  }
  if (kind === BATCH_KIND_QUERY) {
    const query = readLongString(r);
    return { kind: 'query', query, values: decodeBatchValues(r) };
  }
  throw new ProtocolError(`unknown batch statement kind ${kind} (0 query, 1 prepared id)`);
}

function decodeBatchValues(r: ByteReader): BoundValue[] {
  const n = readCount(r, r.u16(), 4, 'batch value');
  const values = new Array<BoundValue>(n);
  for (let i = 0; i < n; i++) values[i] = readValue(r);
  return values;
}

function decodeEventTypes(r: ByteReader): EventType[] {
  const names = readStringList(r);
  for (const n of names) {
    if (!(EVENT_TYPES as readonly string[]).includes(n)) throw new ProtocolError(`unknown event type ${JSON.stringify(n)} (known: ${EVENT_TYPES.join(', ')})`);
  }
  return names as EventType[];
}

// =============================================================================================
// Results

function encodeResult(w: ByteSink, res: ResultBody, version: number): void {
  w.i32(RESULT_KIND[res.kind]);
  switch (res.kind) {
    case 'void': return;
    case 'rows': return encodeRows(w, res, version);
    case 'set_keyspace': return writeString(w, res.keyspace);
    case 'prepared': return encodePrepared(w, res, version);
    case 'schema_change': return encodeSchemaChange(w, res.change);
    default: assertNever(res, 'result');
  }
}

function decodeResult(r: ByteReader, version: number): ResultBody {
  const kind = r.i32();
  switch (kind) {
    case RESULT_KIND.void: return { kind: 'void' };
    case RESULT_KIND.rows: return decodeRows(r, version);
    case RESULT_KIND.set_keyspace: return { kind: 'set_keyspace', keyspace: readString(r) };
    case RESULT_KIND.prepared: return decodePrepared(r, version);
    case RESULT_KIND.schema_change: return { kind: 'schema_change', change: decodeSchemaChange(r) };
    default: throw new ProtocolError(`unknown result kind ${kind}`);
  }
}

/** The (keyspace, table) shared by all columns, if any: allows the Global_tables_spec form. */
function globalTable(columns: readonly ColumnSpec[]): { keyspace: string; table: string } | null {
  const first = columns[0];
  if (!first) return null;
  return columns.every((c) => c.keyspace === first.keyspace && c.table === first.table) ? first : null;
}

function writeColumnSpecs(w: ByteSink, columns: readonly ColumnSpec[], global: { keyspace: string; table: string } | null, version: number): void {
  if (global) { writeString(w, global.keyspace); writeString(w, global.table); }
  for (const c of columns) {
    if (!global) { writeString(w, c.keyspace); writeString(w, c.table); }
    writeString(w, c.name);
    writeTypeOption(w, c.type, version);
  }
}

function readColumnSpecs(r: ByteReader, count: number, global: boolean): ColumnSpec[] {
  const shared = global ? { keyspace: readString(r), table: readString(r) } : null;
  const out: ColumnSpec[] = [];
  for (let i = 0; i < count; i++) {
    const keyspace = shared ? shared.keyspace : readString(r);
    const table = shared ? shared.table : readString(r);
    const name = readString(r);
    out.push({ keyspace, table, name, type: readTypeOption(r) });
  }
  return out;
}

/** Rows <metadata> (also the <result_metadata> of a prepared result). */
function encodeRowsMetadata(w: ByteSink, m: Pick<RowsResult, 'columns' | 'pagingState' | 'noMetadata' | 'newMetadataId'>, version: number): void {
  const changed = version >= 5 && m.newMetadataId !== null;
  const noMetadata = m.noMetadata && !changed;
  const specs = noMetadata ? null : columnSpecs(m.columns, version);
  let flags = 0;
  if (specs !== null && specs.global) flags |= ROWS_FLAG_GLOBAL_TABLES_SPEC;
  if (m.pagingState !== null) flags |= ROWS_FLAG_HAS_MORE_PAGES;
  if (noMetadata) flags |= ROWS_FLAG_NO_METADATA;
  if (changed) flags |= ROWS_FLAG_METADATA_CHANGED;
  w.i32(flags).i32(m.columns.length);
  if (m.pagingState !== null) writeBytes(w, m.pagingState);
  if (changed) writeShortBytes(w, m.newMetadataId!);
  if (specs !== null) w.bytes(specs.bytes);
}

/**
 * Encoded column specs of a result, memoized by the identity of its columns array: the query
 * layer returns one array per prepared statement, so each execution copies bytes instead of
 * re-encoding names and types. A pure memo (same input, same bytes; entries die with their
 * array), which is why it may live at module level. Contract (handler.ts): a ColumnSpec array
 * handed to the transport is never mutated afterwards.
 */
const COLUMN_SPECS = new WeakMap<readonly ColumnSpec[], EncodedColumnSpecs[]>();

/** Column specs as encoded for one protocol version, and whether they use the Global_tables_spec form. */
interface EncodedColumnSpecs {
  global: boolean;
  bytes: Buffer;
}

function columnSpecs(columns: readonly ColumnSpec[], version: number): EncodedColumnSpecs {
  let byVersion = COLUMN_SPECS.get(columns);
  const hit = byVersion?.[version];
  if (hit !== undefined) return hit;
  const global = globalTable(columns);
  const w = new ByteWriter(64 * (columns.length + 1));
  writeColumnSpecs(w, columns, global, version);
  const specs = { global: global !== null, bytes: w.toBuffer() };
  if (byVersion === undefined) COLUMN_SPECS.set(columns, byVersion = []);
  byVersion[version] = specs;
  return specs;
}

function decodeRowsMetadata(r: ByteReader, version: number): Pick<RowsResult, 'columns' | 'pagingState' | 'noMetadata' | 'newMetadataId'> {
  const flags = r.i32();
  const count = readCount(r, r.i32(), 0, 'column');
  const pagingState = flags & ROWS_FLAG_HAS_MORE_PAGES ? readBytes(r) : null;
  const newMetadataId = version >= 5 && flags & ROWS_FLAG_METADATA_CHANGED ? readShortBytes(r) : null;
  const noMetadata = (flags & ROWS_FLAG_NO_METADATA) !== 0;
  if (noMetadata) {
    // Only the count travels; describe the columns as anonymous blobs.
    if (count > RESULT_COLUMNS_MAX) throw new ProtocolError(`column count ${count} exceeds the limit of ${RESULT_COLUMNS_MAX}`);
    const columns = Array.from({ length: count }, (): ColumnSpec => ({ keyspace: '', table: '', name: '', type: { kind: 'native', name: 'blob' } }));
    return { columns, pagingState, noMetadata, newMetadataId };
  }
  readCount(r, count, 3, 'column spec');
  const columns = readColumnSpecs(r, count, (flags & ROWS_FLAG_GLOBAL_TABLES_SPEC) !== 0);
  return { columns, pagingState, noMetadata, newMetadataId };
}

function encodeRows(w: ByteSink, res: RowsResult, version: number): void {
  encodeRowsMetadata(w, res, version);
  const width = res.columns.length;
  w.i32(res.rows.length);
  for (const row of res.rows) {
    if (row.length !== width) throw new RangeError(`row has ${row.length} values, the result has ${width} columns`);
    for (const v of row) writeBytes(w, v);
  }
}

function decodeRows(r: ByteReader, version: number): RowsResult {
  const meta = decodeRowsMetadata(r, version);
  const width = meta.columns.length;
  const rowCount = r.i32();
  if (rowCount < 0) throw new ProtocolError(`negative row count ${rowCount}`);
  if (width === 0 && rowCount > 0) throw new ProtocolError(`${rowCount} rows with zero columns`);
  readCount(r, rowCount, width * 4, 'row');
  const rows: (Buffer | null)[][] = [];
  for (let i = 0; i < rowCount; i++) {
    const row: (Buffer | null)[] = [];
    for (let j = 0; j < width; j++) row.push(readBytes(r));
    rows.push(row);
  }
  return { kind: 'rows', ...meta, rows };
}

function encodePrepared(w: ByteSink, res: PreparedResult, version: number): void {
  writeShortBytes(w, res.id);
  if (version >= 5) writeShortBytes(w, res.resultMetadataId ?? Buffer.alloc(0));
  const global = globalTable(res.bindVariables);
  w.i32(global ? ROWS_FLAG_GLOBAL_TABLES_SPEC : 0).i32(res.bindVariables.length);
  w.i32(res.partitionKeyIndexes.length);
  for (const i of res.partitionKeyIndexes) w.u16(i);
  writeColumnSpecs(w, res.bindVariables, global, version);
  const noColumns = res.resultColumns.length === 0;
  encodeRowsMetadata(w, { columns: res.resultColumns, pagingState: null, noMetadata: noColumns, newMetadataId: null }, version);
}

function decodePrepared(r: ByteReader, version: number): PreparedResult {
  const id = readShortBytes(r);
  const resultMetadataId = version >= 5 ? readShortBytes(r) : null;
  const flags = r.i32();
  const count = readCount(r, r.i32(), 3, 'bind variable');
  const pkCount = readCount(r, r.i32(), 2, 'partition key index');
  const partitionKeyIndexes: number[] = [];
  for (let i = 0; i < pkCount; i++) partitionKeyIndexes.push(r.u16());
  const bindVariables = readColumnSpecs(r, count, (flags & ROWS_FLAG_GLOBAL_TABLES_SPEC) !== 0);
  const meta = decodeRowsMetadata(r, version);
  return { kind: 'prepared', id, resultMetadataId, bindVariables, partitionKeyIndexes, resultColumns: meta.noMetadata ? [] : meta.columns };
}

// =============================================================================================
// Schema changes and events

const SCHEMA_CHANGE_TYPES = ['CREATED', 'UPDATED', 'DROPPED'] as const;
const SCHEMA_TARGETS = ['KEYSPACE', 'TABLE', 'TYPE', 'FUNCTION', 'AGGREGATE'] as const;

function encodeSchemaChange(w: ByteSink, c: SchemaChange): void {
  writeString(w, c.changeType);
  writeString(w, c.target);
  writeString(w, c.keyspace);
  switch (c.target) {
    case 'KEYSPACE': return;
    case 'TABLE': case 'TYPE': return writeString(w, c.name);
    case 'FUNCTION': case 'AGGREGATE': writeString(w, c.name); return writeStringList(w, c.argTypes);
    default: assertNever(c, 'schema change target');
  }
}

function decodeSchemaChange(r: ByteReader): SchemaChange {
  const changeType = readString(r);
  if (!(SCHEMA_CHANGE_TYPES as readonly string[]).includes(changeType)) throw new ProtocolError(`unknown schema change type ${JSON.stringify(changeType)}`);
  const ct = changeType as SchemaChange['changeType'];
  const target = readString(r);
  const keyspace = readString(r);
  switch (target) {
    case 'KEYSPACE': return { changeType: ct, target, keyspace };
    case 'TABLE': case 'TYPE': return { changeType: ct, target, keyspace, name: readString(r) };
    case 'FUNCTION': case 'AGGREGATE': {
      const name = readString(r);
      return { changeType: ct, target, keyspace, name, argTypes: readStringList(r) };
    }
    default: throw new ProtocolError(`unknown schema change target ${JSON.stringify(target)} (known: ${SCHEMA_TARGETS.join(', ')})`);
  }
}

function encodeEvent(w: ByteSink, e: ProtocolEvent): void {
  writeString(w, e.type);
  switch (e.type) {
    case 'TOPOLOGY_CHANGE': case 'STATUS_CHANGE': writeString(w, e.change); return writeInet(w, e.node);
    case 'SCHEMA_CHANGE': return encodeSchemaChange(w, e.change);
    default: assertNever(e, 'event');
  }
}

function decodeEvent(r: ByteReader): ProtocolEvent {
  const type = readString(r);
  switch (type) {
    case 'TOPOLOGY_CHANGE': {
      const change = readString(r);
      if (change !== 'NEW_NODE' && change !== 'REMOVED_NODE' && change !== 'MOVED_NODE') throw new ProtocolError(`unknown topology change ${JSON.stringify(change)}`);
      return { type, change, node: readInet(r) };
    }
    case 'STATUS_CHANGE': {
      const change = readString(r);
      if (change !== 'UP' && change !== 'DOWN') throw new ProtocolError(`unknown status change ${JSON.stringify(change)}`);
      return { type, change, node: readInet(r) };
    }
    case 'SCHEMA_CHANGE': return { type, change: decodeSchemaChange(r) };
    default: throw new ProtocolError(`unknown event type ${JSON.stringify(type)}`);
  }
}

// =============================================================================================
// Errors: <code><message> and the fields of that code (native_protocol_v5.spec section 8)

function encodeError(w: ByteSink, err: RequestError, version: number): void {
  // v4 has no CAS_WRITE_UNKNOWN or CDC_WRITE_FAILURE: send their closest v4 equivalents.
  if (version < 5 && err instanceof CasWriteUnknown) {
    return encodeError(w, new WriteTimeout(err.message, err.consistency, err.received, err.blockFor, 'CAS'), version);
  }
  if (version < 5 && err.code === ErrorCode.CdcWriteFailure) {
    return encodeError(w, new ServerError(err.message), version);
  }
  w.i32(err.code);
  writeString(w, truncateUtf8(err.message, 0xffff));
  if (err instanceof Unavailable) { writeConsistency(w, err.consistency); w.i32(err.required).i32(err.alive); return; }
  if (err instanceof WriteTimeout) return encodeWriteTimeout(w, err, version);
  if (err instanceof ReadTimeout) {
    writeConsistency(w, err.consistency);
    w.i32(err.received).i32(err.blockFor).u8(err.dataPresent ? 1 : 0);
    return;
  }
  if (err instanceof ReadFailure) {
    writeConsistency(w, err.consistency);
    w.i32(err.received).i32(err.blockFor);
    encodeFailures(w, err.reasons, version);
    w.u8(err.dataPresent ? 1 : 0);
    return;
  }
  if (err instanceof WriteFailure) {
    writeConsistency(w, err.consistency);
    w.i32(err.received).i32(err.blockFor);
    encodeFailures(w, err.reasons, version);
    writeString(w, err.writeType);
    return;
  }
  if (err instanceof FunctionFailure) { writeString(w, err.keyspace); writeString(w, err.functionName); writeStringList(w, err.argTypes); return; }
  if (err instanceof CasWriteUnknown) { writeConsistency(w, err.consistency); w.i32(err.received).i32(err.blockFor); return; }
  if (err instanceof AlreadyExists) { writeString(w, err.keyspace); writeString(w, err.table); return; }
  if (err instanceof Unprepared) { writeShortBytes(w, err.statementId); return; }
}

function encodeWriteTimeout(w: ByteSink, err: WriteTimeout, version: number): void {
  writeConsistency(w, err.consistency);
  w.i32(err.received).i32(err.blockFor);
  writeString(w, err.writeType);
  if (version >= 5 && err.writeType === 'CAS') w.u16(err.contentions);
}

/** v5: reason map (<int n> n × <inetaddr><short>); v4: only the number of failures. */
function encodeFailures(w: ByteSink, reasons: readonly FailureReason[], version: number): void {
  w.i32(reasons.length);
  if (version < 5) return;
  for (const f of reasons) { writeInetAddr(w, f.address); w.u16(f.reasonCode); }
}

function decodeFailures(r: ByteReader, version: number): FailureReason[] {
  const n = readCount(r, r.i32(), version >= 5 ? 7 : 0, 'failure');
  const out: FailureReason[] = [];
  for (let i = 0; i < n; i++) {
    if (version >= 5) out.push({ address: readInetAddr(r), reasonCode: r.u16() });
    else out.push({ address: '0.0.0.0', reasonCode: 0 });
  }
  return out;
}

function readWriteType(r: ByteReader): WriteType {
  const t = readString(r);
  if (!(WRITE_TYPES as readonly string[]).includes(t)) throw new ProtocolError(`unknown write type ${JSON.stringify(t)}`);
  return t as WriteType;
}

function decodeError(r: ByteReader, version: number): RequestError {
  const code = r.i32();
  const message = readString(r);
  switch (code) {
    case ErrorCode.ServerError: return new ServerError(message);
    case ErrorCode.ProtocolError: return new ProtocolError(message);
    case ErrorCode.AuthenticationError: return new AuthenticationError(message);
    case ErrorCode.Overloaded: return new Overloaded(message);
    case ErrorCode.IsBootstrapping: return new IsBootstrapping(message);
    case ErrorCode.TruncateError: return new TruncateError(message);
    case ErrorCode.SyntaxError: return new CqlSyntaxError(message);
    case ErrorCode.Unauthorized: return new Unauthorized(message);
    case ErrorCode.Invalid: return new InvalidRequest(message);
    case ErrorCode.ConfigError: return new ConfigError(message);
    case ErrorCode.Unavailable: {
      const cl = readConsistency(r);
      const required = r.i32();
      return new Unavailable(message, cl, required, r.i32());
    }
    case ErrorCode.WriteTimeout: {
      const cl = readConsistency(r);
      const received = r.i32();
      const blockFor = r.i32();
      const writeType = readWriteType(r);
      const contentions = version >= 5 && writeType === 'CAS' ? r.u16() : 0;
      return new WriteTimeout(message, cl, received, blockFor, writeType, contentions);
    }
    case ErrorCode.ReadTimeout: {
      const cl = readConsistency(r);
      const received = r.i32();
      const blockFor = r.i32();
      return new ReadTimeout(message, cl, received, blockFor, r.u8() !== 0);
    }
    case ErrorCode.ReadFailure: {
      const cl = readConsistency(r);
      const received = r.i32();
      const blockFor = r.i32();
      const reasons = decodeFailures(r, version);
      return new ReadFailure(message, cl, received, blockFor, reasons, r.u8() !== 0);
    }
    case ErrorCode.WriteFailure: {
      const cl = readConsistency(r);
      const received = r.i32();
      const blockFor = r.i32();
      const reasons = decodeFailures(r, version);
      return new WriteFailure(message, cl, received, blockFor, reasons, readWriteType(r));
    }
    case ErrorCode.FunctionFailure: {
      const keyspace = readString(r);
      const fn = readString(r);
      return new FunctionFailure(message, keyspace, fn, readStringList(r));
    }
    case ErrorCode.CasWriteUnknown: {
      const cl = readConsistency(r);
      const received = r.i32();
      return new CasWriteUnknown(message, cl, received, r.i32());
    }
    case ErrorCode.AlreadyExists: {
      const keyspace = readString(r);
      return new AlreadyExists(message, keyspace, readString(r));
    }
    case ErrorCode.Unprepared: return new Unprepared(message, Buffer.from(readShortBytes(r)));
    case ErrorCode.CdcWriteFailure: return new GenericRequestError(code, message);
    default: throw new ProtocolError(`unknown error code 0x${(code >>> 0).toString(16).padStart(4, '0')}`);
  }
}

/** Cuts s so its UTF-8 encoding fits in maxBytes (a [string] holds at most 65535 bytes). */
function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  const b = Buffer.from(s, 'utf8').subarray(0, maxBytes - 3);
  return b.toString('utf8').replace(/\uFFFD+$/, '') + '...';
}

/** For tests and tools: a CQL type with collection/UDT frozen flags cleared (the wire does not carry them). */
export function unfrozen(t: CqlType): CqlType {
  switch (t.kind) {
    case 'native': case 'custom': return t;
    case 'list': case 'set': return { ...t, element: unfrozen(t.element), frozen: false };
    case 'map': return { ...t, key: unfrozen(t.key), value: unfrozen(t.value), frozen: false };
    case 'tuple': return { kind: 'tuple', elements: t.elements.map(unfrozen) };
    case 'udt': return { ...t, fieldTypes: t.fieldTypes.map(unfrozen), frozen: false };
    default: return assertNever(t, 'CQL type');
  }
}

/** Tells whether a decoded message is the response kind of `Response`. */
export function isResponse(m: Message): m is Response {
  return !isRequest(m);
}

export type { Event };
