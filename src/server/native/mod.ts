// src/server/native: the native protocol transport (CQL front door).
export * from './transport.js';
export * from './limits.js';
export { InFlightBudget, RequestRateLimiter, type BudgetSnapshot, type BudgetDecision } from './overload.js';
export { CQL_VERSION, SILENT_LOGGER, validateStartup, type TransportLogger } from './connection.js';
export type { TransportHooks, TransportMetrics, AuthEvent } from './hooks.js';
