// A skip list: sorted map with O(log n) insert and seek, forward iteration from any key.
// Levels come from a private xorshift generator (deterministic; no ambient randomness).

import { assert } from '../../util/assert.js';

const LEVELS_MAX = 24;

interface SkipNode<K, V> {
  key: K;
  value: V;
  next: (SkipNode<K, V> | null)[];
}

export class SkipList<K, V> {
  private readonly head: SkipNode<K, V>;
  private level = 1;
  private seed = 0x9e3779b9;
  size = 0;

  constructor(private readonly compare: (a: K, b: K) => number) {
    this.head = { key: undefined as unknown as K, value: undefined as unknown as V, next: new Array(LEVELS_MAX).fill(null) };
  }

  private randomLevel(): number {
    let x = this.seed;
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    this.seed = x >>> 0;
    let level = 1;
    let bits = this.seed;
    while ((bits & 3) === 0 && level < LEVELS_MAX) { level++; bits >>>= 2; }
    return level;
  }

  /** The last node with key < k at each level. */
  private findPredecessors(k: K, update: SkipNode<K, V>[] | null): SkipNode<K, V> {
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && this.compare(n.key, k) < 0) { x = n; n = x.next[i]!; }
      if (update) update[i] = x;
    }
    return x;
  }

  get(k: K): V | undefined {
    const n = this.findPredecessors(k, null).next[0];
    return n && this.compare(n.key, k) === 0 ? n.value : undefined;
  }

  /** Inserts or replaces the value for k with fn(existing). */
  upsert(k: K, fn: (existing: V | undefined) => V): V {
    const update = new Array<SkipNode<K, V>>(LEVELS_MAX);
    const prev = this.findPredecessors(k, update);
    const n = prev.next[0];
    if (n && this.compare(n.key, k) === 0) {
      n.value = fn(n.value);
      return n.value;
    }
    const level = this.randomLevel();
    for (let i = this.level; i < level; i++) update[i] = this.head;
    if (level > this.level) this.level = level;
    const node: SkipNode<K, V> = { key: k, value: fn(undefined), next: new Array(level).fill(null) };
    for (let i = 0; i < level; i++) {
      node.next[i] = update[i]!.next[i]!;
      update[i]!.next[i] = node;
    }
    this.size++;
    return node.value;
  }

  /** Entries with key >= from (all when from is undefined), ascending. */
  *entries(from?: K): IterableIterator<[K, V]> {
    let n = from === undefined ? this.head.next[0]! : this.findPredecessors(from, null).next[0]!;
    while (n !== null) {
      yield [n.key, n.value];
      n = n.next[0]!;
    }
  }

  *values(from?: K): IterableIterator<V> {
    for (const [, v] of this.entries(from)) yield v;
  }

  first(): V | undefined {
    const n = this.head.next[0];
    return n ? n.value : undefined;
  }

  checkInvariants(): void {
    let n = this.head.next[0];
    let count = 0;
    while (n) {
      const next = n.next[0];
      if (next) assert(this.compare(n.key, next.key) < 0, 'skip list out of order');
      count++;
      n = next!;
    }
    assert(count === this.size, 'skip list size mismatch');
  }
}
