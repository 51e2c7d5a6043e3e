// Which trace session (if any) the code running now belongs to. A traced request runs inside
// `run(session, fn)`; the instrumented coordinator and storage ask `current()` to add their steps.
// Cassandra keeps this in a thread-local; Node's equivalent is AsyncLocalStorage, which follows
// the request across awaits. Its promise hooks cost every request while enabled, so the store is
// enabled only while at least one traced request runs and disabled again when the last one ends.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { TraceSession } from '../observability/mod.js';
import { assert } from '../util/assert.js';

export class TraceScope {
  private readonly storage = new AsyncLocalStorage<TraceSession>();
  private running = 0;

  /** The session of the traced request running now; undefined for untraced work. */
  current(): TraceSession | undefined {
    return this.running === 0 ? undefined : this.storage.getStore();
  }

  /** Runs fn with `session` as the current session for everything it awaits. */
  async run<T>(session: TraceSession, fn: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await this.storage.run(session, fn);
    } finally {
      this.running--;
      assert(this.running >= 0, 'trace scope count went negative');
      if (this.running === 0) this.storage.disable();
    }
  }
}
