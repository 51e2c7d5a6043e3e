import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import lz4 from 'lz4js';
import { lz4DecodePrefix, Lz4Corrupt } from './_lz4.js';

/** The lz4 block of raw, or undefined when lz4js declines (input that does not shrink). */
function compress(raw: Buffer): Buffer | undefined {
  const dst = Buffer.alloc(lz4.compressBound(raw.length));
  const n = lz4.compressBlock(raw, dst, 0, raw.length, new Uint32Array(1 << 16));
  return n > 0 ? dst.subarray(0, n) : undefined;
}

/** Compressible input: runs, repeated windows of a small pool, and random bytes. */
const compressible = fc.array(fc.oneof(
  fc.record({ kind: fc.constant('run' as const), byte: fc.integer({ min: 0, max: 255 }), n: fc.integer({ min: 1, max: 600 }) }),
  fc.record({ kind: fc.constant('pool' as const), at: fc.integer({ min: 0, max: 200 }), n: fc.integer({ min: 1, max: 90 }) }),
  fc.record({ kind: fc.constant('random' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
), { minLength: 8, maxLength: 120 }).map((parts) => {
  const pool = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 255));
  return Buffer.concat(parts.map((p) => p.kind === 'run' ? Buffer.alloc(p.n, p.byte) : p.kind === 'pool' ? pool.subarray(p.at, p.at + p.n) : Buffer.from(p.bytes)));
});

test('lz4DecodePrefix decodes what lz4js compressed, whole and by prefix', () => {
  fc.assert(fc.property(compressible, fc.double({ min: 0, max: 1, noNaN: true }), (raw, f) => {
    const c = compress(raw);
    fc.pre(c !== undefined);
    const whole = Buffer.alloc(raw.length);
    assert.equal(lz4DecodePrefix(c, 0, c.length, whole, raw.length), raw.length);
    assert.deepEqual(whole, raw);
    const need = Math.floor(f * raw.length);
    const part = Buffer.alloc(raw.length);
    const n = lz4DecodePrefix(c, 0, c.length, part, need);
    assert.ok(n >= need && n <= raw.length, `decoded ${n} for need ${need} of ${raw.length}`);
    assert.deepEqual(part.subarray(0, n), raw.subarray(0, n));
  }), { numRuns: 300 });
});

test('lz4DecodePrefix on damaged input throws Lz4Corrupt or decodes within the output, never past it', () => {
  fc.assert(fc.property(compressible, fc.integer({ min: 0, max: 1 << 30 }), fc.integer({ min: 0, max: 255 }), (raw, at, byte) => {
    const compressed = compress(raw);
    fc.pre(compressed !== undefined);
    const c = Buffer.from(compressed);
    c[at % c.length] = byte;
    const cut = c.subarray(0, c.length - (at % 3));
    const out = Buffer.alloc(raw.length + 8);
    const guard = out.subarray(raw.length);
    try {
      const n = lz4DecodePrefix(cut, 0, cut.length, out.subarray(0, raw.length), raw.length);
      assert.ok(n <= raw.length);
    } catch (e) {
      assert.ok(e instanceof Lz4Corrupt, String(e));
    }
    assert.deepEqual(guard, Buffer.alloc(8));
  }), { numRuns: 500 });
});

test('lz4DecodePrefix table: literal-only block, overlapping match, bad offset', () => {
  // token 0x50: 5 literals, no match (last sequence)
  const lit = Buffer.from([0x50, 1, 2, 3, 4, 5]);
  const out = Buffer.alloc(5);
  assert.equal(lz4DecodePrefix(lit, 0, lit.length, out, 5), 5);
  assert.deepEqual([...out], [1, 2, 3, 4, 5]);
  // 1 literal 'a', match offset 1 length 4+2=6 ('aaaaaa'), then last sequence of 1 literal 'b'
  const rep = Buffer.from([0x12, 0x61, 1, 0, 0x10, 0x62]);
  const out2 = Buffer.alloc(8);
  assert.equal(lz4DecodePrefix(rep, 0, rep.length, out2, 8), 8);
  assert.equal(out2.toString('latin1'), 'aaaaaaab');
  const bad = Buffer.from([0x12, 0x61, 2, 0, 0x10, 0x62]); // offset 2 with 1 byte decoded
  assert.throws(() => lz4DecodePrefix(bad, 0, bad.length, Buffer.alloc(8), 8), Lz4Corrupt);
});
