// SIGKILLs a real node process at random moments under continuous acknowledged writes from the
// npm cassandra-driver (several writers: inserts, overwrites, deletes, TTLs, collection appends,
// counters), some kills timed to land while a flush or a compaction writes its files, at least
// KILLS_MIN times, restarting on the same data directory. After each restart: the node starts and
// every acknowledged write reads back as the model expects (see _workload.ts).
//
// Replay a failure with CASSIA_CRASH_SEED=<seed printed by the test>.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type cassandra from 'cassandra-driver';
import { spawn } from 'node:child_process';
import { CLI_PATH, startNodeProcess, type NodeProcess } from '../harness.js';
import { Rng, adminPost, chooseSeed, listFiles, newClient, sleep, writeConfig } from './_support.js';
import { KEYSPACE, Model, SCHEMA, WRITERS, nextOp, readActual, reconcile, type Op } from './_workload.js';

const KILLS_MIN = 20;
const KILLS_MAX = 30;
/** Stop adding kills beyond KILLS_MIN after this long. */
const TIME_BUDGET_MS = 150_000;
const TMP_WATCH_MS = 1_500;

const CONFIG = `
memtable_space: 1MiB
commitlog_segment_size: 128KiB
commitlog_sync: group
commitlog_sync_group_window: 2ms
compaction_throughput: 4MiB/s
`;

type KillMode = 'plain' | 'flush' | 'compact' | 'retire';

interface Life {
  node: NodeProcess;
  client: cassandra.Client;
  killed: boolean;
  acked: number;
  pending: Op[];
  unexpected: string[];
}

/** Retryable outcomes of a write that the node answered: the write's fate is unknown. */
const UNKNOWN_OUTCOME_CODES = new Set([0x1001 /* Overloaded */, 0x1100 /* WriteTimeout */]);

async function runWriter(life: Life, model: Model, rng: Rng, writer: number, lifeNo: number): Promise<void> {
  for (let seq = 0; !life.killed; seq++) {
    const op = nextOp(rng, writer, model, seq);
    try {
      await life.client.execute(op.cql, op.params, { prepare: true });
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (!life.killed && !(code !== undefined && UNKNOWN_OUTCOME_CODES.has(code))) {
        life.unexpected.push(`writer ${writer}: ${op.describe}: ${(err as Error).name}: ${(err as Error).message}`);
      }
      life.pending.push(op);
      return;
    }
    model.apply(op, lifeNo);
    life.acked++;
  }
}

/** Waits until a flush or compaction of the crash keyspace is writing files (a .tmp appears) or the watch ends. */
async function waitForTmpFile(dataDir: string, watchMs: number): Promise<boolean> {
  const dir = join(dataDir, 'data', KEYSPACE);
  const deadline = Date.now() + watchMs;
  while (Date.now() < deadline) {
    if (listFiles(dir).some((f) => f.endsWith('.tmp'))) return true;
    await sleep(1);
  }
  return false;
}

/** TOC files (one per live SSTable) of the crash keyspace. */
function liveTocs(dataDir: string): Set<string> {
  return new Set(listFiles(join(dataDir, 'data', KEYSPACE)).filter((f) => f.endsWith('-TOC.txt')));
}

/** Waits until an SSTable that was live disappears (a compaction's inputs are being deleted) or the watch ends. */
async function waitForRetiredSSTable(dataDir: string, watchMs: number): Promise<boolean> {
  const before = liveTocs(dataDir);
  const deadline = Date.now() + watchMs;
  while (Date.now() < deadline) {
    const now = liveTocs(dataDir);
    for (const f of before) if (!now.has(f)) return true;
    for (const f of now) before.add(f);
    await sleep(0);
  }
  return false;
}

/** Lets the writers run, then kills the node as the mode says; returns whether a .tmp file was seen. */
async function killAtRandomMoment(life: Life, mode: KillMode, rng: Rng): Promise<boolean> {
  let landed = false;
  switch (mode) {
    case 'plain':
      await sleep(rng.int(150, 1500));
      break;
    case 'retire':
      // Right after a compaction starts deleting its inputs: with gc_grace_seconds 0 the output
      // may have dropped tombstones that still shadow data in inputs not yet deleted.
      await sleep(rng.int(300, 1200));
      void adminPost(life.node, 'compact', KEYSPACE).catch(() => {});
      landed = await waitForRetiredSSTable(life.node.dataDir, 3 * TMP_WATCH_MS);
      break;
    case 'flush':
    case 'compact':
      await sleep(rng.int(300, 1200));
      void adminPost(life.node, mode, KEYSPACE).catch(() => {});
      landed = await waitForTmpFile(life.node.dataDir, TMP_WATCH_MS);
      // Mostly while the files are written; sometimes later (TOC, commit log release, input deletion).
      await sleep(rng.next() < 0.7 ? rng.int(0, 4) : rng.int(5, 80));
      break;
  }
  life.killed = true;
  await life.node.kill();
  return landed;
}

/**
 * Starts a node on dataDir and SIGKILLs it after delayMs, most likely while it is still starting
 * (commit log replay, schema load); returns whether it had reported ready.
 */
async function killDuringStartup(dataDir: string, configPath: string, delayMs: number): Promise<boolean> {
  const child = spawn(process.execPath, [CLI_PATH, 'start', '--config', configPath, '--data-dir', dataDir,
    '--listen-address', '127.0.0.1', '--native-port', '0', '--admin-port', '0', '--storage-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const early = await Promise.race([exited.then((code) => ({ code })), sleep(delayMs).then(() => undefined)]);
  if (early) throw new Error(`node exited with ${early.code} during startup before the kill:\n${out}`);
  child.kill('SIGKILL');
  await exited;
  return out.includes('listening for CQL clients');
}

test('crash: SIGKILL a node process under acknowledged driver writes, during flushes and compactions; every acknowledged write survives', { timeout: 400_000 }, async () => {
  const seed = chooseSeed('CASSIA_CRASH_SEED');
  console.log(`crash test seed: ${seed} (replay with CASSIA_CRASH_SEED=${seed})`);
  const rng = new Rng(seed);
  const workDir = mkdtempSync(join(tmpdir(), 'cassia-crash-node-'));
  const dataDir = join(workDir, 'node');
  const configPath = writeConfig(workDir, CONFIG);
  const model = new Model();
  const startedMs = Date.now();
  const modes: Record<KillMode, number> = { plain: 0, flush: 0, compact: 0, retire: 0 };
  let windowKills = 0;
  let startupKills = 0;
  let pending: Op[] = [];
  let totalAcked = 0;
  let kills = 0;
  let node: NodeProcess | undefined;
  let ok = false;
  try {
    for (let lifeNo = 0; ; lifeNo++) {
      if (lifeNo > 0 && rng.next() < 0.2) {
        await killDuringStartup(dataDir, configPath, rng.int(50, 1500));
        startupKills++;
      }
      node = await startNodeProcess({ dataDir, args: ['--config', configPath] });
      const client = newClient(node);
      await client.connect();
      const life: Life = { node, client, killed: false, acked: 0, pending: [], unexpected: [] };
      try {
        if (lifeNo === 0) {
          for (const cql of SCHEMA) await client.execute(cql);
        } else {
          const actual = await readActual(client);
          const problems = reconcile(model, actual, pending, lifeNo);
          assert.deepEqual(problems.slice(0, 20), [], `seed ${seed}: after kill ${kills} (${problems.length} problems)\n${node.output().slice(-3000)}`);
        }
        pending = [];
        const done = kills >= KILLS_MAX || (kills >= KILLS_MIN && Date.now() - startedMs > TIME_BUDGET_MS);
        if (done) break;
        const mode: KillMode = rng.pick(['plain', 'flush', 'flush', 'compact', 'compact', 'retire'] as const);
        const writers = Array.from({ length: WRITERS }, (_, w) => runWriter(life, model, new Rng(seed ^ (lifeNo * 7919 + w + 1)), w, lifeNo));
        const landed = await killAtRandomMoment(life, mode, rng);
        await Promise.all(writers);
        kills++;
        modes[mode]++;
        if (landed) windowKills++;
        totalAcked += life.acked;
        pending = life.pending;
        assert.deepEqual(life.unexpected, [], `seed ${seed}: writes failed before the kill`);
      } finally {
        await client.shutdown().catch(() => {});
      }
    }
    console.log(`crash test: ${kills} kills (${JSON.stringify(modes)}; ${windowKills} while SSTable files were being written or deleted; `
      + `${startupKills} more during startup), `
      + `${totalAcked} acknowledged writes, ${model.state.size} live keys, ${Date.now() - startedMs} ms`);
    assert.ok(kills >= KILLS_MIN);
    assert.ok(totalAcked >= kills * 50, `a meaningful number of acknowledged writes (${totalAcked})`);
    // A clean stop after the last check: the node flushes and exits 0.
    assert.equal(await node!.stop(), 0);
    ok = true;
  } catch (err) {
    console.log(`crash test failed; seed ${seed}; node output (tail):\n${node?.output().slice(-4000)}`);
    throw err;
  } finally {
    await node?.kill();
    if (ok) rmSync(workDir, { recursive: true, force: true });
    else console.log(`crash test: data kept in ${workDir}`);
  }
});

