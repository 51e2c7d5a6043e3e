// The flooding client, run as its own process so its CPU does not delay the well-behaved client
// in the test process: a few raw native-protocol v4 connections bound to one local address, each
// keeping `--in-flight` prepared 256 KiB writes outstanding (the 256 KiB bodies are shared
// buffers, so the client's own memory stays small), resending on a stream as soon as it is
// answered, for `--seconds`; then it stops sending, waits for every outstanding answer (bounded)
// and prints one JSON line: FloodReport.
//
// usage: node _flood.js --port N --local-address IP --seconds S --connections C --in-flight F
//        --value-bytes B [--throw-on-overload]

import net from 'node:net';
import { parseArgs } from 'node:util';
import { InboundDecoder, OPCODE, decodeBody, encodeBody, encodeEnvelope, encodeEnvelopeHeader } from '../../src/protocol/mod.js';
import type { Request } from '../../src/protocol/mod.js';

export interface FloodReport {
  sent: number;
  answered: number;
  ok: number;
  overloaded: number;
  otherErrors: number;
  firstOtherError: string | null;
  /** Other errors by their name (WriteTimeout, ...). */
  otherErrorNames: Record<string, number>;
  /** Answers on a stream with nothing outstanding (must be 0: exactly one answer per request). */
  duplicates: number;
  /** Requests still unanswered when the client gave up waiting (must be 0). */
  unanswered: number;
  /** Largest number of requests outstanding at once across connections. */
  maxOutstanding: number;
}

const VERSION = 4;
const OVERLOADED_CODE = 0x1001;
const KEYS = 16;
const DRAIN_WAIT_MS = 60_000;

interface Stats { sent: number; answered: number; ok: number; overloaded: number; otherErrors: number; firstOtherError: string | null; otherErrorNames: Record<string, number>; duplicates: number; outstanding: number; maxOutstanding: number }

class FloodConnection {
  private readonly decoder = new InboundDecoder({ expect: 'responses' });
  private readonly outstanding: Uint8Array;
  private readonly waiting = new Map<number, (r: { opcode: number; body: Buffer; flags: number }) => void>();
  private nextKey = 0;
  sending = false;
  closed = false;

  constructor(private readonly socket: net.Socket, private readonly streams: number, private readonly stats: Stats, private bodies: Buffer[] = []) {
    this.outstanding = new Uint8Array(streams + 1);
    socket.setNoDelay(true);
    socket.on('data', (c) => this.onData(c));
    socket.on('error', () => {});
    socket.on('close', () => { this.closed = true; });
  }

  static async open(port: number, localAddress: string, streams: number, stats: Stats): Promise<FloodConnection> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port, localAddress }, () => resolve(s));
      s.once('error', reject);
    });
    return new FloodConnection(socket, streams, stats);
  }

  /** One control request on stream 0 (not counted). */
  control(msg: Request): Promise<{ opcode: number; body: Buffer; flags: number }> {
    const { body, flags } = encodeBody(msg, VERSION);
    this.socket.write(encodeEnvelope({ version: VERSION, isResponse: false, flags, streamId: 0, opcode: OPCODE[msg.opcode] }, body));
    return new Promise((resolve) => this.waiting.set(0, resolve));
  }

  useBodies(bodies: Buffer[]): void { this.bodies = bodies; }

  startFlood(): void {
    this.sending = true;
    this.socket.cork();
    for (let s = 1; s <= this.streams; s++) this.send(s);
    this.socket.uncork();
  }

  private send(stream: number): void {
    const body = this.bodies[this.nextKey++ % this.bodies.length]!;
    this.socket.write(encodeEnvelopeHeader({ version: VERSION, isResponse: false, flags: 0, streamId: stream, opcode: OPCODE.EXECUTE, bodyLength: body.length }));
    this.socket.write(body);
    this.outstanding[stream] = 1;
    this.stats.sent++;
    this.stats.outstanding++;
    this.stats.maxOutstanding = Math.max(this.stats.maxOutstanding, this.stats.outstanding);
  }

  private onData(chunk: Buffer): void {
    this.decoder.push(chunk);
    this.socket.cork();
    for (let item = this.decoder.next(); item !== null; item = this.decoder.next()) {
      if (item.kind === 'error') throw item.error;
      const { streamId, opcode, flags } = item.header;
      if (streamId === 0) { this.waiting.get(0)?.({ opcode, body: item.body, flags }); this.waiting.delete(0); continue; }
      if (streamId < 0) continue; // events
      this.onAnswer(streamId, opcode, flags, item.body);
    }
    this.socket.uncork();
  }

  private onAnswer(stream: number, opcode: number, flags: number, body: Buffer): void {
    const st = this.stats;
    if (this.outstanding[stream] !== 1) { st.duplicates++; return; }
    this.outstanding[stream] = 0;
    st.answered++;
    st.outstanding--;
    if (opcode === OPCODE.RESULT) st.ok++;
    else {
      const { message } = decodeBody({ opcode, flags, version: VERSION, isResponse: true }, body);
      if (message.opcode === 'ERROR' && message.error.code === OVERLOADED_CODE) st.overloaded++;
      else {
        const name = message.opcode === 'ERROR' ? message.error.name : message.opcode;
        st.otherErrors++;
        st.otherErrorNames[name] = (st.otherErrorNames[name] ?? 0) + 1;
        st.firstOtherError ??= message.opcode === 'ERROR' ? `${message.error.name}: ${message.error.message}` : message.opcode;
      }
    }
    if (this.sending) this.send(stream);
  }

  close(): void { this.socket.destroy(); }
}

function executeBody(id: Buffer, key: number, value: Buffer): Buffer {
  const k = Buffer.alloc(4);
  k.writeInt32BE(key);
  return encodeBody({
    opcode: 'EXECUTE', id, resultMetadataId: null,
    params: { consistency: 'ONE', values: { kind: 'positional', values: [k, value] }, skipMetadata: true, pageSize: null, pagingState: null, serialConsistency: null, defaultTimestamp: null, keyspace: null, nowInSeconds: null },
  }, VERSION).body;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    port: { type: 'string' }, 'local-address': { type: 'string' }, seconds: { type: 'string' }, connections: { type: 'string' },
    'in-flight': { type: 'string' }, 'value-bytes': { type: 'string' }, 'throw-on-overload': { type: 'boolean' },
  } });
  const port = Number(values.port);
  const seconds = Number(values.seconds ?? 20);
  const streams = Number(values['in-flight'] ?? 1000);
  const stats: Stats = { sent: 0, answered: 0, ok: 0, overloaded: 0, otherErrors: 0, firstOtherError: null, otherErrorNames: {}, duplicates: 0, outstanding: 0, maxOutstanding: 0 };
  const conns: FloodConnection[] = [];
  const startup = new Map([['CQL_VERSION', '3.4.5'], ...(values['throw-on-overload'] ? [['THROW_ON_OVERLOAD', 'true'] as [string, string]] : [])]);
  for (let i = 0; i < Number(values.connections ?? 4); i++) {
    const c = await FloodConnection.open(port, values['local-address'] ?? '127.0.0.1', streams, stats);
    await c.control({ opcode: 'STARTUP', options: startup });
    conns.push(c);
  }
  const prepared = await conns[0]!.control({ opcode: 'PREPARE', query: 'INSERT INTO flood.blobs (k, v) VALUES (?, ?)', keyspace: null });
  const { message } = decodeBody({ opcode: prepared.opcode, flags: prepared.flags, version: VERSION, isResponse: true }, prepared.body);
  if (message.opcode !== 'RESULT' || message.result.kind !== 'prepared') throw new Error(`PREPARE failed: ${JSON.stringify(message)}`);
  const value = Buffer.alloc(Number(values['value-bytes'] ?? 256 * 1024), 0x61);
  const bodies = Array.from({ length: KEYS }, (_, k) => executeBody(message.result.kind === 'prepared' ? message.result.id : Buffer.alloc(0), k, value));
  for (const c of conns) { c.useBodies(bodies); c.startFlood(); }
  await new Promise((r) => setTimeout(r, seconds * 1000));
  for (const c of conns) c.sending = false;
  const deadline = Date.now() + DRAIN_WAIT_MS;
  while (stats.outstanding > 0 && Date.now() < deadline && conns.some((c) => !c.closed)) await new Promise((r) => setTimeout(r, 50));
  for (const c of conns) c.close();
  const { outstanding, ...rest } = stats;
  const report: FloodReport = { ...rest, unanswered: outstanding };
  process.stdout.write(JSON.stringify(report) + '\n');
}

main().catch((e: unknown) => { process.stderr.write(`flood client failed: ${(e as Error).stack ?? String(e)}\n`); process.exit(1); });
