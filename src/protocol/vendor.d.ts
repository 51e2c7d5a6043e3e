// Types for untyped npm packages used by src/protocol.
declare module 'snappyjs' {
  const snappy: {
    compress(input: Uint8Array): Uint8Array;
    /** Throws Error on an invalid stream or when the declared length exceeds maxLength. */
    uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
  };
  export default snappy;
}
