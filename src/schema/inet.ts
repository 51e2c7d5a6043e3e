// inet values: 4 bytes (IPv4) or 16 bytes (IPv6), network order. Parsing follows Java's
// InetAddress for literals: an IPv4-mapped IPv6 address (::ffff:a.b.c.d) becomes the 4-byte IPv4
// address. Host names are not resolved (Cassia does no DNS on the request path).

export const IPV4_BYTES = 4;
export const IPV6_BYTES = 16;

/** Bytes of an IPv4 or IPv6 address text, or null if it is neither. */
export function parseInet(text: string): Buffer | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return v4;
  const v6 = parseIpv6(text);
  if (v6 === null) return null;
  const mapped = v6.subarray(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return mapped ? Buffer.from(v6.subarray(12)) : v6;
}

function parseIpv4(text: string): Buffer | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = Buffer.alloc(IPV4_BYTES);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    out[i] = Number(p);
  }
  return out;
}

function parseIpv6(input: string): Buffer | null {
  const text = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : halves[1]!.split(':')) : [];
  const groups = [...head, ...tail];
  const words: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    if (i === groups.length - 1 && g.includes('.')) {
      const v4 = parseIpv4(g);
      if (v4 === null) return null;
      words.push(v4.readUInt16BE(0), v4.readUInt16BE(2));
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      words.push(parseInt(g, 16));
    }
  }
  const headWords = words.length - (tail.length > 0 ? wordsIn(tail) : 0);
  if (halves.length === 1 ? words.length !== 8 : words.length > 7) return null;
  const out = Buffer.alloc(IPV6_BYTES);
  for (let i = 0; i < headWords; i++) out.writeUInt16BE(words[i]!, 2 * i);
  const tailWords = words.length - headWords;
  for (let i = 0; i < tailWords; i++) out.writeUInt16BE(words[headWords + i]!, 2 * (8 - tailWords + i));
  return out;
}

function wordsIn(groups: string[]): number {
  return groups.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
}

/** a.b.c.d, or RFC 5952 compressed IPv6 (longest run of two or more zero words as ::), as cqlsh prints. */
export function formatInet(bytes: Buffer): string {
  if (bytes.length === IPV4_BYTES) return Array.from(bytes).join('.');
  const words = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(2 * i));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Java's InetAddress.getHostAddress: IPv6 as eight uncompressed groups (used by toJson). */
export function formatInetJava(bytes: Buffer): string {
  if (bytes.length === IPV4_BYTES) return Array.from(bytes).join('.');
  return Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(2 * i).toString(16)).join(':');
}
