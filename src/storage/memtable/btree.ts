// A B+tree sorted map for memtables: O(log n) insert and seek with few cache misses (keys of a
// node sit in one array), forward iteration from any key through linked leaves.
//
// An optional numeric `prefix` of each key is kept beside it in a packed double array and compared
// first; the key comparator runs only when prefixes tie. It must be monotonic:
// prefix(a) < prefix(b) implies compare(a, b) < 0. Partition sort keys use 13 hex digits of the
// token (52 bits, exact in a double), so string comparisons are rare.
//
// Iterators survive inserts made while they are suspended (a read iterating across awaits while
// writes land): when the tree changed, they seek again just past the last key they returned.

import { assert } from '../../util/assert.js';

const NODE_KEYS_MAX = 64;
const DEPTH_MAX = 16; // 64-way nodes split in halves: 32^16 keys, far beyond any memtable

interface Leaf<K, V> {
  leaf: true;
  keys: K[];
  pre: number[];
  vals: V[];
  next: Leaf<K, V> | null;
}

/** keys[i] (with pre[i]) is the smallest key under children[i + 1]. */
interface Inner<K, V> {
  leaf: false;
  keys: K[];
  pre: number[];
  children: TreeNode<K, V>[];
}

type TreeNode<K, V> = Leaf<K, V> | Inner<K, V>;

const noPrefix = (): number => 0;

export class SortedMap<K, V> {
  private root: TreeNode<K, V> = { leaf: true, keys: [], pre: [], vals: [], next: null };
  private readonly path: Inner<K, V>[] = [];
  private readonly pathIndex: number[] = [];
  /** Entries of path/pathIndex that describe the last descent (kept apart: setting an array's length costs a runtime call). */
  private depth = 0;
  /** Counts structural changes (inserts), so suspended iterators know to seek again. */
  private mods = 0;
  /** Where find() last saw an absent key (for insertFound). */
  private found: Leaf<K, V> | null = null;
  private foundIndex = 0;
  private foundKey: K | undefined = undefined;
  private foundPre = 0;
  private foundMods = 0;
  private foundExists = false;
  /** Counts descents: path/pathIndex describe the found leaf only if no other descent came after. */
  private descents = 0;
  private foundDescent = 0;
  size = 0;

  constructor(private readonly compare: (a: K, b: K) => number, private readonly prefix: (k: K) => number = noPrefix) {}

  private cmp(k: K, kp: number, keys: K[], pre: number[], i: number): number {
    const p = pre[i]!;
    return kp < p ? -1 : kp > p ? 1 : this.compare(k, keys[i]!);
  }

  /** First index whose key is >= k. */
  private lowerBound(keys: K[], pre: number[], k: K, kp: number): number {
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cmp(k, kp, keys, pre, mid) > 0) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** Number of keys <= k (the child to descend into). */
  private upperBound(keys: K[], pre: number[], k: K, kp: number): number {
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cmp(k, kp, keys, pre, mid) >= 0) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** The leaf that would hold k; records the inner nodes passed in path/pathIndex. */
  private descend(k: K, kp: number): Leaf<K, V> {
    let n = this.root;
    let depth = 0;
    this.descents++;
    while (!n.leaf) {
      const i = this.upperBound(n.keys, n.pre, k, kp);
      this.path[depth] = n;
      this.pathIndex[depth] = i;
      depth++;
      n = n.children[i]!;
    }
    this.depth = depth;
    return n;
  }

  get(k: K): V | undefined {
    const kp = this.prefix(k);
    const leaf = this.descend(k, kp);
    const i = this.lowerBound(leaf.keys, leaf.pre, k, kp);
    return i < leaf.keys.length && this.cmp(k, kp, leaf.keys, leaf.pre, i) === 0 ? leaf.vals[i] : undefined;
  }

  /**
   * The value for k, like get(), remembering where k is or goes, so that an immediately following
   * putFound(k, v) stores v without a second descent (no callback, no closure). `kp` must equal
   * prefix(k) when given (a caller that has it cheaper, e.g. from a token).
   */
  find(k: K, kp: number = this.prefix(k)): V | undefined {
    const leaf = this.descend(k, kp);
    const i = this.lowerBound(leaf.keys, leaf.pre, k, kp);
    this.found = leaf;
    this.foundIndex = i;
    this.foundKey = k;
    this.foundPre = kp;
    this.foundMods = this.mods;
    this.foundDescent = this.descents;
    if (i < leaf.keys.length && this.cmp(k, kp, leaf.keys, leaf.pre, i) === 0) {
      this.foundExists = true;
      return leaf.vals[i];
    }
    this.foundExists = false;
    return undefined;
  }

  /** Stores v for k (replacing or inserting); right after find(k) it costs no descent. */
  putFound(k: K, v: V): void {
    const leaf = this.found;
    const fresh = leaf !== null && this.foundKey === k && this.foundMods === this.mods && this.foundDescent === this.descents;
    this.found = null;
    this.foundKey = undefined;
    if (!fresh) {
      this.find(k);
      this.putFound(k, v);
      return;
    }
    if (this.foundExists) leaf!.vals[this.foundIndex] = v;
    else this.insertAt(leaf!, this.foundIndex, k, this.foundPre, v);
  }

  /** Inserts or replaces the value for k with fn(existing); returns the stored value. */
  upsert(k: K, fn: (existing: V | undefined) => V): V {
    const kp = this.prefix(k);
    const leaf = this.descend(k, kp);
    const i = this.lowerBound(leaf.keys, leaf.pre, k, kp);
    if (i < leaf.keys.length && this.cmp(k, kp, leaf.keys, leaf.pre, i) === 0) {
      const v = fn(leaf.vals[i]);
      leaf.vals[i] = v;
      return v;
    }
    const v = fn(undefined);
    this.insertAt(leaf, i, k, kp, v);
    return v;
  }

  /** Inserts at index i of the leaf reached by the last descent (path/pathIndex still describe it). */
  private insertAt(leaf: Leaf<K, V>, i: number, k: K, kp: number, v: V): void {
    // Shifts by hand: Array.prototype.splice allocates a result array per call.
    const { keys, pre, vals } = leaf;
    for (let j = keys.length; j > i; j--) {
      keys[j] = keys[j - 1]!;
      pre[j] = pre[j - 1]!;
      vals[j] = vals[j - 1]!;
    }
    keys[i] = k;
    pre[i] = kp;
    vals[i] = v;
    this.size++;
    this.mods++;
    if (keys.length > NODE_KEYS_MAX) this.splitLeaf(leaf);
  }

  private splitLeaf(leaf: Leaf<K, V>): void {
    const half = leaf.keys.length >> 1;
    const right: Leaf<K, V> = {
      leaf: true, keys: leaf.keys.splice(half), pre: leaf.pre.splice(half), vals: leaf.vals.splice(half), next: leaf.next,
    };
    leaf.next = right;
    this.insertSeparator(this.depth - 1, right.keys[0]!, right.pre[0]!, right);
  }

  /** Adds `child` right of the child at pathIndex[depth] in path[depth], splitting upward as needed. */
  private insertSeparator(depth: number, key: K, kp: number, child: TreeNode<K, V>): void {
    if (depth < 0) {
      this.root = { leaf: false, keys: [key], pre: [kp], children: [this.root, child] };
      assert(this.depth < DEPTH_MAX, 'memtable B+tree too deep');
      return;
    }
    const parent = this.path[depth]!;
    const at = this.pathIndex[depth]!;
    parent.keys.splice(at, 0, key);
    parent.pre.splice(at, 0, kp);
    parent.children.splice(at + 1, 0, child);
    if (parent.keys.length <= NODE_KEYS_MAX) return;
    const mid = parent.keys.length >> 1;
    const upKey = parent.keys[mid]!;
    const upPre = parent.pre[mid]!;
    const right: Inner<K, V> = {
      leaf: false, keys: parent.keys.splice(mid + 1), pre: parent.pre.splice(mid + 1), children: parent.children.splice(mid + 1),
    };
    parent.keys.length = mid;
    parent.pre.length = mid;
    this.insertSeparator(depth - 1, upKey, upPre, right);
  }

  /** Leaf and index of the first key >= from (or > from when `after`). */
  private seek(from: K, after: boolean): { leaf: Leaf<K, V> | null; i: number } {
    const kp = this.prefix(from);
    let leaf: Leaf<K, V> | null = this.descend(from, kp);
    let i = after ? this.upperBound(leaf.keys, leaf.pre, from, kp) : this.lowerBound(leaf.keys, leaf.pre, from, kp);
    while (leaf && i >= leaf.keys.length) { leaf = leaf.next; i = 0; }
    return { leaf, i };
  }

  private leftmost(): Leaf<K, V> {
    let n = this.root;
    while (!n.leaf) n = n.children[0]!;
    return n;
  }

  /** Entries with key >= from (all when from is undefined), ascending. */
  *entries(from?: K): IterableIterator<[K, V]> {
    let { leaf, i } = from === undefined ? { leaf: this.leftmost() as Leaf<K, V> | null, i: 0 } : this.seek(from, false);
    let seen = this.mods;
    let last: K | undefined;
    let started = false;
    for (;;) {
      if (seen !== this.mods && started) {
        ({ leaf, i } = this.seek(last as K, true));
        seen = this.mods;
      }
      while (leaf && i >= leaf.keys.length) { leaf = leaf.next; i = 0; }
      if (!leaf) return;
      last = leaf.keys[i]!;
      started = true;
      const v = leaf.vals[i]!;
      i++;
      yield [last, v];
    }
  }

  *values(from?: K): IterableIterator<V> {
    for (const [, v] of this.entries(from)) yield v;
  }

  first(): V | undefined {
    const leaf = this.leftmost();
    return leaf.vals[0];
  }

  checkInvariants(): void {
    let count = 0;
    let prev: K | undefined;
    for (const [k] of this.entries()) {
      if (count > 0) assert(this.compare(prev as K, k) < 0, 'B+tree out of order');
      assert(count === 0 || this.prefix(prev as K) <= this.prefix(k), 'B+tree prefix not monotonic');
      prev = k;
      count++;
    }
    assert(count === this.size, `B+tree size ${this.size}, counted ${count}`);
  }
}
