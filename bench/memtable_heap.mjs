#!/usr/bin/env node
// Heap footprint of memtable partitions against their sizeBytes (what memtable_space is held against):
// N partitions of one shape applied to a Memtable, process.memoryUsage() after gc() before and after.
// Usage: npm run build && node --expose-gc bench/memtable_heap.mjs [stress|kv|wide] [N]
const dist = new URL('../dist', import.meta.url).href;
const { Memtable } = await import(dist + '/src/storage/memtable/memtable.js');
const { tokenOf } = await import(dist + '/src/util/murmur3.js');
const shape = process.argv[2] ?? 'stress';
const N = Number(process.argv[3] ?? 100000);
const blob = { kind: 'native', name: 'blob' };
const col = (name, kind, position, type) => ({ keyspace: 'b', table: 't', name, kind, position, type, clusteringOrder: 'asc' });
const clustered = shape === 'wide';
const columns = new Map();
const pk = col('key', 'partition_key', 0, blob);
const ck = clustered ? [col('c', 'clustering', 0, { kind: 'native', name: 'int' })] : [];
const cellCols = shape === 'stress' ? ['C0','C1','C2','C3','C4'] : ['v'];
for (const c of [pk, ...ck, ...cellCols.map((n) => col(n, 'regular', -1, blob))]) columns.set(c.name, c);
const table = { keyspace: 'b', name: 't', id: 'id-t', columns, partitionKey: [pk], clustering: ck, isCounter: false, virtual: false, options: { default_time_to_live: 0 } };
const valueBytes = shape === 'stress' ? 34 : 100;
// values as views into 64 KiB "frames", as the transport hands them over
let frame = Buffer.allocUnsafe(65536), at = 0;
const view = (n) => { if (at + n > frame.length) { frame = Buffer.allocUnsafe(65536); at = 0; } const v = frame.subarray(at, at + n); at += n; return v; };
const rowsPer = clustered ? 10 : 1;
const m = new Memtable(table);
global.gc(); global.gc();
const h0 = process.memoryUsage();
for (let i = 0; i < N; i++) {
  const key = view(10); key.writeUInt32BE(i, 0); key.writeUInt32BE(i * 7, 4); key.writeUInt16BE(1, 8);
  const ts = 1_700_000_000_000_000 + i;
  const rows = [];
  for (let r = 0; r < rowsPer; r++) {
    const c = clustered ? [view(4)] : [];
    if (clustered) c[0].writeInt32BE(r, 0);
    rows.push({ clustering: c, liveness: { timestampMicros: ts, ttlSec: 0, localExpirationTimeSec: 0 },
      cells: cellCols.map((name) => ({ column: name, value: view(valueBytes), timestampMicros: ts, ttlSec: 0, localExpirationTimeSec: 0 })) });
  }
  m.apply({ tableId: 'id-t', key, token: tokenOf(key), rangeTombstones: [], rows });
}
global.gc(); global.gc();
const h1 = process.memoryUsage();
const heap = h1.heapUsed - h0.heapUsed, ext = h1.arrayBuffers - h0.arrayBuffers;
console.log(`${shape}: ${N} partitions x ${rowsPer} rows x ${cellCols.length} cells of ${valueBytes} B: heap ${(heap / N).toFixed(0)} B/partition, arrayBuffers ${(ext / N).toFixed(0)} B/partition, sizeBytes ${(m.sizeBytes / N).toFixed(0)} B/partition, (heap+ab)/sizeBytes ${((heap + ext) / m.sizeBytes).toFixed(2)}`);
