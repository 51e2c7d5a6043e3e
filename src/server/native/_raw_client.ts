// A bare protocol client for transport tests: sends hand-made envelopes (or raw bytes) and
// decodes whatever comes back, with no driver logic in between.

import type { Connection, Env } from '../../env/mod.js';
import { OPCODE, encodeEnvelope, type EnvelopeHeader } from '../../protocol/envelope.js';
import { decodeBody, encodeBody } from '../../protocol/codec.js';
import { InboundDecoder } from '../../protocol/decoder.js';
import { SegmentEncoder } from '../../protocol/segment.js';
import { FLAG_COMPRESSION } from '../../protocol/envelope.js';
import { bodyCompressor, type BodyCompressor, type CompressionName } from '../../protocol/compression.js';
import type { Message, MessageExtras, QueryParameters, Request, Response } from '../../protocol/messages.js';

export interface Received {
  header: EnvelopeHeader;
  message: Response;
  extras: MessageExtras;
}

export function queryParams(over: Partial<QueryParameters> = {}): QueryParameters {
  return {
    consistency: 'ONE', values: { kind: 'positional', values: [] }, skipMetadata: false, pageSize: null, pagingState: null,
    serialConsistency: null, defaultTimestamp: null, keyspace: null, nowInSeconds: null, ...over,
  };
}

export class RawClient {
  version = 4;
  private readonly decoder = new InboundDecoder({ expect: 'responses' });
  private segments: SegmentEncoder | null = null;
  private readonly received: Received[] = [];
  private waiter: (() => void) | null = null;
  closed = false;
  private nextStream = 1;
  /** v4 body compression, once STARTUP asked for it (applied to requests when `compressRequests`). */
  compressor: BodyCompressor | null = null;
  compressRequests = false;

  private constructor(private readonly conn: Connection) {
    conn.onData((chunk) => { this.decoder.push(chunk); this.drain(); });
    conn.onClose(() => { this.closed = true; this.wake(); });
    conn.onError(() => {});
  }

  static async connect(env: Env, port: number, opts: { host?: string; localAddress?: string } = {}): Promise<RawClient> {
    const connectOpts = opts.localAddress === undefined ? {} : { localAddress: opts.localAddress };
    return new RawClient(await env.net.connect(opts.host ?? '127.0.0.1', port, connectOpts));
  }

  /** Encodes one request envelope (not sent). */
  encode(msg: Request, opts: { stream?: number; flags?: number; version?: number; extras?: MessageExtras } = {}): Buffer {
    const version = opts.version ?? this.version;
    let { body, flags } = encodeBody(msg, version, opts.extras ?? {});
    if (this.compressor && this.compressRequests && body.length > 0) { body = this.compressor.compress(body); flags |= FLAG_COMPRESSION; }
    return encodeEnvelope({ version, isResponse: false, flags: flags | (opts.flags ?? 0), streamId: opts.stream ?? 0, opcode: OPCODE[msg.opcode] }, body);
  }

  /** Sends a request; returns its stream id. */
  send(msg: Request, opts: { stream?: number; flags?: number; version?: number; extras?: MessageExtras } = {}): number {
    const stream = opts.stream ?? this.nextStream++;
    this.sendRaw(this.encode(msg, { ...opts, stream }));
    return stream;
  }

  /** Sends bytes, wrapped in segments once v5 framing is on. */
  sendRaw(bytes: Buffer): void {
    if (this.segments) this.conn.writev(this.segments.encodeEnvelopes([bytes]));
    else this.conn.write(bytes);
  }

  /** Sends bytes exactly as given, whatever the framing. */
  sendBytes(bytes: Buffer): void {
    this.conn.write(bytes);
  }

  /** Turns on v5 framing; call after the (unframed) STARTUP reply has been received. */
  useSegments(compressed: boolean): void {
    this.segments = new SegmentEncoder(compressed);
    this.decoder.useSegments(compressed);
  }

  /** STARTUP at `version`; expects READY or AUTHENTICATE, then turns on compression or v5 framing. */
  async startup(version = 4, options: Record<string, string> = {}): Promise<Received> {
    this.version = version;
    this.send({ opcode: 'STARTUP', options: new Map(Object.entries({ CQL_VERSION: '3.0.0', ...options })) }, { stream: 0 });
    const r = await this.next();
    if (r.message.opcode !== 'READY' && r.message.opcode !== 'AUTHENTICATE') throw new Error(`expected READY, got ${describe(r.message)}`);
    const compression = options['COMPRESSION'] as CompressionName | undefined;
    if (version >= 5) this.useSegments(compression === 'lz4');
    else if (compression) this.compressor = bodyCompressor(compression);
    return r;
  }

  /** The next response (rejects when the connection closes first). */
  async next(): Promise<Received> {
    for (;;) {
      const r = this.received.shift();
      if (r) return r;
      if (this.closed) throw new Error('connection closed');
      await new Promise<void>((resolve) => { this.waiter = resolve; });
    }
  }

  /** Resolves once the server closed the connection. */
  async waitClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((resolve) => { this.waiter = resolve; });
  }

  close(): void {
    this.conn.destroy();
  }

  private drain(): void {
    for (let item = this.decoder.next(); item; item = this.decoder.next()) {
      if (item.kind === 'error') throw item.error;
      let body = item.body;
      if (item.header.flags & FLAG_COMPRESSION && item.header.version < 5) {
        if (!this.compressor) throw new Error('compressed response on a connection without compression');
        body = this.compressor.decompress(body, 1 << 28);
      }
      const { message, extras } = decodeBody({ opcode: item.header.opcode, flags: item.header.flags, version: item.header.version, isResponse: true }, body);
      this.received.push({ header: item.header, message: message as Response, extras });
    }
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}

export function describe(m: Message): string {
  return m.opcode === 'ERROR' ? `ERROR ${m.error.name}: ${m.error.message}` : m.opcode;
}
