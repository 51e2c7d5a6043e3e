// `cassia stress`: parse, set up the schema, warm up, run the measured phase with a progress line
// every second, then print the summary and write --json and --plot. Process-level concerns (the
// clock, timers, files, signals) are here; the parts are pure and tested on their own.

import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import cassandra from 'cassandra-driver';
import { cpuDelta, cpuHosts, cpuSources, type CpuReading } from './cpu.js';
import { runLoad, type LoadClock, type LoadPlan, type LoadTarget } from './load.js';
import { parseStressArgs, type StressOptions } from './options.js';
import { loadProfile, ProfileError, type UserProfile } from './profile.js';
import { PROGRESS_HEADER, buildResult, progressLine, summaryText, type StressResult } from './report.js';
import { Recorder, type IntervalSample } from './stats.js';
import { renderPlot } from './svg.js';
import { createWorkload, type Workload } from './workload.js';

export interface StressIo {
  out(s: string): void;
  err(s: string): void;
}

const processIo: StressIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

export const PROGRESS_INTERVAL_MS = 1000;
/** The driver's per-request timeout: a request not answered by then counts as a ClientTimeout error. */
export const REQUEST_TIMEOUT_MS = 12_000;

export const nodeClock: LoadClock = {
  nowUs: () => performance.now() * 1000,
  sleepUntilUs: (tUs) => new Promise((resolve) => setTimeout(resolve, Math.max(0, (tUs - performance.now() * 1000) / 1000))),
};

const RESPONSE_ERROR_NAMES = new Map<number, string>(Object.entries(cassandra.types.responseErrorCodes).map(([k, v]) => [v as number, k]));

/** A short, stable name for a failed operation, for the errors-by-type count. */
export function classifyError(err: unknown): string {
  if (err instanceof cassandra.errors.ResponseError) return RESPONSE_ERROR_NAMES.get(err.code) ?? `ResponseError(0x${err.code.toString(16)})`;
  if (err instanceof cassandra.errors.OperationTimedOutError) return 'clientTimeout';
  if (err instanceof cassandra.errors.NoHostAvailableError) return 'noHostAvailable';
  if (err instanceof cassandra.errors.BusyConnectionError) return 'busyConnection';
  return err instanceof Error ? err.name : 'unknown';
}

export function driverClient(o: StressOptions, keyspace: string | null): cassandra.Client {
  const distance = cassandra.types.distance;
  return new cassandra.Client({
    contactPoints: o.hosts,
    localDataCenter: o.dc,
    protocolOptions: { port: o.port },
    ...(keyspace === null ? {} : { keyspace }),
    pooling: { coreConnectionsPerHost: { [distance.local]: o.connectionsPerHost, [distance.remote]: o.connectionsPerHost } },
    policies: { retry: new cassandra.policies.retry.FallthroughRetryPolicy() },
    socketOptions: { readTimeout: REQUEST_TIMEOUT_MS, connectTimeout: 5000 },
  });
}

export async function runStress(argv: string[], io: StressIo = processIo): Promise<number> {
  const parsed = parseStressArgs(argv);
  if (parsed.kind === 'exit') {
    io.out(parsed.out);
    io.err(parsed.err);
    return parsed.code;
  }
  const o = parsed.options;
  let profile: UserProfile | null = null;
  let workload: Workload;
  try {
    if (o.profile !== null) profile = loadProfile(readFileSync(o.profile, 'utf8'), o.profile);
    workload = createWorkload(o, profile);
  } catch (err) {
    io.err(`cassia stress: ${err instanceof ProfileError ? err.message : (err as Error).message}\n`);
    return 2;
  }
  const clients: cassandra.Client[] = [];
  try {
    const setupClient = driverClient(o, null);
    clients.push(setupClient);
    await setupClient.connect();
    await workload.setup(setupClient);
    let client = setupClient;
    if (profile !== null) {
      client = driverClient(o, profile.keyspace);
      clients.push(client);
      await client.connect();
    }
    const result = await measure(argv, o, workload, client, io);
    await writeOutputs(o, result, io);
    return result.ops === 0 && result.errors > 0 ? 1 : 0;
  } catch (err) {
    io.err(`cassia stress: ${describeFailure(err, o)}\n`);
    return 1;
  } finally {
    await Promise.all(clients.map((c) => c.shutdown().catch(() => undefined)));
  }
}

/** Addresses of every node the driver knows of (from system.peers), up or down. */
function discoveredHosts(client: cassandra.Client): string[] {
  return client.hosts.values().map((h) => h.address);
}

function describeFailure(err: unknown, o: StressOptions): string {
  if (err instanceof cassandra.errors.NoHostAvailableError) return `cannot connect to ${o.hosts.join(', ')} on port ${o.port}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

async function measure(argv: string[], o: StressOptions, workload: Workload, client: cassandra.Client, io: StressIo): Promise<StressResult> {
  let interrupted = false;
  const onSigint = () => { interrupted = true; io.err('\ncassia stress: interrupted; finishing operations in flight\n'); };
  process.once('SIGINT', onSigint);
  const target: LoadTarget = {
    pick: (i) => workload.pick(i),
    execute: (i, kind) => workload.execute(client, i, kind),
    classifyError,
  };
  try {
    if (o.warmupOps > 0) {
      io.out(`Warming up with ${o.warmupOps} operations...\n`);
      await runLoad({ concurrency: o.concurrency, opsMax: o.warmupOps, durationUs: null, rateOpsPerSec: null, shouldStop: () => interrupted }, target, nodeClock, null);
    }
    const sources = o.serverCpu ? cpuSources(cpuHosts(o.hosts, discoveredHosts(client)), o.adminPort, o.serverPid) : [];
    const before: Array<CpuReading | undefined> = await Promise.all(sources.map((s) => s.read()));
    const recorder = new Recorder(workload.opNames);
    const intervals: IntervalSample[] = [];
    const startedAt = new Date();
    const plan: LoadPlan = {
      concurrency: o.concurrency, opsMax: o.opsCount, durationUs: o.durationMs === null ? null : o.durationMs * 1000,
      rateOpsPerSec: o.rateOpsPerSec, shouldStop: () => interrupted,
    };
    io.out(`Running ${o.workload} with concurrency ${o.concurrency}${o.rateOpsPerSec !== null ? ` at ${o.rateOpsPerSec} op/s` : ''}, ${o.opsCount !== null ? `${o.opsCount} operations` : `${(o.durationMs ?? 0) / 1000} s`}\n`);
    if (o.progress) io.out(PROGRESS_HEADER);
    const t0 = nodeClock.nowUs();
    let last = t0;
    const tick = () => {
      const now = nodeClock.nowUs();
      const sample = recorder.takeInterval((now - t0) / 1e6, (now - last) / 1e6);
      last = now;
      intervals.push(sample);
      if (o.progress) io.out(progressLine(sample));
    };
    const timer = setInterval(tick, PROGRESS_INTERVAL_MS);
    let outcome;
    try {
      outcome = await runLoad(plan, target, nodeClock, recorder);
    } finally {
      clearInterval(timer);
    }
    if (nodeClock.nowUs() - last > 50_000) tick(); // the last partial interval
    const after: Array<CpuReading | undefined> = await Promise.all(sources.map((s) => s.read()));
    const serverCpu = o.serverCpu ? cpuDelta(sources, before, after, recorder.ops) : { available: false, note: 'disabled (--no-server-cpu)', hosts: [], totalMicros: 0, microsPerOp: null };
    const result = buildResult({ argv, options: o, startedAt, elapsedMs: (outcome.endUs - outcome.startUs) / 1000, recorder, intervals, serverCpu, workloadStats: workload.stats() });
    recorder.destroy();
    io.out(summaryText(result));
    return result;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

async function writeOutputs(o: StressOptions, result: StressResult, io: StressIo): Promise<void> {
  if (o.jsonFile !== null) {
    writeFileSync(o.jsonFile, JSON.stringify(result, null, 2) + '\n');
    io.out(`Results written to ${o.jsonFile}\n`);
  }
  if (o.plotFile !== null) {
    const latency = [{ label: result.mode === 'fixed-rate' ? 'latency from intended start' : 'latency', points: result.percentileCurve.latency }];
    if (result.mode === 'fixed-rate') latency.push({ label: 'service time', points: result.percentileCurve.serviceTime });
    writeFileSync(o.plotFile, renderPlot({ title: `cassia stress ${result.workload}: ${result.ops} ops, ${Math.round(result.opsPerSec)} op/s`, latency, throughput: result.intervals }));
    io.out(`Plot written to ${o.plotFile}\n`);
  }
}
