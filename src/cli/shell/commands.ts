// Shell command parsing: one statement (from split.ts) becomes a Command. Statements that are not
// shell commands are CQL, sent to the server as written.

export type DescribeTarget =
  | { kind: 'keyspaces' }
  | { kind: 'keyspace'; keyspace?: string }
  | { kind: 'tables' }
  | { kind: 'table'; keyspace?: string; name: string }
  | { kind: 'types' }
  | { kind: 'type'; keyspace?: string; name: string }
  | { kind: 'cluster' }
  | { kind: 'schema'; full: boolean }
  | { kind: 'object'; keyspace?: string; name: string };

export type Toggle = { kind: 'show' } | { kind: 'set'; on: boolean };
export type PagingSetting = { kind: 'show' } | { kind: 'set'; on: boolean } | { kind: 'size'; pageSize: number };

export type Command =
  | { kind: 'cql'; text: string }
  | { kind: 'describe'; target: DescribeTarget }
  | { kind: 'consistency'; level?: string }
  | { kind: 'serial_consistency'; level?: string }
  | { kind: 'tracing'; setting: Toggle }
  | { kind: 'expand'; setting: Toggle }
  | { kind: 'paging'; setting: PagingSetting }
  | { kind: 'source'; file: string }
  | { kind: 'show'; what: 'version' | 'host' }
  | { kind: 'help'; topic?: string }
  | { kind: 'exit' }
  | { kind: 'clear' }
  | { kind: 'invalid'; message: string };

export const CONSISTENCY_LEVELS = [
  'ANY', 'ONE', 'TWO', 'THREE', 'QUORUM', 'ALL', 'LOCAL_QUORUM', 'EACH_QUORUM', 'SERIAL', 'LOCAL_SERIAL', 'LOCAL_ONE',
] as const;
export const SERIAL_CONSISTENCY_LEVELS = ['SERIAL', 'LOCAL_SERIAL'] as const;

/** Largest page size PAGING accepts. */
export const PAGE_SIZE_MAX = 100_000;

/** Splits a statement into words, keeping quoted parts ('...' or "...") whole. */
function words(text: string): string[] {
  return text.match(/'(?:[^']|'')*'|"(?:[^"]|"")*"|[^\s]+/g) ?? [];
}

/** An identifier as written: "Quoted" keeps case (with "" unescaped), bare is lowercased. */
export function unquoteIdentifier(word: string): string {
  if (word.length >= 2 && word.startsWith('"') && word.endsWith('"')) return word.slice(1, -1).replace(/""/g, '"');
  return word.toLowerCase();
}

/** `ks.name` or `name` into its parts, respecting quotes. */
export function parseQualifiedName(text: string): { keyspace?: string; name: string } | undefined {
  const m = /^("(?:[^"]|"")+"|[A-Za-z0-9_]+)(?:\.("(?:[^"]|"")+"|[A-Za-z0-9_]+))?$/.exec(text.trim());
  if (!m) return undefined;
  if (m[2] === undefined) return { name: unquoteIdentifier(m[1]!) };
  return { keyspace: unquoteIdentifier(m[1]!), name: unquoteIdentifier(m[2]) };
}

/** Classifies one statement. Never throws: a malformed shell command is `invalid`. */
export function parseCommand(statement: string): Command {
  const text = statement.trim().replace(/;+\s*$/, '').trim();
  const parts = words(text);
  const first = (parts[0] ?? '').toUpperCase();
  const rest = parts.slice(1);
  switch (first) {
    case 'DESCRIBE':
    case 'DESC': return parseDescribe(rest);
    case 'CONSISTENCY': return parseConsistency(rest);
    case 'SERIAL': return parseSerialConsistency(rest);
    case 'TRACING': return toggle('tracing', rest);
    case 'EXPAND': return toggle('expand', rest);
    case 'PAGING': return parsePaging(rest);
    case 'SOURCE': return parseSource(rest);
    case 'SHOW': return parseShow(rest);
    case 'HELP':
    case '?': return rest.length === 0 ? { kind: 'help' } : { kind: 'help', topic: rest.join(' ').toUpperCase() };
    case 'EXIT':
    case 'QUIT': return rest.length === 0 ? { kind: 'exit' } : invalid(`Improper ${first} command.`);
    case 'CLEAR':
    case 'CLS': return { kind: 'clear' };
    default: return { kind: 'cql', text };
  }
}

function invalid(message: string): Command {
  return { kind: 'invalid', message };
}

function parseDescribe(rest: string[]): Command {
  const what = (rest[0] ?? '').toUpperCase();
  const arg = rest.slice(1).join('');
  const named = (kind: 'table' | 'type', text: string): Command => {
    const q = parseQualifiedName(text);
    if (!q) return invalid(`Improper DESCRIBE ${kind.toUpperCase()} command: expected a name.`);
    return { kind: 'describe', target: { kind, name: q.name, ...(q.keyspace !== undefined ? { keyspace: q.keyspace } : {}) } };
  };
  switch (what) {
    case '': return invalid('Improper DESCRIBE command: say what to describe (see HELP DESCRIBE).');
    case 'KEYSPACES': return { kind: 'describe', target: { kind: 'keyspaces' } };
    case 'KEYSPACE': {
      if (arg === '') return { kind: 'describe', target: { kind: 'keyspace' } };
      const q = parseQualifiedName(arg);
      if (!q || q.keyspace !== undefined) return invalid('Improper DESCRIBE KEYSPACE command: expected a keyspace name.');
      return { kind: 'describe', target: { kind: 'keyspace', keyspace: q.name } };
    }
    case 'TABLES':
    case 'COLUMNFAMILIES': return { kind: 'describe', target: { kind: 'tables' } };
    case 'TABLE':
    case 'COLUMNFAMILY': return named('table', arg);
    case 'TYPES': return { kind: 'describe', target: { kind: 'types' } };
    case 'TYPE': return named('type', arg);
    case 'CLUSTER': return { kind: 'describe', target: { kind: 'cluster' } };
    case 'SCHEMA': return { kind: 'describe', target: { kind: 'schema', full: false } };
    case 'FULL':
      if ((rest[1] ?? '').toUpperCase() === 'SCHEMA' && rest.length === 2) return { kind: 'describe', target: { kind: 'schema', full: true } };
      return invalid('Improper DESCRIBE FULL command: expected DESCRIBE FULL SCHEMA.');
    default: {
      const q = parseQualifiedName(rest.join(''));
      if (!q) return invalid(`Improper DESCRIBE command: unknown object ${rest.join(' ')}.`);
      return { kind: 'describe', target: { kind: 'object', name: q.name, ...(q.keyspace !== undefined ? { keyspace: q.keyspace } : {}) } };
    }
  }
}

function parseConsistency(rest: string[]): Command {
  if (rest.length === 0) return { kind: 'consistency' };
  const level = rest[0]!.toUpperCase();
  if (rest.length > 1 || !(CONSISTENCY_LEVELS as readonly string[]).includes(level)) {
    return invalid(`Improper CONSISTENCY command: ${rest.join(' ')} is not a consistency level (${CONSISTENCY_LEVELS.join(', ')}).`);
  }
  return { kind: 'consistency', level };
}

function parseSerialConsistency(rest: string[]): Command {
  if ((rest[0] ?? '').toUpperCase() !== 'CONSISTENCY') return { kind: 'cql', text: ['SERIAL', ...rest].join(' ') };
  if (rest.length === 1) return { kind: 'serial_consistency' };
  const level = rest[1]!.toUpperCase();
  if (rest.length > 2 || !(SERIAL_CONSISTENCY_LEVELS as readonly string[]).includes(level)) {
    return invalid(`Improper SERIAL CONSISTENCY command: ${rest.slice(1).join(' ')} is not SERIAL or LOCAL_SERIAL.`);
  }
  return { kind: 'serial_consistency', level };
}

function onOff(word: string | undefined): boolean | undefined {
  const w = (word ?? '').toUpperCase();
  return w === 'ON' ? true : w === 'OFF' ? false : undefined;
}

function toggle(kind: 'tracing' | 'expand', rest: string[]): Command {
  if (rest.length === 0) return { kind, setting: { kind: 'show' } };
  const on = onOff(rest[0]);
  if (on === undefined || rest.length > 1) return invalid(`Improper ${kind.toUpperCase()} command: expected ON or OFF.`);
  return { kind, setting: { kind: 'set', on } };
}

function parsePaging(rest: string[]): Command {
  if (rest.length === 0) return { kind: 'paging', setting: { kind: 'show' } };
  if (rest.length > 1) return invalid('Improper PAGING command: expected ON, OFF or a page size.');
  const on = onOff(rest[0]);
  if (on !== undefined) return { kind: 'paging', setting: { kind: 'set', on } };
  const size = /^\d+$/.test(rest[0]!) ? Number(rest[0]) : NaN;
  if (!Number.isSafeInteger(size) || size < 1 || size > PAGE_SIZE_MAX) {
    return invalid(`Improper PAGING command: page size must be an integer from 1 to ${PAGE_SIZE_MAX}.`);
  }
  return { kind: 'paging', setting: { kind: 'size', pageSize: size } };
}

function parseSource(rest: string[]): Command {
  const arg = rest.join(' ').trim();
  const m = /^'((?:[^']|'')*)'$/.exec(arg);
  if (!m) return invalid("Improper SOURCE command: expected SOURCE 'file'.");
  return { kind: 'source', file: m[1]!.replace(/''/g, "'") };
}

function parseShow(rest: string[]): Command {
  const what = (rest[0] ?? '').toUpperCase();
  if (rest.length === 1 && what === 'VERSION') return { kind: 'show', what: 'version' };
  if (rest.length === 1 && what === 'HOST') return { kind: 'show', what: 'host' };
  return invalid('Improper SHOW command: expected SHOW VERSION or SHOW HOST.');
}
