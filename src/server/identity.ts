// The node's identity, kept in DATA_DIR/node.json: the host id (a random UUID chosen on first
// start) and the node's tokens. A restarted node keeps both, so the ring does not move.

import { join } from 'node:path/posix';
import type { Env } from '../env/mod.js';
import { assert } from '../util/assert.js';

export interface NodeIdentity {
  hostId: string;
  /** Murmur3 tokens as decimal strings (as system.local.tokens stores them). */
  tokens: string[];
  clusterName: string;
}

const IDENTITY_FILE = 'node.json';
const TOKEN_COUNT_MAX = 1024;

export async function loadOrCreateIdentity(env: Env, dataDir: string, opts: { numTokens: number; clusterName: string }): Promise<NodeIdentity> {
  assert(opts.numTokens >= 1 && opts.numTokens <= TOKEN_COUNT_MAX, `num_tokens must be 1..${TOKEN_COUNT_MAX}`);
  const path = join(dataDir, IDENTITY_FILE);
  await env.fs.mkdirp(dataDir);
  if (await env.fs.stat(path)) {
    const saved = JSON.parse((await env.fs.readFile(path)).toString('utf8')) as NodeIdentity;
    if (saved.clusterName !== opts.clusterName) {
      throw new Error(`data directory ${dataDir} belongs to cluster '${saved.clusterName}', but cluster_name is '${opts.clusterName}'`);
    }
    return saved;
  }
  const identity: NodeIdentity = {
    hostId: randomUuid(env),
    tokens: randomTokens(env, opts.numTokens),
    clusterName: opts.clusterName,
  };
  await env.fs.writeFileAtomic(path, Buffer.from(JSON.stringify(identity, null, 2)));
  return identity;
}

function randomUuid(env: Env): string {
  const b = env.random.bytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function randomTokens(env: Env, count: number): string[] {
  const tokens = new Set<string>();
  while (tokens.size < count) {
    let t = env.random.bytes(8).readBigInt64BE(0);
    if (t === -(1n << 63n)) t += 1n; // Long.MIN_VALUE is the ring's minimum token, never a node's.
    tokens.add(t.toString());
  }
  return [...tokens].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
}
