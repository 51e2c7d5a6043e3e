// src/cql: layer 2. Lexer, parser and the typed AST of CQL statements (no I/O, no schema lookups).
export * from './ast.js';
