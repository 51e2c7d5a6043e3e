// MetricsRegistry: one per node, created by the composition root and passed down. Metrics are
// named as Cassandra names them (JMX: org.apache.cassandra.metrics:type=T,keyspace=K,scope=S,name=N)
// so operators' dashboards and habits carry over. Registration is get-or-create (a second call
// with the same name and kind returns the first object); lookups happen at wiring time only.

import type { Clock } from '../env/mod.js';
import { assert } from '../util/assert.js';
import { Counter, Gauge, GaugeMap, Histogram, HistogramGauge, HISTOGRAM_WINDOW_MS, Meter, Timer, type HistogramSnapshot, type Metric } from './metrics.js';

export const METRICS_DOMAIN = 'org.apache.cassandra.metrics';

/** A Cassandra metric name: `type` and `name` always; tags as Cassandra uses them per type. */
export interface MetricName {
  type: string;
  name: string;
  keyspace?: string;
  scope?: string;
  path?: string;
}

/** Tag order in JMX names and Prometheus labels. */
export const TAG_ORDER = ['path', 'keyspace', 'scope'] as const;

/** `org.apache.cassandra.metrics:type=Table,keyspace=ks,scope=t,name=ReadLatency` */
export function jmxName(n: MetricName): string {
  const tags = TAG_ORDER.filter((t) => n[t] !== undefined).map((t) => `${t}=${n[t]}`);
  return `${METRICS_DOMAIN}:${[`type=${n.type}`, ...tags, `name=${n.name}`].join(',')}`;
}

/** Dropwizard's dotted form: `org.apache.cassandra.metrics.Table.ReadLatency.ks.t`. */
export function dottedName(n: MetricName): string {
  const tags = TAG_ORDER.filter((t) => n[t] !== undefined).map((t) => n[t]!);
  return [METRICS_DOMAIN, n.type, n.name, ...tags].join('.');
}

export interface RegisteredMetric {
  readonly name: Readonly<MetricName>;
  readonly id: string;
  readonly metric: Metric;
  /** One line for Prometheus HELP. */
  readonly help: string;
}

/** Bound on registered metrics, so a bug creating names per request fails loudly. */
export const REGISTRY_METRICS_MAX = 200_000;

export interface MetricsRegistryOptions {
  clock: Clock;
  /** Histogram/timer window length (see Histogram). */
  histogramWindowMs?: number;
}

export class MetricsRegistry {
  readonly clock: Clock;
  private readonly windowMs: number;
  private readonly byId = new Map<string, RegisteredMetric>();

  constructor(options: MetricsRegistryOptions) {
    this.clock = options.clock;
    this.windowMs = options.histogramWindowMs ?? HISTOGRAM_WINDOW_MS;
  }

  gauge(name: MetricName, read: () => number, help = ''): Gauge {
    return this.getOrAdd(name, 'gauge', help, () => new Gauge(read));
  }

  gaugeMap(name: MetricName, labelName: string, read: () => ReadonlyMap<string, number> | Record<string, number>, help = ''): GaugeMap {
    return this.getOrAdd(name, 'gaugeMap', help, () => new GaugeMap(labelName, read));
  }

  counter(name: MetricName, help = '', direction: 'monotonic' | 'updown' = 'monotonic'): Counter {
    return this.getOrAdd(name, 'counter', help, () => new Counter(direction));
  }

  meter(name: MetricName, help = ''): Meter {
    return this.getOrAdd(name, 'meter', help, () => new Meter(this.clock));
  }

  histogram(name: MetricName, help = ''): Histogram {
    return this.getOrAdd(name, 'histogram', help, () => new Histogram(this.clock, this.windowMs));
  }

  /** Durations in microseconds. */
  timer(name: MetricName, help = ''): Timer {
    return this.getOrAdd(name, 'timer', help, () => new Timer(this.clock, this.windowMs));
  }

  histogramGauge(name: MetricName, read: () => HistogramSnapshot, help = ''): HistogramGauge {
    return this.getOrAdd(name, 'histogramGauge', help, () => new HistogramGauge(read));
  }

  get(name: MetricName): RegisteredMetric | undefined {
    return this.byId.get(jmxName(name));
  }

  /** Removes one metric; returns whether it existed. */
  remove(name: MetricName): boolean {
    return this.byId.delete(jmxName(name));
  }

  /** Removes every metric the predicate selects (e.g. a dropped table's); returns how many. */
  removeWhere(predicate: (name: Readonly<MetricName>) => boolean): number {
    let removed = 0;
    for (const [id, m] of this.byId) {
      if (predicate(m.name)) {
        this.byId.delete(id);
        removed++;
      }
    }
    return removed;
  }

  /** Every metric, ordered by JMX name (stable output for exposition and tests). */
  all(): RegisteredMetric[] {
    return [...this.byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Metrics of one `type` (e.g. 'ThreadPools'), unordered. */
  ofType(type: string): RegisteredMetric[] {
    return [...this.byId.values()].filter((m) => m.name.type === type);
  }

  size(): number {
    return this.byId.size;
  }

  private getOrAdd<M extends Metric>(name: MetricName, kind: M['kind'], help: string, create: () => M): M {
    checkName(name);
    const id = jmxName(name);
    const existing = this.byId.get(id);
    if (existing !== undefined) {
      assert(existing.metric.kind === kind, `metric ${id} already registered as ${existing.metric.kind}, not ${kind}`);
      return existing.metric as M;
    }
    assert(this.byId.size < REGISTRY_METRICS_MAX, `more than ${REGISTRY_METRICS_MAX} metrics registered`);
    const metric = create();
    this.byId.set(id, { name: Object.freeze({ ...name }), id, metric, help });
    return metric;
  }
}

const NAME_PART = /^[A-Za-z][A-Za-z0-9_-]*$/;

function checkName(n: MetricName): void {
  assert(NAME_PART.test(n.type), `bad metric type ${JSON.stringify(n.type)}`);
  assert(NAME_PART.test(n.name), `bad metric name ${JSON.stringify(n.name)}`);
  for (const t of TAG_ORDER) {
    const v = n[t];
    if (v !== undefined) assert(v.length > 0 && !/[,=:\n]/.test(v), `bad ${t} tag ${JSON.stringify(v)}`);
  }
}
