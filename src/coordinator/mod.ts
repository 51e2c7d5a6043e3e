// src/coordinator: layer 4. Consistency-level reads and writes over the ring's replicas.
//
// Coordinator.write(keyspace, updates, cl)   all updates acknowledged at cl, or a typed error
// Coordinator.writeThen(..., done, nowMs)    the same with a callback (no promise for a local CL ONE write)
// Coordinator.read(keyspace, command, cl)    replicas' answers reconciled at cl
// Coordinator.truncate(table)                TRUNCATE on every node
// serveReplicaRequest(storage, request)      the replica side; cluster messaging calls it
// requirementFor / assureSufficientLiveReplicas   the consistency math, for other coordinators (paxos, batchlog)
export * from './coordinator.js';
export * from './consistency.js';
export * from './transport.js';
export { trimToLimits, liveRowCount, splitRange, reconcileWithMerge, type Reconciler } from './read.js';
export { WRITE_UPDATES_MAX, type WriteDone, type WriteOptions } from './write.js';
