// `cassia nodetool [-h HOST] [--admin-port N] COMMAND`: Cassandra's nodetool commands over the
// node's HTTP admin API (src/server/admin). Output is laid out like Cassandra's nodetool.

import { Command, CommanderError } from 'commander';
import type { DescribeRingReport, EndpointsReport, InfoReport, RingReport, StatusReport } from '../../server/admin/api.js';
import { AdminCallError, callAdmin, type AdminTarget } from './client.js';
import { formatDescribeRing, formatEndpoints, formatInfo, formatRing, formatStatus } from './format.js';
import { registerObservabilityCommands } from './observability.js';

export interface NodetoolIo {
  out(text: string): void;
  err(text: string): void;
}

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_ADMIN_PORT = 7199;

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new AdminCallError(`--admin-port: '${value}' is not a port number`);
  return n;
}

/** Runs nodetool with argv (the words after `nodetool`); resolves with the exit code. */
export async function runNodetool(argv: string[], io: NodetoolIo): Promise<number> {
  let pending: Promise<void> = Promise.resolve();
  const program = new Command('nodetool')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .option('-h, --host <host>', 'node address', DEFAULT_HOST)
    .option('-p, --admin-port <port>', 'admin API port', String(DEFAULT_ADMIN_PORT))
    .helpOption('--help', 'show help');
  const target = (): AdminTarget => {
    const o = program.opts<{ host: string; adminPort: string }>();
    return { host: o.host, port: parsePort(o.adminPort) };
  };
  const run = (fn: () => Promise<void>) => { pending = fn(); };
  const tablesBody = (keyspace?: string, tables: string[] = []) => ({ ...(keyspace ? { keyspace } : {}), ...(tables.length ? { tables } : {}) });

  program.command('status [keyspace]').description('cluster state, load, ownership').action((keyspace?: string) => run(async () => {
    io.out(formatStatus(await callAdmin(target(), 'GET', `/status${keyspace ? `?keyspace=${encodeURIComponent(keyspace)}` : ''}`) as StatusReport));
  }));
  program.command('info').description('this node\'s state').option('-T, --tokens', 'show every token').action((opts: { tokens?: boolean }) => run(async () => {
    io.out(formatInfo(await callAdmin(target(), 'GET', '/info') as InfoReport, opts.tokens === true));
  }));
  program.command('ring [keyspace]').description('tokens and their owners').action((keyspace?: string) => run(async () => {
    io.out(formatRing(await callAdmin(target(), 'GET', `/ring${keyspace ? `?keyspace=${encodeURIComponent(keyspace)}` : ''}`) as RingReport));
  }));
  program.command('describering <keyspace>').description('token ranges and their replicas').action((keyspace: string) => run(async () => {
    io.out(formatDescribeRing(await callAdmin(target(), 'GET', `/describering/${encodeURIComponent(keyspace)}`) as DescribeRingReport));
  }));
  program.command('getendpoints <keyspace> <table> <key>').description('replicas of a partition key').action((keyspace: string, table: string, key: string) => run(async () => {
    const path = `/getendpoints/${[keyspace, table, key].map(encodeURIComponent).join('/')}`;
    io.out(formatEndpoints(await callAdmin(target(), 'GET', path) as EndpointsReport));
  }));
  for (const verb of ['flush', 'compact'] as const) {
    program.command(`${verb} [keyspace] [tables...]`).description(verb === 'flush' ? 'flush memtables to SSTables' : 'major compaction')
      .action((keyspace?: string, tables?: string[]) => run(async () => { await callAdmin(target(), 'POST', `/${verb}`, tablesBody(keyspace, tables)); }));
  }
  program.command('snapshot [keyspace] [tables...]').description('hard-link the live SSTables into snapshots/TAG')
    .option('-t, --tag <tag>', 'snapshot name (default: the current time in ms)')
    .action((keyspace: string | undefined, tables: string[] | undefined, opts: { tag?: string }) => run(async () => {
      const r = await callAdmin(target(), 'POST', '/snapshot', { ...tablesBody(keyspace, tables), ...(opts.tag ? { tag: opts.tag } : {}) }) as { tag: string; files: number };
      io.out(`Snapshot ${r.tag}: ${r.files} files linked\n`);
    }));
  program.command('clearsnapshot').description('remove snapshot TAG, or every snapshot')
    .option('-t, --tag <tag>', 'the snapshot to remove (default: all)')
    .action((opts: { tag?: string }) => run(async () => { await callAdmin(target(), 'POST', '/clearsnapshot', opts.tag ? { tag: opts.tag } : {}); }));
  program.command('cleanup [keyspace] [tables...]').description('drop data of token ranges this node no longer replicates')
    .action((keyspace?: string, tables?: string[]) => run(async () => { await callAdmin(target(), 'POST', '/cleanup', tablesBody(keyspace, tables)); }));
  program.command('drain').description('flush everything and stop accepting writes').action(() => run(async () => {
    await callAdmin(target(), 'POST', '/drain');
  }));

  registerObservabilityCommands(program, { target, run, out: io.out });

  try {
    await program.parseAsync(argv, { from: 'user' });
    await pending;
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    if (err instanceof AdminCallError) { io.err(`nodetool: ${err.message}\n`); return 2; }
    throw err;
  }
}
