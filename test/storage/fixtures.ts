// Shared helpers for storage tests: a table with (pk int, ck int [, ck2 text], v int, s int static,
// m map<text,int>, c counter-free), int/text codecs, and a temporary Env on the real file system.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeEnv } from '../../src/env/node/mod.js';
import type { Env } from '../../src/env/mod.js';
import { defaultTableOptions, type ColumnMetadata, type TableMetadata } from '../../src/schema/metadata.js';
import type { CqlType } from '../../src/schema/types.js';
import type { Cell, PartitionUpdate, ReadCommand, Row } from '../../src/storage/data.js';
import { tableOrder } from '../../src/storage/_order.js';

export function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

export function readInt32(b: Buffer | null | undefined): number | null {
  return b ? b.readInt32BE(0) : null;
}

export function text(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

/** A murmur-free but well-spread token for tests: the key's int value scrambled. */
export function tokenOf(key: Buffer): bigint {
  let h = 1469598103934665603n;
  for (const b of key) h = BigInt.asIntN(64, (h ^ BigInt(b)) * 1099511628211n);
  return h === -(2n ** 63n) ? 0n : h;
}

export interface TableSpec {
  id?: string;
  clustering?: { name: string; type: CqlType; order?: 'asc' | 'desc' }[];
  regular?: { name: string; type: CqlType }[];
  statics?: { name: string; type: CqlType }[];
  isCounter?: boolean;
  options?: Partial<TableMetadata['options']>;
}

const INT: CqlType = { kind: 'native', name: 'int' };

export function makeTable(spec: TableSpec = {}): TableMetadata {
  const clustering = spec.clustering ?? [{ name: 'ck', type: INT }];
  const regular = spec.regular ?? [{ name: 'v', type: INT }, { name: 'm', type: { kind: 'map', key: { kind: 'native', name: 'text' }, value: INT, frozen: false } }];
  const statics = spec.statics ?? (clustering.length > 0 ? [{ name: 's', type: INT }] : []);
  const columns = new Map<string, ColumnMetadata>();
  columns.set('pk', { name: 'pk', type: INT, kind: 'partition_key', position: 0, clusteringOrder: 'none' });
  const ck: ColumnMetadata[] = clustering.map((c, i) => ({ name: c.name, type: c.type, kind: 'clustering', position: i, clusteringOrder: c.order ?? 'asc' }));
  for (const c of ck) columns.set(c.name, c);
  for (const c of regular) columns.set(c.name, { name: c.name, type: c.type, kind: 'regular', position: -1, clusteringOrder: 'none' });
  for (const c of statics) columns.set(c.name, { name: c.name, type: c.type, kind: 'static', position: -1, clusteringOrder: 'none' });
  return {
    keyspace: 'ks', name: 't', id: spec.id ?? '5a1e0c00-0000-1000-8000-000000000001',
    partitionKey: [columns.get('pk')!], clustering: ck, columns,
    options: { ...defaultTableOptions(), ...(spec.options ?? {}) }, isCounter: spec.isCounter ?? false, virtual: false,
  };
}

export function cell(column: string, value: Buffer | null, ts: number, extra: Partial<Cell> = {}): Cell {
  return { column, value, timestampMicros: ts, ttlSec: 0, localExpirationTimeSec: value === null ? 1000 : 0, ...extra };
}

export function row(ck: number | Buffer[], cells: Cell[], extra: Partial<Row> = {}): Row {
  return { clustering: Array.isArray(ck) ? ck : [int32(ck)], cells, ...extra };
}

/** Generated rows as one update may hold them: distinct and sorted in the table's clustering order (the data.ts contract); the first of equal clusterings is kept. */
export function distinctRowsInOrder(table: TableMetadata, rows: Row[]): Row[] {
  const order = tableOrder(table);
  const distinct: Row[] = [];
  for (const r of rows) if (!distinct.some((x) => order.compare(order.key(x.clustering), order.key(r.clustering)) === 0)) distinct.push(r);
  return distinct.sort((x, y) => order.compare(order.key(x.clustering), order.key(y.clustering)));
}

export function update(table: TableMetadata, pk: number, parts: Partial<PartitionUpdate>): PartitionUpdate {
  const key = int32(pk);
  return { tableId: table.id, key, token: tokenOf(key), rangeTombstones: [], rows: [], ...parts };
}

export function readAll(table: TableMetadata, extra: Partial<ReadCommand> = {}): ReadCommand {
  return {
    table, partitions: { kind: 'range', range: { start: 0n, end: 0n } }, slices: [], reversed: false,
    rowLimit: Infinity, perPartitionLimit: Infinity, partitionLimit: Infinity, nowSec: 2000, ...extra,
  };
}

export function readKeys(table: TableMetadata, pks: number[], extra: Partial<ReadCommand> = {}): ReadCommand {
  return readAll(table, { partitions: { kind: 'keys', keys: pks.map((pk) => ({ key: int32(pk), token: tokenOf(int32(pk)) })) }, ...extra });
}

export function tempDir(prefix = 'cassia-storage-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function testEnv(): Env {
  return nodeEnv();
}

export const HOST_ID = '11111111-2222-4333-8444-555555555555';
