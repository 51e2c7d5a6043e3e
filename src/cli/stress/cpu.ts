// Server CPU time: from the admin API's GET /cpu ({"userMicros", "systemMicros"} of the node's
// process), or from /proc/PID/stat when the server runs on this machine (--server-pid). A
// reading that fails is "unavailable", never an error of the run.

import { readFileSync } from 'node:fs';

export interface CpuReading {
  userMicros: number;
  systemMicros: number;
}

export const CPU_FETCH_TIMEOUT_MS = 2000;
/** Linux clock ticks per second for /proc/PID/stat (USER_HZ, 100 on every mainstream kernel). */
export const PROC_TICKS_PER_SEC = 100;

/** GET http://host:port/cpu; undefined when unreachable, absent or malformed. */
export async function fetchCpu(host: string, port: number): Promise<CpuReading | undefined> {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  try {
    const res = await fetch(`http://${h}:${port}/cpu`, { signal: AbortSignal.timeout(CPU_FETCH_TIMEOUT_MS) });
    if (!res.ok) return undefined;
    const body = (await res.json()) as Partial<CpuReading>;
    if (typeof body.userMicros !== 'number' || typeof body.systemMicros !== 'number') return undefined;
    return { userMicros: body.userMicros, systemMicros: body.systemMicros };
  } catch {
    return undefined;
  }
}

/** Parses the utime and stime fields (14 and 15) of /proc/PID/stat text into microseconds. */
export function parseProcStat(text: string): CpuReading | undefined {
  // The command name (field 2) is parenthesized and may hold spaces: split after its last ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text.slice(close + 2).trim().split(/\s+/);
  // fields[0] is field 3 (state); utime is field 14 → index 11, stime field 15 → index 12.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  const usPerTick = 1e6 / PROC_TICKS_PER_SEC;
  return { userMicros: utime * usPerTick, systemMicros: stime * usPerTick };
}

export function readProcCpu(pid: number): CpuReading | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return undefined;
  }
}

export interface CpuSource {
  label: string;
  read(): Promise<CpuReading | undefined>;
}

/** "HOST", "HOST:PORT", "[V6]:PORT" → the address alone. */
export function addressOf(hostAndPort: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hostAndPort);
  if (bracketed) return bracketed[1]!;
  // One colon: IPv4 or a name with a port. More than one: a bare IPv6 address (no port).
  return hostAndPort.split(':').length === 2 ? hostAndPort.replace(/:\d+$/, '') : hostAndPort;
}

/**
 * The nodes whose CPU a run reads: every node the driver discovered (the whole cluster, so a
 * coordinator's and its replicas' work are all counted), else the contact points. Unique, sorted.
 */
export function cpuHosts(contactHosts: readonly string[], discovered: readonly string[]): string[] {
  const from = discovered.length > 0 ? discovered : contactHosts;
  return [...new Set(from.map(addressOf))].sort();
}

/** Sources per target: /proc when a pid is given, else the admin API of each host. */
export function cpuSources(hosts: readonly string[], adminPort: number, serverPid: number | null): CpuSource[] {
  if (serverPid !== null) return [{ label: `pid ${serverPid}`, read: async () => readProcCpu(serverPid) }];
  return hosts.map((h) => {
    const host = addressOf(h);
    return { label: `${host}:${adminPort}`, read: () => fetchCpu(host, adminPort) };
  });
}

export interface ServerCpuResult {
  available: boolean;
  /** Why not available, when not. */
  note?: string;
  hosts: Array<{ source: string; userMicros: number; systemMicros: number }>;
  totalMicros: number;
  microsPerOp: number | null;
}

/** Difference of two sets of readings, per source and summed, and per operation. */
export function cpuDelta(sources: CpuSource[], before: Array<CpuReading | undefined>, after: Array<CpuReading | undefined>, ops: number): ServerCpuResult {
  const hosts: ServerCpuResult['hosts'] = [];
  for (let i = 0; i < sources.length; i++) {
    const b = before[i];
    const a = after[i];
    if (b === undefined || a === undefined) continue;
    hosts.push({ source: sources[i]!.label, userMicros: a.userMicros - b.userMicros, systemMicros: a.systemMicros - b.systemMicros });
  }
  if (hosts.length === 0) return { available: false, note: 'no CPU reading (admin API GET /cpu unreachable or absent; try --server-pid)', hosts, totalMicros: 0, microsPerOp: null };
  const totalMicros = hosts.reduce((s, h) => s + h.userMicros + h.systemMicros, 0);
  const note = hosts.length < sources.length ? `only ${hosts.length} of ${sources.length} hosts reported CPU` : undefined;
  return { available: true, ...(note ? { note } : {}), hosts, totalMicros, microsPerOp: ops > 0 ? totalMicros / ops : null };
}
