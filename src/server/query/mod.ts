// src/server/query: the query processor. Implements the transport's QueryHandler: parses CQL,
// plans statements against the schema, and executes them through the coordinator.
// See README.md for the statement cache, paging state and the LWT model.

import type { Statement, ModificationStatement, BatchStatement as AstBatch } from '../../cql/ast.js';
import { parseStatement } from '../../cql/mod.js';
import type { KeyspaceMetadata, TableMetadata } from '../../schema/metadata.js';
import { typeToCql } from '../../schema/types.js';
import type { QueryHandler, ClientState, RequestDone, RequestInfo, ResultResponse } from '../../protocol/handler.js';
import type { Query, Prepare, Execute, Batch, ColumnSpec, QueryParameters, BoundValue, BoundValues, ResultBody, SchemaChange, RowsResult } from '../../protocol/messages.js';
import { UNSET } from '../../protocol/messages.js';
import type { ConsistencyName } from '../../util/errors.js';
import { InvalidRequest, Unprepared, Overloaded } from '../../util/errors.js';
import { assertNever } from '../../util/assert.js';
import type { Clock, Random } from '../../env/mod.js';
import type { ReadCommand, ReadResult, PartitionUpdate, Row } from '../../storage/data.js';
import { makeFunctionContext, type FunctionContext } from '../../cql/functions/mod.js';
import { DEFAULT_QUERY_LIMITS, type QueryLimits, type QuerySchema, type QueryCoordinator, type SystemTables, type QueryLogger, type ExecContext, type DdlChange } from './_context.js';
import { LruCache, statementId, md5Of } from './_cache.js';
import { IdText, sameBytes } from './_ids.js';
import { planSelect, executeSelect, executeSelectSync, selectsSyncable, type SelectPlan, type SyncSelectRun } from './_select.js';
import { WritePlan } from './_write_plan.js';
import { planInsert, planUpdate, planDelete, bindAttrs, bindTargets, buildUpdate, clusteringId, type ModifyPlan, type Existing, type Target, type WriteAttrs } from './_modify.js';
import { fingerprintOf } from './_paging.js';
import { wildcardColumns } from './_selection.js';
import { conditionsHold, conditionColumns } from './_conditions.js';
import { partitionRows, columnValue, type RowView } from './_rows.js';
import { ListPathGenerator } from './_listpaths.js';
import { booleanValue } from './_bytes.js';
import { executeDcl, isDcl, type DclStatement } from './_dcl.js';
import { requirementsOf, type Requirement } from './_access.js';
import { applicablePermissions, type AuthResource, type AuthService } from '../../auth/mod.js';

export { DEFAULT_QUERY_LIMITS } from './_context.js';
export { IdText, sameBytes } from './_ids.js';
export type { DdlChange, QueryLimits, QuerySchema, QueryCoordinator, SystemTables as QuerySystemTables, QueryLogger } from './_context.js';

export interface QueryProcessorOptions {
  schema: QuerySchema;
  coordinator: QueryCoordinator;
  clock: Clock;
  random: Random;
  /** This node's host id (a UUID string): counter shards are written under it. */
  hostId: string;
  systemTables: SystemTables;
  /** Used for TRUNCATE when the coordinator has no truncate(). */
  storage?: { truncate(tableId: string): Promise<void> };
  limits?: Partial<QueryLimits>;
  logger?: QueryLogger;
  /** Roles and permissions (src/auth): DCL statements, and permission checks under CassandraAuthorizer. */
  auth?: AuthService;
}

type Plan =
  | SelectPlan
  | ModifyPlan
  | { kind: 'batch'; statements: ModifyPlan[]; batchType: 'logged' | 'unlogged' | 'counter' }
  | { kind: 'use'; keyspace: string }
  | { kind: 'truncate'; table: TableMetadata }
  | { kind: 'schema'; statement: Statement }
  | { kind: 'dcl'; statement: DclStatement };

/** A statement planned against the schema: what PREPARE caches and EXECUTE binds. */
interface Compiled {
  query: string;
  plan: Plan;
  bindSpecs: ColumnSpec[];
  partitionKeyIndexes: number[];
  resultColumns: ColumnSpec[];
  resultMetadataId: Buffer;
  fingerprint: Buffer;
  /** `ks.table` of every table used (cache invalidation). */
  tables: string[];
  /** Permissions checked before each execution under CassandraAuthorizer (empty otherwise). */
  requirements: Requirement[];
  /** A single-row INSERT/UPDATE bound straight into its update (_write_plan.ts); null: the general path. */
  writePlan: WritePlan | null;
  /** A SELECT of one partition of a stored table that may be answered inline (selectsSyncable): tried before the general path. */
  selectInline: boolean;
}

const SCHEMA_KINDS = new Set([
  'create_keyspace', 'alter_keyspace', 'drop_keyspace', 'create_table', 'alter_table', 'drop_table',
  'create_type', 'alter_type', 'drop_type',
]);

export class QueryProcessor implements QueryHandler {
  private readonly limits: QueryLimits;
  private readonly cache: LruCache<Compiled>;
  private readonly locks = new Map<string, Promise<void>>();
  private readonly listPaths: ListPathGenerator;
  private readonly functions: FunctionContext;
  /** Prepared ids' hex text; share it with the request observer (RequestObserverDeps.idText) so an id is looked up once per request. */
  readonly idText = new IdText();
  /** Set when statements are checked against grants (CassandraAuthorizer). */
  private readonly access: AuthService | null;
  /** Prepared SELECTs answered inline (no promise: the coordinator's and storage's readSync), and those that had to fall back to the general path. */
  selectsInline = 0;
  selectsInlineFallBack = 0;
  private readonly readCoordinator: (ks: KeyspaceMetadata, cmd: ReadCommand, cl: ConsistencyName) => Promise<ReadResult>;
  private readonly readSystem: (ks: KeyspaceMetadata, cmd: ReadCommand) => Promise<ReadResult>;
  private readonly readCoordinatorSync: SyncSelectRun['readSync'] | null;

  constructor(private readonly opts: QueryProcessorOptions) {
    this.access = opts.auth?.checksPermissions ? opts.auth : null;
    this.limits = { ...DEFAULT_QUERY_LIMITS, ...opts.limits };
    this.cache = new LruCache(this.limits.preparedStatementsMax);
    this.listPaths = new ListPathGenerator(opts.clock, opts.random);
    this.functions = makeFunctionContext(opts.clock, opts.random);
    this.readCoordinator = (ks, cmd, cl) => opts.coordinator.read(ks, cmd, cl);
    this.readSystem = (_ks, cmd) => opts.systemTables.read(cmd);
    const coordinator = opts.coordinator;
    this.readCoordinatorSync = coordinator.readSync === undefined ? null : (ks, cmd, cl) => coordinator.readSync!(ks, cmd, cl);
  }

  /** Prepared statements cached now. */
  get preparedCount(): number {
    return this.cache.size;
  }

  /** Drops prepared statements using a changed table (or keyspace). Call for schema changes made elsewhere. */
  onSchemaChange(change: SchemaChange): void {
    if (change.target === 'TABLE') this.cache.invalidate(`${change.keyspace}.${change.name}`);
    else this.cache.invalidate(`${change.keyspace}.*`);
  }

  async query(req: Query, client: ClientState, _info: RequestInfo): Promise<ResultResponse> {
    const keyspace = req.params.keyspace ?? client.keyspace;
    const compiled = this.compile(req.query, keyspace);
    return this.run(compiled, req.params, client, null);
  }

  async prepare(req: Prepare, client: ClientState, _info: RequestInfo): Promise<ResultResponse> {
    const keyspace = req.keyspace ?? client.keyspace;
    const statement = parseStatement(req.query);
    const id = statementId(req.query, isQualified(statement) ? null : keyspace);
    const hex = id.toString('hex');
    let compiled = this.cache.get(hex);
    if (!compiled) {
      compiled = this.compileStatement(req.query, statement, keyspace);
      this.cache.set(hex, compiled);
    }
    return {
      result: {
        kind: 'prepared', id, resultMetadataId: compiled.resultMetadataId, bindVariables: compiled.bindSpecs,
        partitionKeyIndexes: compiled.partitionKeyIndexes, resultColumns: compiled.resultColumns,
      },
    };
  }

  execute(req: Execute, client: ClientState, info: RequestInfo): Promise<ResultResponse> {
    return this.executeCompiled(this.cache.get(this.idText.of(req.id)), req, client, info);
  }

  /** execute() once the statement was looked up (undefined: not prepared here). */
  private executeCompiled(compiled: Compiled | undefined, req: Execute, client: ClientState, info: RequestInfo): Promise<ResultResponse> {
    // Not async: a prepared write runs without async frames (errors still arrive as rejections).
    try {
      if (!compiled) throw unprepared(req.id);
      if (this.access === null) {
        if (compiled.writePlan !== null) return this.runPlannedWrite(compiled, compiled.writePlan, req.params, info);
        if (compiled.plan.kind === 'modify') return this.runWrite(compiled, compiled.plan, req.params, client);
        if (compiled.plan.kind === 'select') {
          const inline = compiled.selectInline ? this.selectInline(compiled, compiled.plan, req.params, client, req.resultMetadataId) : undefined;
          if (inline !== undefined) return Promise.resolve(inline);
          return this.runPreparedSelect(compiled, compiled.plan, req.params, client, req.resultMetadataId);
        }
      }
      return this.run(compiled, req.params, client, req.resultMetadataId);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * execute() in callback form (the transport's choice when offered): a prepared write with a
   * WritePlan makes no promise at all; everything else runs execute() and passes its outcome on.
   */
  executeThen(req: Execute, client: ClientState, info: RequestInfo, done: RequestDone): void {
    let plan: WritePlan | null = null;
    let update: PartitionUpdate;
    try {
      const compiled = this.cache.get(this.idText.of(req.id));
      if (compiled !== undefined && compiled.selectInline && this.access === null) {
        this.selectThen(compiled, req, client, done);
        return;
      }
      if (compiled === undefined || compiled.writePlan === null || this.access !== null) {
        this.executeCompiled(compiled, req, client, info).then((response) => done(undefined, response), (error: unknown) => done(error));
        return;
      }
      plan = compiled.writePlan;
      update = this.bindPlanned(compiled, plan, req.params);
    } catch (e) {
      done(e);
      return;
    }
    this.writePlannedThen(plan, update, req.params.consistency, info, done);
  }

  /** A prepared SELECT (Compiled.selectInline) in callback form: inline if it can be, else execute()'s path. Never throws. */
  private selectThen(compiled: Compiled, req: Execute, client: ClientState, done: RequestDone): void {
    let response: ResultResponse | undefined;
    try {
      response = this.selectInline(compiled, compiled.plan as SelectPlan, req.params, client, req.resultMetadataId);
    } catch (e) {
      done(e);
      return;
    }
    if (response !== undefined) {
      done(undefined, response);
      return;
    }
    let general: Promise<ResultResponse>;
    try {
      general = this.runPreparedSelect(compiled, compiled.plan as SelectPlan, req.params, client, req.resultMetadataId);
    } catch (e) {
      general = Promise.reject(e);
    }
    general.then((r) => done(undefined, r), (error: unknown) => done(error));
  }

  async batch(req: Batch, client: ClientState, _info: RequestInfo): Promise<ResultResponse> {
    if (req.statements.length > this.limits.batchStatementsMax) throw new InvalidRequest(`Batch of ${req.statements.length} statements exceeds the limit of ${this.limits.batchStatementsMax}`);
    const keyspace = req.keyspace ?? client.keyspace;
    let previous: { id: Buffer; compiled: Compiled | undefined } | null = null;
    const items = req.statements.map((s) => {
      let compiled: Compiled | undefined;
      if (s.kind === 'query') compiled = this.compile(s.query, keyspace);
      else if (previous !== null && sameBytes(previous.id, s.id)) compiled = previous.compiled; // a batch often repeats one statement
      else previous = { id: s.id, compiled: compiled = this.cache.get(this.idText.of(s.id)) };
      if (!compiled) throw unprepared((s as { id: Buffer }).id);
      if (compiled.plan.kind !== 'modify') throw new InvalidRequest('Invalid statement in batch: only UPDATE, INSERT and DELETE statements are allowed.');
      checkValueCount(compiled, s.values.length);
      return { plan: compiled.plan, values: s.values, requirements: compiled.requirements };
    });
    if (this.access !== null) for (const i of items) await this.checkAccess(i.requirements, client);
    const ctx = this.context(client, s2p(req), []);
    const type = req.batchType === 'LOGGED' ? 'logged' : req.batchType === 'UNLOGGED' ? 'unlogged' : 'counter';
    const result = await this.runBatch(type, items, ctx, req.consistency, req.serialConsistency);
    return withWarnings(result, ctx);
  }

  // ------------------------------------------------------------------------------ compile

  private compile(query: string, keyspace: string | null): Compiled {
    return this.compileStatement(query, parseStatement(query), keyspace);
  }

  private compileStatement(query: string, statement: Statement, keyspace: string | null): Compiled {
    const specs: (ColumnSpec | undefined)[] = [];
    const tables: string[] = [];
    const plan = this.planStatement(statement, keyspace, specs, tables);
    const bindSpecs: ColumnSpec[] = statement.bindMarkers.map((m, i) => specs[i] ?? { keyspace: keyspace ?? '', table: '', name: m.name ?? `[marker${i}]`, type: { kind: 'native', name: 'blob' } });
    const resultColumns = plan.kind === 'select' ? plan.selection.columns : [];
    return {
      query, plan, bindSpecs, resultColumns, tables,
      requirements: this.access === null ? [] : requirementsOf(statement, keyspace),
      writePlan: plan.kind === 'modify' ? WritePlan.of(plan) : null,
      selectInline: plan.kind === 'select' && selectsSyncable(plan) && !this.servedBySystemTables(plan.table),
      partitionKeyIndexes: partitionKeyIndexes(plan),
      resultMetadataId: md5Of(resultColumns.map((c) => `${c.keyspace}.${c.table}.${c.name}:${typeToCql(c.type)}`).join('|')),
      fingerprint: fingerprintOf(`${keyspace ?? ''}\u0000${query}`),
    };
  }

  private table(name: { keyspace?: string; name: string }, keyspace: string | null): TableMetadata {
    const ks = name.keyspace ?? keyspace;
    if (!ks) throw new InvalidRequest('No keyspace has been specified. USE a keyspace, or explicitly specify keyspace.tablename');
    if (!this.opts.schema.keyspace(ks)) throw new InvalidRequest(`Keyspace ${ks} does not exist`);
    const t = this.opts.schema.table(ks, name.name);
    if (!t) throw new InvalidRequest(`table ${name.name} does not exist`);
    return t;
  }

  private planStatement(s: Statement, keyspace: string | null, specs: (ColumnSpec | undefined)[], tables: string[]): Plan {
    const use = (t: TableMetadata): TableMetadata => { tables.push(`${t.keyspace}.${t.name}`); return t; };
    switch (s.kind) {
      case 'select': return planSelect(s, use(this.table(s.table, keyspace)), specs);
      case 'insert': return planInsert(s, use(this.table(s.table, keyspace)), specs);
      case 'update': return planUpdate(s, use(this.table(s.table, keyspace)), specs);
      case 'delete': return planDelete(s, use(this.table(s.table, keyspace)), specs);
      case 'batch': return this.planBatch(s, keyspace, specs, tables);
      case 'use': return { kind: 'use', keyspace: s.keyspace };
      case 'truncate': return { kind: 'truncate', table: use(this.table(s.table, keyspace)) };
      default:
        if (SCHEMA_KINDS.has(s.kind)) return { kind: 'schema', statement: s };
        if (isDcl(s)) return { kind: 'dcl', statement: s };
        throw new InvalidRequest(`${s.kind.replace(/_/g, ' ').toUpperCase()} statements are not supported yet`);
    }
  }

  private planBatch(s: AstBatch, keyspace: string | null, specs: (ColumnSpec | undefined)[], tables: string[]): Plan {
    const statements = s.statements.map((m) => {
      const plan = this.planStatement(m, keyspace, specs, tables) as ModifyPlan;
      if (s.using.timestamp && plan.timestamp) throw new InvalidRequest('Timestamp must be set either on BATCH or individual statements');
      if (s.using.timestamp) plan.timestamp = s.using.timestamp;
      return plan;
    });
    if (s.using.timestamp) specs[s.bindMarkers.find((m) => m.span.start >= 0)?.index ?? 0] ??= undefined;
    return { kind: 'batch', statements, batchType: s.batchType };
  }

  // ------------------------------------------------------------------------------ execute

  private context(client: ClientState, p: { values: BoundValue[]; defaultTimestamp: bigint | null; nowInSeconds: number | null }, warnings: string[]): ExecContext {
    const nowMs = this.opts.clock.nowMs();
    return {
      values: p.values,
      timestampMicros: p.defaultTimestamp !== null ? Number(p.defaultTimestamp) : this.opts.clock.nowMicros(),
      nowSec: p.nowInSeconds ?? Math.floor(nowMs / 1000),
      nowMs, protocolVersion: client.protocolVersion, functions: this.functions, warnings,
    };
  }

  /**
   * context() for a SELECT: the same, but no clock reading for a write timestamp (a SELECT writes
   * nothing; timestampMicros is the request's default timestamp or 0).
   */
  private selectContext(values: BoundValue[], client: ClientState, p: QueryParameters): ExecContext {
    const nowMs = this.opts.clock.nowMs();
    return {
      values,
      timestampMicros: p.defaultTimestamp !== null ? Number(p.defaultTimestamp) : 0,
      nowSec: p.nowInSeconds ?? Math.floor(nowMs / 1000),
      nowMs, protocolVersion: client.protocolVersion, functions: this.functions, warnings: [],
    };
  }

  private async run(compiled: Compiled, params: QueryParameters, client: ClientState, clientMetadataId: Buffer | null): Promise<ResultResponse> {
    const values = bindValues(compiled, params.values);
    const ctx = this.context(client, { values, defaultTimestamp: params.defaultTimestamp, nowInSeconds: params.nowInSeconds }, []);
    const plan = compiled.plan;
    if (this.access !== null && compiled.requirements.length > 0) await this.checkAccess(compiled.requirements, client);
    let result: ResultBody;
    switch (plan.kind) {
      case 'select': result = await this.runSelect(compiled, plan, params, ctx, clientMetadataId); break;
      case 'modify': result = await this.runBatch(null, [{ plan, values }], ctx, params.consistency, params.serialConsistency); break;
      case 'batch': result = await this.runBatch(plan.batchType, plan.statements.map((p) => ({ plan: p, values })), ctx, params.consistency, params.serialConsistency); break;
      case 'use': {
        if (!this.opts.schema.keyspace(plan.keyspace)) throw new InvalidRequest(`Keyspace '${plan.keyspace}' does not exist`);
        client.keyspace = plan.keyspace;
        result = { kind: 'set_keyspace', keyspace: plan.keyspace };
        break;
      }
      case 'truncate': result = await this.runTruncate(plan.table); break;
      case 'schema': result = await this.runSchema(plan.statement, params.keyspace ?? client.keyspace, ctx, client); break;
      case 'dcl': result = await this.runDcl(plan.statement, params.keyspace ?? client.keyspace, client); break;
      default: return assertNever(plan, 'plan');
    }
    return withWarnings(result, ctx);
  }

  /** One INSERT/UPDATE/DELETE without permission checks: run() without its async frame. May throw (caller turns it into a rejection). */
  private runWrite(compiled: Compiled, plan: ModifyPlan, params: QueryParameters, client: ClientState): Promise<ResultResponse> {
    const values = bindValues(compiled, params.values);
    const ctx = this.context(client, { values, defaultTimestamp: params.defaultTimestamp, nowInSeconds: params.nowInSeconds }, []);
    return this.runBatch(null, [{ plan, values }], ctx, params.consistency, params.serialConsistency).then((r) => withWarnings(r, ctx));
  }

  /**
   * A prepared single-row write with a WritePlan: the update bound in one step, then the
   * coordinator's callback form (one promise per request). Same outcomes as runWrite.
   */
  private runPlannedWrite(compiled: Compiled, plan: WritePlan, params: QueryParameters, info: RequestInfo): Promise<ResultResponse> {
    const update = this.bindPlanned(compiled, plan, params);
    return new Promise<ResultResponse>((resolve, reject) => {
      this.writePlannedThen(plan, update, params.consistency, info, (error, response) => (error === undefined ? resolve(response ?? VOID_RESPONSE) : reject(error)));
    });
  }

  /** The update of one execution of a write plan; throws InvalidRequest as the general path would. */
  private bindPlanned(compiled: Compiled, plan: WritePlan, params: QueryParameters): PartitionUpdate {
    return plan.bind(bindValues(compiled, params.values), params, this.opts.clock);
  }

  /**
   * Writes a bound plan's update through the coordinator; `done` gets the error or nothing (a VOID
   * result, RequestDone's convention): it is the coordinator's callback as it is. Never throws.
   */
  private writePlannedThen(plan: WritePlan, update: PartitionUpdate, cl: ConsistencyName, info: RequestInfo, done: RequestDone): void {
    const coordinator = this.opts.coordinator;
    let ks: KeyspaceMetadata;
    try {
      ks = this.keyspaceOf(plan.table);
    } catch (e) {
      done(e);
      return;
    }
    if (coordinator.writeThen === undefined) {
      coordinator.write(ks, [update], cl).then(() => done(undefined, VOID_RESPONSE), (error: unknown) => done(error));
      return;
    }
    const nowMs = info.receivedAtMs ?? this.opts.clock.monotonicMs();
    coordinator.writeThen(ks, [update], cl, done, nowMs);
  }

  private readFor(table: TableMetadata): (ks: KeyspaceMetadata, cmd: ReadCommand, cl: ConsistencyName) => Promise<ReadResult> {
    return this.servedBySystemTables(table) ? this.readSystem : this.readCoordinator;
  }

  private servedBySystemTables(table: TableMetadata): boolean {
    const sys = this.opts.systemTables;
    return sys.serves ? sys.serves(table) : table.virtual;
  }

  private keyspaceOf(table: TableMetadata): KeyspaceMetadata {
    const ks = this.opts.schema.keyspace(table.keyspace);
    if (!ks) throw new InvalidRequest(`Keyspace ${table.keyspace} does not exist`);
    return ks;
  }

  private async runSelect(compiled: Compiled, plan: SelectPlan, params: QueryParameters, ctx: ExecContext, clientMetadataId: Buffer | null): Promise<RowsResult> {
    return rowsResult(compiled, params, clientMetadataId, await this.selectPage(compiled, plan, params, ctx));
  }

  private selectPage(compiled: Compiled, plan: SelectPlan, params: QueryParameters, ctx: ExecContext): ReturnType<typeof executeSelect> {
    return executeSelect(plan, ctx, {
      keyspace: this.keyspaceOf(plan.table), cl: params.consistency, pageSize: params.pageSize, pagingState: params.pagingState,
      fingerprint: compiled.fingerprint, limits: this.limits, read: this.readFor(plan.table),
    });
  }

  /**
   * A prepared SELECT without permission checks: run() and runSelect() without their two async
   * frames (one reaction on the page instead). Same checks in the same order; may throw (the
   * caller turns it into a rejection).
   */
  private runPreparedSelect(compiled: Compiled, plan: SelectPlan, params: QueryParameters, client: ClientState, clientMetadataId: Buffer | null): Promise<ResultResponse> {
    const ctx = this.selectContext(bindValues(compiled, params.values), client, params);
    return this.selectPage(compiled, plan, params, ctx).then((out) => withWarnings(rowsResult(compiled, params, clientMetadataId, out), ctx));
  }

  /**
   * A prepared SELECT of one partition answered without a promise, when the coordinator and
   * storage can read it synchronously (QueryCoordinator.readSync: this node the only replica
   * waited for, data in memory): the response runPreparedSelect would resolve with, or throws
   * what it would reject with, or undefined when it must run instead (nothing was done then).
   */
  private selectInline(compiled: Compiled, plan: SelectPlan, params: QueryParameters, client: ClientState, clientMetadataId: Buffer | null): ResultResponse | undefined {
    const readSync = this.readCoordinatorSync;
    if (readSync === null) return undefined;
    const ctx = this.selectContext(bindValues(compiled, params.values), client, params);
    const run: SyncSelectRun = {
      keyspace: this.keyspaceOf(plan.table), cl: params.consistency, pageSize: params.pageSize, pagingState: params.pagingState,
      fingerprint: compiled.fingerprint, limits: this.limits, readSync,
    };
    const out = executeSelectSync(plan, ctx, run);
    if (out === undefined) {
      this.selectsInlineFallBack++;
      return undefined;
    }
    this.selectsInline++;
    return withWarnings(rowsResult(compiled, params, clientMetadataId, out), ctx);
  }

  private async runTruncate(table: TableMetadata): Promise<ResultBody> {
    if (table.virtual) throw new InvalidRequest(`Error during truncate: Cannot truncate virtual tables`);
    if (this.opts.coordinator.truncate) await this.opts.coordinator.truncate(table);
    else if (this.opts.storage) await this.opts.storage.truncate(table.id);
    else throw new InvalidRequest('TRUNCATE is not available on this node');
    return { kind: 'void' };
  }

  private async runSchema(statement: Statement, keyspace: string | null, ctx: ExecContext, client: ClientState): Promise<ResultBody> {
    const dropped = this.access !== null ? this.droppedResources(statement, keyspace) : [];
    const { change: ddl, warnings } = await this.opts.schema.execute(statement as never, keyspace ?? undefined);
    ctx.warnings.push(...warnings);
    if (!ddl) return { kind: 'void' };
    if (this.access !== null) await this.updateGrants(this.access, ddl, dropped, client);
    const change = protocolSchemaChange(ddl);
    this.onSchemaChange(change);
    return { kind: 'schema_change', change };
  }

  // ------------------------------------------------------------------------------ access control

  private async checkAccess(requirements: Requirement[], client: ClientState): Promise<void> {
    for (const r of requirements) await this.access!.ensurePermission(client.user, r.permission, r.resource);
  }

  private runDcl(statement: DclStatement, keyspace: string | null, client: ClientState): Promise<ResultBody> {
    const auth = this.opts.auth;
    if (!auth) throw new InvalidRequest(`${statement.kind.replace(/_/g, ' ').toUpperCase()} statements need roles, which this node was started without`);
    return executeDcl(statement, { auth, user: client.user, keyspace, schema: this.opts.schema });
  }

  /** Resources a DROP KEYSPACE/TABLE removes (read before the drop: a keyspace's tables are gone after it). */
  private droppedResources(s: Statement, keyspace: string | null): AuthResource[] {
    if (s.kind === 'drop_table') return [{ kind: 'table', keyspace: s.table.keyspace ?? keyspace ?? '', table: s.table.name }];
    if (s.kind !== 'drop_keyspace') return [];
    const tables = [...(this.opts.schema.keyspace(s.keyspace)?.tables.keys() ?? [])];
    return [{ kind: 'keyspace', keyspace: s.keyspace }, ...tables.map((t): AuthResource => ({ kind: 'table', keyspace: s.keyspace, table: t }))];
  }

  /** As Cassandra: the creator of a keyspace or table gets every permission on it; a drop revokes all grants on it. */
  private async updateGrants(auth: AuthService, ddl: DdlChange, dropped: AuthResource[], client: ClientState): Promise<void> {
    if (ddl.change === 'DROPPED') {
      for (const r of dropped) await auth.permissions.revokeAllOn(r);
      return;
    }
    if (ddl.change !== 'CREATED' || client.user === null) return;
    const created: AuthResource | null = ddl.target === 'KEYSPACE' ? { kind: 'keyspace', keyspace: ddl.keyspace }
      : ddl.target === 'TABLE' && ddl.name !== undefined ? { kind: 'table', keyspace: ddl.keyspace, table: ddl.name } : null;
    if (created !== null) await auth.permissions.grant(applicablePermissions(created), created, client.user);
  }

  // ------------------------------------------------------------------------------ writes

  /** `serial`: the request's serial consistency (null: not given, SERIAL). */
  private runBatch(batchType: 'logged' | 'unlogged' | 'counter' | null, items: { plan: ModifyPlan; values: BoundValue[] }[], ctx: ExecContext, cl: ConsistencyName, serial: ConsistencyName | null): Promise<ResultBody> {
    if (batchType !== null) checkBatchKinds(batchType, items.map((i) => i.plan));
    const conditional = items.some((i) => i.plan.ifPlan.kind !== 'none');
    const work: WriteWork[] = items.map((i) => {
      // A single statement binds the request's own values: its context as it is.
      const c = i.values === ctx.values ? ctx : withValues(ctx, i.values);
      return { plan: i.plan, ctx: c, targets: bindTargets(i.plan, c, this.limits), existing: noExisting };
    });
    const needsRead = conditional || work.some((w) => w.plan.needsRead);
    let targetCount = 0;
    for (const w of work) targetCount += w.targets.length;
    // Distinct partitions matter for conditions, locks and the unlogged-batch warning only.
    const warnAbove = this.limits.unloggedBatchAcrossPartitionsWarnThreshold;
    if (!needsRead && (batchType !== 'unlogged' || targetCount <= warnAbove)) {
      return this.write(work, cl).then(voidResult);
    }
    const partitions = new Set<string>();
    for (const w of work) for (const t of w.targets) partitions.add(`${w.plan.table.id}:${t.key.key.toString('hex')}`);
    if (conditional) {
      if (partitions.size > 1) throw new InvalidRequest(batchType === null ? 'IN on the partition key is not supported with conditional updates' : 'Batch with conditions cannot span multiple partitions');
      if (new Set(work.map((w) => w.plan.table.id)).size > 1) throw new InvalidRequest('Batch with conditions cannot span multiple tables');
      // Cassandra's ConsistencyLevel.validateForCas, once the statement itself is valid.
      if (serial !== null && serial !== 'SERIAL' && serial !== 'LOCAL_SERIAL') {
        throw new InvalidRequest('Invalid consistency for conditional update. Must be one of SERIAL or LOCAL_SERIAL');
      }
    }
    if (batchType === 'unlogged' && partitions.size > warnAbove) {
      const names = [...new Set(work.map((w) => `${w.plan.table.keyspace}.${w.plan.table.name}`))];
      ctx.warnings.push(`Unlogged batch covering ${partitions.size} partitions detected against table${names.length > 1 ? 's' : ''} [${names.join(', ')}]. You should use a logged batch for atomicity, or asynchronous writes for performance.`);
    }
    if (!needsRead) return this.write(work, cl).then(voidResult);
    return this.withLocks([...partitions], async () => {
      const existing = new Map<string, Existing>();
      for (const w of work) {
        for (const t of w.targets) existing.set(`${w.plan.table.id}:${t.key.key.toString('hex')}`, await this.readExisting(w.plan, t, w.ctx, cl));
      }
      const find = (p: ModifyPlan, t: Target): Existing => existing.get(`${p.table.id}:${t.key.key.toString('hex')}`)!;
      if (conditional) {
        const failed = this.checkConditions(work, find);
        if (failed) return failed;
      }
      await this.write(work.map((w) => ({ ...w, existing: (t: Target): Existing | null => find(w.plan, t) })), cl);
      return conditional ? appliedRow(work[0]!.plan.table, true) : { kind: 'void' };
    });
  }

  private write(work: WriteWork[], cl: ConsistencyName): Promise<unknown> {
    if (work.length === 1 && work[0]!.targets.length === 1) {
      // One statement, one partition (a prepared single-row write): no grouping or merging.
      const w = work[0]!;
      const u = this.buildUpdateOf(w, w.targets[0]!, bindAttrs(w.plan, w.ctx));
      return this.opts.coordinator.write(this.keyspaceOf(w.plan.table), [u], cl);
    }
    const byKeyspace = new Map<string, { ks: KeyspaceMetadata; updates: PartitionUpdate[] }>();
    for (const w of work) {
      const attrs = bindAttrs(w.plan, w.ctx);
      for (const t of w.targets) {
        const u = this.buildUpdateOf(w, t, attrs);
        let entry = byKeyspace.get(w.plan.table.keyspace);
        if (entry === undefined) byKeyspace.set(w.plan.table.keyspace, entry = { ks: this.keyspaceOf(w.plan.table), updates: [] });
        entry.updates.push(u);
      }
    }
    return this.writeGroups([...byKeyspace.values()], cl);
  }

  private buildUpdateOf(w: WriteWork, t: Target, attrs: WriteAttrs): PartitionUpdate {
    if (w.plan.table.virtual) throw new InvalidRequest(`Modification to table ${w.plan.table.keyspace}.${w.plan.table.name} is not supported: it is a virtual table`);
    const existing = w.existing(t);
    const u = buildUpdate(w.plan, t, { attrs, ctx: w.ctx, existing, hostId: this.opts.hostId, listPaths: this.listPaths });
    if (existing && w.plan.table.isCounter) foldCounterCells(existing, u);
    return u;
  }

  private async writeGroups(groups: { ks: KeyspaceMetadata; updates: PartitionUpdate[] }[], cl: ConsistencyName): Promise<void> {
    for (const { ks, updates } of groups) {
      const merged = updates.length === 1 ? updates : mergeUpdates(updates);
      if (merged.length > 0) await this.opts.coordinator.write(ks, merged, cl);
    }
  }

  private async readExisting(plan: ModifyPlan, t: Target, ctx: ExecContext, cl: ConsistencyName): Promise<Existing> {
    const readCl: ConsistencyName = cl === 'ANY' ? 'ONE' : cl;
    const cmd: ReadCommand = {
      table: plan.table, partitions: { kind: 'keys', keys: [{ key: t.key.key, token: t.key.token }] },
      slices: t.clusterings.length > 0 && plan.table.clustering.length > 0 ? t.clusterings.map((c) => ({ start: { values: c, inclusive: true }, end: { values: c, inclusive: true } })) : [],
      reversed: false, rowLimit: Infinity, perPartitionLimit: Infinity, partitionLimit: Infinity, nowSec: ctx.nowSec,
    };
    const result = await this.opts.coordinator.read(this.keyspaceOf(plan.table), cmd, readCl);
    const rows = new Map<string, Row>();
    let staticRow: Row | null = null;
    for (const p of result.partitions) {
      if (p.staticRow) staticRow = p.staticRow;
      for (const r of p.rows) rows.set(clusteringId(r.clustering), r);
    }
    return { rows, staticRow };
  }

  /** Returns the [applied]=false result when a condition fails, else null. */
  private checkConditions(work: { plan: ModifyPlan; ctx: ExecContext; targets: Target[] }[], find: (p: ModifyPlan, t: Target) => Existing): ResultBody | null {
    for (const w of work) {
      const ifPlan = w.plan.ifPlan;
      if (ifPlan.kind === 'none') continue;
      for (const t of w.targets) {
        const { view, exists } = existingView(w.plan, t, find(w.plan, t), w.ctx.nowSec);
        const ok = ifPlan.kind === 'not_exists' ? !exists
          : ifPlan.kind === 'exists' ? exists
            : conditionsHold(w.plan.table, ifPlan.conditions, view, w.ctx);
        if (ok) continue;
        const table = w.plan.table;
        // No current row: Cassandra merges [applied] with an empty result, leaving [applied] alone.
        if (view === null) return appliedRow(table, false);
        const all = wildcardColumns(table);
        const shown = ifPlan.kind === 'conditions' ? conditionColumns(table, ifPlan.conditions, all) : all;
        return {
          kind: 'rows', noMetadata: false, newMetadataId: null, pagingState: null,
          columns: [appliedSpec(table), ...shown.map((c) => ({ keyspace: table.keyspace, table: table.name, name: c.name, type: c.type }))],
          rows: [[booleanValue(false), ...shown.map((c) => columnValue(view, c))]],
        };
      }
    }
    return null;
  }

  private async withLocks<T>(keys: string[], fn: () => Promise<T>): Promise<T> {
    const sorted = [...keys].sort();
    if (this.locks.size + sorted.length > this.limits.lwtLocksMax) throw new Overloaded(`Too many conditional updates in progress (limit ${this.limits.lwtLocksMax})`);
    const releases: (() => void)[] = [];
    for (const k of sorted) {
      const prev = this.locks.get(k) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((r) => { release = r; });
      const chained = prev.then(() => mine);
      this.locks.set(k, chained);
      releases.push(() => { release(); if (this.locks.get(k) === chained) this.locks.delete(k); });
      await prev;
    }
    try {
      return await fn();
    } finally {
      for (const r of releases) r();
    }
  }
}

/** One statement of a write: its plan, bound context, targets, and the rows read before it (if any). */
interface WriteWork {
  plan: ModifyPlan;
  ctx: ExecContext;
  targets: Target[];
  existing: (t: Target) => Existing | null;
}

const noExisting = (): Existing | null => null;

/** The context with another statement's values (a batch item); a literal, not a spread (hot path). */
function withValues(ctx: ExecContext, values: BoundValue[]): ExecContext {
  return {
    values, timestampMicros: ctx.timestampMicros, nowSec: ctx.nowSec, nowMs: ctx.nowMs, protocolVersion: ctx.protocolVersion,
    functions: ctx.functions, warnings: ctx.warnings,
  };
}

/** A shallow copy of an update whose row and range tombstone lists can grow. */
function copyUpdate(u: PartitionUpdate): PartitionUpdate {
  const copy: PartitionUpdate = { tableId: u.tableId, key: u.key, token: u.token, rangeTombstones: [...u.rangeTombstones], rows: [...u.rows] };
  if (u.partitionDeletion) copy.partitionDeletion = u.partitionDeletion;
  if (u.staticRow) copy.staticRow = u.staticRow;
  return copy;
}
const VOID_RESULT: ResultBody = Object.freeze({ kind: 'void' });
const voidResult = (): ResultBody => VOID_RESULT;
/** A void result without warnings; the transport only reads responses. */
const VOID_RESPONSE: ResultResponse = Object.freeze({ result: VOID_RESULT });

/** The protocol's form of a SchemaManager change. */
export function protocolSchemaChange(c: DdlChange): SchemaChange {
  if (c.target === 'KEYSPACE') return { changeType: c.change, target: 'KEYSPACE', keyspace: c.keyspace };
  if (c.target === 'FUNCTION' || c.target === 'AGGREGATE') return { changeType: c.change, target: c.target, keyspace: c.keyspace, name: c.name ?? '', argTypes: c.argTypes ?? [] };
  return { changeType: c.change, target: c.target, keyspace: c.keyspace, name: c.name ?? '' };
}

function appliedSpec(table: TableMetadata): ColumnSpec {
  return { keyspace: table.keyspace, table: table.name, name: '[applied]', type: { kind: 'native', name: 'boolean' } };
}

function appliedRow(table: TableMetadata, applied: boolean): ResultBody {
  return { kind: 'rows', columns: [appliedSpec(table)], rows: [[booleanValue(applied)]], pagingState: null, noMetadata: false, newMetadataId: null };
}

/**
 * The current row a condition sees, as Cassandra's CQL3CasRequest reads it: the row at the
 * statement's clustering (the static row itself for a static-only statement without clustering),
 * plus the static row only when the statement writes static columns or a condition names one.
 * `exists` is whether that row (not merely the partition) is live.
 */
function existingView(plan: ModifyPlan, t: Target, e: Existing, nowSec: number): { view: RowView | null; exists: boolean } {
  const table = plan.table;
  const clustering = t.clusterings[0];
  const staticTarget = table.clustering.length > 0 && clustering === undefined;
  const row = staticTarget ? null
    : table.clustering.length === 0 ? [...e.rows.values()][0] ?? null : e.rows.get(clusteringId(clustering!)) ?? null;
  const readStatic = staticTarget || writesStatic(plan, t) || conditionsNameStatic(plan);
  const views = partitionRows(table, {
    key: t.key.key, token: t.key.token, rangeTombstones: [], staticRow: readStatic ? e.staticRow ?? undefined : undefined, rows: row ? [row] : [],
  }, nowSec, { staticOnlyRow: true });
  const view = views[0] ?? null;
  return { view, exists: view !== null && (staticTarget || view.row !== null) };
}

function writesStatic(plan: ModifyPlan, t: Target): boolean {
  if (plan.ops.some((o) => o.column.kind === 'static')) return true;
  const json = t.jsonValues;
  if (json === undefined) return false;
  for (const c of plan.table.columns.values()) {
    if (c.kind !== 'static') continue;
    const v = json.get(c.name);
    if (v !== undefined && v !== UNSET) return true;
  }
  return false;
}

function conditionsNameStatic(plan: ModifyPlan): boolean {
  const ifPlan = plan.ifPlan;
  if (ifPlan.kind !== 'conditions') return false;
  return ifPlan.conditions.some((c) => plan.table.columns.get(c.target.column)?.kind === 'static');
}

function checkBatchKinds(type: 'logged' | 'unlogged' | 'counter', plans: ModifyPlan[]): void {
  for (const p of plans) {
    if (type === 'counter' && !p.table.isCounter) throw new InvalidRequest('Cannot include non-counter statement in a counter batch');
    if (type !== 'counter' && p.table.isCounter) {
      throw new InvalidRequest(type === 'logged' ? 'Cannot include a counter statement in a logged batch' : 'Counter and non-counter mutations cannot exist in the same batch');
    }
  }
}

function s2p(req: Batch): { values: BoundValue[]; defaultTimestamp: bigint | null; nowInSeconds: number | null } {
  return { values: [], defaultTimestamp: req.defaultTimestamp, nowInSeconds: req.nowInSeconds };
}

/** The RESULT Rows of one page of a SELECT (metadata skipped or refreshed as the request asks). */
function rowsResult(compiled: Compiled, params: QueryParameters, clientMetadataId: Buffer | null,
                    out: Awaited<ReturnType<typeof executeSelect>>): RowsResult {
  const changed = clientMetadataId !== null && !clientMetadataId.equals(compiled.resultMetadataId);
  return {
    kind: 'rows', columns: compiled.resultColumns, rows: out.rows, pagingState: out.pagingState,
    noMetadata: params.skipMetadata && !changed, newMetadataId: changed ? compiled.resultMetadataId : null,
  };
}

function withWarnings(result: ResultBody, ctx: ExecContext): ResultResponse {
  return ctx.warnings.length > 0 ? { result, warnings: ctx.warnings } : { result };
}

function unprepared(id: Buffer): Unprepared {
  return new Unprepared(`Prepared query with ID ${id.toString('hex')} not found (either the query was not prepared on this host (maybe the host has been restarted?) or you have prepared too many queries and it has been evicted from the internal cache)`, id);
}

function checkValueCount(compiled: Compiled, n: number): void {
  if (n !== compiled.bindSpecs.length) {
    throw new InvalidRequest(`There were ${compiled.bindSpecs.length} markers(?) in CQL but ${n} bound variables`);
  }
}

function bindValues(compiled: Compiled, values: BoundValues): BoundValue[] {
  if (values.kind === 'positional') {
    checkValueCount(compiled, values.values.length);
    return values.values;
  }
  const out: BoundValue[] = compiled.bindSpecs.map(() => null);
  const seen = new Set<number>();
  values.names.forEach((name, i) => {
    const matches = compiled.bindSpecs.map((s, j) => (s.name === name ? j : -1)).filter((j) => j >= 0);
    if (matches.length === 0) throw new InvalidRequest(`Unknown identifier ${name}`);
    for (const j of matches) { out[j] = values.values[i]!; seen.add(j); }
  });
  const missing = compiled.bindSpecs.filter((_s, j) => !seen.has(j));
  if (missing.length > 0) throw new InvalidRequest(`No value bound for ${missing[0]!.name}`);
  return out;
}

function isQualified(s: Statement): boolean {
  switch (s.kind) {
    case 'select': case 'insert': case 'update': case 'delete': case 'truncate': return s.table.keyspace !== undefined;
    case 'batch': return s.statements.every((m: ModificationStatement) => m.table.keyspace !== undefined);
    default: return false;
  }
}

function partitionKeyIndexes(plan: Plan): number[] {
  let keys: { kind: string; term?: { kind: string; index?: number } }[] | undefined;
  if (plan.kind === 'select' && plan.where.partition.kind === 'keys') keys = plan.where.partition.columns;
  else if (plan.kind === 'modify' && !plan.json) keys = plan.keys;
  else if (plan.kind === 'batch' && plan.statements[0] && !plan.statements[0].json) keys = plan.statements[0].keys;
  if (!keys) return [];
  const out: number[] = [];
  for (const k of keys) {
    if (k.kind !== 'eq' || k.term?.kind !== 'bind' || k.term.index === undefined) return [];
    out.push(k.term.index);
  }
  return out;
}

/** Later counter updates of the same batch build on the shards this update wrote. */
function foldCounterCells(existing: Existing, u: PartitionUpdate): void {
  for (const r of u.rows) {
    const id = clusteringId(r.clustering);
    const cur = existing.rows.get(id) ?? { clustering: r.clustering, cells: [] };
    const written = new Set(r.cells.filter((c) => c.counter).map((c) => c.column));
    cur.cells = [...cur.cells.filter((c) => !written.has(c.column)), ...r.cells.filter((c) => c.counter)];
    existing.rows.set(id, cur);
  }
}

/** Rows of a merged update found by a scan of its clusterings; past this a Map by rowKey is built. */
const ROWS_SCANNED_MAX = 16;

/** One partition's merged update, and its rows by clustering once it has many. */
interface MergeEntry { update: PartitionUpdate; rowIndex: Map<string, number> | null }

/** Merges updates to the same partition (batches): rows with the same clustering become one. */
function mergeUpdates(updates: PartitionUpdate[]): PartitionUpdate[] {
  const byKey = new Map<string, MergeEntry>();
  let last: MergeEntry | undefined;
  for (const u of updates) {
    // A batch's updates usually follow one another per partition: compare with the last first.
    const same = last !== undefined && last.update.tableId === u.tableId && sameBytes(last.update.key, u.key);
    const k = same ? '' : `${u.tableId}:${u.key.toString('hex')}`;
    const entry = same ? last : byKey.get(k);
    if (!entry) {
      // A single update never holds two rows with one clustering (the statement binds each once).
      byKey.set(k, last = { update: copyUpdate(u), rowIndex: null });
      continue;
    }
    last = entry;
    const cur = entry.update;
    if (u.partitionDeletion && (!cur.partitionDeletion || u.partitionDeletion.markedForDeleteAtMicros > cur.partitionDeletion.markedForDeleteAtMicros)) cur.partitionDeletion = u.partitionDeletion;
    cur.rangeTombstones.push(...u.rangeTombstones);
    if (u.staticRow) cur.staticRow = cur.staticRow ? mergeRow(cur.staticRow, u.staticRow) : u.staticRow;
    for (const r of u.rows) {
      const i = rowIndexOf(entry, r.clustering);
      if (i >= 0) { cur.rows[i] = mergeRow(cur.rows[i]!, r); continue; }
      if (entry.rowIndex !== null) entry.rowIndex.set(rowKey(r.clustering), cur.rows.length);
      cur.rows.push(r);
    }
  }
  return [...byKey.values()].map((e) => e.update);
}

/** Index of the row with this clustering in the entry's update, or -1. */
function rowIndexOf(entry: MergeEntry, clustering: Buffer[]): number {
  const rows = entry.update.rows;
  if (entry.rowIndex === null && rows.length <= ROWS_SCANNED_MAX) {
    for (let i = 0; i < rows.length; i++) if (sameClustering(rows[i]!.clustering, clustering)) return i;
    return -1;
  }
  if (entry.rowIndex === null) {
    const index = new Map<string, number>();
    for (let i = 0; i < rows.length; i++) index.set(rowKey(rows[i]!.clustering), i);
    entry.rowIndex = index;
  }
  return entry.rowIndex.get(rowKey(clustering)) ?? -1;
}

function sameClustering(a: Buffer[], b: Buffer[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameBytes(a[i]!, b[i]!)) return false;
  return true;
}

const ROW_KEY_SCRATCH_BYTES = 4096;
// Scratch for rowKey: written and decoded synchronously within one call.
const rowKeyScratch = Buffer.alloc(ROW_KEY_SCRATCH_BYTES);
const LENGTH_PREFIX_BYTES = 4; // uint32 length before each component

/**
 * A string naming a clustering, one-to-one: each component as its uint32 length then its bytes,
 * decoded as latin1 once (one flat string per row; no per-byte string concatenation).
 */
function rowKey(clustering: Buffer[]): string {
  let at = 0;
  for (const part of clustering) {
    if (at + LENGTH_PREFIX_BYTES + part.length > ROW_KEY_SCRATCH_BYTES) return rowKeyOfLarge(clustering);
    rowKeyScratch.writeUInt32BE(part.length, at);
    at += LENGTH_PREFIX_BYTES;
    for (let i = 0; i < part.length; i++) rowKeyScratch[at + i] = part[i]!;
    at += part.length;
  }
  return rowKeyScratch.toString('latin1', 0, at);
}

function rowKeyOfLarge(clustering: Buffer[]): string {
  const parts: Buffer[] = [];
  for (const part of clustering) {
    const length = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES);
    length.writeUInt32BE(part.length, 0);
    parts.push(length, part);
  }
  return Buffer.concat(parts).toString('latin1');
}

function mergeRow(a: Row, b: Row): Row {
  const counterColumns = new Set(b.cells.filter((c) => c.counter).map((c) => c.column));
  const out: Row = { clustering: a.clustering, cells: [...a.cells.filter((c) => !(c.counter && counterColumns.has(c.column))), ...b.cells] };
  const liveness = !a.liveness ? b.liveness : !b.liveness ? a.liveness : a.liveness.timestampMicros >= b.liveness.timestampMicros ? a.liveness : b.liveness;
  if (liveness) out.liveness = liveness;
  const deletion = !a.deletion ? b.deletion : !b.deletion ? a.deletion : a.deletion.markedForDeleteAtMicros >= b.deletion.markedForDeleteAtMicros ? a.deletion : b.deletion;
  if (deletion) out.deletion = deletion;
  const cds = [...(a.complexDeletions ?? []), ...(b.complexDeletions ?? [])];
  if (cds.length > 0) out.complexDeletions = cds;
  out.cells.sort((x, y) => (x.column < y.column ? -1 : x.column > y.column ? 1 : x.path && y.path ? Buffer.compare(x.path, y.path) : 0));
  return out;
}
