// `cassia sstable dump FILE` and `cassia sstable verify FILE`: FILE is any component of an SSTable
// (e.g. .../ca-3-Data.db). Both read through the given FileSystem.

import type { FileSystem } from '../../env/mod.js';
import type { TableMetadata } from '../../schema/metadata.js';
import { defaultTableOptions } from '../../schema/metadata.js';
import { ByteReader } from '../../util/bytes.js';
import type { Cell, Row } from '../data.js';
import { tableOrder } from '../_order.js';
import { BloomFilter } from './bloom.js';
import { CorruptSSTable } from './compression.js';
import { componentFile, COMPONENTS, parseComponentFile } from './format.js';
import { ChunkCache, checkCrc, SSTableReader } from './reader.js';

function locate(path: string): { dir: string; generation: number } {
  const slash = path.lastIndexOf('/');
  const dir = slash >= 0 ? path.slice(0, slash) : '.';
  const p = parseComponentFile(path.slice(slash + 1));
  if (!p) throw new Error(`${path} is not an SSTable component (expected <version>-<generation>-<Component>)`);
  return { dir, generation: p.generation };
}

/** Raw byte order is enough to dump: clustering values are kept in file order. */
function dumpTable(): TableMetadata {
  return { keyspace: '', name: '', id: 'dump', partitionKey: [], clustering: [], columns: new Map(), options: defaultTableOptions(), isCounter: false, virtual: false };
}

function cellJson(c: Cell): Record<string, unknown> {
  return {
    column: c.column, ...(c.path ? { path: c.path.toString('hex') } : {}),
    value: c.value === null ? null : c.value.toString('hex'), tombstone: c.value === null, timestamp: c.timestampMicros,
    ...(c.ttlSec ? { ttl: c.ttlSec, expiresAt: c.localExpirationTimeSec } : {}),
    ...(c.value === null ? { deletedAt: c.localExpirationTimeSec } : {}), ...(c.counter ? { counter: true } : {}),
  };
}

function rowJson(r: Row): Record<string, unknown> {
  return {
    clustering: r.clustering.map((b) => b.toString('hex')),
    ...(r.liveness ? { liveness: r.liveness } : {}), ...(r.deletion ? { deletion: r.deletion } : {}),
    ...(r.complexDeletions ? { complexDeletions: r.complexDeletions } : {}),
    cells: r.cells.map(cellJson),
  };
}

/** JSON lines: statistics first, then one line per partition (rows, cells, tombstones). */
export async function* dumpSSTable(fs: FileSystem, path: string): AsyncIterableIterator<string> {
  const { dir, generation } = locate(path);
  const r = await SSTableReader.open(fs, dir, generation, new ChunkCache(0));
  try {
    yield JSON.stringify({ statistics: r.stats });
    for await (const p of r.scan(tableOrder(dumpTable()))) {
      yield JSON.stringify({
        key: p.key.toString('hex'), token: p.token.toString(),
        ...(p.partitionDeletion ? { partitionDeletion: p.partitionDeletion } : {}),
        rangeTombstones: p.rangeTombstones.map((rt) => ({
          start: { values: rt.slice.start.values.map((b) => b.toString('hex')), inclusive: rt.slice.start.inclusive },
          end: { values: rt.slice.end.values.map((b) => b.toString('hex')), inclusive: rt.slice.end.inclusive },
          deletion: rt.deletion,
        })),
        ...(p.staticRow ? { staticRow: rowJson(p.staticRow) } : {}),
        rows: p.rows.map(rowJson),
      });
    }
  } finally {
    await r.close();
  }
}

export interface VerifyResult { ok: boolean; problems: string[]; partitions: number; chunks: number }

/** Checks every component's checksum, decodes every partition and checks their order. */
export async function verifySSTable(fs: FileSystem, path: string): Promise<VerifyResult> {
  const { dir, generation } = locate(path);
  const problems: string[] = [];
  for (const c of COMPONENTS) {
    const f = componentFile(dir, generation, c);
    if (!(await fs.stat(f))) { problems.push(`${f}: missing`); continue; }
    try {
      if (c === 'Filter.db') BloomFilter.decode(await fs.readFile(f), f);
      else if (c === 'Index.db' || c === 'Summary.db' || c === 'CompressionInfo.db' || c === 'Statistics.db') checkCrc(await fs.readFile(f), f);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  let partitions = 0;
  let chunks = 0;
  if (problems.length === 0) {
    const r = await SSTableReader.open(fs, dir, generation, new ChunkCache(0));
    try {
      const info = new ByteReader(checkCrc(await fs.readFile(componentFile(dir, generation, 'CompressionInfo.db')), 'CompressionInfo.db'));
      const chunkBytes = info.u32();
      const rawBytes = info.f64();
      chunks = info.u32() - 1;
      for (let i = 0; i < chunks; i++) {
        try { await r.readRange(i * chunkBytes, Math.min(rawBytes, (i + 1) * chunkBytes), false); } catch (e) { problems.push((e as Error).message); }
      }
      let last = '';
      for await (const e of r.entriesFrom('')) {
        if (e.sortKey <= last) problems.push(`partition ${e.key.toString('hex')} out of order`);
        last = e.sortKey;
        if (!r.mightContain(e.token)) problems.push(`partition ${e.key.toString('hex')} missing from the bloom filter`);
        try { await r.readPartition(e, tableOrder(dumpTable()), [], false); partitions++; } catch (err) { problems.push((err as Error).message); }
      }
      if (partitions !== r.stats.partitionCount) problems.push(`statistics say ${r.stats.partitionCount} partitions, found ${partitions}`);
    } catch (e) {
      if (!(e instanceof CorruptSSTable)) throw e;
      problems.push(e.message);
    } finally {
      await r.close();
    }
  }
  return { ok: problems.length === 0, problems, partitions, chunks };
}
