import test from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { createHash } from 'node:crypto';
import { NodeNetwork } from './mod.js';
import type { Connection } from '../mod.js';
import { READ_BUFFER_BYTES, type ReadMode } from './_read_buffer.js';

const MODES: ReadMode[] = ['reused-buffer', 'stream'];

function digest(chunks: Buffer[]): string {
  const h = createHash('sha256');
  for (const c of chunks) h.update(c);
  return h.digest('hex');
}

function connectClient(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}

for (const mode of MODES) {
  test(`NodeNetwork (${mode}): chunks kept across reads stay intact, from several clients at once`, async () => {
    const received = new Map<Connection, Buffer[]>();
    const closed: Connection[] = [];
    const listener = await new NodeNetwork(mode).listen('127.0.0.1', 0, (conn) => {
      received.set(conn, []);
      conn.onData((chunk) => received.get(conn)!.push(chunk)); // kept, never copied by the test
      conn.onClose(() => closed.push(conn));
      conn.onError(() => {});
    });
    const sent: Buffer[][] = [[], [], []];
    const clients = await Promise.all(sent.map(() => connectClient(listener.port)));
    // Interleaved writes of assorted sizes, some larger than one read buffer.
    for (let round = 0; round < 40; round++) {
      clients.forEach((c, i) => {
        const size = [1, 9, 1000, 17_000, READ_BUFFER_BYTES + 123][(round + i) % 5]!;
        const b = Buffer.alloc(size, (round * 7 + i * 31) & 0xff);
        if (size >= 4) b.writeUInt32BE(round, 0);
        sent[i]!.push(b);
        c.write(b);
      });
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(clients.map((c) => new Promise<void>((r) => c.end(r))));
    const deadline = Date.now() + 10_000;
    while (closed.length < clients.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(closed.length, clients.length, 'every connection saw its close');
    const totals = [...received.values()].map((chunks) => digest(chunks)).sort();
    assert.deepEqual(totals, sent.map((chunks) => digest(chunks)).sort());
    await listener.close(); // resolves only once the server counts no open connection
  });

  test(`NodeNetwork (${mode}): pause stops delivery until resume; close waits for open connections`, async () => {
    let conn: Connection | null = null;
    const chunks: Buffer[] = [];
    const listener = await new NodeNetwork(mode).listen('127.0.0.1', 0, (c) => {
      conn = c;
      c.onData((chunk) => chunks.push(chunk));
      c.onError(() => {});
    });
    const client = await connectClient(listener.port);
    client.write('before');
    const deadline = Date.now() + 10_000;
    while (chunks.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(Buffer.concat(chunks).toString(), 'before');
    conn!.pause();
    client.write('during');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(Buffer.concat(chunks).toString(), 'before', 'nothing delivered while paused');
    conn!.resume();
    while (Buffer.concat(chunks).length < 12 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(Buffer.concat(chunks).toString(), 'beforeduring');

    let listenerClosed = false;
    const closing = listener.close().then(() => { listenerClosed = true; });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(listenerClosed, false, 'close waits while a connection is open');
    client.destroy();
    await closing;
    assert.equal(listenerClosed, true);
  });
}
