// A compact, stable one-line rendering of AST nodes, for table-driven tests and debugging.
// Generic over the node shapes: `(kind key=value ...)` for nodes, `[a b]` for arrays, literals as
// `kind:text` (strings quoted), spans and bind marker lists left out, false/empty/undefined omitted.
//
//   SELECT a FROM t WHERE k = 1   →   (select table={name=t} selection=(items items=[...]) where=[(compare column=k op== value=integer:1)])

const SKIPPED_KEYS: ReadonlySet<string> = new Set(['span', 'bindMarkers']);
const LITERAL_KINDS: ReadonlySet<string> = new Set(['string', 'integer', 'float', 'boolean', 'uuid', 'hex', 'duration']);
const PLAIN_WORD = /^[A-Za-z0-9_.$<>=!*%+\-/]+$/;

/** Renders any AST value (statement, term, type...) as one line. */
export function summarize(value: unknown): string {
  if (value === null || value === undefined) return '_';
  if (typeof value === 'string') return PLAIN_WORD.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(summarize).join(' ')}]`;
  if (typeof value !== 'object') return String(value);
  const obj = value as Record<string, unknown>;
  const literalText = asLiteral(obj);
  if (literalText !== undefined) return literalText;
  if (obj['kind'] === 'literal' && typeof obj['value'] === 'object') return summarize(obj['value']);
  const parts: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'kind' || SKIPPED_KEYS.has(k) || v === undefined || v === false) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    parts.push(v === true ? k : `${k}=${summarize(v)}`);
  }
  if (typeof obj['kind'] === 'string') return `(${[obj['kind'], ...parts].join(' ')})`;
  return `{${parts.join(' ')}}`;
}

function asLiteral(obj: Record<string, unknown>): string | undefined {
  const keys = Object.keys(obj);
  if (keys.length !== 2 || typeof obj['kind'] !== 'string' || typeof obj['text'] !== 'string') return undefined;
  if (!LITERAL_KINDS.has(obj['kind'])) return undefined;
  const text = obj['kind'] === 'string' ? JSON.stringify(obj['text']) : obj['text'];
  return `${obj['kind']}:${text}`;
}
