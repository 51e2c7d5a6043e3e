// What the message encoders write to. util's ByteWriter (a growing buffer) is one; the
// transport's EnvelopeOutput (output.ts: envelopes back to back in per-connection slabs) is the
// other. Big-endian, like everything in the native protocol.

export interface ByteSink {
  u8(v: number): this;
  u16(v: number): this;
  i32(v: number): this;
  i64(v: bigint): this;
  /** Copies b. */
  bytes(b: Uint8Array): this;
  /** Writes s as UTF-8 (no length prefix). */
  utf8(s: string): this;
}
