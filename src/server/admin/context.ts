// AdminContext: what the admin API needs from a running node. The composition root
// (src/server/node.ts) implements it; reports.ts builds the ring-derived reports from a Ring.

import type { DescribeRingReport, EndpointsReport, InfoReport, RingReport, StatusReport, TablesRequest } from './api.js';

export interface AdminContext {
  /** nodetool status; keyspace (optional) selects the replication for effective ownership. */
  status(keyspace?: string): Promise<StatusReport>;
  info(): Promise<InfoReport>;
  ring(keyspace?: string): Promise<RingReport>;
  /** Throws AdminError(404) for an unknown keyspace. */
  describeRing(keyspace: string): Promise<DescribeRingReport>;
  /** key is the partition key as text (as nodetool passes it); throws AdminError(404/400). */
  getEndpoints(keyspace: string, table: string, key: string): Promise<EndpointsReport>;
  flush(request: TablesRequest): Promise<void>;
  compact(request: TablesRequest): Promise<void>;
  /** Stops accepting writes, flushes everything; the node keeps answering admin calls. */
  drain(): Promise<void>;
  /** Prometheus text exposition format (version 0.0.4). */
  metrics(): Promise<string>;
}

/** An error with an HTTP status, for the admin API (404 unknown keyspace, 400 bad input...). */
export class AdminError extends Error {
  override name = 'AdminError';
  constructor(readonly status: number, message: string) {
    super(message);
  }
}
