#!/usr/bin/env node
// A do-nothing CQL responder: the reference the benchmarks divide by. It speaks just enough of
// native protocol v4 to be driven like a node (STARTUP, OPTIONS, REGISTER, PREPARE) and answers
// every QUERY, EXECUTE and BATCH with one canned RESULT (Void), framed with src/protocol's
// encoders. Responses ready in one tick go out in one write per connection, as in the node.
// Its CPU per request is the floor of any server written on Node's event loop and sockets.
//
// --transport: the node's own native transport (src/server/native NativeTransport on the Node
// Env) in front of a stub QueryHandler that answers at once (PREPARE: an id per statement text;
// EXECUTE of a SELECT: one 100-byte row; anything else: Void). Its CPU per request is what the
// transport and protocol cost, with no query processing or storage behind them.
//
// --measure: runs both (canned and --transport) as child processes and drives them with the
// bench client (bench/_client.mjs: 2 connections, 128 requests in flight, closed loop) under
// the benchmark set's write, read and 10-statement batch shapes, alternating the two servers
// for --rounds rounds of --seconds each; prints each one's server CPU µs/op (/proc), min and
// median, and their difference: the transport's own cost beyond framing canned replies.
//
// Usage: node bench/responder.mjs [--transport] [PORT]   (prints "responder listening on 127.0.0.1:PORT")
//        node bench/responder.mjs --measure [--seconds 3] [--rounds 3] [--only write,read,batch10]

import net from 'node:net';
import { startResponderProcess } from './_responder_process.mjs';
import { InboundDecoder, OPCODE, encodeBody, encodeEnvelope, opcodeName } from '../dist/src/protocol/mod.js';
import { adoptAccepted } from '../dist/src/env/node/_read_buffer.js';

const VERSION = 4;
const PREPARED_ID = Buffer.from('cassia-bench-responder-id');
const VALUE = Buffer.alloc(100, 0x61); // the benchmark set's value size

function frame(message, streamId = 0) {
  const { body, flags } = encodeBody(message, VERSION);
  return encodeEnvelope({ version: VERSION, isResponse: true, flags, streamId, opcode: OPCODE[message.opcode] }, body);
}

/** Canned responses, encoded once; each reply copies one and patches its stream id. */
const CANNED = {
  READY: frame({ opcode: 'READY' }),
  SUPPORTED: frame({ opcode: 'SUPPORTED', options: new Map([['CQL_VERSION', ['3.4.5']], ['COMPRESSION', []], ['PROTOCOL_VERSIONS', ['4/v4']]]) }),
  VOID: frame({ opcode: 'RESULT', result: { kind: 'void' } }),
  PREPARED: frame({ opcode: 'RESULT', result: { kind: 'prepared', id: PREPARED_ID, resultMetadataId: null, bindVariables: [], partitionKeyIndexes: [], resultColumns: [] } }),
};

function reply(canned, streamId) {
  const out = Buffer.allocUnsafe(canned.length);
  canned.copy(out);
  out.writeInt16BE(streamId, 2);
  return out;
}

function cannedFor(opcode) {
  switch (opcodeName(opcode)) {
    case 'STARTUP': case 'REGISTER': return CANNED.READY;
    case 'OPTIONS': return CANNED.SUPPORTED;
    case 'PREPARE': return CANNED.PREPARED;
    default: return CANNED.VOID; // QUERY, EXECUTE, BATCH, and anything else
  }
}

function serve(socket, reader) {
  socket.setNoDelay(true);
  const decoder = new InboundDecoder();
  let pending = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0 || socket.destroyed) return;
    const out = pending.length === 1 ? pending[0] : Buffer.concat(pending);
    pending = [];
    socket.write(out);
  };
  reader.onData((chunk) => {
    decoder.push(chunk);
    for (let item = decoder.next(); item !== null; item = decoder.next()) {
      if (item.kind === 'error') { socket.destroy(); return; }
      pending.push(reply(cannedFor(item.header.opcode), item.header.streamId));
    }
    if (!scheduled) { scheduled = true; setImmediate(flush); }
  });
  socket.on('error', () => socket.destroy());
}

async function listenCanned(port) {
  // Reads as the node's transport does (src/env/node/_read_buffer.ts: one reused read buffer).
  const server = net.createServer({ pauseOnConnect: true }, (socket) => {
    const reader = adoptAccepted(server, socket, 'reused-buffer');
    serve(reader.socket, reader);
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port: server.address().port, close: () => new Promise((r) => server.close(r)) };
}

/** The stub behind --transport: answers at once, no parsing beyond telling SELECTs from the rest. */
function stubHandler() {
  const statements = new Map(); // id (latin1) → is a SELECT
  const columns = [{ keyspace: 'bench', table: 'kv', name: 'v', type: { kind: 'native', name: 'blob' } }];
  const VOID = { result: { kind: 'void' } };
  const rows = (skipMetadata) => ({ result: { kind: 'rows', columns, rows: [[VALUE]], pagingState: null, noMetadata: skipMetadata, newMetadataId: null } });
  return {
    query: () => Promise.resolve(VOID),
    prepare: (req) => {
      const id = Buffer.alloc(16);
      id.writeUInt32BE(statements.size + 1, 12);
      const select = /^\s*select/i.test(req.query);
      statements.set(id.toString('latin1'), select);
      return Promise.resolve({ result: { kind: 'prepared', id, resultMetadataId: null, bindVariables: [], partitionKeyIndexes: [], resultColumns: select ? columns : [] } });
    },
    execute: (req) => Promise.resolve(statements.get(req.id.toString('latin1')) ? rows(req.params.skipMetadata) : VOID),
    batch: () => Promise.resolve(VOID),
  };
}

async function listenTransport(port) {
  const { NativeTransport } = await import('../dist/src/server/native/mod.js');
  const { nodeEnv } = await import('../dist/src/env/node/mod.js');
  const transport = new NativeTransport({ env: nodeEnv(), handler: stubHandler() });
  const bound = await transport.listen('127.0.0.1', port);
  return { port: bound, close: () => transport.close() };
}

// ---- --measure ---------------------------------------------------------------------------------

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}


async function measure() {
  const { BenchPool, int32 } = await import('./_client.mjs');
  const { readProcCpu } = await import('../dist/src/cli/stress/cpu.js');
  const seconds = Number(option('seconds', '3'));
  const rounds = Number(option('rounds', '3'));
  const only = option('only', 'write,read,batch10').split(',');
  const CONCURRENCY = 128;
  const servers = { canned: await startResponderProcess([]), transport: await startResponderProcess(['--transport']) };
  const ops = {
    write: { cql: 'INSERT INTO bench.kv (k, v) VALUES (?, ?)', op: (pool, id, i) => pool.pick().execute(id, [int32(i), VALUE]) },
    read: { cql: 'SELECT v FROM bench.kv WHERE k = ?', op: (pool, id, i) => pool.pick().execute(id, [int32(i)]) },
    batch10: {
      cql: 'INSERT INTO bench.wide (p, c, v) VALUES (?, ?, ?)',
      op: (pool, id, i) => pool.pick().batch(Array.from({ length: 10 }, (_, c) => ({ kind: 'prepared', id, values: [int32(i), int32(c), VALUE] }))),
    },
  };
  const results = {};
  for (const name of only) {
    const shape = ops[name];
    if (!shape) throw new Error(`unknown operation ${name} (write, read, batch10)`);
    results[name] = { canned: [], transport: [] };
    const pools = {};
    const ids = {};
    for (const [s, server] of Object.entries(servers)) {
      pools[s] = await BenchPool.open('127.0.0.1', server.port, 2);
      ids[s] = await pools[s].connections[0].prepare(shape.cql);
      await pools[s].connections[1].prepare(shape.cql);
      await loop(pools[s], ids[s], shape.op, 1000, CONCURRENCY); // warm-up
    }
    for (let r = 0; r < rounds; r++) {
      for (const [s, server] of Object.entries(servers)) {
        const before = readProcCpu(server.pid);
        const n = await loop(pools[s], ids[s], shape.op, seconds * 1000, CONCURRENCY);
        const after = readProcCpu(server.pid);
        results[name][s].push((after.userMicros + after.systemMicros - before.userMicros - before.systemMicros) / n);
      }
    }
    for (const p of Object.values(pools)) p.close();
  }
  for (const s of Object.values(servers)) await s.stop();
  const stat = (xs) => { const v = [...xs].sort((a, b) => a - b); return { min: v[0], median: v[Math.floor(v.length / 2)] }; };
  console.log(`| operation | canned responder µs/op, min (median) | transport + stub handler µs/op, min (median) | difference of minimums |`);
  console.log('|---|---:|---:|---:|');
  for (const [name, r] of Object.entries(results)) {
    const c = stat(r.canned);
    const t = stat(r.transport);
    console.log(`| ${name} | ${c.min.toFixed(2)} (${c.median.toFixed(2)}) | ${t.min.toFixed(2)} (${t.median.toFixed(2)}) | ${(t.min - c.min).toFixed(2)} |`);
  }
  console.log(`${rounds} rounds of ${seconds} s per server and operation, alternated; ${CONCURRENCY} in flight over 2 connections.`);
}

/** Closed loop: `concurrency` requests in flight until `ms` elapsed (bounded by time); returns the count. */
async function loop(pool, id, op, ms, concurrency) {
  let i = 0;
  let n = 0;
  const end = Date.now() + ms;
  await Promise.all(Array.from({ length: concurrency }, async () => { while (Date.now() < end) { await op(pool, id, i++); n++; } }));
  return n;
}

// ---- main --------------------------------------------------------------------------------------

if (process.argv.includes('--measure')) {
  await measure();
} else {
  const portArg = process.argv.slice(2).find((a) => /^\d+$/.test(a));
  const server = process.argv.includes('--transport') ? await listenTransport(Number(portArg ?? 0)) : await listenCanned(Number(portArg ?? 0));
  process.stdout.write(`responder listening on 127.0.0.1:${server.port}\n`);
  const stop = () => server.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
