import test from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { crc24, crc32 } from './crc.js';

// Vectors computed with the python driver's cassandra/segment.py (compute_crc24, compute_crc32).
const CRC24_VECTORS: [number, number, number][] = [
  [0, 3, 0x7de777],
  [0x123456, 3, 0xf5230f],
  [0x20005, 3, 0x9a9919],
  [0xffffff, 3, 0x7a86ff],
  [0x0102030405, 5, 0x55cd12],
];

test('crc24 matches the python driver vectors', () => {
  for (const [value, len, want] of CRC24_VECTORS) assert.equal(crc24(value, len), want, `crc24(${value.toString(16)}, ${len})`);
});

test('crc32 standard check value and Cassandra seeded variant', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  const seed = crc32(Buffer.from([0xfa, 0x2d, 0x55, 0xca]));
  assert.equal(seed, 0x44777ed3);
  assert.equal(crc32(Buffer.alloc(0), seed), 0x44777ed3);
  assert.equal(crc32(Buffer.from('hello world'), seed), 0x4a62481f);
});

test('crc32 continues across split buffers and matches zlib', () => {
  const data = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff));
  const whole = crc32(data);
  for (let cut = 0; cut <= data.length; cut += 7) {
    assert.equal(crc32(data, crc32(data, 0, 0, cut), cut, data.length), whole);
  }
  const z = (zlib as unknown as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;
  if (z) assert.equal(whole, z(data));
});
