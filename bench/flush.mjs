#!/usr/bin/env node
// CPU cost of writing a memtable as an SSTable (what a flush does on the event loop), per row:
// N one-row partitions shaped like `cassia stress write` (10-byte blob key, five 34-byte blob
// cells), written from a Memtable into an SSTableWriter over the real file system, as
// StorageEngine.writeMemtable does: `--path transcoder` (the default, what the engine does since
// session 5) transcodes the slab records straight into SSTable bytes (FlushTranscoder +
// addEncoded); `--path codec` decodes them into Partitions (allPartitions) and encodes those
// (SSTableWriter.add, the path before). Chunks are compressed on `--threads`
// worker threads (the node's default is 1; 0 = inline, so `--compression none` against `lz4`
// separates the encoding from the compression). Process CPU (user+system) / row and wall time
// per round; under client load the wall time also depends on how many event-loop round trips
// the flush needs (worker answers, file writes).
// `--loop-busy-ms N` stands in for client load: a task keeps the event loop busy for N ms in
// every turn, so each round trip of the flush costs at least a turn.
// Usage: npm run build && node bench/flush.mjs [--rows 200000] [--rounds 3] [--compression lz4|none] [--threads 1] [--loop-busy-ms 0] [--path transcoder|codec]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeEnv } from '../dist/src/env/node/mod.js';
import { Memtable } from '../dist/src/storage/memtable/memtable.js';
import { SSTableWriter } from '../dist/src/storage/sstable/writer.js';
import { FlushTranscoder } from '../dist/src/storage/memtable/transcode.js';
import { tableOrder } from '../dist/src/storage/_order.js';
import { chunkCodec } from '../dist/src/storage/workers/pool.js';
import { tokenOf } from '../dist/src/util/murmur3.js';

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const ROWS = Number(flag('rows', '200000'));
const ROUNDS = Number(flag('rounds', '3'));
const METHOD = flag('compression', 'lz4');
const codec = chunkCodec(Number(flag('threads', '1')));
const LOOP_BUSY_MS = Number(flag('loop-busy-ms', '0'));
const PATH = flag('path', 'transcoder');
if (PATH !== 'transcoder' && PATH !== 'codec') throw new Error(`--path transcoder|codec, not ${PATH}`);
let busy = false;
function spin() {
  if (!busy) return;
  const until = performance.now() + LOOP_BUSY_MS;
  while (performance.now() < until);
  setImmediate(spin);
}
const COLUMNS = ['C0', 'C1', 'C2', 'C3', 'C4'];
const blob = { kind: 'native', name: 'blob' };
const col = (name, kind, position) => ({ keyspace: 'keyspace1', table: 'standard1', name, kind, position, type: blob, clusteringOrder: 'asc' });
const columns = new Map([['key', col('key', 'partition_key', 0)], ...COLUMNS.map((c) => [c, col(c, 'regular', -1)])]);
const table = { keyspace: 'keyspace1', name: 'standard1', id: 'id-standard1', columns, partitionKey: [columns.get('key')], clustering: [], isCounter: false, virtual: false, options: { default_time_to_live: 0 } };
const pool = Buffer.alloc(64 * 1024);
for (let i = 0; i < pool.length; i++) pool[i] = (i * 2654435761) >>> 24;

function fill() {
  const m = new Memtable(table);
  for (let i = 0; i < ROWS; i++) {
    const key = Buffer.from(String(i).padStart(10, '0'));
    const ts = 1_700_000_000_000_000 + i;
    const cells = COLUMNS.map((c, j) => ({ column: c, value: pool.subarray((i * 7 + j * 41) % 60000, (i * 7 + j * 41) % 60000 + 34), timestampMicros: ts, ttlSec: 0, localExpirationTimeSec: 0 }));
    m.apply({ tableId: table.id, key, token: tokenOf(key), rangeTombstones: [], rows: [{ clustering: [], liveness: { timestampMicros: ts, ttlSec: 0, localExpirationTimeSec: 0 }, cells }] });
  }
  return m;
}

const env = nodeEnv();
const order = tableOrder(table);
const results = [];
const m = fill(); // a flush only reads the memtable: every round writes the same one
for (let r = 0; r < ROUNDS; r++) {
  const dir = mkdtempSync(join(tmpdir(), 'cassia-flush-bench-'));
  if (globalThis.gc) globalThis.gc();
  const w = new SSTableWriter({ fs: env.fs, dir, generation: 1, order, method: METHOD, chunkBytes: 16 * 1024, bloomFpChance: 0.01,
    expectedPartitions: m.partitionCount, level: 0, hostId: '00000000-0000-0000-0000-000000000000', createdAtMs: Date.now(), codec });
  if (LOOP_BUSY_MS > 0) { busy = true; setImmediate(spin); }
  const before = process.cpuUsage();
  const t0 = performance.now();
  if (PATH === 'codec') {
    for (const p of m.allPartitions()) await w.add(p);
  } else {
    for (const p of new FlushTranscoder(m, w.stats).partitions()) {
      const written = w.addEncoded(p);
      if (written !== undefined) await written;
    }
  }
  await w.finish();
  const used = process.cpuUsage(before);
  const wallMs = performance.now() - t0;
  busy = false;
  results.push({ cpuUsPerRow: (used.user + used.system) / ROWS, wallMs });
  rmSync(dir, { recursive: true, force: true });
}
await codec.close();
for (const x of results) console.log(`flush ${ROWS} rows, ${PATH}, ${METHOD}${LOOP_BUSY_MS > 0 ? `, loop busy ${LOOP_BUSY_MS} ms per turn` : ''}: ${LOOP_BUSY_MS > 0 ? '(CPU includes the busy task) ' : ''}${x.cpuUsPerRow.toFixed(2)} µs/row CPU, ${x.wallMs.toFixed(0)} ms wall`);
console.log(`min ${Math.min(...results.map((x) => x.cpuUsPerRow)).toFixed(2)} µs/row`);
