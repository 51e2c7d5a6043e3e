// `cassia cluster ARGS...` as its own process, like the bin would run it (until src/cli/main.ts
// dispatches `cluster`, the tests run this file).
import { runCluster } from '../../src/cli/cluster/mod.js';

process.exitCode = await runCluster(process.argv.slice(2));
