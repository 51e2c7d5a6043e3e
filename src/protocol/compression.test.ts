import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { ProtocolError } from '../util/errors.js';
import { Lz4BodyCompressor, SnappyBodyCompressor, lz4CompressBlock, lz4DecompressBlock } from './compression.js';

function pseudoRandom(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; out[i] = x & 0xff; }
  return out;
}

const SAMPLES: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['one byte', Buffer.from([7])],
  ['12 bytes', Buffer.from('abcdabcdabcd')],
  ['13 bytes', Buffer.from('abcdabcdabcda')],
  ['20 zeros', Buffer.alloc(20)],
  ['random 100k', pseudoRandom(100_000, 42)],
  ['repetitive 300k', Buffer.alloc(300_000, 'y')],
  ['text', Buffer.from('SELECT * FROM system.local WHERE key = ? '.repeat(500))],
  ['mixed', Buffer.concat([pseudoRandom(1000, 1), Buffer.alloc(5000, 1), pseudoRandom(70_000, 2), pseudoRandom(1000, 1)])],
];

test('lz4 block round-trips; compressible input shrinks', () => {
  for (const [name, data] of SAMPLES) {
    const block = lz4CompressBlock(data);
    assert.deepEqual(lz4DecompressBlock(block, data.length), data, name);
  }
  assert.ok(lz4CompressBlock(Buffer.alloc(300_000, 'y')).length < 2000);
});

test('v4 lz4 and snappy bodies round-trip; lz4 carries a big-endian length prefix', () => {
  for (const c of [new Lz4BodyCompressor(), new SnappyBodyCompressor()]) {
    for (const [name, data] of SAMPLES) assert.deepEqual(c.decompress(c.compress(data), 1 << 20), data, `${c.name} ${name}`);
  }
  const body = new Lz4BodyCompressor().compress(Buffer.alloc(1000, 3));
  assert.equal(body.readUInt32BE(0), 1000);
});

test('declaredLength reads the uncompressed size from the lz4 prefix and the snappy varint; 0 when unreadable', () => {
  for (const c of [new Lz4BodyCompressor(), new SnappyBodyCompressor()]) {
    for (const n of [0, 1, 127, 128, 300_000]) assert.equal(c.declaredLength(c.compress(Buffer.alloc(n, 7))), n, `${c.name} ${n}`);
    assert.equal(c.declaredLength(Buffer.alloc(0)), 0, c.name);
  }
  assert.equal(new SnappyBodyCompressor().declaredLength(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), 0, 'runaway varint');
  assert.equal(new Lz4BodyCompressor().declaredLength(Buffer.from([0, 1])), 0, 'short lz4 prefix');
});

test('malformed compressed input gives ProtocolError', () => {
  const good = lz4CompressBlock(Buffer.from('hello hello hello hello hello'));
  const cases: [Buffer, number][] = [
    [Buffer.alloc(0), 5], [good, 3], [good, 100], [Buffer.from([0x0f, 0x01, 0x00]), 20], [Buffer.from([0xf0]), 20],
    [Buffer.from([0x10, 0x41, 0x05, 0x00]), 10], // offset 5 > 1 byte of output
  ];
  for (const [src, n] of cases) assert.throws(() => lz4DecompressBlock(src, n), ProtocolError);
  assert.throws(() => new Lz4BodyCompressor().decompress(Buffer.from([0, 0, 0x10, 0, 0]), 100), /over the limit of 100/);
  assert.throws(() => new SnappyBodyCompressor().decompress(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 100), ProtocolError);
  // A literal whose 4-byte length has the top bit set (tag 0xfc): snappyjs read it as negative and
  // walked backwards through its input for seconds; ours refuses it.
  assert.throws(() => new SnappyBodyCompressor().decompress(Buffer.from([0x11, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x61]), 100), /literal of \d+ bytes past the input/);
  assert.throws(() => new SnappyBodyCompressor().decompress(Buffer.from([0x04, 0x05, 0x01]), 100), /copy offset 1 at output byte 0/);
  assert.throws(() => new SnappyBodyCompressor().decompress(Buffer.from([0x05, 0x00, 0x61]), 100), /1 bytes decoded, 5 declared/);
});

test('lz4 blocks interoperate with the python lz4 library (used by the python driver)', { timeout: 30_000 }, async () => {
  const ours = SAMPLES.map(([, d]) => ({ n: d.length, block: lz4CompressBlock(d).toString('hex'), sha: d.toString('hex').slice(0, 64) }));
  const script = `
import sys, json, lz4.block
cases = json.loads(sys.stdin.read())
out = {'ok': [], 'theirs': []}
for c in cases:
    data = lz4.block.decompress(bytes.fromhex(c['block']), uncompressed_size=c['n'])
    out['ok'].append(len(data) == c['n'] and data.hex()[:64] == c['sha'])
for i in range(3):
    data = (b'cassia row %d ' % i) * 1000 + bytes(range(256))
    out['theirs'].append({'n': len(data), 'block': lz4.block.compress(data, store_size=False).hex(), 'data': data.hex()})
print(json.dumps(out))
`;
  const result = await new Promise<string>((resolve, reject) => {
    const child = spawn('/usr/bin/python3', ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(err))));
    child.stdin.end(JSON.stringify(ours));
  });
  const parsed = JSON.parse(result) as { ok: boolean[]; theirs: { n: number; block: string; data: string }[] };
  assert.deepEqual(parsed.ok, SAMPLES.map(() => true));
  for (const t of parsed.theirs) assert.equal(lz4DecompressBlock(Buffer.from(t.block, 'hex'), t.n).toString('hex'), t.data);
});
