// The shared-memory layout between NodeWriterThread (main side) and its worker
// (_writer_worker.ts). One request at a time: the caller copies the runs' bytes into `data`,
// describes each write and sync in `ops`, stores the request number in ctl[CTL_REQUEST] and
// notifies; the worker does the system calls in order and answers with one message.

/** Staging buffer: the largest request in bytes (a commit-log batch of small writes is ~10-100 KiB; larger batches, e.g. of large values kept by reference, are cheaper through the handles than copied). */
export const WRITER_REQUEST_BYTES_MAX = 256 * 1024;
/** Largest number of writes plus syncs in one request (a batch touches one or two segments). */
export const WRITER_OPS_MAX = 16;
/** Per op, in `ops` (Float64Array): kind, fd, file position, offset in `data`, length. */
export const OP_FIELDS = 5;
export const OP_WRITE = 1;
export const OP_SYNC = 2;

/** Int32 slots of `ctl`. */
export const CTL_REQUEST = 0; // number of the latest request (main stores, worker waits on it)
export const CTL_OPS = 1; // ops in the latest request
export const CTL_STOP = 2; // 1: the worker leaves its loop
export const CTL_SLOTS = 4;

export interface WriterShared {
  ctl: SharedArrayBuffer;
  ops: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

/** The worker's answer to request `seq`: done, or the first error (then nothing after it ran). */
export type WriterReply = { seq: number; ok: true } | { seq: number; ok: false; code: string | undefined; message: string };
