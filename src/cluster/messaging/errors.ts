// Operating errors of internode messaging: values a caller handles, not bugs.

import type { Verb } from './messages.js';

/** Why an outbound message was dropped before it reached the wire. */
export type DropReason = 'queue_full' | 'expired' | 'too_many_in_flight' | 'closed' | 'too_large';

/** A message that was not sent; counted per verb and reason in MessagingStats. */
export interface DroppedMessage {
  peer: string;
  verb: Verb;
  reason: DropReason;
  sizeBytes: number;
}

export class MessageDropped extends Error {
  override name = 'MessageDropped';
  constructor(readonly dropped: DroppedMessage) {
    super(`${dropped.verb} to ${dropped.peer} dropped (${dropped.reason}, ${dropped.sizeBytes} bytes)`);
  }
}

export class RequestTimedOut extends Error {
  override name = 'RequestTimedOut';
  constructor(readonly peer: string, readonly verb: Verb, readonly timeoutMs: number) {
    super(`${verb} to ${peer} got no answer within ${timeoutMs} ms`);
  }
}

/** The connection a request went out on closed before the answer came. */
export class ConnectionLost extends Error {
  override name = 'ConnectionLost';
  constructor(readonly peer: string, readonly verb: Verb) {
    super(`connection to ${peer} closed before ${verb} was answered`);
  }
}

/** The peer answered FAILURE_RSP: its error's name, message and details travel back. */
export class RemoteFailure extends Error {
  override name = 'RemoteFailure';
  constructor(readonly peer: string, readonly errorName: string, message: string, readonly details: Record<string, string>) {
    super(message);
  }
}
