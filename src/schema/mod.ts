// src/schema: layer 1. Keyspace/table/type metadata, CQL types, value codecs, comparators.
export * from './types.js';
export * from './metadata.js';
export * from './literal.js';
export * from './compare.js';
export * from './codec.js';
export * from './bignum.js';
export * from './temporal.js';
export * from './duration.js';
export * from './inet.js';
export * from './uuid.js';
export * from './composite.js';
export * from './fromliteral.js';
export * from './format.js';
export * from './json.js';
