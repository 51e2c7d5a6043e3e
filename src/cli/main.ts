#!/usr/bin/env node
// The `cassia` command: start, shell, nodetool, cluster, stress, sstable, auditlog, fql. Process-level concerns (argv, signals,
// exit codes, stdout) live here and nowhere else.

import { Command, CommanderError } from 'commander';
import { nodeEnv } from '../env/node/mod.js';
import { ConfigError } from '../util/errors.js';
import type { RunningNode } from '../server/mod.js';
import { runNodetool } from './nodetool/mod.js';

interface StartFlags {
  config?: string;
  dataDir?: string;
  listenAddress?: string;
  nativePort?: string;
  storagePort?: string;
  adminPort?: string;
  seeds?: string;
  dc?: string;
  rack?: string;
}

/** Command-line flags → configuration overrides (cassandra.yaml names; validated by loadConfig). */
export function startOverrides(flags: StartFlags): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (flags.dataDir !== undefined) o['data_file_directories'] = [flags.dataDir];
  if (flags.listenAddress !== undefined) o['listen_address'] = flags.listenAddress;
  if (flags.nativePort !== undefined) o['native_transport_port'] = flags.nativePort;
  if (flags.storagePort !== undefined) o['storage_port'] = flags.storagePort;
  if (flags.adminPort !== undefined) o['admin_port'] = flags.adminPort;
  if (flags.seeds !== undefined) o['seed_provider'] = flags.seeds;
  if (flags.dc !== undefined) o['dc'] = flags.dc;
  if (flags.rack !== undefined) o['rack'] = flags.rack;
  return o;
}

async function start(flags: StartFlags): Promise<void> {
  const env = nodeEnv();
  let node: RunningNode;
  try {
    // Loaded here so that nodetool, shell and sstable do not load the whole server.
    const { loadConfig, startNode } = await import('../server/mod.js');
    const config = await loadConfig({ ...(flags.config !== undefined ? { file: flags.config } : {}), overrides: startOverrides(flags), fs: env.fs });
    node = await startNode({ config, env });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`cassia: configuration error: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    process.stderr.write(`cassia: could not start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  }
  process.stdout.write(`cassia: listening for CQL clients on ${node.nativeAddress}:${node.nativePort}\n`);
  process.stdout.write(`cassia: admin API on ${node.nativeAddress}:${node.adminPort}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`cassia: ${signal}: draining and stopping\n`);
    node.stop().then(() => process.exit(0), (err: unknown) => {
      process.stderr.write(`cassia: error while stopping: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function sstable(action: 'dump' | 'verify', file: string): Promise<number> {
  const { dumpSSTable, verifySSTable } = await import('../storage/mod.js');
  const fs = nodeEnv().fs;
  if (action === 'dump') {
    for await (const line of dumpSSTable(fs, file)) process.stdout.write(`${line}\n`);
    return 0;
  }
  const result = await verifySSTable(fs, file);
  for (const problem of result.problems) process.stderr.write(`${problem}\n`);
  process.stdout.write(result.ok
    ? `ok: ${file}: ${result.partitions} partitions, ${result.chunks} chunks, every checksum matches\n`
    : `FAILED: ${file}: ${result.problems.length} problem(s)\n`);
  return result.ok ? 0 : 1;
}

function exitWith(code: number): void {
  process.exitCode = code;
}

export function buildProgram(): Command {
  const program = new Command('cassia').description('a Cassandra-compatible database').exitOverride();
  program.command('start').description('run one node in the foreground')
    .option('--config <file>', 'cassia.yaml')
    .option('--data-dir <dir>', 'data directory (default ./data)')
    .option('--listen-address <ip>', 'address to listen on (default 127.0.0.1)')
    .option('--native-port <n>', 'CQL port (default 9042; 0 = any free port)')
    .option('--storage-port <n>', 'internode port (default 7000)')
    .option('--admin-port <n>', 'admin HTTP port (default 7199)')
    .option('--seeds <ips>', 'comma-separated seed addresses')
    .option('--dc <name>', 'data center (default datacenter1)')
    .option('--rack <name>', 'rack (default rack1)')
    .action((flags: StartFlags) => start(flags));
  program.command('shell').description('the CQL shell: cassia shell [HOST[:PORT]] [-e CQL] [-f FILE] [-u USER -p PASS] [-k KEYSPACE]')
    .helpOption(false).allowUnknownOption().allowExcessArguments().argument('[args...]')
    .action(async (args: string[]) => {
      const { runShell } = await import('./shell/mod.js');
      exitWith(await runShell(args));
    });
  program.command('nodetool').description('cluster and node administration: cassia nodetool [-h HOST] [--admin-port N] COMMAND')
    .helpOption(false).allowUnknownOption().allowExcessArguments().argument('[args...]')
    .action(async (args: string[]) => {
      exitWith(await runNodetool(args, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }));
    });
  program.command('cluster').description('local multi-node clusters: cassia cluster create|start|stop|status|node|remove|list|switch ...')
    .helpOption(false).allowUnknownOption().allowExcessArguments().argument('[args...]')
    .action(async (args: string[]) => {
      const { runCluster } = await import('./cluster/mod.js');
      exitWith(await runCluster(args));
    });
  program.command('stress').description('load and latency tool: cassia stress write|read|mixed|counter_write|counter_read|user [options]')
    .helpOption(false).allowUnknownOption().allowExcessArguments().argument('[args...]')
    .action(async (args: string[]) => {
      // A variable specifier keeps tsc from requiring the module while it is being written.
      const stressModule = './stress/mod.js';
      const { runStress } = (await import(stressModule)) as { runStress(argv: string[]): Promise<number> };
      exitWith(await runStress(args));
    });
  const io = { out: (t: string) => { process.stdout.write(t); }, err: (t: string) => { process.stderr.write(t); } };
  program.command('auditlog').description('audit log tools: cassia auditlog view DIR')
    .argument('<action>', 'view').argument('<dir>', 'audit_logs_dir of a node')
    .action(async (action: string, dir: string) => {
      if (action !== 'view') { io.err(`cassia auditlog: unknown action '${action}' (use view)\n`); exitWith(2); return; }
      const { auditlogView } = await import('./logs.js');
      exitWith(await auditlogView(nodeEnv().fs, dir, io));
    });
  program.command('fql').description('full query log tools: cassia fql dump DIR | cassia fql replay DIR --target HOST:PORT')
    .argument('<action>', 'dump or replay').argument('<dir>', 'full query log directory')
    .option('--target <host:port>', 'node to replay against (replay)')
    .option('--dc <name>', 'local data center of the target (default datacenter1)')
    .option('-u, --user <name>').option('-p, --password <password>')
    .action(async (action: string, dir: string, o: { target?: string; dc?: string; user?: string; password?: string }) => {
      const logs = await import('./logs.js');
      if (action === 'dump') { exitWith(await logs.fqlDump(nodeEnv().fs, dir, io)); return; }
      if (action !== 'replay') { io.err(`cassia fql: unknown action '${action}' (use dump or replay)\n`); exitWith(2); return; }
      if (o.target === undefined) { io.err('cassia fql replay: --target HOST:PORT is required\n'); exitWith(2); return; }
      const summary = await logs.fqlReplay(nodeEnv().fs, dir, { target: o.target, ...(o.dc ? { dc: o.dc } : {}),
        ...(o.user ? { user: o.user } : {}), ...(o.password ? { password: o.password } : {}) }, io);
      exitWith(summary.failed === 0 ? 0 : 1);
    });
  program.command('sstable').description('SSTable tools: cassia sstable dump|verify FILE')
    .argument('<action>', 'dump or verify').argument('<file>')
    .action(async (action: string, file: string) => {
      if (action !== 'dump' && action !== 'verify') {
        process.stderr.write(`cassia sstable: unknown action '${action}' (use dump or verify)\n`);
        exitWith(2);
        return;
      }
      exitWith(await sstable(action, file));
    });
  return program;
}

async function main(): Promise<void> {
  // A reader that closes the pipe early (`cassia sstable dump F | head`) is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(`cassia: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}

await main();
