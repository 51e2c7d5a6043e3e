#!/usr/bin/env node
// A do-nothing CQL responder: the reference the benchmarks divide by. It speaks just enough of
// native protocol v4 to be driven like a node (STARTUP, OPTIONS, REGISTER, PREPARE) and answers
// every QUERY, EXECUTE and BATCH with one canned RESULT (Void), framed with src/protocol's
// encoders. Responses ready in one tick go out in one write per connection, as in the node.
// Its CPU per request is the floor of any server written on Node's event loop and sockets.
//
// Usage: node bench/responder.mjs [PORT]   (prints "responder listening on 127.0.0.1:PORT")

import net from 'node:net';
import { InboundDecoder, OPCODE, encodeBody, encodeEnvelope, opcodeName } from '../dist/src/protocol/mod.js';

const VERSION = 4;
const PREPARED_ID = Buffer.from('cassia-bench-responder-id');

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

function serve(socket) {
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
  socket.on('data', (chunk) => {
    decoder.push(chunk);
    for (let item = decoder.next(); item !== null; item = decoder.next()) {
      if (item.kind === 'error') { socket.destroy(); return; }
      pending.push(reply(cannedFor(item.header.opcode), item.header.streamId));
    }
    if (!scheduled) { scheduled = true; setImmediate(flush); }
  });
  socket.on('error', () => socket.destroy());
}

const port = Number(process.argv[2] ?? 0);
const server = net.createServer(serve);
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`responder listening on 127.0.0.1:${server.address().port}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
