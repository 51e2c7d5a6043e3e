// Is a node answering? CQL: send a native protocol v4 OPTIONS request and wait for SUPPORTED (a
// TCP connect alone would succeed against a paused process: the kernel completes the handshake).
// Admin: GET /info. Both with a deadline.

import { connect } from 'node:net';
import type { InfoReport } from '../../server/admin/api.js';

export const CQL_PROBE_TIMEOUT_MS = 1500;
export const ADMIN_PROBE_TIMEOUT_MS = 2000;

const FRAME_HEADER_BYTES = 9; // version, flags, stream(2), opcode, length(4)
const REQUEST_V4 = 0x04;
const RESPONSE_V4 = 0x84;
const OPCODE_OPTIONS = 0x05;
const OPCODE_SUPPORTED = 0x06;

export type CqlProbe = 'up' | 'refused' | 'timeout' | 'error';

/** OPTIONS → SUPPORTED on host:port within timeoutMs. */
export function probeCql(host: string, port: number, timeoutMs = CQL_PROBE_TIMEOUT_MS): Promise<CqlProbe> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (result: CqlProbe) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.once('connect', () => {
      const header = Buffer.alloc(FRAME_HEADER_BYTES);
      header.writeUInt8(REQUEST_V4, 0);
      header.writeUInt8(OPCODE_OPTIONS, 4); // flags 0, stream 0, body length 0
      socket.write(header);
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < FRAME_HEADER_BYTES) return;
      finish(received[0] === RESPONSE_V4 && received[4] === OPCODE_SUPPORTED ? 'up' : 'error');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => finish(err.code === 'ECONNREFUSED' ? 'refused' : 'error'));
    socket.once('close', () => finish('error'));
  });
}

/** The node's admin /info, or null when it does not answer in time. */
export async function probeInfo(host: string, port: number, timeoutMs = ADMIN_PROBE_TIMEOUT_MS): Promise<InfoReport | null> {
  try {
    const response = await fetch(`http://${host}:${port}/info`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return null;
    return (await response.json()) as InfoReport;
  } catch {
    return null;
  }
}
