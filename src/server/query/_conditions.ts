// IF conditions of conditional updates (lightweight transactions on one replica for now):
// evaluated against the current row read under the partition lock.

import type { Condition } from '../../cql/ast.js';
import type { ColumnMetadata, TableMetadata } from '../../schema/metadata.js';
import type { CqlType } from '../../schema/types.js';
import { comparatorFor } from '../../schema/compare.js';
import { UNSET } from '../../protocol/messages.js';
import { InvalidRequest } from '../../util/errors.js';
import type { ExecContext } from './_context.js';
import { receiverOf, columnOf } from './_where.js';
import { evalTerm, evalIn } from './_terms.js';
import { columnValue, type RowView } from './_rows.js';
import { compareOp } from './_filter.js';
import { deserializeElements, deserializeMap, deserializeTuple, readSignedInteger } from './_bytes.js';

/** Columns a set of conditions reads, in table order (what a failed LWT reports). */
export function conditionColumns(table: TableMetadata, conditions: Condition[], order: ColumnMetadata[]): ColumnMetadata[] {
  const names = new Set(conditions.map((c) => c.target.column));
  return order.filter((c) => names.has(c.name));
}

export function conditionsHold(table: TableMetadata, conditions: Condition[], view: RowView | null, ctx: ExecContext): boolean {
  return conditions.every((c) => conditionHolds(table, c, view, ctx));
}

function targetValue(table: TableMetadata, cond: Condition, view: RowView | null, ctx: ExecContext): { value: Buffer | null; type: CqlType } {
  const c = columnOf(table, cond.target.column);
  const whole = view ? columnValue(view, c) : null;
  const t = cond.target;
  switch (t.kind) {
    case 'column': return { value: whole, type: c.type };
    case 'element': {
      const ct = c.type;
      if (ct.kind === 'map') {
        const k = evalTerm(t.key, { ...receiverOf(table, c), type: ct.key }, ctx);
        if (k === null || k === UNSET) throw new InvalidRequest(`Invalid null value for map element access on ${c.name}`);
        const cmp = comparatorFor(ct.key);
        return { value: whole === null ? null : deserializeMap(whole).find(([mk]) => cmp(mk, k) === 0)?.[1] ?? null, type: ct.value };
      }
      if (ct.kind === 'list') {
        const k = evalTerm(t.key, { ...receiverOf(table, c), type: { kind: 'native', name: 'int' } }, ctx);
        if (k === null || k === UNSET) throw new InvalidRequest(`Invalid null value for list index on ${c.name}`);
        const i = Number(readSignedInteger(k));
        return { value: whole === null ? null : deserializeElements(whole)[i] ?? null, type: ct.element };
      }
      throw new InvalidRequest(`Invalid element access on ${c.name}`);
    }
    case 'field': {
      const ct = c.type;
      if (ct.kind !== 'udt') throw new InvalidRequest(`Invalid field access on ${c.name}`);
      const i = ct.fieldNames.indexOf(t.field);
      return { value: whole === null ? null : deserializeTuple(whole, ct.fieldNames.length)[i] ?? null, type: ct.fieldTypes[i]! };
    }
  }
}

function conditionHolds(table: TableMetadata, cond: Condition, view: RowView | null, ctx: ExecContext): boolean {
  const column = columnOf(table, cond.target.column);
  const { value, type } = targetValue(table, cond, view, ctx);
  const receiver = { ...receiverOf(table, column), type };
  switch (cond.kind) {
    case 'compare': {
      const v = evalTerm(cond.value, receiver, ctx);
      if (v === UNSET) throw new InvalidRequest(`Invalid 'unset' value in condition`);
      if (v === null) {
        if (cond.op === '=') return value === null;
        if (cond.op === '!=') return value !== null;
        throw new InvalidRequest(`Invalid comparison with null for operator "${cond.op}"`);
      }
      if (value === null) return cond.op === '!=';
      return compareOp(cond.op, comparatorFor(type)(value, v));
    }
    case 'in': {
      if (cond.values.kind === 'terms') {
        return cond.values.terms.some((t) => {
          const v = evalTerm(t, receiver, ctx);
          if (v === UNSET) throw new InvalidRequest(`Invalid 'unset' value in condition`);
          return v === null ? value === null : value !== null && comparatorFor(type)(value, v) === 0;
        });
      }
      const vs = evalIn(cond.values, receiver, ctx);
      return value !== null && vs.some((v) => comparatorFor(type)(value, v) === 0);
    }
    case 'contains': case 'contains_key': {
      if (value === null) return false;
      const elType = type.kind === 'map' ? (cond.kind === 'contains_key' ? type.key : type.value) : type.kind === 'list' || type.kind === 'set' ? type.element : type;
      const v = evalTerm(cond.value, { ...receiver, type: elType }, ctx);
      if (v === null || v === UNSET) throw new InvalidRequest(`Invalid null value for CONTAINS condition on ${column.name}`);
      const cmp = comparatorFor(elType);
      if (type.kind === 'map') return deserializeMap(value).some(([k, x]) => cmp(cond.kind === 'contains_key' ? k : x, v) === 0);
      return deserializeElements(value).some((x) => cmp(x, v) === 0);
    }
  }
}
