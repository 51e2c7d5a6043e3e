// CQL types as the protocol's [option]: a [short] id, then a value that depends on the id
// (native_protocol_v5.spec 4.2.5.2). Native types have no value; custom carries a class name;
// list/set carry one [option], map two, UDT <ks><name><n><name_i><type_i>..., tuple <n><type_i>...
// Duration has id 0x0015 from v5; v4 clients receive it as a custom DurationType.

import { ByteReader } from '../util/bytes.js';
import type { ByteSink } from './sink.js';
import { ProtocolError } from '../util/errors.js';
import { assertNever } from '../util/assert.js';
import type { CqlType, NativeTypeName } from '../schema/types.js';
import { readCount, readString, writeString } from './primitives.js';

export const TypeId = {
  custom: 0x0000,
  ascii: 0x0001,
  bigint: 0x0002,
  blob: 0x0003,
  boolean: 0x0004,
  counter: 0x0005,
  decimal: 0x0006,
  double: 0x0007,
  float: 0x0008,
  int: 0x0009,
  timestamp: 0x000b,
  uuid: 0x000c,
  varchar: 0x000d,
  varint: 0x000e,
  timeuuid: 0x000f,
  inet: 0x0010,
  date: 0x0011,
  time: 0x0012,
  smallint: 0x0013,
  tinyint: 0x0014,
  duration: 0x0015,
  list: 0x0020,
  map: 0x0021,
  set: 0x0022,
  udt: 0x0030,
  tuple: 0x0031,
} as const;

/** Native types that have no [option] id of their own and travel as custom class names. */
export const DURATION_CLASS = 'org.apache.cassandra.db.marshal.DurationType';
export const EMPTY_CLASS = 'org.apache.cassandra.db.marshal.EmptyType';

/** Nesting depth limit when decoding (a hostile option could otherwise recurse without end). */
export const TYPE_NESTING_MAX = 64;

const NATIVE_ID: Record<Exclude<NativeTypeName, 'empty' | 'duration'>, number> = {
  ascii: TypeId.ascii, bigint: TypeId.bigint, blob: TypeId.blob, boolean: TypeId.boolean,
  counter: TypeId.counter, decimal: TypeId.decimal, double: TypeId.double, float: TypeId.float,
  int: TypeId.int, timestamp: TypeId.timestamp, uuid: TypeId.uuid, text: TypeId.varchar,
  varint: TypeId.varint, timeuuid: TypeId.timeuuid, inet: TypeId.inet, date: TypeId.date,
  time: TypeId.time, smallint: TypeId.smallint, tinyint: TypeId.tinyint,
};
const NATIVE_BY_ID = new Map<number, NativeTypeName>(
  Object.entries(NATIVE_ID).map(([name, id]) => [id, name as NativeTypeName]),
);
NATIVE_BY_ID.set(TypeId.duration, 'duration');

export function writeTypeOption(w: ByteSink, t: CqlType, version: number): void {
  switch (t.kind) {
    case 'native': return writeNative(w, t.name, version);
    case 'custom': w.u16(TypeId.custom); writeString(w, t.className); return;
    case 'list': w.u16(TypeId.list); writeTypeOption(w, t.element, version); return;
    case 'set': w.u16(TypeId.set); writeTypeOption(w, t.element, version); return;
    case 'map': w.u16(TypeId.map); writeTypeOption(w, t.key, version); writeTypeOption(w, t.value, version); return;
    case 'tuple':
      w.u16(TypeId.tuple).u16(t.elements.length);
      for (const e of t.elements) writeTypeOption(w, e, version);
      return;
    case 'udt':
      w.u16(TypeId.udt);
      writeString(w, t.keyspace);
      writeString(w, t.name);
      w.u16(t.fieldNames.length);
      t.fieldNames.forEach((name, i) => { writeString(w, name); writeTypeOption(w, t.fieldTypes[i]!, version); });
      return;
    default: assertNever(t, 'CQL type');
  }
}

function writeNative(w: ByteSink, name: NativeTypeName, version: number): void {
  if (name === 'empty') { w.u16(TypeId.custom); writeString(w, EMPTY_CLASS); return; }
  if (name === 'duration') {
    if (version >= 5) w.u16(TypeId.duration);
    else { w.u16(TypeId.custom); writeString(w, DURATION_CLASS); }
    return;
  }
  w.u16(NATIVE_ID[name]);
}

/**
 * Reads an [option] type. Collections and UDTs come back with frozen=false (the wire does not
 * say); custom DurationType/EmptyType come back as the native types.
 */
export function readTypeOption(r: ByteReader, depth = 0): CqlType {
  if (depth > TYPE_NESTING_MAX) throw new ProtocolError(`type nesting deeper than ${TYPE_NESTING_MAX}`);
  const id = r.u16();
  const nativeName = NATIVE_BY_ID.get(id);
  if (nativeName !== undefined) return { kind: 'native', name: nativeName };
  switch (id) {
    case TypeId.custom: return readCustom(r);
    case TypeId.list: return { kind: 'list', element: readTypeOption(r, depth + 1), frozen: false };
    case TypeId.set: return { kind: 'set', element: readTypeOption(r, depth + 1), frozen: false };
    case TypeId.map: {
      const key = readTypeOption(r, depth + 1);
      return { kind: 'map', key, value: readTypeOption(r, depth + 1), frozen: false };
    }
    case TypeId.tuple: {
      const n = readCount(r, r.u16(), 2, 'tuple element');
      const elements: CqlType[] = [];
      for (let i = 0; i < n; i++) elements.push(readTypeOption(r, depth + 1));
      return { kind: 'tuple', elements };
    }
    case TypeId.udt: return readUdt(r, depth);
    default: throw new ProtocolError(`unknown type option id 0x${id.toString(16).padStart(4, '0')}`);
  }
}

function readCustom(r: ByteReader): CqlType {
  const className = readString(r);
  if (className === DURATION_CLASS) return { kind: 'native', name: 'duration' };
  if (className === EMPTY_CLASS) return { kind: 'native', name: 'empty' };
  return { kind: 'custom', className };
}

function readUdt(r: ByteReader, depth: number): CqlType {
  const keyspace = readString(r);
  const name = readString(r);
  const n = readCount(r, r.u16(), 4, 'UDT field');
  const fieldNames: string[] = [];
  const fieldTypes: CqlType[] = [];
  for (let i = 0; i < n; i++) {
    fieldNames.push(readString(r));
    fieldTypes.push(readTypeOption(r, depth + 1));
  }
  return { kind: 'udt', keyspace, name, fieldNames, fieldTypes, frozen: false };
}
