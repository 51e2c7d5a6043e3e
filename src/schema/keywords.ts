// CQL's reserved words. They live here, below the parser, so that formatting identifiers for
// CQL text (DESCRIBE, UDT literals) quotes exactly the words the parser would refuse.

/** Reserved words of cql_singlefile.adoc Appendix A: never identifiers unless double-quoted. */
export const APPENDIX_A_RESERVED_KEYWORDS: ReadonlySet<string> = new Set([
  'add', 'allow', 'alter', 'and', 'apply', 'asc', 'authorize', 'batch', 'begin', 'by', 'columnfamily',
  'create', 'default', 'delete', 'desc', 'describe', 'drop', 'entries', 'execute', 'from', 'full', 'grant',
  'if', 'in', 'index', 'infinity', 'insert', 'into', 'is', 'keyspace', 'limit', 'materialized', 'mbean',
  'mbeans', 'modify', 'nan', 'norecursive', 'not', 'null', 'of', 'on', 'or', 'order', 'primary', 'rename',
  'replace', 'revoke', 'schema', 'select', 'set', 'table', 'to', 'token', 'truncate', 'unlogged', 'unset',
  'update', 'use', 'using', 'view', 'where', 'with',
]);

