// Setup the end-to-end driver tests share: an npm cassandra-driver client with default options,
// and the python3-cassandra script preamble and result convention.

import cassandra from 'cassandra-driver';
import { runPython, type NodeProcess } from '../harness.js';

/** An npm client with default options connected to `node`, with `keyspace` created (SimpleStrategy, RF 1). */
export async function connectNpmClient(node: NodeProcess, keyspace: string): Promise<cassandra.Client> {
  const client = new cassandra.Client({ contactPoints: [`${node.host}:${node.port}`], localDataCenter: 'datacenter1' });
  await client.connect();
  await client.execute(`CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
  return client;
}

/**
 * The first lines of every python script run by runPythonJson: reads host, port, protocol version
 * and keyspace name from sys.argv and defines a connected `cluster` and `session`.
 */
export const PYTHON_CONNECT = String.raw`
import sys
from cassandra.cluster import Cluster

host, port, version, ks = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
cluster = Cluster([host], port=port, protocol_version=version)
session = cluster.connect()
`;

/** Runs a script that starts with PYTHON_CONNECT against `node`; returns its last output line parsed as JSON. */
export async function runPythonJson<T>(script: string, node: NodeProcess, opts: { version: number; keyspace: string; timeoutMs?: number }): Promise<T> {
  const raw = await runPython(script, [node.host, String(node.port), String(opts.version), opts.keyspace], opts.timeoutMs);
  return JSON.parse(raw.trim().split('\n').pop()!) as T;
}
