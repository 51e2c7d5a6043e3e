// Serialized values -> text, in two styles:
//   formatLiteral  CQL constant text that the CQL parser and fromLiteral read back to the same
//                  value (DESCRIBE, default values, generated statements).
//   formatDisplay  what cqlsh shows in a result table: strings unquoted at the top level,
//                  timestamps as 2024-01-02 03:04:05.000000+0000, floats with 5 significant digits
//                  and doubles with 12 (cqlsh's defaults), booleans True/False.

import { assertNever } from '../util/assert.js';
import { formatDecimal, javaDoubleToString, javaFloatToString, readVarint } from './bignum.js';
import { splitCollection, splitMap, splitTupleFields } from './codec.js';
import { decodeDuration, formatDuration } from './duration.js';
import { formatInet } from './inet.js';
import { DATE_EPOCH_OFFSET, formatDate, formatTime, formatTimestamp } from './temporal.js';
import type { CqlType, NativeTypeName } from './types.js';
import { formatUuid } from './uuid.js';
import { APPENDIX_A_RESERVED_KEYWORDS } from './keywords.js';

export const DISPLAY_FLOAT_DIGITS = 5;
export const DISPLAY_DOUBLE_DIGITS = 12;

/** A string as a CQL string constant: single quotes, embedded quotes doubled. */
export function quoteString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** CQL constant text for a serialized value; `null` for a null value. */
export function formatLiteral(type: CqlType, bytes: Buffer | null): string {
  if (bytes === null) return 'null';
  switch (type.kind) {
    case 'native': return nativeLiteral(type.name, bytes);
    case 'list': return emptyOr(type, bytes, () => `[${splitCollection(bytes).map((e) => formatLiteral(type.element, e)).join(', ')}]`);
    case 'set': return emptyOr(type, bytes, () => `{${splitCollection(bytes).map((e) => formatLiteral(type.element, e)).join(', ')}}`);
    case 'map': return emptyOr(type, bytes, () => `{${splitMap(bytes).map(([k, v]) => `${formatLiteral(type.key, k)}: ${formatLiteral(type.value, v)}`).join(', ')}}`);
    case 'tuple': return emptyOr(type, bytes, () => `(${fieldsOf(type.elements, bytes).map(([t, f]) => formatLiteral(t, f)).join(', ')})`);
    case 'udt':
      return emptyOr(type, bytes, () => `{${fieldsOf(type.fieldTypes, bytes).map(([t, f], i) => `${quoteIdentifier(type.fieldNames[i]!)}: ${formatLiteral(t, f)}`).join(', ')}}`);
    case 'custom': return `0x${bytes.toString('hex')}`;
    default: return assertNever(type, 'CqlType');
  }
}

function emptyOr(type: CqlType, bytes: Buffer, format: () => string): string {
  return bytes.length === 0 ? (type.kind === 'list' ? '[]' : type.kind === 'tuple' ? 'null' : '{}') : format();
}

function fieldsOf(types: CqlType[], bytes: Buffer): [CqlType, Buffer | null][] {
  const fields = splitTupleFields(bytes, types.length);
  return types.map((t, i) => [t, fields[i] ?? null]);
}

/** Identifiers that are not lower-case words are double-quoted (CQL's case-sensitive names). */
export function quoteIdentifier(name: string): string {
  return /^[a-z][a-z0-9_]*$/.test(name) && !APPENDIX_A_RESERVED_KEYWORDS.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** The exact numeric types: their text is the same as a CQL constant and as a JSON number. */
export type ExactNumericTypeName = 'tinyint' | 'smallint' | 'int' | 'bigint' | 'counter' | 'varint' | 'decimal';

/** Decimal text of a non-empty serialized exact number, e.g. -12 or 1.50 (CQL literal and JSON alike). */
export function formatExactNumber(name: ExactNumericTypeName, b: Buffer): string {
  switch (name) {
    case 'tinyint': return String(b.readInt8(0));
    case 'smallint': return String(b.readInt16BE(0));
    case 'int': return String(b.readInt32BE(0));
    case 'bigint': case 'counter': return b.readBigInt64BE(0).toString();
    case 'varint': return readVarint(b).toString();
    case 'decimal': return formatDecimal({ unscaled: readVarint(b, 4), scale: b.readInt32BE(0) });
    default: return assertNever(name, 'exact numeric type');
  }
}

function nativeLiteral(name: NativeTypeName, b: Buffer): string {
  if (b.length === 0 && name !== 'text' && name !== 'ascii' && name !== 'blob') {
    return name === 'empty' ? "''" : `blobAs${name[0]!.toUpperCase()}${name.slice(1)}(0x)`;
  }
  switch (name) {
    case 'ascii': case 'text': return quoteString(b.toString('utf8'));
    case 'blob': return `0x${b.toString('hex')}`;
    case 'tinyint': case 'smallint': case 'int': case 'bigint': case 'counter': case 'varint': case 'decimal':
      return formatExactNumber(name, b);
    case 'float': return javaFloatToString(b.readFloatBE(0));
    case 'double': return javaDoubleToString(b.readDoubleBE(0));
    case 'boolean': return b[0] !== 0 ? 'true' : 'false';
    case 'uuid': case 'timeuuid': return formatUuid(b);
    case 'inet': return quoteString(formatInet(b));
    case 'timestamp': return quoteString(formatTimestamp(Number(b.readBigInt64BE(0)), { separator: 'T', zone: 'Z', fractionDigits: 3 }));
    case 'date': return quoteString(formatDate(b.readUInt32BE(0) - DATE_EPOCH_OFFSET));
    case 'time': return quoteString(formatTime(b.readBigInt64BE(0)));
    case 'duration': return formatDuration(decodeDuration(b));
    case 'empty': return "''";
    default: return assertNever(name, 'native type');
  }
}

/** cqlsh's text for a value in a result table; `null` shows as null. */
export function formatDisplay(type: CqlType, bytes: Buffer | null): string {
  return display(type, bytes, true);
}

function display(type: CqlType, bytes: Buffer | null, topLevel: boolean): string {
  if (bytes === null) return 'null';
  switch (type.kind) {
    case 'native': return nativeDisplay(type.name, bytes, topLevel);
    case 'list': return bytes.length === 0 ? '[]' : `[${splitCollection(bytes).map((e) => display(type.element, e, false)).join(', ')}]`;
    case 'set': return bytes.length === 0 ? '{}' : `{${splitCollection(bytes).map((e) => display(type.element, e, false)).join(', ')}}`;
    case 'map': return bytes.length === 0 ? '{}' : `{${splitMap(bytes).map(([k, v]) => `${display(type.key, k, false)}: ${display(type.value, v, false)}`).join(', ')}}`;
    case 'tuple': return bytes.length === 0 ? 'null' : `(${fieldsOf(type.elements, bytes).map(([t, f]) => display(t, f, false)).join(', ')})`;
    case 'udt':
      return bytes.length === 0 ? 'null' : `{${fieldsOf(type.fieldTypes, bytes).map(([t, f], i) => `${type.fieldNames[i]}: ${display(t, f, false)}`).join(', ')}}`;
    case 'custom': return `0x${bytes.toString('hex')}`;
    default: return assertNever(type, 'CqlType');
  }
}

function nativeDisplay(name: NativeTypeName, b: Buffer, topLevel: boolean): string {
  if (b.length === 0 && name !== 'text' && name !== 'ascii' && name !== 'blob') return '';
  switch (name) {
    case 'ascii': case 'text': return topLevel ? b.toString('utf8') : quoteString(b.toString('utf8'));
    case 'boolean': return b[0] !== 0 ? 'True' : 'False';
    case 'float': return formatG(b.readFloatBE(0), DISPLAY_FLOAT_DIGITS);
    case 'double': return formatG(b.readDoubleBE(0), DISPLAY_DOUBLE_DIGITS);
    case 'timestamp': return formatTimestamp(Number(b.readBigInt64BE(0)), { separator: ' ', zone: '+0000', fractionDigits: 6 });
    case 'inet': return topLevel ? formatInet(b) : quoteString(formatInet(b));
    case 'date': case 'time': {
      const text = nativeLiteral(name, b);
      return topLevel ? text.slice(1, -1) : text;
    }
    default: return nativeLiteral(name, b);
  }
}

/**
 * cqlsh's float formatting: Python's '%.*g' with the precision widened by the digits left of the
 * point, so 123456.7 with 5 digits shows as 123456.7 rather than 1.2346e+05.
 */
export function formatG(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  let precision = digits;
  const exponent = Math.abs(x) > Number.EPSILON ? Math.trunc(Math.log10(Math.abs(x))) : -16;
  if (exponent >= -4 && exponent < precision) precision = precision + exponent + 1;
  return percentG(x, Math.max(1, Math.min(precision, 100)));
}

/** Python's '%.Pg'. */
function percentG(x: number, precision: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const exp = Number(x.toExponential(precision - 1).split('e')[1]);
  if (exp >= -4 && exp < precision) return stripZeros(x.toFixed(Math.max(0, precision - 1 - exp)));
  const [mantissa, e] = x.toExponential(precision - 1).split('e') as [string, string];
  const n = Number(e);
  return `${stripZeros(mantissa)}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
}

function stripZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}
