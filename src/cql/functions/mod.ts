// src/cql/functions: CQL's native functions, aggregates and arithmetic operators over serialized
// values. Pure: the clock and randomness come in through FunctionContext.
export * from './scalar.js';
export * from './aggregates.js';
export * from './arithmetic.js';
export * from './numeric.js';
