// src/auth: layer 4. Roles, passwords and permissions kept in system_auth (written through the
// coordinator like any table), Cassandra's PasswordAuthenticator and CassandraAuthorizer.
//
// new AuthService(options)                 roles + grants + checks, from cassia.yaml's authenticator/authorizer
// auth.setup()                             creates cassandra/cassandra when PasswordAuthenticator finds no role
// auth.login(user, password)               AuthenticationError on bad credentials or NOLOGIN roles
// auth.ensurePermission(user, p, resource) Unauthorized "User x has no P permission on <r> or any of its parents"
// new PasswordAuthenticator({...})         the transport's SASL PLAIN Authenticator (structural)
// redactPasswords(query)                   query text with password literals hidden (audit log)
export * from './resources.js';
export * from './password.js';
export * from './roles.js';
export * from './authorizer.js';
export * from './service.js';
export * from './authenticator.js';
export { AUTH_KEYSPACE, AUTH_SCAN_ROWS_MAX, type AuthCoordinator, type AuthSchema } from './_tables.js';
