// Starts bench/responder.mjs as a child process on an ephemeral port and resolves once it says
// where it listens: { pid, port, stop() }. Shared by run.mjs and responder.mjs --measure.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RESPONDER = join(dirname(fileURLToPath(import.meta.url)), 'responder.mjs');

export function startResponderProcess(args = []) {
  const child = spawn(process.execPath, [RESPONDER, ...args, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /listening on [^:]+:(\d+)/.exec(out);
      if (m) resolve({ pid: child.pid, port: Number(m[1]), stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }) });
    });
    child.once('exit', (code) => reject(new Error(`responder exited ${code}`)));
  });
}
