import test from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom, SimTime } from '../env/sim/mod.js';
import { Tracing } from './tracing.js';

const info = { client: '127.0.0.2', command: 'QUERY', coordinator: '127.0.0.1', coordinatorPort: 9042, request: 'Execute CQL3 query', parameters: { query: 'SELECT * FROM ks.t', consistency_level: 'ONE' } };

test('tracing: a session collects events with elapsed microseconds and a duration', async () => {
  const time = new SimTime(1_700_000_000_000);
  const tracing = new Tracing({ clock: time, random: new SeededRandom(1) });
  const id = tracing.newSessionId();
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const s = tracing.begin(id, info);
  s.event('Parsing SELECT * FROM ks.t');
  await time.runFor(1.5);
  s.event('Read 1 live rows', { source: '127.0.0.3', thread: 'ReadStage-1' });
  s.remoteEvent({ activity: 'Enqueuing response', source: '127.0.0.3', sourcePort: 7000, sourceElapsedMicros: 42, thread: 'ReadStage-1' });
  assert.equal(tracing.sessionsRows(id)[0]!.duration, null, 'running sessions have no duration yet');
  await time.runFor(0.5);
  s.finish();
  s.finish();
  const [row] = tracing.sessionsRows(id);
  assert.equal(row!.duration, 2000);
  assert.equal(row!.started_at, 1_700_000_000_000);
  assert.deepEqual(row!.parameters, new Map(Object.entries(info.parameters)));
  const events = tracing.eventsRows(id);
  assert.deepEqual(events.map((e) => [e.activity, e.source, e.source_elapsed, e.thread]), [
    ['Parsing SELECT * FROM ks.t', '127.0.0.1', 0, 'Native-Transport-Requests-1'],
    ['Read 1 live rows', '127.0.0.3', 1500, 'ReadStage-1'],
    ['Enqueuing response', '127.0.0.3', 42, 'ReadStage-1'],
  ]);
  const ids = events.map((e) => String(e.event_id));
  assert.equal(new Set(ids).size, 3, 'event ids are unique timeuuids');
  assert.deepEqual(tracing.eventsRows('nope'), []);
});

test('tracing: bounded sessions (oldest evicted), events per session and age', async () => {
  const time = new SimTime(0);
  const tracing = new Tracing({ clock: time, random: new SeededRandom(2), limits: { sessionsMax: 3, eventsPerSessionMax: 5, sessionTtlMs: 10_000 } });
  const ids = Array.from({ length: 5 }, () => tracing.newSessionId());
  for (const id of ids) tracing.begin(id, info);
  assert.equal(tracing.sessionCount(), 3);
  assert.deepEqual(tracing.sessionsRows().map((r) => r.session_id), ids.slice(2));
  const s = tracing.get(ids[4]!)!;
  for (let i = 0; i < 12; i++) s.event(`step ${i}`);
  s.finish();
  const events = tracing.eventsRows(ids[4]!);
  assert.equal(events.length, 6);
  assert.match(String(events[5]!.activity), /^7 trace events dropped \(limit 5 per session\)$/);
  await time.runFor(10_001);
  assert.equal(tracing.sessionCount(), 0, 'expired after the TTL');
});

test('tracing: probability sampling uses the injected Random and validates input', () => {
  const time = new SimTime(0);
  const tracing = new Tracing({ clock: time, random: new SeededRandom(7) });
  assert.equal(tracing.shouldSample(), false);
  assert.throws(() => tracing.setProbability(1.5), RangeError);
  assert.throws(() => tracing.setProbability(-0.1), RangeError);
  tracing.setProbability(1);
  assert.equal(tracing.shouldSample(), true);
  tracing.setProbability(0.25);
  let hits = 0;
  for (let i = 0; i < 4000; i++) if (tracing.shouldSample()) hits++;
  assert.ok(hits > 850 && hits < 1150, `about a quarter sampled: ${hits}`);
  // Same seed, same decisions.
  const again = new Tracing({ clock: time, random: new SeededRandom(7), probability: 0.25 });
  const first = new Tracing({ clock: time, random: new SeededRandom(7), probability: 0.25 });
  // Both constructors consume the same randomness (timeuuid node), so the sequences match.
  for (let i = 0; i < 100; i++) assert.equal(again.shouldSample(), first.shouldSample());
});
