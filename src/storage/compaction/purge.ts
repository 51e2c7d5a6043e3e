// Compaction-time cleanup of one merged partition: shadowed data dropped, expired TTL cells turned
// into tombstones, and tombstones purged once older than gc_grace_seconds (localDeletionTime <
// gcBeforeSec) and only when no data outside the compaction could be older than them
// (markedForDeleteAt < maxPurgeableMicros), so nothing deleted can be resurrected.

import type { DeletionTime, Partition, Row } from '../data.js';
import type { TableOrder } from '../_order.js';
import { coveringDeletion, keyRangeTombstones, resolveRow } from '../reconcile.js';

export interface PurgeContext {
  nowSec: number;
  gcBeforeSec: number;
  /** Lowest timestamp of data for this partition outside the compaction (Infinity if none). */
  maxPurgeableMicros: number;
}

function purgeable(c: PurgeContext, d: DeletionTime): boolean {
  return d.localDeletionTimeSec < c.gcBeforeSec && d.markedForDeleteAtMicros < c.maxPurgeableMicros;
}

function purgeRow(c: PurgeContext, row: Row, outer: DeletionTime | undefined): Row | null {
  const r = resolveRow(row, outer, c.nowSec).row;
  if (!r) return null;
  const out: Row = { clustering: r.clustering, cells: [] };
  if (r.liveness) {
    const l = r.liveness;
    const expired = l.ttlSec > 0 && l.localExpirationTimeSec <= c.nowSec;
    if (!(expired && purgeable(c, { markedForDeleteAtMicros: l.timestampMicros, localDeletionTimeSec: l.localExpirationTimeSec - l.ttlSec }))) out.liveness = l;
  }
  if (r.deletion && !purgeable(c, r.deletion)) out.deletion = r.deletion;
  const cds = (r.complexDeletions ?? []).filter((cd) => !purgeable(c, cd.deletion));
  if (cds.length > 0) out.complexDeletions = cds;
  for (const cell of r.cells) {
    if (cell.value === null && purgeable(c, { markedForDeleteAtMicros: cell.timestampMicros, localDeletionTimeSec: cell.localExpirationTimeSec })) continue;
    out.cells.push(cell);
  }
  return !out.liveness && !out.deletion && !out.complexDeletions && out.cells.length === 0 ? null : out;
}

/** The partition as compaction writes it, or null when nothing is left. */
export function purgePartition(order: TableOrder, p: Partition, c: PurgeContext): Partition | null {
  const pd = p.partitionDeletion;
  const rts = p.rangeTombstones.filter((rt) => !pd || rt.deletion.markedForDeleteAtMicros > pd.markedForDeleteAtMicros);
  const keyed = keyRangeTombstones(order, rts);
  const out: Partition = { key: p.key, token: p.token, rangeTombstones: rts.filter((rt) => !purgeable(c, rt.deletion)), rows: [] };
  if (pd && !purgeable(c, pd)) out.partitionDeletion = pd;
  if (p.staticRow) {
    const s = purgeRow(c, p.staticRow, pd);
    if (s) out.staticRow = s;
  }
  for (const row of p.rows) {
    const outer = keyed.length === 0 ? pd : coveringDeletion(order, order.key(row.clustering), pd, keyed);
    const r = purgeRow(c, row, outer);
    if (r) out.rows.push(r);
  }
  const empty = !out.partitionDeletion && out.rangeTombstones.length === 0 && !out.staticRow && out.rows.length === 0;
  return empty ? null : out;
}
