// src/schema: layer 1. Keyspace/table/type metadata, CQL types, value codecs, comparators.
export * from './types.js';
export * from './metadata.js';
export * from './literal.js';
