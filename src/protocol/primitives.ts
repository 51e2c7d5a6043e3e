// The notation types of native protocol section 3: [string], [long string], [bytes], [value],
// [short bytes], [string list], [string map], [string multimap], [bytes map], [inet],
// [inetaddr], [consistency], [uuid]. Readers throw TruncatedInput on short input and
// ProtocolError on values the spec forbids; they never throw anything else.

import { ByteReader } from '../util/bytes.js';
import type { ByteSink } from './sink.js';
import { ProtocolError, type ConsistencyName } from '../util/errors.js';
import { UNSET, type BoundValue } from './messages.js';

export const UUID_BYTES = 16;
const VALUE_NULL = -1;
const VALUE_UNSET = -2;

// ---------------------------------------------------------------------------------------------
// Readers

/** A count that prefixes n items, each at least minItemBytes long: rejects counts the input cannot hold. */
export function readCount(r: ByteReader, count: number, minItemBytes: number, what: string): number {
  if (count < 0) throw new ProtocolError(`negative ${what} count ${count}`);
  if (minItemBytes > 0 && count * minItemBytes > r.remaining) {
    throw new ProtocolError(`${what} count ${count} needs at least ${count * minItemBytes} bytes, only ${r.remaining} remain`);
  }
  return count;
}

export function readString(r: ByteReader): string {
  return r.utf8(r.u16());
}

export function readLongString(r: ByteReader): string {
  const n = r.i32();
  if (n < 0) throw new ProtocolError(`negative [long string] length ${n}`);
  return r.utf8(n);
}

/** [bytes]: null for a negative length. */
export function readBytes(r: ByteReader): Buffer | null {
  const n = r.i32();
  if (n < 0) return null;
  return r.bytes(n);
}

/** [value]: bytes, null (-1) or UNSET (-2); other negative lengths are a ProtocolError. */
export function readValue(r: ByteReader): BoundValue {
  const n = r.i32();
  if (n === VALUE_NULL) return null;
  if (n === VALUE_UNSET) return UNSET;
  if (n < 0) throw new ProtocolError(`invalid [value] length ${n} (only -1 null and -2 unset are allowed)`);
  return r.bytes(n); // a view of the received bytes (see the README's invariants)
}

export function readShortBytes(r: ByteReader): Buffer {
  return r.bytes(r.u16());
}

export function readStringList(r: ByteReader): string[] {
  const n = readCount(r, r.u16(), 2, '[string list]');
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(readString(r));
  return out;
}

export function readStringMap(r: ByteReader): Map<string, string> {
  const n = readCount(r, r.u16(), 4, '[string map]');
  const out = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const k = readString(r);
    out.set(k, readString(r));
  }
  return out;
}

export function readStringMultimap(r: ByteReader): Map<string, string[]> {
  const n = readCount(r, r.u16(), 4, '[string multimap]');
  const out = new Map<string, string[]>();
  for (let i = 0; i < n; i++) {
    const k = readString(r);
    out.set(k, readStringList(r));
  }
  return out;
}

export function readBytesMap(r: ByteReader): Map<string, Buffer> {
  const n = readCount(r, r.u16(), 6, '[bytes map]');
  const out = new Map<string, Buffer>();
  for (let i = 0; i < n; i++) {
    const k = readString(r);
    const v = readBytes(r);
    // A null value in a custom payload carries nothing; keep it as an empty buffer.
    out.set(k, v ?? Buffer.alloc(0));
  }
  return out;
}

export function readUuid(r: ByteReader): Buffer {
  return r.bytes(UUID_BYTES);
}

/** [inetaddr]: 4 or 16 address bytes as text (dotted IPv4, or IPv6 groups). */
export function readInetAddr(r: ByteReader): string {
  const n = r.u8();
  if (n !== 4 && n !== 16) throw new ProtocolError(`invalid [inetaddr] size ${n} (must be 4 or 16)`);
  return formatAddress(r.bytes(n));
}

export function readInet(r: ByteReader): { address: string; port: number } {
  const address = readInetAddr(r);
  return { address, port: r.i32() };
}

// ---------------------------------------------------------------------------------------------
// Writers

export function writeString(w: ByteSink, s: string): void {
  const n = Buffer.byteLength(s, 'utf8');
  if (n > 0xffff) throw new RangeError(`[string] of ${n} bytes exceeds the 65535-byte limit`);
  w.u16(n).utf8(s);
}

export function writeLongString(w: ByteSink, s: string): void {
  w.i32(Buffer.byteLength(s, 'utf8')).utf8(s);
}

export function writeBytes(w: ByteSink, b: Buffer | null): void {
  if (b === null) w.i32(VALUE_NULL);
  else w.i32(b.length).bytes(b);
}

export function writeValue(w: ByteSink, v: BoundValue): void {
  if (v === UNSET) w.i32(VALUE_UNSET);
  else writeBytes(w, v);
}

export function writeShortBytes(w: ByteSink, b: Buffer): void {
  if (b.length > 0xffff) throw new RangeError(`[short bytes] of ${b.length} bytes exceeds 65535`);
  w.u16(b.length).bytes(b);
}

export function writeStringList(w: ByteSink, list: readonly string[]): void {
  w.u16(list.length);
  for (const s of list) writeString(w, s);
}

export function writeStringMap(w: ByteSink, m: ReadonlyMap<string, string>): void {
  w.u16(m.size);
  for (const [k, v] of m) { writeString(w, k); writeString(w, v); }
}

export function writeStringMultimap(w: ByteSink, m: ReadonlyMap<string, readonly string[]>): void {
  w.u16(m.size);
  for (const [k, v] of m) { writeString(w, k); writeStringList(w, v); }
}

export function writeBytesMap(w: ByteSink, m: ReadonlyMap<string, Buffer>): void {
  w.u16(m.size);
  for (const [k, v] of m) { writeString(w, k); writeBytes(w, v); }
}

export function writeUuid(w: ByteSink, id: Buffer): void {
  if (id.length !== UUID_BYTES) throw new RangeError(`[uuid] must be ${UUID_BYTES} bytes, got ${id.length}`);
  w.bytes(id);
}

export function writeInetAddr(w: ByteSink, address: string): void {
  const bytes = parseAddress(address);
  w.u8(bytes.length).bytes(bytes);
}

export function writeInet(w: ByteSink, inet: { address: string; port: number }): void {
  writeInetAddr(w, inet.address);
  w.i32(inet.port);
}

// ---------------------------------------------------------------------------------------------
// Consistency levels

const CONSISTENCY_BY_CODE: readonly ConsistencyName[] = [
  'ANY', 'ONE', 'TWO', 'THREE', 'QUORUM', 'ALL', 'LOCAL_QUORUM', 'EACH_QUORUM', 'SERIAL',
  'LOCAL_SERIAL', 'LOCAL_ONE', 'NODE_LOCAL',
];
const CODE_BY_CONSISTENCY = new Map<ConsistencyName, number>(CONSISTENCY_BY_CODE.map((n, i) => [n, i]));

export function readConsistency(r: ByteReader): ConsistencyName {
  const code = r.u16();
  const name = CONSISTENCY_BY_CODE[code];
  if (name === undefined) throw new ProtocolError(`unknown consistency level code 0x${code.toString(16).padStart(4, '0')}`);
  return name;
}

export function writeConsistency(w: ByteSink, c: ConsistencyName): void {
  const code = CODE_BY_CONSISTENCY.get(c);
  if (code === undefined) throw new RangeError(`unknown consistency level ${c}`);
  w.u16(code);
}

// ---------------------------------------------------------------------------------------------
// Addresses

export function formatAddress(b: Buffer): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i));
  // RFC 5952: the longest run (length >= 2) of zero groups becomes '::'.
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestAt = i; bestLen = j - i; }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (bestAt < 0) return hex(groups);
  return `${hex(groups.slice(0, bestAt))}::${hex(groups.slice(bestAt + bestLen))}`;
}

/** Parses dotted IPv4 or (possibly ::-compressed, possibly v4-suffixed) IPv6 text. */
export function parseAddress(address: string): Buffer {
  const v4 = parseIpv4(address);
  if (v4) return v4;
  const v6 = parseIpv6(address);
  if (v6) return v6;
  throw new RangeError(`not an IP address: ${JSON.stringify(address)}`);
}

function parseIpv4(s: string): Buffer | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out = Buffer.alloc(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    out[i] = Number(p);
  }
  return out;
}

function parseIpv6(s: string): Buffer | null {
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const v4 = parseIpv4(g);
        if (!v4) return null;
        out.push(v4.readUInt16BE(0), v4.readUInt16BE(2));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (!head || !tail) return null;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 0) return null;
  const groups = [...head, ...new Array<number>(fill).fill(0), ...tail];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}
