// Text output of nodetool commands, laid out like Cassandra's nodetool (pure functions).

import type { DescribeRingReport, EndpointsReport, InfoReport, RingReport, StatusReport } from '../../server/admin/api.js';

/** Cassandra's FileUtils.stringifyFileSize: "123 bytes", "1.50 KiB", "2.25 MiB", ... */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '?';
  const units = ['TiB', 'GiB', 'MiB', 'KiB'];
  for (let i = 0; i < units.length; i++) {
    const scale = 1024 ** (units.length - i);
    if (bytes >= scale) return `${(bytes / scale).toFixed(2)} ${units[i]}`;
  }
  return `${bytes} bytes`;
}

export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** Left-aligned columns separated by two spaces. */
export function columns(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length); });
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}

function groupByDc<T extends { dc: string }>(items: T[]): Map<string, T[]> {
  const byDc = new Map<string, T[]>();
  for (const item of [...items].sort((a, b) => (a.dc < b.dc ? -1 : a.dc > b.dc ? 1 : 0))) {
    const list = byDc.get(item.dc) ?? [];
    list.push(item);
    byDc.set(item.dc, list);
  }
  return byDc;
}

const stateLetter = (state: string) => state[0]!.toUpperCase();

export function formatStatus(report: StatusReport): string {
  const out: string[] = [];
  for (const [dc, nodes] of groupByDc(report.nodes)) {
    const title = `Datacenter: ${dc}`;
    out.push(title, '='.repeat(title.length), 'Status=Up/Down', '|/ State=Normal/Leaving/Joining/Moving');
    const owns = report.keyspace ? 'Owns (effective)' : 'Owns';
    out.push(...columns([
      ['--', 'Address', 'Load', 'Tokens', owns, 'Host ID', 'Rack'],
      ...nodes.map((n) => [`${n.up ? 'U' : 'D'}${stateLetter(n.state)}`, n.address, formatBytes(n.loadBytes), String(n.tokens), formatPercent(n.owns), n.hostId, n.rack]),
    ]));
    out.push('');
  }
  if (!report.keyspace && report.nodes.length > 1) {
    out.push('Note: Non-system keyspaces don\'t have the same replication settings, effective ownership information is meaningless');
  }
  return out.join('\n').trimEnd() + '\n';
}

export function formatInfo(info: InfoReport, showTokens = false): string {
  const rows: [string, string][] = [
    ['ID', info.hostId],
    ['Gossip active', String(info.gossipActive)],
    ['Native Transport active', String(info.nativeTransportActive)],
    ['Load', formatBytes(info.loadBytes)],
    ['Generation No', String(info.generation)],
    ['Uptime (seconds)', String(info.uptimeSec)],
    ['Heap Memory (MB)', `${(info.heapUsedBytes / 1048576).toFixed(2)} / ${(info.heapTotalBytes / 1048576).toFixed(2)}`],
    ['Data Center', info.dc],
    ['Rack', info.rack],
    ['Exceptions', String(info.exceptions)],
  ];
  const m = info.metrics;
  if (m) {
    const cache = (c: NonNullable<InfoReport['metrics']>['caches']['keyCache']) =>
      `entries ${c.entries}, size ${formatBytes(c.sizeBytes)}, capacity ${formatBytes(c.capacityBytes)}, ${c.hits} hits, ${c.requests} requests, ${c.requests === 0 || c.recentHitRate === null ? 'NaN' : c.recentHitRate.toFixed(3)} recent hit rate`;
    rows.push(['Off Heap Memory (MB)', ((m.rssBytes - m.heapTotalBytes) / 1048576).toFixed(2)], ['Key Cache', cache(m.caches.keyCache)], ['Row Cache', cache(m.caches.rowCache)],
      ['Counter Cache', cache(m.caches.counterCache)], ['Chunk Cache', cache(m.caches.chunkCache)], ['Percent Repaired', `${m.percentRepaired}%`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length), 'Token'.length);
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}: ${v}`);
  if (showTokens) for (const t of info.tokens) lines.push(`${'Token'.padEnd(width)}: ${t}`);
  else lines.push(`${'Token'.padEnd(width)}: (invoke with -T/--tokens to see all ${info.tokens.length} tokens)`);
  return lines.join('\n') + '\n';
}

export function formatRing(report: RingReport): string {
  const out: string[] = [];
  for (const [dc, entries] of groupByDc(report.entries)) {
    const title = `Datacenter: ${dc}`;
    out.push(title, '='.repeat(title.length));
    const last = entries[entries.length - 1];
    out.push(...columns([
      ['Address', 'Rack', 'Status', 'State', 'Load', report.ownsEffective ? 'Owns (effective)' : 'Owns', 'Token'],
      ['', '', '', '', '', '', last ? last.token : ''],
      ...entries.map((e) => [e.address, e.rack, e.up ? 'Up' : 'Down', e.state, formatBytes(e.loadBytes), formatPercent(e.owns), e.token]),
    ]));
    out.push('');
  }
  return out.join('\n').trimEnd() + '\n';
}

export function formatDescribeRing(report: DescribeRingReport): string {
  const out = [`Schema Version:${'' /* filled by the node in a later version */}`, 'TokenRange: '];
  for (const r of report.ranges) {
    const details = r.endpointDetails.map((d) => `EndpointDetails(host:${d.host}, datacenter:${d.datacenter}, rack:${d.rack})`).join(', ');
    out.push(`\tTokenRange(start_token:${r.startToken}, end_token:${r.endToken}, endpoints:[${r.endpoints.join(', ')}], rpc_endpoints:[${r.rpcEndpoints.join(', ')}], endpoint_details:[${details}])`);
  }
  return out.join('\n') + '\n';
}

export function formatEndpoints(report: EndpointsReport): string {
  return report.endpoints.map((e) => e + '\n').join('');
}
