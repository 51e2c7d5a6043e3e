// src/protocol: layer 2. Native protocol v4/v5: envelopes, v5 segments, compression, messages
// as discriminated unions, and the interfaces between the transport and the node.
export * from './messages.js';
export * from './handler.js';
export * from './envelope.js';
export * from './primitives.js';
export * from './type_option.js';
export * from './codec.js';
export * from './compression.js';
export * from './segment.js';
export * from './decoder.js';
