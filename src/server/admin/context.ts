// AdminContext: what the admin API needs from a running node. The composition root
// (src/server/node.ts) implements it; reports.ts builds the ring-derived reports from a Ring.

import type {
  ClientstatsReport, CompactionstatsReport, DescribeRingReport, EndpointsReport, InfoReport, LogsStatusReport, RingReport, SettingsReport,
  StatusReport, TablesRequest,
} from './api.js';
import type {
  GcstatsSnapshot, ProxyhistogramsSnapshot, TablehistogramsSnapshot, TablestatsSnapshot, TpstatsSnapshot,
} from '../../observability/mod.js';

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
  /** Hard-links every live SSTable of the tables into snapshots/TAG (nodetool snapshot); returns the tag. */
  snapshot(request: TablesRequest & { tag?: string }): Promise<{ tag: string; files: number }>;
  /** Removes snapshot TAG, or every snapshot when no tag is given. */
  clearSnapshot(tag?: string): Promise<void>;
  /** Rewrites SSTables keeping only partitions in the ranges this node replicates (nodetool cleanup). */
  cleanup(request: TablesRequest): Promise<void>;
  /** Stops accepting writes, flushes everything; the node keeps answering admin calls. */
  drain(): Promise<void>;
  /** Prometheus text exposition format (version 0.0.4). */
  metrics(): Promise<string>;
  /** The observability commands (absent in a context without metrics: routes answer 404). */
  observability?: ObservabilityAdmin;
}

/** nodetool's metric, tracing, logging and runtime-setting commands. Throw AdminError(400/404) on bad input. */
export interface ObservabilityAdmin {
  tpstats(): Promise<TpstatsSnapshot>;
  tablestats(filter: { keyspace?: string; table?: string }): Promise<TablestatsSnapshot>;
  tablehistograms(keyspace: string, table: string): Promise<TablehistogramsSnapshot>;
  proxyhistograms(): Promise<ProxyhistogramsSnapshot>;
  clientstats(): Promise<ClientstatsReport>;
  compactionstats(): Promise<CompactionstatsReport>;
  /** Event loop and heap since the previous call. */
  gcstats(): Promise<GcstatsSnapshot>;
  traceProbability(): Promise<number>;
  setTraceProbability(probability: number): Promise<void>;
  /** Logger name → level ('' is the root logger). */
  loggingLevels(): Promise<Record<string, string>>;
  /** Empty name: every logger. */
  setLoggingLevel(name: string, level: string): Promise<void>;
  settings(): Promise<SettingsReport>;
  setSetting(name: string, value: string): Promise<void>;
  /** options use cassandra.yaml's names (audit_logging_options keys); missing keys keep their current values. */
  enableAuditLog(options: Record<string, unknown>): Promise<void>;
  disableAuditLog(): Promise<void>;
  enableFullQueryLog(options: Record<string, unknown>): Promise<void>;
  disableFullQueryLog(): Promise<void>;
  logsStatus(): Promise<LogsStatusReport>;
}

/** An error with an HTTP status, for the admin API (404 unknown keyspace, 400 bad input...). */
export class AdminError extends Error {
  override name = 'AdminError';
  constructor(readonly status: number, message: string) {
    super(message);
  }
}
