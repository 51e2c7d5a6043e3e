// One engine's half of the storage benchmark, run in its own process by run.ts so that each
// engine's CPU time is its own: durable writes of N keys at a fixed concurrency, then (after a
// flush and a full compaction) a warm-up pass and a measured pass of random point reads.
// Prints one JSON line (EngineResult) on stdout. See README.md for the method.
//
// Usage: node dist/bench/storage/engine.js --engine cassia|leveldb --dir DIR [--keys N] [--reads N]
//        [--concurrency N] [--key-bytes N] [--value-bytes N] [--memtable-mb N] [--cache-mb N] [--seed N]
//        [--commitlog-dsync 0|1] [--worker-threads N]
//        [--profile-phase write|read] (only sets a marker; run with --cpu-prof to profile)

import { ClassicLevel } from 'classic-level';
import { nodeEnv } from '../../src/env/node/mod.js';
import { defaultTableOptions, type ColumnMetadata, type TableMetadata } from '../../src/schema/metadata.js';
import type { CqlType } from '../../src/schema/types.js';
import { createStorage, type PartitionUpdate, type ReadCommand } from '../../src/storage/mod.js';
import { murmur3Hash64 } from '../../src/util/murmur3.js';

export interface BenchParams {
  engine: 'cassia' | 'leveldb';
  dir: string;
  keys: number;
  reads: number;
  concurrency: number;
  keyBytes: number;
  valueBytes: number;
  memtableMb: number;
  cacheMb: number;
  seed: number;
  /** Cassia: commit log segments opened with O_DSYNC (1) or written then fdatasynced (0, the engine's default). */
  commitLogDsync: boolean;
  /** Cassia: worker threads for SSTable chunk (de)compression (default: the engine's). */
  workerThreads?: number;
}

export interface PhaseResult {
  ops: number;
  wallMs: number;
  cpuMs: number;
  opsPerSec: number;
  cpuMicrosPerOp: number;
}

export interface EngineResult {
  engine: BenchParams['engine'];
  write: PhaseResult;
  prepareMs: number;
  read: PhaseResult;
  /** Syncs issued by the commit log (Cassia only; LevelDB does not report them). */
  syncs?: number;
  mismatches: number;
}

/** Interface both engines are driven through. */
interface Target {
  put(i: number): Promise<void>;
  /** Resolves to the stored value (or undefined when missing). */
  get(i: number): Promise<Buffer | undefined>;
  /** Flush memtables and compact everything into as few files as the engine makes. */
  settle(): Promise<void>;
  syncs(): number | undefined;
  close(): Promise<void>;
}

/** Deterministic data: N random keys and values from a xorshift stream (same bytes for both engines). */
export class Dataset {
  readonly keys: Buffer;
  readonly values: Buffer;
  constructor(readonly p: BenchParams) {
    let s = (p.seed >>> 0) || 1;
    const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
    this.keys = Buffer.allocUnsafe(p.keys * p.keyBytes);
    this.values = Buffer.allocUnsafe(p.keys * p.valueBytes);
    for (let i = 0; i < this.keys.length; i++) this.keys[i] = next() & 0xff;
    for (let i = 0; i < this.values.length; i++) this.values[i] = next() & 0xff;
  }
  key(i: number): Buffer { return this.keys.subarray(i * this.p.keyBytes, (i + 1) * this.p.keyBytes); }
  value(i: number): Buffer { return this.values.subarray(i * this.p.valueBytes, (i + 1) * this.p.valueBytes); }
  /** A reproducible sequence of `count` random key indexes. */
  readOrder(count: number, salt: number): Uint32Array {
    let s = ((this.p.seed ^ (salt * 0x9e3779b9)) >>> 0) || 1;
    const out = new Uint32Array(count);
    for (let i = 0; i < count; i++) { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; out[i] = s % this.p.keys; }
    return out;
  }
}

const BLOB: CqlType = { kind: 'native', name: 'blob' };

function benchTable(): TableMetadata {
  const columns = new Map<string, ColumnMetadata>();
  const k: ColumnMetadata = { name: 'k', type: BLOB, kind: 'partition_key', position: 0, clusteringOrder: 'none' };
  columns.set('k', k);
  columns.set('v', { name: 'v', type: BLOB, kind: 'regular', position: -1, clusteringOrder: 'none' });
  return {
    keyspace: 'bench', name: 'kv', id: 'b0000000-0000-1000-8000-000000000001', partitionKey: [k], clustering: [], columns,
    options: defaultTableOptions(), isCounter: false, virtual: false,
  };
}

async function cassiaTarget(p: BenchParams, data: Dataset): Promise<Target> {
  const env = nodeEnv();
  const table = benchTable();
  const storage = createStorage({
    env, dataDir: `${p.dir}/data`, commitlogDir: `${p.dir}/commitlog`, hostId: '00000000-0000-4000-8000-000000000001',
    config: { commitlog_sync: 'group', memtable_space_mb: p.memtableMb, chunk_cache_size: `${p.cacheMb}MiB` },
    commitLogDsync: p.commitLogDsync, ...(p.workerThreads !== undefined ? { workerThreads: p.workerThreads } : {}),
  });
  await storage.addTable(table);
  await storage.open();
  const tokens: bigint[] = new Array(p.keys);
  for (let i = 0; i < p.keys; i++) tokens[i] = murmur3Hash64(data.key(i));
  return {
    put(i) {
      const ts = env.clock.nowMicros();
      const update: PartitionUpdate = {
        tableId: table.id, key: data.key(i), token: tokens[i]!, rangeTombstones: [],
        rows: [{ clustering: [], liveness: { timestampMicros: ts, ttlSec: 0, localExpirationTimeSec: 0 },
          cells: [{ column: 'v', value: data.value(i), timestampMicros: ts, ttlSec: 0, localExpirationTimeSec: 0 }] }],
      };
      return storage.apply(update);
    },
    async get(i) {
      const cmd: ReadCommand = {
        table, partitions: { kind: 'keys', keys: [{ key: data.key(i), token: tokens[i]! }] }, slices: [], reversed: false,
        rowLimit: Infinity, perPartitionLimit: Infinity, partitionLimit: Infinity, nowSec: Math.floor(env.clock.nowMs() / 1000),
      };
      const r = await storage.read(cmd);
      return r.partitions[0]?.rows[0]?.cells[0]?.value ?? undefined;
    },
    async settle() { await storage.flush(); await storage.compact(); },
    syncs: () => storage.metrics().commitLogSyncs,
    close: () => storage.close(),
  };
}

async function levelTarget(p: BenchParams, data: Dataset): Promise<Target> {
  const db = new ClassicLevel<Buffer, Buffer>(`${p.dir}/leveldb`, {
    keyEncoding: 'buffer', valueEncoding: 'buffer', cacheSize: p.cacheMb * 1024 * 1024, writeBufferSize: p.memtableMb * 1024 * 1024,
  });
  await db.open();
  const sync = { sync: true };
  return {
    put: (i) => db.put(data.key(i), data.value(i), sync),
    get: (i) => db.get(data.key(i)),
    async settle() { await db.compactRange(Buffer.alloc(1, 0), Buffer.alloc(p.keyBytes + 1, 0xff)); },
    syncs: () => undefined,
    close: () => db.close(),
  };
}

/** Runs `count` operations with `concurrency` in flight (closed loop); returns wall and CPU time. */
async function phase(count: number, concurrency: number, op: (n: number) => Promise<void>): Promise<PhaseResult> {
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const worker = async () => { while (next < count) await op(next++); };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { ops: count, wallMs, cpuMs, opsPerSec: count / (wallMs / 1000), cpuMicrosPerOp: (cpuMs * 1000) / count };
}

export async function runEngine(p: BenchParams): Promise<EngineResult> {
  const data = new Dataset(p);
  const target = p.engine === 'cassia' ? await cassiaTarget(p, data) : await levelTarget(p, data);
  const write = await phase(p.keys, p.concurrency, (n) => target.put(n));
  const syncs = target.syncs();
  const t0 = performance.now();
  await target.settle();
  const prepareMs = performance.now() - t0;
  let mismatches = 0;
  const check = async (i: number) => {
    const v = await target.get(i);
    if (!v || !v.equals(data.value(i))) mismatches++;
  };
  const warm = data.readOrder(p.reads, 1);
  await phase(p.reads, p.concurrency, (n) => check(warm[n]!));
  const order = data.readOrder(p.reads, 2);
  const read = await phase(p.reads, p.concurrency, (n) => check(order[n]!));
  await target.close();
  return { engine: p.engine, write, prepareMs, read, ...(syncs !== undefined ? { syncs } : {}), mismatches };
}

function flag(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1]! : fallback;
}

export function paramsFrom(argv: string[]): Omit<BenchParams, 'engine' | 'dir'> {
  return {
    keys: Number(flag(argv, 'keys', '200000')),
    reads: Number(flag(argv, 'reads', '200000')),
    concurrency: Number(flag(argv, 'concurrency', '64')),
    keyBytes: Number(flag(argv, 'key-bytes', '16')),
    valueBytes: Number(flag(argv, 'value-bytes', '100')),
    memtableMb: Number(flag(argv, 'memtable-mb', '64')),
    cacheMb: Number(flag(argv, 'cache-mb', '64')),
    seed: Number(flag(argv, 'seed', '12345')),
    commitLogDsync: flag(argv, 'commitlog-dsync', '0') === '1',
    ...(argv.includes('--worker-threads') ? { workerThreads: Number(flag(argv, 'worker-threads', '1')) } : {}),
  };
}

const isMain = process.argv[1]?.endsWith('/bench/storage/engine.js');
if (isMain) {
  const argv = process.argv.slice(2);
  const engine = flag(argv, 'engine', '');
  if (engine !== 'cassia' && engine !== 'leveldb') throw new Error(`--engine must be cassia or leveldb, got ${engine}`);
  const result = await runEngine({ engine, dir: flag(argv, 'dir', ''), ...paramsFrom(argv) });
  process.stdout.write(JSON.stringify(result) + '\n');
}
