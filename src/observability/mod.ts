// src/observability: metrics (registry, Cassandra's metric groups), their exposition (Prometheus
// text, system_views rows, nodetool snapshots), request tracing, audit and full query logs.
// Layer 4: imports src/util and src/env only. The Node runtime provider is in runtime_node.ts
// (imported by src/server only). See README.md for the metric names table.

export { Counter, Gauge, GaugeMap, Histogram, HistogramGauge, Meter, Timer, PERCENTILES, METER_TICK_MS, HISTOGRAM_WINDOW_MS,
  emptySnapshot, snapshotOfValues, snapshotOfBuckets } from './metrics.js';
export type { HistogramSnapshot, MeterRates, Metric, MetricKind } from './metrics.js';
export { MetricsRegistry, jmxName, dottedName, METRICS_DOMAIN, REGISTRY_METRICS_MAX } from './registry.js';
export type { MetricName, RegisteredMetric, MetricsRegistryOptions } from './registry.js';
export * from './groups.js';
export { renderPrometheus, prometheusName, PROMETHEUS_CONTENT_TYPE } from './prometheus.js';
export * from './virtual_tables.js';
export * from './nodetool.js';
export * from './tracing.js';
export * from './audit.js';
export * from './fql.js';
export { RolledLogWriter, listRolledFiles, rolledFileName } from './rolled.js';
export type { RolledLogOptions } from './rolled.js';
