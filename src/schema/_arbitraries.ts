// fast-check arbitraries for every CQL type, each with a reference order written independently of
// compare.ts (bigint arithmetic, Buffer.compare, IEEE bit patterns). Used only by tests.

import fc from 'fast-check';
import type { CqlValue, Decimal, Duration } from './codec.js';
import { formatInet, parseInet } from './inet.js';
import type { CqlType, NativeTypeName } from './types.js';

export interface TypeCase {
  type: CqlType;
  value: fc.Arbitrary<CqlValue>;
  /** Reference order on JS values, or null when the type has no meaningful order (duration). */
  order: ((a: CqlValue, b: CqlValue) => number) | null;
}

const sign = (n: number | bigint): number => (n > 0 ? 1 : n < 0 ? -1 : 0);
const numeric = (a: CqlValue, b: CqlValue): number => sign((a as number | bigint) > (b as number | bigint) ? 1 : (a as number | bigint) < (b as number | bigint) ? -1 : 0);

function ieeeKey(x: number, float: boolean): bigint {
  // Java's Float/Double.compare: the raw bits (NaN canonical) made monotone by flipping.
  const buf = Buffer.alloc(8);
  let bits: bigint;
  if (float) { buf.writeFloatBE(Number.isNaN(x) ? NaN : x); bits = BigInt(buf.readInt32BE(0)); }
  else { buf.writeDoubleBE(Number.isNaN(x) ? NaN : x); bits = buf.readBigInt64BE(0); }
  const width = float ? 32n : 64n;
  const signBit = 1n << (width - 1n);
  return bits < 0n ? -(bits & (signBit - 1n)) - 1n : bits;
}

const utf8Order = (a: CqlValue, b: CqlValue): number => Buffer.compare(Buffer.from(a as string), Buffer.from(b as string));

function decimalOrder(a: CqlValue, b: CqlValue): number {
  const x = a as Decimal;
  const y = b as Decimal;
  const scale = Math.max(x.scale, y.scale);
  const xs = x.unscaled * 10n ** BigInt(scale - x.scale);
  const ys = y.unscaled * 10n ** BigInt(scale - y.scale);
  return sign(xs - ys);
}

function uuidBig(s: string): { msb: bigint; lsb: bigint } {
  const h = s.replace(/-/g, '');
  return { msb: BigInt('0x' + h.slice(0, 16)), lsb: BigInt('0x' + h.slice(16)) };
}

function reorder(msb: bigint): bigint {
  const mask = (1n << 64n) - 1n;
  return ((msb << 48n) & mask) | ((msb << 16n) & 0xffff00000000n) | (msb >> 32n);
}

function uuidOrder(a: CqlValue, b: CqlValue): number {
  const x = uuidBig(a as string);
  const y = uuidBig(b as string);
  const vx = Number((x.msb >> 12n) & 0xfn);
  const vy = Number((y.msb >> 12n) & 0xfn);
  if (vx !== vy) return sign(vx - vy);
  const c = vx === 1 ? sign(reorder(x.msb) - reorder(y.msb)) : sign(x.msb - y.msb);
  return c !== 0 ? c : sign(x.lsb - y.lsb);
}

function timeuuidOrder(a: CqlValue, b: CqlValue): number {
  const x = uuidBig(a as string);
  const y = uuidBig(b as string);
  const c = sign(reorder(x.msb) - reorder(y.msb));
  if (c !== 0) return c;
  const flip = (v: bigint): bigint => BigInt.asIntN(64, v ^ 0x0080808080808080n);
  return sign(flip(x.lsb) - flip(y.lsb));
}

const hex = (n: number): fc.Arbitrary<string> => fc.uint8Array({ minLength: n, maxLength: n }).map((u) => Buffer.from(u).toString('hex'));

const uuidText = (version: fc.Arbitrary<number>): fc.Arbitrary<string> =>
  fc.tuple(hex(16), version).map(([h, v]) => {
    const chars = h.split('');
    chars[12] = v.toString(16);
    const s = chars.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  });

function ipv4(): fc.Arbitrary<string> {
  return fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
}

function ipv6(): fc.Arbitrary<string> {
  return fc.array(fc.oneof(fc.constant(0), fc.nat(0xffff)), { minLength: 8, maxLength: 8 })
    .filter((w) => !(w.slice(0, 5).every((x) => x === 0) && w[5] === 0xffff))
    .map((w) => formatInet(inetBytes(w.map((x) => x.toString(16)).join(':'))));
}

const inetBytes = (s: string): Buffer => {
  if (s.includes('.')) return Buffer.from(s.split('.').map(Number));
  const out = Buffer.alloc(16);
  s.split(':').forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), 2 * i));
  return out;
};

const intIn = (min: number, max: number): fc.Arbitrary<CqlValue> => fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max, 0, -1, 1));
const bigIn = (min: bigint, max: bigint): fc.Arbitrary<CqlValue> => fc.oneof(fc.bigInt({ min, max }), fc.constantFrom(min, max, 0n, -1n, 1n));

export function nativeCase(name: NativeTypeName): TypeCase {
  const type: CqlType = { kind: 'native', name };
  const c = (value: fc.Arbitrary<CqlValue>, order: TypeCase['order']): TypeCase => ({ type, value, order });
  switch (name) {
    case 'ascii': return c(fc.string({ unit: fc.integer({ min: 0, max: 127 }).map((n) => String.fromCharCode(n)), maxLength: 20 }), utf8Order);
    case 'text': return c(fc.string({ unit: 'binary', maxLength: 20 }), utf8Order);
    case 'blob': return c(fc.uint8Array({ maxLength: 20 }).map((u) => Buffer.from(u)), (a, b) => Buffer.compare(a as Buffer, b as Buffer));
    case 'boolean': return c(fc.boolean(), (a, b) => Number(a) - Number(b));
    case 'tinyint': return c(intIn(-128, 127), numeric);
    case 'smallint': return c(intIn(-32768, 32767), numeric);
    case 'int': return c(intIn(-0x80000000, 0x7fffffff), numeric);
    case 'bigint': case 'counter': return c(bigIn(-(1n << 63n), (1n << 63n) - 1n), numeric);
    case 'varint': return c(fc.oneof(fc.bigInt({ min: -(1n << 200n), max: 1n << 200n }), fc.bigInt({ min: -300n, max: 300n }), fc.constantFrom(127n, 128n, -128n, -129n, 255n, 256n, -256n, -257n)), numeric);
    case 'time': return c(fc.oneof(fc.bigInt({ min: 0n, max: 86_399_999_999_999n }), fc.constantFrom(0n, 1n, 86_399_999_999_999n)), numeric);
    case 'timestamp': return c(intIn(-(2 ** 50), 2 ** 50), numeric);
    case 'date': return c(intIn(-0x80000000, 0x7fffffff), numeric);
    case 'float': return c(fc.oneof(fc.float(), fc.constantFrom(NaN, Infinity, -Infinity, 0, -0)), (a, b) => sign(ieeeKey(a as number, true) - ieeeKey(b as number, true)));
    case 'double': return c(fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 5e-324)), (a, b) => sign(ieeeKey(a as number, false) - ieeeKey(b as number, false)));
    case 'decimal': return c(fc.record({ unscaled: fc.bigInt({ min: -(1n << 80n), max: 1n << 80n }), scale: fc.integer({ min: -20, max: 20 }) }, { noNullPrototype: true }), decimalOrder);
    case 'duration': return c(durationArb(), null);
    case 'uuid': return c(uuidText(fc.integer({ min: 0, max: 15 })), uuidOrder);
    case 'timeuuid': return c(uuidText(fc.constant(1)), timeuuidOrder);
    case 'inet': return c(fc.oneof(ipv4(), ipv6()), (a, b) => Buffer.compare(parseInet(a as string)!, parseInet(b as string)!));
    case 'empty': return c(fc.constant(null), () => 0);
  }
}

function durationArb(): fc.Arbitrary<Duration> {
  return fc.tuple(fc.nat(0x7fffffff), fc.nat(0x7fffffff), fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }), fc.boolean(), fc.nat(7))
    .map(([months, days, nanos, negative, zeroMask]) => {
      const s = negative ? -1 : 1;
      const d = { months: (zeroMask & 1 ? 0 : months) * s, days: (zeroMask & 2 ? 0 : days) * s, nanoseconds: (zeroMask & 4 ? 0n : nanos) * BigInt(s) };
      return { months: d.months === 0 ? 0 : d.months, days: d.days === 0 ? 0 : d.days, nanoseconds: d.nanoseconds };
    });
}

function lexicographic(element: (a: CqlValue, b: CqlValue) => number) {
  return (a: CqlValue, b: CqlValue): number => {
    const x = a as CqlValue[];
    const y = b as CqlValue[];
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const c = element(x[i]!, y[i]!);
      if (c !== 0) return c;
    }
    return sign(x.length - y.length);
  };
}

/** Collection/tuple/UDT cases over a given element case; all frozen so they are orderable. */
export function compositeCases(e: TypeCase, k: TypeCase): TypeCase[] {
  const elementOrder = e.order ?? (() => 0);
  const keyOrder = k.order!;
  const uniqueSorted = fc.array(e.value, { maxLength: 5 }).map((xs) => {
    const sorted = [...xs].sort(elementOrder);
    return sorted.filter((x, i) => i === 0 || elementOrder(sorted[i - 1]!, x) !== 0);
  });
  const mapEntries = fc.array(fc.tuple(k.value, e.value), { maxLength: 5 }).map((es) => {
    const sorted = [...es].sort((x, y) => keyOrder(x[0], y[0]));
    return sorted.filter((x, i) => i === 0 || keyOrder(sorted[i - 1]![0], x[0]) !== 0);
  });
  const entryOrder = (a: CqlValue, b: CqlValue): number => {
    const [ka, va] = a as [CqlValue, CqlValue];
    const [kb, vb] = b as [CqlValue, CqlValue];
    return keyOrder(ka, kb) || elementOrder(va, vb);
  };
  const nullableFirst = (order: (a: CqlValue, b: CqlValue) => number) => (a: CqlValue, b: CqlValue): number =>
    a === null ? (b === null ? 0 : -1) : b === null ? 1 : order(a, b);
  const tupleOrder = (a: CqlValue, b: CqlValue): number => {
    const x = a as CqlValue[];
    const y = b as CqlValue[];
    return nullableFirst(keyOrder)(x[0]!, y[0]!) || nullableFirst(elementOrder)(x[1]!, y[1]!);
  };
  return [
    { type: { kind: 'list', element: e.type, frozen: true }, value: fc.array(e.value, { maxLength: 5 }), order: e.order && lexicographic(elementOrder) },
    { type: { kind: 'set', element: e.type, frozen: true }, value: uniqueSorted, order: e.order && lexicographic(elementOrder) },
    {
      type: { kind: 'map', key: k.type, value: e.type, frozen: true },
      value: mapEntries.map((es) => new Map(es)),
      order: e.order && ((a, b) => lexicographic(entryOrder)([...(a as Map<CqlValue, CqlValue>).entries()], [...(b as Map<CqlValue, CqlValue>).entries()])),
    },
    {
      type: { kind: 'tuple', elements: [k.type, e.type] },
      value: fc.tuple(fc.option(k.value), fc.option(e.value)) as fc.Arbitrary<CqlValue>,
      order: e.order && tupleOrder,
    },
    {
      type: { kind: 'udt', keyspace: 'ks', name: 'pair', fieldNames: ['a', 'b'], fieldTypes: [k.type, e.type], frozen: true },
      value: fc.record({ a: fc.option(k.value), b: fc.option(e.value) }, { noNullPrototype: true }) as fc.Arbitrary<CqlValue>,
      order: e.order && ((a, b) => {
        const x = a as { a: CqlValue; b: CqlValue };
        const y = b as { a: CqlValue; b: CqlValue };
        return tupleOrder([x.a, x.b], [y.a, y.b]);
      }),
    },
  ];
}
