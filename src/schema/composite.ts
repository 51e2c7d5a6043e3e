// Partition keys: a single-column key is the column's serialized value; a multi-column key uses
// Cassandra's CompositeType form, for each component: u16 length, the bytes, one end-of-component
// byte 0x00. Drivers hash exactly this form with Murmur3 to route requests, so it must match.

import { InvalidRequest } from '../util/errors.js';

const COMPONENT_LENGTH_BYTES = 2; // u16 big-endian
const END_OF_COMPONENT_BYTES = 1; // 0x00 for a stored key
/** A component is at most 64 KiB - 1 because its length is a u16. */
export const COMPONENT_BYTES_MAX = 0xffff;

/** The serialized partition key of the given column values (one buffer per key column). */
export function serializeCompositeKey(components: readonly Buffer[]): Buffer {
  if (components.length === 1) return components[0]!;
  let size = 0;
  for (const c of components) {
    if (c.length > COMPONENT_BYTES_MAX) {
      throw new InvalidRequest(`Key length of ${c.length} is longer than maximum of ${COMPONENT_BYTES_MAX}`);
    }
    size += COMPONENT_LENGTH_BYTES + c.length + END_OF_COMPONENT_BYTES;
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const c of components) {
    out.writeUInt16BE(c.length, at);
    c.copy(out, at + COMPONENT_LENGTH_BYTES);
    at += COMPONENT_LENGTH_BYTES + c.length;
    out[at++] = 0;
  }
  return out;
}

/** Views of the `componentCount` column values in a serialized partition key. */
export function splitCompositeKey(key: Buffer, componentCount: number): Buffer[] {
  if (componentCount === 1) return [key];
  const out: Buffer[] = [];
  let at = 0;
  while (at < key.length) {
    if (at + COMPONENT_LENGTH_BYTES > key.length) throw new InvalidRequest('Truncated composite partition key');
    const len = key.readUInt16BE(at);
    const start = at + COMPONENT_LENGTH_BYTES;
    if (start + len + END_OF_COMPONENT_BYTES > key.length) throw new InvalidRequest('Truncated composite partition key');
    out.push(key.subarray(start, start + len));
    at = start + len + END_OF_COMPONENT_BYTES;
  }
  if (out.length !== componentCount) {
    throw new InvalidRequest(`Composite partition key has ${out.length} components, expected ${componentCount}`);
  }
  return out;
}
