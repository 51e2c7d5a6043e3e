#!/usr/bin/env node
// The disk's sync latency, the floor of any durable write's latency: N appends of SIZE bytes to a
// pre-allocated file in DIR, each made durable either by an O_DSYNC write (the commit log's
// default) or by write + fdatasync. One at a time, synchronously; prints p50/p99/max in ms.
//
// Usage: node bench/disk_sync.mjs [DIR=os.tmpdir()] [N=2000] [SIZE=4096] [--beside-segment]
// --beside-segment: meanwhile a child process writes 32 MiB of zeros to another file in DIR and
// syncs it, as the commit log does when it pre-allocates its next segment.

import { closeSync, constants, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const DIR = process.argv.slice(2).filter((a) => !a.startsWith('--'))[0] ?? tmpdir();
const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const N = Number(positional[1] ?? 2000);
const SIZE = Number(positional[2] ?? 4096);
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

const BESIDE = process.argv.includes('--beside-segment');
const SEGMENT_MIB = 32;

/** Starts a 32 MiB zero-fill + sync of another file (the commit log's segment pre-allocation). */
function besideSegment() {
  const path = join(DIR, `disk-sync-${process.pid}-segment.tmp`);
  const child = spawn('dd', ['if=/dev/zero', `of=${path}`, 'bs=1M', `count=${SEGMENT_MIB}`, 'conv=fdatasync'], { stdio: 'ignore' });
  return new Promise((resolve) => child.once('exit', () => { rmSync(path, { force: true }); resolve(); }));
}

for (const mode of ['O_DSYNC', 'write+fdatasync']) {
  if (!BESIDE) { measure(mode); continue; }
  const done = besideSegment();
  // Synchronous measuring loop: the child runs in its own process meanwhile.
  await new Promise((r) => setTimeout(r, 20));
  measure(mode);
  await done;
}
