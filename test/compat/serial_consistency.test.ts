// A conditional write whose serial consistency is not SERIAL/LOCAL_SERIAL (here ONE) is refused as
// Cassandra does (ConsistencyLevel.validateForCas): InvalidRequest "Invalid consistency for
// conditional update. Must be one of SERIAL or LOCAL_SERIAL". The npm driver lets an application set
// serialConsistency to any level, so this reaches real nodes.

import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import cassandra from 'cassandra-driver';
import { startNodeProcess, type NodeProcess } from '../harness.js';
import { npmClient } from './_support.js';

let node: NodeProcess;
let client: cassandra.Client | undefined;
before(async () => { node = await startNodeProcess(); });
after(async () => { await client?.shutdown(); await node?.cleanup(); });

test('a conditional write with serial consistency ONE is refused as in Cassandra', async () => {
  client = await npmClient(node, 'sc', (c) => { client = c; });
  await client.execute('CREATE TABLE t (k int PRIMARY KEY, v int)');
  await assert.rejects(
    client.execute('INSERT INTO t (k, v) VALUES (1, 1) IF NOT EXISTS', [], { serialConsistency: cassandra.types.consistencies.one }),
    (err: Error & { code?: number }) => {
      assert.equal(err.code, 0x2200);
      assert.match(err.message, /Invalid consistency for conditional update. Must be one of SERIAL or LOCAL_SERIAL/);
      return true;
    });
  assert.equal((await client.execute('SELECT * FROM t')).rows.length, 0);
});
