// Wraps the QueryHandler the native transport calls, so the query processor stays unaware of
// observation: the Native-Transport-Requests pool counts, CQL prepared/regular statement counts,
// lightweight-transaction latencies, tracing sessions (the protocol's tracing flag or the
// sampling probability), the audit log and the full query log.

import { executeThen, type ClientState, type QueryHandler, type RequestDone, type RequestInfo, type ResultResponse } from '../protocol/handler.js';
import type { Batch, BoundValue, Execute, Prepare, Query, QueryParameters } from '../protocol/messages.js';
import type { Clock } from '../env/mod.js';
import { CONSISTENCY_LEVELS, type AuditCategory, type NodeMetrics, type ThreadPoolMetrics, type TraceSession, type Tracing, type FqlQuery } from '../observability/mod.js';
import type { TraceScope } from './trace_scope.js';
import type { QueryLogs } from './logs_wiring.js';
import { StatementInfoCache, type StatementInfo } from './statement_info.js';
import { readKind } from './metrics_wiring.js';
import { IdText, sameBytes } from './query/mod.js';
import { redactPasswords } from '../auth/mod.js';
import { Unauthorized, type ConsistencyName } from '../util/errors.js';

export { readKind };

export interface RequestObserverDeps {
  handler: QueryHandler;
  metrics: NodeMetrics;
  tracing: Tracing;
  scope: TraceScope;
  clock: Clock;
  logs: QueryLogs;
  /** This node's address and native port, for trace sessions and audit entries. */
  address: string;
  nativePort: () => number;
  /**
   * True when the native transport counts the Native-Transport-Requests pool itself (node.ts
   * passes it `metrics`); the observer then leaves the pool alone so no request counts twice.
   */
  transportCountsPool?: boolean;
  /** The query processor's IdText (QueryProcessor.idText), so both ask one cache; a private one otherwise. */
  idText?: IdText;
}

interface Prepared {
  query: string;
  info: StatementInfo | null;
}

/** One statement of a request as the logs see it. */
interface Item {
  query: string;
  info: StatementInfo | null;
  values: BoundValue[];
}

export const PREPARED_QUERIES_MAX = 10_000;

export class RequestObserver implements QueryHandler {
  private readonly pool: ThreadPoolMetrics | null;
  private readonly infos = new StatementInfoCache();
  private readonly prepared = new Map<string, Prepared>();
  private readonly idText: IdText;

  constructor(private readonly deps: RequestObserverDeps) {
    this.idText = deps.idText ?? new IdText();
    this.pool = deps.transportCountsPool === true ? null : deps.metrics.threadPools.get('Native-Transport-Requests');
  }

  query(req: Query, client: ClientState, info: RequestInfo): Promise<ResultResponse> {
    const statement = this.infos.of(req.query);
    this.deps.metrics.cql.regularStatementsExecuted.inc();
    const traced = this.traced(info);
    if (!traced && this.unobserved(statement)) return this.deps.handler.query(req, client, info);
    const item: Item = { query: req.query, info: statement, values: req.params.values.values };
    return this.observe({ command: 'QUERY', request: 'Execute CQL3 query', items: [item], params: req.params, client, info },
      () => this.deps.handler.query(req, client, info), traced);
  }

  async prepare(req: Prepare, client: ClientState, info: RequestInfo): Promise<ResultResponse> {
    const item: Item = { query: req.query, info: this.infos.of(req.query), values: [] };
    const response = await this.observe({ command: 'PREPARE', request: 'Preparing CQL3 query', items: [item], params: null, client, info },
      () => this.deps.handler.prepare(req, client, info), this.traced(info));
    if (response.result.kind === 'prepared') this.remember(response.result.id.toString('hex'), { query: req.query, info: item.info });
    return response;
  }

  execute(req: Execute, client: ClientState, info: RequestInfo): Promise<ResultResponse> {
    const p = this.prepared.get(this.idText.of(req.id));
    this.deps.metrics.cql.preparedStatementsExecuted.inc();
    const traced = this.traced(info);
    // Nearly every request: nothing to observe after it, so no wrapper objects, closures or clock reads.
    if (!traced && this.unobserved(p?.info ?? null)) return this.deps.handler.execute(req, client, info);
    return this.observeExecute(req, client, info, p, traced);
  }

  /** execute() in callback form (QueryHandler.executeThen): an unobserved request passes straight through. */
  executeThen(req: Execute, client: ClientState, info: RequestInfo, done: RequestDone): void {
    let observed: Promise<ResultResponse>;
    try {
      const p = this.prepared.get(this.idText.of(req.id));
      this.deps.metrics.cql.preparedStatementsExecuted.inc();
      const traced = this.traced(info);
      if (!traced && this.unobserved(p?.info ?? null)) {
        executeThen(this.deps.handler, req, client, info, done);
        return;
      }
      observed = this.observeExecute(req, client, info, p, traced);
    } catch (e) {
      observed = Promise.reject(e);
    }
    observed.then((response) => done(undefined, response), (error: unknown) => done(error));
  }

  private observeExecute(req: Execute, client: ClientState, info: RequestInfo, p: Prepared | undefined, traced: boolean): Promise<ResultResponse> {
    const item: Item = { query: p?.query ?? `<unknown prepared statement ${req.id.toString('hex')}>`, info: p?.info ?? null, values: req.params.values.values };
    return this.observe({ command: 'EXECUTE', request: 'Execute CQL3 prepared query', items: [item], params: req.params, client, info },
      () => this.deps.handler.execute(req, client, info), traced);
  }

  batch(req: Batch, client: ClientState, info: RequestInfo): Promise<ResultResponse> {
    const conditional = this.countBatch(req);
    const traced = this.traced(info);
    // Nearly every batch: nothing observed after it, so no Item per statement.
    if (!traced && this.pool === null && this.deps.logs.audit === null && this.deps.logs.fql === null && !conditional) {
      return this.deps.handler.batch(req, client, info);
    }
    let previous: { id: Buffer; p: Prepared | undefined } | null = null;
    const items = req.statements.map((s): Item => {
      if (s.kind === 'query') return { query: s.query, info: this.infos.of(s.query), values: s.values };
      // A batch often repeats one prepared statement: look it up once.
      if (previous === null || !sameBytes(previous.id, s.id)) previous = { id: s.id, p: this.prepared.get(this.idText.of(s.id)) };
      const p = previous.p;
      return { query: p?.query ?? `<unknown prepared statement ${s.id.toString('hex')}>`, info: p?.info ?? null, values: s.values };
    });
    const params = { consistency: req.consistency, keyspace: req.keyspace, pageSize: null, serialConsistency: req.serialConsistency };
    return this.observe({ command: 'BATCH', request: 'Execute batch of CQL3 queries', items, params, client, info, batchType: req.batchType },
      () => this.deps.handler.batch(req, client, info), traced);
  }

  /**
   * Counts a batch's statements (regular and prepared executed); true when one of them is
   * conditional (those are observed). Called once per batch.
   */
  private countBatch(req: Batch): boolean {
    let regular = 0;
    let conditional = false;
    let previousId: Buffer | null = null;
    let previous: Prepared | undefined;
    for (const s of req.statements) {
      if (s.kind === 'query') {
        regular++;
        if (this.infos.of(s.query)?.conditional) conditional = true;
        continue;
      }
      if (previousId === null || !sameBytes(previousId, s.id)) {
        previousId = s.id;
        previous = this.prepared.get(this.idText.of(s.id));
      }
      if (previous?.info?.conditional) conditional = true;
    }
    const cql = this.deps.metrics.cql;
    if (regular > 0) cql.regularStatementsExecuted.inc(regular);
    if (regular < req.statements.length) cql.preparedStatementsExecuted.inc(req.statements.length - regular);
    return conditional;
  }

  /** Whether this request is traced (the client asked, or the sampling probability drew it): decide once per request. */
  private traced(info: RequestInfo): boolean {
    return info.tracing || this.deps.tracing.shouldSample();
  }

  /**
   * True when an untraced request needs nothing from the observer after it runs: the transport
   * counts the pool, no audit or full query log is on, and it is not conditional (CASWrite latency).
   */
  private unobserved(statement: StatementInfo | null): boolean {
    return this.pool === null && this.deps.logs.audit === null && this.deps.logs.fql === null && statement?.conditional !== true;
  }

  private remember(idHex: string, p: Prepared): void {
    if (!this.prepared.has(idHex) && this.prepared.size >= PREPARED_QUERIES_MAX) this.prepared.delete(this.prepared.keys().next().value!);
    this.prepared.set(idHex, p);
  }

  private observe(r: Observed, run: () => Promise<ResultResponse>, traced: boolean): Promise<ResultResponse> {
    const { clock } = this.deps;
    this.pool?.startedDirectly();
    const startMs = clock.monotonicMs();
    const startedAtMs = clock.nowMs();
    if (traced) return this.observeTraced(r, run, startMs, startedAtMs);
    // Untraced (nearly every request): one promise reaction, no async frame.
    let response: Promise<ResultResponse>;
    try {
      response = run();
    } catch (err) {
      response = Promise.reject(err);
    }
    return response.then((value) => {
      try {
        this.afterSuccess(r, startMs, startedAtMs);
      } finally {
        this.pool?.finished();
      }
      return value;
    }, (err: unknown) => {
      try {
        this.afterFailure(r, startMs, err);
      } finally {
        this.pool?.finished();
      }
      throw err;
    });
  }

  private async observeTraced(r: Observed, run: () => Promise<ResultResponse>, startMs: number, startedAtMs: number): Promise<ResultResponse> {
    const session = this.beginTrace(r);
    try {
      const response = await this.deps.scope.run(session, run);
      this.afterSuccess(r, startMs, startedAtMs);
      // No "Request complete" event: as with Cassandra, the session's duration marks the end
      // and cqlsh-like shells print that line themselves.
      session.finish();
      if (r.info.tracing) return { ...response, tracingId: uuidBytes(session.id) };
      return response;
    } catch (err) {
      this.afterFailure(r, startMs, err);
      session.event(`Request failed: ${err instanceof Error ? err.message : String(err)}`);
      session.finish();
      throw err;
    } finally {
      this.pool?.finished();
    }
  }

  private beginTrace(r: Observed): TraceSession {
    const { tracing, address } = this.deps;
    const parameters: Record<string, string> = {};
    if (r.items.length === 1) parameters['query'] = redactPasswords(r.items[0]!.query);
    if (r.params !== null) {
      parameters['consistency_level'] = r.params.consistency;
      if (r.params.pageSize !== null) parameters['page_size'] = String(r.params.pageSize);
      if (r.params.serialConsistency !== null) parameters['serial_consistency_level'] = r.params.serialConsistency;
    }
    const session = tracing.begin(tracing.newSessionId(), {
      client: r.client.remoteAddress, command: r.command, coordinator: address, coordinatorPort: this.deps.nativePort(),
      request: r.request, parameters,
    });
    for (const item of r.items) session.event(`Parsing ${redactPasswords(item.query)}`);
    session.event(r.command === 'PREPARE' ? 'Preparing statement' : 'Preparing statement and executing');
    return session;
  }

  private afterSuccess(r: Observed, startMs: number, startedAtMs: number): void {
    if (r.params !== null && r.items.some((i) => i.info?.conditional)) {
      const micros = Math.max(0, Math.round((this.deps.clock.monotonicMs() - startMs) * 1000));
      this.deps.metrics.clientRequests.recordLatency('CASWrite', r.params.consistency as ConsistencyName, micros);
    }
    const { audit, fql } = this.deps.logs;
    if (audit !== null) this.audit(r, null);
    if (fql !== null && r.params !== null) {
      const queries: FqlQuery[] = r.items.map((i) => ({ query: i.query, values: i.values.map((v) => (Buffer.isBuffer(v) ? v : null)) }));
      fql.log({
        kind: r.command === 'BATCH' ? 'batch' : 'single', timestampMs: startedAtMs, protocolVersion: r.client.protocolVersion,
        consistency: CONSISTENCY_LEVELS.indexOf(r.params.consistency as ConsistencyName), keyspace: r.params.keyspace ?? r.client.keyspace,
        batchType: r.batchType === 'UNLOGGED' ? 'unlogged' : r.batchType === 'COUNTER' ? 'counter' : 'logged', queries,
      });
    }
  }

  private afterFailure(r: Observed, startMs: number, err: unknown): void {
    if (r.params !== null && r.items.some((i) => i.info?.conditional)) {
      const micros = Math.max(0, Math.round((this.deps.clock.monotonicMs() - startMs) * 1000));
      this.deps.metrics.clientRequests.recordLatency('CASWrite', r.params.consistency as ConsistencyName, micros);
    }
    if (this.deps.logs.audit !== null) this.audit(r, err);
  }

  /** One entry per statement (a batch also gets one BATCH entry), or one ERROR entry. */
  private audit(r: Observed, err: unknown): void {
    const audit = this.deps.logs.audit!;
    const base = { user: r.client.user ?? 'anonymous', source: r.client.remoteAddress, sourcePort: r.client.remotePort, host: this.deps.address };
    const keyspaceOf = (i: Item) => i.info?.keyspace ?? r.params?.keyspace ?? r.client.keyspace ?? undefined;
    // The audit log and traces never hold passwords (CREATE ROLE ... PASSWORD = '...'); the full
    // query log keeps the real text so that a replay recreates the same roles.
    if (err !== null) {
      const message = err instanceof Error ? err.message : String(err);
      const first = r.items[0];
      const [category, type] = err instanceof Unauthorized ? ['AUTH', 'UNAUTHORIZED_ATTEMPT'] as const : ['ERROR', 'REQUEST_FAILURE'] as const;
      audit.log({ ...base, category, type, keyspace: first ? keyspaceOf(first) : undefined,
        operation: `${r.items.map((i) => redactPasswords(i.query)).join('; ')}; ${message}` });
      return;
    }
    const entry = (i: Item, category: AuditCategory, type: string) => ({
      ...base, category, type, keyspace: keyspaceOf(i), ...(i.info?.table ? { scope: i.info.table } : {}), operation: redactPasswords(i.query),
    });
    if (r.command === 'PREPARE') {
      audit.log(entry(r.items[0]!, 'PREPARE', 'PREPARE_STATEMENT'));
      return;
    }
    if (r.command === 'BATCH') audit.log({ ...base, category: 'DML', type: 'BATCH', keyspace: r.items[0] ? keyspaceOf(r.items[0]) : undefined,
      operation: `BATCH of ${r.items.length} statements` });
    for (const i of r.items) audit.log(entry(i, i.info?.category ?? 'QUERY', i.info?.type ?? 'UNKNOWN'));
  }
}

interface Observed {
  command: 'QUERY' | 'PREPARE' | 'EXECUTE' | 'BATCH';
  request: string;
  items: Item[];
  params: Pick<QueryParameters, 'consistency' | 'keyspace' | 'pageSize' | 'serialConsistency'> | null;
  client: ClientState;
  info: RequestInfo;
  batchType?: Batch['batchType'];
}

/** 16 bytes of a UUID's text form. */
export function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}
