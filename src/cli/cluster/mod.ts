// src/cli/cluster: `cassia cluster`, a local multi-node cluster manager (see README.md, docs/cluster.md).

import { parseClusterArgs, USAGE, UsageError } from './args.js';
import { execute, type ClusterIo } from './commands.js';
import { LayoutError } from './layout.js';
import { ClusterError, ClusterStore, clustersRoot } from './store.js';

export { parseClusterArgs, USAGE, UsageError, type Command, type Parsed } from './args.js';
/** Node status as `cassia cluster status --json` prints it. */
export { clusterStatus, type ClusterIo, type ClusterStatus, type NodeStatusLine } from './commands.js';
/** The pure layout: node names, addresses, DC/rack, seeds, cassia.yaml text, replication hint. */
export { planCluster, nodeYaml, replicationHint, parseRf, type ClusterRecord, type NodeRecord, type Ports } from './layout.js';
export { ClusterStore, ClusterError, clustersRoot } from './store.js';
export { processState, type ProcessState } from './procs.js';
export { probeCql, probeInfo } from './probe.js';

const processIo: ClusterIo = {
  out: (t) => { process.stdout.write(t); },
  err: (t) => { process.stderr.write(t); },
};

export interface RunClusterOptions {
  io?: ClusterIo;
  /** Environment variables (CASSIA_CLUSTERS_DIR); default process.env. */
  environment?: Readonly<Record<string, string | undefined>>;
}

/**
 * Runs `cassia cluster ARGV...` (argv excludes "cluster"); resolves with the exit code:
 * 0 done, 1 an operation failed (message on err), 2 bad usage.
 */
export async function runCluster(argv: string[], options: RunClusterOptions = {}): Promise<number> {
  const io = options.io ?? processIo;
  let parsed;
  try {
    parsed = parseClusterArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`cassia cluster: ${err.message}\n${USAGE}`);
    return 2;
  }
  if (parsed.command.kind === 'help') {
    io.out(USAGE);
    return 0;
  }
  const store = new ClusterStore(clustersRoot(parsed.dir, options.environment ?? process.env));
  try {
    return await execute(parsed.command, { store, io, now: () => new Date().toISOString() });
  } catch (err) {
    if (err instanceof ClusterError || err instanceof LayoutError) {
      io.err(`cassia cluster: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
