// `cassia stress` command line → StressOptions. Pure: no I/O; help and errors come back as text.

import { Command, CommanderError, Option } from 'commander';
import { DistributionError, parseCount, parseDistribution, parseRatio, type Distribution } from './distribution.js';

export const WORKLOADS = ['write', 'read', 'mixed', 'counter_write', 'counter_read', 'user'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export const CONSISTENCY_LEVELS = ['ANY', 'ONE', 'TWO', 'THREE', 'QUORUM', 'ALL', 'LOCAL_QUORUM', 'EACH_QUORUM', 'LOCAL_ONE'] as const;
export type ConsistencyLevelName = (typeof CONSISTENCY_LEVELS)[number];

export const DURATION_DEFAULT_MS = 10_000;
export const CONCURRENCY_DEFAULT = 32;
/** A run's operation count is capped (bounded runs even with a typo like --ops 1e12). */
export const OPS_MAX = 1_000_000_000;
/** Fixed rates above this are refused: the client cannot schedule them. */
export const RATE_MAX = 10_000_000;
export const CONNECTIONS_MAX = 64;
export const DURATION_MS_MAX = 7 * 24 * 3600 * 1000;

export interface StressOptions {
  workload: WorkloadName;
  /** Measured operations; null when bounded by duration only. */
  opsCount: number | null;
  durationMs: number | null;
  /** Named operation weights: --ops insert=1,read1=3 (user) or --ratio write=1,read=3 (mixed). */
  opRatio: Array<[string, number]> | null;
  concurrency: number;
  connectionsPerHost: number;
  rateOpsPerSec: number | null;
  consistency: ConsistencyLevelName;
  hosts: string[];
  port: number;
  dc: string;
  replication: string;
  keyspace: string;
  profile: string | null;
  population: number;
  keyDist: Distribution | null;
  columns: number;
  columnSizeBytes: number;
  jsonFile: string | null;
  plotFile: string | null;
  seed: number;
  warmupOps: number;
  adminPort: number;
  serverPid: number | null;
  serverCpu: boolean;
  progress: boolean;
}

export type ParseResult =
  | { kind: 'run'; options: StressOptions }
  | { kind: 'exit'; code: number; out: string; err: string };

export class OptionError extends Error {
  override name = 'OptionError';
}

/** `30s`, `2m`, `1h`, `500ms`, or bare seconds → milliseconds. */
export function parseDurationMs(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) throw new OptionError(`'${text}' is not a duration (e.g. 30s, 2m, 500ms)`);
  const unit = m[2] ?? 's';
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000;
  const ms = Math.round(Number(m[1]) * factor);
  if (ms <= 0 || ms > DURATION_MS_MAX) throw new OptionError(`duration '${text}' must be above 0 and at most 7 days`);
  return ms;
}

/** `5000`, `5000/s`, `5k/s` → operations per second. */
export function parseRate(text: string): number {
  const m = /^\s*([^/]+?)\s*(?:\/\s*s)?\s*$/.exec(text);
  const rate = m ? parseCountOption(m[1]!, '--rate') : NaN;
  if (!(rate > 0) || rate > RATE_MAX) throw new OptionError(`--rate '${text}' must be between 1/s and ${RATE_MAX}/s`);
  return rate;
}

function parseCountOption(text: string, name: string): number {
  try {
    return parseCount(text);
  } catch (err) {
    throw new OptionError(`${name}: ${(err as Error).message}`);
  }
}

function intIn(text: string, name: string, min: number, max: number): number {
  const n = parseCountOption(text, name);
  if (n < min || n > max) throw new OptionError(`${name} ${text} must be between ${min} and ${max}`);
  return n;
}

function buildCommand(): Command {
  const cmd = new Command('cassia stress')
    .description('load and latency tool for Cassia and Cassandra (like cassandra-stress)')
    .argument('<workload>', WORKLOADS.join(' | '))
    .option('--ops <n|name=w,...>', 'measured operations (a count), or in user mode the query ratio: insert=1,read1=3 (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('-n, --count <n>', 'measured operations (same as --ops N)')
    .option('--duration <time>', `run for this long, e.g. 30s, 5m (default ${DURATION_DEFAULT_MS / 1000}s when no count)`)
    .option('--ratio <name=w,...>', 'mixed workload ratio (default write=1,read=1)')
    .option('--concurrency <n>', 'operations in flight at most', String(CONCURRENCY_DEFAULT))
    .option('--connections <n>', 'connections per host', '2')
    .option('--rate <n/s>', 'fixed throughput; latency counts from each operation\'s intended start')
    .addOption(new Option('--cl <level>', 'consistency level').default('ONE'))
    .option('--hosts <a,b>', 'contact points (HOST or HOST:PORT)', '127.0.0.1')
    .option('--port <n>', 'native protocol port', '9042')
    .option('--dc <name>', 'local data center for the driver', 'datacenter1')
    .option('--replication <map>', 'keyspace replication', "{'class': 'SimpleStrategy', 'replication_factor': 1}")
    .option('--keyspace <name>', 'keyspace (built-in workloads; user profiles name their own)')
    .option('--profile <file>', 'YAML profile (user workload)')
    .option('--population <n>', 'distinct partition keys (default: the op count, or 1M)')
    .option('--key-dist <dist>', 'key choice: sequence(1..N), uniform(1..N), gaussian(1..N), fixed(N)')
    .option('--columns <n>', 'regular columns per row (write/read)', '5')
    .option('--column-size <bytes>', 'bytes per column value (write/read)', '34')
    .option('--json <file>', 'write all results as JSON')
    .option('--plot <file.svg>', 'draw latency percentiles and throughput over time')
    .option('--seed <n>', 'seed for keys and values', '1')
    .option('--warmup <n>', 'unmeasured operations before the run', '0')
    .option('--admin-port <n>', 'admin API port, for the server CPU reading', '7199')
    .option('--server-pid <pid>', 'read the server CPU from /proc/PID/stat (same machine) instead of the admin API')
    .option('--no-server-cpu', 'do not read the server CPU')
    .option('--no-progress', 'no per-second progress lines')
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} })
    .allowExcessArguments(false);
  return cmd;
}

interface RawFlags {
  ops: string[]; count?: string; duration?: string; ratio?: string; concurrency: string; connections: string;
  rate?: string; cl: string; hosts: string; port: string; dc: string; replication: string; keyspace?: string;
  profile?: string; population?: string; keyDist?: string; columns: string; columnSize: string; json?: string;
  plot?: string; seed: string; warmup: string; adminPort: string; serverPid?: string; serverCpu: boolean; progress: boolean;
}

/** Parses argv (the words after `cassia stress`). */
export function parseStressArgs(argv: readonly string[]): ParseResult {
  const cmd = buildCommand();
  let out = '';
  let err = '';
  cmd.configureOutput({ writeOut: (s) => { out += s; }, writeErr: (s) => { err += s; } });
  try {
    cmd.parse([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      const code = e.code === 'commander.helpDisplayed' || e.code === 'commander.help' ? 0 : 2;
      return { kind: 'exit', code, out, err };
    }
    throw e;
  }
  try {
    return { kind: 'run', options: toOptions(cmd.args[0]!, cmd.opts<RawFlags>()) };
  } catch (e) {
    if (e instanceof OptionError || e instanceof DistributionError) return { kind: 'exit', code: 2, out: '', err: `cassia stress: ${e.message}\n` };
    throw e;
  }
}

export function stressHelp(): string {
  return buildCommand().helpInformation();
}

function toOptions(workloadText: string, f: RawFlags): StressOptions {
  const workload = WORKLOADS.find((w) => w === workloadText);
  if (!workload) throw new OptionError(`unknown workload '${workloadText}' (${WORKLOADS.join(', ')})`);
  const { opsCount, opRatio } = splitOps(workload, f);
  const durationMs = f.duration !== undefined ? parseDurationMs(f.duration) : opsCount === null ? DURATION_DEFAULT_MS : null;
  const cl = f.cl.toUpperCase();
  const consistency = CONSISTENCY_LEVELS.find((c) => c === cl);
  if (!consistency) throw new OptionError(`--cl '${f.cl}' is not a consistency level (${CONSISTENCY_LEVELS.join(', ')})`);
  if (workload === 'user' && f.profile === undefined) throw new OptionError('the user workload needs --profile FILE');
  if (workload !== 'user' && f.profile !== undefined) throw new OptionError('--profile applies to the user workload only');
  const hosts = f.hosts.split(',').map((h) => h.trim()).filter((h) => h.length > 0);
  if (hosts.length === 0) throw new OptionError('--hosts names no host');
  return {
    workload, opsCount, durationMs, opRatio,
    concurrency: intIn(f.concurrency, '--concurrency', 1, 65_536),
    connectionsPerHost: intIn(f.connections, '--connections', 1, CONNECTIONS_MAX),
    rateOpsPerSec: f.rate === undefined ? null : parseRate(f.rate),
    consistency, hosts,
    port: intIn(f.port, '--port', 1, 65_535),
    dc: f.dc,
    replication: f.replication,
    keyspace: f.keyspace ?? 'keyspace1',
    profile: f.profile ?? null,
    population: f.population !== undefined ? intIn(f.population, '--population', 1, OPS_MAX) : Math.max(1, opsCount ?? 1_000_000),
    keyDist: f.keyDist === undefined ? null : parseDistribution(f.keyDist),
    columns: intIn(f.columns, '--columns', 1, 1000),
    columnSizeBytes: intIn(f.columnSize, '--column-size', 0, 16 * 1024 * 1024),
    jsonFile: f.json ?? null,
    plotFile: f.plot ?? null,
    seed: intIn(f.seed, '--seed', 0, Number.MAX_SAFE_INTEGER),
    warmupOps: intIn(f.warmup, '--warmup', 0, OPS_MAX),
    adminPort: intIn(f.adminPort, '--admin-port', 1, 65_535),
    serverPid: f.serverPid === undefined ? null : intIn(f.serverPid, '--server-pid', 1, 4_194_304),
    serverCpu: f.serverCpu,
    progress: f.progress,
  };
}

/** --ops may carry a count, a ratio (user mode), or both (repeated); -n is the count too. */
function splitOps(workload: WorkloadName, f: RawFlags): { opsCount: number | null; opRatio: Array<[string, number]> | null } {
  let opsCount: number | null = null;
  let opRatio: Array<[string, number]> | null = null;
  const setCount = (text: string, name: string) => {
    if (opsCount !== null) throw new OptionError(`the operation count is given twice (${name} ${text})`);
    opsCount = intIn(text, name, 1, OPS_MAX);
  };
  for (const v of f.ops) {
    if (v.includes('=')) {
      if (workload !== 'user') throw new OptionError(`--ops ${v}: a query ratio applies to the user workload; use --ratio for mixed`);
      opRatio = parseRatio(v);
    } else setCount(v, '--ops');
  }
  if (f.count !== undefined) setCount(f.count, '--count');
  if (f.ratio !== undefined) {
    if (workload !== 'mixed') throw new OptionError('--ratio applies to the mixed workload');
    opRatio = parseRatio(f.ratio);
    const unknown = opRatio.find(([n]) => n !== 'write' && n !== 'read');
    if (unknown) throw new OptionError(`--ratio: unknown operation '${unknown[0]}' (write, read)`);
  }
  if (workload === 'mixed' && opRatio === null) opRatio = [['write', 1], ['read', 1]];
  return { opsCount, opRatio };
}
