// `cassia cluster` command line → one Command value (pure). Flags take `--flag value` or
// `--flag=value`; an unknown flag or a missing value is a UsageError naming it.

import { DEFAULT_FIRST_ADDRESS, DEFAULT_PORTS, type Ports } from './layout.js';

export const NODE_ACTIONS = ['kill', 'stop', 'start', 'pause', 'resume', 'show'] as const;
export type NodeAction = (typeof NODE_ACTIONS)[number];

/** Waits in seconds: the defaults, and the largest a user may ask for. */
export const START_TIMEOUT_S_DEFAULT = 90;
export const STOP_TIMEOUT_S_DEFAULT = 30;
export const TIMEOUT_S_MAX = 3600;

export interface CreateCommand {
  kind: 'create';
  name: string;
  nodes: number;
  dcs: number;
  racks: number;
  rf?: string;
  ports: Ports;
  firstAddress: string;
  /** Extra cassia.yaml keys from --set KEY=VALUE (values parsed as YAML scalars later). */
  settings: Array<[string, string]>;
  start: boolean;
  timeoutS: number;
}

export type Command =
  | CreateCommand
  | { kind: 'start'; name?: string; timeoutS: number }
  | { kind: 'stop'; name?: string; timeoutS: number }
  | { kind: 'status'; name?: string; json: boolean }
  | { kind: 'node'; node: string; action: NodeAction; cluster?: string; timeoutS: number }
  | { kind: 'remove'; name: string; timeoutS: number }
  | { kind: 'list' }
  | { kind: 'switch'; name: string }
  | { kind: 'help' };

export interface Parsed {
  command: Command;
  /** --dir: the folder holding the clusters (else CASSIA_CLUSTERS_DIR, else ~/.cassia/clusters). */
  dir?: string;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `usage: cassia cluster COMMAND [--dir CLUSTERS_DIR]
  create NAME -n N [--dcs D] [--racks R] [--rf N|DC:N,...] [--first-address IP]
         [--base-port P | --native-port N --storage-port N --admin-port N]
         [--set KEY=VALUE ...] [--start] [--timeout S]
  start [NAME] [--timeout S]        start every node, wait for each to be ready
  stop [NAME] [--timeout S]         SIGTERM every node, SIGKILL after the timeout
  status [NAME] [--json]            process, CQL and admin state of every node
  node NODE kill|stop|start|pause|resume|show [--cluster NAME] [--timeout S]
  remove NAME                       stop the cluster and delete its folder
  list                              clusters in CLUSTERS_DIR (* = current)
  switch NAME                       make NAME the current cluster
`;

type FlagKind = 'int' | 'string' | 'bool' | 'list';
const FLAGS: Record<string, { kind: FlagKind; key: string }> = {
  '-n': { kind: 'int', key: 'nodes' }, '--nodes': { kind: 'int', key: 'nodes' },
  '--dcs': { kind: 'int', key: 'dcs' }, '--racks': { kind: 'int', key: 'racks' },
  '--rf': { kind: 'string', key: 'rf' }, '--first-address': { kind: 'string', key: 'firstAddress' },
  '--base-port': { kind: 'int', key: 'basePort' }, '--native-port': { kind: 'int', key: 'nativePort' },
  '--storage-port': { kind: 'int', key: 'storagePort' }, '--admin-port': { kind: 'int', key: 'adminPort' },
  '--set': { kind: 'list', key: 'set' }, '--start': { kind: 'bool', key: 'start' },
  '--timeout': { kind: 'int', key: 'timeout' }, '--json': { kind: 'bool', key: 'json' },
  '--cluster': { kind: 'string', key: 'cluster' }, '-c': { kind: 'string', key: 'cluster' },
  '--dir': { kind: 'string', key: 'dir' },
  '--help': { kind: 'bool', key: 'help' }, '-h': { kind: 'bool', key: 'help' },
};

/** Which flags each command accepts (besides --dir and --help). */
const ALLOWED: Record<Command['kind'], readonly string[]> = {
  create: ['nodes', 'dcs', 'racks', 'rf', 'firstAddress', 'basePort', 'nativePort', 'storagePort', 'adminPort', 'set', 'start', 'timeout'],
  start: ['timeout'], stop: ['timeout'], status: ['json'], node: ['cluster', 'timeout'], remove: ['timeout'],
  list: [], switch: [], help: [],
};

interface Scanned {
  positional: string[];
  flags: Map<string, number | string | boolean | string[]>;
}

function scan(argv: readonly string[]): Scanned {
  const positional: string[] = [];
  const flags = new Map<string, number | string | boolean | string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') { positional.push(arg); continue; }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = FLAGS[name];
    if (spec === undefined) throw new UsageError(`unknown option '${name}'`);
    if (spec.kind === 'bool') {
      if (eq > 0) throw new UsageError(`${name} takes no value`);
      flags.set(spec.key, true);
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`${name} needs a value`);
    if (spec.kind === 'int') {
      if (!/^\d+$/.test(value)) throw new UsageError(`${name}: '${value}' is not a whole number`);
      flags.set(spec.key, Number(value));
    } else if (spec.kind === 'list') {
      flags.set(spec.key, [...((flags.get(spec.key) as string[] | undefined) ?? []), value]);
    } else {
      flags.set(spec.key, value);
    }
  }
  return { positional, flags };
}

/** Parses argv (without the leading `cluster`). Throws UsageError. */
export function parseClusterArgs(argv: readonly string[]): Parsed {
  const { positional, flags } = scan(argv);
  const dir = flags.get('dir') as string | undefined;
  const base = dir === undefined ? {} : { dir };
  const verb = positional[0];
  if (verb === undefined || verb === 'help' || flags.get('help') === true) return { ...base, command: { kind: 'help' } };
  const kind = verbKind(verb);
  for (const key of flags.keys()) {
    if (key !== 'dir' && !ALLOWED[kind].includes(key)) throw new UsageError(`'${verb}' does not take ${flagName(key)}`);
  }
  const args = positional.slice(1);
  return { ...base, command: buildCommand(kind, args, flags) };
}

function verbKind(verb: string): Command['kind'] {
  const kinds: readonly Command['kind'][] = ['create', 'start', 'stop', 'status', 'node', 'remove', 'list', 'switch'];
  const found = kinds.find((k) => k === verb);
  if (found === undefined) throw new UsageError(`unknown command '${verb}'; expected one of ${kinds.join(', ')}`);
  return found;
}

function flagName(key: string): string {
  return Object.entries(FLAGS).find(([, s]) => s.key === key)?.[0] ?? key;
}

function buildCommand(kind: Command['kind'], args: string[], flags: Scanned['flags']): Command {
  const int = (key: string) => flags.get(key) as number | undefined;
  const timeout = (fallbackS: number) => {
    const t = int('timeout') ?? fallbackS;
    if (t < 1 || t > TIMEOUT_S_MAX) throw new UsageError(`--timeout: ${t} s; expected 1..${TIMEOUT_S_MAX}`);
    return t;
  };
  const atMost = (n: number, usage: string) => {
    if (args.length > n) throw new UsageError(`unexpected argument '${args[n]}'; usage: ${usage}`);
  };
  const need = (i: number, what: string, usage: string) => {
    const v = args[i];
    if (v === undefined) throw new UsageError(`missing ${what}; usage: ${usage}`);
    return v;
  };
  const optionalName = (v: string | undefined) => (v === undefined ? {} : { name: v });
  switch (kind) {
    case 'create': return buildCreate(args, flags, timeout(START_TIMEOUT_S_DEFAULT));
    case 'start': atMost(1, 'start [NAME]'); return { kind, ...optionalName(args[0]), timeoutS: timeout(START_TIMEOUT_S_DEFAULT) };
    case 'stop': atMost(1, 'stop [NAME]'); return { kind, ...optionalName(args[0]), timeoutS: timeout(STOP_TIMEOUT_S_DEFAULT) };
    case 'status': atMost(1, 'status [NAME]'); return { kind, ...optionalName(args[0]), json: flags.get('json') === true };
    case 'node': return buildNode(args, flags, timeout);
    case 'remove': atMost(1, 'remove NAME'); return { kind, name: need(0, 'cluster NAME', 'remove NAME'), timeoutS: timeout(STOP_TIMEOUT_S_DEFAULT) };
    case 'list': atMost(0, 'list'); return { kind };
    case 'switch': atMost(1, 'switch NAME'); return { kind, name: need(0, 'cluster NAME', 'switch NAME') };
    case 'help': return { kind };
  }
}

function buildNode(args: string[], flags: Scanned['flags'], timeout: (fallbackS: number) => number): Command {
  const usage = `node NODE ${NODE_ACTIONS.join('|')}`;
  if (args.length !== 2) throw new UsageError(`expected NODE and ACTION; usage: ${usage}`);
  const action = NODE_ACTIONS.find((a) => a === args[1]);
  if (action === undefined) throw new UsageError(`unknown node action '${args[1]}'; usage: ${usage}`);
  const cluster = flags.get('cluster') as string | undefined;
  const timeoutS = timeout(action === 'start' ? START_TIMEOUT_S_DEFAULT : STOP_TIMEOUT_S_DEFAULT);
  return { kind: 'node', node: args[0]!, action, ...(cluster === undefined ? {} : { cluster }), timeoutS };
}

function buildCreate(args: string[], flags: Scanned['flags'], timeoutS: number): CreateCommand {
  if (args.length !== 1) throw new UsageError('expected exactly one cluster NAME; usage: create NAME -n N [...]');
  const int = (key: string) => flags.get(key) as number | undefined;
  const nodes = int('nodes');
  if (nodes === undefined) throw new UsageError('create needs -n N (the number of nodes)');
  const basePort = int('basePort');
  const ports: Ports = basePort === undefined ? { ...DEFAULT_PORTS } : { native: basePort, storage: basePort + 1, admin: basePort + 2 };
  ports.native = int('nativePort') ?? ports.native;
  ports.storage = int('storagePort') ?? ports.storage;
  ports.admin = int('adminPort') ?? ports.admin;
  const settings = ((flags.get('set') as string[] | undefined) ?? []).map((s): [string, string] => {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set '${s}': expected KEY=VALUE (a cassia.yaml key)`);
    return [s.slice(0, eq).trim(), s.slice(eq + 1)];
  });
  const rf = flags.get('rf') as string | undefined;
  return {
    kind: 'create', name: args[0]!, nodes, dcs: int('dcs') ?? 1, racks: int('racks') ?? 1, ...(rf === undefined ? {} : { rf }), ports,
    firstAddress: (flags.get('firstAddress') as string | undefined) ?? DEFAULT_FIRST_ADDRESS, settings,
    start: flags.get('start') === true, timeoutS,
  };
}
