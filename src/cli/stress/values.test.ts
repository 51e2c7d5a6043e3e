import test from 'node:test';
import assert from 'node:assert/strict';
import cassandra from 'cassandra-driver';
import { Rng } from './distribution.js';
import { ValuePool, checkSupported, generateValue, type ColumnGenerator } from './values.js';
import { keyBytes } from './workload.js';

const { types } = cassandra;
const CODE = types.dataTypes;

function gen(typeCode: number, size = '8'): ColumnGenerator {
  return { name: 'c', typeCode, size: { kind: 'fixed', min: Number(size), max: Number(size) }, population: null, salt: 3 };
}

test('values are deterministic in (seed, column, value seed) and differ otherwise', () => {
  const a = new ValuePool(7);
  const b = new ValuePool(7);
  const c = new ValuePool(8);
  assert.ok(a.bytes.equals(b.bytes));
  assert.ok(!a.bytes.equals(c.bytes));
  const rng = new Rng(0);
  const text = (pool: ValuePool, seed: number, v: number) => generateValue(gen(CODE.text, '20'), v, seed, pool, rng) as string;
  assert.equal(text(a, 7, 42), text(b, 7, 42));
  assert.equal(text(a, 7, 42).length, 20);
  assert.match(text(a, 7, 42), /^[A-Za-z0-9_-]{20}$/);
  assert.notEqual(text(a, 7, 42), text(a, 7, 43));
  const blob = generateValue(gen(CODE.blob, '34'), 5, 7, a, rng) as Buffer;
  assert.equal(blob.length, 34);
  assert.ok(blob.equals(generateValue(gen(CODE.blob, '34'), 5, 7, b, rng) as Buffer));
});

test('each supported type yields what the driver expects', () => {
  const pool = new ValuePool(1);
  const rng = new Rng(0);
  const v = (code: number, seed = 123456) => generateValue(gen(code), seed, 1, pool, rng);
  assert.ok(v(CODE.bigint) instanceof types.Long);
  assert.equal(v(CODE.int), 123456);
  assert.ok((v(CODE.smallint) as number) >= -32768 && (v(CODE.smallint) as number) <= 32767);
  assert.ok((v(CODE.tinyint) as number) >= -128 && (v(CODE.tinyint) as number) <= 127);
  assert.equal(typeof v(CODE.boolean), 'boolean');
  assert.ok(v(CODE.timestamp) instanceof Date);
  assert.ok(v(CODE.uuid) instanceof types.Uuid);
  assert.equal((v(CODE.uuid) as InstanceType<typeof types.Uuid>).toString()[14], '4');
  assert.ok(v(CODE.inet) instanceof types.InetAddress);
  assert.ok(v(CODE.decimal) instanceof types.BigDecimal);
  assert.ok(v(CODE.date) instanceof types.LocalDate);
  assert.ok(v(CODE.time) instanceof types.LocalTime);
  assert.throws(() => checkSupported('m', CODE.map), /cannot generate values of type map/);
});

test('keys are 10 ASCII digits', () => {
  assert.equal(keyBytes(42).toString('latin1'), '0000000042');
  assert.equal(keyBytes(0).length, 10);
});
