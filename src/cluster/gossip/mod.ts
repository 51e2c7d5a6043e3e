// src/cluster/gossip: layer 3. Membership, heartbeats, failure detection, ring and schema agreement.
//
// Gossiper              endpoint states spread by SYN/ACK/ACK2 rounds; isAlive(e); subscribe(listener); setLocal(name, value)
// FailureDetector       phi accrual over heartbeat arrivals (phi_convict_threshold, default 8)
// syncRingFromGossip    keeps TokenMetadata equal to the NORMAL endpoints' TOKENS/HOST_ID/DC/RACK
// SchemaSync            SCHEMA/SCHEMA_SEQ in gossip, pull/push of log entries, DDL executed at the schema leader
export * from './state.js';
export * from './failure_detector.js';
export * from './gossiper.js';
export * from './topology.js';
export * from './schema_sync.js';
