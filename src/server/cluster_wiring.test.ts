import test from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionLost, MessageDropped, RemoteFailure, RequestTimedOut } from '../cluster/messaging/mod.js';
import { FAILURE_REASON, ReplicaFailed, ReplicaNoAnswer } from '../coordinator/transport.js';
import { classifyReplicaError } from './cluster_wiring.js';

test('classifyReplicaError: timeouts and expiry are no answer; other errors are failures with Cassandra reason codes', () => {
  const peer = '127.0.0.2';
  const cases: { error: unknown; kind: 'no_answer' | number }[] = [
    { error: new RequestTimedOut(peer, 'MUTATION', 3000), kind: 'no_answer' },
    { error: new MessageDropped({ peer, verb: 'MUTATION', reason: 'expired', sizeBytes: 10 }), kind: 'no_answer' },
    { error: new MessageDropped({ peer, verb: 'MUTATION', reason: 'queue_full', sizeBytes: 10 }), kind: FAILURE_REASON.UNKNOWN },
    { error: new MessageDropped({ peer, verb: 'MUTATION', reason: 'closed', sizeBytes: 10 }), kind: FAILURE_REASON.NODE_DOWN },
    { error: new ConnectionLost(peer, 'MUTATION'), kind: FAILURE_REASON.NODE_DOWN },
    { error: new RemoteFailure(peer, 'UnknownTable', 'no table 1234', {}), kind: FAILURE_REASON.INCOMPATIBLE_SCHEMA },
    { error: new RemoteFailure(peer, 'ReadFailure', 'tombstones', { reasonCode: '1' }), kind: FAILURE_REASON.READ_TOO_MANY_TOMBSTONES },
    { error: new RemoteFailure(peer, 'WriteFailure', 'commit log full', {}), kind: FAILURE_REASON.UNKNOWN },
    { error: new Error('boom'), kind: FAILURE_REASON.UNKNOWN },
  ];
  for (const { error, kind } of cases) {
    const c = classifyReplicaError(peer, 'MUTATION', error);
    if (kind === 'no_answer') {
      assert.ok(c instanceof ReplicaNoAnswer, `${String(error)} → ${c.name}`);
    } else {
      assert.ok(c instanceof ReplicaFailed, `${String(error)} → ${c.name}`);
      assert.equal(c.reasonCode, kind, String(error));
      assert.match(c.message, new RegExp((error as Error).message.replace(/[()]/g, '.')));
    }
    assert.equal((c as ReplicaFailed | ReplicaNoAnswer).endpoint, peer);
  }
});
