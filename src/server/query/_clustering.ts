// Clustering order and multi-column slices. A tuple relation `(c1, .., cn) > (v1, .., vn)` compares
// values lexicographically in each column's natural order, whatever the CLUSTERING ORDER; with
// mixed ASC/DESC columns that set is not one contiguous slice, so (as Cassandra does) it is split:
//   (c..) > (v..)  =  OR over i of  c1 = v1 AND .. AND c(i-1) = v(i-1) AND ci > vi   [OR c.. = v.. if >=]
// Each term is a prefix plus a one-column slice, i.e. one clustering Slice. Lower and upper bounds
// give two lists of disjoint slices; their pairwise intersections, sorted, with touching neighbours
// joined, are the answer (one slice when every column has the same order).

import type { ColumnMetadata, TableMetadata } from '../../schema/metadata.js';
import { comparatorFor } from '../../schema/compare.js';
import type { ClusteringBound, Slice } from '../../storage/data.js';

/** Compares clustering prefixes in clustering order (shorter prefix first when equal so far). */
export function compareClustering(table: TableMetadata, a: Buffer[], b: Buffer[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = table.clustering[i]!;
    let r = comparatorFor(c.type)(a[i]!, b[i]!);
    if (c.clusteringOrder === 'desc') r = -r;
    if (r !== 0) return r;
  }
  return a.length - b.length;
}

/** Where a bound sits: before (-1) or after (+1) every clustering that extends its values. */
interface Position { values: Buffer[]; side: -1 | 1 }

const startPosition = (b: ClusteringBound): Position => ({ values: b.values, side: b.inclusive ? -1 : 1 });
const endPosition = (b: ClusteringBound): Position => ({ values: b.values, side: b.inclusive ? 1 : -1 });

function comparePositions(table: TableMetadata, a: Position, b: Position): number {
  const n = Math.min(a.values.length, b.values.length);
  const r = compareClustering(table, a.values.slice(0, n), b.values.slice(0, n));
  if (r !== 0) return r;
  if (a.values.length === b.values.length) return a.side - b.side;
  return a.values.length < b.values.length ? a.side : -b.side;
}

const OPEN: ClusteringBound = { values: [], inclusive: true };

/** A tuple bound as written: values in column order, strict or not, lower (>) or upper (<). */
export interface TupleBound { values: Buffer[]; inclusive: boolean; lower: boolean }

/** The disjoint slices (in clustering order) holding exactly the rows a tuple bound admits. */
function boundSlices(columns: ColumnMetadata[], b: TupleBound): Slice[] {
  const out: Slice[] = [];
  for (let i = 0; i < b.values.length; i++) {
    const prefix = b.values.slice(0, i);
    const inclusive = b.inclusive && i === b.values.length - 1;
    const edge: ClusteringBound = { values: b.values.slice(0, i + 1), inclusive };
    const whole: ClusteringBound = { values: prefix, inclusive: true };
    // Rows above the edge in value order come after it in clustering order unless the column is DESC.
    const after = b.lower !== (columns[i]!.clusteringOrder === 'desc');
    out.push(after ? { start: edge, end: whole } : { start: whole, end: edge });
  }
  return out;
}

function intersect(table: TableMetadata, x: Slice, y: Slice): Slice | null {
  const start = comparePositions(table, startPosition(x.start), startPosition(y.start)) >= 0 ? x.start : y.start;
  const end = comparePositions(table, endPosition(x.end), endPosition(y.end)) <= 0 ? x.end : y.end;
  return comparePositions(table, startPosition(start), endPosition(end)) < 0 ? { start, end } : null;
}

/** Slices for `lower` and/or `upper` tuple bounds over the leading clustering columns. */
export function multiColumnSlices(table: TableMetadata, lower: TupleBound | null, upper: TupleBound | null): Slice[] {
  const all: Slice[] = [{ start: OPEN, end: OPEN }];
  const lows = lower ? boundSlices(table.clustering, lower) : all;
  const highs = upper ? boundSlices(table.clustering, upper) : all;
  const pieces = lows.flatMap((l) => highs.map((h) => intersect(table, l, h))).filter((s): s is Slice => s !== null);
  pieces.sort((a, b) => comparePositions(table, startPosition(a.start), startPosition(b.start)));
  const joined: Slice[] = [];
  for (const s of pieces) {
    const last = joined[joined.length - 1];
    if (last && comparePositions(table, endPosition(last.end), startPosition(s.start)) >= 0) last.end = s.end;
    else joined.push({ ...s });
  }
  return joined;
}
