// CQL constants (schema/literal.ts) -> serialized values, with Cassandra's assignment rules:
//
//   literal kind  assignable to
//   string        ascii text inet date time timestamp
//   integer       tinyint smallint int bigint counter varint decimal float double date time timestamp duration
//   float         decimal float double                 (NaN, Infinity, -Infinity included)
//   boolean       boolean
//   uuid          uuid timeuuid                        (timeuuid must be version 1)
//   hex           blob
//   duration      duration
//
// Anything else is "Invalid <KIND> constant (<text>) for "<column>" of type <type>". A constant
// that is assignable but whose value does not fit the type gets Cassandra's conversion message,
// e.g. "Unable to make int from '99999999999'". Both are InvalidRequest.

import { assertNever } from '../util/assert.js';
import { InvalidRequest } from '../util/errors.js';
import { fitsInt64, parseDecimal, writeVarint } from './bignum.js';
import { serialize } from './codec.js';
import { DurationError, encodeDuration, parseDuration } from './duration.js';
import { parseInet } from './inet.js';
import type { Literal, LiteralKind } from './literal.js';
import { DATE_EPOCH_OFFSET, parseDateText, parseTimeText, parseTimestampText } from './temporal.js';
import type { CqlType, NativeTypeName } from './types.js';
import { typeToCql } from './types.js';
import { parseUuid, uuidVersion } from './uuid.js';

export interface LiteralContext {
  /** The column (or bind marker / function argument) receiving the constant, named in errors. */
  column?: string;
}

const ASSIGNABLE: Record<LiteralKind, readonly NativeTypeName[]> = {
  string: ['ascii', 'text', 'inet', 'date', 'time', 'timestamp'],
  integer: ['tinyint', 'smallint', 'int', 'bigint', 'counter', 'varint', 'decimal', 'float', 'double', 'date', 'time', 'timestamp', 'duration'],
  float: ['decimal', 'float', 'double'],
  boolean: ['boolean'],
  uuid: ['uuid', 'timeuuid'],
  hex: ['blob'],
  duration: ['duration'],
};

/** True when a constant of this kind may be assigned to `type` at all (before looking at its value). */
export function isAssignable(type: CqlType, kind: LiteralKind): boolean {
  return type.kind === 'native' && ASSIGNABLE[kind].includes(type.name);
}

/** Serialized value of constant `lit` for a receiver of `type`; InvalidRequest if not assignable or invalid. */
export function fromLiteral(type: CqlType, lit: Literal, context: LiteralContext = {}): Buffer {
  if (type.kind !== 'native' || !isAssignable(type, lit.kind)) {
    const receiver = context.column === undefined ? '' : `for "${context.column}" `;
    throw new InvalidRequest(`Invalid ${lit.kind.toUpperCase()} constant (${lit.text}) ${receiver}of type ${typeToCql(type)}`);
  }
  return nativeFromText(type.name, lit.text);
}

function fail(message: string): never {
  throw new InvalidRequest(message);
}

function integerText(text: string): bigint | null {
  return /^[+-]?\d+$/.test(text) ? BigInt(text) : null;
}

function fixedInteger(text: string, bits: 8 | 16 | 32 | 64, javaName: string): Buffer {
  const n = integerText(text);
  const limit = 1n << BigInt(bits - 1);
  if (n === null || n < -limit || n >= limit) fail(`Unable to make ${javaName} from '${text}'`);
  return serialize({ kind: 'native', name: bits === 64 ? 'bigint' : bits === 32 ? 'int' : bits === 16 ? 'smallint' : 'tinyint' }, n);
}

const JAVA_FLOAT_TEXT = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)$/;

function floating(text: string, name: 'float' | 'double'): Buffer {
  if (!JAVA_FLOAT_TEXT.test(text)) fail(`Unable to make ${name} from '${text}'`);
  const x = Number(text.replace(/^\+/, ''));
  return serialize({ kind: 'native', name }, name === 'float' ? Math.fround(x) : x);
}

/**
 * Converts constant text to a serialized value of a native type: Cassandra's
 * AbstractType.fromString (also used by CAST from text and by fromJson for string input).
 */
export function nativeFromText(name: NativeTypeName, text: string): Buffer {
  switch (name) {
    case 'ascii':
      if (!/^[\x00-\x7f]*$/.test(text)) fail(`Invalid ASCII character in string literal: '${text}'`);
      return Buffer.from(text, 'ascii');
    case 'text': return Buffer.from(text, 'utf8');
    case 'tinyint': return fixedInteger(text, 8, 'byte');
    case 'smallint': return fixedInteger(text, 16, 'short');
    case 'int': return fixedInteger(text, 32, 'int');
    case 'bigint': case 'counter': return fixedInteger(text, 64, 'long');
    case 'varint': {
      const n = integerText(text);
      return n === null ? fail(`unable to make int from '${text}'`) : writeVarint(n);
    }
    case 'decimal': {
      const d = parseDecimal(text);
      return d === null ? fail(`unable to make BigDecimal from '${text}'`) : serialize({ kind: 'native', name }, d);
    }
    case 'float': case 'double': return floating(text, name);
    case 'boolean': {
      const lower = text.toLowerCase();
      if (lower !== 'true' && lower !== 'false') fail(`Unable to make boolean from '${text}'`);
      return Buffer.from([lower === 'true' ? 1 : 0]);
    }
    case 'blob': return blobFromHex(text);
    case 'uuid': case 'timeuuid': return uuidFromText(text, name);
    case 'inet': return parseInet(text.trim()) ?? fail(`Unable to make inet address from '${text}'`);
    case 'timestamp': return timestampFromText(text);
    case 'date': return dateFromText(text);
    case 'time': {
      const nanos = parseTimeText(text);
      return nanos === null ? fail(`Unable to coerce '${text}' to a formatted time (long)`) : serialize({ kind: 'native', name }, nanos);
    }
    case 'duration': return durationFromText(text);
    case 'empty': return text === '' ? Buffer.alloc(0) : fail(`'${text}' is not empty`);
    default: return assertNever(name, 'native type');
  }
}

function blobFromHex(text: string): Buffer {
  const hex = text.startsWith('0x') || text.startsWith('0X') ? text.slice(2) : text;
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) fail(`cannot parse '${text}' as hex bytes`);
  return Buffer.from(hex, 'hex');
}

function uuidFromText(text: string, name: 'uuid' | 'timeuuid'): Buffer {
  const bytes = parseUuid(text);
  if (bytes === null) fail(`Unable to make ${name === 'uuid' ? 'UUID' : 'TimeUUID'} from '${text}'`);
  if (name === 'timeuuid' && uuidVersion(bytes) !== 1) fail(`TimeUUID supports only version 1 UUIDs (${text} is version ${uuidVersion(bytes)})`);
  return bytes;
}

function timestampFromText(text: string): Buffer {
  const big = integerText(text.trim());
  if (big !== null) {
    if (!fitsInt64(big)) fail(`Unable to make long from '${text}'`);
    return serialize({ kind: 'native', name: 'bigint' }, big);
  }
  const ms = parseTimestampText(text);
  if (ms === null || !Number.isSafeInteger(ms)) fail(`Unable to coerce '${text}' to a formatted date (long)`);
  return serialize({ kind: 'native', name: 'timestamp' }, ms);
}

function dateFromText(text: string): Buffer {
  let days: number | null;
  try {
    days = parseDateText(text);
  } catch (e) {
    if (e instanceof RangeError) fail(e.message);
    throw e;
  }
  if (days === null) fail(`Unable to coerce '${text}' to a formatted date (long)`);
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(days + DATE_EPOCH_OFFSET);
  return out;
}

function durationFromText(text: string): Buffer {
  try {
    const d = parseDuration(text);
    if (d === null) fail(`Unable to convert '${text}' to a duration`);
    return encodeDuration(d);
  } catch (e) {
    if (e instanceof DurationError) fail(e.message);
    throw e;
  }
}

