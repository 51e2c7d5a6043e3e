// Shared set-up for schema tests: a SchemaManager over the simulated Env and the real CQL parser.

import { SimFileSystem, SimNetwork, SimTime, simEnv } from '../../src/env/sim/mod.js';
import { parseStatement } from '../../src/cql/parser.js';
import { SchemaManager, isSchemaStatement, type DdlResult } from '../../src/coordinator/schema/mod.js';

export interface Harness {
  schema: SchemaManager;
  fs: SimFileSystem;
  time: SimTime;
  run(cql: string, keyspace?: string): Promise<DdlResult>;
  reopen(): Promise<SchemaManager>;
}

export async function harness(seed = 1): Promise<Harness> {
  const time = new SimTime();
  const fs = new SimFileSystem();
  const env = simEnv({ seed, time, net: new SimNetwork(time), fs });
  const h: Harness = {
    schema: await SchemaManager.open({ env, dataDir: '/data', datacenters: () => ['dc1', 'dc2'] }),
    fs, time,
    run: (cql, keyspace) => {
      const stmt = parseStatement(cql);
      if (!isSchemaStatement(stmt)) throw new Error(`not DDL: ${cql}`);
      return h.schema.execute(stmt, keyspace);
    },
    reopen: async () => {
      h.schema = await SchemaManager.open({ env, dataDir: '/data', datacenters: () => ['dc1', 'dc2'] });
      return h.schema;
    },
  };
  return h;
}
