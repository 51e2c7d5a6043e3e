import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SimFileSystem, SimTime } from '../env/sim/mod.js';
import { AuditLogger, auditAllows, formatAuditLine, parseAuditLine, readAuditLog, type AuditEvent } from './audit.js';
import { decodeFqlFile, encodeFqlEntry, formatFqlEntry, FullQueryLogger, readFullQueryLog, type FqlEntry } from './fql.js';
import { listRolledFiles } from './rolled.js';

const base: AuditEvent = { user: 'alice', source: '127.0.0.2', sourcePort: 50000, host: '127.0.0.1', category: 'DML', type: 'UPDATE', keyspace: 'ks', scope: 't', operation: 'UPDATE ks.t SET v = 1 WHERE k = 0' };

test('audit: filter semantics (include lists, exclusions win, keyspace-less events)', () => {
  const cases: Array<[string, Parameters<typeof auditAllows>[0], Partial<AuditEvent>, boolean]> = [
    ['empty filter allows all', {}, {}, true],
    ['category included', { includedCategories: ['DML'] }, {}, true],
    ['category not included', { includedCategories: ['DDL'] }, {}, false],
    ['category excluded', { excludedCategories: ['DML'] }, {}, false],
    ['exclusion wins', { includedCategories: ['DML'], excludedCategories: ['DML'] }, {}, false],
    ['user excluded', { excludedUsers: ['alice'] }, {}, false],
    ['user included', { includedUsers: ['bob'] }, {}, false],
    ['keyspace excluded', { excludedKeyspaces: ['ks'] }, {}, false],
    ['keyspace included', { includedKeyspaces: ['ks'] }, {}, true],
    ['no keyspace with keyspace include list', { includedKeyspaces: ['ks'] }, { keyspace: undefined, category: 'AUTH' }, false],
    ['no keyspace with exclude list', { excludedKeyspaces: ['ks'] }, { keyspace: undefined, category: 'AUTH' }, true],
  ];
  for (const [name, filter, change, expected] of cases) assert.equal(auditAllows(filter, { ...base, ...change }), expected, name);
});

test('audit: lines round-trip with separators and newlines inside values', () => {
  fc.assert(fc.property(fc.string(), fc.string(), (user, operation) => {
    const e = { ...base, user: user.replace(/:/g, ''), operation, timestampMs: 123 };
    assert.deepEqual(parseAuditLine(formatAuditLine(e)), e);
  }));
  assert.equal(formatAuditLine({ ...base, timestampMs: 5 }),
    'user:alice|host:127.0.0.1|source:127.0.0.2|port:50000|timestamp:5|type:UPDATE|category:DML|ks:ks|scope:t|operation:UPDATE ks.t SET v = 1 WHERE k = 0');
});

test('audit: a known workload is captured exactly, rolled and bounded in files', async () => {
  const fs = new SimFileSystem();
  const time = new SimTime(1000);
  const audit = await AuditLogger.open({ fs, clock: time, dir: '/logs/audit', filter: { excludedCategories: ['QUERY'] }, maxFileBytes: 400, maxFiles: 3 });
  const expected: AuditEvent[] = [];
  for (let i = 0; i < 40; i++) {
    const e: AuditEvent = { ...base, operation: `UPDATE ks.t SET v = ${i} WHERE k = ${i}`, category: i % 4 === 0 ? 'QUERY' : 'DML', timestampMs: 1000 + i };
    audit.log(e);
    if (e.category !== 'QUERY') expected.push(e);
  }
  await audit.close();
  assert.equal(audit.filtered, 10);
  const files = await listRolledFiles(fs, '/logs/audit', 'audit', 'log');
  assert.equal(files.length, 3, 'only maxFiles kept');
  for (const f of files) assert.ok((await fs.stat(f.path))!.sizeBytes <= 400);
  const read = await readAuditLog(fs, '/logs/audit');
  // The newest events survive, in order, exactly as logged.
  assert.ok(read.length > 0 && read.length < expected.length);
  assert.deepEqual(read, expected.slice(expected.length - read.length));
});

test('audit: a full queue drops and counts instead of growing', async () => {
  const fs = new SimFileSystem();
  const audit = await AuditLogger.open({ fs, clock: new SimTime(0), dir: '/a', maxPendingBytes: 300 });
  let queued = 0;
  for (let i = 0; i < 50; i++) if (audit.log(base)) queued++;
  assert.ok(audit.dropped() > 0);
  await audit.close();
  assert.equal((await readAuditLog(fs, '/a')).length, queued);
  assert.equal(audit.log(base), false, 'closed logger refuses');
});

const entryArb: fc.Arbitrary<FqlEntry> = fc.record({
  kind: fc.constantFrom('single' as const, 'batch' as const),
  timestampMs: fc.integer({ min: 0, max: 2 ** 47 }),
  protocolVersion: fc.constantFrom(4, 5),
  consistency: fc.integer({ min: 0, max: 10 }),
  keyspace: fc.option(fc.string(), { nil: null }),
  batchType: fc.constantFrom('logged' as const, 'unlogged' as const, 'counter' as const),
  queries: fc.array(fc.record({ query: fc.string(), values: fc.array(fc.option(fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)), { nil: null }), { maxLength: 4 }) }).map((q) => ({ query: q.query, values: q.values })), { minLength: 1, maxLength: 3 }),
}).map((e) => (e.kind === 'single' ? { ...e, queries: e.queries.slice(0, 1), batchType: 'logged' as const } : { ...e }));

test('fql: records round-trip; a torn or corrupt tail stops the reader at the last whole record', () => {
  fc.assert(fc.property(fc.array(entryArb, { minLength: 1, maxLength: 5 }), fc.nat(), (entries, cutSeed) => {
    const data = Buffer.concat(entries.map(encodeFqlEntry));
    assert.deepEqual(decodeFqlFile(data), { entries, tornTail: false });
    const cut = cutSeed % data.length;
    const torn = decodeFqlFile(data.subarray(0, cut));
    assert.ok(torn.entries.length < entries.length);
    assert.deepEqual(torn.entries, entries.slice(0, torn.entries.length));
    const flipped = Buffer.from(data);
    flipped[cut] = flipped[cut]! ^ 0xff;
    const corrupt = decodeFqlFile(flipped);
    assert.deepEqual(corrupt.entries, entries.slice(0, corrupt.entries.length));
    assert.ok(corrupt.entries.length < entries.length);
  }), { numRuns: 200 });
});

test('fql: a known workload is captured in rolled files and dumped', async () => {
  const fs = new SimFileSystem();
  const time = new SimTime(0);
  const fql = await FullQueryLogger.open({ fs, clock: time, dir: '/fql', maxFileBytes: 256, maxFiles: 100 });
  const logged: FqlEntry[] = [];
  for (let i = 0; i < 30; i++) {
    const e: FqlEntry = { kind: 'single', timestampMs: i, protocolVersion: 4, consistency: 1, keyspace: 'ks', batchType: 'logged', queries: [{ query: 'INSERT INTO t (k, v) VALUES (?, ?)', values: [Buffer.from([0, 0, 0, i]), null] }] };
    assert.ok(fql.log(e));
    logged.push(e);
  }
  await fql.close();
  assert.ok((await listRolledFiles(fs, '/fql', 'fql', 'bin')).length > 1, 'rolled');
  assert.deepEqual(await readFullQueryLog(fs, '/fql'), logged);
  assert.equal(formatFqlEntry(logged[3]!), 'Type: single\nQuery start time: 3\nProtocol version: 4\nConsistency: 0x0001\nKeyspace: ks\nQuery: INSERT INTO t (k, v) VALUES (?, ?)\nValues: 0x00000003, null\n');
  // Reopening continues after the last file instead of overwriting it.
  const again = await FullQueryLogger.open({ fs, clock: time, dir: '/fql' });
  again.log({ ...logged[0]!, timestampMs: 99 });
  await again.close();
  const all = await readFullQueryLog(fs, '/fql');
  assert.equal(all.length, 31);
  assert.equal(all[30]!.timestampMs, 99);
});
