import test from 'node:test';
import assert from 'node:assert/strict';
import cassandra from 'cassandra-driver';
import { formatDuration, formatFloating, formatValue, quoteIdentifier, TypeCode, type TypeInfo } from './format.js';
import { ShellMap } from './driver_values.js';

const { types } = cassandra;
const t = (code: number, info: unknown = null, extra: Partial<TypeInfo> = {}): TypeInfo => ({ code, info, ...extra });
const TEXT = t(TypeCode.text);
const INT = t(TypeCode.int);

function shellMap(entries: Array<[unknown, unknown]>): ShellMap {
  const m = new ShellMap();
  for (const [k, v] of entries) m.set(k, v);
  return m;
}

const cases: Array<{ name: string; value: unknown; type?: TypeInfo; want: string }> = [
  { name: 'null', value: null, type: INT, want: 'null' },
  { name: 'int', value: 42, type: INT, want: '42' },
  { name: 'negative int', value: -7, type: t(TypeCode.smallint), want: '-7' },
  { name: 'bigint Long', value: types.Long.fromString('9223372036854775807'), type: t(TypeCode.bigint), want: '9223372036854775807' },
  { name: 'varint', value: types.Integer.fromString('-123456789012345678901234567890'), type: t(TypeCode.varint), want: '-123456789012345678901234567890' },
  { name: 'decimal', value: types.BigDecimal.fromString('1.25'), type: t(TypeCode.decimal), want: '1.25' },
  { name: 'text raw at top level', value: "it's", type: TEXT, want: "it's" },
  { name: 'text control chars escaped', value: 'a\nb\tc\x01', type: TEXT, want: 'a\\nb\\tc\\x01' },
  { name: 'boolean', value: true, type: t(TypeCode.boolean), want: 'True' },
  { name: 'boolean false', value: false, type: t(TypeCode.boolean), want: 'False' },
  { name: 'blob', value: Buffer.from([0, 1, 0xab]), type: t(TypeCode.blob), want: '0x0001ab' },
  { name: 'empty blob', value: Buffer.alloc(0), type: t(TypeCode.blob), want: '0x' },
  { name: 'timestamp', value: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)), type: t(TypeCode.timestamp), want: '2024-01-02 03:04:05.678000+0000' },
  { name: 'uuid', value: types.Uuid.fromString('12345678-1234-5678-1234-567812345678'), type: t(TypeCode.uuid), want: '12345678-1234-5678-1234-567812345678' },
  { name: 'timeuuid', value: types.TimeUuid.fromString('50554d6e-29bb-11e5-b345-feff819cdc9f'), type: t(TypeCode.timeuuid), want: '50554d6e-29bb-11e5-b345-feff819cdc9f' },
  { name: 'inet', value: types.InetAddress.fromString('127.0.0.1'), type: t(TypeCode.inet), want: '127.0.0.1' },
  { name: 'date', value: types.LocalDate.fromString('2024-01-02'), type: t(TypeCode.date), want: '2024-01-02' },
  { name: 'time', value: types.LocalTime.fromString('03:04:05.000000123'), type: t(TypeCode.time), want: '03:04:05.000000123' },
  { name: 'time whole seconds', value: types.LocalTime.fromString('01:02:03'), type: t(TypeCode.time), want: '01:02:03.000000000' },
  { name: 'duration', value: new types.Duration(14, 3, types.Long.fromString('3723000000004')), type: t(TypeCode.duration), want: '1y2mo3d1h2m3s4ns' },
  { name: 'double', value: 3.14159265358979, type: t(TypeCode.double), want: '3.14159' },
  { name: 'double whole', value: 2, type: t(TypeCode.double), want: '2' },
  { name: 'double large', value: 123456.789, type: t(TypeCode.double), want: '1.2346e+05' },
  { name: 'double tiny', value: 1.5e-10, type: t(TypeCode.double), want: '1.5e-10' },
  { name: 'double huge', value: 1e20, type: t(TypeCode.double), want: '1e+20' },
  { name: 'float', value: 1.5, type: t(TypeCode.float), want: '1.5' },
  { name: 'NaN', value: NaN, type: t(TypeCode.double), want: 'NaN' },
  { name: '-Infinity', value: -Infinity, type: t(TypeCode.float), want: '-Infinity' },
  { name: 'list of text', value: ['a', "b'c"], type: t(TypeCode.list, TEXT), want: "['a', 'b''c']" },
  { name: 'set of int (Set)', value: new Set([1, 2]), type: t(TypeCode.set, INT), want: '{1, 2}' },
  { name: 'set of int (array)', value: [1, 2], type: t(TypeCode.set, INT), want: '{1, 2}' },
  { name: 'empty list', value: [], type: t(TypeCode.list, INT), want: '[]' },
  { name: 'map text->int', value: shellMap([['a', 1], ['b', 2]]), type: t(TypeCode.map, [TEXT, INT]), want: "{'a': 1, 'b': 2}" },
  { name: 'map int->text (object fallback)', value: { 1: 'x' }, type: t(TypeCode.map, [INT, TEXT]), want: "{'1': 'x'}" },
  { name: 'map with timestamp keys', value: shellMap([[new Date(0), 'x']]), type: t(TypeCode.map, [t(TypeCode.timestamp), TEXT]),
    want: "{'1970-01-01 00:00:00.000000+0000': 'x'}" },
  { name: 'map whose key shadows a method', value: shellMap([['get', 1], ['entries', 2], ['keys', 3]]), type: t(TypeCode.map, [TEXT, INT]),
    want: "{'get': 1, 'entries': 2, 'keys': 3}" },
  { name: 'tuple', value: new types.Tuple(1, 'a', null), type: t(TypeCode.tuple, [INT, TEXT, INT]), want: "(1, 'a', null)" },
  { name: 'udt', value: { street: 'Main', zip: 12345, 'Odd Name': null },
    type: t(TypeCode.udt, { name: 'address', fields: [{ name: 'street', type: TEXT }, { name: 'zip', type: INT }, { name: 'Odd Name', type: INT }] }),
    want: "{street: 'Main', zip: 12345, \"Odd Name\": null}" },
  { name: 'list of frozen udt', value: [{ a: 1 }], type: t(TypeCode.list, t(TypeCode.udt, { fields: [{ name: 'a', type: INT }] })), want: '[{a: 1}]' },
  { name: 'nested collections', value: shellMap([['k', [new Set(['x'])]]]),
    type: t(TypeCode.map, [TEXT, t(TypeCode.list, t(TypeCode.set, TEXT))]), want: "{'k': [{'x'}]}" },
  { name: 'untyped string', value: 'x', want: 'x' },
  { name: 'untyped Long', value: types.Long.fromNumber(5), want: '5' },
  { name: 'untyped list of strings', value: ['x'], want: "['x']" },
];

for (const c of cases) {
  test(`formatValue: ${c.name}`, () => {
    assert.equal(formatValue(c.value, c.type), c.want);
  });
}

test('formatFloating follows %g with widened precision like cqlsh', () => {
  const table: Array<[number, number, string]> = [
    [0.05, 5, '0.05'], [123.456, 5, '123.456'], [0.000123456789, 5, '0.000123'], [1e-5, 5, '1e-05'],
    [99999.5, 5, '99999.5'], [-2.5, 5, '-2.5'], [0, 5, '0'], [12345678.9, 5, '1.2346e+07'], [1234.5, 12, '1234.5'],
  ];
  for (const [v, p, want] of table) assert.equal(formatFloating(v, p), want, `${v} at ${p}`);
});

test('formatDuration handles negative and zero durations', () => {
  assert.equal(formatDuration({ months: 0, days: 0, nanoseconds: 0 }), '0s');
  assert.equal(formatDuration({ months: 0, days: -2, nanoseconds: -1000 }), '-2d1us');
  assert.equal(formatDuration({ months: 1, days: 0, nanoseconds: 5_000_000 }), '1mo5ms');
});

test('quoteIdentifier quotes mixed case, reserved words and odd characters', () => {
  assert.equal(quoteIdentifier('abc_1'), 'abc_1');
  assert.equal(quoteIdentifier('Abc'), '"Abc"');
  assert.equal(quoteIdentifier('select'), '"select"');
  assert.equal(quoteIdentifier('a"b'), '"a""b"');
  assert.equal(quoteIdentifier('1a'), '"1a"');
});
