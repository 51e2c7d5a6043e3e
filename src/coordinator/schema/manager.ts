// SchemaManager: the node's schema in memory, changed only through one ordered, persisted log.
//
// Persistence: `<dataDir>/schema/schema.json`, rewritten with env.fs.writeFileAtomic (write, sync,
// rename) after every change, holding a snapshot of the user schema, the last SCHEMA_LOG_RETAINED
// log entries (so a peer that is a little behind can catch up entry by entry) and a sha256 of the
// body. The schema is not kept in a Storage table because storage needs the schema (every table
// registered) before it can open and replay its commit log.

import { createHash } from 'node:crypto';
import type { Env } from '../../env/mod.js';
import type { Storage } from '../../storage/mod.js';
import type { KeyspaceMetadata, ReplicationStrategy, TableMetadata, UserTypeMetadata } from '../../schema/metadata.js';
import { assert } from '../../util/assert.js';
import { ServerError } from '../../util/errors.js';
import type { DdlStatement } from './ddl.js';
import { ddlFromAst, type SchemaStatement } from './fromAst.js';
import { planDdl, type SchemaChange } from './plan.js';
import { applyOp, diffTables, tableToJson, type DroppedColumn, type SchemaOp, type SchemaState, type TableEffects, type TableJson } from './state.js';
import { REPLICATED_SYSTEM_KEYSPACES, systemKeyspaces } from './system_keyspaces.js';
import { nameUuid, TimeUuidGenerator } from './_uuid.js';

/** Log entries kept in the schema file for peers catching up; older ones are covered by the snapshot. */
export const SCHEMA_LOG_RETAINED = 1000;
const FILE_FORMAT = 1;
const SCHEMA_DIR = 'schema';
const SCHEMA_FILE = 'schema.json';

/** One committed schema change: the unit the cluster replicates, applied in seq order. */
export interface SchemaLogEntry {
  /** 1, 2, 3, ... without gaps. */
  seq: number;
  timestampMicros: number;
  ops: SchemaOp[];
  change: SchemaChange;
}

export interface DdlResult {
  /** The change to report (RESULT/schema_change and a SCHEMA_CHANGE event); null when nothing changed (reply VOID). */
  change: SchemaChange | null;
  /** Client warnings for the response. */
  warnings: string[];
}

export interface SchemaChangeEvent {
  change: SchemaChange;
  entry: SchemaLogEntry;
  tables: TableEffects;
  version: string;
}

export type SchemaListener = (event: SchemaChangeEvent) => void;

export interface SchemaManagerOptions {
  env: Pick<Env, 'clock' | 'random' | 'fs'>;
  dataDir: string;
  /** When given, tables are registered on open and kept in step with every change. */
  storage?: Storage;
  /** Data centers of the cluster ('replication_factor' under NetworkTopologyStrategy expands to these). */
  datacenters?: () => string[];
}

interface KeyspaceJson {
  name: string;
  replication: ReplicationStrategy;
  durableWrites: boolean;
  types: UserTypeMetadata[];
  tables: TableJson[];
}

interface SchemaFile {
  format: number;
  seq: number;
  keyspaces: KeyspaceJson[];
  log: SchemaLogEntry[];
}

export class SchemaManager {
  private state: SchemaState;
  private seqValue = 0;
  private versionValue: string;
  private log: SchemaLogEntry[] = [];
  private readonly listeners = new Set<SchemaListener>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly ids: TimeUuidGenerator;
  private tableIndex = new Map<string, TableMetadata>();

  private constructor(private readonly opts: SchemaManagerOptions) {
    this.state = initialState();
    this.ids = new TimeUuidGenerator(opts.env.clock, opts.env.random);
    this.versionValue = this.computeVersion();
    this.reindex();
  }

  /** Loads the persisted schema (or starts with only the system keyspaces) and registers tables with storage. */
  static async open(opts: SchemaManagerOptions): Promise<SchemaManager> {
    const m = new SchemaManager(opts);
    await m.load();
    if (opts.storage) {
      for (const t of m.tableIndex.values()) if (!t.virtual) await opts.storage.addTable(t);
    }
    return m;
  }

  // ---- reads ----------------------------------------------------------------------------------

  keyspace(name: string): KeyspaceMetadata | undefined {
    return this.state.keyspaces.get(name);
  }

  /** Every keyspace, system ones included, in creation order. */
  keyspaces(): KeyspaceMetadata[] {
    return [...this.state.keyspaces.values()];
  }

  table(keyspace: string, name: string): TableMetadata | undefined {
    return this.state.keyspaces.get(keyspace)?.tables.get(name);
  }

  tableById(id: string): TableMetadata | undefined {
    return this.tableIndex.get(id);
  }

  type(keyspace: string, name: string): UserTypeMetadata | undefined {
    return this.state.keyspaces.get(keyspace)?.types.get(name);
  }

  /** Columns dropped from a table, with when (cells older than that stay invisible). */
  droppedColumns(tableId: string): readonly DroppedColumn[] {
    return this.state.dropped.get(tableId) ?? [];
  }

  /** The schema version UUID: changes with every applied entry; equal on nodes with the same log. */
  version(): string {
    return this.versionValue;
  }

  /** Sequence number of the last applied log entry (0 for a fresh node). */
  seq(): number {
    return this.seqValue;
  }

  /** Entries after `seq`, or null if they are older than the retained log (send a snapshot instead). */
  logSince(seq: number): SchemaLogEntry[] | null {
    if (seq >= this.seqValue) return [];
    const first = this.log[0];
    if (!first || first.seq > seq + 1) return null;
    return this.log.filter((e) => e.seq > seq);
  }

  /** Registers a listener called after each change is durable and visible; returns an unsubscribe function. */
  onChange(listener: SchemaListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- changes --------------------------------------------------------------------------------

  /**
   * Executes a DDL statement. Changes are serialized: each is validated against the schema left
   * by the previous one, persisted, then made visible. Throws InvalidRequest / AlreadyExists /
   * ConfigError / SyntaxError (unknown property) for bad statements; nothing changes then.
   * Takes the parser's statement (src/cql/ast.ts; see isSchemaStatement) or a DdlStatement.
   */
  execute(stmt: SchemaStatement | DdlStatement, clientKeyspace?: string): Promise<DdlResult> {
    return this.serialized(async () => {
      const ddl = 'span' in stmt ? ddlFromAst(stmt) : stmt;
      const plan = planDdl(this.state, ddl, {
        clientKeyspace,
        nowMicros: this.opts.env.clock.nowMicros(),
        newTableId: () => this.ids.next(),
        datacenters: this.opts.datacenters?.() ?? ['datacenter1'],
      });
      if (!plan.change) return { change: null, warnings: plan.warnings };
      assert(plan.ops.length > 0, 'a change has operations');
      const entry: SchemaLogEntry = { seq: this.seqValue + 1, timestampMicros: this.opts.env.clock.nowMicros(), ops: plan.ops, change: plan.change };
      await this.commit(entry);
      return { change: plan.change, warnings: plan.warnings };
    });
  }

  /** Applies an entry decided elsewhere (schema replication); entries must arrive in seq order. */
  applyEntry(entry: SchemaLogEntry): Promise<void> {
    return this.serialized(async () => {
      if (entry.seq <= this.seqValue) return; // already applied
      if (entry.seq !== this.seqValue + 1) throw new ServerError(`schema log gap: have ${this.seqValue}, got entry ${entry.seq}`);
      await this.commit(entry);
    });
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async commit(entry: SchemaLogEntry): Promise<void> {
    const before = this.state;
    let after = before;
    for (const op of entry.ops) after = applyOp(after, op);
    const log = [...this.log, entry].slice(-SCHEMA_LOG_RETAINED);
    await this.persist(after, entry.seq, log);
    const effects = diffTables(before, after);
    const storage = this.opts.storage;
    if (storage) for (const t of effects.created) await storage.addTable(t);
    assert(this.state === before, 'schema changed while a change was being committed');
    this.state = after;
    this.seqValue = entry.seq;
    this.log = log;
    this.versionValue = this.computeVersion();
    this.reindex();
    if (storage) {
      for (const t of effects.updated) storage.updateTable(t);
      for (const t of effects.dropped) await storage.dropTable(t.id);
    }
    const event: SchemaChangeEvent = { change: entry.change, entry, tables: effects, version: this.versionValue };
    for (const l of this.listeners) l(event);
  }

  private reindex(): void {
    const m = new Map<string, TableMetadata>();
    for (const ks of this.state.keyspaces.values()) for (const t of ks.tables.values()) m.set(t.id, t);
    this.tableIndex = m;
  }

  private computeVersion(): string {
    const digest = createHash('sha256').update(JSON.stringify(snapshotOf(this.state))).digest('hex');
    return nameUuid(`cassia-schema:${this.seqValue}:${digest}`);
  }

  // ---- persistence ----------------------------------------------------------------------------

  private dir(): string {
    return `${this.opts.dataDir}/${SCHEMA_DIR}`;
  }

  private async persist(state: SchemaState, seq: number, log: SchemaLogEntry[]): Promise<void> {
    const body: SchemaFile = { format: FILE_FORMAT, seq, keyspaces: snapshotOf(state), log };
    const json = JSON.stringify(body);
    const sha256 = createHash('sha256').update(json).digest('hex');
    const data = Buffer.from(JSON.stringify({ sha256, body: json }));
    await this.opts.env.fs.mkdirp(this.dir());
    await this.opts.env.fs.writeFileAtomic(`${this.dir()}/${SCHEMA_FILE}`, data);
    await this.opts.env.fs.syncDir(this.dir());
  }

  private async load(): Promise<void> {
    const path = `${this.dir()}/${SCHEMA_FILE}`;
    if (!(await this.opts.env.fs.stat(path))) return;
    const file = parseSchemaFile(await this.opts.env.fs.readFile(path), path);
    let state = initialState();
    for (const ks of file.keyspaces) {
      state = applyOp(state, { op: 'put_keyspace', name: ks.name, replication: ks.replication, durableWrites: ks.durableWrites });
      for (const type of ks.types) state = applyOp(state, { op: 'put_type', type });
      for (const table of ks.tables) state = applyOp(state, { op: 'put_table', table });
    }
    this.state = state;
    this.seqValue = file.seq;
    this.log = file.log;
    this.versionValue = this.computeVersion();
    this.reindex();
  }
}

function initialState(): SchemaState {
  return { keyspaces: new Map(systemKeyspaces().map((k) => [k.name, k])), dropped: new Map() };
}

/** User keyspaces in full; replicated system keyspaces by their (alterable) replication only. */
function snapshotOf(state: SchemaState): KeyspaceJson[] {
  const out: KeyspaceJson[] = [];
  for (const ks of state.keyspaces.values()) {
    if (ks.system && !REPLICATED_SYSTEM_KEYSPACES.has(ks.name)) continue;
    out.push({
      name: ks.name, replication: ks.replication, durableWrites: ks.durableWrites,
      types: ks.system ? [] : [...ks.types.values()],
      tables: ks.system ? [] : [...ks.tables.values()].map((t) => tableToJson(t, state.dropped.get(t.id) ?? [])),
    });
  }
  return out;
}

function parseSchemaFile(data: Buffer, path: string): SchemaFile {
  let outer: { sha256?: unknown; body?: unknown };
  try {
    outer = JSON.parse(data.toString('utf8')) as typeof outer;
  } catch {
    throw new ServerError(`Schema file ${path} is not valid JSON (truncated or corrupted); restore it from a backup or a peer`);
  }
  if (typeof outer.body !== 'string' || typeof outer.sha256 !== 'string') throw new ServerError(`Schema file ${path} lacks its body or checksum`);
  const sha = createHash('sha256').update(outer.body).digest('hex');
  if (sha !== outer.sha256) throw new ServerError(`Schema file ${path} fails its checksum (expected ${outer.sha256}, computed ${sha}); restore it from a backup or a peer`);
  const file = JSON.parse(outer.body) as SchemaFile;
  if (file.format !== FILE_FORMAT) throw new ServerError(`Schema file ${path} has format ${file.format}; this version reads format ${FILE_FORMAT}`);
  return file;
}
