// A data set about 8x the memtable limit (memtable_space 4 MiB, ~32 MiB of values) written through
// the npm cassandra-driver into tables under SizeTiered, Leveled and TimeWindow compaction and one
// table switched from SizeTiered to Leveled by ALTER TABLE halfway through; then overwrites and
// deletes, flushes and major compactions through the admin API, and everything read back (token-
// range scans with paging, point reads, partition slices) after each step and after a restart.
// Finally `cassia sstable verify` and `dump` on a produced SSTable through the CLI.

import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import cassandra from 'cassandra-driver';
import { CLI_PATH, startNodeProcess, type NodeProcess } from '../harness.js';
import { adminPost, listFiles, newClient, sleep, writeConfig } from '../crash/_support.js';
import {
  PARTITIONS, RANGE_DELETE_FROM, RANGE_DELETE_TO, ROWS_PER_PARTITION, forEachBounded, isOverwritten, isRangeDeleted,
  isRowDeleted, valueOf,
} from './_data.js';
import { verifyTable } from './_verify.js';

const KS = 'vol';
const CONFIG = `
memtable_space: 4MiB
commitlog_segment_size: 1MiB
compaction_throughput: 0MiB/s
`;
const WRITE_CONCURRENCY = 48;
const TWCS_WINDOWS = 8;
const HOUR_MICROS = 3_600_000_000;
const SETTLE_MS_MAX = 10_000;

const TABLES = {
  stcs: `{'class': 'SizeTieredCompactionStrategy', 'min_threshold': '4'}`,
  lcs: `{'class': 'LeveledCompactionStrategy', 'sstable_size_in_mb': '2'}`,
  twcs: `{'class': 'TimeWindowCompactionStrategy', 'compaction_window_unit': 'HOURS', 'compaction_window_size': '1'}`,
  switched: `{'class': 'SizeTieredCompactionStrategy', 'min_threshold': '4'}`,
} as const;
type TableName = keyof typeof TABLES;
const TABLE_NAMES = Object.keys(TABLES) as TableName[];

let workDir: string;
let configPath: string;
let node: NodeProcess;
let client: cassandra.Client;
let passesDone = 0;

async function connect(): Promise<void> {
  client = newClient(node);
  await client.connect();
}

before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'cassia-volume-'));
  configPath = writeConfig(workDir, CONFIG);
  node = await startNodeProcess({ dataDir: join(workDir, 'node'), args: ['--config', configPath] });
  await connect();
  await client.execute(`CREATE KEYSPACE ${KS} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
  for (const t of TABLE_NAMES) {
    await client.execute(`CREATE TABLE ${KS}.${t} (p int, c int, v blob, PRIMARY KEY (p, c)) WITH compaction = ${TABLES[t]}`);
  }
});

after(async () => {
  await client?.shutdown().catch(() => {});
  await node?.cleanup();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function tableDir(table: string): string {
  const base = join(node.dataDir, 'data', KS);
  const match = listFiles(base).find((f) => basename(dirname(f)).startsWith(`${table}-`));
  assert.ok(match, `a directory for ${KS}.${table} under ${base}`);
  return dirname(match);
}

/** Live SSTables of a table: generations with a TOC.txt. */
function liveSSTables(table: string): { generation: number; dataBytes: number; dataPath: string }[] {
  const dir = tableDir(table);
  return listFiles(dir).filter((f) => f.endsWith('-TOC.txt')).map((toc) => {
    const dataPath = toc.replace(/-TOC\.txt$/, '-Data.db');
    return { generation: Number(/-(\d+)-TOC\.txt$/.exec(toc)![1]), dataBytes: statSync(dataPath, { throwIfNoEntry: false })?.size ?? 0, dataPath };
  });
}

/** Waits (bounded) until cond holds: obsolete SSTables are deleted asynchronously after a compaction. */
async function settle(cond: () => boolean): Promise<boolean> {
  const deadline = Date.now() + SETTLE_MS_MAX;
  while (Date.now() < deadline) {
    if (cond()) return true;
    await sleep(50);
  }
  return cond();
}

async function writeRows(table: TableName, partitions: number[], version: number, timestampOf?: (p: number, c: number) => number): Promise<number> {
  const cql = timestampOf
    ? `INSERT INTO ${KS}.${table} (p, c, v) VALUES (?, ?, ?) USING TIMESTAMP ?`
    : `INSERT INTO ${KS}.${table} (p, c, v) VALUES (?, ?, ?)`;
  const cs = version === 1 ? [...Array(ROWS_PER_PARTITION).keys()] : [...Array(ROWS_PER_PARTITION).keys()].filter(isOverwritten);
  let bytes = 0;
  await forEachBounded(partitions.length * cs.length, WRITE_CONCURRENCY, async (i) => {
    const p = partitions[Math.floor(i / cs.length)]!;
    const c = cs[i % cs.length]!;
    const v = valueOf(table, p, c, version);
    bytes += v.length;
    const params: unknown[] = [p, c, v];
    if (timestampOf) params.push(cassandra.types.Long.fromNumber(timestampOf(p, c)));
    await client.execute(cql, params, { prepare: true });
  });
  return bytes;
}

async function verifyAll(label: string): Promise<void> {
  for (const t of TABLE_NAMES) {
    const r = await verifyTable(client, KS, t, passesDone);
    assert.deepEqual(r.problems, [], `${label}: ${KS}.${t}`);
    assert.ok(r.pages > 8, `${label}: the scan of ${t} paged (${r.pages} pages)`);
  }
}

const allPartitions = [...Array(PARTITIONS).keys()];

test('volume: ~32 MiB through the driver with a 4 MiB memtable limit; flushes on the limit; reads back', { timeout: 300_000 }, async () => {
  let bytes = 0;
  bytes += await writeRows('stcs', allPartitions, 1);
  assert.ok(liveSSTables('stcs').length >= 1, 'the memtable limit flushed stcs before any explicit flush');
  bytes += await writeRows('lcs', allPartitions, 1);
  // TWCS: one window (hour) of timestamps at a time, flushed after each, so SSTables fall in distinct windows.
  const baseMicros = Date.now() * 1000 - TWCS_WINDOWS * HOUR_MICROS;
  for (let w = 0; w < TWCS_WINDOWS; w++) {
    bytes += await writeRows('twcs', allPartitions.filter((p) => p % TWCS_WINDOWS === w), 1, (_p, c) => baseMicros + w * HOUR_MICROS + c);
    await adminPost(node, 'flush', KS, ['twcs']);
  }
  // switched: half under SizeTiered, then ALTER to Leveled, then the other half.
  bytes += await writeRows('switched', allPartitions.filter((p) => p < PARTITIONS / 2), 1);
  await adminPost(node, 'flush', KS, ['switched']);
  await client.execute(`ALTER TABLE ${KS}.switched WITH compaction = ${TABLES.lcs}`);
  bytes += await writeRows('switched', allPartitions.filter((p) => p >= PARTITIONS / 2), 1);
  await adminPost(node, 'flush', KS);
  passesDone = 1;
  assert.ok(bytes > 30 * 1024 * 1024, `wrote ${bytes} bytes of values`);
  const counts = Object.fromEntries(TABLE_NAMES.map((t) => [t, liveSSTables(t).length]));
  console.log(`volume: wrote ${(bytes / 1048576).toFixed(1)} MiB; live SSTables after flush: ${JSON.stringify(counts)}`);
  for (const t of TABLE_NAMES) assert.ok(counts[t]! >= 1, `${t} has SSTables`);
  assert.ok(liveSSTables('twcs').length >= 2, 'twcs keeps SSTables of distinct windows apart');
  const table = await client.metadata.getTable(KS, 'switched');
  assert.match(String((table as unknown as { compactionClass: string }).compactionClass), /Leveled/);
  await verifyAll('after pass 1 and flush');
});

test('volume: overwrites, row and range deletes, flush; reads back', { timeout: 300_000 }, async () => {
  for (const t of TABLE_NAMES) {
    await writeRows(t, allPartitions, 2);
    const deletes: { cql: string; params: unknown[] }[] = [];
    for (const p of allPartitions) {
      for (let c = 0; c < ROWS_PER_PARTITION; c++) if (isRowDeleted(c)) deletes.push({ cql: `DELETE FROM ${KS}.${t} WHERE p = ? AND c = ?`, params: [p, c] });
      if (isRangeDeleted(p, RANGE_DELETE_FROM)) {
        deletes.push({ cql: `DELETE FROM ${KS}.${t} WHERE p = ? AND c >= ? AND c < ?`, params: [p, RANGE_DELETE_FROM, RANGE_DELETE_TO] });
      }
    }
    await forEachBounded(deletes.length, WRITE_CONCURRENCY, async (i) => { await client.execute(deletes[i]!.cql, deletes[i]!.params, { prepare: true }); });
  }
  passesDone = 2;
  await verifyAll('pass 2 before flush');
  await adminPost(node, 'flush', KS);
  await verifyAll('pass 2 after flush');
});

test('volume: major compaction under each strategy; reads back', { timeout: 300_000 }, async () => {
  const before = Object.fromEntries(TABLE_NAMES.map((t) => [t, liveSSTables(t).length]));
  await adminPost(node, 'compact', KS);
  const oneEach = await settle(() => liveSSTables('stcs').length === 1 && liveSSTables('twcs').length === 1);
  const lcs = liveSSTables('lcs');
  const after = Object.fromEntries(TABLE_NAMES.map((t) => [t, liveSSTables(t).length]));
  console.log(`volume: live SSTables before major compaction ${JSON.stringify(before)}, after ${JSON.stringify(after)}; lcs Data.db sizes ${lcs.map((s) => s.dataBytes).join(',')}`);
  assert.ok(oneEach, `SizeTiered and TimeWindow tables compact into one SSTable each: ${JSON.stringify(after)}`);
  // Leveled splits its output at sstable_size_in_mb (2 MiB), overshooting by at most one partition.
  assert.ok(lcs.length >= 3, `lcs output is split (${lcs.length} SSTables)`);
  for (const s of lcs) assert.ok(s.dataBytes <= 3 * 1024 * 1024, `lcs SSTable ${s.dataPath} is ${s.dataBytes} bytes`);
  await verifyAll('after major compaction');
});

test('volume: after a restart everything reads back', { timeout: 300_000 }, async () => {
  await client.shutdown();
  assert.equal(await node.stop(), 0, 'a clean stop exits 0');
  node = await startNodeProcess({ dataDir: node.dataDir, args: ['--config', configPath] });
  await connect();
  await verifyAll('after restart');
  // And once more after SIGKILL: nothing was written since, so the same data must come back.
  await client.shutdown();
  await node.kill();
  node = await startNodeProcess({ dataDir: node.dataDir, args: ['--config', configPath] });
  await connect();
  await verifyAll('after kill and restart');
});

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI_PATH, ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('volume: sstable verify and dump through the CLI', { timeout: 300_000 }, async () => {
  const [sst] = liveSSTables('stcs');
  assert.ok(sst, 'stcs has an SSTable');
  const verify = cli(['sstable', 'verify', sst.dataPath]);
  assert.equal(verify.status, 0, `verify exits 0\n${verify.stdout}\n${verify.stderr}`);

  const dump = cli(['sstable', 'dump', sst.dataPath]);
  assert.equal(dump.status, 0, `dump exits 0\n${dump.stderr}`);
  const lines = dump.stdout.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(lines.length > 1, `dump printed ${lines.length} lines`);
  const partitions = lines.filter((l) => 'key' in l) as { key: string; rows: unknown[] }[];
  assert.equal(partitions.length, PARTITIONS, 'one line per partition (all partitions are in the single compacted SSTable)');
  const keys = new Set(partitions.map((p) => Buffer.from(p.key, 'hex').readInt32BE(0)));
  assert.deepEqual([...keys].sort((a, b) => a - b), allPartitions, 'dump shows every partition key');
  const p0 = partitions.find((p) => Buffer.from(p.key, 'hex').readInt32BE(0) === 0)!;
  const liveRows = [...Array(ROWS_PER_PARTITION).keys()].filter((c) => !isRowDeleted(c) && !isRangeDeleted(0, c)).length;
  assert.ok(p0.rows.length >= liveRows, `partition 0 shows its ${liveRows} live rows (got ${p0.rows.length} rows)`);
  const v = valueOf('stcs', 0, 1, 1).toString('hex');
  assert.ok(dump.stdout.includes(v), 'the dump holds the value of row (0, 1) in hex');

  // A copy with one flipped byte in Data.db fails verification, naming the file.
  const copyDir = join(workDir, 'corrupt');
  mkdirSync(copyDir, { recursive: true });
  const prefix = sst.dataPath.replace(/-Data\.db$/, '');
  for (const f of listFiles(dirname(sst.dataPath)).filter((f) => f.startsWith(`${prefix}-`))) copyFileSync(f, join(copyDir, basename(f)));
  const corruptData = join(copyDir, basename(sst.dataPath));
  const bytes = readFileSync(corruptData);
  bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
  writeFileSync(corruptData, bytes);
  const bad = cli(['sstable', 'verify', corruptData]);
  assert.notEqual(bad.status, 0, `verify of a corrupted copy fails\n${bad.stdout}\n${bad.stderr}`);
  assert.match(bad.stdout + bad.stderr, /Data\.db|checksum|crc/i);
});
