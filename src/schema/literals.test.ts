// Table-driven tests: constants for each type, Cassandra's error messages, boundary values,
// timestamp/date/time/duration text forms, uuid helpers and composite partition keys.

import test from 'node:test';
import assert from 'node:assert/strict';
import { InvalidRequest } from '../util/errors.js';
import { deserialize, serialize, validate } from './codec.js';
import { compareValues } from './compare.js';
import { serializeCompositeKey, splitCompositeKey } from './composite.js';
import { formatDisplay, formatLiteral } from './format.js';
import { fromLiteral } from './fromliteral.js';
import { fromJson, toJson } from './json.js';
import type { LiteralKind } from './literal.js';
import { type CqlType, type NativeTypeName, native } from './types.js';
import { TimeuuidGenerator, formatUuid, maxTimeuuid, minTimeuuid, parseUuid, randomUuid, unixTimestampOf } from './uuid.js';

const T = (n: NativeTypeName): CqlType => native(n);
const lit = (kind: LiteralKind, text: string) => ({ kind, text });

test('fromLiteral: accepted constants and their values', () => {
  const cases: [NativeTypeName, LiteralKind, string, unknown][] = [
    ['int', 'integer', '-2147483648', -2147483648],
    ['int', 'integer', '2147483647', 2147483647],
    ['tinyint', 'integer', '-128', -128],
    ['smallint', 'integer', '32767', 32767],
    ['bigint', 'integer', '9223372036854775807', 9223372036854775807n],
    ['varint', 'integer', '-123456789012345678901234567890', -123456789012345678901234567890n],
    ['double', 'integer', '3', 3],
    ['double', 'float', 'NaN', NaN],
    ['double', 'float', '-Infinity', -Infinity],
    ['float', 'float', '1.5', 1.5],
    ['decimal', 'float', '1.50', { unscaled: 150n, scale: 2 }],
    ['decimal', 'integer', '12', { unscaled: 12n, scale: 0 }],
    ['decimal', 'float', '1e3', { unscaled: 1n, scale: -3 }],
    ['boolean', 'boolean', 'true', true],
    ['text', 'string', "it's", "it's"],
    ['ascii', 'string', 'abc', 'abc'],
    ['blob', 'hex', 'CAFE', Buffer.from([0xca, 0xfe])],
    ['blob', 'hex', '', Buffer.alloc(0)],
    ['uuid', 'uuid', '550E8400-E29B-41D4-A716-446655440000', '550e8400-e29b-41d4-a716-446655440000'],
    ['timeuuid', 'uuid', '50554d6e-29bb-11e5-b345-feff819cdc9f', '50554d6e-29bb-11e5-b345-feff819cdc9f'],
    ['inet', 'string', '127.0.0.1', '127.0.0.1'],
    ['inet', 'string', '2001:0db8:0000:0000:0000:ff00:0042:8329', '2001:db8::ff00:42:8329'],
    ['inet', 'string', '::ffff:10.0.0.1', '10.0.0.1'],
    ['timestamp', 'integer', '1704164645000', 1704164645000],
    ['timestamp', 'string', '2024-01-02', 1704153600000],
    ['timestamp', 'string', '2024-01-02 03:04', 1704164640000],
    ['timestamp', 'string', '2024-01-02 03:04:05', 1704164645000],
    ['timestamp', 'string', '2024-01-02T03:04:05', 1704164645000],
    ['timestamp', 'string', '2024-01-02 03:04:05.123', 1704164645123],
    ['timestamp', 'string', '2024-01-02T03:04:05.123Z', 1704164645123],
    ['timestamp', 'string', '2024-01-02 03:04:05+0000', 1704164645000],
    ['timestamp', 'string', '2024-01-02 03:04:05+0100', 1704161045000],
    ['timestamp', 'string', '2024-01-02 03:04:05-01:30', 1704170045000],
    ['timestamp', 'string', '2024-01-02T03:04:05.1+02', 1704157445100],
    ['timestamp', 'string', '1969-12-31 23:59:59.999', -1],
    ['date', 'string', '1970-01-01', 0],
    ['date', 'string', '2024-02-29', 19782],
    ['date', 'string', '-0001-01-01', -719893],
    ['date', 'integer', '2147483648', 0],
    ['date', 'integer', '0', -2147483648],
    ['time', 'string', '00:00:00', 0n],
    ['time', 'string', '23:59:59.999999999', 86399999999999n],
    ['time', 'string', '01:02:03.5', 3723500000000n],
    ['time', 'integer', '1000', 1000n],
    ['duration', 'duration', '1y2mo3w4d5h6m7s8ms9us10ns', { months: 14, days: 25, nanoseconds: 18367008009010n }],
    ['duration', 'duration', '-1h30m', { months: 0, days: 0, nanoseconds: -5400000000000n }],
    ['duration', 'duration', '1µs', { months: 0, days: 0, nanoseconds: 1000n }],
    ['duration', 'duration', 'P1Y2M3DT4H5M6S', { months: 14, days: 3, nanoseconds: 14706000000000n }],
    ['duration', 'duration', 'P2W', { months: 0, days: 14, nanoseconds: 0n }],
    ['duration', 'duration', 'P0001-02-03T04:05:06', { months: 14, days: 3, nanoseconds: 14706000000000n }],
    ['duration', 'duration', 'PT0.5S'.replace('0.5', '5'), { months: 0, days: 0, nanoseconds: 5000000000n }],
  ];
  for (const [name, kind, text, expected] of cases) {
    const got = deserialize(T(name), fromLiteral(T(name), lit(kind, text)));
    assert.deepEqual(got, expected, `${name} ${kind} ${text}`);
  }
});

test('fromLiteral: errors name the constant, the column and the type', () => {
  const cases: [CqlType, LiteralKind, string, string][] = [
    [T('int'), 'float', '3.5', 'Invalid FLOAT constant (3.5) for "c" of type int'],
    [T('int'), 'string', 'abc', 'Invalid STRING constant (abc) for "c" of type int'],
    [T('text'), 'integer', '5', 'Invalid INTEGER constant (5) for "c" of type text'],
    [T('uuid'), 'string', '550e8400-e29b-41d4-a716-446655440000', 'Invalid STRING constant (550e8400-e29b-41d4-a716-446655440000) for "c" of type uuid'],
    [T('blob'), 'string', 'x', 'Invalid STRING constant (x) for "c" of type blob'],
    [{ kind: 'list', element: T('int'), frozen: false }, 'integer', '1', 'Invalid INTEGER constant (1) for "c" of type list<int>'],
    [T('int'), 'integer', '2147483648', "Unable to make int from '2147483648'"],
    [T('tinyint'), 'integer', '128', "Unable to make byte from '128'"],
    [T('smallint'), 'integer', '-32769', "Unable to make short from '-32769'"],
    [T('bigint'), 'integer', '9223372036854775808', "Unable to make long from '9223372036854775808'"],
    [T('decimal'), 'float', 'NaN', "unable to make BigDecimal from 'NaN'"],
    [T('timestamp'), 'string', '2024-13-01', "Unable to coerce '2024-13-01' to a formatted date (long)"],
    [T('timestamp'), 'string', 'yesterday', "Unable to coerce 'yesterday' to a formatted date (long)"],
    [T('date'), 'string', '2023-02-29', "Unable to coerce '2023-02-29' to a formatted date (long)"],
    [T('time'), 'string', '24:00:00', "Unable to coerce '24:00:00' to a formatted time (long)"],
    [T('inet'), 'string', '1.2.3.256', "Unable to make inet address from '1.2.3.256'"],
    [T('timeuuid'), 'uuid', '550e8400-e29b-41d4-a716-446655440000', 'TimeUUID supports only version 1 UUIDs (550e8400-e29b-41d4-a716-446655440000 is version 4)'],
    [T('blob'), 'hex', 'abc', "cannot parse 'abc' as hex bytes"],
    [T('duration'), 'integer', '12', "Unable to convert '12' to a duration"],
    [T('duration'), 'duration', '1x', "Unable to convert '1x' to a duration"],
    [T('ascii'), 'string', 'é', "Invalid ASCII character in string literal: 'é'"],
  ];
  for (const [type, kind, text, message] of cases) {
    assert.throws(() => fromLiteral(type, lit(kind, text), { column: 'c' }), (e: unknown) => e instanceof InvalidRequest && e.message === message, `${kind} ${text}`);
  }
  assert.throws(() => fromLiteral(T('int'), lit('float', '1.5')), /Invalid FLOAT constant \(1.5\) of type int/);
});

test('validate: wrong sizes and bad contents name the type', () => {
  const cases: [CqlType, Buffer, RegExp][] = [
    [T('int'), Buffer.alloc(3), /^Expected 4 or 0 byte int \(3\)$/],
    [T('bigint'), Buffer.alloc(4), /^Expected 8 or 0 byte long \(4\)$/],
    [T('smallint'), Buffer.alloc(3), /smallint \(3\)/],
    [T('tinyint'), Buffer.alloc(2), /tinyint \(2\)/],
    [T('float'), Buffer.alloc(8), /float \(8\)/],
    [T('double'), Buffer.alloc(4), /double \(4\)/],
    [T('uuid'), Buffer.alloc(15), /UUID should be 16 or 0 bytes \(15\)/],
    [T('timeuuid'), parseUuid('550e8400-e29b-41d4-a716-446655440000')!, /Invalid version for TimeUUID/],
    [T('inet'), Buffer.alloc(5), /inetaddress \(5\)/],
    [T('date'), Buffer.alloc(3), /date \(3\)/],
    [T('time'), Buffer.from('ffffffffffffffff', 'hex'), /out of range for time/],
    [T('ascii'), Buffer.from([0x41, 0x80]), /Invalid byte for ascii/],
    [T('text'), Buffer.from([0xc3]), /Invalid UTF-8/],
    [T('decimal'), Buffer.alloc(2), /decimal \(2\)/],
    [T('duration'), Buffer.from([0x00]), /duration/],
    [T('duration'), Buffer.from([0x02, 0x01, 0x00]), /same sign/],
    [{ kind: 'list', element: T('int'), frozen: true }, Buffer.from('00000001000000020001', 'hex'), /Expected 4 or 0 byte int \(2\)/],
    [{ kind: 'list', element: T('int'), frozen: true }, Buffer.from('0000000100000004000000', 'hex'), /Not enough bytes/],
    [{ kind: 'list', element: T('int'), frozen: true }, Buffer.from('00000001ffffffff', 'hex'), /null is not supported inside collections/],
    [{ kind: 'set', element: T('int'), frozen: true }, Buffer.from('000000000000', 'hex'), /extraneous bytes after set/],
    [{ kind: 'map', key: T('int'), value: T('int'), frozen: true }, Buffer.from('00000001000000040000000100', 'hex'), /Not enough bytes/],
    [{ kind: 'tuple', elements: [T('int')] }, Buffer.from('ffffffffffffffff', 'hex'), /Invalid remaining data after end of tuple value/],
  ];
  for (const [type, bytes, re] of cases) {
    assert.throws(() => validate(type, bytes), (e: unknown) => e instanceof InvalidRequest && re.test(e.message), `${JSON.stringify(type)} ${bytes.toString('hex')}`);
  }
  // empty values are valid for most types, and tuples may have fewer fields than the type
  validate(T('int'), Buffer.alloc(0));
  validate({ kind: 'tuple', elements: [T('int'), T('text')] }, Buffer.from('00000004000000ff', 'hex'));
});

test('serialize: wrong JS values and out-of-range numbers are InvalidRequest', () => {
  const cases: [CqlType, unknown][] = [
    [T('int'), 2 ** 31], [T('int'), 1.5], [T('int'), 'x'], [T('tinyint'), -129], [T('bigint'), 1n << 63n],
    [T('date'), 2 ** 31], [T('time'), -1n], [T('uuid'), 'nope'], [T('timeuuid'), '550e8400-e29b-41d4-a716-446655440000'],
    [T('inet'), '1.2.3'], [T('boolean'), 1], [T('duration'), { months: 1, days: -1, nanoseconds: 0n }],
    [{ kind: 'list', element: T('int'), frozen: false }, [1, null]],
    [{ kind: 'udt', keyspace: 'k', name: 'u', fieldNames: ['a'], fieldTypes: [T('int')], frozen: true }, { b: 1 }],
  ];
  for (const [type, v] of cases) {
    assert.throws(() => serialize(type, v as never), InvalidRequest, `${JSON.stringify(type)} ${String(v)}`);
  }
});

test('sets and maps serialize sorted and de-duplicated in Cassandra order', () => {
  const set: CqlType = { kind: 'set', element: T('int'), frozen: false };
  assert.deepEqual(deserialize(set, serialize(set, [3, -1, 3, 2])), [-1, 2, 3]);
  const map: CqlType = { kind: 'map', key: T('text'), value: T('int'), frozen: false };
  assert.deepEqual(deserialize(map, serialize(map, [['b', 1], ['a', 2], ['b', 3]])), new Map([['a', 2], ['b', 3]]));
});

test('compare: boundary orders', () => {
  const order = (name: NativeTypeName, values: unknown[]) => {
    const bytes = values.map((v) => serialize(T(name), v as never));
    for (let i = 1; i < bytes.length; i++) assert.ok(compareValues(T(name), bytes[i - 1]!, bytes[i]!) < 0, `${name} ${String(values[i - 1])} < ${String(values[i])}`);
  };
  order('int', [-2147483648, -1, 0, 1, 2147483647]);
  order('bigint', [-(1n << 63n), -1n, 0n, (1n << 63n) - 1n]);
  order('varint', [-(1n << 70n), -129n, -128n, -1n, 0n, 127n, 128n, 1n << 70n]);
  order('double', [-Infinity, -1, -0, 0, 5e-324, Infinity, NaN]);
  order('float', [-Infinity, -0, 0, Infinity, NaN]);
  order('decimal', [{ unscaled: -1n, scale: 0 }, { unscaled: 5n, scale: 1 }, { unscaled: 1n, scale: 0 }, { unscaled: 1n, scale: -3 }]);
  order('date', [-(2 ** 31), -1, 0, 2 ** 31 - 1]);
  order('text', ['', 'A', 'a', 'ab', 'é']);
  order('boolean', [false, true]);
  order('timeuuid', ['00000000-0000-1000-8080-808080808080', '00000000-0000-1000-0000-000000000000', '00000001-0000-1000-0000-000000000000', '00000000-0001-1000-0000-000000000000', '00000000-0000-1001-0000-000000000000']);
  order('uuid', ['ffffffff-ffff-0fff-ffff-ffffffffffff', 'ffffffff-0000-1000-0000-000000000000', '00000000-0001-1000-0000-000000000000', '00000000-0000-4000-0000-000000000000', '00000000-0000-4000-8000-000000000000']);
  // equal decimals with different scales compare equal; NaN equals NaN
  assert.equal(compareValues(T('decimal'), serialize(T('decimal'), { unscaled: 10n, scale: 1 }), serialize(T('decimal'), { unscaled: 1n, scale: 0 })), 0);
  assert.equal(compareValues(T('double'), serialize(T('double'), NaN), serialize(T('double'), NaN)), 0);
  // tuple: missing trailing fields equal trailing nulls; null before values
  const tuple: CqlType = { kind: 'tuple', elements: [T('int'), T('int')] };
  assert.equal(compareValues(tuple, Buffer.from('0000000400000001', 'hex'), Buffer.from('0000000400000001ffffffff', 'hex')), 0);
  assert.ok(compareValues(tuple, Buffer.from('ffffffff', 'hex'), Buffer.from('0000000480000000', 'hex')) < 0);
});

test('format: CQL literals, cqlsh display and JSON text', () => {
  const cases: [CqlType, unknown, string, string, string][] = [
    [T('text'), "it's", "'it''s'", "it's", '"it\'s"'],
    [T('timestamp'), 1704164645123, "'2024-01-02T03:04:05.123Z'", '2024-01-02 03:04:05.123000+0000', '"2024-01-02 03:04:05.123Z"'],
    [T('timestamp'), -1, "'1969-12-31T23:59:59.999Z'", '1969-12-31 23:59:59.999000+0000', '"1969-12-31 23:59:59.999Z"'],
    [T('date'), 19782, "'2024-02-29'", '2024-02-29', '"2024-02-29"'],
    [T('time'), 3723500000000n, "'01:02:03.500000000'", '01:02:03.500000000', '"01:02:03.500000000"'],
    [T('double'), 1e7, '1.0E7', '10000000', '1.0E7'],
    [T('double'), 0.1, '0.1', '0.1', '0.1'],
    [T('double'), NaN, 'NaN', 'NaN', 'null'],
    [T('float'), 3.14159265, '3.1415927', '3.14159', '3.1415927'],
    [T('decimal'), { unscaled: 1n, scale: -3 }, '1E+3', '1E+3', '1E+3'],
    [T('decimal'), { unscaled: 12345n, scale: 7 }, '0.0012345', '0.0012345', '0.0012345'],
    [T('boolean'), true, 'true', 'True', 'true'],
    [T('blob'), Buffer.from([1, 2]), '0x0102', '0x0102', '"0x0102"'],
    [T('inet'), '::1', "'::1'", '::1', '"0:0:0:0:0:0:0:1"'],
    [T('duration'), { months: 14, days: 3, nanoseconds: 3_600_000_000_001n }, '1y2mo3d1h1ns', '1y2mo3d1h1ns', '"1y2mo3d1h1ns"'],
    [T('varint'), -(10n ** 30n), '-1000000000000000000000000000000', '-1000000000000000000000000000000', '-1000000000000000000000000000000'],
    [{ kind: 'map', key: T('int'), value: T('text'), frozen: false }, new Map([[1, 'a']]), "{1: 'a'}", "{1: 'a'}", '{"1": "a"}'],
    [{ kind: 'list', element: T('text'), frozen: false }, ['a', "b'"], "['a', 'b''']", "['a', 'b''']", '["a", "b\'"]'],
    [{ kind: 'tuple', elements: [T('int'), T('text')] }, [1, null], '(1, null)', '(1, null)', '[1, null]'],
    [{ kind: 'udt', keyspace: 'k', name: 'u', fieldNames: ['a', 'Bb'], fieldTypes: [T('int'), T('text')], frozen: true }, { a: 1, Bb: 'x' }, `{a: 1, "Bb": 'x'}`, "{a: 1, Bb: 'x'}", '{"a": 1, "Bb": "x"}'],
  ];
  for (const [type, v, literal, display, json] of cases) {
    const bytes = serialize(type, v as never);
    assert.equal(formatLiteral(type, bytes), literal);
    assert.equal(formatDisplay(type, bytes), display);
    assert.equal(toJson(type, bytes), json);
  }
  assert.equal(formatLiteral(T('int'), Buffer.alloc(0)), 'blobAsInt(0x)');
  assert.equal(formatLiteral(T('int'), null), 'null');
});

test('fromJson: strings for numbers, exact big numbers, nested values, errors', () => {
  const ok: [CqlType, string, unknown][] = [
    [T('int'), '"42"', 42],
    [T('bigint'), '9223372036854775807', 9223372036854775807n],
    [T('varint'), '123456789012345678901234567890', 123456789012345678901234567890n],
    [T('decimal'), '1.000000000000000000001', { unscaled: 1000000000000000000001n, scale: 21 }],
    [T('double'), '"NaN"', NaN],
    [T('timestamp'), '"2024-01-02 03:04:05.123Z"', 1704164645123],
    [T('timestamp'), '1704164645123', 1704164645123],
    [T('blob'), '"0xcafe"', Buffer.from([0xca, 0xfe])],
    [T('boolean'), '"true"', true],
    [{ kind: 'map', key: T('int'), value: { kind: 'set', element: T('text'), frozen: true }, frozen: false }, '{"2": ["b", "a"], "1": []}', new Map([[1, []], [2, ['a', 'b']]])],
    [{ kind: 'udt', keyspace: 'k', name: 'u', fieldNames: ['a', 'b'], fieldTypes: [T('int'), T('text')], frozen: true }, '{"A": 1}', { a: 1, b: null }],
  ];
  for (const [type, json, expected] of ok) assert.deepEqual(deserialize(type, fromJson(type, json)!), expected, json);
  assert.equal(fromJson(T('int'), 'null'), null);
  const bad: [CqlType, string, RegExp][] = [
    [T('text'), '1', /expected a string or number, but got a Number: 1/],
    [T('int'), '1.5', /not an integer/],
    [T('int'), '"x"', /Unable to make int from 'x'/],
    [T('blob'), '"cafe"', /missing 0x prefix/],
    [{ kind: 'list', element: T('int'), frozen: false }, '[1, null]', /null is not supported inside collections/],
    [{ kind: 'list', element: T('int'), frozen: false }, '{"a": 1}', /expected a list, but got an Object/],
    [{ kind: 'udt', keyspace: 'k', name: 'u', fieldNames: ['a'], fieldTypes: [T('int')], frozen: true }, '{"zz": 1}', /Unknown field 'zz'/],
    [T('int'), '[1,', /Could not decode JSON/],
    [T('int'), '1 2', /Could not decode JSON/],
  ];
  for (const [type, json, re] of bad) assert.throws(() => fromJson(type, json), (e: unknown) => e instanceof InvalidRequest && re.test(e.message), json);
});

test('uuids: timeuuid generation is v1, monotonic and never repeats; min/max bracket a millisecond', () => {
  let now = 1_700_000_000_000;
  let counter = 0;
  const random = { bytes: (n: number) => Buffer.alloc(n, 0x5a + counter++) };
  const gen = new TimeuuidGenerator({ nowMs: () => now }, random);
  const made = new Set<string>();
  let previous: Buffer | null = null;
  for (let i = 0; i < 20_000; i++) {
    if (i % 5000 === 0) now -= 3; // the clock going back does not produce duplicates
    const u = gen.next();
    assert.equal(u[6]! >> 4, 1);
    assert.equal(u[8]! & 0xc0, 0x80);
    if (previous) assert.ok(compareValues(T('timeuuid'), previous, u) < 0);
    made.add(formatUuid(u));
    previous = u;
  }
  assert.equal(made.size, 20_000);
  const at = gen.nextAt(1_800_000_000_123);
  assert.equal(unixTimestampOf(at), 1_800_000_000_123);
  const lo = minTimeuuid(1_800_000_000_123);
  const hi = maxTimeuuid(1_800_000_000_123);
  assert.equal(unixTimestampOf(lo), 1_800_000_000_123);
  assert.equal(unixTimestampOf(hi), 1_800_000_000_123);
  assert.ok(compareValues(T('timeuuid'), lo, at) < 0 && compareValues(T('timeuuid'), at, hi) < 0);
  assert.ok(compareValues(T('timeuuid'), maxTimeuuid(1_800_000_000_122), lo) < 0);
  assert.equal(unixTimestampOf(minTimeuuid(-5)), -5);
  const v4 = randomUuid({ bytes: (n) => Buffer.alloc(n, 0xff) });
  assert.equal(formatUuid(v4), 'ffffffff-ffff-4fff-bfff-ffffffffffff');
});

test('composite partition keys: Cassandra CompositeType form and split back', () => {
  const a = Buffer.from('abc');
  const b = Buffer.from([0, 0, 0, 7]);
  const key = serializeCompositeKey([a, b]);
  assert.equal(key.toString('hex'), '0003616263000004000000070' + '0');
  assert.deepEqual(splitCompositeKey(key, 2), [a, b]);
  assert.equal(serializeCompositeKey([a]), a);
  assert.deepEqual(splitCompositeKey(a, 1), [a]);
  assert.throws(() => splitCompositeKey(key.subarray(0, key.length - 1), 2), InvalidRequest);
  assert.throws(() => splitCompositeKey(key, 3), /expected 3/);
  assert.throws(() => serializeCompositeKey([Buffer.alloc(70000), a]), /Key length of 70000/);
});

test('decoders reject every truncation of a nested value without crashing', () => {
  const type: CqlType = { kind: 'map', key: T('text'), value: { kind: 'list', element: { kind: 'tuple', elements: [T('int'), T('duration')] }, frozen: true }, frozen: false };
  const bytes = serialize(type, new Map([['k', [[1, { months: 1, days: 2, nanoseconds: 3n }], [null, null]]]]));
  validate(type, bytes);
  for (let cut = 0; cut < bytes.length; cut++) {
    const part = bytes.subarray(0, cut);
    if (cut === 0) continue; // empty is the "empty value"
    assert.throws(() => validate(type, part), InvalidRequest, `cut at ${cut}`);
  }
});

test('quoteIdentifier quotes reserved words, upper case and odd characters, and nothing else', async () => {
  const { quoteIdentifier } = await import('./format.js');
  assert.equal(quoteIdentifier('select'), '"select"');
  assert.equal(quoteIdentifier('token'), '"token"');
  assert.equal(quoteIdentifier('ttl'), 'ttl');
  assert.equal(quoteIdentifier('MixedCase'), '"MixedCase"');
  assert.equal(quoteIdentifier('a"b'), '"a""b"');
  assert.equal(quoteIdentifier('street_2'), 'street_2');
});

test('timeuuidOfTicks round-trips its ticks and keeps the low bytes', async () => {
  const { timeuuidOfTicks, timeuuidTicks, uuidVersion } = await import('./uuid.js');
  const low = Buffer.from('8123456789abcdef', 'hex');
  for (const ticks of [0n, 1n, 0x0123456789abcdefn & ((1n << 60n) - 1n), (1n << 60n) - 1n]) {
    const u = timeuuidOfTicks(ticks, low);
    assert.equal(uuidVersion(u), 1);
    assert.equal(timeuuidTicks(u), ticks);
    assert.ok(u.subarray(8).equals(low));
  }
  assert.throws(() => timeuuidOfTicks(1n << 60n, low), /60 bits/);
});
