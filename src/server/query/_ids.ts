// Prepared statement ids (16-byte MD5s) arrive as new Buffers with every EXECUTE; the caches are
// keyed by their hex text. IdText gives that text without encoding it again for ids seen before:
// a Map keyed by a number read from the id's first 6 bytes, checked against the whole id.

/** Ids remembered; past this the map starts over (the caches themselves are bounded elsewhere). */
const ID_TEXTS_MAX = 20_000;
const KEY_BYTES = 6; // readUIntBE reads at most 6 bytes into an exact double

/**
 * Ids remembered by identity. The transport hands out one Buffer per prepared id and connection
 * (its decoder interns them), and the request observer and the query processor ask for the same
 * Buffer in turn: with a few connections executing one statement, a handful covers them all.
 */
const RECENT_IDS = 4;

export class IdText {
  private readonly byPrefix = new Map<number, { id: Buffer; hex: string }>();
  /** The last RECENT_IDS distinct ids asked for (by identity) and their text; replaced round-robin. */
  private readonly recentIds: (Buffer | null)[] = new Array<Buffer | null>(RECENT_IDS).fill(null);
  private readonly recentHex: string[] = new Array<string>(RECENT_IDS).fill('');
  private nextSlot = 0;

  /** id.toString('hex'), from memory when this id was seen before. */
  of(id: Buffer): string {
    const ids = this.recentIds;
    for (let i = 0; i < RECENT_IDS; i++) if (ids[i] === id) return this.recentHex[i]!;
    const hex = this.lookup(id);
    const slot = this.nextSlot;
    ids[slot] = id;
    this.recentHex[slot] = hex;
    this.nextSlot = (slot + 1) % RECENT_IDS;
    return hex;
  }

  private lookup(id: Buffer): string {
    if (id.length < KEY_BYTES) return id.toString('hex');
    const key = id.readUIntBE(0, KEY_BYTES);
    const hit = this.byPrefix.get(key);
    if (hit !== undefined && sameBytes(hit.id, id)) return hit.hex;
    const hex = id.toString('hex');
    if (this.byPrefix.size >= ID_TEXTS_MAX) this.byPrefix.clear();
    this.byPrefix.set(key, { id: Buffer.from(id), hex });
    return hex;
  }
}

/** Buffers at most this long are compared by a loop (Buffer#equals is a native call costing more for them). */
const LOOP_COMPARE_BYTES_MAX = 64;

/** a.equals(b), cheaper for short buffers (prepared ids, partition keys). */
export function sameBytes(a: Buffer, b: Buffer): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  if (n > LOOP_COMPARE_BYTES_MAX) return a.equals(b);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
