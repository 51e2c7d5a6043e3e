// Child process for the crash test: opens storage in argv[2], writes keys from argv[3] upward
// forever (small memtable limit so flushes and compactions run), printing "ack N" after each
// acknowledged write. The parent SIGKILLs it at a random moment.
import { nodeEnv } from '../../src/env/node/mod.js';
import { createStorage } from '../../src/storage/mod.js';
import { cell, HOST_ID, int32, makeTable, row, update } from './fixtures.js';

const dir = process.argv[2]!;
let next = Number(process.argv[3] ?? 0);
const table = makeTable({ options: { compaction: { class: 'SizeTieredCompactionStrategy', min_threshold: '2' } } });
const storage = createStorage({ env: nodeEnv(), dataDir: `${dir}/data`, commitlogDir: `${dir}/cl`, hostId: HOST_ID,
  config: { memtable_space_mb: 0.2, commitlog_segment_size: '256KiB' } });
await storage.addTable(table);
await storage.open();
process.stdout.write('ready\n');
const IN_FLIGHT = 16;
const WRITES_MAX = 1_000_000;
async function writer(): Promise<void> {
  while (next < WRITES_MAX) {
    const i = next++;
    await storage.apply(update(table, i % 97, { rows: [row(i, [cell('v', int32(i), 1 + i), cell('m', Buffer.alloc(100, i & 0xff), 1 + i, { path: Buffer.from('x') })])] }));
    process.stdout.write(`ack ${i}\n`);
  }
}
await Promise.all(Array.from({ length: IN_FLIGHT }, writer));
