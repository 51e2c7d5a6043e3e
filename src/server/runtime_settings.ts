// Settings an operator may change while the node runs (nodetool), starting from the Config.
// system_views.settings shows these values, not the start-up ones; the native transport reads
// the overload limits from here on each decision (so a change applies to the next request).

import { ConfigError } from '../util/errors.js';
import { SPECS, type Config } from './config.js';

/** The overload limits the native transport applies (CASSANDRA-15013's names). */
export interface OverloadSettings {
  /** native_transport_max_request_data_in_flight, bytes. */
  maxRequestDataInFlightBytes: number;
  /** native_transport_max_request_data_in_flight_per_ip, bytes. */
  maxRequestDataInFlightPerIpBytes: number;
  /** native_transport_rate_limiting_enabled. */
  rateLimitingEnabled: boolean;
  /** native_transport_max_requests_per_second. */
  maxRequestsPerSecond: number;
}

/** Keys `nodetool setsetting` may change, with the cassandra.yaml name each shows up under. */
export const RUNTIME_SETTING_KEYS = {
  native_transport_max_request_data_in_flight: 'maxRequestDataInFlightBytes',
  native_transport_max_request_data_in_flight_per_ip: 'maxRequestDataInFlightPerIpBytes',
  native_transport_rate_limiting_enabled: 'rateLimitingEnabled',
  native_transport_max_requests_per_second: 'maxRequestsPerSecond',
} as const satisfies Record<string, keyof OverloadSettings>;
export type RuntimeSettingKey = keyof typeof RUNTIME_SETTING_KEYS;

const INT_MAX = 2 ** 31 - 1;

export type SettingsListener = (settings: Readonly<OverloadSettings>) => void;

/**
 * Where the overload values live. The native transport's settings object (get/set/onChange over
 * a superset of these fields) fits; without one, RuntimeSettings keeps them itself.
 */
export interface OverloadStore {
  get(): Readonly<OverloadSettings>;
  /** Throws ConfigError for a bad value and changes nothing. */
  set(change: Partial<OverloadSettings>): void;
}

export class RuntimeSettings {
  private current: OverloadSettings;
  private readonly store: () => OverloadStore | undefined;
  private readonly listeners = new Set<SettingsListener>();
  /** Extra (name, value) rows owned by other runtime parts (trace probability, audit log...). */
  private readonly extraRows = new Map<string, () => string>();

  /** store: looked up on each use (the transport that owns it may be created later). */
  constructor(private readonly config: Config, store: () => OverloadStore | undefined = () => undefined) {
    this.store = store;
    this.current = {
      maxRequestDataInFlightBytes: config.nativeTransportMaxRequestDataInFlightBytes,
      maxRequestDataInFlightPerIpBytes: config.nativeTransportMaxRequestDataInFlightPerIpBytes,
      rateLimitingEnabled: config.nativeTransportRateLimitingEnabled,
      maxRequestsPerSecond: config.nativeTransportMaxRequestsPerSecond,
    };
  }

  overload(): Readonly<OverloadSettings> {
    return this.store()?.get() ?? this.current;
  }

  /** Called after every change with the new values. Returns an unsubscribe function. */
  onChange(listener: SettingsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Changes one setting from its text form (as nodetool passes it); throws ConfigError on bad input. */
  set(key: string, text: string): void {
    if (!Object.hasOwn(RUNTIME_SETTING_KEYS, key)) {
      throw new ConfigError(`${key} cannot be changed at runtime; settable: ${Object.keys(RUNTIME_SETTING_KEYS).join(', ')}`);
    }
    const field = RUNTIME_SETTING_KEYS[key as RuntimeSettingKey];
    const change: Partial<OverloadSettings> = field === 'rateLimitingEnabled'
      ? { rateLimitingEnabled: parseBool(key, text) }
      : { [field]: parseCount(key, text, field === 'maxRequestsPerSecond' ? 1 : 0) };
    const store = this.store();
    if (store !== undefined) store.set(change);
    else this.current = { ...this.current, ...change };
    const next = this.overload();
    for (const l of this.listeners) l(next);
  }

  /** Adds a row to the settings view, read on each view (e.g. trace_probability). */
  addRow(name: string, read: () => string): void {
    this.extraRows.set(name, read);
  }

  /** (name, value) pairs for system_views.settings: the config with runtime values applied. */
  rows(): [string, string][] {
    const now = this.overload();
    const runtime = new Map<string, string>(Object.entries(RUNTIME_SETTING_KEYS).map(([k, f]) => [k, String(now[f])]));
    const rows = SPECS.flatMap((spec): [string, string][] => {
      const v = this.config[spec.field];
      if (typeof v === 'object' && !Array.isArray(v)) {
        // Nested options show as `<key>_<option>` rows, as Cassandra's settings table does.
        return Object.entries(v).map(([k, sub]) => [`${spec.key}_${snakeCase(k)}`, Array.isArray(sub) ? sub.join(',') : String(sub)]);
      }
      return [[spec.key, runtime.get(spec.key) ?? (Array.isArray(v) ? v.join(',') : String(v))]];
    });
    for (const [name, read] of this.extraRows) rows.push([name, read()]);
    return rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function parseBool(key: string, text: string): boolean {
  const t = text.trim().toLowerCase();
  if (t === 'true' || t === 'on' || t === '1') return true;
  if (t === 'false' || t === 'off' || t === '0') return false;
  throw new ConfigError(`${key}: '${text}' is not a boolean (use true or false)`);
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** A non-negative integer, with an optional size unit (B, KiB, MiB, GiB) for byte settings. */
function parseCount(key: string, text: string, min: number): number {
  const m = /^\s*(\d+)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new ConfigError(`${key}: '${text}' is not a number (bytes may take B, KiB, MiB or GiB)`);
  const n = Number(m[1]) * unit;
  if (!Number.isSafeInteger(n) || n < min || (key.endsWith('per_second') && n > INT_MAX)) {
    throw new ConfigError(`${key}: '${text}' is out of range (at least ${min})`);
  }
  return n;
}
