// src/coordinator/schema: the node's schema (keyspaces, tables, user types) and its change log.
// See README.md for the API contract, the log and the persistence format.
export { SchemaManager, SCHEMA_LOG_RETAINED } from './manager.js';
export type { SchemaManagerOptions, SchemaLogEntry, DdlResult, SchemaChangeEvent, SchemaListener } from './manager.js';
export type { SchemaChange, SchemaTarget } from './plan.js';
export type { DroppedColumn, SchemaOp, TableEffects } from './state.js';
export * from './ddl.js';
export { resolveType, parseTypeExpr, parseNativeTypeString, schemaTypeString, quoteIfNeeded, referencesUserType } from './types.js';
export type { TypeScope, TypePlace } from './types.js';
export { replicationToMap, LOCATOR_PACKAGE } from './options.js';
export {
  SYSTEM, SYSTEM_SCHEMA, SYSTEM_AUTH, SYSTEM_DISTRIBUTED, SYSTEM_TRACES, SYSTEM_VIEWS, SYSTEM_VIRTUAL_SCHEMA,
  LOCAL_SYSTEM_KEYSPACES, REPLICATED_SYSTEM_KEYSPACES, VIRTUAL_KEYSPACES, isSystemKeyspace,
} from './system_keyspaces.js';
export { isSchemaStatement, ddlFromAst, typeFromAst } from './fromAst.js';
export type { SchemaStatement } from './fromAst.js';
