// Where clusters live on disk: CLUSTERS_DIR/NAME/cluster.json and CLUSTERS_DIR/CURRENT.
// cluster.json is replaced atomically (write to a temporary file, then rename), so a reader
// never sees half a file; the last writer wins.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkClusterRecord, CLUSTER_NAME_PATTERN, type ClusterRecord, type NodeRecord } from './layout.js';

export const CLUSTER_FILE = 'cluster.json';
export const CURRENT_FILE = 'CURRENT';
export const NODE_CONFIG_FILE = 'cassia.yaml';
export const NODE_LOG_FILE = 'node.log';

/** An operating error: the message says what is wrong and what to do. */
export class ClusterError extends Error {
  override name = 'ClusterError';
}

/** The clusters folder: --dir, else $CASSIA_CLUSTERS_DIR, else ~/.cassia/clusters. */
export function clustersRoot(dirFlag: string | undefined, environment: Readonly<Record<string, string | undefined>>): string {
  const chosen = dirFlag ?? environment['CASSIA_CLUSTERS_DIR'];
  return resolve(chosen !== undefined && chosen !== '' ? chosen : join(homedir(), '.cassia', 'clusters'));
}

export class ClusterStore {
  constructor(readonly root: string) {}

  clusterDir(name: string): string {
    if (!CLUSTER_NAME_PATTERN.test(name)) throw new ClusterError(`'${name}' is not a valid cluster name`);
    return join(this.root, name);
  }

  nodeDir(c: ClusterRecord, node: NodeRecord): string {
    return join(this.clusterDir(c.name), node.dir);
  }

  nodeConfigPath(c: ClusterRecord, node: NodeRecord): string {
    return join(this.nodeDir(c, node), NODE_CONFIG_FILE);
  }

  nodeLogPath(c: ClusterRecord, node: NodeRecord): string {
    return join(this.nodeDir(c, node), NODE_LOG_FILE);
  }

  exists(name: string): boolean {
    return existsSync(join(this.clusterDir(name), CLUSTER_FILE));
  }

  read(name: string): ClusterRecord {
    const path = join(this.clusterDir(name), CLUSTER_FILE);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new ClusterError(`no cluster '${name}' in ${this.root} (cassia cluster list shows the clusters there)`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new ClusterError(`${path} is not valid JSON: ${(err as Error).message}`);
    }
    return checkClusterRecord(raw, path);
  }

  write(c: ClusterRecord): void {
    const dir = this.clusterDir(c.name);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, CLUSTER_FILE);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(c, null, 2)}\n`);
    renameSync(tmp, path);
  }

  /** Names of the clusters in the root, sorted. */
  list(): string[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && CLUSTER_NAME_PATTERN.test(e.name) && existsSync(join(this.root, e.name, CLUSTER_FILE)))
      .map((e) => e.name).sort();
  }

  current(): string | null {
    try {
      const name = readFileSync(join(this.root, CURRENT_FILE), 'utf8').trim();
      return name === '' ? null : name;
    } catch {
      return null;
    }
  }

  setCurrent(name: string | null): void {
    mkdirSync(this.root, { recursive: true });
    const path = join(this.root, CURRENT_FILE);
    if (name === null) rmSync(path, { force: true });
    else writeFileSync(path, `${name}\n`);
  }

  /** The named cluster, or the current one; a ClusterError says how to pick one. */
  resolveName(name: string | undefined): string {
    if (name !== undefined) return name;
    const current = this.current();
    if (current === null) throw new ClusterError(`no current cluster in ${this.root}: name one, or run cassia cluster switch NAME`);
    return current;
  }

  /** Deletes a cluster's folder (only a folder that holds a cluster.json of that name). */
  delete(name: string): void {
    const c = this.read(name);
    if (c.name !== name) throw new ClusterError(`${this.clusterDir(name)}/${CLUSTER_FILE} names cluster '${c.name}', not '${name}'; not deleting`);
    rmSync(this.clusterDir(name), { recursive: true, force: true });
    if (this.current() === name) this.setCurrent(null);
  }
}
