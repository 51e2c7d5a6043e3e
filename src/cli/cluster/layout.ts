// The shape of a local cluster, computed from `cassia cluster create` options (pure: no I/O).
//
// Node i (0-based) is node{i+1}, listens on the i-th address counted from firstAddress (127.0.0.1,
// 127.0.0.2, ...), belongs to data center (i mod dcs) and, counted within its data center as the
// k-th node, to rack (k mod racks). Seeds are the first node of each data center.

import { stringify as toYaml } from 'yaml';
import { assert } from '../../util/assert.js';

/** cluster.json format version; bump when a field changes meaning. */
export const CLUSTER_FORMAT = 1;
export const NODES_MAX = 254; // one loopback address each, last octet 1..254
export const CLUSTER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const DEFAULT_PORTS: Readonly<Ports> = { native: 9042, storage: 7000, admin: 7199 };
export const DEFAULT_FIRST_ADDRESS = '127.0.0.1';
/** Replication factor the stress hint uses per data center when --rf was not given. */
export const HINT_RF_MAX = 3;

export interface Ports {
  native: number;
  storage: number;
  admin: number;
}

/** One node as recorded in cluster.json. */
export interface NodeRecord {
  name: string;
  address: string;
  dc: string;
  rack: string;
  seed: boolean;
  /** Folder of the node, relative to the cluster directory. */
  dir: string;
  /** PID of the `cassia start` process this tool started; null when none is running. */
  pid: number | null;
  /** When that process was started (ISO 8601); null with pid. */
  startedAt: string | null;
}

/** cluster.json. */
export interface ClusterRecord {
  format: number;
  name: string;
  createdAt: string;
  ports: Ports;
  /** Replication factor per data center given with --rf, for hints only; null when not given. */
  rf: Record<string, number> | null;
  nodes: NodeRecord[];
}

export interface LayoutOptions {
  name: string;
  nodes: number;
  dcs: number;
  racks: number;
  ports: Ports;
  firstAddress: string;
  /** --rf as given: a number for every DC, or `dc:n,dc:n`; undefined when absent. */
  rf?: string;
  createdAt: string;
}

/** An operating error in the user's input: the message says what was wrong and what is allowed. */
export class LayoutError extends Error {
  override name = 'LayoutError';
}

/** Computes the cluster's nodes; throws LayoutError for options that cannot make a cluster. */
export function planCluster(o: LayoutOptions): ClusterRecord {
  validateCounts(o);
  const first = parseIpv4(o.firstAddress);
  if (first === null) throw new LayoutError(`--first-address: '${o.firstAddress}' is not an IPv4 address`);
  if (first[3]! + o.nodes - 1 > NODES_MAX) {
    throw new LayoutError(`${o.nodes} nodes from ${o.firstAddress} would pass ${first.slice(0, 3).join('.')}.${NODES_MAX}; use fewer nodes or a lower --first-address`);
  }
  const seenInDc = new Array<number>(o.dcs).fill(0);
  const nodes: NodeRecord[] = [];
  for (let i = 0; i < o.nodes; i++) {
    const dcIndex = i % o.dcs;
    const k = seenInDc[dcIndex]!;
    seenInDc[dcIndex] = k + 1;
    const name = `node${i + 1}`;
    nodes.push({
      name, address: [first[0], first[1], first[2], first[3]! + i].join('.'),
      dc: `datacenter${dcIndex + 1}`, rack: `rack${(k % o.racks) + 1}`, seed: k === 0,
      dir: name, pid: null, startedAt: null,
    });
  }
  const record: ClusterRecord = { format: CLUSTER_FORMAT, name: o.name, createdAt: o.createdAt, ports: { ...o.ports }, rf: null, nodes };
  if (o.rf !== undefined) record.rf = parseRf(o.rf, nodesPerDc(record));
  return record;
}

function validateCounts(o: LayoutOptions): void {
  if (!CLUSTER_NAME_PATTERN.test(o.name)) {
    throw new LayoutError(`cluster name '${o.name}': use 1-64 letters, digits, '_', '-' or '.', starting with a letter or digit`);
  }
  if (!Number.isInteger(o.nodes) || o.nodes < 1 || o.nodes > NODES_MAX) throw new LayoutError(`-n: ${o.nodes} nodes; expected 1..${NODES_MAX}`);
  if (!Number.isInteger(o.dcs) || o.dcs < 1 || o.dcs > o.nodes) throw new LayoutError(`--dcs: ${o.dcs} data centers for ${o.nodes} nodes; expected 1..${o.nodes} (every data center needs a node)`);
  const smallestDc = Math.floor(o.nodes / o.dcs);
  if (!Number.isInteger(o.racks) || o.racks < 1 || o.racks > smallestDc) {
    throw new LayoutError(`--racks: ${o.racks} racks, but the smallest data center has ${smallestDc} node(s); expected 1..${smallestDc} (every rack needs a node)`);
  }
  for (const [flag, port] of Object.entries(o.ports)) {
    if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new LayoutError(`${flag} port ${port}: expected 1..65535 (a cluster needs fixed ports)`);
  }
  if (new Set(Object.values(o.ports)).size !== 3) throw new LayoutError(`native, storage and admin ports must differ, got ${JSON.stringify(o.ports)}`);
}

/** Nodes in each data center, in data center order. */
export function nodesPerDc(c: Pick<ClusterRecord, 'nodes'>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const n of c.nodes) counts.set(n.dc, (counts.get(n.dc) ?? 0) + 1);
  return counts;
}

/** `3` (every DC) or `datacenter1:3,datacenter2:2`; refuses an RF above a DC's node count. */
export function parseRf(text: string, dcs: ReadonlyMap<string, number>): Record<string, number> {
  const rf: Record<string, number> = {};
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    for (const dc of dcs.keys()) rf[dc] = Number(trimmed);
  } else {
    for (const part of trimmed.split(',')) {
      const m = /^\s*([A-Za-z0-9_.-]+)\s*[:=]\s*(\d+)\s*$/.exec(part);
      if (!m) throw new LayoutError(`--rf: '${part}' is not DC:N (example: --rf datacenter1:3,datacenter2:2, or --rf 3 for every data center)`);
      if (!dcs.has(m[1]!)) throw new LayoutError(`--rf: unknown data center '${m[1]}'; this cluster has ${[...dcs.keys()].join(', ')}`);
      rf[m[1]!] = Number(m[2]);
    }
  }
  for (const [dc, n] of Object.entries(rf)) {
    const have = dcs.get(dc)!;
    if (n < 1 || n > have) throw new LayoutError(`--rf: ${dc} has ${have} node(s), so its replication factor must be 1..${have}, got ${n}`);
  }
  return rf;
}

/** The replication map hinted for `cassia stress --replication` and CREATE KEYSPACE. */
export function replicationHint(c: Pick<ClusterRecord, 'nodes' | 'rf'>): string {
  const entries = [...nodesPerDc(c)].map(([dc, count]) => `'${dc}': ${c.rf?.[dc] ?? Math.min(HINT_RF_MAX, count)}`);
  return `{'class': 'NetworkTopologyStrategy', ${entries.join(', ')}}`;
}

/** Seed addresses: the first node of each data center. */
export function seedAddresses(c: Pick<ClusterRecord, 'nodes'>): string[] {
  return c.nodes.filter((n) => n.seed).map((n) => n.address);
}

export interface NodePaths {
  dataDir: string;
  commitlogDir: string;
}

/** The node's cassia.yaml (cassandra.yaml names); `extra` keys (from --set) come last and win. */
export function nodeYaml(c: ClusterRecord, node: NodeRecord, o: NodePaths & { extra?: Record<string, unknown> }): string {
  const extra = o.extra ?? {};
  assert(c.nodes.includes(node), 'nodeYaml: node of another cluster');
  const settings: Record<string, unknown> = {
    cluster_name: c.name,
    listen_address: node.address,
    rpc_address: node.address,
    native_transport_port: c.ports.native,
    storage_port: c.ports.storage,
    admin_port: c.ports.admin,
    seed_provider: [{ class_name: 'org.apache.cassandra.locator.SimpleSeedProvider', parameters: [{ seeds: seedAddresses(c).join(',') }] }],
    endpoint_snitch: 'GossipingPropertyFileSnitch',
    dc: node.dc,
    rack: node.rack,
    data_file_directories: [o.dataDir],
    commitlog_directory: o.commitlogDir,
    ...extra,
  };
  const header = `# ${node.name} of cluster ${c.name}, written by \`cassia cluster create\`.\n` +
    `# Edit freely; address, ports, dc and rack are also recorded in ../cluster.json for status.\n`;
  return header + toYaml(settings);
}

/** Parses a dotted IPv4 address into its four octets; null when it is not one. */
export function parseIpv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  const octets = parts.map(Number);
  return octets.every((o) => o <= 255) ? octets : null;
}

/** Checks a parsed cluster.json; throws LayoutError naming the first problem. */
export function checkClusterRecord(raw: unknown, source: string): ClusterRecord {
  const c = raw as Partial<ClusterRecord> | null;
  if (c === null || typeof c !== 'object') throw new LayoutError(`${source}: not a JSON object`);
  if (c.format !== CLUSTER_FORMAT) throw new LayoutError(`${source}: format ${String(c.format)}; this cassia reads format ${CLUSTER_FORMAT}`);
  if (typeof c.name !== 'string' || !Array.isArray(c.nodes) || typeof c.ports !== 'object' || c.ports === null) {
    throw new LayoutError(`${source}: missing name, ports or nodes`);
  }
  for (const n of c.nodes) {
    if (typeof n?.name !== 'string' || typeof n.address !== 'string' || typeof n.dir !== 'string' || !(n.pid === null || Number.isInteger(n.pid))) {
      throw new LayoutError(`${source}: bad node entry ${JSON.stringify(n)}`);
    }
  }
  return c as ClusterRecord;
}
