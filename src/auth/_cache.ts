// A bounded cache whose entries expire after validityMs (Cassandra's roles/permissions/
// credentials caches: roles_validity, permissions_validity, credentials_validity, each 2 s by
// default). Concurrent misses for one key share one load. Insertion order evicts the oldest.

import type { Clock } from '../env/mod.js';
import { assert } from '../util/assert.js';

export class ExpiringCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; loadedAtMs: number }>();

  constructor(private readonly opts: { clock: Clock; validityMs: number; maxEntries: number }) {
    assert(opts.maxEntries > 0, 'cache needs room for one entry');
  }

  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = this.opts.clock.monotonicMs();
    const hit = this.entries.get(key);
    if (hit !== undefined && now - hit.loadedAtMs < this.opts.validityMs) return hit.value;
    if (hit !== undefined) this.entries.delete(key);
    while (this.entries.size >= this.opts.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    const value = load();
    this.entries.set(key, { value, loadedAtMs: now });
    // A failed load is not remembered: the next caller tries again.
    value.catch(() => { if (this.entries.get(key)?.value === value) this.entries.delete(key); });
    return value;
  }

  /** Forgets everything (after a local change to roles or permissions). */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
