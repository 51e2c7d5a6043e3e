// src/cluster/messaging: layer 2. Internode connections, framing, verbs and their payloads.
//
// MessagingService            listen(), request(to, msg, timeoutMs), send(to, oneWay), handle(verb, fn), stats(), close()
// Message / Verb / VERB_CODES the verbs as one discriminated union and their wire codes
// encodeFrame / FrameDecoder  the frame (length, verb, id, timeout, body, crc32)
// encodeBody / decodeBody     a verb's payload; tables resolve by id (UnknownTable when missing)
// errors                      MessageDropped, RequestTimedOut, ConnectionLost, RemoteFailure, DroppedMessage
export * from './frame.js';
export * from './messages.js';
export * from './errors.js';
export * from './data_codec.js';
export { MalformedMessage } from './_wire.js';
export { MessagingService, DEFAULT_MESSAGING_LIMITS, failureOf } from './service.js';
export type { MessagingLimits, MessagingOptions, MessagingStats, Handler } from './service.js';
export type { OutboundLimits } from './outbound.js';
