// Compatibility: issue 2's CQL items, one case each, run through the npm cassandra-driver and
// python3-cassandra (v4 and v5) against a real node. Expected values are what Cassandra 4.1 returns.
// Items already covered by test/e2e are listed in test/compat/CHECKLIST.md, not repeated here.

import test, { after, before } from 'node:test';
import { startNodeProcess } from '../harness.js';
import { registerCases, type Case } from './_support.js';

const INVALID = 0x2200;
const SYNTAX = 0x2000;
const CONFIG = 0x2300;

const JSON_ROW = '{"k": 1, "a": "asc", "ad": {"street": "Main", "zip": 12345}, "b": -9223372036854775808, "bl": "0xcafe", '
  + '"bo": true, "d": "2024-02-29", "db": 3.25, "de": -123.4500, "du": "1mo2d3s", "f": 1.5, "i": "10.1.2.3", "l": [1, 2], '
  + '"m": {"x": 1}, "mi": {"1": "one"}, "n": {"k": [1]}, "s": ["a", "b"], "si": -32768, "t": "h\\"\u00e9", '
  + '"ti": "12:34:56.789012345", "tp": [7, "seven"], "ts": "2024-01-02 03:04:05.678Z", "tt": 127, '
  + '"tu": "d2177dd0-eaa2-11de-a572-001b779c76e3", "u": "12345678-1234-5678-1234-567812345678", "vi": 123456789012345678901234567890}';

const CASES: Case[] = [
  {
    name: 'INSERT JSON: DEFAULT UNSET keeps omitted columns, DEFAULT NULL (the default) nulls them',
    steps: [
      { q: 'CREATE TABLE ju (k int PRIMARY KEY, a int, b text)' },
      { q: "INSERT INTO ju (k, a, b) VALUES (1, 1, 'x')" },
      { q: 'INSERT INTO ju JSON \'{"k": 1, "a": 2}\' DEFAULT UNSET' },
      { q: 'SELECT a, b FROM ju WHERE k = 1', rows: [[2, 'x']] },
      { q: 'INSERT INTO ju JSON \'{"k": 1, "a": 3}\'' },
      { q: 'SELECT a, b FROM ju WHERE k = 1', rows: [[3, null]] },
      { q: 'INSERT INTO ju JSON \'{"k": 1, "b": "y"}\' DEFAULT NULL' },
      { q: 'SELECT a, b FROM ju WHERE k = 1', rows: [[null, 'y']] },
      { q: 'INSERT INTO ju JSON \'{"k": 1, "nocol": 1}\'', error: { code: INVALID, match: /nocol/ } },
    ],
  },
  {
    name: 'DELETE of collection elements (list index, set element, map key) and of whole collections',
    steps: [
      { q: 'CREATE TABLE cd (k int PRIMARY KEY, l list<text>, s set<int>, m map<text, int>)' },
      { q: "INSERT INTO cd (k, l, s, m) VALUES (1, ['a', 'b', 'c'], {1, 2, 3}, {'x': 1, 'y': 2})" },
      { q: "DELETE l[1], s[2], m['x'] FROM cd WHERE k = 1" },
      { q: 'SELECT l, s, m FROM cd WHERE k = 1', rows: [[['a', 'c'], [1, 3], { y: 2 }]] },
      { q: "UPDATE cd SET l = l - ['a'], s = s - {1}, m = m - {'y'} WHERE k = 1" },
      { q: 'SELECT l, s, m FROM cd WHERE k = 1', rows: [[['c'], [3], null]] },
      { q: 'DELETE l, s FROM cd WHERE k = 1' },
      { q: 'SELECT l, s, m FROM cd WHERE k = 1', rows: [[null, null, null]] },
      { q: 'DELETE l[5] FROM cd WHERE k = 1', error: { code: INVALID, match: /list/ } },
    ],
  },
  {
    name: 'USING TIMESTAMP: the highest timestamp wins in any arrival order; ties go to the tombstone, then the greater value',
    steps: [
      { q: 'CREATE TABLE uts (k int PRIMARY KEY, v int)' },
      { q: 'INSERT INTO uts (k, v) VALUES (1, 1) USING TIMESTAMP 1000' },
      { q: 'INSERT INTO uts (k, v) VALUES (1, 2) USING TIMESTAMP 500' },
      { q: 'SELECT v, writetime(v) FROM uts WHERE k = 1', rows: [[1, 1000]] },
      { q: 'DELETE FROM uts USING TIMESTAMP 999 WHERE k = 1' },
      { q: 'SELECT v FROM uts WHERE k = 1', rows: [[1]] },
      { q: 'DELETE FROM uts USING TIMESTAMP 1000 WHERE k = 1' },
      { q: 'SELECT v FROM uts WHERE k = 1', rows: [] },
      { q: 'INSERT INTO uts (k, v) VALUES (1, 3) USING TIMESTAMP 1000' },
      { q: 'SELECT v FROM uts WHERE k = 1', rows: [] },
      { q: 'INSERT INTO uts (k, v) VALUES (1, 4) USING TIMESTAMP 1001' },
      { q: 'UPDATE uts USING TIMESTAMP 1001 SET v = 5 WHERE k = 1' },
      { q: 'UPDATE uts USING TIMESTAMP 1001 SET v = 3 WHERE k = 1' },
      { q: 'SELECT v, writetime(v) FROM uts WHERE k = 1', rows: [[5, 1001]] },
      { q: 'INSERT INTO uts (k, v) VALUES (2, 2) USING TTL 100 AND TIMESTAMP 2000' },
      { q: 'SELECT writetime(v) FROM uts WHERE k = 2', rows: [[2000]] },
      { q: 'SELECT ttl(v) FROM uts WHERE k = 2', like: /^\[\["(9\d|100)"\]\]$/ },
    ],
  },
  {
    name: 'PER PARTITION LIMIT, LIMIT, DISTINCT, IN on clustering, ORDER BY',
    steps: [
      { q: 'CREATE TABLE ppl (p int, c int, v int, s int static, PRIMARY KEY (p, c))' },
      {
        q: 'BEGIN UNLOGGED BATCH INSERT INTO ppl (p, c, v, s) VALUES (1, 1, 1, 10); INSERT INTO ppl (p, c, v) VALUES (1, 2, 2); '
          + 'INSERT INTO ppl (p, c, v) VALUES (1, 3, 3); INSERT INTO ppl (p, c, v, s) VALUES (2, 1, 4, 20); '
          + 'INSERT INTO ppl (p, c, v) VALUES (2, 2, 5); INSERT INTO ppl (p, c, v) VALUES (2, 3, 6); '
          + 'INSERT INTO ppl (p, c, v) VALUES (3, 1, 7); INSERT INTO ppl (p, c, v) VALUES (3, 2, 8); APPLY BATCH',
      },
      { q: 'SELECT p, c FROM ppl PER PARTITION LIMIT 2', rows: [[1, 1], [1, 2], [2, 1], [2, 2], [3, 1], [3, 2]] },
      { q: 'SELECT p, c FROM ppl PER PARTITION LIMIT 1 LIMIT 2', rows: [[1, 1], [2, 1]] },
      { q: 'SELECT p, c FROM ppl WHERE p = 1 ORDER BY c DESC PER PARTITION LIMIT 2', rows: [[1, 3], [1, 2]] },
      { q: 'SELECT DISTINCT p, s FROM ppl', rows: [[1, 10], [2, 20], [3, null]] },
      { q: 'SELECT DISTINCT p FROM ppl WHERE p IN (3, 2)', rows: [[2], [3]] },
      { q: 'SELECT DISTINCT c FROM ppl', error: { code: INVALID, match: /DISTINCT.*(partition key|static)/ } },
      { q: 'SELECT p, c FROM ppl WHERE p = 2 AND c IN (3, 1)', rows: [[2, 1], [2, 3]] },
      { q: 'SELECT p, c FROM ppl WHERE p = 2 AND c > 1 ORDER BY c DESC LIMIT 1', rows: [[2, 3]] },
      { q: 'SELECT count(*) FROM ppl WHERE p IN (1, 2)', rows: [[6]] },
      { q: 'SELECT p, c FROM ppl WHERE p = 1 PER PARTITION LIMIT 0', error: { code: INVALID, match: /PER PARTITION LIMIT must be strictly positive/ } },
    ],
  },
  {
    name: 'multi-column tuple slices and IN on mixed-order clustering columns',
    steps: [
      { q: 'CREATE TABLE mcs (p int, a int, b int, PRIMARY KEY (p, a, b)) WITH CLUSTERING ORDER BY (a ASC, b DESC)' },
      {
        q: 'BEGIN UNLOGGED BATCH INSERT INTO mcs (p, a, b) VALUES (1, 1, 1); INSERT INTO mcs (p, a, b) VALUES (1, 1, 2); '
          + 'INSERT INTO mcs (p, a, b) VALUES (1, 1, 3); INSERT INTO mcs (p, a, b) VALUES (1, 2, 1); '
          + 'INSERT INTO mcs (p, a, b) VALUES (1, 2, 2); INSERT INTO mcs (p, a, b) VALUES (1, 2, 3); APPLY BATCH',
      },
      { q: 'SELECT a, b FROM mcs WHERE p = 1', rows: [[1, 3], [1, 2], [1, 1], [2, 3], [2, 2], [2, 1]] },
      { q: 'SELECT a, b FROM mcs WHERE p = 1 AND (a, b) > (1, 2)', rows: [[1, 3], [2, 3], [2, 2], [2, 1]] },
      // Tuple comparison on values (as Cassandra splits mixed-order slices), rows in clustering order.
      { q: 'SELECT a, b FROM mcs WHERE p = 1 AND (a, b) >= (1, 2) AND (a, b) < (2, 2)', rows: [[1, 3], [1, 2], [2, 1]] },
      { q: 'SELECT a, b FROM mcs WHERE p = 1 AND (a, b) IN ((1, 1), (2, 2))', rows: [[1, 1], [2, 2]] },
      { q: 'SELECT a, b FROM mcs WHERE p = 1 AND a IN (2, 1) AND b = 2', rows: [[1, 2], [2, 2]] },
      { q: 'SELECT a, b FROM mcs WHERE p = 1 ORDER BY a DESC', rows: [[2, 1], [2, 2], [2, 3], [1, 1], [1, 2], [1, 3]] },
      { q: 'SELECT a, b FROM mcs WHERE p = 1 AND (a, b) > (1, 2) ORDER BY a DESC, b ASC', rows: [[2, 1], [2, 2], [2, 3], [1, 3]] },
    ],
  },
  {
    name: 'CAST between native types',
    steps: [
      { q: 'CREATE TABLE cst (k int PRIMARY KEY, i int, d double, t timestamp, b bigint)' },
      { q: "INSERT INTO cst (k, i, d, t, b) VALUES (1, 42, 2.5, '2024-03-04 05:06:07+0000', 7)" },
      {
        q: 'SELECT CAST(i AS text), CAST(i AS double), CAST(d AS int), CAST(t AS date), CAST(b AS varint), CAST(i AS decimal), CAST(i AS bigint) FROM cst WHERE k = 1',
        rows: [['42', 42, 2, '2024-03-04', 7, 42, 42]],
        cols: ['cast(i as text)', 'cast(i as double)', 'cast(d as int)', 'cast(t as date)', 'cast(b as varint)', 'cast(i as decimal)', 'cast(i as bigint)'],
      },
    ],
  },
  {
    name: 'native functions: toDate, toTimestamp, toUnixTimestamp, minTimeuuid, maxTimeuuid, blobAs*, *AsBlob, token, now',
    steps: [
      { q: 'CREATE TABLE fn (k int PRIMARY KEY, t timestamp, d date, w text, b blob, tu timeuuid)' },
      { q: "INSERT INTO fn (k, t, d, w, b, tu) VALUES (1, '2024-01-01 00:00:00+0000', '2024-02-29', 'a', 0x0000000a, b4cc8000-a838-11ee-8080-808080808080)" },
      {
        q: 'SELECT toDate(t), toTimestamp(d), toUnixTimestamp(t), toUnixTimestamp(d), toTimestamp(tu), toDate(tu), toUnixTimestamp(tu) FROM fn WHERE k = 1',
        rows: [['2024-01-01', '2024-02-29T00:00:00.000Z', 1704067200000, 1709164800000, '2024-01-01T00:00:00.000Z', '2024-01-01', 1704067200000]],
      },
      {
        q: "SELECT minTimeuuid('2024-01-01 00:00:00+0000'), maxTimeuuid('2024-01-01 00:00:00+0000') FROM fn WHERE k = 1",
        rows: [['b4cc8000-a838-11ee-8080-808080808080', 'b4cca70f-a838-11ee-7f7f-7f7f7f7f7f7f']],
      },
      {
        q: 'SELECT blobAsInt(b), intAsBlob(k), textAsBlob(w), blobAsText(textAsBlob(w)), bigintAsBlob(1), blobAsBigint(0x0000000000000002), booleanAsBlob(true) FROM fn WHERE k = 1',
        rows: [[10, '0x00000001', '0x61', 'a', '0x0000000000000001', 2, '0x01']],
      },
      { q: 'SELECT token(k) FROM fn WHERE k = 1', rows: [['-4069959284402364209']], cols: ['system.token(k)'] },
      {
        q: 'SELECT now(), uuid(), currentTimestamp(), currentDate(), currentTimeUUID(), toUnixTimestamp(now()) FROM fn WHERE k = 1',
        like: /^\[\["[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}","[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f-]{17}","20\d\d-\d\d-\d\dT[\d:.]+Z","20\d\d-\d\d-\d\d","[0-9a-f-]{36}","1\d{12}"\]\]$/,
      },
      { q: 'SELECT blobAsInt(0x0102) FROM fn WHERE k = 1', error: { code: INVALID, match: /not a valid binary representation for type int/ } },
      { q: 'SELECT nosuchfn(k) FROM fn WHERE k = 1', error: { code: INVALID, match: /nosuchfn/i } },
    ],
  },
  {
    name: 'SELECT JSON of every type gives Cassandra\'s JSON text; INSERT JSON of that text reads back the same',
    steps: [
      { q: 'CREATE TYPE jaddr (street text, zip int)' },
      {
        q: 'CREATE TABLE jall (k int PRIMARY KEY, a ascii, b bigint, bl blob, bo boolean, d date, de decimal, db double, du duration, '
          + 'f float, i inet, si smallint, t text, ti time, ts timestamp, tu timeuuid, tt tinyint, u uuid, vi varint, l list<int>, '
          + 's set<text>, m map<text, int>, mi map<int, text>, tp tuple<int, text>, ad frozen<jaddr>, n frozen<map<text, frozen<list<int>>>>)',
      },
      {
        q: 'INSERT INTO jall (k, a, b, bl, bo, d, de, db, du, f, i, si, t, ti, ts, tu, tt, u, vi, l, s, m, mi, tp, ad, n) VALUES '
          + "(1, 'asc', -9223372036854775808, 0xcafe, true, '2024-02-29', -123.4500, 3.25, 1mo2d3s, 1.5, '10.1.2.3', -32768, 'h\"\u00e9', "
          + "'12:34:56.789012345', '2024-01-02 03:04:05.678+0000', d2177dd0-eaa2-11de-a572-001b779c76e3, 127, "
          + "12345678-1234-5678-1234-567812345678, 123456789012345678901234567890, [1, 2], {'b', 'a'}, {'x': 1}, {1: 'one'}, "
          + "(7, 'seven'), {street: 'Main', zip: 12345}, {'k': [1]})",
      },
      { q: 'SELECT JSON * FROM jall WHERE k = 1', rows: [[JSON_ROW]], cols: ['[json]'] },
      { q: `INSERT INTO jall JSON '${JSON_ROW.replace('"k": 1', '"k": 2')}'` },
      { q: 'SELECT JSON * FROM jall WHERE k = 2', rows: [[JSON_ROW.replace('"k": 1', '"k": 2')]] },
      { q: 'SELECT toJson(m), toJson(ts), toJson(ad) FROM jall WHERE k = 1', rows: [['{"x": 1}', '"2024-01-02 03:04:05.678Z"', '{"street": "Main", "zip": 12345}']] },
      { q: 'SELECT JSON k, l AS list FROM jall WHERE k = 1', rows: [['{"k": 1, "list": [1, 2]}']] },
      { q: 'INSERT INTO jall JSON \'{"k": 3, "i": "not an address"}\'', error: { code: INVALID, match: /i|inet|address/ } },
    ],
  },
  {
    name: 'collection element and slice selection: m[\'k\'], s[1..3], open slices, frozen maps',
    steps: [
      { q: 'CREATE TABLE el (k int PRIMARY KEY, s set<int>, m map<text, int>, fm frozen<map<text, int>>, l list<int>)' },
      { q: "INSERT INTO el (k, s, m, fm, l) VALUES (1, {1, 2, 3, 4, 5}, {'a': 1, 'b': 2, 'c': 3}, {'a': 1, 'b': 2}, [1, 2])" },
      {
        q: "SELECT m['b'], m['zz'], s[3], s[9], s[2..4], s[..2], s[4..], m['a'..'b'], m['b'..], fm['b'] FROM el WHERE k = 1",
        rows: [[2, null, 3, null, [2, 3, 4], [1, 2], [4, 5], { a: 1, b: 2 }, { b: 2, c: 3 }, 2]],
      },
      { q: "SELECT m['b'] AS mb FROM el WHERE k = 1", rows: [[2]], cols: ['mb'] },
      { q: 'SELECT l[0] FROM el WHERE k = 1', error: { code: INVALID, match: /list/ } },
    ],
  },
  {
    name: 'restrictions the data model forbids get Cassandra\'s messages; ALLOW FILTERING lifts the filtering ones',
    steps: [
      { q: 'CREATE TABLE rf (p int, c1 int, c2 int, v int, PRIMARY KEY (p, c1, c2))' },
      { q: 'INSERT INTO rf (p, c1, c2, v) VALUES (1, 1, 1, 1)' },
      { q: 'SELECT * FROM rf WHERE v = 1', error: { code: INVALID, match: /use ALLOW FILTERING/ } },
      { q: 'SELECT * FROM rf WHERE c1 = 1', error: { code: INVALID, match: /use ALLOW FILTERING/ } },
      { q: 'SELECT * FROM rf WHERE p = 1 AND c2 = 1', error: { code: INVALID, match: /PRIMARY KEY column "c2" cannot be restricted as preceding column "c1" is not restricted/ } },
      { q: 'SELECT * FROM rf WHERE p > 1', error: { code: INVALID, match: /Only EQ and IN relation are supported on the partition key/ } },
      { q: 'SELECT * FROM rf WHERE p = 1 ORDER BY v', error: { code: INVALID, match: /Order by is currently only supported on the clustered columns of the PRIMARY KEY, got v/ } },
      { q: 'SELECT * FROM rf ORDER BY c1 DESC', error: { code: INVALID, match: /ORDER BY is only supported when the partition key is restricted by an EQ or an IN/ } },
      { q: 'SELECT * FROM rf WHERE p = 1 ORDER BY c2', error: { code: INVALID, match: /Order by currently only supports the ordering of columns following their declared order in the PRIMARY KEY/ } },
      { q: 'SELECT * FROM rf WHERE p IN (1, 2) ORDER BY c1 DESC', error: { code: INVALID, match: /Cannot page queries with both ORDER BY and a IN restriction on the partition key/ } },
      { q: 'UPDATE rf SET v = 1 WHERE p = 1', error: { code: INVALID, match: /Some clustering keys are missing: c1, c2/ } },
      { q: 'INSERT INTO rf (p, v) VALUES (1, 1)', error: { code: INVALID, match: /Some clustering keys are missing: c1, c2/ } },
      // DELETE v FROM rf WHERE p = 1: see pending/delete_columns_message.ts
      { q: 'DELETE v FROM rf WHERE p = 1 AND c1 > 0', error: { code: INVALID, match: /Range deletions are not supported for specific columns/ } },
      { q: 'SELECT * FROM rf WHERE p = 1 AND v = 1 ALLOW FILTERING', rows: [[1, 1, 1, 1]] },
      { q: 'SELECT c1 FROM rf WHERE c2 = 1 ALLOW FILTERING', rows: [[1]] },
      { q: 'SELECT c1 FROM rf WHERE p = 1 AND c1 IN (1, 2) AND c2 > 0', rows: [[1]] },
      { q: 'SELECT * FROM rf WHERE p = 1 AND p = 2', error: { code: INVALID, match: /p cannot be restricted by more than one relation if it includes an Equal/ } },
    ],
  },
  {
    name: 'IF conditions of every kind: comparisons, IN, null, list/map elements, sets, UDTs and their fields, statics, batches',
    steps: [
      { q: 'CREATE TYPE cu (a int, b text)' },
      { q: 'CREATE TABLE ic (p int, c int, s int static, v int, t text, l list<int>, m map<text, int>, st set<int>, u frozen<cu>, uu cu, PRIMARY KEY (p, c))' },
      { q: "INSERT INTO ic (p, c, s, v, t, l, m, st, u, uu) VALUES (1, 1, 5, 10, 'b', [1, 2], {'k': 1}, {7}, {a: 1, b: 'x'}, {a: 2, b: 'y'}) IF NOT EXISTS", rows: [[true]] },
      { q: 'INSERT INTO ic (p, c, v) VALUES (1, 1, 0) IF NOT EXISTS', like: /^\[\[false,/ },
      { q: 'UPDATE ic SET v = 11 WHERE p = 1 AND c = 1 IF v < 11', rows: [[true]] },
      { q: 'UPDATE ic SET v = 0 WHERE p = 1 AND c = 1 IF v <= 10', rows: [[false, 11]], cols: ['[applied]', 'v'] },
      { q: 'UPDATE ic SET v = 12 WHERE p = 1 AND c = 1 IF v > 10 AND v >= 11', rows: [[true]] },
      { q: 'UPDATE ic SET v = 0 WHERE p = 1 AND c = 1 IF v != 12', rows: [[false, 12]] },
      { q: "UPDATE ic SET v = 13 WHERE p = 1 AND c = 1 IF t IN ('a', 'b')", rows: [[true]] },
      { q: 'UPDATE ic SET v = 0 WHERE p = 1 AND c = 1 IF t = null', rows: [[false, 'b']] },
      { q: 'UPDATE ic SET v = 14 WHERE p = 1 AND c = 1 IF l[1] = 2', rows: [[true]] },
      { q: "UPDATE ic SET v = 15 WHERE p = 1 AND c = 1 IF m['k'] = 1", rows: [[true]] },
      { q: "UPDATE ic SET v = 16 WHERE p = 1 AND c = 1 IF m['zz'] = null", rows: [[true]] },
      { q: 'UPDATE ic SET v = 17 WHERE p = 1 AND c = 1 IF st = {7}', rows: [[true]] },
      { q: "UPDATE ic SET v = 18 WHERE p = 1 AND c = 1 IF u = {a: 1, b: 'x'}", rows: [[true]] },
      { q: 'UPDATE ic SET v = 19 WHERE p = 1 AND c = 1 IF uu.a = 2', rows: [[true]] },
      { q: 'UPDATE ic SET s = 6 WHERE p = 1 IF s = 5', rows: [[true]] },
      // IF EXISTS on a missing row of a partition with a static row: see pending/lwt_exists_static.ts
      { q: 'UPDATE ic SET v = 1 WHERE p = 1 AND c = 1 IF c = 1', error: { code: INVALID, match: /PRIMARY KEY column 'c' cannot have IF conditions/ } },
      { q: 'DELETE FROM ic WHERE p = 1 AND c = 1 IF v = 19', rows: [[true]] },
      { q: 'SELECT v FROM ic WHERE p = 1 AND c = 1', rows: [] },
      {
        q: 'BEGIN BATCH INSERT INTO ic (p, c, v) VALUES (2, 1, 1) IF NOT EXISTS; INSERT INTO ic (p, c, v) VALUES (2, 2, 2) IF NOT EXISTS; APPLY BATCH',
        rows: [[true]],
      },
      {
        q: 'BEGIN BATCH UPDATE ic SET v = 3 WHERE p = 2 AND c = 1 IF v = 1; UPDATE ic SET v = 4 WHERE p = 3 AND c = 1; APPLY BATCH',
        error: { code: INVALID, match: /Batch with conditions cannot span multiple partitions/ },
      },
      { q: 'SELECT c, v FROM ic WHERE p = 2', rows: [[1, 1], [2, 2]] },
    ],
  },
  {
    name: 'TRUNCATE and TRUNCATE TABLE empty the table; an unknown table is named',
    steps: [
      { q: 'CREATE TABLE tr (k int PRIMARY KEY, v int)' },
      { q: 'INSERT INTO tr (k, v) VALUES (1, 1)' },
      { q: 'TRUNCATE tr' },
      { q: 'SELECT * FROM tr', rows: [] },
      { q: 'INSERT INTO tr (k, v) VALUES (2, 2)' },
      { q: 'TRUNCATE TABLE $ks.tr' },
      { q: 'SELECT * FROM tr', rows: [] },
      { q: 'INSERT INTO tr (k, v) VALUES (3, 3)' },
      { q: 'SELECT k FROM tr', rows: [[3]] },
      { q: 'TRUNCATE nosuchtable', error: { code: INVALID, match: /nosuchtable/ } },
    ],
  },
  {
    name: 'table options: all accepted, kept, visible in system_schema.tables; ALTER WITH and ALTER ADD keep the others',
    steps: [
      {
        q: "CREATE TABLE topt (k int PRIMARY KEY, v int) WITH compaction = {'class': 'LeveledCompactionStrategy', 'sstable_size_in_mb': '160'} "
          + "AND compression = {'class': 'LZ4Compressor', 'chunk_length_in_kb': '16'} AND caching = {'keys': 'ALL', 'rows_per_partition': '10'} "
          + "AND gc_grace_seconds = 3600 AND default_time_to_live = 60 AND bloom_filter_fp_chance = 0.02 AND comment = 'c1' "
          + "AND speculative_retry = '99p' AND crc_check_chance = 0.5 AND memtable_flush_period_in_ms = 1000 AND min_index_interval = 64 "
          + "AND max_index_interval = 1024 AND read_repair = 'NONE' AND additional_write_policy = '90p' AND extensions = {} AND cdc = false",
      },
      {
        q: 'SELECT comment, gc_grace_seconds, default_time_to_live, bloom_filter_fp_chance, speculative_retry, crc_check_chance, compaction, '
          + 'compression, caching, memtable_flush_period_in_ms, min_index_interval, max_index_interval, additional_write_policy, read_repair, cdc '
          + "FROM system_schema.tables WHERE keyspace_name = '$ks' AND table_name = 'topt'",
        rows: [['c1', 3600, 60, 0.02, '99p', 0.5,
          { class: 'org.apache.cassandra.db.compaction.LeveledCompactionStrategy', max_threshold: '32', min_threshold: '4', sstable_size_in_mb: '160' },
          { chunk_length_in_kb: '16', class: 'org.apache.cassandra.io.compress.LZ4Compressor' },
          { keys: 'ALL', rows_per_partition: '10' }, 1000, 64, 1024, '90p', 'NONE', false]],
      },
      { q: "ALTER TABLE topt WITH comment = 'c2' AND compaction = {'class': 'SizeTieredCompactionStrategy'}" },
      { q: 'ALTER TABLE topt ADD x text' },
      {
        q: "SELECT comment, gc_grace_seconds, compaction, caching, default_time_to_live FROM system_schema.tables WHERE keyspace_name = '$ks' AND table_name = 'topt'",
        rows: [['c2', 3600, { class: 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy', max_threshold: '32', min_threshold: '4' },
          { keys: 'ALL', rows_per_partition: '10' }, 60]],
      },
      { q: 'ALTER TABLE topt WITH nosuchoption = 1', error: { code: SYNTAX, match: /nosuchoption/ } },
      { q: 'CREATE TABLE topt2 (k int PRIMARY KEY) WITH default_time_to_live = -1', error: { code: CONFIG, match: /default_time_to_live/ } },
      { q: "CREATE TABLE topt2 (k int PRIMARY KEY) WITH compaction = {'class': 'NoSuchStrategy'}", error: { code: CONFIG, match: /NoSuchStrategy/ } },
      { q: 'CREATE TABLE topt2 (k int PRIMARY KEY) WITH bloom_filter_fp_chance = 2', error: { code: CONFIG, match: /bloom_filter_fp_chance/ } },
    ],
  },
  {
    name: 'keyspaces through the drivers: NetworkTopologyStrategy, durable_writes, ALTER KEYSPACE, IF [NOT] EXISTS everywhere',
    steps: [
      { q: "CREATE KEYSPACE $ks_nts WITH replication = {'class': 'NetworkTopologyStrategy', 'datacenter1': 1} AND durable_writes = false" },
      {
        q: "SELECT replication, durable_writes FROM system_schema.keyspaces WHERE keyspace_name = '$ks_nts'",
        rows: [[{ class: 'org.apache.cassandra.locator.NetworkTopologyStrategy', datacenter1: '1' }, false]],
      },
      { q: "ALTER KEYSPACE $ks_nts WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 2}" },
      {
        q: "SELECT replication, durable_writes FROM system_schema.keyspaces WHERE keyspace_name = '$ks_nts'",
        rows: [[{ class: 'org.apache.cassandra.locator.SimpleStrategy', replication_factor: '2' }, false]],
      },
      { q: "CREATE KEYSPACE IF NOT EXISTS $ks_nts WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}" },
      { q: "CREATE KEYSPACE $ks_nts WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}", error: { code: 0x2400, match: /_nts/ } },
      { q: 'CREATE TABLE IF NOT EXISTS $ks_nts.t (k int PRIMARY KEY)' },
      { q: 'CREATE TABLE IF NOT EXISTS $ks_nts.t (k int PRIMARY KEY, other int)' },
      { q: 'ALTER TABLE $ks_nts.t ADD IF NOT EXISTS v int' },
      { q: 'ALTER TABLE $ks_nts.t ADD IF NOT EXISTS v int' },
      { q: 'ALTER TABLE $ks_nts.t DROP IF EXISTS nosuch' },
      { q: 'ALTER TABLE IF EXISTS $ks_nts.nosuch ADD x int' },
      { q: 'CREATE TYPE IF NOT EXISTS $ks_nts.ty (a int)' },
      { q: 'CREATE TYPE IF NOT EXISTS $ks_nts.ty (a int)' },
      { q: 'ALTER TYPE IF EXISTS $ks_nts.nosuch ADD b int' },
      { q: 'DROP TYPE IF EXISTS $ks_nts.nosuch' },
      { q: 'DROP TABLE IF EXISTS $ks_nts.nosuch' },
      { q: "SELECT column_name FROM system_schema.columns WHERE keyspace_name = '$ks_nts' AND table_name = 't'", rows: [['k'], ['v']] },
      { q: 'DROP KEYSPACE $ks_nts' },
      { q: 'DROP KEYSPACE IF EXISTS $ks_nts' },
      { q: 'DROP KEYSPACE $ks_nts', error: { code: INVALID, match: /Keyspace '\w+_nts' doesn't exist/ } },
      { q: "CREATE KEYSPACE bad_rf WITH replication = {'class': 'SimpleStrategy'}", error: { code: CONFIG, match: /replication_factor/ } },
    ],
  },
  {
    name: 'prepared statements: positional and named values, null values, LIMIT and USING bound',
    steps: [
      { q: 'CREATE TABLE pv (k int, c int, v text, PRIMARY KEY (k, c))' },
      { q: 'INSERT INTO pv (k, c, v) VALUES (?, ?, ?) USING TTL ?', params: [1, 1, 'a', 100] },
      { q: 'INSERT INTO pv (k, c, v) VALUES (:k, :c, :v)', params: { k: 1, c: 2, v: null } },
      { q: 'SELECT c, v FROM pv WHERE k = ? LIMIT ?', params: [1, 5], rows: [[1, 'a'], [2, null]] },
      { q: 'SELECT c FROM pv WHERE k = ? AND c IN ? ', params: [1, [2, 9]], rows: [[2]] },
      { q: 'SELECT ttl(v) FROM pv WHERE k = ? AND c = ?', params: [1, 1], like: /^\[\["(9\d|100)"\]\]$/ },
    ],
  },
];

registerCases('cql', CASES, { test, before, after, start: () => startNodeProcess() });
