// Ring-derived reports for the admin API, computed from a Ring: helpers for AdminContext
// implementations, so the node only supplies liveness, load and the keyspace's replication.

import type { ReplicationStrategy } from '../../schema/metadata.js';
import type { Ring } from '../../cluster/ring/mod.js';
import type { DescribeRingReport, NodeState, RingReport, StatusReport } from './api.js';

export interface NodeFacts {
  isAlive(endpoint: string): boolean;
  loadBytes(endpoint: string): number | null;
  state?(endpoint: string): NodeState;
  /** The address clients use for an endpoint (rpc_address); default the endpoint itself. */
  rpcAddress?(endpoint: string): string;
}

export function statusReport(ring: Ring, facts: NodeFacts, keyspace?: { name: string; replication: ReplicationStrategy }): StatusReport {
  return {
    keyspace: keyspace?.name ?? null,
    nodes: ring.metadata.endpoints().map((info) => ({
      address: info.endpoint,
      hostId: info.hostId,
      dc: info.dc,
      rack: info.rack,
      up: facts.isAlive(info.endpoint),
      state: facts.state?.(info.endpoint) ?? 'Normal',
      loadBytes: facts.loadBytes(info.endpoint),
      tokens: info.tokens.length,
      owns: ring.ownership(info.endpoint, keyspace?.replication),
      ownsEffective: keyspace !== undefined,
    })),
  };
}

export function ringReport(ring: Ring, facts: NodeFacts, keyspace?: { name: string; replication: ReplicationStrategy }): RingReport {
  const owns = new Map(ring.metadata.endpoints().map((e) => [e.endpoint, ring.ownership(e.endpoint, keyspace?.replication)]));
  const tokens = ring.metadata.sortedTokens();
  return {
    keyspace: keyspace?.name ?? null,
    ownsEffective: keyspace !== undefined,
    entries: tokens.map((token, i) => {
      const address = ring.metadata.ownerAt(i);
      const info = ring.metadata.endpoint(address)!;
      return {
        address, dc: info.dc, rack: info.rack, up: facts.isAlive(address), state: facts.state?.(address) ?? 'Normal',
        loadBytes: facts.loadBytes(address), owns: owns.get(address) ?? 0, token: token.toString(),
      };
    }),
  };
}

export function describeRingReport(ring: Ring, keyspace: { name: string; replication: ReplicationStrategy }, facts: Pick<NodeFacts, 'rpcAddress'> = {}): DescribeRingReport {
  return {
    keyspace: keyspace.name,
    ranges: ring.describeRing(keyspace.replication).map(({ range, endpoints }) => ({
      startToken: range.start.toString(),
      endToken: range.end.toString(),
      endpoints: [...endpoints],
      rpcEndpoints: endpoints.map((e) => facts.rpcAddress?.(e) ?? e),
      endpointDetails: endpoints.map((e) => {
        const where = ring.location(e);
        return { host: e, datacenter: where?.dc ?? 'unknown', rack: where?.rack ?? 'unknown' };
      }),
    })),
  };
}
