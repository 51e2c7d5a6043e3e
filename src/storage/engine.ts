// The per-node store: one TableStore per table (active memtable, memtables being flushed, live
// SSTables), the shared commit log, flush and compaction scheduling, and read execution.

import type { Env } from '../env/mod.js';
import type { TableMetadata } from '../schema/metadata.js';
import { assert } from '../util/assert.js';
import { InvalidRequest, WriteFailure } from '../util/errors.js';
import type { Partition, PartitionUpdate, ReadCommand, ReadResult, ReadStats, Slice } from './data.js';
import { memPartitionToPartition, Memtable } from './memtable/memtable.js';
import { executeRead, type PartitionHeader, type TableView } from './read.js';
import { mergePartitions } from './reconcile.js';
import { storageSettings, type StorageSettings } from './_config.js';
import { tableOrder } from './_order.js';

export interface StorageLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export const silentLogger: StorageLogger = { info() {}, warn() {}, error() {} };

export interface StorageOptions {
  env: Env;
  dataDir: string;
  commitlogDir: string;
  config?: Record<string, unknown>;
  logger?: StorageLogger;
  hostId: string;
}

export class TableStore {
  memtable: Memtable;
  flushing: Memtable[] = [];
  constructor(public table: TableMetadata) {
    this.memtable = new Memtable(table);
  }

  memtables(): Memtable[] {
    return [this.memtable, ...this.flushing];
  }

  view(): TableView {
    const order = tableOrder(this.table);
    const memtables = this.memtables();
    const table = this.table;
    return {
      order,
      async getPartition(h: PartitionHeader, slices: Slice[], _stats: ReadStats): Promise<Partition | undefined> {
        let merged: Partition | undefined;
        for (const m of memtables) {
          const mp = m.get(h.sortKey);
          if (!mp) continue;
          const p = memPartitionToPartition(order, mp, slices);
          merged = merged ? mergePartitions(table, merged, p) : p;
        }
        return merged;
      },
      keysFrom(from: string): AsyncIterableIterator<PartitionHeader> {
        return mergeHeaderStreams(memtables.map((m) => memtableHeaders(m, from)));
      },
    };
  }
}

async function* memtableHeaders(m: Memtable, from: string): AsyncIterableIterator<PartitionHeader> {
  for (const p of m.partitions.values(from)) yield { sortKey: p.sortKey, key: p.key, token: p.token };
}

/** Merges ascending header streams into one ascending stream without duplicates. */
export async function* mergeHeaderStreams(streams: AsyncIterableIterator<PartitionHeader>[]): AsyncIterableIterator<PartitionHeader> {
  const heads: (PartitionHeader | undefined)[] = [];
  for (const s of streams) heads.push((await s.next()).value ?? undefined);
  for (;;) {
    let min: PartitionHeader | undefined;
    for (const h of heads) if (h && (!min || h.sortKey < min.sortKey)) min = h;
    if (!min) return;
    yield min;
    const k = min.sortKey;
    for (let i = 0; i < heads.length; i++) {
      if (heads[i] && heads[i]!.sortKey === k) {
        const r = await streams[i]!.next();
        heads[i] = r.done ? undefined : r.value;
      }
    }
  }
}

export class StorageEngine {
  readonly settings: StorageSettings;
  readonly logger: StorageLogger;
  private readonly tables = new Map<string, TableStore>();
  private opened = false;
  private closed = false;

  constructor(readonly options: StorageOptions) {
    this.settings = storageSettings(options.config);
    this.logger = options.logger ?? silentLogger;
  }

  async open(): Promise<void> {
    assert(!this.opened, 'storage opened twice');
    this.opened = true;
  }

  async addTable(table: TableMetadata): Promise<void> {
    if (this.tables.has(table.id)) {
      this.updateTable(table);
      return;
    }
    this.tables.set(table.id, new TableStore(table));
  }

  updateTable(table: TableMetadata): void {
    const t = this.tables.get(table.id);
    if (!t) return;
    t.table = table;
    t.memtable.setTable(table);
  }

  async dropTable(tableId: string): Promise<void> {
    this.tables.delete(tableId);
  }

  async truncate(tableId: string): Promise<void> {
    const t = this.store(tableId);
    t.memtable = new Memtable(t.table);
    t.flushing = [];
  }

  private store(tableId: string): TableStore {
    const t = this.tables.get(tableId);
    if (!t) throw new InvalidRequest(`unknown table id ${tableId}`);
    return t;
  }

  async apply(update: PartitionUpdate): Promise<void> {
    if (this.closed) throw new WriteFailure('storage is closed; the node is shutting down', 'ONE', 0, 1, [], 'SIMPLE');
    const t = this.store(update.tableId);
    t.memtable.apply(update);
  }

  async read(command: ReadCommand): Promise<ReadResult> {
    const t = this.store(command.table.id);
    return executeRead(t.view(), command, {
      tombstoneWarnThreshold: this.settings.tombstoneWarnThreshold,
      tombstoneFailureThreshold: this.settings.tombstoneFailureThreshold,
    });
  }

  async flush(_tableId?: string): Promise<void> {}

  async compact(_tableId?: string): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }
}
