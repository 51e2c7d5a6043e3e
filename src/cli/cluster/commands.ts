// The `cassia cluster` commands. Each reads cluster.json, first clears PIDs whose process is gone
// (or now belongs to another program), acts only on processes this tool recorded, and writes
// cluster.json back. Operating errors throw ClusterError; mod.ts turns them into exit codes.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadConfigText } from './config.js';
import { assertNever } from '../../util/assert.js';
import type { Command, CreateCommand, NodeAction } from './args.js';
import { nodeYaml, planCluster, replicationHint, seedAddresses, nodesPerDc, type ClusterRecord, type NodeRecord } from './layout.js';
import { isAlive, processState, signalNode, spawnNode, waitGone, waitReady, waitState, type ProcessState } from './procs.js';
import { probeCql, probeInfo, type CqlProbe } from './probe.js';
import { ClusterError, ClusterStore } from './store.js';
import type { InfoReport } from '../../server/admin/api.js';

export const KILL_WAIT_MS = 10_000;
export const SIGNAL_WAIT_MS = 5_000;

export interface ClusterIo {
  out(text: string): void;
  err(text: string): void;
}

export interface Context {
  store: ClusterStore;
  io: ClusterIo;
  /** The current time (ISO 8601), for startedAt and log markers. */
  now(): string;
}

/** Runs one parsed command; resolves with the exit code. */
export async function execute(command: Command, ctx: Context): Promise<number> {
  switch (command.kind) {
    case 'create': return create(command, ctx);
    case 'start': return startNodes(ctx, { name: ctx.store.resolveName(command.name), only: null, timeoutMs: command.timeoutS * 1000 });
    case 'stop': return stopNodes(ctx, { name: ctx.store.resolveName(command.name), only: null, timeoutMs: command.timeoutS * 1000 });
    case 'status': return status(ctx, ctx.store.resolveName(command.name), command.json);
    case 'node': return nodeCommand(ctx, { cluster: ctx.store.resolveName(command.cluster), node: command.node, action: command.action, timeoutMs: command.timeoutS * 1000 });
    case 'remove': return remove(ctx, command.name, command.timeoutS * 1000);
    case 'list': return list(ctx);
    case 'switch': return switchTo(ctx, command.name);
    case 'help': return 0; // printed by mod.ts
    default: return assertNever(command, 'cluster command');
  }
}

// ---- create ----

async function create(cmd: CreateCommand, ctx: Context): Promise<number> {
  const { store, io } = ctx;
  if (store.exists(cmd.name)) throw new ClusterError(`cluster '${cmd.name}' already exists in ${store.root} (cassia cluster remove ${cmd.name} deletes it)`);
  const c = planCluster({ name: cmd.name, nodes: cmd.nodes, dcs: cmd.dcs, racks: cmd.racks, ports: cmd.ports,
    firstAddress: cmd.firstAddress, createdAt: ctx.now(), ...(cmd.rf === undefined ? {} : { rf: cmd.rf }) });
  const extra = Object.fromEntries(cmd.settings.map(([k, v]) => [k, parseYaml(v) as unknown]));
  // Every node's file is built and validated before anything is written.
  const files = c.nodes.map((node) => {
    const dir = store.nodeDir(c, node);
    const text = nodeYaml(c, node, { dataDir: join(dir, 'data'), commitlogDir: join(dir, 'commitlog'), extra });
    loadConfigText(text, `${node.name}/cassia.yaml`);
    return { node, dir, text };
  });
  for (const f of files) {
    mkdirSync(join(f.dir, 'data'), { recursive: true });
    mkdirSync(join(f.dir, 'commitlog'), { recursive: true });
    writeFileSync(store.nodeConfigPath(c, f.node), f.text);
  }
  store.write(c);
  store.setCurrent(c.name);
  const dcs = nodesPerDc(c).size;
  io.out(`created cluster ${c.name} in ${store.clusterDir(c.name)}: ${c.nodes.length} node(s), ${dcs} data center(s); it is now the current cluster\n`);
  io.out(table(['node', 'address', 'dc', 'rack', 'seed'], c.nodes.map((n) => [n.name, n.address, n.dc, n.rack, n.seed ? 'yes' : ''])));
  io.out(`ports on every node's own address: native ${c.ports.native}, storage ${c.ports.storage}, admin ${c.ports.admin}; seeds ${seedAddresses(c).join(',')}\n`);
  io.out(hints(c));
  return cmd.start ? startNodes(ctx, { name: c.name, only: null, timeoutMs: cmd.timeoutS * 1000 }) : 0;
}

function hints(c: ClusterRecord): string {
  const replication = replicationHint(c);
  const firstDc = c.nodes[0]!.dc;
  const hosts = c.nodes.filter((n) => n.dc === firstDc).map((n) => n.address).join(',');
  return `replication${c.rf === null ? ' hint (no --rf given)' : ` (--rf)`}: ${replication}\n` +
    `  cassia stress write --hosts ${hosts} --port ${c.ports.native} --dc ${firstDc} --replication "${replication}"\n`;
}

// ---- stale PIDs ----

/** Clears recorded PIDs whose process is gone or foreign; returns a note per affected node. */
function refresh(ctx: Context, c: ClusterRecord): Map<string, string> {
  const notes = new Map<string, string>();
  for (const node of c.nodes) {
    if (node.pid === null) continue;
    const s = processState(node.pid, ctx.store.nodeConfigPath(c, node));
    if (isAlive(s)) continue;
    notes.set(node.name, s.kind === 'foreign'
      ? `recorded pid ${node.pid} now belongs to another program (${s.command.slice(0, 80)}); forgotten, not signalled`
      : `recorded pid ${node.pid} is gone (the node exited or was killed outside this tool); forgotten`);
    node.pid = null;
    node.startedAt = null;
  }
  if (notes.size > 0) ctx.store.write(c);
  return notes;
}

function load(ctx: Context, name: string, report: boolean): ClusterRecord {
  const c = ctx.store.read(name);
  const notes = refresh(ctx, c);
  if (report) for (const [node, note] of notes) ctx.io.err(`${node}: ${note}\n`);
  return c;
}

function findNode(c: ClusterRecord, name: string): NodeRecord {
  const node = c.nodes.find((n) => n.name === name);
  if (node === undefined) throw new ClusterError(`cluster ${c.name} has no node '${name}'; its nodes are ${c.nodes.map((n) => n.name).join(', ')}`);
  return node;
}

function stateOf(ctx: Context, c: ClusterRecord, node: NodeRecord): ProcessState {
  return node.pid === null ? { kind: 'absent' } : processState(node.pid, ctx.store.nodeConfigPath(c, node));
}

// ---- start ----

/** Which nodes of which cluster (all when `only` is null), and the wait for each. */
interface NodesRequest {
  name: string;
  only: string | null;
  timeoutMs: number;
}

/** Starts the given nodes, seeds first, one at a time; stops at the first failure. */
async function startNodes(ctx: Context, { name, only, timeoutMs }: NodesRequest): Promise<number> {
  const c = load(ctx, name, true);
  const chosen = only === null ? c.nodes : [findNode(c, only)];
  const ordered = [...chosen.filter((n) => n.seed), ...chosen.filter((n) => !n.seed)];
  for (const node of ordered) {
    const ok = await startOne(ctx, { c, node, timeoutMs });
    if (!ok) {
      const running = c.nodes.filter((n) => n.pid !== null).map((n) => n.name);
      if (running.length > 0) ctx.io.err(`nodes already running stay up: ${running.join(', ')} (cassia cluster stop ${c.name} stops them)\n`);
      return 1;
    }
  }
  return 0;
}

interface OneNode {
  c: ClusterRecord;
  node: NodeRecord;
  timeoutMs: number;
}

async function startOne(ctx: Context, { c, node, timeoutMs }: OneNode): Promise<boolean> {
  const { io, store } = ctx;
  const s = stateOf(ctx, c, node);
  if (s.kind === 'running' || s.kind === 'paused') {
    io.out(`${node.name}: already ${s.kind} (pid ${node.pid})${s.kind === 'paused' ? '; cassia cluster node ' + node.name + ' resume continues it' : ''}\n`);
    return true;
  }
  const configPath = store.nodeConfigPath(c, node);
  const logPath = store.nodeLogPath(c, node);
  const startedAt = ctx.now();
  const spawned = spawnNode({ configPath, logPath, cwd: store.nodeDir(c, node), startedAt });
  node.pid = spawned.pid;
  node.startedAt = startedAt;
  store.write(c); // recorded before waiting, so an interrupted start still knows the PID
  const outcome = await waitReady({ pid: spawned.pid, configPath, logPath, offset: spawned.logOffset, timeoutMs });
  switch (outcome.kind) {
    case 'ready':
      io.out(`${node.name}: ready (pid ${spawned.pid}): CQL ${outcome.native.host}:${outcome.native.port}, admin ${outcome.admin.host}:${outcome.admin.port}\n`);
      return true;
    case 'exited': {
      const code = spawned.exitCode();
      forget(ctx, c, node);
      io.err(`${node.name}: exited${code === undefined || code === null ? '' : ` with code ${code}`} before it was ready; last lines of ${logPath}:\n${indent(outcome.tail)}\n`);
      return false;
    }
    case 'timeout': {
      signalNode(spawned.pid, configPath, 'SIGKILL');
      await waitGone(spawned.pid, configPath, KILL_WAIT_MS);
      forget(ctx, c, node);
      io.err(`${node.name}: not ready after ${Math.round(timeoutMs / 1000)} s (killed it; --timeout S waits longer); last lines of ${logPath}:\n${indent(outcome.tail)}\n`);
      return false;
    }
    default: return assertNever(outcome, 'ready outcome');
  }
}

function forget(ctx: Context, c: ClusterRecord, node: NodeRecord): void {
  node.pid = null;
  node.startedAt = null;
  ctx.store.write(c);
}

// ---- stop ----

async function stopNodes(ctx: Context, { name, only, timeoutMs }: NodesRequest): Promise<number> {
  const c = load(ctx, name, true);
  const chosen = only === null ? c.nodes : [findNode(c, only)];
  const alive = chosen.filter((n) => isAlive(stateOf(ctx, c, n)));
  if (alive.length === 0) {
    ctx.io.out(only === null ? `cluster ${c.name}: no node is running\n` : `${only}: not running\n`);
    return 0;
  }
  const results = await Promise.all(alive.map((node) => stopOne(ctx, { c, node, timeoutMs })));
  ctx.store.write(c);
  return results.every((ok) => ok) ? 0 : 1;
}

/** SIGTERM (and SIGCONT, so a paused node can handle it), wait, then SIGKILL. Updates the record in memory. */
async function stopOne(ctx: Context, { c, node, timeoutMs }: OneNode): Promise<boolean> {
  const pid = node.pid!;
  const configPath = ctx.store.nodeConfigPath(c, node);
  signalNode(pid, configPath, 'SIGTERM');
  signalNode(pid, configPath, 'SIGCONT');
  let how = 'stopped';
  if (!(await waitGone(pid, configPath, timeoutMs))) {
    signalNode(pid, configPath, 'SIGKILL');
    how = `did not stop within ${Math.round(timeoutMs / 1000)} s; killed (SIGKILL)`;
    if (!(await waitGone(pid, configPath, KILL_WAIT_MS))) {
      ctx.io.err(`${node.name}: pid ${pid} still exists ${KILL_WAIT_MS} ms after SIGKILL; left recorded\n`);
      return false;
    }
  }
  node.pid = null;
  node.startedAt = null;
  ctx.io.out(`${node.name}: ${how} (pid ${pid})\n`);
  return true;
}

// ---- node NODE ACTION ----

interface NodeTarget {
  cluster: string;
  node: string;
}

async function nodeCommand(ctx: Context, r: NodeTarget & { action: NodeAction; timeoutMs: number }): Promise<number> {
  const { action } = r;
  switch (action) {
    case 'start': return startNodes(ctx, { name: r.cluster, only: r.node, timeoutMs: r.timeoutMs });
    case 'stop': return stopNodes(ctx, { name: r.cluster, only: r.node, timeoutMs: r.timeoutMs });
    case 'kill': return killNode(ctx, r);
    case 'pause': return pauseOrResume(ctx, r, 'pause');
    case 'resume': return pauseOrResume(ctx, r, 'resume');
    case 'show': return showNode(ctx, r);
    default: return assertNever(action, 'node action');
  }
}

function runningNode(ctx: Context, { cluster, node: nodeName }: NodeTarget): { c: ClusterRecord; node: NodeRecord; pid: number; state: ProcessState } | null {
  const c = load(ctx, cluster, true);
  const node = findNode(c, nodeName);
  const state = stateOf(ctx, c, node);
  if (node.pid === null || !isAlive(state)) {
    ctx.io.err(`${nodeName}: not running (cassia cluster node ${nodeName} start starts it)\n`);
    return null;
  }
  return { c, node, pid: node.pid, state };
}

async function killNode(ctx: Context, target: NodeTarget): Promise<number> {
  const nodeName = target.node;
  const r = runningNode(ctx, target);
  if (r === null) return 1;
  const configPath = ctx.store.nodeConfigPath(r.c, r.node);
  signalNode(r.pid, configPath, 'SIGKILL');
  if (!(await waitGone(r.pid, configPath, KILL_WAIT_MS))) throw new ClusterError(`${nodeName}: pid ${r.pid} still exists ${KILL_WAIT_MS} ms after SIGKILL`);
  forget(ctx, r.c, r.node);
  ctx.io.out(`${nodeName}: killed (SIGKILL, pid ${r.pid})\n`);
  return 0;
}

async function pauseOrResume(ctx: Context, target: NodeTarget, what: 'pause' | 'resume'): Promise<number> {
  const nodeName = target.node;
  const r = runningNode(ctx, target);
  if (r === null) return 1;
  const want = what === 'pause' ? 'paused' : 'running';
  if (r.state.kind === want) {
    ctx.io.out(`${nodeName}: already ${want} (pid ${r.pid})\n`);
    return 0;
  }
  const configPath = ctx.store.nodeConfigPath(r.c, r.node);
  signalNode(r.pid, configPath, what === 'pause' ? 'SIGSTOP' : 'SIGCONT');
  if (!(await waitState(r.pid, configPath, want, SIGNAL_WAIT_MS))) throw new ClusterError(`${nodeName}: pid ${r.pid} is not ${want} ${SIGNAL_WAIT_MS} ms after ${what === 'pause' ? 'SIGSTOP' : 'SIGCONT'}`);
  ctx.io.out(`${nodeName}: ${want} (${what === 'pause' ? 'SIGSTOP' : 'SIGCONT'}, pid ${r.pid})\n`);
  return 0;
}

function showNode(ctx: Context, target: NodeTarget): number {
  const c = load(ctx, target.cluster, true);
  const node = findNode(c, target.node);
  const configPath = ctx.store.nodeConfigPath(c, node);
  ctx.io.out(`${JSON.stringify({ ...node, process: stateOf(ctx, c, node).kind, config: configPath, log: ctx.store.nodeLogPath(c, node) }, null, 2)}\n`);
  ctx.io.out(`--- ${configPath}\n${readFileSync(configPath, 'utf8')}`);
  return 0;
}

// ---- status ----

export interface NodeStatusLine {
  name: string;
  address: string;
  dc: string;
  rack: string;
  seed: boolean;
  pid: number | null;
  /** UP: process running and CQL answers; DOWN: no process; PAUSED: SIGSTOPped; UNRESPONSIVE: running but CQL does not answer. */
  state: 'UP' | 'DOWN' | 'PAUSED' | 'UNRESPONSIVE';
  process: ProcessState['kind'];
  cql: CqlProbe;
  nativePort: number;
  adminPort: number;
  info: InfoReport | null;
  note: string | null;
}

export interface ClusterStatus {
  name: string;
  dir: string;
  rf: Record<string, number> | null;
  replication: string;
  nodes: NodeStatusLine[];
}

/** Process, CQL and admin state of every node (probes run in parallel, each with a deadline). */
export async function clusterStatus(ctx: Context, name: string): Promise<ClusterStatus> {
  const c = ctx.store.read(name);
  const notes = refresh(ctx, c);
  const nodes = await Promise.all(c.nodes.map(async (node): Promise<NodeStatusLine> => {
    const ep = endpoints(ctx, c, node);
    const proc = stateOf(ctx, c, node);
    const [cql, info] = await Promise.all([probeCql(ep.host, ep.nativePort), probeInfo(ep.host, ep.adminPort)]);
    const state = proc.kind === 'paused' ? 'PAUSED' : !isAlive(proc) ? 'DOWN' : cql === 'up' ? 'UP' : 'UNRESPONSIVE';
    return { name: node.name, address: node.address, dc: node.dc, rack: node.rack, seed: node.seed, pid: node.pid, state, process: proc.kind,
      cql, nativePort: ep.nativePort, adminPort: ep.adminPort, info, note: notes.get(node.name) ?? null };
  }));
  return { name: c.name, dir: ctx.store.clusterDir(c.name), rf: c.rf, replication: replicationHint(c), nodes };
}

/** Where the node answers, from its cassia.yaml (which the user may have edited), else cluster.json. */
function endpoints(ctx: Context, c: ClusterRecord, node: NodeRecord): { host: string; nativePort: number; adminPort: number } {
  try {
    const config = loadConfigText(readFileSync(ctx.store.nodeConfigPath(c, node), 'utf8'), node.name);
    return { host: config.rpcAddress, nativePort: config.nativeTransportPort, adminPort: config.adminPort };
  } catch {
    return { host: node.address, nativePort: c.ports.native, adminPort: c.ports.admin };
  }
}

async function status(ctx: Context, name: string, json: boolean): Promise<number> {
  const s = await clusterStatus(ctx, name);
  if (json) {
    ctx.io.out(`${JSON.stringify(s, null, 2)}\n`);
    return 0;
  }
  const up = s.nodes.filter((n) => n.state === 'UP').length;
  ctx.io.out(`cluster ${s.name} (${s.dir}): ${up} of ${s.nodes.length} node(s) up\n`);
  ctx.io.out(table(['node', 'address', 'dc', 'rack', 'state', 'pid', 'cql', 'host id', 'uptime'], s.nodes.map((n) => [
    n.name, `${n.address}:${n.nativePort}`, n.dc, n.rack, n.state, n.pid === null ? '-' : String(n.pid), n.cql,
    n.info?.hostId ?? '-', n.info === null ? '-' : `${n.info.uptimeSec} s`,
  ])));
  for (const n of s.nodes) if (n.note !== null) ctx.io.out(`${n.name}: ${n.note}\n`);
  ctx.io.out(`replication${s.rf === null ? ' hint' : ''}: ${s.replication}\n`);
  return 0;
}

// ---- remove, list, switch ----

async function remove(ctx: Context, name: string, timeoutMs: number): Promise<number> {
  const c = load(ctx, name, true);
  if (c.nodes.some((n) => n.pid !== null)) {
    const code = await stopNodes(ctx, { name, only: null, timeoutMs });
    if (code !== 0) throw new ClusterError(`cluster ${name}: some nodes did not stop; nothing deleted`);
  }
  ctx.store.delete(name);
  ctx.io.out(`removed cluster ${name} (${ctx.store.clusterDir(name)})\n`);
  return 0;
}

function list(ctx: Context): number {
  const current = ctx.store.current();
  const names = ctx.store.list();
  if (names.length === 0) {
    ctx.io.out(`no clusters in ${ctx.store.root} (cassia cluster create NAME -n N makes one)\n`);
    return 0;
  }
  const rows = names.map((name) => {
    const c = ctx.store.read(name);
    refresh(ctx, c);
    const running = c.nodes.filter((n) => n.pid !== null).length;
    return [name === current ? `* ${name}` : `  ${name}`, `${c.nodes.length} node(s)`, `${running} running`];
  });
  ctx.io.out(table(['cluster', 'nodes', 'processes'], rows));
  return 0;
}

function switchTo(ctx: Context, name: string): number {
  ctx.store.read(name); // must exist
  ctx.store.setCurrent(name);
  ctx.io.out(`current cluster: ${name}\n`);
  return 0;
}

// ---- text ----

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

function indent(text: string): string {
  return text.split('\n').map((l) => `  | ${l}`).join('\n');
}
