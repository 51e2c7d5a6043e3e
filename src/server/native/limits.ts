// Named limits of the native transport (cassandra.yaml names where one exists), and the
// runtime-changeable settings object that holds them (nodetool and system_views.settings).

import { ConfigError } from '../../util/errors.js';
import { DEFAULT_MAX_ENVELOPE_BYTES, SPEC_MAX_ENVELOPE_BYTES } from '../../protocol/envelope.js';

export interface NativeTransportLimits {
  /** Largest request envelope body (native_transport_max_frame_size); larger ones get a ProtocolError. Read when a connection opens. */
  maxEnvelopeBytes: number;
  /** Requests one connection may have executing at once; beyond it reading pauses (or Overloaded with THROW_ON_OVERLOAD). */
  maxInFlightPerConnection: number;
  /** Open client connections (native_transport_max_concurrent_connections); extra ones are closed at once. */
  maxConnections: number;
  /** Encoded responses buffered for one connection before its input is paused until the socket drains. */
  maxQueuedOutputBytesPerConnection: number;
  /** native_transport_max_request_data_in_flight: request bytes read and not yet answered, whole node. */
  maxRequestDataInFlightBytes: number;
  /** native_transport_max_request_data_in_flight_per_ip: the same, per client IP address. */
  maxRequestDataInFlightPerIpBytes: number;
  /** native_transport_rate_limiting_enabled. */
  rateLimitingEnabled: boolean;
  /** native_transport_max_requests_per_second (QUERY, PREPARE, EXECUTE, BATCH), whole node. */
  maxRequestsPerSecond: number;
  /** native_transport_timeout: a request that waited longer than this before it could start is answered Overloaded. */
  requestTimeoutMs: number;
  /** TCP keepalive probe delay for client sockets (finds half-open connections); 0 disables. */
  keepAliveDelayMs: number;
}

export const MAX_IN_FLIGHT_PER_CONNECTION = 1024;
export const MAX_CONNECTIONS = 4096;
export const MAX_QUEUED_OUTPUT_BYTES_PER_CONNECTION = 64 * 1024 * 1024;
export const MAX_REQUEST_DATA_IN_FLIGHT_BYTES = 128 * 1024 * 1024;
export const MAX_REQUEST_DATA_IN_FLIGHT_PER_IP_BYTES = 32 * 1024 * 1024;
export const MAX_REQUESTS_PER_SECOND = 1_000_000;
export const NATIVE_TRANSPORT_TIMEOUT_MS = 12_000;
export const KEEPALIVE_DELAY_MS = 60_000;

export const DEFAULT_NATIVE_TRANSPORT_LIMITS: Readonly<NativeTransportLimits> = Object.freeze({
  maxEnvelopeBytes: DEFAULT_MAX_ENVELOPE_BYTES,
  maxInFlightPerConnection: MAX_IN_FLIGHT_PER_CONNECTION,
  maxConnections: MAX_CONNECTIONS,
  maxQueuedOutputBytesPerConnection: MAX_QUEUED_OUTPUT_BYTES_PER_CONNECTION,
  maxRequestDataInFlightBytes: MAX_REQUEST_DATA_IN_FLIGHT_BYTES,
  maxRequestDataInFlightPerIpBytes: MAX_REQUEST_DATA_IN_FLIGHT_PER_IP_BYTES,
  rateLimitingEnabled: false,
  maxRequestsPerSecond: MAX_REQUESTS_PER_SECOND,
  requestTimeoutMs: NATIVE_TRANSPORT_TIMEOUT_MS,
  keepAliveDelayMs: KEEPALIVE_DELAY_MS,
});

export type TransportSettingsListener = (limits: Readonly<NativeTransportLimits>) => void;

/**
 * The transport's limits, changeable while the node runs. The transport calls get() on each
 * decision, so a set() applies to the next request; raising an in-flight limit also resumes
 * connections paused under the old one.
 */
export interface TransportSettings {
  /** The current values (a frozen snapshot; a set() replaces it). */
  get(): Readonly<NativeTransportLimits>;
  /** Changes some values; throws ConfigError naming the cassandra.yaml key of a bad value and changes nothing. */
  set(change: Partial<NativeTransportLimits>): void;
  /** Runs listener after each successful set(); returns the unsubscribe function. */
  onChange(listener: TransportSettingsListener): () => void;
}

/** cassandra.yaml names of the settings (for messages, nodetool and system_views.settings). */
export const TRANSPORT_SETTING_NAMES: Readonly<Record<keyof NativeTransportLimits, string>> = {
  maxEnvelopeBytes: 'native_transport_max_frame_size',
  maxInFlightPerConnection: 'native_transport_max_requests_in_flight_per_connection',
  maxConnections: 'native_transport_max_concurrent_connections',
  maxQueuedOutputBytesPerConnection: 'native_transport_max_queued_output_per_connection',
  maxRequestDataInFlightBytes: 'native_transport_max_request_data_in_flight',
  maxRequestDataInFlightPerIpBytes: 'native_transport_max_request_data_in_flight_per_ip',
  rateLimitingEnabled: 'native_transport_rate_limiting_enabled',
  maxRequestsPerSecond: 'native_transport_max_requests_per_second',
  requestTimeoutMs: 'native_transport_timeout',
  keepAliveDelayMs: 'native_transport_keepalive_delay',
};

export class TransportSettingsStore implements TransportSettings {
  private current: Readonly<NativeTransportLimits>;
  private readonly listeners = new Set<TransportSettingsListener>();

  constructor(initial: Partial<NativeTransportLimits> = {}) {
    this.current = checkedLimits({ ...DEFAULT_NATIVE_TRANSPORT_LIMITS, ...initial });
  }

  get(): Readonly<NativeTransportLimits> {
    return this.current;
  }

  set(change: Partial<NativeTransportLimits>): void {
    this.current = checkedLimits({ ...this.current, ...change });
    for (const l of this.listeners) l(this.current);
  }

  onChange(listener: TransportSettingsListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }
}

/** Validates a complete limits object and freezes it; throws ConfigError naming the key. */
export function checkedLimits(l: NativeTransportLimits): Readonly<NativeTransportLimits> {
  const atLeast = (field: keyof NativeTransportLimits, min: number): void => {
    const v = l[field];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      throw new ConfigError(`${TRANSPORT_SETTING_NAMES[field]}: ${String(v)} is not an integer of at least ${min}`);
    }
  };
  atLeast('maxEnvelopeBytes', 1);
  if (l.maxEnvelopeBytes > SPEC_MAX_ENVELOPE_BYTES) throw new ConfigError(`${TRANSPORT_SETTING_NAMES.maxEnvelopeBytes}: ${l.maxEnvelopeBytes} is above the protocol's ${SPEC_MAX_ENVELOPE_BYTES}`);
  atLeast('maxInFlightPerConnection', 1);
  atLeast('maxConnections', 1);
  atLeast('maxQueuedOutputBytesPerConnection', 1);
  atLeast('maxRequestDataInFlightBytes', 1);
  atLeast('maxRequestDataInFlightPerIpBytes', 1);
  atLeast('maxRequestsPerSecond', 1);
  atLeast('requestTimeoutMs', 1);
  atLeast('keepAliveDelayMs', 0);
  if (typeof l.rateLimitingEnabled !== 'boolean') throw new ConfigError(`${TRANSPORT_SETTING_NAMES.rateLimitingEnabled}: ${String(l.rateLimitingEnabled)} is not a boolean`);
  return Object.freeze({ ...l });
}

/** The subset of the node's Config the transport takes its starting limits from. */
export interface TransportConfigSource {
  nativeTransportMaxFrameSizeBytes: number;
  nativeTransportMaxRequestDataInFlightBytes: number;
  nativeTransportMaxRequestDataInFlightPerIpBytes: number;
  nativeTransportRateLimitingEnabled: boolean;
  nativeTransportMaxRequestsPerSecond: number;
  /** native_transport_timeout (not in Config yet: defaults to 12 s). */
  nativeTransportTimeoutMs?: number;
  /** native_transport_max_concurrent_connections (not in Config yet). */
  nativeTransportMaxConcurrentConnections?: number;
}

/** Starting limits from the node's Config (pass a Config; only these fields are read). */
export function transportLimitsFromConfig(config: TransportConfigSource): Partial<NativeTransportLimits> {
  const out: Partial<NativeTransportLimits> = {
    maxEnvelopeBytes: config.nativeTransportMaxFrameSizeBytes,
    maxRequestDataInFlightBytes: config.nativeTransportMaxRequestDataInFlightBytes,
    maxRequestDataInFlightPerIpBytes: config.nativeTransportMaxRequestDataInFlightPerIpBytes,
    rateLimitingEnabled: config.nativeTransportRateLimitingEnabled,
    maxRequestsPerSecond: config.nativeTransportMaxRequestsPerSecond,
  };
  if (config.nativeTransportTimeoutMs !== undefined) out.requestTimeoutMs = config.nativeTransportTimeoutMs;
  if (config.nativeTransportMaxConcurrentConnections !== undefined) out.maxConnections = config.nativeTransportMaxConcurrentConnections;
  return out;
}
