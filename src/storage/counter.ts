// Counter contexts: the value of a counter cell. A context is a list of shards, one per host
// that ever incremented the counter: {hostId, clock, count}. Each host only writes its own
// shard, with a higher clock each time; merging keeps, per host, the shard with the highest
// clock (ties: the larger count). The counter's value is the sum of the counts.
//
// | field        | bytes | meaning                                  |
// |--------------|-------|------------------------------------------|
// | shard count  | 2     | u16                                      |
// | per shard:   |       | sorted by host id bytes                  |
// |   host id    | 16    | UUID                                     |
// |   clock      | 8     | i64, higher wins                         |
// |   count      | 8     | i64, this host's running total           |

import { assert } from '../util/assert.js';

const SHARD_COUNT_BYTES = 2;
const HOST_ID_BYTES = 16;
const SHARD_BYTES = HOST_ID_BYTES + 8 + 8; // host id, clock, count

export interface CounterShard {
  hostId: string;
  clock: bigint;
  count: bigint;
}

export function hostIdBytes(hostId: string): Buffer {
  const hex = hostId.replace(/-/g, '');
  assert(/^[0-9a-fA-F]{32}$/.test(hex), `host id must be a UUID, got ${hostId}`);
  return Buffer.from(hex, 'hex');
}

function hostIdString(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function encodeCounterContext(shards: CounterShard[]): Buffer {
  const sorted = [...shards].sort((a, b) => Buffer.compare(hostIdBytes(a.hostId), hostIdBytes(b.hostId)));
  const out = Buffer.alloc(SHARD_COUNT_BYTES + sorted.length * SHARD_BYTES);
  out.writeUInt16BE(sorted.length, 0);
  let at = SHARD_COUNT_BYTES;
  for (const s of sorted) {
    hostIdBytes(s.hostId).copy(out, at);
    out.writeBigInt64BE(s.clock, at + HOST_ID_BYTES);
    out.writeBigInt64BE(s.count, at + HOST_ID_BYTES + 8);
    at += SHARD_BYTES;
  }
  return out;
}

export function decodeCounterContext(context: Buffer): CounterShard[] {
  if (context.length === 0) return [];
  const n = context.readUInt16BE(0);
  assert(context.length === SHARD_COUNT_BYTES + n * SHARD_BYTES, `bad counter context length ${context.length}`);
  const shards: CounterShard[] = [];
  for (let i = 0, at = SHARD_COUNT_BYTES; i < n; i++, at += SHARD_BYTES) {
    shards.push({
      hostId: hostIdString(context.subarray(at, at + HOST_ID_BYTES)),
      clock: context.readBigInt64BE(at + HOST_ID_BYTES),
      count: context.readBigInt64BE(at + HOST_ID_BYTES + 8),
    });
  }
  return shards;
}

/** A context holding one shard: host `hostId` has running total `count` at logical clock `clock`. */
export function counterContextForDelta(hostId: string, clock: bigint | number, count: bigint | number): Buffer {
  return encodeCounterContext([{ hostId, clock: BigInt(clock), count: BigInt(count) }]);
}

/** The counter's value: the sum of every host's count. */
export function counterValue(context: Buffer): bigint {
  let sum = 0n;
  for (const s of decodeCounterContext(context)) sum += s.count;
  return BigInt.asIntN(64, sum);
}

/** The shard of one host, if it ever wrote. The executor increments by writing {clock+1, count+delta}. */
export function counterShard(context: Buffer, hostId: string): CounterShard | undefined {
  const want = hostId.toLowerCase();
  return decodeCounterContext(context).find((s) => s.hostId === want);
}

/** Merges two contexts: per host the shard with the highest clock (ties: larger count). */
export function mergeCounterContexts(a: Buffer, b: Buffer): Buffer {
  const byHost = new Map<string, CounterShard>();
  for (const s of [...decodeCounterContext(a), ...decodeCounterContext(b)]) {
    const cur = byHost.get(s.hostId);
    if (!cur || s.clock > cur.clock || (s.clock === cur.clock && s.count > cur.count)) byHost.set(s.hostId, s);
  }
  return encodeCounterContext([...byHost.values()]);
}
