// Value formatting like cqlsh: each value of a result row becomes the text the shell prints.
//
// Formatting is directed by the column's type as the driver describes it ({ code, info }), and
// falls back on the JavaScript value's own kind when a type is missing. Top-level text is shown
// raw; inside collections, tuples and UDTs, text, timestamps, dates, times and inets are quoted
// ('...', with ' doubled), as cqlsh does.

import { APPENDIX_A_RESERVED_KEYWORDS } from '../../cql/mod.js';

/** The driver's description of a CQL type (ResultSet.columns[i].type, metadata column types). */
export interface TypeInfo {
  code: number;
  info?: unknown;
  options?: { frozen?: boolean; reversed?: boolean };
  customTypeName?: string;
}

/** Native protocol type codes (spec section 6), as the driver's types.dataTypes numbers them. */
export const TypeCode = {
  custom: 0x00, ascii: 0x01, bigint: 0x02, blob: 0x03, boolean: 0x04, counter: 0x05, decimal: 0x06,
  double: 0x07, float: 0x08, int: 0x09, text: 0x0a, timestamp: 0x0b, uuid: 0x0c, varchar: 0x0d,
  varint: 0x0e, timeuuid: 0x0f, inet: 0x10, date: 0x11, time: 0x12, smallint: 0x13, tinyint: 0x14,
  duration: 0x15, list: 0x20, map: 0x21, set: 0x22, udt: 0x30, tuple: 0x31,
} as const;

export interface FormatOptions {
  /** Significant digits for float columns (cqlsh's float_precision). */
  floatPrecision: number;
  /** Significant digits for double columns (cqlsh's double_precision). */
  doublePrecision: number;
}

export const DEFAULT_FORMAT_OPTIONS: FormatOptions = { floatPrecision: 5, doublePrecision: 5 };

/** Deepest nesting of collections/tuples/UDTs formatted; deeper values print as `...`. */
export const NESTING_DEPTH_MAX = 32;

/** The text cqlsh would print for `value` of type `type` in a result cell. */
export function formatValue(value: unknown, type: TypeInfo | undefined, opts: FormatOptions = DEFAULT_FORMAT_OPTIONS): string {
  return format(value, type, opts, 0);
}

function format(value: unknown, type: TypeInfo | undefined, opts: FormatOptions, depth: number): string {
  if (value === null || value === undefined) return 'null';
  if (depth > NESTING_DEPTH_MAX) return '...';
  const quoted = depth > 0;
  if (type !== undefined) {
    const typed = formatTyped(value, type, opts, depth);
    if (typed !== undefined) return typed;
  }
  return formatUntyped(value, opts, depth, quoted);
}

/** Type-directed formatting; undefined when the value does not have the type's expected shape. */
function formatTyped(value: unknown, type: TypeInfo, opts: FormatOptions, depth: number): string | undefined {
  const quoted = depth > 0;
  switch (type.code) {
    case TypeCode.ascii:
    case TypeCode.text:
    case TypeCode.varchar:
      return typeof value === 'string' ? formatText(value, quoted) : undefined;
    case TypeCode.float:
      return typeof value === 'number' ? formatFloating(value, opts.floatPrecision) : undefined;
    case TypeCode.double:
      return typeof value === 'number' ? formatFloating(value, opts.doublePrecision) : undefined;
    case TypeCode.list:
      return isIterableCollection(value) ? formatSequence([...value], '[', ']', type.info as TypeInfo, opts, depth) : undefined;
    case TypeCode.set:
      return isIterableCollection(value) ? formatSequence([...value], '{', '}', type.info as TypeInfo, opts, depth) : undefined;
    case TypeCode.map:
      return formatMap(value, type.info as [TypeInfo, TypeInfo] | undefined, opts, depth);
    case TypeCode.tuple:
      return formatTuple(value, type.info as TypeInfo[] | undefined, opts, depth);
    case TypeCode.udt:
      return formatUdt(value, type.info as { fields?: Array<{ name: string; type: TypeInfo }> } | undefined, opts, depth);
    case TypeCode.custom:
      if (type.customTypeName === 'vector' && Array.isArray(type.info) && isIterableCollection(value)) {
        return formatSequence([...value], '[', ']', type.info[0] as TypeInfo, opts, depth);
      }
      return undefined;
    default:
      return undefined;
  }
}

function formatUntyped(value: unknown, opts: FormatOptions, depth: number, quoted: boolean): string {
  if (typeof value === 'string') return formatText(value, quoted);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : formatFloating(value, opts.doublePrecision);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return quoteIf(formatTimestamp(value), quoted);
  if (Buffer.isBuffer(value)) return formatBlob(value);
  if (value instanceof Map) return formatMap(value, undefined, opts, depth) ?? '{}';
  if (value instanceof Set || Array.isArray(value)) {
    return formatSequence([...value], Array.isArray(value) ? '[' : '{', Array.isArray(value) ? ']' : '}', undefined, opts, depth);
  }
  const kind = driverKind(value);
  switch (kind) {
    case 'Tuple': return formatTuple(value, undefined, opts, depth) ?? String(value);
    case 'LocalTime': return quoteIf(formatLocalTime(value as LocalTimeLike), quoted);
    case 'LocalDate': return quoteIf(String(value), quoted);
    case 'InetAddress': return quoteIf(String(value), quoted);
    case 'Duration': return formatDuration(value as DurationLike);
    case 'Vector': return formatSequence([...(value as Iterable<unknown>)], '[', ']', undefined, opts, depth);
    case 'Uuid': case 'TimeUuid': case 'Long': case 'Integer': case 'BigDecimal':
      return String(value);
    default:
      break;
  }
  if (typeof value === 'object') return formatUdt(value, undefined, opts, depth) ?? String(value);
  return String(value);
}

/** The driver class name of a value (Uuid, Long, Tuple, ...), from its constructor. */
function driverKind(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '';
  const name = (value as { constructor?: { name?: string } }).constructor?.name ?? '';
  if (name === 'Tuple' && Array.isArray((value as { elements?: unknown }).elements)) return 'Tuple';
  if (name === 'Object') return '';
  return name;
}

function isIterableCollection(value: unknown): value is Iterable<unknown> {
  return Array.isArray(value) || value instanceof Set || driverKind(value) === 'Vector';
}

function formatSequence(items: unknown[], open: string, close: string, elementType: TypeInfo | undefined,
                        opts: FormatOptions, depth: number): string {
  return open + items.map((v) => format(v, elementType, opts, depth + 1)).join(', ') + close;
}

function formatMap(value: unknown, kv: [TypeInfo, TypeInfo] | undefined, opts: FormatOptions, depth: number): string | undefined {
  let entries: Array<[unknown, unknown]>;
  // Map.prototype is called directly: a decoded map's own properties may shadow its methods.
  if (value instanceof Map) entries = [...Map.prototype.entries.call(value)];
  else if (typeof value === 'object' && value !== null && driverKind(value) === '') entries = Object.entries(value);
  else return undefined;
  const parts = entries.map(([k, v]) => `${format(k, kv?.[0], opts, depth + 1)}: ${format(v, kv?.[1], opts, depth + 1)}`);
  return '{' + parts.join(', ') + '}';
}

function formatTuple(value: unknown, types: TypeInfo[] | undefined, opts: FormatOptions, depth: number): string | undefined {
  const elements = (value as { elements?: unknown }).elements;
  if (!Array.isArray(elements)) return undefined;
  return '(' + elements.map((v, i) => format(v, types?.[i], opts, depth + 1)).join(', ') + ')';
}

function formatUdt(value: unknown, udt: { fields?: Array<{ name: string; type: TypeInfo }> } | undefined,
                   opts: FormatOptions, depth: number): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const fields = udt?.fields ?? Object.keys(record).map((name) => ({ name, type: undefined }));
  const parts = fields.map((f) => `${quoteIdentifier(f.name)}: ${format(record[f.name], f.type, opts, depth + 1)}`);
  return '{' + parts.join(', ') + '}';
}

const CONTROL_CHARS = /[\x00-\x1f\x7f]/g;

/** Text as cqlsh shows it: control characters escaped; quoted (' doubled) inside collections. */
export function formatText(value: string, quoted: boolean): string {
  const escaped = value.replace(CONTROL_CHARS, (c) => {
    switch (c) {
      case '\n': return '\\n';
      case '\t': return '\\t';
      case '\r': return '\\r';
      default: return '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0');
    }
  });
  return quoted ? `'${escaped.replace(/'/g, "''")}'` : escaped;
}

function quoteIf(text: string, quoted: boolean): string {
  return quoted ? `'${text}'` : text;
}

/** Blob as 0x followed by lowercase hex. */
export function formatBlob(value: Buffer): string {
  return '0x' + value.toString('hex');
}

/** `2024-01-02 03:04:05.678000+0000`: UTC, microseconds, like cqlsh's default time format. */
export function formatTimestamp(value: Date): string {
  const ms = value.getTime();
  if (Number.isNaN(ms)) return 'invalid timestamp';
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const year = value.getUTCFullYear();
  const yearText = year < 0 ? '-' + pad(-year, 4) : pad(year, 4);
  return `${yearText}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())} ` +
    `${pad(value.getUTCHours())}:${pad(value.getUTCMinutes())}:${pad(value.getUTCSeconds())}.` +
    `${pad(value.getUTCMilliseconds(), 3)}000+0000`;
}

interface LocalTimeLike { hour: number; minute: number; second: number; nanosecond: number }

/** `03:04:05.000000000`: cqlsh shows times with nanoseconds. */
export function formatLocalTime(value: LocalTimeLike): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(value.hour)}:${pad(value.minute)}:${pad(value.second)}.${pad(value.nanosecond, 9)}`;
}

interface DurationLike { months: number; days: number; nanoseconds: { toString(): string } | number }

const NANOS_UNITS: Array<[bigint, string]> = [
  [3_600_000_000_000n, 'h'], [60_000_000_000n, 'm'], [1_000_000_000n, 's'], [1_000_000n, 'ms'], [1_000n, 'us'], [1n, 'ns'],
];

/** Duration as `1y2mo3d4h5m6s7ms8us9ns` (zero parts left out; `0s` for zero), sign in front. */
export function formatDuration(value: DurationLike): string {
  const nanos = BigInt(value.nanoseconds.toString());
  const negative = value.months < 0 || value.days < 0 || nanos < 0n;
  const months = Math.abs(value.months);
  const days = Math.abs(value.days);
  let rest = nanos < 0n ? -nanos : nanos;
  let out = '';
  if (months >= 12) out += `${Math.floor(months / 12)}y`;
  if (months % 12 !== 0) out += `${months % 12}mo`;
  if (days !== 0) out += `${days}d`;
  for (const [size, unit] of NANOS_UNITS) {
    if (rest >= size) { out += `${rest / size}${unit}`; rest %= size; }
  }
  if (out === '') out = '0s';
  return (negative ? '-' : '') + out;
}

/**
 * Floating point like cqlsh: `%g` with `precision` significant digits, widened by the digits
 * left of the point so that plain numbers are not cut; NaN and Infinity by name.
 */
export function formatFloating(value: number, precision: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const exponent = Math.abs(value) > Number.EPSILON ? Math.trunc(Math.log10(Math.abs(value))) : -Infinity;
  let digits = precision;
  // Widen by the digits left of the point when %g would print the number without an exponent.
  if (exponent >= -4 && exponent < precision) digits = precision + exponent + 1;
  digits = Math.min(Math.max(digits, 1), 100);
  return formatG(value, digits);
}

/** C's `%.{digits}g`, with Python's exponent form (e+05) and trailing zeros removed. */
function formatG(value: number, digits: number): string {
  const exp = Number(value.toExponential(digits - 1).split('e')[1]);
  if (exp < -4 || exp >= digits) {
    const [mantissa, e] = value.toExponential(digits - 1).split('e') as [string, string];
    const sign = e.startsWith('-') ? '-' : '+';
    const absExp = e.replace(/^[+-]/, '').padStart(2, '0');
    return `${stripZeros(mantissa)}e${sign}${absExp}`;
  }
  return stripZeros(value.toFixed(Math.max(0, digits - 1 - exp)));
}

function stripZeros(text: string): string {
  if (!text.includes('.')) return text;
  return text.replace(/0+$/, '').replace(/\.$/, '');
}

const UNQUOTED_IDENTIFIER = /^[a-z][a-z0-9_]*$/;

/** An identifier as CQL needs it written: bare when lowercase and not reserved, else "quoted". */
export function quoteIdentifier(name: string): string {
  if (UNQUOTED_IDENTIFIER.test(name) && !APPENDIX_A_RESERVED_KEYWORDS.has(name)) return name;
  return '"' + name.replace(/"/g, '""') + '"';
}
