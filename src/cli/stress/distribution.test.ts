import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng, WeightedChoice, formatDistribution, mix32, parseCount, parseDistribution, parseRatio, sample } from './distribution.js';

test('parses cassandra-stress notation', () => {
  const cases: Array<[string, unknown]> = [
    ['fixed(34)', { kind: 'fixed', min: 34, max: 34 }],
    ['uniform(1..1000)', { kind: 'uniform', min: 1, max: 1000 }],
    ['UNIFORM(1..1M)', { kind: 'uniform', min: 1, max: 1_000_000 }],
    ['gaussian(1..100)', { kind: 'gaussian', min: 1, max: 100, stdvs: 3 }],
    ['gauss(1..100,5)', { kind: 'gaussian', min: 1, max: 100, stdvs: 5 }],
    ['normal(0..10)', { kind: 'gaussian', min: 0, max: 10, stdvs: 3 }],
    ['seq(1..10k)', { kind: 'sequence', min: 1, max: 10_000 }],
    ['sequence(5..5)', { kind: 'sequence', min: 5, max: 5 }],
    [' uniform( 2 .. 3b ) ', { kind: 'uniform', min: 2, max: 3e9 }],
  ];
  for (const [text, want] of cases) assert.deepEqual(parseDistribution(text), want, text);
});

test('rejects malformed distributions with a reason', () => {
  const cases: Array<[string, RegExp]> = [
    ['uniform(10..1)', /exceeds/], ['zipf(1..2)', /unknown distribution/], ['uniform(1)', /needs a range/],
    ['fixed(x)', /not a count/], ['uniform', /not a distribution/], ['gaussian(1..10,0)', /positive/], ['uniform(1..2,3)', /unexpected/],
  ];
  for (const [text, pattern] of cases) assert.throws(() => parseDistribution(text), pattern, text);
});

test('format round-trips', () => {
  for (const text of ['fixed(3)', 'uniform(1..9)', 'gaussian(1..9,2)', 'sequence(0..99)']) {
    assert.equal(formatDistribution(parseDistribution(text)), text);
  }
});

test('counts with suffixes', () => {
  assert.equal(parseCount('10'), 10);
  assert.equal(parseCount('10k'), 10_000);
  assert.equal(parseCount('2M'), 2_000_000);
  assert.equal(parseCount('1.5k'), 1500);
  assert.throws(() => parseCount('1.5'));
  assert.throws(() => parseCount('k'));
});

test('samples stay within bounds and are integers (property)', () => {
  fc.assert(fc.property(
    fc.constantFrom('uniform', 'gaussian', 'sequence', 'fixed'), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 5000 }),
    fc.integer(), fc.nat(),
    (kind, min, span, seed, index) => {
      const d = parseDistribution(kind === 'fixed' ? `fixed(${Math.abs(min)})` : `${kind}(${Math.abs(min)}..${Math.abs(min) + span})`);
      const v = sample(d, new Rng(seed), index);
      assert.ok(Number.isInteger(v));
      assert.ok(v >= d.min && v <= d.max, `${v} in ${d.min}..${d.max}`);
    }));
});

test('sequence walks the range and wraps; fixed is constant', () => {
  const seq = parseDistribution('sequence(10..12)');
  const rng = new Rng(1);
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => sample(seq, rng, i)), [10, 11, 12, 10, 11]);
  assert.equal(sample(parseDistribution('fixed(7)'), rng, 99), 7);
});

test('same seed, same values; another seed, other values', () => {
  const d = parseDistribution('uniform(1..1000000)');
  const draw = (seed: number) => Array.from({ length: 20 }, (_, i) => sample(d, new Rng(mix32(seed, i)), i));
  assert.deepEqual(draw(42), draw(42));
  assert.notDeepEqual(draw(42), draw(43));
});

test('uniform covers its range evenly; gaussian centres on the middle', () => {
  const rng = new Rng(9);
  const u = parseDistribution('uniform(0..9)');
  const counts = new Array(10).fill(0) as number[];
  for (let i = 0; i < 20_000; i++) counts[sample(u, rng, i)]!++;
  for (const c of counts) assert.ok(c > 1700 && c < 2300, `bucket count ${c}`);
  const g = parseDistribution('gaussian(0..1000)');
  let inner = 0;
  const n = 20_000;
  for (let i = 0; i < n; i++) {
    const v = sample(g, rng, i);
    if (v >= 333 && v <= 667) inner++; // within one standard deviation (1000/2/3 ≈ 167)
  }
  assert.ok(inner / n > 0.6 && inner / n < 0.76, `share within 1 sd: ${inner / n}`);
});

test('ratios and weighted choice', () => {
  assert.deepEqual(parseRatio('write=1,read=3'), [['write', 1], ['read', 3]]);
  assert.deepEqual(parseRatio('a=0,b=2'), [['b', 2]]);
  assert.throws(() => parseRatio('a=1,a=2'), /twice/);
  assert.throws(() => parseRatio('a'), /NAME=WEIGHT/);
  assert.throws(() => parseRatio('a=0'), /no operation/);
  const choice = new WeightedChoice([1, 3]);
  const rng = new Rng(5);
  let second = 0;
  for (let i = 0; i < 10_000; i++) second += choice.pick(rng);
  assert.ok(second > 7200 && second < 7800, `picked the 3-weight ${second} of 10000`);
});
