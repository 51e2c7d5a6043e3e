// Coordinated writes: each partition update goes to every live replica; the write succeeds once
// the consistency level's acknowledgements arrive for every update.
//
// Order of events for write(keyspace, updates, cl):
// 1. validate the level for writes; compute replicas of every update's token;
// 2. check liveness of every update's replicas first, so an Unavailable write sends nothing;
// 3. send to live replicas (local storage directly), hint the down ones when a HintSink exists;
// 4. wait for enough acks, or a failure that makes them impossible (WriteFailure), or the write
//    timeout (WriteTimeout with received/blockFor). Late answers after that are ignored.

import { RequestError, WriteFailure, WriteTimeout, Unavailable, type ConsistencyName, type FailureReason, type WriteType } from '../util/errors.js';
import { AssertionError } from '../util/assert.js';
import type { KeyspaceMetadata } from '../schema/metadata.js';
import type { PartitionUpdate } from '../storage/data.js';
import { AckCounter, assureSufficientLiveReplicas, blockForOf, requirementFor, usesLocalDc, validateConsistency, type Requirement } from './consistency.js';
import { ReplicaNoAnswer, failureReasonOf, onlyLocalReplica, sendToReplica, type CoordinatorContext } from './transport.js';
import { DeadlineTask } from './deadlines.js';

/** Updates in one write call; a larger batch is a caller bug (the CQL layer bounds batches). */
export const WRITE_UPDATES_MAX = 65_536;

export interface WriteOptions {
  writeType?: WriteType;
}

/**
 * The end of one coordinated write: `undefined` once the level is met, else the error the
 * promise form would reject with. Called exactly once; it must not throw.
 */
export type WriteDone = (error: unknown) => void;

interface PendingWrite {
  keyspace: string;
  update: PartitionUpdate;
  replicas: readonly string[];
  live: string[];
}

/** Tracks one update's acknowledgements and failures. */
class WriteTracker {
  readonly acks: AckCounter;
  private readonly acked: string[] = [];
  private readonly outstanding: Set<string>;
  readonly reasons: FailureReason[] = [];
  readonly errors: unknown[] = [];

  constructor(readonly req: Requirement, readonly pending: PendingWrite, private readonly ctx: CoordinatorContext) {
    this.acks = new AckCounter(req, ctx.ring);
    this.outstanding = new Set(pending.live);
  }

  ack(endpoint: string): void {
    this.outstanding.delete(endpoint);
    this.acked.push(endpoint);
    this.acks.ack(endpoint);
  }

  fail(endpoint: string, error: unknown): void {
    this.outstanding.delete(endpoint);
    this.reasons.push({ address: endpoint, reasonCode: failureReasonOf(error) });
    this.errors.push(error);
  }

  /** True when the acks received plus those still possible cannot satisfy the level. */
  get hopeless(): boolean {
    const possible = new AckCounter(this.req, this.ctx.ring);
    for (const e of this.acked) possible.ack(e);
    for (const e of this.outstanding) possible.ack(e);
    return !possible.satisfied;
  }
}

export function coordinateWrite(ctx: CoordinatorContext, keyspace: KeyspaceMetadata, updates: PartitionUpdate[],
                                cl: ConsistencyName, options: WriteOptions = {}): Promise<void> {
  try {
    validateConsistency(cl, 'write');
    if (updates.length === 0) return Promise.resolve();
    if (updates.length > WRITE_UPDATES_MAX) throw new AssertionError(`write of ${updates.length} updates, limit ${WRITE_UPDATES_MAX}`);
    const writeType = options.writeType ?? (updates.length > 1 ? 'UNLOGGED_BATCH' : 'SIMPLE');
    const req = requirementFor(cl, keyspace.replication, usesLocalDc(cl) ? ctx.ring.localDc : '');
    if (updates.length === 1 && cl !== 'ANY') {
      const update = updates[0]!;
      const replicas = ctx.ring.replicasFor(keyspace.replication, update.token);
      if (onlyLocalReplica(ctx, req, replicas)) return writeLocalReplica(ctx, update, cl, writeType);
    }
    const pending = updates.map((update) => planUpdate(ctx, keyspace, update, cl));
    if (cl === 'ANY') return writeAny(ctx, pending, keyspace, writeType);
    const trackers = pending.map((p) => new WriteTracker(req, p, ctx));
    return waitForAcks(ctx, trackers, cl, writeType);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * coordinateWrite with a callback instead of a promise: the same checks, outcomes and errors.
 * A single update whose only replica is this node (CL ONE on one node) costs one LocalReplicaWrite
 * (its own deadline entry) and storage's callback; everything else goes through the promise form.
 * `nowMs` is a monotonicMs reading taken by the caller (the write's deadline starts there).
 */
export function coordinateWriteThen(ctx: CoordinatorContext, keyspace: KeyspaceMetadata, updates: PartitionUpdate[],
                                    cl: ConsistencyName, done: WriteDone, nowMs: number): void {
  let local: LocalReplicaWrite | null = null;
  try {
    if (updates.length === 1 && cl !== 'ANY' && ctx.storage.applyThen !== undefined) {
      validateConsistency(cl, 'write');
      const req = requirementFor(cl, keyspace.replication, usesLocalDc(cl) ? ctx.ring.localDc : '');
      const update = updates[0]!;
      const replicas = ctx.placement.of(ctx.ring, keyspace.replication) ?? ctx.ring.replicasFor(keyspace.replication, update.token);
      if (onlyLocalReplica(ctx, req, replicas)) local = new LocalReplicaWrite(ctx, cl, 'SIMPLE', done);
    }
  } catch (error) {
    done(error);
    return;
  }
  if (local === null) {
    coordinateWrite(ctx, keyspace, updates, cl).then(() => done(undefined), done);
    return;
  }
  local.start(updates[0]!, nowMs);
}

/**
 * The write's only replica is this node and one ack meets the level: storage.apply directly, with
 * the same outcomes as the general path (its RequestError passed through, other errors a
 * WriteFailure naming this replica, WriteTimeout after write_request_timeout).
 */
function writeLocalReplica(ctx: CoordinatorContext, update: PartitionUpdate, cl: ConsistencyName, writeType: WriteType): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    new LocalReplicaWrite(ctx, cl, writeType, (error) => (error === undefined ? resolve() : reject(error)))
      .start(update, ctx.clock.monotonicMs());
  });
}

/** After a LocalReplicaWrite finished: it holds no reference to the request any more. */
const FINISHED: WriteDone = () => undefined;

/**
 * One write to the local replica: its deadline entry, and storage's answer mapped to the write's
 * outcome. The deadline queue may keep a finished task in its array for a while (until the head
 * passes it), so finishing drops `done` (which holds the request's promise and everything it
 * references): otherwise that graph would survive scavenges and be promoted.
 */
class LocalReplicaWrite extends DeadlineTask {
  private done: WriteDone;

  constructor(private readonly ctx: CoordinatorContext, private readonly cl: ConsistencyName,
              private readonly writeType: WriteType, done: WriteDone) {
    super();
    this.done = done;
  }

  /** Returns `done` once (FINISHED afterwards: the write has its outcome). */
  private finish(): WriteDone | null {
    const done = this.done;
    if (done === FINISHED) return null;
    this.done = FINISHED;
    return done;
  }

  start(update: PartitionUpdate, nowMs: number): void {
    const ctx = this.ctx;
    ctx.deadlines.track(ctx.timeouts.writeMs, this, nowMs);
    if (ctx.storage.applyThen !== undefined) ctx.storage.applyThen(update, this.applied, nowMs);
    else ctx.storage.apply(update).then(() => this.applied(undefined), this.applied);
  }

  expire(): void {
    const done = this.finish();
    if (done === null) return;
    const { cl, ctx } = this;
    done(new WriteTimeout(
      `Operation timed out - received only 0 responses of 1 required at consistency ${cl} within ${ctx.timeouts.writeMs} ms (write_request_timeout)`,
      cl, 0, 1, this.writeType));
  }

  /** Storage's answer (a property, so it is passed without binding). */
  private readonly applied = (error: unknown): void => {
    const done = this.finish();
    if (done === null) return;
    this.cancelDeadline();
    if (error === undefined) { done(undefined); return; }
    if (error instanceof AssertionError || (error instanceof RequestError && !(error instanceof Unavailable))) { done(error); return; }
    const endpoint = this.ctx.ring.localEndpoint;
    const cl = this.cl;
    done(new WriteFailure(
      `Operation failed - received 0 responses and 1 failures of 1 required at consistency ${cl}: ${endpoint}: ${error instanceof Error ? error.message : String(error)}`,
      cl, 0, 1, [{ address: endpoint, reasonCode: failureReasonOf(error) }], this.writeType));
  };
}

function planUpdate(ctx: CoordinatorContext, keyspace: KeyspaceMetadata, update: PartitionUpdate, cl: ConsistencyName): PendingWrite {
  const replicas = ctx.ring.replicasFor(keyspace.replication, update.token);
  const live = replicas.filter(ctx.isAlive);
  if (cl !== 'ANY') assureSufficientLiveReplicas({ keyspace, cl, replicas, isAlive: ctx.isAlive, locator: ctx.ring });
  return { keyspace: keyspace.name, update, replicas, live };
}

/** ANY: one ack from any replica, or, with every replica down, a stored hint. */
async function writeAny(ctx: CoordinatorContext, pending: PendingWrite[], keyspace: KeyspaceMetadata, writeType: WriteType): Promise<void> {
  const withLive = pending.filter((p) => p.live.length > 0);
  const allDown = pending.filter((p) => p.live.length === 0);
  if (allDown.length > 0 && !ctx.hints) {
    // Without hinted handoff ANY cannot accept a write no replica can take.
    assureSufficientLiveReplicas({ keyspace, cl: 'ONE', replicas: allDown[0]!.replicas, isAlive: ctx.isAlive, locator: ctx.ring });
  }
  for (const p of allDown) {
    for (const e of p.replicas) await ctx.hints!.store(e, p.update);
  }
  const trackers = withLive.map((p) => new WriteTracker({ kind: 'count', count: 1 }, p, ctx));
  await waitForAcks(ctx, trackers, 'ANY', writeType);
}

function waitForAcks(ctx: CoordinatorContext, trackers: WriteTracker[], cl: ConsistencyName, writeType: WriteType): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let done = false;
    let unsatisfied = trackers.filter((t) => !t.acks.satisfied).length;
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      timer.cancel();
      if (error === undefined) resolve(); else reject(error);
    };
    const timer = ctx.deadlines.after(ctx.timeouts.writeMs, () => {
      const late = trackers.find((t) => !t.acks.satisfied) ?? trackers[0]!;
      const blockFor = blockForOf(late.req);
      finish(new WriteTimeout(
        `Operation timed out - received only ${late.acks.receivedCount} responses of ${blockFor} required at consistency ${cl} within ${ctx.timeouts.writeMs} ms (write_request_timeout)`,
        cl, late.acks.receivedCount, blockFor, writeType));
    });
    if (unsatisfied === 0) { finish(); return; }
    for (const tracker of trackers) {
      hintDownReplicas(ctx, tracker);
      for (const endpoint of tracker.pending.live) {
        sendToReplica(ctx, endpoint, { verb: 'MUTATION', keyspace: tracker.pending.keyspace, update: tracker.pending.update }).then(
          () => {
            if (done) return;
            const before = tracker.acks.satisfied;
            tracker.ack(endpoint);
            if (!before && tracker.acks.satisfied && --unsatisfied === 0) finish();
          },
          (error: unknown) => {
            if (done) return;
            if (error instanceof AssertionError) { finish(error); return; }
            // No answer in the transport's time is not a failure: the write times out instead.
            if (error instanceof ReplicaNoAnswer) return;
            tracker.fail(endpoint, error);
            if (tracker.hopeless) finish(writeFailure(tracker, cl, writeType));
          },
        );
      }
    }
  });
}

function hintDownReplicas(ctx: CoordinatorContext, tracker: WriteTracker): void {
  if (!ctx.hints) return;
  for (const endpoint of tracker.pending.replicas) {
    if (tracker.pending.live.includes(endpoint)) continue;
    // A failed hint only loses the hint; repair covers it. It must not fail the write.
    ctx.hints.store(endpoint, tracker.pending.update).catch(() => undefined);
  }
}

function writeFailure(tracker: WriteTracker, cl: ConsistencyName, writeType: WriteType): RequestError {
  const blockFor = blockForOf(tracker.req);
  const only = tracker.errors.length === 1 && tracker.pending.live.length === 1 ? tracker.errors[0] : undefined;
  // With a single replica its own operating error (e.g. a full disk's WriteFailure) says most.
  if (only instanceof RequestError && !(only instanceof Unavailable)) return only;
  const causes = tracker.errors.map((e, i) => `${tracker.reasons[i]!.address}: ${e instanceof Error ? e.message : String(e)}`);
  return new WriteFailure(
    `Operation failed - received ${tracker.acks.receivedCount} responses and ${tracker.reasons.length} failures of ${blockFor} required at consistency ${cl}: ${causes.join('; ')}`,
    cl, tracker.acks.receivedCount, blockFor, tracker.reasons, writeType);
}

