// Full query log: every query the node executed, with its bound values, in a binary rolled log
// that `cassia fql dump` prints and `cassia fql replay` re-executes against another node.
//
// Record format (big-endian):
// | field | size | meaning |
// |---|---|---|
// | length | 4 | bytes of body |
// | crc | 4 | CRC-32 of body |
// | body | length | below |
// body: version u8 (1) · kind u8 (1 single, 2 batch) · timestampMs i64 · protocolVersion u8 ·
// consistency u16 · keyspace (i32 length, -1 = none; utf8) · batchType u8 (0 logged, 1 unlogged,
// 2 counter; single: 0) · queryCount u16 · per query: query (i32 length; utf8) · valueCount u16 ·
// per value: i32 length (-1 = null) + bytes.
// A reader stops at the first short or corrupt record (a crash leaves at most a torn tail).

import type { Clock, FileSystem } from '../env/mod.js';
import { assert } from '../util/assert.js';
import { ByteReader, ByteWriter, TruncatedInput } from '../util/bytes.js';
import { crc32 } from '../util/crc.js';
import { RolledLogWriter, listRolledFiles } from './rolled.js';

const RECORD_HEADER_BYTES = 8; // length(4) + crc(4)
const FQL_VERSION = 1;
/** Largest body accepted by the reader (a native protocol frame is at most 256 MiB). */
export const FQL_RECORD_BYTES_MAX = 256 * 1024 * 1024;
export const FQL_FILE_PREFIX = 'fql';
export const FQL_FILE_EXT = 'bin';

export interface FqlQuery {
  query: string;
  values: Array<Buffer | null>;
}

export interface FqlEntry {
  kind: 'single' | 'batch';
  timestampMs: number;
  protocolVersion: number;
  /** Protocol consistency code (0x0001 ONE ...). */
  consistency: number;
  keyspace: string | null;
  batchType: 'logged' | 'unlogged' | 'counter';
  queries: FqlQuery[];
}

const BATCH_TYPES = ['logged', 'unlogged', 'counter'] as const;

export function encodeFqlEntry(e: FqlEntry): Buffer {
  assert(e.queries.length > 0 && e.queries.length <= 0xffff, 'fql entry needs 1..65535 queries');
  assert(e.kind === 'batch' || e.queries.length === 1, 'a single entry has one query');
  const w = new ByteWriter(256);
  const str = (s: string | null) => {
    if (s === null) { w.i32(-1); return; }
    w.i32(Buffer.byteLength(s, 'utf8'));
    w.utf8(s);
  };
  w.u8(FQL_VERSION).u8(e.kind === 'single' ? 1 : 2).i64(BigInt(e.timestampMs)).u8(e.protocolVersion).u16(e.consistency);
  str(e.keyspace);
  w.u8(BATCH_TYPES.indexOf(e.batchType)).u16(e.queries.length);
  for (const q of e.queries) {
    str(q.query);
    assert(q.values.length <= 0xffff, 'at most 65535 values per query');
    w.u16(q.values.length);
    for (const v of q.values) {
      if (v === null) w.i32(-1);
      else w.i32(v.length).bytes(v);
    }
  }
  const body = w.view();
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + body.length);
  out.writeUInt32BE(body.length, 0);
  out.writeUInt32BE(crc32(body), 4);
  body.copy(out, RECORD_HEADER_BYTES);
  return out;
}

function decodeBody(body: Buffer): FqlEntry {
  const r = new ByteReader(body);
  const version = r.u8();
  if (version !== FQL_VERSION) throw new Error(`unsupported full query log record version ${version}`);
  const kindCode = r.u8();
  const timestampMs = Number(r.i64());
  const protocolVersion = r.u8();
  const consistency = r.u16();
  const str = () => {
    const n = r.i32();
    return n < 0 ? null : r.utf8(n);
  };
  const keyspace = str();
  const batchType = BATCH_TYPES[r.u8()];
  if (batchType === undefined || (kindCode !== 1 && kindCode !== 2)) throw new Error('corrupt full query log record');
  const queries: FqlQuery[] = [];
  for (let count = r.u16(), i = 0; i < count; i++) {
    const query = str() ?? '';
    const values: Array<Buffer | null> = [];
    for (let n = r.u16(), j = 0; j < n; j++) {
      const len = r.i32();
      values.push(len < 0 ? null : Buffer.from(r.bytes(len)));
    }
    queries.push({ query, values });
  }
  return { kind: kindCode === 1 ? 'single' : 'batch', timestampMs, protocolVersion, consistency, keyspace, batchType, queries };
}

/** Decodes every whole, intact record of one file; `tornTail` tells whether bytes were left over. */
export function decodeFqlFile(data: Buffer): { entries: FqlEntry[]; tornTail: boolean } {
  const entries: FqlEntry[] = [];
  let at = 0;
  while (at + RECORD_HEADER_BYTES <= data.length) {
    const length = data.readUInt32BE(at);
    const crc = data.readUInt32BE(at + 4);
    const end = at + RECORD_HEADER_BYTES + length;
    if (length > FQL_RECORD_BYTES_MAX || end > data.length) break;
    const body = data.subarray(at + RECORD_HEADER_BYTES, end);
    if (crc32(body) !== crc) break;
    try {
      entries.push(decodeBody(body));
    } catch (err) {
      if (err instanceof TruncatedInput) break;
      throw err;
    }
    at = end;
  }
  return { entries, tornTail: at !== data.length };
}

export interface FullQueryLogOptions {
  fs: FileSystem;
  clock: Clock;
  dir: string;
  /** Defaults: 64 MiB per file, 20 files, 16 MiB queued. */
  maxFileBytes?: number;
  maxFiles?: number;
  maxPendingBytes?: number;
}

export class FullQueryLogger {
  private constructor(private readonly writer: RolledLogWriter, private readonly clock: Clock) {}

  static async open(o: FullQueryLogOptions): Promise<FullQueryLogger> {
    const writer = await RolledLogWriter.open({
      fs: o.fs, dir: o.dir, prefix: FQL_FILE_PREFIX, ext: FQL_FILE_EXT,
      maxFileBytes: o.maxFileBytes ?? 64 * 1024 * 1024, maxFiles: o.maxFiles ?? 20, maxPendingBytes: o.maxPendingBytes ?? 16 * 1024 * 1024,
    });
    return new FullQueryLogger(writer, o.clock);
  }

  /** Queues one executed query or batch; never awaits I/O. Returns false when dropped. */
  log(entry: Omit<FqlEntry, 'timestampMs'> & { timestampMs?: number }): boolean {
    return this.writer.append(encodeFqlEntry({ ...entry, timestampMs: entry.timestampMs ?? this.clock.nowMs() }));
  }

  dropped(): number {
    return this.writer.dropped;
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}

/** Every entry in a directory's full query log files, oldest first. */
export async function readFullQueryLog(fs: FileSystem, dir: string): Promise<FqlEntry[]> {
  const out: FqlEntry[] = [];
  for (const f of await listRolledFiles(fs, dir, FQL_FILE_PREFIX, FQL_FILE_EXT)) out.push(...decodeFqlFile(await fs.readFile(f.path)).entries);
  return out;
}

/** `cassia fql dump` text for one entry (values as hex). */
export function formatFqlEntry(e: FqlEntry): string {
  const lines = [
    `Type: ${e.kind}${e.kind === 'batch' ? ` (${e.batchType})` : ''}`,
    `Query start time: ${e.timestampMs}`,
    `Protocol version: ${e.protocolVersion}`,
    `Consistency: 0x${e.consistency.toString(16).padStart(4, '0')}`,
    `Keyspace: ${e.keyspace ?? ''}`,
  ];
  for (const q of e.queries) {
    lines.push(`Query: ${q.query}`);
    if (q.values.length > 0) lines.push(`Values: ${q.values.map((v) => (v === null ? 'null' : `0x${v.toString('hex')}`)).join(', ')}`);
  }
  return lines.join('\n') + '\n';
}
