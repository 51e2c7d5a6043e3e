// Row filters (ALLOW FILTERING): relations on non-key columns, or on key columns that could not
// become partition keys or clustering slices, checked against each row after the read.

import type { CompareOp } from '../../cql/ast.js';
import type { ColumnMetadata, TableMetadata } from '../../schema/metadata.js';
import { comparatorFor } from '../../schema/compare.js';
import { InvalidRequest } from '../../util/errors.js';
import { UNSET } from '../../protocol/messages.js';
import type { ExecContext } from './_context.js';
import type { Filter } from './_where.js';
import { receiverOf } from './_where.js';
import { evalTerm, evalIn } from './_terms.js';
import { columnValue, type RowView } from './_rows.js';
import { deserializeElements, deserializeMap } from './_bytes.js';

export type BoundFilter =
  | { kind: 'compare'; column: ColumnMetadata; op: CompareOp; value: Buffer | null }
  | { kind: 'in'; column: ColumnMetadata; values: Buffer[] }
  | { kind: 'contains'; column: ColumnMetadata; value: Buffer }
  | { kind: 'contains_key'; column: ColumnMetadata; value: Buffer }
  | { kind: 'element_compare'; column: ColumnMetadata; key: Buffer; op: CompareOp; value: Buffer }
  | { kind: 'is_not_null'; column: ColumnMetadata };

function required(v: Buffer | null | typeof UNSET, column: string): Buffer {
  if (v === null) throw new InvalidRequest(`Invalid null value in condition for column ${column}`);
  if (v === UNSET) throw new InvalidRequest(`Invalid unset value for column ${column}`);
  return v;
}

export function bindFilters(table: TableMetadata, filters: Filter[], ctx: ExecContext): BoundFilter[] {
  return filters.map((f): BoundFilter => {
    const r = receiverOf(table, f.column);
    const t = f.column.type;
    switch (f.kind) {
      case 'compare': return { kind: 'compare', column: f.column, op: f.op, value: required(evalTerm(f.term, r, ctx), f.column.name) };
      case 'in': return { kind: 'in', column: f.column, values: evalIn(f.values, r, ctx) };
      case 'contains': {
        const el = t.kind === 'map' ? t.value : t.kind === 'list' || t.kind === 'set' ? t.element : t;
        return { kind: 'contains', column: f.column, value: required(evalTerm(f.term, { ...r, type: el }, ctx), f.column.name) };
      }
      case 'contains_key': {
        const kt = t.kind === 'map' ? t.key : t;
        return { kind: 'contains_key', column: f.column, value: required(evalTerm(f.term, { ...r, type: kt }, ctx), f.column.name) };
      }
      case 'element_compare': {
        if (t.kind !== 'map') throw new InvalidRequest(`Column ${f.column.name} is not a map`);
        return {
          kind: 'element_compare', column: f.column, op: f.op,
          key: required(evalTerm(f.key, { ...r, type: t.key }, ctx), f.column.name),
          value: required(evalTerm(f.term, { ...r, type: t.value }, ctx), f.column.name),
        };
      }
      case 'is_not_null': return { kind: 'is_not_null', column: f.column };
    }
  });
}

export function compareOp(op: CompareOp, r: number): boolean {
  switch (op) {
    case '=': return r === 0;
    case '!=': return r !== 0;
    case '<': return r < 0;
    case '<=': return r <= 0;
    case '>': return r > 0;
    case '>=': return r >= 0;
  }
}

export function rowMatches(filters: BoundFilter[], view: RowView, _ctx: ExecContext): boolean {
  for (const f of filters) if (!matches(f, view)) return false;
  return true;
}

function matches(f: BoundFilter, view: RowView): boolean {
  const v = columnValue(view, f.column);
  const t = f.column.type;
  switch (f.kind) {
    case 'is_not_null': return v !== null;
    case 'compare': {
      if (v === null || f.value === null) return false;
      return compareOp(f.op, comparatorFor(t)(v, f.value));
    }
    case 'in': {
      if (v === null) return false;
      const cmp = comparatorFor(t);
      return f.values.some((x) => cmp(v, x) === 0);
    }
    case 'contains': {
      if (v === null) return false;
      if (t.kind === 'map') { const cmp = comparatorFor(t.value); return deserializeMap(v).some(([, x]) => cmp(x, f.value) === 0); }
      if (t.kind === 'list' || t.kind === 'set') { const cmp = comparatorFor(t.element); return deserializeElements(v).some((x) => cmp(x, f.value) === 0); }
      return false;
    }
    case 'contains_key': {
      if (v === null || t.kind !== 'map') return false;
      const cmp = comparatorFor(t.key);
      return deserializeMap(v).some(([k]) => cmp(k, f.value) === 0);
    }
    case 'element_compare': {
      if (v === null || t.kind !== 'map') return false;
      const kc = comparatorFor(t.key);
      const entry = deserializeMap(v).find(([k]) => kc(k, f.key) === 0);
      if (!entry) return false;
      return compareOp(f.op, comparatorFor(t.value)(entry[1], f.value));
    }
  }
}
