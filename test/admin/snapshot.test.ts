// nodetool snapshot / clearsnapshot / cleanup against a real node: hard links appear under each
// table's snapshots/TAG and go away again; cleanup on a node that owns every range keeps all data.

import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import { CLI_PATH, startNodeProcess, type NodeProcess } from '../harness.js';
import { connectNpmClient } from '../e2e/_drivers.js';

let node: NodeProcess;
let client: cassandra.Client;

before(async () => {
  node = await startNodeProcess();
  client = await connectNpmClient(node, 'snap');
  await client.execute('CREATE TABLE snap.t (k int PRIMARY KEY, v text)');
  for (let k = 0; k < 50; k++) await client.execute('INSERT INTO snap.t (k, v) VALUES (?, ?)', [k, `v${k}`], { prepare: true });
});

after(async () => {
  await client?.shutdown();
  await node?.cleanup();
});

function nodetool(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI_PATH, 'nodetool', '-h', node.host, '--admin-port', String(node.adminPort), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Every file under dir whose path contains `/snapshots/TAG/`. */
function snapshotFiles(dir: string, tag: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.includes(`/snapshots/${tag}/`)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

test('nodetool flush, snapshot -t TAG hard-links SSTables; clearsnapshot removes them', () => {
  assert.equal(nodetool('flush', 'snap').code, 0);
  const snap = nodetool('snapshot', '-t', 'before-upgrade', 'snap', 't');
  assert.equal(snap.code, 0, snap.err);
  assert.match(snap.out, /Snapshot before-upgrade: \d+ files linked/);
  const files = snapshotFiles(node.dataDir, 'before-upgrade');
  assert.ok(files.some((f) => f.endsWith('Data.db')), files.join('\n'));
  assert.ok(files.every((f) => statSync(f).nlink >= 2), 'hard links, not copies');
  const bad = nodetool('snapshot', '-t', '../escape', 'snap');
  assert.notEqual(bad.code, 0);
  assert.match(bad.err, /snapshot tag must be a plain name/);
  assert.equal(nodetool('clearsnapshot', '-t', 'before-upgrade').code, 0);
  assert.deepEqual(snapshotFiles(node.dataDir, 'before-upgrade'), []);
});

test('nodetool cleanup keeps every row a single node replicates', async () => {
  const r = nodetool('cleanup', 'snap');
  assert.equal(r.code, 0, r.err);
  const rs = await client.execute('SELECT count(*) FROM snap.t');
  assert.equal(rs.first()['count'].toString(), '50');
  assert.notEqual(nodetool('cleanup', 'nosuchks').code, 0);
});
