// src/cluster/ring: layer 2. Tokens, ranges, vnodes, token metadata and replica placement.
//
// Ring.replicasFor(strategy, token)   replicas of a token, primary first (cached per ring version)
// TokenMetadata                       endpoint → tokens, host id, DC, rack; bumps `version` on change
// allocateRandomTokens(n, random)     num_tokens random distinct tokens for a new endpoint
// parseReplication(options, ctx)      CQL replication map → ReplicationStrategy + warnings (throws ConfigError)
// replicationOptions(strategy)        ReplicationStrategy → system_schema replication map
export * from './token.js';
export * from './metadata.js';
export * from './vnodes.js';
export * from './strategy.js';
export * from './replication.js';
export * from './ring.js';
