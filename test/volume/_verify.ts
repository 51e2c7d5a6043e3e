// Reads a volume table back through the driver in three ways and compares with _data.ts:
// a full scan split into token ranges (each paged), point reads, and partition slices.

import cassandra from 'cassandra-driver';
import { PARTITIONS, ROWS_PER_PARTITION, expectedValue, forEachBounded } from './_data.js';

const TOKEN_RANGES = 8;
const SCAN_PAGE_ROWS = 200;
const PROBLEMS_MAX = 10;

export interface VerifyReport {
  rowsScanned: number;
  pages: number;
  problems: string[];
}

/** Token range boundaries splitting the Murmur3 ring (-2^63, 2^63-1] into `n` pieces. */
function ringBoundaries(n: number): bigint[] {
  const min = -(2n ** 63n);
  const max = 2n ** 63n - 1n;
  const step = (max - min) / BigInt(n);
  return Array.from({ length: n + 1 }, (_, i) => (i === n ? max : min + step * BigInt(i)));
}

export async function verifyTable(client: cassandra.Client, keyspace: string, table: string, passesDone: number): Promise<VerifyReport> {
  const report: VerifyReport = { rowsScanned: 0, pages: 0, problems: [] };
  const problem = (s: string) => { if (report.problems.length < PROBLEMS_MAX) report.problems.push(`${table}: ${s}`); };
  await scanByTokenRanges(client, keyspace, table, passesDone, report, problem);
  await pointReads(client, keyspace, table, passesDone, problem);
  await slices(client, keyspace, table, passesDone, problem);
  return report;
}

async function scanByTokenRanges(client: cassandra.Client, keyspace: string, table: string, passesDone: number,
                                 report: VerifyReport, problem: (s: string) => void): Promise<void> {
  const seen = new Set<string>();
  const bounds = ringBoundaries(TOKEN_RANGES);
  const cql = `SELECT token(p) AS t, p, c, v FROM ${keyspace}.${table} WHERE token(p) > ? AND token(p) <= ?`;
  for (let i = 0; i < TOKEN_RANGES; i++) {
    const params = [cassandra.types.Long.fromString(bounds[i]!.toString()), cassandra.types.Long.fromString(bounds[i + 1]!.toString())];
    let pageState: string | undefined;
    let last: { t: bigint; c: number } | undefined;
    do {
      const rs = await client.execute(cql, params, { prepare: true, fetchSize: SCAN_PAGE_ROWS, ...(pageState ? { pageState } : {}) });
      report.pages++;
      for (const row of rs.rows) {
        const t = BigInt(String(row['t']));
        const p = row['p'] as number;
        const c = row['c'] as number;
        if (t <= bounds[i]! || t > bounds[i + 1]!) problem(`token ${t} of p=${p} outside range ${i}`);
        if (last && (t < last.t || (t === last.t && c <= last.c))) problem(`p=${p} c=${c} out of order after token ${last.t} c=${last.c}`);
        last = { t, c };
        const id = `${p}/${c}`;
        if (seen.has(id)) problem(`row ${id} returned twice`);
        seen.add(id);
        report.rowsScanned++;
        const want = expectedValue(table, p, c, passesDone);
        if (!want) problem(`row ${id} should be deleted but was returned`);
        else if (!want.equals(row['v'] as Buffer)) problem(`row ${id} has a wrong value (${(row['v'] as Buffer).length} bytes, want ${want.length})`);
      }
      pageState = rs.pageState ?? undefined;
    } while (pageState);
  }
  let missing = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    for (let c = 0; c < ROWS_PER_PARTITION; c++) {
      if (expectedValue(table, p, c, passesDone) && !seen.has(`${p}/${c}`)) {
        if (missing++ < 3) problem(`row ${p}/${c} missing from the scan`);
      }
    }
  }
  if (missing > 3) problem(`${missing} rows missing from the scan in all`);
}

async function pointReads(client: cassandra.Client, keyspace: string, table: string, passesDone: number, problem: (s: string) => void): Promise<void> {
  const cql = `SELECT v FROM ${keyspace}.${table} WHERE p = ? AND c = ?`;
  const probes: [number, number][] = [];
  for (let p = 0; p < PARTITIONS; p += 3) for (let c = p % 5; c < ROWS_PER_PARTITION; c += 5) probes.push([p, c]);
  await forEachBounded(probes.length, 32, async (i) => {
    const [p, c] = probes[i]!;
    const rs = await client.execute(cql, [p, c], { prepare: true });
    const want = expectedValue(table, p, c, passesDone);
    const got = rs.rows[0]?.['v'] as Buffer | undefined;
    if (!want && got) problem(`point read ${p}/${c} found a deleted row`);
    else if (want && !got) problem(`point read ${p}/${c} found nothing`);
    else if (want && got && !want.equals(got)) problem(`point read ${p}/${c} has a wrong value`);
  });
}

async function slices(client: cassandra.Client, keyspace: string, table: string, passesDone: number, problem: (s: string) => void): Promise<void> {
  const asc = `SELECT c, v FROM ${keyspace}.${table} WHERE p = ? AND c >= ? AND c < ?`;
  const desc = `SELECT c, v FROM ${keyspace}.${table} WHERE p = ? AND c <= ? ORDER BY c DESC LIMIT ?`;
  for (let p = 1; p < PARTITIONS; p += 7) {
    const from = p % 20;
    const to = from + 37;
    const wantAsc = expectedRange(table, p, passesDone, from, to - 1);
    const gotAsc = await allPages(client, asc, [p, from, to], 10);
    compareRows(`slice p=${p} c in [${from}, ${to})`, gotAsc, wantAsc, problem);
    const top = 50 + (p % 10);
    const limit = 12;
    const wantDesc = expectedRange(table, p, passesDone, 0, top).reverse().slice(0, limit);
    const gotDesc = (await client.execute(desc, [p, top, limit], { prepare: true })).rows;
    compareRows(`reversed slice p=${p} c <= ${top} limit ${limit}`, gotDesc, wantDesc, problem);
  }
}

/** Every row of a query, following the paging state (`fetchSize` rows a page). */
async function allPages(client: cassandra.Client, cql: string, params: unknown[], fetchSize: number): Promise<cassandra.types.Row[]> {
  const rows: cassandra.types.Row[] = [];
  let pageState: string | undefined;
  do {
    const rs = await client.execute(cql, params, { prepare: true, fetchSize, ...(pageState ? { pageState } : {}) });
    rows.push(...rs.rows);
    pageState = rs.pageState ?? undefined;
  } while (pageState);
  return rows;
}

function expectedRange(table: string, p: number, passesDone: number, fromC: number, toCInclusive: number): { c: number; v: Buffer }[] {
  const out: { c: number; v: Buffer }[] = [];
  for (let c = fromC; c <= toCInclusive && c < ROWS_PER_PARTITION; c++) {
    const v = expectedValue(table, p, c, passesDone);
    if (v) out.push({ c, v });
  }
  return out;
}

function compareRows(what: string, got: cassandra.types.Row[], want: { c: number; v: Buffer }[], problem: (s: string) => void): void {
  const gotCs = got.map((r) => r['c'] as number);
  const wantCs = want.map((w) => w.c);
  if (gotCs.join(',') !== wantCs.join(',')) {
    problem(`${what}: clusterings [${gotCs.join(',')}], want [${wantCs.join(',')}]`);
    return;
  }
  got.forEach((r, i) => { if (!(r['v'] as Buffer).equals(want[i]!.v)) problem(`${what}: c=${want[i]!.c} has a wrong value`); });
}
