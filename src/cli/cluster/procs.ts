// Node processes: start one detached `cassia start --config FILE`, recognise it again by PID, wait
// for it to be ready or gone, signal it. Every wait has a deadline.
//
// A recorded PID is trusted only while /proc/PID/cmdline still names the node's config file (on
// Linux), so a PID the kernel has since given to another program is reported stale and never
// signalled. Elsewhere only "a process with this PID exists" can be checked.

import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The `cassia` entry point the nodes run (dist/src/cli/main.js, beside this folder). */
export const CASSIA_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
export const READY_NATIVE_PATTERN = /cassia: listening for CQL clients on (\S+):(\d+)/;
export const READY_ADMIN_PATTERN = /cassia: admin API on (\S+):(\d+)/;
export const POLL_INTERVAL_MS = 100;
export const LOG_TAIL_LINES = 25;
const LOG_TAIL_BYTES_MAX = 64 * 1024;
const LOG_SCAN_BYTES_MAX = 1024 * 1024; // ready lines come first; never read more than this per poll

export type ProcessState =
  | { kind: 'absent' }
  | { kind: 'running' }
  | { kind: 'paused' }
  /** The PID exists but is not this node's process (reused PID). */
  | { kind: 'foreign'; command: string };

const HAS_PROC = (() => { try { readFileSync('/proc/self/stat'); return true; } catch { return false; } })();

/** What the PID is now, for the node whose config file is `configPath`. */
export function processState(pid: number, configPath: string): ProcessState {
  if (!HAS_PROC) return pidExists(pid) ? { kind: 'running' } : { kind: 'absent' };
  let stat: string;
  let cmdline: string[];
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return { kind: 'absent' };
  }
  // Field 3, after the parenthesised command name (which may itself hold spaces or parentheses).
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  if (state === 'Z' || state === 'X' || state === 'x') return { kind: 'absent' };
  if (!(cmdline.includes('start') && cmdline.includes(configPath))) return { kind: 'foreign', command: cmdline.join(' ').trim() };
  return state === 'T' || state === 't' ? { kind: 'paused' } : { kind: 'running' };
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function isAlive(s: ProcessState): boolean {
  return s.kind === 'running' || s.kind === 'paused';
}

export interface Spawned {
  pid: number;
  /** Log size before this start: the ready lines are searched after it. */
  logOffset: number;
  /** Exit code once the process ends (while this program still runs). */
  exitCode(): number | null | undefined;
}

/** Starts the node detached, stdout and stderr appended to logPath; it outlives this program. */
export function spawnNode(o: { configPath: string; logPath: string; cwd: string; startedAt: string }): Spawned {
  const fd = openSync(o.logPath, 'a');
  let pid: number | undefined;
  let code: number | null | undefined;
  let logOffset = 0;
  try {
    writeSync(fd, `\n--- cassia cluster: starting node at ${o.startedAt} ---\n`);
    logOffset = fstatSync(fd).size;
    const child = spawn(process.execPath, [CASSIA_MAIN, 'start', '--config', o.configPath], { cwd: o.cwd, detached: true, stdio: ['ignore', fd, fd] });
    child.once('exit', (c, signal) => { code = c ?? (signal === null ? null : -1); });
    child.once('error', () => { code = -1; });
    child.unref();
    pid = child.pid;
  } finally {
    closeSync(fd);
  }
  if (pid === undefined) throw new Error(`could not start ${process.execPath} ${CASSIA_MAIN} (see ${o.logPath})`);
  return { pid, logOffset, exitCode: () => code };
}

export type ReadyOutcome =
  | { kind: 'ready'; native: { host: string; port: number }; admin: { host: string; port: number } }
  | { kind: 'exited'; tail: string }
  | { kind: 'timeout'; tail: string };

/** Polls the log after `offset` until both ready lines appear, the process ends, or the deadline. */
export async function waitReady(o: { pid: number; configPath: string; logPath: string; offset: number; timeoutMs: number }): Promise<ReadyOutcome> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const text = readLog(o.logPath, o.offset, LOG_SCAN_BYTES_MAX);
    const n = READY_NATIVE_PATTERN.exec(text);
    const a = READY_ADMIN_PATTERN.exec(text);
    if (n && a) return { kind: 'ready', native: { host: n[1]!, port: Number(n[2]) }, admin: { host: a[1]!, port: Number(a[2]) } };
    if (!isAlive(processState(o.pid, o.configPath))) return { kind: 'exited', tail: logTail(o.logPath, o.offset) };
    if (Date.now() >= deadline) return { kind: 'timeout', tail: logTail(o.logPath, o.offset) };
    await sleep(POLL_INTERVAL_MS);
  }
}

/** Polls until the process is gone; false at the deadline. */
export async function waitGone(pid: number, configPath: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (isGone(processState(pid, configPath))) return true;
    if (Date.now() >= deadline) return false;
    await sleep(POLL_INTERVAL_MS);
  }
}

/**
 * Gone for good: no such process, a zombie, or the PID reused by another program. A process that
 * is still exiting has already dropped its command line (it reads as empty) but is not a zombie
 * yet: that one is still going.
 */
function isGone(s: ProcessState): boolean {
  return s.kind === 'absent' || (s.kind === 'foreign' && s.command !== '');
}

/** Polls until the process is in `want` ('paused' or 'running'); false at the deadline. */
export async function waitState(pid: number, configPath: string, want: 'paused' | 'running', timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = processState(pid, configPath);
    if (s.kind === want || !isAlive(s)) return s.kind === want;
    if (Date.now() >= deadline) return false;
    await sleep(POLL_INTERVAL_MS);
  }
}

export type Signal = 'SIGTERM' | 'SIGKILL' | 'SIGSTOP' | 'SIGCONT';

/** Sends a signal to the node's process only while the PID still is that process. */
export function signalNode(pid: number, configPath: string, signal: Signal): boolean {
  if (!isAlive(processState(pid, configPath))) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** The last lines written to the log after `offset`. */
export function logTail(logPath: string, offset = 0, lines = LOG_TAIL_LINES): string {
  const text = readLog(logPath, offset, LOG_TAIL_BYTES_MAX, 'end');
  return text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1).slice(-lines).join('\n');
}

function readLog(path: string, offset: number, maxBytes: number, from: 'start' | 'end' = 'start'): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const available = Math.max(0, size - offset);
    const length = Math.min(available, maxBytes);
    const position = from === 'start' ? offset : size - length;
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, position);
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
