// A lean native-protocol v4 client for the benchmarks: pipelined requests on a few
// connections, writes coalesced per tick, responses matched by stream id and not decoded
// beyond their opcode (errors and PREPARE results are decoded). It costs the client a few µs
// per request, a fraction of what the npm driver costs, so more of a 2-core machine is left
// to the server under test.

import net from 'node:net';
import { InboundDecoder, OPCODE, decodeBody, encodeBody, encodeEnvelope } from '../dist/src/protocol/mod.js';

const VERSION = 4;
/** Stream ids per connection (v4 allows 0..32767; 0 is left unused). */
export const STREAMS_PER_CONNECTION = 4096;
const ERROR_OPCODE = OPCODE.ERROR;

export class BenchConnection {
  #socket;
  #decoder = new InboundDecoder({ expect: 'responses' });
  #waiting = new Map();
  #free = [];
  #pending = [];
  #scheduled = false;
  #closedError = null;

  constructor(socket) {
    this.#socket = socket;
    for (let s = STREAMS_PER_CONNECTION; s >= 1; s--) this.#free.push(s);
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.#onData(chunk));
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () => this.#fail(new Error('connection closed')));
  }

  static async open(host, port) {
    const socket = await new Promise((resolve, reject) => {
      const s = net.connect(port, host, () => resolve(s));
      s.once('error', reject);
    });
    const c = new BenchConnection(socket);
    await c.request({ opcode: 'STARTUP', options: new Map([['CQL_VERSION', '3.0.0']]) });
    return c;
  }

  get inFlight() { return this.#waiting.size; }

  /** Sends a request; resolves with { opcode, body } of the response, rejects on ERROR. */
  request(message) {
    if (this.#closedError) return Promise.reject(this.#closedError);
    const stream = this.#free.pop();
    if (stream === undefined) return Promise.reject(new Error(`more than ${STREAMS_PER_CONNECTION} requests in flight on one connection`));
    const { body, flags } = encodeBody(message, VERSION);
    this.#pending.push(encodeEnvelope({ version: VERSION, isResponse: false, flags, streamId: stream, opcode: OPCODE[message.opcode] }, body));
    if (!this.#scheduled) { this.#scheduled = true; setImmediate(() => this.#flush()); }
    return new Promise((resolve, reject) => this.#waiting.set(stream, { resolve, reject }));
  }

  async prepare(query) {
    const r = await this.request({ opcode: 'PREPARE', query, keyspace: null });
    const { message } = decodeBody({ opcode: r.opcode, flags: r.flags, version: VERSION, isResponse: true }, r.body);
    if (message.opcode !== 'RESULT' || message.result.kind !== 'prepared') throw new Error(`PREPARE ${query}: unexpected ${message.opcode}`);
    return message.result.id;
  }

  query(query) {
    return this.request({ opcode: 'QUERY', query, params: params([]) });
  }

  execute(id, values) {
    return this.request({ opcode: 'EXECUTE', id, resultMetadataId: null, params: params(values) });
  }

  batch(statements) {
    return this.request({ opcode: 'BATCH', batchType: 'UNLOGGED', statements, consistency: 'ONE', serialConsistency: null, defaultTimestamp: null, keyspace: null, nowInSeconds: null });
  }

  close() {
    this.#socket.end();
    this.#socket.destroy();
  }

  #flush() {
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    const out = this.#pending.length === 1 ? this.#pending[0] : Buffer.concat(this.#pending);
    this.#pending = [];
    this.#socket.write(out);
  }

  #onData(chunk) {
    this.#decoder.push(chunk);
    for (let item = this.#decoder.next(); item !== null; item = this.#decoder.next()) {
      if (item.kind === 'error') { this.#fail(item.error); return; }
      const { streamId, opcode, flags } = item.header;
      const w = this.#waiting.get(streamId);
      if (!w) continue; // events, or a stream we gave up on
      this.#waiting.delete(streamId);
      this.#free.push(streamId);
      if (opcode === ERROR_OPCODE) {
        const { message } = decodeBody({ opcode, flags, version: VERSION, isResponse: true }, item.body);
        w.reject(message.error ?? new Error('server error'));
      } else w.resolve({ opcode, flags, body: item.body });
    }
  }

  #fail(err) {
    if (this.#closedError) return;
    this.#closedError = err;
    for (const w of this.#waiting.values()) w.reject(err);
    this.#waiting.clear();
  }
}

function params(values) {
  return {
    consistency: 'ONE', values: { kind: 'positional', values }, skipMetadata: true, pageSize: null, pagingState: null,
    serialConsistency: null, defaultTimestamp: null, keyspace: null, nowInSeconds: null,
  };
}

/** Round-robin over connections. */
export class BenchPool {
  constructor(connections) { this.connections = connections; this.next = 0; }
  static async open(host, port, n) {
    const cs = [];
    for (let i = 0; i < n; i++) cs.push(await BenchConnection.open(host, port));
    return new BenchPool(cs);
  }
  pick() { const c = this.connections[this.next]; this.next = (this.next + 1) % this.connections.length; return c; }
  close() { for (const c of this.connections) c.close(); }
}

export function int32(n) {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(n | 0, 0);
  return b;
}
