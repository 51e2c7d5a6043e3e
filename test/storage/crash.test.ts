// SIGKILLs a real child process (crash_child.js) at random moments while it writes, 20 times,
// and after each kill reopens the storage and checks that every acknowledged write is there.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createStorage } from '../../src/storage/mod.js';
import { HOST_ID, makeTable, readAll, readInt32, tempDir, testEnv } from './fixtures.js';

const CHILD = fileURLToPath(new URL('./crash_child.js', import.meta.url));
const KILLS = 20;

function runAndKill(dir: string, from: number, killAfterMs: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, String(from)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked: number[] = [];
    let buf = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line === 'ready' && !timer) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        else if (line.startsWith('ack ')) acked.push(Number(line.slice(4)));
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${code} ${signal} before the kill`));
      else resolve(acked);
    });
  });
}

test(`crash: SIGKILL during writes ${KILLS} times, every acknowledged write survives`, { timeout: 300_000 }, async () => {
  const dir = tempDir('cassia-crash-');
  const table = makeTable({ options: { compaction: { class: 'SizeTieredCompactionStrategy', min_threshold: '2' } } });
  const acked = new Set<number>();
  let next = 0;
  let seed = 12345;
  const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
  for (let k = 0; k < KILLS; k++) {
    const got = await runAndKill(dir, next, 100 + Math.floor(rand() * 900));
    for (const i of got) acked.add(i);
    // Unacknowledged writes may have reached disk: start the next run clear of them.
    next = (got.length > 0 ? Math.max(...got) : next) + 64;
    const storage = createStorage({ env: testEnv(), dataDir: `${dir}/data`, commitlogDir: `${dir}/cl`, hostId: HOST_ID, config: { commitlog_segment_size: '256KiB' } });
    await storage.addTable(table);
    await storage.open();
    const r = await storage.read(readAll(table));
    const present = new Map<number, number>();
    for (const p of r.partitions) for (const row of p.rows) present.set(readInt32(row.clustering[0])!, readInt32(row.cells.find((c) => c.column === 'v')?.value)!);
    const missing = [...acked].filter((i) => present.get(i) !== i);
    assert.deepEqual(missing.slice(0, 10), [], `after kill ${k + 1}: ${missing.length} acknowledged writes missing of ${acked.size}`);
    await storage.close();
  }
  assert.ok(acked.size > KILLS * 10, `wrote a meaningful number of acknowledged writes (${acked.size})`);
});
