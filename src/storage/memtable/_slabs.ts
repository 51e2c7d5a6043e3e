// Append-only slab allocator for one memtable. Rows are encoded into large Buffers (off the V8
// heap: one Buffer object per slab instead of ~5 objects per row), so the GC neither copies nor
// marks them one by one. Nothing written is ever changed: an overwrite appends the merged row and
// the old bytes stay as garbage until the memtable is flushed and dropped whole.
//
// An address is slabIndex * SLAB_ADDRESS_SPAN + offset: a small integer (a V8 Smi while below
// 2^31, i.e. the first 2048 slabs), stored in the partition tree instead of an object.

import { assert } from '../../util/assert.js';

/** Slabs start small (a memtable of a rarely written table keeps 8 KiB, not a megabyte) and double. */
export const SLAB_BYTES_MIN = 8 * 1024;
export const SLAB_BYTES_MAX = 1024 * 1024;
/** Records above this size get a Buffer of their own (no slab tail wasted on them). */
export const DEDICATED_RECORD_BYTES_MIN = SLAB_BYTES_MAX / 8;
/** Offsets within a slab are below this; a dedicated buffer's record starts at offset 0. */
export const SLAB_ADDRESS_SPAN = SLAB_BYTES_MAX;
/** Bounds the slab index, so that addresses stay exact integers in a double. */
const SLABS_MAX = 2 ** 31;
assert(SLAB_BYTES_MIN <= SLAB_BYTES_MAX && DEDICATED_RECORD_BYTES_MIN < SLAB_BYTES_MAX, 'slab sizes');

export class Slabs {
  private readonly buffers: Buffer[] = [];
  private current: Buffer | null = null;
  private currentIndex = -1;
  private used = 0;
  private nextSlabBytes = SLAB_BYTES_MIN;
  /** Bytes of every Buffer allocated (slack and superseded records included): what the slabs really hold. */
  allocatedBytes = 0;

  /**
   * Reserves n bytes for one record and returns its address. Write them at
   * `bufferOf(address)` from `offsetOf(address)` before reserving again.
   */
  reserve(n: number): number {
    assert(n > 0, 'empty slab record');
    if (this.current !== null && this.used + n <= this.current.length) {
      const at = this.used;
      this.used += n;
      return this.currentIndex * SLAB_ADDRESS_SPAN + at;
    }
    if (n >= DEDICATED_RECORD_BYTES_MIN) return this.add(Buffer.allocUnsafeSlow(n)) * SLAB_ADDRESS_SPAN;
    let size = this.nextSlabBytes;
    while (size < n) size *= 2;
    this.nextSlabBytes = Math.min(SLAB_BYTES_MAX, size * 2);
    this.current = Buffer.allocUnsafeSlow(size);
    this.currentIndex = this.add(this.current);
    this.used = n;
    return this.currentIndex * SLAB_ADDRESS_SPAN;
  }

  private add(b: Buffer): number {
    assert(this.buffers.length < SLABS_MAX, 'memtable slab count limit');
    this.buffers.push(b);
    this.allocatedBytes += b.length;
    return this.buffers.length - 1;
  }

  bufferOf(address: number): Buffer {
    return this.buffers[Math.floor(address / SLAB_ADDRESS_SPAN)]!;
  }

  offsetOf(address: number): number {
    return address % SLAB_ADDRESS_SPAN;
  }
}
