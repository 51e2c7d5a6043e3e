// Named limits of the native transport (cassandra.yaml names where one exists).

import { DEFAULT_MAX_ENVELOPE_BYTES } from '../../protocol/envelope.js';

export interface NativeTransportLimits {
  /** Largest request envelope body (native_transport_max_frame_size); larger ones get a ProtocolError. */
  maxEnvelopeBytes: number;
  /** Requests one connection may have executing at once; beyond it reading pauses (or Overloaded with THROW_ON_OVERLOAD). */
  maxInFlightPerConnection: number;
  /** Open client connections (native_transport_max_concurrent_connections); extra ones are closed at once. */
  maxConnections: number;
  /** Encoded responses buffered for one connection before its input is paused until the socket drains. */
  maxQueuedOutputBytesPerConnection: number;
}

export const MAX_IN_FLIGHT_PER_CONNECTION = 1024;
export const MAX_CONNECTIONS = 4096;
export const MAX_QUEUED_OUTPUT_BYTES_PER_CONNECTION = 64 * 1024 * 1024;

export const DEFAULT_NATIVE_TRANSPORT_LIMITS: NativeTransportLimits = {
  maxEnvelopeBytes: DEFAULT_MAX_ENVELOPE_BYTES,
  maxInFlightPerConnection: MAX_IN_FLIGHT_PER_CONNECTION,
  maxConnections: MAX_CONNECTIONS,
  maxQueuedOutputBytesPerConnection: MAX_QUEUED_OUTPUT_BYTES_PER_CONNECTION,
};
