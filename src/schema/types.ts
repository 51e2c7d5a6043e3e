// CQL data types as a discriminated union on `kind`.
//
// Native type names are CQL's own. `varchar` is parsed as `text`. Collections may be frozen;
// tuples and UDTs are always frozen when nested (CQL requires it), and `frozen` records it for
// top-level UDT columns. Codecs, comparators and CQL/JSON literal formatting live beside this file.

export type NativeTypeName =
  | 'ascii' | 'bigint' | 'blob' | 'boolean' | 'counter' | 'date' | 'decimal' | 'double'
  | 'duration' | 'float' | 'inet' | 'int' | 'smallint' | 'text' | 'time' | 'timestamp'
  | 'timeuuid' | 'tinyint' | 'uuid' | 'varint' | 'empty';

export type CqlType =
  | { kind: 'native'; name: NativeTypeName }
  | { kind: 'list'; element: CqlType; frozen: boolean }
  | { kind: 'set'; element: CqlType; frozen: boolean }
  | { kind: 'map'; key: CqlType; value: CqlType; frozen: boolean }
  | { kind: 'tuple'; elements: CqlType[] }
  | { kind: 'udt'; keyspace: string; name: string; fieldNames: string[]; fieldTypes: CqlType[]; frozen: boolean }
  | { kind: 'custom'; className: string };

export const NATIVE_TYPE_NAMES: readonly NativeTypeName[] = [
  'ascii', 'bigint', 'blob', 'boolean', 'counter', 'date', 'decimal', 'double', 'duration', 'float',
  'inet', 'int', 'smallint', 'text', 'time', 'timestamp', 'timeuuid', 'tinyint', 'uuid', 'varint',
];

export function native(name: NativeTypeName): CqlType {
  return { kind: 'native', name };
}

/** True for non-frozen collections and non-frozen UDTs: stored as one cell per element/field. */
export function isMultiCell(t: CqlType): boolean {
  switch (t.kind) {
    case 'list': case 'set': case 'map': case 'udt': return !t.frozen;
    default: return false;
  }
}

/** The type as CQL writes it, e.g. `frozen<map<text, int>>`. */
export function typeToCql(t: CqlType): string {
  switch (t.kind) {
    case 'native': return t.name;
    case 'list': return wrapFrozen(`list<${typeToCql(t.element)}>`, t.frozen);
    case 'set': return wrapFrozen(`set<${typeToCql(t.element)}>`, t.frozen);
    case 'map': return wrapFrozen(`map<${typeToCql(t.key)}, ${typeToCql(t.value)}>`, t.frozen);
    case 'tuple': return `frozen<tuple<${t.elements.map(typeToCql).join(', ')}>>`;
    case 'udt': return wrapFrozen(t.name, t.frozen);
    case 'custom': return `'${t.className}'`;
  }
}

function wrapFrozen(s: string, frozen: boolean): string {
  return frozen ? `frozen<${s}>` : s;
}
