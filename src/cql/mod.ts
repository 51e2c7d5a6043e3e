// src/cql: layer 2. Lexer, parser and the typed AST of CQL statements (no I/O, no schema lookups).
export * from './ast.js';
export { parseStatement, parseStatements, parseTypeString, SCRIPT_STATEMENTS_MAX, CQL_NESTING_DEPTH_MAX, RESERVED_KEYWORDS, APPENDIX_A_RESERVED_KEYWORDS, CQL_TEXT_LENGTH_MAX, BATCH_STATEMENTS_MAX } from './parser.js';
export type { ScriptStatement } from './parser.js';
export { tokenize } from './lexer.js';
export { summarize } from './summary.js';
export type { Token, TokenType } from './lexer.js';
