// Replication options as CQL gives them (CREATE/ALTER KEYSPACE ... WITH replication = {...})
// to and from the typed ReplicationStrategy of src/schema.
//
// Bad options throw ConfigError (protocol code 0x2300), as Cassandra's ConfigurationException.
// Settings that are legal but likely mistakes come back as warnings for the client:
// a DC that no endpoint belongs to, or a replication factor larger than the endpoints there.

import { ConfigError } from '../../util/errors.js';
import { assertNever } from '../../util/assert.js';
import type { ReplicationStrategy } from '../../schema/metadata.js';
import type { TokenMetadata } from './metadata.js';

/** Guardrail: a replication factor above this is surely a typo. */
export const REPLICATION_FACTOR_MAX = 100;

const CLASS_PREFIX = 'org.apache.cassandra.locator.';
const RF_OPTION = 'replication_factor';

export interface ParsedReplication {
  strategy: ReplicationStrategy;
  warnings: string[];
}

export interface ReplicationContext {
  keyspace: string;
  /** The current ring, for DC names, auto-expansion and RF warnings; omit to skip them. */
  metadata?: TokenMetadata;
  /** Allows LocalStrategy (system keyspaces only). */
  allowLocal?: boolean;
}

/** Validates a CQL replication map and turns it into a ReplicationStrategy. */
export function parseReplication(options: Record<string, string>, context: ReplicationContext): ParsedReplication {
  const className = options['class'];
  if (className === undefined) throw new ConfigError(`Missing replication strategy class for keyspace ${context.keyspace}: add 'class': 'SimpleStrategy' or 'NetworkTopologyStrategy'`);
  const shortName = className.startsWith(CLASS_PREFIX) ? className.slice(CLASS_PREFIX.length) : className;
  const rest = Object.fromEntries(Object.entries(options).filter(([k]) => k !== 'class'));
  switch (shortName) {
    case 'SimpleStrategy': return parseSimple(rest, context);
    case 'NetworkTopologyStrategy': return parseNetworkTopology(rest, context);
    case 'LocalStrategy':
      if (!context.allowLocal) throw new ConfigError('Unable to use given strategy class: LocalStrategy is reserved for internal use.');
      return { strategy: { class: 'LocalStrategy' }, warnings: [] };
    default:
      throw new ConfigError(`Unable to find replication strategy class '${className}': use SimpleStrategy or NetworkTopologyStrategy`);
  }
}

function parseSimple(options: Record<string, string>, context: ReplicationContext): ParsedReplication {
  for (const key of Object.keys(options)) {
    if (key !== RF_OPTION) throw new ConfigError(`Unrecognized strategy option {${key}} passed to SimpleStrategy for keyspace ${context.keyspace}`);
  }
  const text = options[RF_OPTION];
  if (text === undefined) throw new ConfigError('SimpleStrategy requires a replication_factor strategy option.');
  const rf = parseReplicationFactor(text);
  const warnings: string[] = [];
  const nodes = context.metadata?.endpointCount;
  if (nodes !== undefined && rf > nodes) {
    warnings.push(`Your replication factor ${rf} for keyspace ${context.keyspace} is higher than the number of nodes ${nodes}`);
  }
  return { strategy: { class: 'SimpleStrategy', replicationFactor: rf }, warnings };
}

function parseNetworkTopology(options: Record<string, string>, context: ReplicationContext): ParsedReplication {
  const topology = context.metadata?.topology();
  const dcs: Record<string, number> = {};
  // 'replication_factor' in NTS expands to every DC currently in the ring; explicit DCs win.
  const defaultText = options[RF_OPTION];
  if (defaultText !== undefined && topology) {
    const rf = parseReplicationFactor(defaultText);
    for (const dc of topology.keys()) dcs[dc] = rf;
  }
  for (const [dc, text] of Object.entries(options)) {
    if (dc !== RF_OPTION) dcs[dc] = parseReplicationFactor(text);
  }
  const warnings: string[] = [];
  if (topology) {
    for (const [dc, rf] of Object.entries(dcs)) {
      const racks = topology.get(dc);
      if (!racks) {
        warnings.push(`Datacenter ${dc} in the replication of keyspace ${context.keyspace} has no nodes (known datacenters: ${[...topology.keys()].sort().join(', ') || 'none'}); its ${rf} replicas will not be placed until nodes join it`);
        continue;
      }
      let nodes = 0;
      for (const members of racks.values()) nodes += members.length;
      if (rf > nodes) warnings.push(`Your replication factor ${rf} for keyspace ${context.keyspace} is higher than the number of nodes ${nodes} for datacenter ${dc}`);
    }
  }
  return { strategy: { class: 'NetworkTopologyStrategy', dcs }, warnings };
}

/** A replication factor: a non-negative integer up to REPLICATION_FACTOR_MAX. */
export function parseReplicationFactor(text: string): number {
  if (/^\d+\/\d+$/.test(text.trim())) throw new ConfigError(`Transient replication ('${text}') is not supported; give a plain replication factor`);
  if (!/^-?\d+$/.test(text.trim())) throw new ConfigError(`Replication factor must be numeric; found ${text}`);
  const rf = Number(text.trim());
  if (rf < 0) throw new ConfigError(`Replication factor must be non-negative; found ${text}`);
  if (rf > REPLICATION_FACTOR_MAX) throw new ConfigError(`Replication factor ${rf} is above the limit of ${REPLICATION_FACTOR_MAX}`);
  return rf;
}

/** The replication map as system_schema.keyspaces stores it (full class names, string values). */
export function replicationOptions(strategy: ReplicationStrategy): Record<string, string> {
  switch (strategy.class) {
    case 'LocalStrategy': return { class: CLASS_PREFIX + 'LocalStrategy' };
    case 'SimpleStrategy': return { class: CLASS_PREFIX + 'SimpleStrategy', replication_factor: String(strategy.replicationFactor) };
    case 'NetworkTopologyStrategy': {
      const out: Record<string, string> = { class: CLASS_PREFIX + 'NetworkTopologyStrategy' };
      for (const dc of Object.keys(strategy.dcs).sort()) out[dc] = String(strategy.dcs[dc]);
      return out;
    }
    default: return assertNever(strategy, 'replication strategy');
  }
}
