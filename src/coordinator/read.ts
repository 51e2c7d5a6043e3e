// Coordinated reads: each partition (or token range) is read from as many replicas as the
// consistency level needs, closest first, and their answers are reconciled into one.
//
// - Partition keys are grouped by replica set; each group is one read at the level.
// - A token range is split at ring tokens into pieces; consecutive pieces with the same replicas
//   are joined, and pieces are read in token order until the limits are reached.
// - Targets: live replicas that count for the level, the local endpoint first, then its DC,
//   then the rest in ring order. A failed target is replaced by a spare live replica if any.
// - Several answers are merged by a Reconciler, by default reconcileWithMerge (storage's
//   mergePartitions: last-write-wins per cell, tombstones kept). Read repair is not done yet.

import { AssertionError } from '../util/assert.js';
import { ReadFailure, ReadTimeout, RequestError, type ConsistencyName, type FailureReason } from '../util/errors.js';
import type { KeyspaceMetadata } from '../schema/metadata.js';
import type { Partition, ReadCommand, ReadResult, TokenRange } from '../storage/data.js';
import { RING_SIZE, TOKEN_MIN } from '../cluster/ring/mod.js';
import { liveRows, liveStaticRow, mergePartitions } from '../storage/mod.js';
import { AckCounter, assureSufficientLiveReplicas, blockForOf, counts, requirementFor, usesLocalDc, validateConsistency, type Requirement } from './consistency.js';
import { ReplicaNoAnswer, digestOf, failureReasonOf, onlyLocalReplica, sendToReplica, type CoordinatorContext } from './transport.js';

/** Merges several replicas' answers to one command into one answer. */
export type Reconciler = (command: ReadCommand, results: ReadResult[]) => ReadResult;

/** Token-range pieces a range read may be split into before it is refused as a bug. */
export const RANGE_PIECES_MAX = 1 << 20;

export function coordinateRead(ctx: CoordinatorContext, reconcile: Reconciler, keyspace: KeyspaceMetadata,
                               command: ReadCommand, cl: ConsistencyName): Promise<ReadResult> {
  try {
    validateConsistency(cl, 'read');
    const selector = command.partitions;
    if (selector.kind === 'keys') {
      if (selector.keys.length === 1) {
        // One partition: one replica set, no grouping or re-ordering.
        const replicas = ctx.ring.replicasFor(keyspace.replication, selector.keys[0]!.token);
        assureSufficientLiveReplicas({ keyspace, cl, replicas, isAlive: ctx.isAlive, locator: ctx.ring });
        return readFromReplicas(ctx, reconcile, keyspace, command, cl, replicas, ctx.timeouts.readMs, true);
      }
      return readKeys(ctx, reconcile, keyspace, command, cl);
    }
    return readRange(ctx, reconcile, keyspace, command, cl);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * coordinateRead without a promise, for the read that needs none: one partition, this node the
 * only replica the level waits for (onlyLocalReplica), and storage able to answer it without I/O
 * (Storage.readSync). Returns what coordinateRead would resolve with, throws what it would reject
 * with, or returns undefined when the read must take coordinateRead (nothing was done then). A
 * synchronous read cannot outlast its timeout, so no deadline is armed.
 */
export function coordinateReadSync(ctx: CoordinatorContext, keyspace: KeyspaceMetadata, command: ReadCommand, cl: ConsistencyName): ReadResult | undefined {
  const storage = ctx.storage;
  const selector = command.partitions;
  if (storage.readSync === undefined || selector.kind !== 'keys' || selector.keys.length !== 1) return undefined;
  validateConsistency(cl, 'read');
  const replicas = ctx.placement.of(ctx.ring, keyspace.replication) ?? ctx.ring.replicasFor(keyspace.replication, selector.keys[0]!.token);
  const req = requirementFor(cl, keyspace.replication, usesLocalDc(cl) ? ctx.ring.localDc : '');
  if (!onlyLocalReplica(ctx, req, replicas)) return undefined;
  // coordinateRead's liveness check passes here: the one replica needed is this node, always alive.
  if (!ctx.isAlive(ctx.ring.localEndpoint)) throw new AssertionError('the local endpoint is not alive');
  try {
    return storage.readSync(command);
  } catch (error) {
    throw localReadError(ctx, error, cl);
  }
}

/** What a failed read of the only (local) replica rejects with: bugs as they are, else as readFromReplicas reports one replica's failure. */
function localReadError(ctx: CoordinatorContext, error: unknown, cl: ConsistencyName): unknown {
  if (error instanceof AssertionError) return error;
  const endpoint = ctx.ring.localEndpoint;
  const reasons = [{ address: endpoint, reasonCode: failureReasonOf(error) }];
  const errors = [`${endpoint}: ${error instanceof Error ? error.message : String(error)}`];
  return readFailureOf(error, { replicaCount: 1, received: 0, blockFor: 1, cl, reasons, errors, dataPresent: false });
}

async function readKeys(ctx: CoordinatorContext, reconcile: Reconciler, keyspace: KeyspaceMetadata,
                        command: ReadCommand, cl: ConsistencyName): Promise<ReadResult> {
  if (command.partitions.kind !== 'keys') throw new AssertionError('readKeys on a range read');
  const groups = new Map<readonly string[], { key: Buffer; token: bigint }[]>();
  for (const k of command.partitions.keys) {
    const replicas = ctx.ring.replicasFor(keyspace.replication, k.token);
    let group = groups.get(replicas);
    if (!group) groups.set(replicas, group = []);
    group.push(k);
  }
  // Liveness of every group first: an Unavailable read sends nothing.
  for (const replicas of groups.keys()) assureSufficientLiveReplicas({ keyspace, cl, replicas, isAlive: ctx.isAlive, locator: ctx.ring });
  // One replica set (one node, or RF = nodes): the command as it is, keys in its own order.
  if (groups.size === 1) return readFromReplicas(ctx, reconcile, keyspace, command, cl, groups.keys().next().value!, ctx.timeouts.readMs, true);
  const results = await Promise.all([...groups].map(([replicas, keys]) =>
    readFromReplicas(ctx, reconcile, keyspace, { ...command, partitions: { kind: 'keys', keys } }, cl, replicas, ctx.timeouts.readMs, true)));
  // Back in the order the command listed its keys, then trimmed to the limits.
  const byKey = new Map<string, Partition>();
  for (const r of results) for (const p of r.partitions) byKey.set(p.key.toString('hex'), p);
  const ordered: Partition[] = [];
  for (const k of command.partitions.keys) {
    const p = byKey.get(k.key.toString('hex'));
    if (p) { ordered.push(p); byKey.delete(k.key.toString('hex')); }
  }
  return combine(results, trimToLimits(ordered, command));
}

async function readRange(ctx: CoordinatorContext, reconcile: Reconciler, keyspace: KeyspaceMetadata,
                         command: ReadCommand, cl: ConsistencyName): Promise<ReadResult> {
  if (command.partitions.kind !== 'range') throw new AssertionError('readRange on a key read');
  const pieces = splitRange(ctx, keyspace, wholeRingFromMin(command.partitions.range), command.partitions.after?.token);
  for (const piece of pieces) assureSufficientLiveReplicas({ keyspace, cl, replicas: piece.replicas, isAlive: ctx.isAlive, locator: ctx.ring });
  const results: ReadResult[] = [];
  const partitions: Partition[] = [];
  let rowsLeft = command.rowLimit;
  let partitionsLeft = command.partitionLimit;
  for (const piece of pieces) {
    if (rowsLeft <= 0 || partitionsLeft <= 0) break;
    const after = command.partitions.after;
    const pieceCommand: ReadCommand = {
      ...command,
      rowLimit: rowsLeft,
      partitionLimit: partitionsLeft,
      partitions: { kind: 'range', range: piece.range, ...(after && piece.holdsAfter ? { after } : {}) },
    };
    const result = await readFromReplicas(ctx, reconcile, keyspace, pieceCommand, cl, piece.replicas, ctx.timeouts.rangeMs);
    results.push(result);
    const trimmed = trimToLimits(result.partitions, pieceCommand);
    partitions.push(...trimmed);
    partitionsLeft -= trimmed.length;
    for (const p of trimmed) rowsLeft -= liveRowCount(command, p);
  }
  if (results.length === 1) return results[0]!;
  return combine(results, partitions);
}

/**
 * A whole ring {s, s} is read, as storage reads it, in token order from TOKEN_MIN: the same order
 * for every page, so `after` (the last partition of the previous page) splits it consistently.
 */
function wholeRingFromMin(range: TokenRange): TokenRange {
  return range.start === range.end ? { start: TOKEN_MIN, end: TOKEN_MIN } : range;
}

interface RangePiece {
  range: TokenRange;
  replicas: readonly string[];
  /** True for the piece holding the paging position `after`. */
  holdsAfter: boolean;
}

/** Splits (start, end] at ring tokens, drops pieces before `afterToken`, joins neighbours with equal replicas. */
export function splitRange(ctx: Pick<CoordinatorContext, 'ring'>, keyspace: KeyspaceMetadata, range: TokenRange, afterToken?: bigint): RangePiece[] {
  const { start, end } = range;
  const distance = (t: bigint) => { const d = (t - start) % RING_SIZE; return d < 0n ? d + RING_SIZE : d; };
  const endDistance = start === end ? RING_SIZE : distance(end);
  const cuts = ctx.ring.metadata.sortedTokens().filter((t) => { const d = distance(t); return d > 0n && d < endDistance; })
    .sort((a, b) => { const da = distance(a), db = distance(b); return da < db ? -1 : da > db ? 1 : 0; });
  if (cuts.length + 1 > RANGE_PIECES_MAX) throw new AssertionError(`range read split into ${cuts.length + 1} pieces`);
  const afterDistance = afterToken === undefined ? undefined : distance(afterToken);
  const pieces: RangePiece[] = [];
  let from = start;
  for (const to of [...cuts, end]) {
    const toDistance = to === end ? endDistance : distance(to);
    const fromDistance = from === start ? 0n : distance(from);
    if (afterDistance === undefined || toDistance >= afterDistance) {
      const holdsAfter = afterDistance !== undefined && fromDistance < afterDistance;
      const replicas = ctx.ring.replicasFor(keyspace.replication, to);
      const last = pieces[pieces.length - 1];
      if (last && sameReplicas(last.replicas, replicas)) {
        last.range = { start: last.range.start, end: to };
        last.holdsAfter ||= holdsAfter;
      } else {
        pieces.push({ range: { start: from, end: to }, replicas, holdsAfter });
      }
    }
    from = to;
  }
  return pieces;
}

function sameReplicas(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((e) => set.has(e));
}

/** Live replicas that count for the level, closest first (local endpoint, local DC, the rest). */
function orderTargets(ctx: CoordinatorContext, req: Requirement, replicas: readonly string[]): string[] {
  const localDc = ctx.ring.localDc;
  const rank = (e: string) => (e === ctx.ring.localEndpoint ? 0 : ctx.ring.location(e)?.dc === localDc ? 1 : 2);
  return replicas.filter((e) => ctx.isAlive(e) && counts(req, e, ctx.ring))
    .map((e, i) => ({ e, i, r: rank(e) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.e);
}

/** Initial targets: for EACH_QUORUM the closest `need` of each DC, else the first blockFor. */
function initialTargets(ctx: CoordinatorContext, req: Requirement, ordered: string[]): string[] {
  if (req.kind === 'count') return ordered.slice(0, req.count);
  const taken: string[] = [];
  for (const [dc, need] of req.perDc) taken.push(...ordered.filter((e) => ctx.ring.location(e)?.dc === dc).slice(0, need));
  return taken;
}

/**
 * Reads from blockFor targets. With `digests` (key reads) and more than one target, only the
 * closest target sends data; the others send digests (digestOf). All digests equal to the data's:
 * the data is the answer. Otherwise every answering target is asked for full data, the answers are
 * reconciled, and the merged partitions are written back to each target whose data differed
 * (blocking read repair) before the answer is returned. All within one deadline.
 */
function readFromReplicas(ctx: CoordinatorContext, reconcile: Reconciler, keyspace: KeyspaceMetadata, command: ReadCommand,
                          cl: ConsistencyName, replicas: readonly string[], timeoutMs = ctx.timeouts.readMs, digests = false): Promise<ReadResult> {
  const req = requirementFor(cl, keyspace.replication, usesLocalDc(cl) ? ctx.ring.localDc : '');
  if (onlyLocalReplica(ctx, req, replicas)) return readLocalReplica(ctx, command, cl, timeoutMs);
  const ordered = orderTargets(ctx, req, replicas);
  const targets = initialTargets(ctx, req, ordered);
  const spares = ordered.filter((e) => !targets.includes(e));
  const blockFor = blockForOf(req);
  const acks = new AckCounter(req, ctx.ring);
  const answers: { endpoint: string; result?: ReadResult; digest?: Buffer }[] = [];
  const reasons: FailureReason[] = [];
  const errors: string[] = [];
  return new Promise<ReadResult>((resolve, reject) => {
    let done = false;
    let inFlight = 0;
    let repairing = false;
    const finish = (outcome: { result: ReadResult } | { error: unknown }) => {
      if (done) return;
      done = true;
      timer.cancel();
      if ('result' in outcome) resolve(outcome.result); else reject(outcome.error);
    };
    const timer = ctx.deadlines.after(timeoutMs, () => finish({ error: new ReadTimeout(
      `Operation timed out - received only ${acks.receivedCount} responses of ${blockFor} required at consistency ${cl} within ${timeoutMs} ms`,
      cl, acks.receivedCount, blockFor, answers.some((a) => a.result !== undefined)) }));
    const send = (endpoint: string, digest: boolean) => {
      inFlight++;
      const request = { verb: digest ? 'READ_DIGEST' as const : 'READ' as const, keyspace: keyspace.name, command };
      sendToReplica(ctx, endpoint, request).then((response) => {
        inFlight--;
        if (done || repairing) return;
        if (response.verb === 'READ_RESPONSE') answers.push({ endpoint, result: response.result });
        else if (response.verb === 'READ_DIGEST_RESPONSE') answers.push({ endpoint, digest: response.digest });
        else { finish({ error: new AssertionError(`replica ${endpoint} answered a read with ${response.verb}`) }); return; }
        acks.ack(endpoint);
        if (acks.satisfied && answers.some((a) => a.result !== undefined)) finishWithAnswers();
      }, (error: unknown) => {
        inFlight--;
        if (done || repairing) return;
        if (error instanceof AssertionError) { finish({ error }); return; }
        // No answer in the transport's time is not a failure (no spare either): the read times out.
        if (error instanceof ReplicaNoAnswer) return;
        reasons.push({ address: endpoint, reasonCode: failureReasonOf(error) });
        errors.push(`${endpoint}: ${error instanceof Error ? error.message : String(error)}`);
        const spare = pickSpare(ctx, req, spares, endpoint);
        // A spare stands in for the failed target with the same kind of request.
        if (spare) { send(spare, digest); return; }
        if (inFlight === 0) finish({ error: readFailure(error, replicas.length) });
      });
    };
    const finishWithAnswers = () => {
      try {
        const data = answers.filter((a) => a.result !== undefined).map((a) => a.result!);
        if (answers.every((a) => a.result !== undefined)) {
          finish({ result: data.length === 1 ? data[0]! : reconcile(command, data) });
          return;
        }
        const expected = digestOf(data[0]!);
        const agree = answers.every((a) => (a.digest ?? digestOf(a.result!)).equals(expected));
        if (agree) { finish({ result: data.length === 1 ? data[0]! : reconcile(command, data) }); return; }
        repairing = true;
        repairRead(ctx, keyspace, command, reconcile, answers.map((a) => a.endpoint)).then(
          (result) => finish({ result }),
          (error: unknown) => finish({ error: error instanceof ReplicaNoAnswer ? new ReadTimeout(
            `Operation timed out during read repair at consistency ${cl}: ${error.message}`, cl, acks.receivedCount, blockFor, true) : readFailure(error, replicas.length) }));
      } catch (error) {
        finish({ error });
      }
    };
    const readFailure = (error: unknown, replicaCount: number) =>
      readFailureOf(error, { replicaCount, received: acks.receivedCount, blockFor, cl, reasons, errors, dataPresent: answers.some((a) => a.result !== undefined) });
    const useDigests = digests && targets.length > 1;
    targets.forEach((endpoint, i) => send(endpoint, useDigests && i > 0));
  });
}

/**
 * Digest mismatch: full data from every endpoint, reconciled; the merged partitions are written to
 * each endpoint whose data differed from the merge (blocking read repair). A failure or missing
 * answer of any of them rejects (the caller's deadline still bounds it).
 */
async function repairRead(ctx: CoordinatorContext, keyspace: KeyspaceMetadata, command: ReadCommand, reconcile: Reconciler,
                          endpoints: readonly string[]): Promise<ReadResult> {
  const full = await Promise.all(endpoints.map(async (endpoint) => {
    const response = await sendToReplica(ctx, endpoint, { verb: 'READ', keyspace: keyspace.name, command });
    if (response.verb !== 'READ_RESPONSE') throw new AssertionError(`replica ${endpoint} answered a read with ${response.verb}`);
    return { endpoint, result: response.result };
  }));
  const merged = reconcile(command, full.map((f) => f.result));
  const mergedDigest = digestOf(merged);
  const stale = full.filter((f) => !digestOf(f.result).equals(mergedDigest));
  await Promise.all(stale.flatMap((f) => merged.partitions.map((p) =>
    sendToReplica(ctx, f.endpoint, { verb: 'MUTATION', keyspace: keyspace.name, update: { tableId: command.table.id, ...p } }))));
  return merged;
}

/**
 * With a single replica its own operating error says most; a replica's ReadFailure is re-stated
 * with this read's level, counts and per-replica reasons (its message kept).
 */
function readFailureOf(error: unknown, o: { replicaCount: number; received: number; blockFor: number; cl: ConsistencyName;
                                            reasons: FailureReason[]; errors: string[]; dataPresent: boolean }): RequestError {
  if (o.replicaCount === 1 && error instanceof RequestError && !(error instanceof ReadFailure)) return error;
  const message = o.replicaCount === 1 && error instanceof ReadFailure ? error.message
    : `Operation failed - received ${o.received} responses and ${o.reasons.length} failures of ${o.blockFor} required at consistency ${o.cl}: ${o.errors.join('; ')}`;
  return new ReadFailure(message, o.cl, o.received, o.blockFor, o.reasons, o.dataPresent);
}

/**
 * The read's only replica is this node and its answer meets the level: storage.read directly,
 * with the general path's outcomes (no reconciliation of one answer; the same failures and timeout).
 */
function readLocalReplica(ctx: CoordinatorContext, command: ReadCommand, cl: ConsistencyName, timeoutMs: number): Promise<ReadResult> {
  return new Promise<ReadResult>((resolve, reject) => {
    let done = false;
    const deadline = ctx.deadlines.after(timeoutMs, () => {
      if (done) return;
      done = true;
      reject(new ReadTimeout(`Operation timed out - received only 0 responses of 1 required at consistency ${cl} within ${timeoutMs} ms`, cl, 0, 1, false));
    });
    ctx.storage.read(command).then((result) => {
      if (done) return;
      done = true;
      deadline.cancel();
      resolve(result);
    }, (error: unknown) => {
      if (done) return;
      done = true;
      deadline.cancel();
      reject(localReadError(ctx, error, cl));
    });
  });
}


/** Removes and returns a spare that can stand in for the failed endpoint (same DC for EACH_QUORUM). */
function pickSpare(ctx: CoordinatorContext, req: Requirement, spares: string[], failed: string): string | undefined {
  const dc = ctx.ring.location(failed)?.dc;
  const index = spares.findIndex((e) => req.kind === 'count' || ctx.ring.location(e)?.dc === dc);
  if (index < 0) return undefined;
  return spares.splice(index, 1)[0];
}

function combine(results: ReadResult[], partitions: Partition[]): ReadResult {
  const stats = { sstablesRead: 0, tombstonesScanned: 0, liveRowsScanned: 0 };
  const warnings: string[] = [];
  for (const r of results) {
    stats.sstablesRead += r.stats.sstablesRead;
    stats.tombstonesScanned += r.stats.tombstonesScanned;
    stats.liveRowsScanned += r.stats.liveRowsScanned;
    for (const w of r.warnings) if (!warnings.includes(w)) warnings.push(w);
  }
  return { partitions, stats, warnings };
}

/** Cuts partitions to the command's partition and row limits (counting live rows). */
export function trimToLimits(partitions: Partition[], command: ReadCommand): Partition[] {
  const out: Partition[] = [];
  let rowsLeft = command.rowLimit;
  for (const p of partitions) {
    if (out.length >= command.partitionLimit || rowsLeft <= 0) break;
    const live = liveRowCount(command, p);
    if (live <= rowsLeft || !Number.isFinite(rowsLeft)) {
      out.push(p);
      rowsLeft -= live;
      continue;
    }
    // Keep rows until rowsLeft live ones are in (tombstoned rows ride along for reconciliation).
    const rows = [];
    let taken = 0;
    for (const row of p.rows) {
      if (taken >= rowsLeft) break;
      rows.push(row);
      if (rowIsLive(command, p, row)) taken++;
    }
    out.push({ ...p, rows });
    rowsLeft = 0;
  }
  return out;
}

function rowIsLive(command: ReadCommand, p: Partition, row: Partition['rows'][number]): boolean {
  return liveRows(command.table, { ...p, rows: [row] }, command.nowSec).length > 0;
}

/** Live CQL rows of a partition: its live rows, or 1 for a partition with only a live static row. */
export function liveRowCount(command: ReadCommand, p: Partition): number {
  const n = liveRows(command.table, p, command.nowSec).length;
  if (n === 0 && liveStaticRow(command.table, p, command.nowSec)) return 1;
  return n;
}

/**
 * The default Reconciler: merges every replica's version of each partition with storage's
 * mergePartitions (last write wins, tombstones kept), orders partitions as the command asks
 * (key order for key reads, token then key bytes for ranges) and applies the limits.
 */
export const reconcileWithMerge: Reconciler = (command, results) => {
  const byKey = new Map<string, Partition>();
  for (const result of results) {
    for (const p of result.partitions) {
      const hex = p.key.toString('hex');
      const seen = byKey.get(hex);
      byKey.set(hex, seen ? mergePartitions(command.table, seen, p) : p);
    }
  }
  let merged = [...byKey.values()];
  if (command.partitions.kind === 'keys') {
    const position = new Map(command.partitions.keys.map((k, i) => [k.key.toString('hex'), i]));
    merged.sort((a, b) => (position.get(a.key.toString('hex')) ?? 0) - (position.get(b.key.toString('hex')) ?? 0));
  } else {
    const start = wholeRingFromMin(command.partitions.range).start;
    const distance = (t: bigint) => { const d = (t - start) % RING_SIZE; return d <= 0n ? d + RING_SIZE : d; };
    merged = merged.map((p) => ({ p, d: distance(p.token) }))
      .sort((x, y) => (x.d < y.d ? -1 : x.d > y.d ? 1 : Buffer.compare(x.p.key, y.p.key)))
      .map((x) => x.p);
  }
  return combine(results, trimToLimits(merged, command));
};
