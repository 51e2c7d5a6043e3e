// The system_views metric tables are declared twice, because src/coordinator may not import
// src/observability (same layer): in the schema (system_keyspaces.ts) and beside the code that
// fills them (VIRTUAL_TABLE_SPECS). This test keeps the two in step.

import test from 'node:test';
import assert from 'node:assert/strict';
import { systemKeyspaces } from '../../src/coordinator/schema/system_keyspaces.js';
import { VIRTUAL_TABLE_SPECS } from '../../src/observability/mod.js';
import { typeToCql } from '../../src/schema/types.js';

test('system_views metric tables in the schema match VIRTUAL_TABLE_SPECS', () => {
  const views = systemKeyspaces().find((k) => k.name === 'system_views');
  assert.ok(views);
  for (const spec of VIRTUAL_TABLE_SPECS) {
    const t = views.tables.get(spec.name);
    assert.ok(t, `system_views.${spec.name} missing from the schema`);
    assert.equal(t.virtual, true);
    const want = spec.columns.split(',').map((c) => c.trim().split(' ') as [string, string]);
    assert.deepEqual([...t.columns.values()].map((c) => [c.name, typeToCql(c.type)]).sort(), want.sort(), spec.name);
    assert.deepEqual(t.partitionKey.map((c) => c.name), spec.partitionKey, spec.name);
    assert.deepEqual(t.clustering.map((c) => c.name), spec.clustering ?? [], spec.name);
  }
});

test('system_traces tables are code-served', () => {
  const traces = systemKeyspaces().find((k) => k.name === 'system_traces');
  assert.ok(traces);
  assert.equal(traces.tables.get('sessions')?.virtual, true);
  assert.equal(traces.tables.get('events')?.virtual, true);
});
