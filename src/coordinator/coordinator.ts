// The Coordinator: every client read and write passes through it, on one node as on many.
// It owns no data; it asks the ring for replicas, checks liveness, sends to replicas (local
// storage directly, others through the RemoteTransport) and waits per consistency level.

import { assert } from '../util/assert.js';
import { Unavailable, WriteTimeout, type ConsistencyName } from '../util/errors.js';
import type { KeyspaceMetadata, TableMetadata } from '../schema/metadata.js';
import type { Storage } from '../storage/mod.js';
import type { PartitionUpdate, ReadCommand, ReadResult } from '../storage/data.js';
import type { Clock, Scheduler } from '../env/mod.js';
import type { Ring } from '../cluster/ring/mod.js';
import { coordinateRead, coordinateReadSync, reconcileWithMerge, type Reconciler } from './read.js';
import { coordinateWrite, coordinateWriteThen, type WriteDone, type WriteOptions } from './write.js';
import { Deadlines } from './deadlines.js';
import { DEFAULT_TIMEOUTS, UniformPlacement, sendToReplica, type CoordinatorContext, type HintSink, type RemoteTransport, type RequestTimeouts } from './transport.js';

export interface CoordinatorOptions {
  ring: Ring;
  storage: Storage;
  /** Must equal ring.localEndpoint when given (checked). */
  localEndpoint?: string;
  clock: Clock;
  scheduler: Scheduler;
  /** Whether an endpoint is believed up (failure detector); the local endpoint is always up. */
  liveness: (endpoint: string) => boolean;
  /** Transport to other replicas; without it only the local endpoint can be reached. */
  remote?: RemoteTransport;
  hints?: HintSink;
  /** Merges several replicas' answers; default reconcileWithMerge (storage's mergePartitions). */
  reconcile?: Reconciler;
  timeouts?: Partial<RequestTimeouts>;
}

export class Coordinator {
  private readonly ctx: CoordinatorContext;
  private readonly reconcile: Reconciler;

  constructor(options: CoordinatorOptions) {
    assert(options.localEndpoint === undefined || options.localEndpoint === options.ring.localEndpoint,
      `coordinator endpoint ${options.localEndpoint} differs from the ring's ${options.ring.localEndpoint}`);
    const local = options.ring.localEndpoint;
    this.ctx = {
      ring: options.ring,
      storage: options.storage,
      clock: options.clock,
      scheduler: options.scheduler,
      isAlive: (endpoint) => endpoint === local || options.liveness(endpoint),
      remote: options.remote,
      hints: options.hints,
      timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
      deadlines: new Deadlines(options.clock, options.scheduler),
      placement: new UniformPlacement(),
    };
    this.reconcile = options.reconcile ?? reconcileWithMerge;
  }

  /**
   * Writes every update at the consistency level. Throws Unavailable (nothing sent),
   * WriteTimeout, WriteFailure, or InvalidRequest for SERIAL/LOCAL_SERIAL.
   */
  write(keyspace: KeyspaceMetadata, updates: PartitionUpdate[], cl: ConsistencyName, options?: WriteOptions): Promise<void> {
    return coordinateWrite(this.ctx, keyspace, updates, cl, options);
  }

  /**
   * write() with a callback: `done(undefined)` once acknowledged at the level, `done(error)` with
   * the error write() would reject with. `nowMs`: the caller's monotonicMs reading (the deadline's
   * start; default now). A single local write at CL ONE makes no promise.
   */
  writeThen(keyspace: KeyspaceMetadata, updates: PartitionUpdate[], cl: ConsistencyName, done: WriteDone, nowMs?: number): void {
    coordinateWriteThen(this.ctx, keyspace, updates, cl, done, nowMs ?? this.ctx.clock.monotonicMs());
  }

  /** Reads at the consistency level. Throws Unavailable, ReadTimeout, ReadFailure, or InvalidRequest for ANY. */
  read(keyspace: KeyspaceMetadata, command: ReadCommand, cl: ConsistencyName): Promise<ReadResult> {
    return coordinateRead(this.ctx, this.reconcile, keyspace, command, cl);
  }

  /**
   * read() without a promise where none is needed (coordinateReadSync: one partition, this node
   * the only replica waited for, data in memory): read()'s result or error, or undefined when the
   * caller must use read() instead.
   */
  readSync(keyspace: KeyspaceMetadata, command: ReadCommand, cl: ConsistencyName): ReadResult | undefined {
    return coordinateReadSync(this.ctx, keyspace, command, cl);
  }

  /** TRUNCATE: every endpoint in the ring must be up and truncate (as Cassandra requires). */
  async truncate(table: TableMetadata): Promise<void> {
    const endpoints = this.ctx.ring.metadata.endpoints().map((e) => e.endpoint);
    if (!endpoints.includes(this.ctx.ring.localEndpoint)) endpoints.push(this.ctx.ring.localEndpoint);
    const down = endpoints.filter((e) => !this.ctx.isAlive(e));
    if (down.length > 0) {
      throw new Unavailable(`Cannot truncate ${table.keyspace}.${table.name}: every node must be up, and ${down.join(', ')} ${down.length === 1 ? 'is' : 'are'} down`,
        'ALL', endpoints.length, endpoints.length - down.length);
    }
    const timeoutMs = this.ctx.timeouts.truncateMs;
    await new Promise<void>((resolve, reject) => {
      let acks = 0;
      let done = false;
      const timer = this.ctx.deadlines.after(timeoutMs, () => {
        if (done) return;
        done = true;
        reject(new WriteTimeout(`Truncate of ${table.keyspace}.${table.name} timed out after ${timeoutMs} ms with ${acks} of ${endpoints.length} nodes done`,
          'ALL', acks, endpoints.length, 'SIMPLE'));
      });
      for (const endpoint of endpoints) {
        sendToReplica(this.ctx, endpoint, { verb: 'TRUNCATE', keyspace: table.keyspace, tableId: table.id }).then(() => {
          if (done || ++acks < endpoints.length) return;
          done = true; timer.cancel(); resolve();
        }, (error: unknown) => {
          if (done) return;
          done = true; timer.cancel(); reject(error);
        });
      }
    });
  }
}
