// The native transport's own CPU per request, in one process, without sockets: a NativeTransport
// (src/server/native) is handed a fake Connection, fed chunks of 64 pipelined requests of the
// benchmark set's shapes (prepared write: int key + 100-byte blob; read: int key, answered with one
// 100-byte row; batch: 10 prepared 3-value statements) and answered by a handler that resolves at
// once. One chunk per event-loop turn, so each turn's responses leave in one (discarded) write.
// It measures decoding, admission, dispatch, response encoding and the per-turn flush, not the
// syscalls or Node's stream machinery (bench/responder.mjs --measure has those).
// Prints process CPU µs per request, min and median of 5 runs after a warm-up.
// Usage: npm run build && node bench/transport_inproc.mjs write|read|batch [ROUNDS] [DIST_ROOT]
import { pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [op = 'write', roundsArg = '3000', rootArg] = process.argv.slice(2);
if (!['write', 'read', 'batch'].includes(op)) { console.error('usage: node bench/transport_inproc.mjs write|read|batch [ROUNDS] [DIST_ROOT]'); process.exit(2); }
const root = rootArg ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const P = await import(pathToFileURL(`${root}/src/protocol/mod.js`).href);
const N = await import(pathToFileURL(`${root}/src/server/native/mod.js`).href);
const { nodeEnv } = await import(pathToFileURL(`${root}/src/env/node/mod.js`).href);

const VERSION = 4;
const REQUESTS_PER_CHUNK = 64;
const CHUNKS = 16;
const ID = Buffer.alloc(16, 7);
const VALUE = Buffer.alloc(100, 0x61);
const int32 = (i) => { const b = Buffer.alloc(4); b.writeInt32BE(i); return b; };
const frame = (msg, stream) => {
  const { body, flags } = P.encodeBody(msg, VERSION);
  return P.encodeEnvelope({ version: VERSION, isResponse: false, flags, streamId: stream, opcode: P.OPCODE[msg.opcode] }, body);
};
const params = (values) => ({
  consistency: 'ONE', values: { kind: 'positional', values }, skipMetadata: true, pageSize: null, pagingState: null,
  serialConsistency: null, defaultTimestamp: null, keyspace: null, nowInSeconds: null,
});
function request(i) {
  if (op === 'write') return { opcode: 'EXECUTE', id: ID, resultMetadataId: null, params: params([int32(i), VALUE]) };
  if (op === 'read') return { opcode: 'EXECUTE', id: ID, resultMetadataId: null, params: params([int32(i)]) };
  return {
    opcode: 'BATCH', batchType: 'UNLOGGED', consistency: 'ONE', serialConsistency: null, defaultTimestamp: null, keyspace: null, nowInSeconds: null,
    statements: Array.from({ length: 10 }, (_, c) => ({ kind: 'prepared', id: ID, values: [int32(i), int32(c), VALUE] })),
  };
}
const chunks = Array.from({ length: CHUNKS }, (_, k) => Buffer.concat(Array.from({ length: REQUESTS_PER_CHUNK }, (_, s) => frame(request(k * REQUESTS_PER_CHUNK + s), s + 1))));

const COLUMNS = [{ keyspace: 'bench', table: 'kv', name: 'v', type: { kind: 'native', name: 'blob' } }];
const VOID = { result: { kind: 'void' } };
const ROW = { result: { kind: 'rows', columns: COLUMNS, rows: [[VALUE]], pagingState: null, noMetadata: true, newMetadataId: null } };
let checksum = 0;
const handler = {
  query: () => Promise.resolve(VOID),
  prepare: () => Promise.resolve(VOID),
  execute: (req) => { checksum += req.params.values.values.length; return Promise.resolve(op === 'read' ? ROW : VOID); },
  batch: (req) => { checksum += req.statements.length; return Promise.resolve(VOID); },
};

let accept;
const fakeNet = {
  listen: async (host, _port, onConnection) => { accept = onConnection; return { address: host, port: 1, close: async () => {} }; },
  connect: async () => { throw new Error('no outgoing connections here'); },
};
const transport = new N.NativeTransport({ env: { ...nodeEnv(), net: fakeNet }, handler });
await transport.listen('127.0.0.1', 0);
let deliver;
let writtenBytes = 0;
accept({
  remoteAddress: '127.0.0.1', remotePort: 5, localAddress: '127.0.0.1', localPort: 9042,
  write(b) { writtenBytes += b.length; return true; },
  writev(bs) { for (const b of bs) writtenBytes += b.length; return true; },
  pause() {}, resume() {}, end() {}, destroy() {}, setKeepAlive() {},
  onData(fn) { deliver = fn; }, onDrain() {}, onClose() {}, onError() {},
});
const turn = () => new Promise((resolve) => setImmediate(resolve));
deliver(frame({ opcode: 'STARTUP', options: new Map([['CQL_VERSION', '3.0.0']]) }, 0));
await turn();

/** Feeds `rounds` chunks, one per turn (bounded by count). */
async function run(rounds) {
  for (let i = 0; i < rounds; i++) { deliver(chunks[i % CHUNKS]); await turn(); }
}
await run(2000); // JIT warm-up
const rounds = Number(roundsArg);
const perRequest = [];
for (let k = 0; k < 5; k++) {
  const before = process.cpuUsage();
  await run(rounds);
  const used = process.cpuUsage(before);
  perRequest.push((used.user + used.system) / (rounds * REQUESTS_PER_CHUNK));
}
perRequest.sort((a, b) => a - b);
console.log(`${op}: ${perRequest[0].toFixed(3)} µs/request min, ${perRequest[2].toFixed(3)} median (${rounds * REQUESTS_PER_CHUNK} requests × 5, ${writtenBytes} bytes answered, checksum ${checksum})`);
await transport.close();
process.exit(0);
