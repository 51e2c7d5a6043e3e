// Helpers shared by the crash and volume tests: a seeded PRNG, a cassia.yaml written to a temp
// file, admin API calls, and a driver client bound to one node process.

import { writeFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import type { NodeProcess } from '../harness.js';

/** mulberry32: a small seeded PRNG; every random choice of a test comes from one of these. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(this.next() * 256);
    return b;
  }
}

/** Seed from `envName` when set (to replay a failure), else from the clock; always printed. */
export function chooseSeed(envName: string): number {
  const given = process.env[envName];
  const seed = given !== undefined ? Number(given) : (Date.now() % 2_147_483_647);
  if (!Number.isInteger(seed)) throw new Error(`${envName} must be an integer, got ${given}`);
  return seed;
}

/** Writes `yaml` to DIR/cassia.yaml and returns the path (outside the data directory). */
export function writeConfig(dir: string, yaml: string): string {
  const path = join(dir, 'cassia.yaml');
  writeFileSync(path, yaml);
  return path;
}

const ADMIN_TIMEOUT_MS = 60_000;

/** POST /flush or /compact for a keyspace (optionally some tables); resolves when the node answers. */
export async function adminPost(node: NodeProcess, action: 'flush' | 'compact', keyspace?: string, tables?: string[]): Promise<void> {
  const body = JSON.stringify({ ...(keyspace ? { keyspace } : {}), ...(tables ? { tables } : {}) });
  const res = await fetch(`http://${node.host}:${node.adminPort}/${action}`, {
    method: 'POST', body, headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(ADMIN_TIMEOUT_MS),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST /${action} answered ${res.status}: ${text}`);
}

export function newClient(node: NodeProcess): cassandra.Client {
  return new cassandra.Client({
    contactPoints: [`${node.host}:${node.port}`],
    localDataCenter: 'datacenter1',
    socketOptions: { readTimeout: 30_000 },
    // One try per request: a write the driver retried silently would blur "acknowledged".
    policies: { retry: new cassandra.policies.retry.FallthroughRetryPolicy() },
    pooling: { warmup: true },
  });
}

/** Every file under dir (recursively), as paths. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return; // removed while we looked (an SSTable being deleted)
    }
    for (const name of names) {
      const p = join(d, name);
      if (statSync(p, { throwIfNoEntry: false })?.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
