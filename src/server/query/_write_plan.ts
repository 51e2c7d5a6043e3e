// Prepared single-row writes compiled at PREPARE time: an INSERT or UPDATE whose partition key
// and full clustering are equalities, whose assignments set plain (non-collection, non-counter)
// regular columns, and whose terms are bind markers or constants, is bound at EXECUTE straight
// into its PartitionUpdate: no Target, BoundKey, WriteWork, ExecContext or Receiver per write,
// the key hashed once. Everything else (and any statement this does not cover) takes the general
// path in _modify.ts; both give the same updates and the same errors in the same order:
//   1. partition key values (validated; null / unset refused), then their length checks;
//   2. clustering values (validated; null / unset refused);
//   3. USING TIMESTAMP, then USING TTL (validated, null refused, unset = default, TTL range);
//   4. the assignments in statement order (validated; unset skipped, null = tombstone).

import type { Term } from '../../cql/ast.js';
import type { ColumnMetadata, TableMetadata } from '../../schema/metadata.js';
import { isMultiCell, type CqlType } from '../../schema/types.js';
import { UNSET, type BoundValue } from '../../protocol/messages.js';
import type { Cell, PartitionUpdate, Row } from '../../storage/data.js';
import type { Clock } from '../../env/mod.js';
import { InvalidRequest } from '../../util/errors.js';
import { tokenOf } from '../../util/murmur3.js';
import { literalValue, validateValue } from './_codec.js';
import { compositeKey, readSignedInteger } from './_bytes.js';
import { NO_CLUSTERING, TTL_MAX_SEC, type ModifyPlan } from './_modify.js';
import type { KeyRestriction } from './_where.js';

const INT: CqlType = { kind: 'native', name: 'int' };
const BIGINT: CqlType = { kind: 'native', name: 'bigint' };
const KEY_COMPONENT_BYTES_MAX = 0xffff;
/** nowSec before the clock was read (a real one is never negative). */
const NOW_UNREAD = -1;

function nowSecOf(clock: Clock): number {
  return Math.floor(clock.nowMs() / 1000);
}

/** Where one value comes from: a bind marker (validated per execution) or a constant. */
interface Slot {
  /** Bind marker index, or -1 for a constant. */
  readonly index: number;
  readonly constant: BoundValue;
  /** Receiver name in error messages. */
  readonly name: string;
  readonly type: CqlType;
  /** False for types whose every byte string is valid (blob, varint, custom). */
  readonly validate: boolean;
}

/** What an execution brings: values by marker index and the request's time parameters. */
export interface WriteParams {
  defaultTimestamp: bigint | null;
  nowInSeconds: number | null;
}

export class WritePlan {
  private constructor(
    readonly table: TableMetadata,
    private readonly keys: Slot[],
    private readonly clustering: Slot[],
    private readonly cells: { column: string; slot: Slot }[],
    /** Cells come out in column order without a sort. */
    private readonly cellsSorted: boolean,
    private readonly insertRow: boolean,
    private readonly timestamp: Slot | null,
    private readonly ttl: Slot | null,
  ) {}

  /** The plan for a modification, or null when the general path must run it. */
  static of(plan: ModifyPlan): WritePlan | null {
    const table = plan.table;
    if (plan.statement === 'delete' || plan.json || plan.ifPlan.kind !== 'none' || plan.needsRead || plan.deleteRows) return null;
    if (table.virtual || table.isCounter) return null;
    if (plan.clustering.kind !== 'single' || plan.clustering.slice !== undefined) return null;
    const keys = keySlots(plan.keys, table.partitionKey);
    const clustering = keySlots(plan.clustering.prefix, table.clustering);
    if (keys === null || clustering === null) return null;
    const cells: { column: string; slot: Slot }[] = [];
    for (const op of plan.ops) {
      const c = op.column;
      if (op.kind !== 'set' || c.kind !== 'regular' || isMultiCell(c.type) || (c.type.kind === 'native' && c.type.name === 'counter')) return null;
      const slot = slotOf(op.term, c.name, c.type);
      if (slot === null) return null;
      cells.push({ column: c.name, slot });
    }
    let cellsSorted = true;
    for (let i = 1; i < cells.length; i++) if (cells[i - 1]!.column > cells[i]!.column) cellsSorted = false;
    const timestamp = plan.timestamp === undefined ? null : slotOf(plan.timestamp, '[timestamp]', BIGINT);
    const ttl = plan.ttl === undefined ? null : slotOf(plan.ttl, '[ttl]', INT);
    if ((plan.timestamp !== undefined && timestamp === null) || (plan.ttl !== undefined && ttl === null)) return null;
    return new WritePlan(table, keys, clustering, cells, cellsSorted, plan.insertRow, timestamp, ttl);
  }

  /** The update one execution writes. Throws InvalidRequest as the general path would. */
  bind(values: BoundValue[], params: WriteParams, clock: Clock): PartitionUpdate {
    const key = this.bindKey(values);
    const clustering = this.clustering.length === 0 ? NO_CLUSTERING : this.clustering.map((s) => required(s, values));
    const timestampMicros = this.timestampMicros(values, params, clock);
    const ttlSec = this.ttlSec(values);
    // "Now" in seconds is needed for an expiry or a tombstone only: the clock is read then.
    let nowSec = params.nowInSeconds ?? NOW_UNREAD;
    if (ttlSec > 0 && nowSec === NOW_UNREAD) nowSec = nowSecOf(clock);
    const expiresSec = ttlSec > 0 ? nowSec + ttlSec : 0;
    // Sized once (a growing array would reserve 16 slots at its first push); trimmed below if
    // unset values left slots over.
    const cells: Cell[] = new Array<Cell>(this.cells.length);
    let n = 0;
    for (let i = 0; i < this.cells.length; i++) {
      const { column, slot } = this.cells[i]!;
      const v = valueOf(slot, values);
      if (v === UNSET) continue;
      if (v === null && nowSec === NOW_UNREAD) nowSec = nowSecOf(clock);
      cells[n++] = v === null
        ? { column, value: null, timestampMicros, ttlSec: 0, localExpirationTimeSec: nowSec }
        : { column, value: v, timestampMicros, ttlSec, localExpirationTimeSec: expiresSec };
    }
    if (n < cells.length) cells.length = n;
    if (!this.cellsSorted && n > 1) cells.sort((a, b) => (a.column < b.column ? -1 : a.column > b.column ? 1 : 0));
    // One literal per shape (adding liveness afterwards would give the row a property backing store).
    const row: Row = this.insertRow ? { clustering, liveness: { timestampMicros, ttlSec, localExpirationTimeSec: expiresSec }, cells } : { clustering, cells };
    // A fresh empty array, not a shared frozen one: for-of over a frozen array (the commit log's
    // encoder iterates rangeTombstones) leaves V8's fast array iteration and allocates per step.
    return { tableId: this.table.id, key, token: tokenOf(key), rangeTombstones: [], rows: [row] };
  }

  private bindKey(values: BoundValue[]): Buffer {
    const slots = this.keys;
    if (slots.length === 1) {
      const part = required(slots[0]!, values);
      checkKeyComponent(part, 1);
      return part;
    }
    const parts = slots.map((s) => required(s, values));
    for (const p of parts) checkKeyComponent(p, parts.length);
    return compositeKey(parts);
  }

  private timestampMicros(values: BoundValue[], params: WriteParams, clock: Clock): number {
    if (this.timestamp !== null) {
      const v = valueOf(this.timestamp, values);
      if (v === null) throw new InvalidRequest('Invalid null value of timestamp');
      if (v !== UNSET) return Number(readSignedInteger(v));
    }
    return params.defaultTimestamp !== null ? Number(params.defaultTimestamp) : clock.nowMicros();
  }

  private ttlSec(values: BoundValue[]): number {
    let ttlSec = this.table.options.default_time_to_live;
    if (this.ttl === null) return ttlSec;
    const v = valueOf(this.ttl, values);
    if (v === null) throw new InvalidRequest('Invalid null value of TTL');
    if (v !== UNSET) {
      ttlSec = Number(readSignedInteger(v));
      if (ttlSec < 0) throw new InvalidRequest(`A TTL must be greater or equal to 0, but was ${ttlSec}`);
      if (ttlSec > TTL_MAX_SEC) throw new InvalidRequest(`ttl is too large. requested (${ttlSec}) maximum (${TTL_MAX_SEC})`);
    }
    return ttlSec;
  }
}

/** Slots for equalities on exactly `columns`, in order; null unless every one is a plain slot. */
function keySlots(restrictions: KeyRestriction[], columns: ColumnMetadata[]): Slot[] | null {
  if (restrictions.length !== columns.length) return null;
  const out: Slot[] = [];
  for (let i = 0; i < columns.length; i++) {
    const r = restrictions[i]!;
    if (r.kind !== 'eq' || r.column.name !== columns[i]!.name) return null;
    const slot = slotOf(r.term, r.column.name, r.column.type);
    if (slot === null) return null;
    out.push(slot);
  }
  return out;
}

/** A bind marker, a literal that converts (a bad literal keeps its error for execution time), or null. */
function slotOf(term: Term, name: string, type: CqlType): Slot | null {
  const validate = !(type.kind === 'custom' || (type.kind === 'native' && (type.name === 'blob' || type.name === 'varint' || type.name === 'empty')));
  switch (term.kind) {
    case 'bind': return { index: term.index, constant: null, name, type, validate };
    case 'null': return { index: -1, constant: null, name, type, validate };
    case 'literal':
      try {
        return { index: -1, constant: literalValue(type, term.value, name), name, type, validate };
      } catch {
        return null;
      }
    default: return null;
  }
}

/** The slot's value for this execution, validated as evalTerm validates a bound value. */
function valueOf(slot: Slot, values: BoundValue[]): BoundValue {
  if (slot.index < 0) return slot.constant;
  const v = values[slot.index];
  if (v === undefined) throw new InvalidRequest(`No value bound for ${slot.name}`);
  if (slot.validate && v !== null && v !== UNSET) validateValue(slot.type, v, slot.name);
  return v;
}

/** A key or clustering value: null and unset refused (evalRequired's messages). */
function required(slot: Slot, values: BoundValue[]): Buffer {
  const v = valueOf(slot, values);
  if (v === null) throw new InvalidRequest(`Invalid null value in condition for column ${slot.name}`);
  if (v === UNSET) throw new InvalidRequest(`Invalid unset value for column ${slot.name}`);
  return v;
}

function checkKeyComponent(part: Buffer, columnCount: number): void {
  if (part.length > KEY_COMPONENT_BYTES_MAX) throw new InvalidRequest(`Key length of ${part.length} is longer than maximum of 65535`);
  if (part.length === 0 && columnCount === 1) throw new InvalidRequest(`Key may not be empty`);
}
