import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InvalidRequest } from '../../util/errors.js';
import { type CqlType, type CqlValue, type NativeTypeName, deserialize, serialize, compareValues } from '../../schema/mod.js';
import { addDuration, arithmeticResultType, resolveOperation } from './arithmetic.js';
import { resolveAggregate } from './aggregates.js';
import { divideDecimal } from './numeric.js';
import { castFunction, fromJsonFunction, makeFunctionContext, resolveScalarFunction, toJsonFunction } from './scalar.js';

const N = (name: NativeTypeName): CqlType => ({ kind: 'native', name });
const ser = (name: NativeTypeName, v: unknown): Buffer => serialize(N(name), v as CqlValue);
const de = (t: CqlType, b: Buffer | null): CqlValue => (b === null ? null : deserialize(t, b));

function context(nowMs = 1_704_164_645_123) {
  let n = 0;
  return makeFunctionContext({ nowMs: () => nowMs }, { bytes: (k: number) => Buffer.alloc(k, ++n) });
}

test('time functions use the injected clock', () => {
  const ctx = context();
  const call = (name: string, args: (Buffer | null)[] = [], types: (CqlType | null)[] = []) => {
    const f = resolveScalarFunction(name, types);
    return de(f.returnType, f.execute(args, ctx));
  };
  assert.equal(call('currentTimestamp'), 1_704_164_645_123);
  assert.equal(call('currentdate'), 19724);
  assert.equal(call('currenttime'), 11_045_123_000_000n);
  const u1 = resolveScalarFunction('now', []).execute([], ctx)!;
  const u2 = resolveScalarFunction('currentTimeUUID', []).execute([], ctx)!;
  assert.ok(compareValues(N('timeuuid'), u1, u2) < 0);
  assert.equal(call('toUnixTimestamp', [u1], [N('timeuuid')]), 1_704_164_645_123n);
  assert.equal(call('unixTimestampOf', [u1], [N('timeuuid')]), 1_704_164_645_123n);
  assert.equal(call('dateOf', [u1], [N('timeuuid')]), 1_704_164_645_123);
  assert.equal(call('toDate', [ser('timestamp', 1_704_164_645_123)], [N('timestamp')]), 19724);
  assert.equal(call('toTimestamp', [ser('date', 19724)], [N('date')]), 19724 * 86_400_000);
  assert.equal(call('toUnixTimestamp', [ser('date', 1)], [N('date')]), 86_400_000n);
  const lo = resolveScalarFunction('minTimeuuid', [null]).execute([ser('timestamp', 5)], ctx)!;
  assert.equal(call('toUnixTimestamp', [lo], [N('timeuuid')]), 5n);
  const v4 = call('uuid') as string;
  assert.match(v4, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(resolveScalarFunction('now', []).deterministic, false);
  assert.equal(resolveScalarFunction('toDate', [N('timestamp')]).execute([null], ctx), null);
});

test('blob conversions for every native type, with validation', () => {
  const ctx = context();
  assert.deepEqual(resolveScalarFunction('intAsBlob', [N('int')]).execute([ser('int', 7)], ctx), Buffer.from([0, 0, 0, 7]));
  assert.equal(de(N('int'), resolveScalarFunction('blobAsInt', [N('blob')]).execute([Buffer.from([0, 0, 0, 7])], ctx)), 7);
  assert.throws(() => resolveScalarFunction('blobAsInt', [N('blob')]).execute([Buffer.from([1])], ctx), 
    { name: 'InvalidRequest', message: 'In call to function system.blobasint, value 0x01 is not a valid binary representation for type int' });
  assert.equal(resolveScalarFunction('blobasint', [null]).returnType.kind, 'native');
  for (const name of ['text', 'uuid', 'timestamp', 'varint', 'duration', 'boolean'] as const) {
    assert.equal(resolveScalarFunction(`${name}AsBlob`, [N(name)]).returnType.kind, 'native');
    assert.deepEqual(resolveScalarFunction(`blobAs${name}`, [N('blob')]).returnType, N(name));
  }
});

test('function resolution errors', () => {
  assert.throws(() => resolveScalarFunction('nosuch', []), /Unknown function 'nosuch'/);
  assert.throws(() => resolveScalarFunction('toDate', []), /Invalid number of arguments in call to function todate: 1 required but 0 provided/);
  assert.throws(() => resolveScalarFunction('toDate', [null]), /Ambiguous call to function todate/);
  assert.throws(() => resolveScalarFunction('toDate', [N('int')]), InvalidRequest);
  assert.deepEqual(resolveScalarFunction('toDate', [N('timeuuid')]).argTypes, [N('timeuuid')]);
});

test('toJson/fromJson functions', () => {
  const ctx = context();
  const list: CqlType = { kind: 'list', element: N('int'), frozen: false };
  assert.equal(toJsonFunction(list).execute([serialize(list, [1, 2])], ctx)!.toString(), '[1, 2]');
  assert.equal(toJsonFunction(list).execute([null], ctx)!.toString(), 'null');
  assert.deepEqual(de(list, fromJsonFunction(list).execute([Buffer.from('[3, "4"]')], ctx)), [3, 4]);
});

test('CAST table', () => {
  const ctx = context();
  const cases: [NativeTypeName, unknown, NativeTypeName, unknown][] = [
    ['int', 300, 'tinyint', 44],
    ['int', -1, 'bigint', -1n],
    ['double', 3.99, 'int', 3],
    ['double', -3.99, 'int', -3],
    ['double', NaN, 'int', 0],
    ['double', 1e20, 'int', 2147483647],
    ['double', 1e20, 'bigint', 9223372036854775807n],
    ['float', 0.5, 'decimal', { unscaled: 5n, scale: 1 }],
    ['decimal', { unscaled: -1999n, scale: 3 }, 'int', -1],
    ['varint', (1n << 64n) + 5n, 'bigint', 5n],
    ['bigint', 123n, 'double', 123],
    ['int', 5, 'text', '5'],
    ['double', 1e7, 'text', '1.0E7'],
    ['timestamp', 1_704_164_645_123, 'text', '2024-01-02T03:04:05.123Z'],
    ['timestamp', 1_704_164_645_123, 'date', 19724],
    ['date', 19724, 'timestamp', 19724 * 86_400_000],
    ['boolean', true, 'ascii', 'true'],
    ['uuid', '550e8400-e29b-41d4-a716-446655440000', 'text', '550e8400-e29b-41d4-a716-446655440000'],
    ['blob', Buffer.from([0xab]), 'text', 'ab'],
    ['text', 'x', 'text', 'x'],
  ];
  for (const [from, v, to, expected] of cases) {
    const f = castFunction(N(from), N(to));
    assert.deepEqual(de(N(to), f.execute([ser(from, v)], ctx)), expected, `${from} ${String(v)} -> ${to}`);
  }
  assert.throws(() => castFunction(N('text'), N('int')), /text cannot be cast to int/);
  assert.throws(() => castFunction(N('uuid'), N('timestamp')), InvalidRequest);
});

test('aggregates: count, min, max, sum, avg with Cassandra result types and overflow', () => {
  const run = (name: string, type: NativeTypeName | null, values: unknown[]) => {
    const agg = resolveAggregate(name, type === null ? null : N(type));
    const acc = agg.init();
    for (const v of values) acc.add([v === null ? null : ser(type ?? 'int', v)]);
    return de(agg.returnType, acc.result());
  };
  assert.equal(run('count', null, [1, null, 2]), 3n);
  assert.equal(run('COUNT', 'int', [1, null, 2]), 2n);
  assert.equal(run('min', 'int', [3, -7, null, 5]), -7);
  assert.equal(run('max', 'text', ['b', 'ab', 'c']), 'c');
  assert.equal(run('max', 'int', []), null);
  assert.equal(run('sum', 'int', [2147483647, 1]), -2147483648);
  assert.equal(run('sum', 'tinyint', [127, 1]), -128);
  assert.equal(run('sum', 'int', []), 0);
  assert.equal(run('sum', 'varint', [1n << 100n, 1n << 100n]), 1n << 101n);
  assert.deepEqual(run('sum', 'decimal', [{ unscaled: 1n, scale: 1 }, { unscaled: 2n, scale: 2 }]), { unscaled: 12n, scale: 2 });
  assert.equal(run('sum', 'counter', [5n, 6n]), 11n);
  assert.equal(resolveAggregate('sum', N('counter')).returnType.kind === 'native' && (resolveAggregate('sum', N('counter')).returnType as { name: string }).name, 'bigint');
  assert.equal(run('avg', 'int', [1, 2]), 1);
  assert.equal(run('avg', 'int', [-1, -2]), -1);
  assert.equal(run('avg', 'int', [2147483647, 2147483647]), 2147483647);
  assert.equal(run('avg', 'double', [1, 2]), 1.5);
  assert.equal(run('avg', 'int', []), 0);
  assert.deepEqual(run('avg', 'decimal', [{ unscaled: 1n, scale: 0 }, { unscaled: 2n, scale: 0 }]), { unscaled: 2n, scale: 0 });
  assert.throws(() => resolveAggregate('sum', N('text')), InvalidRequest);
});

test('arithmetic: result types, wrapping, division, decimal precision', () => {
  assert.equal(arithmeticResultType('int', 'bigint'), 'bigint');
  assert.equal(arithmeticResultType('tinyint', 'smallint'), 'smallint');
  assert.equal(arithmeticResultType('int', 'float'), 'float');
  assert.equal(arithmeticResultType('bigint', 'float'), 'double');
  assert.equal(arithmeticResultType('varint', 'float'), 'decimal');
  assert.equal(arithmeticResultType('counter', 'int'), 'bigint');
  const op = (o: '+' | '-' | '*' | '/' | '%', l: NativeTypeName, lv: unknown, r: NativeTypeName, rv: unknown) => {
    const f = resolveOperation(o, N(l), N(r));
    return de(f.returnType, f.apply(ser(l, lv), ser(r, rv)));
  };
  assert.equal(op('+', 'int', 2147483647, 'int', 1), -2147483648);
  assert.equal(op('*', 'bigint', 1n << 62n, 'int', 4), 0n);
  assert.equal(op('/', 'int', -7, 'int', 2), -3);
  assert.equal(op('%', 'int', -7, 'int', 2), -1);
  assert.equal(op('/', 'double', 1, 'int', 0), Infinity);
  assert.throws(() => op('/', 'int', 1, 'int', 0), /the operation 'int \/ int' failed: \/ by zero/);
  assert.deepEqual(op('/', 'decimal', { unscaled: 1n, scale: 0 }, 'int', 3), { unscaled: 3333333333333333333333333333333333n, scale: 34 });
  assert.deepEqual(op('/', 'decimal', { unscaled: 10n, scale: 0 }, 'int', 4), { unscaled: 25n, scale: 1 });
  assert.deepEqual(op('+', 'decimal', { unscaled: 1n, scale: 1 }, 'double', 0.25), { unscaled: 35n, scale: 2 });
  assert.equal(op('+', 'varint', 1n << 80n, 'int', 1), (1n << 80n) + 1n);
  assert.equal(op('-', 'float', 0.5, 'tinyint', 1), -0.5);
  assert.equal(resolveOperation('+', N('int'), N('int')).apply(null, ser('int', 1)), null);
  assert.throws(() => resolveOperation('+', N('text'), N('int')), /not supported/);
  // timestamp/date +- duration
  const dur = (text: { months: number; days: number; nanoseconds: bigint }) => serialize(N('duration'), text);
  const ts = resolveOperation('+', N('timestamp'), N('duration'));
  const jan31 = Date.UTC(2024, 0, 31, 10);
  assert.equal(de(N('timestamp'), ts.apply(ser('timestamp', jan31), dur({ months: 1, days: 0, nanoseconds: 0n }))), Date.UTC(2024, 1, 29, 10));
  assert.equal(de(N('timestamp'), resolveOperation('-', N('timestamp'), N('duration')).apply(ser('timestamp', jan31), dur({ months: 0, days: 1, nanoseconds: 3_600_000_000_000n }))), Date.UTC(2024, 0, 30, 9));
  assert.equal(de(N('date'), resolveOperation('+', N('date'), N('duration')).apply(ser('date', 0), dur({ months: 12, days: 1, nanoseconds: 0n }))), 366);
  assert.throws(() => resolveOperation('+', N('date'), N('duration')).apply(ser('date', 0), dur({ months: 0, days: 0, nanoseconds: 1n })), /day precision/);
  assert.equal(addDuration(Date.UTC(2023, 11, 31), { months: 2, days: 0, nanoseconds: 0n }), Date.UTC(2024, 1, 29));
});

test('decimal division matches exact rational value to 34 digits', () => {
  fc.assert(fc.property(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), fc.bigInt({ min: 1n, max: 10n ** 20n }), fc.integer({ min: -5, max: 5 }), (a, b, s) => {
    const q = divideDecimal({ unscaled: a, scale: s }, { unscaled: b, scale: 0 });
    assert.ok((q.unscaled < 0n ? -q.unscaled : q.unscaled).toString().length <= 34);
    // |q - a/b| <= half a unit in the last place: |q*b*10^? - a*10^?| check via cross multiplication
    const scale = Math.max(q.scale, s);
    const qs = q.unscaled * 10n ** BigInt(scale - q.scale) * b;
    const as = a * 10n ** BigInt(scale - s);
    const diff = qs - as;
    const ulp = 10n ** BigInt(scale - q.scale) * b;
    assert.ok(2n * (diff < 0n ? -diff : diff) <= ulp, `${a}/${b}e${-s} = ${q.unscaled}e${-q.scale}`);
  }), { numRuns: 300 });
});

test('decimal division: rounding that carries to 35 digits drops one digit (Java doRound)', () => {
  // Values as java.math.BigDecimal.divide(divisor, MathContext.DECIMAL128) gives them.
  const cases: [bigint, number, bigint, number, bigint, number][] = [
    // a, a scale, b, b scale, unscaled, scale
    [-9999999999999999999999999999999999500000n, 0, 1n, 0, -(10n ** 33n), -7],
    [99999999999999999999999999999999995n, 0, 1n, 0, 10n ** 33n, -2],
    [99999999999999999999999999999999985n, 0, 1n, 0, 9999999999999999999999999999999998n, -1],
    [1n, 0, 3n, 0, 3333333333333333333333333333333333n, 34],
    [10n, 0, 4n, 0, 25n, 1],
    [100n, 0, 4n, 0, 25n, 0],
  ];
  for (const [a, as, b, bs, unscaled, scale] of cases) {
    assert.deepEqual(divideDecimal({ unscaled: a, scale: as }, { unscaled: b, scale: bs }), { unscaled, scale }, `${a}e${-as} / ${b}e${-bs}`);
  }
});
