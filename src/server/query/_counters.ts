// Counter shards for the executor: each increment writes this host's shard with clock + 1 and
// its running count + delta (storage/counter.ts merges shards).

import { counterShard, counterContextForDelta, type CounterShard } from '../../storage/counter.js';

export function counterShardOf(context: Buffer, hostId: string): CounterShard | undefined {
  return counterShard(context, hostId);
}

export function counterContext(hostId: string, clock: bigint, count: bigint): Buffer {
  return counterContextForDelta(hostId, clock, count);
}
