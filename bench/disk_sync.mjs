#!/usr/bin/env node
// The disk's sync latency, the floor of any durable write's latency: N appends of SIZE bytes to a
// pre-allocated file in DIR, each made durable either by an O_DSYNC write (the commit log's
// default) or by write + fdatasync. One at a time, synchronously; prints p50/p99/max in ms.
//
// Usage: node bench/disk_sync.mjs [DIR=os.tmpdir()] [N=2000] [SIZE=4096]

import { closeSync, constants, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DIR = process.argv[2] ?? tmpdir();
const N = Number(process.argv[3] ?? 2000);
const SIZE = Number(process.argv[4] ?? 4096);
const FILE_BYTES = N * SIZE;

function measure(mode) {
  const path = join(DIR, `disk-sync-${process.pid}-${mode}.tmp`);
  const dsync = mode === 'O_DSYNC';
  const prep = openSync(path, 'w');
  writeSync(prep, Buffer.alloc(FILE_BYTES)); // pre-allocated, as commit log segments are
  fdatasyncSync(prep);
  closeSync(prep);
  const fd = openSync(path, constants.O_WRONLY | (dsync ? constants.O_DSYNC : 0));
  const buf = Buffer.alloc(SIZE, 0x61);
  const us = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    writeSync(fd, buf, 0, SIZE, i * SIZE);
    if (!dsync) fdatasyncSync(fd);
    us[i] = (performance.now() - t0) * 1000;
  }
  closeSync(fd);
  rmSync(path);
  us.sort();
  const at = (p) => (us[Math.min(N - 1, Math.ceil((p / 100) * N) - 1)] / 1000).toFixed(3);
  process.stdout.write(`${mode}: ${N} × ${SIZE} B in ${DIR}: p50 ${at(50)} p90 ${at(90)} p99 ${at(99)} max ${(us[N - 1] / 1000).toFixed(3)} ms\n`);
}

measure('O_DSYNC');
measure('write+fdatasync');
