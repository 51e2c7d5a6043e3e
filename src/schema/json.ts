// JSON <-> serialized values, with Cassandra's SELECT JSON / INSERT JSON / toJson / fromJson rules.
//
// toJson: integers, varint, decimal, float, double and boolean are JSON numbers/literals (NaN and
// infinities become null, as JSON has no such numbers); text and ascii are JSON strings; blob is
// "0x..."; uuid, timeuuid, inet, date, time, duration are strings; timestamp is
// "yyyy-mm-dd hh:mm:ss.fffZ"; list, set and tuple are arrays; map and UDT are objects (a map key
// that is not already a JSON string is written as the string of its JSON text, e.g. {"1": "a"}).
// Separators are ", " and ": " as Cassandra writes them.
//
// fromJson: numbers are accepted as JSON numbers or as strings in CQL constant syntax; every
// other scalar type takes a string; collections take arrays/objects; missing UDT fields are null.
// JSON numbers are parsed exactly (no float rounding for bigint/varint/decimal).

import { assertNever } from '../util/assert.js';
import { InvalidRequest } from '../util/errors.js';
import { javaDoubleToString, javaFloatToString } from './bignum.js';
import { formatExactNumber } from './format.js';
import { serializeCollection, serializeMapEntries, serializeTupleFields, sortMapEntries, sortSetElements, splitCollection, splitMap, splitTupleFields } from './codec.js';
import { decodeDuration, formatDuration } from './duration.js';
import { nativeFromText } from './fromliteral.js';
import { formatInetJava } from './inet.js';
import { DATE_EPOCH_OFFSET, formatDate, formatTime, formatTimestamp } from './temporal.js';
import type { CqlType, NativeTypeName } from './types.js';
import { typeToCql } from './types.js';
import { formatUuid } from './uuid.js';

/** Nesting limit for parsed JSON (arrays/objects inside each other). */
export const JSON_DEPTH_MAX = 64;

/** A parsed JSON value; numbers keep their text so large integers and decimals stay exact. */
export type JsonValue =
  | { kind: 'null' }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'number'; text: string }
  | { kind: 'string'; value: string }
  | { kind: 'array'; items: JsonValue[] }
  | { kind: 'object'; entries: [string, JsonValue][] };

// ---------------------------------------------------------------- toJson

/** A JSON string literal with JSON escapes. */
export function jsonString(s: string): string {
  return JSON.stringify(s);
}

/** The JSON text of a serialized value (null → null). */
export function toJson(type: CqlType, bytes: Buffer | null): string {
  if (bytes === null) return 'null';
  switch (type.kind) {
    case 'native': return nativeToJson(type.name, bytes);
    case 'list': case 'set':
      return bytes.length === 0 ? 'null' : `[${splitCollection(bytes).map((e) => toJson(type.element, e)).join(', ')}]`;
    case 'map':
      return bytes.length === 0 ? 'null' : `{${splitMap(bytes).map(([k, v]) => `${jsonKey(toJson(type.key, k))}: ${toJson(type.value, v)}`).join(', ')}}`;
    case 'tuple': {
      if (bytes.length === 0) return 'null';
      const fields = splitTupleFields(bytes, type.elements.length);
      return `[${type.elements.map((t, i) => toJson(t, fields[i] ?? null)).join(', ')}]`;
    }
    case 'udt': {
      if (bytes.length === 0) return 'null';
      const fields = splitTupleFields(bytes, type.fieldTypes.length);
      return `{${type.fieldNames.map((n, i) => `${jsonString(n)}: ${toJson(type.fieldTypes[i]!, fields[i] ?? null)}`).join(', ')}}`;
    }
    case 'custom': return jsonString(`0x${bytes.toString('hex')}`);
    default: return assertNever(type, 'CqlType');
  }
}

function jsonKey(text: string): string {
  return text.startsWith('"') ? text : jsonString(text);
}

function nativeToJson(name: NativeTypeName, b: Buffer): string {
  if (b.length === 0 && name !== 'text' && name !== 'ascii' && name !== 'blob') return 'null';
  switch (name) {
    case 'ascii': case 'text': return jsonString(b.toString('utf8'));
    case 'blob': return jsonString(`0x${b.toString('hex')}`);
    case 'tinyint': case 'smallint': case 'int': case 'bigint': case 'counter': case 'varint': case 'decimal':
      return formatExactNumber(name, b);
    case 'float': return finiteOrNull(b.readFloatBE(0), javaFloatToString);
    case 'double': return finiteOrNull(b.readDoubleBE(0), javaDoubleToString);
    case 'boolean': return b[0] !== 0 ? 'true' : 'false';
    case 'uuid': case 'timeuuid': return jsonString(formatUuid(b));
    case 'inet': return jsonString(formatInetJava(b));
    case 'timestamp': return jsonString(formatTimestamp(Number(b.readBigInt64BE(0)), { separator: ' ', zone: 'Z', fractionDigits: 3 }));
    case 'date': return jsonString(formatDate(b.readUInt32BE(0) - DATE_EPOCH_OFFSET));
    case 'time': return jsonString(formatTime(b.readBigInt64BE(0)));
    case 'duration': return jsonString(formatDuration(decodeDuration(b)));
    case 'empty': return 'null';
    default: return assertNever(name, 'native type');
  }
}

function finiteOrNull(x: number, format: (x: number) => string): string {
  return Number.isFinite(x) ? format(x) : 'null';
}

// ---------------------------------------------------------------- JSON parsing

/** Parses JSON text; InvalidRequest "Could not decode JSON string '...': ..." when malformed. */
export function parseJson(text: string): JsonValue {
  const p = new JsonParser(text);
  const v = p.value(0);
  p.skipSpace();
  if (p.at !== text.length) p.fail('unexpected text after the value');
  return v;
}

class JsonParser {
  at = 0;
  constructor(private readonly text: string) {}

  fail(why: string): never {
    throw new InvalidRequest(`Could not decode JSON string '${this.text.slice(0, 200)}': ${why} at offset ${this.at}`);
  }

  skipSpace(): void {
    while (this.at < this.text.length && ' \t\n\r'.includes(this.text[this.at]!)) this.at++;
  }

  value(depth: number): JsonValue {
    if (depth > JSON_DEPTH_MAX) this.fail(`nested deeper than ${JSON_DEPTH_MAX}`);
    this.skipSpace();
    const c = this.text[this.at];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return { kind: 'string', value: this.string() };
    for (const [word, v] of [['null', { kind: 'null' }], ['true', { kind: 'boolean', value: true }], ['false', { kind: 'boolean', value: false }]] as const) {
      if (this.text.startsWith(word, this.at)) { this.at += word.length; return v; }
    }
    const m = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    m.lastIndex = this.at;
    const found = m.exec(this.text);
    if (found === null) this.fail('expected a value');
    this.at += found[0].length;
    return { kind: 'number', text: found[0] };
  }

  private string(): string {
    const m = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
    m.lastIndex = this.at;
    const found = m.exec(this.text);
    if (found === null) this.fail('malformed string');
    this.at += found[0].length;
    return JSON.parse(found[0]) as string;
  }

  private expect(c: string): void {
    this.skipSpace();
    if (this.text[this.at] !== c) this.fail(`expected '${c}'`);
    this.at++;
  }

  private array(depth: number): JsonValue {
    this.at++;
    const items: JsonValue[] = [];
    this.skipSpace();
    if (this.text[this.at] === ']') { this.at++; return { kind: 'array', items }; }
    for (;;) {
      items.push(this.value(depth + 1));
      this.skipSpace();
      if (this.text[this.at] === ']') { this.at++; return { kind: 'array', items }; }
      this.expect(',');
    }
  }

  private object(depth: number): JsonValue {
    this.at++;
    const entries: [string, JsonValue][] = [];
    this.skipSpace();
    if (this.text[this.at] === '}') { this.at++; return { kind: 'object', entries }; }
    for (;;) {
      this.skipSpace();
      if (this.text[this.at] !== '"') this.fail('expected a string key');
      const key = this.string();
      this.expect(':');
      entries.push([key, this.value(depth + 1)]);
      this.skipSpace();
      if (this.text[this.at] === '}') { this.at++; return { kind: 'object', entries }; }
      this.expect(',');
    }
  }
}

// ---------------------------------------------------------------- fromJson

/** Serialized value of JSON text for `type` (fromJson(), INSERT JSON); null for JSON null. */
export function fromJson(type: CqlType, text: string): Buffer | null {
  return fromJsonValue(type, parseJson(text));
}

function describe(v: JsonValue): string {
  switch (v.kind) {
    case 'null': return 'null';
    case 'boolean': return `a Boolean: ${v.value}`;
    case 'number': return `a Number: ${v.text}`;
    case 'string': return `a String: ${jsonString(v.value)}`;
    case 'array': return 'an Array';
    case 'object': return 'an Object';
    default: return assertNever(v, 'JsonValue');
  }
}

function mismatch(type: CqlType, v: JsonValue): InvalidRequest {
  return new InvalidRequest(`Error decoding JSON value for type ${typeToCql(type)}: expected ${expectedJson(type)}, but got ${describe(v)}`);
}

function expectedJson(type: CqlType): string {
  switch (type.kind) {
    case 'list': case 'set': case 'tuple': return 'a list';
    case 'map': case 'udt': return 'a map';
    default: return 'a string or number';
  }
}

/** Serialized value of an already-parsed JSON value; null for JSON null. */
export function fromJsonValue(type: CqlType, v: JsonValue): Buffer | null {
  if (v.kind === 'null') return null;
  switch (type.kind) {
    case 'native': return nativeFromJson(type, type.name, v);
    case 'list': case 'set': {
      if (v.kind !== 'array') throw mismatch(type, v);
      const elements = v.items.map((item) => elementFromJson(type.element, item));
      return serializeCollection(type.kind === 'set' ? sortSetElements(type.element, elements) : elements);
    }
    case 'map': {
      if (v.kind !== 'object') throw mismatch(type, v);
      const entries = v.entries.map(([k, item]): [Buffer, Buffer] => [elementFromJson(type.key, mapKeyJson(type.key, k)), elementFromJson(type.value, item)]);
      return serializeMapEntries(sortMapEntries(type.key, entries));
    }
    case 'tuple': {
      if (v.kind !== 'array') throw mismatch(type, v);
      if (v.items.length > type.elements.length) {
        throw new InvalidRequest(`Tuple contains extra items (expected ${type.elements.length}): ${v.items.length}`);
      }
      return serializeTupleFields(type.elements.map((t, i) => (v.items[i] === undefined ? null : fromJsonValue(t, v.items[i]!))));
    }
    case 'udt': return udtFromJson(type, v);
    case 'custom':
      if (v.kind !== 'string') throw mismatch(type, v);
      return nativeFromJson({ kind: 'native', name: 'blob' }, 'blob', v);
    default: return assertNever(type, 'CqlType');
  }
}

function elementFromJson(type: CqlType, v: JsonValue): Buffer {
  const b = fromJsonValue(type, v);
  if (b === null) throw new InvalidRequest('null is not supported inside collections');
  return b;
}

/** Map keys are JSON strings; for non-text key types the string holds the key's JSON text. */
function mapKeyJson(keyType: CqlType, key: string): JsonValue {
  if (keyType.kind === 'native' && (keyType.name === 'text' || keyType.name === 'ascii')) return { kind: 'string', value: key };
  try {
    return parseJson(key);
  } catch {
    return { kind: 'string', value: key };
  }
}

function udtFromJson(type: Extract<CqlType, { kind: 'udt' }>, v: JsonValue): Buffer {
  if (v.kind !== 'object') throw mismatch(type, v);
  const byField = new Map<string, JsonValue>();
  for (const [k, item] of v.entries) {
    const name = k.startsWith('"') && k.endsWith('"') && k.length >= 2 ? k.slice(1, -1) : k.toLowerCase();
    if (!type.fieldNames.includes(name)) throw new InvalidRequest(`Unknown field '${name}' in value of user defined type ${type.name}`);
    byField.set(name, item);
  }
  return serializeTupleFields(type.fieldNames.map((n, i) => {
    const item = byField.get(n);
    return item === undefined ? null : fromJsonValue(type.fieldTypes[i]!, item);
  }));
}

const NUMERIC: readonly NativeTypeName[] = ['tinyint', 'smallint', 'int', 'bigint', 'counter', 'varint', 'decimal', 'float', 'double'];

function nativeFromJson(type: CqlType, name: NativeTypeName, v: JsonValue): Buffer {
  if (v.kind === 'number') {
    if (NUMERIC.includes(name) || name === 'timestamp' || name === 'time' || name === 'date') return numberFromJson(name, v.text);
    throw mismatch(type, v);
  }
  if (v.kind === 'boolean') {
    if (name === 'boolean') return Buffer.from([v.value ? 1 : 0]);
    throw mismatch(type, v);
  }
  if (v.kind !== 'string') throw mismatch(type, v);
  if (name === 'blob') {
    if (!v.value.startsWith('0x')) {
      throw new InvalidRequest(`Value '${v.value}' is not a valid blob representation: String representation of blob is missing 0x prefix`);
    }
    return nativeFromText('blob', v.value.slice(2));
  }
  return nativeFromText(name, name === 'text' || name === 'ascii' ? v.value : v.value.trim());
}

function numberFromJson(name: NativeTypeName, text: string): Buffer {
  const integral = /^-?\d+$/.test(text);
  switch (name) {
    case 'decimal': case 'float': case 'double': return nativeFromText(name, text);
    default:
      if (!integral) throw new InvalidRequest(`Unable to make ${name} from '${text}': not an integer`);
      return nativeFromText(name, text);
  }
}
