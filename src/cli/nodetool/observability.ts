// nodetool's metric, tracing, logging, runtime-setting and log commands over the admin API.
// Snapshots come as JSON (NaN travels as null and is restored) and print in Cassandra's layouts.

import type { Command } from 'commander';
import {
  formatGcstats, formatProxyhistograms, formatTablehistograms, formatTablestats, formatTpstats,
  type GcstatsSnapshot, type ProxyhistogramsSnapshot, type TablehistogramsSnapshot, type TablestatsSnapshot, type TpstatsSnapshot,
} from '../../observability/mod.js';
import type { ClientstatsReport, CompactionstatsReport, LogsStatusReport, SettingsReport } from '../../server/admin/api.js';
import { AdminCallError, callAdmin, type AdminTarget } from './client.js';
import { columns } from './format.js';

export interface CommandContext {
  target(): AdminTarget;
  run(fn: () => Promise<void>): void;
  out(text: string): void;
}

/** JSON has no NaN: snapshots send null where the node had NaN (no samples). */
export function nullsToNaN<T>(value: T): T {
  if (value === null) return Number.NaN as unknown as T;
  if (Array.isArray(value)) return value.map(nullsToNaN) as unknown as T;
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, nullsToNaN(v)])) as T;
  return value;
}

export function formatClientstats(r: ClientstatsReport): string {
  const out = columns([
    ['Address', 'SSL', 'Version', 'User', 'Keyspace', 'Requests', 'Driver-Name', 'Driver-Version'],
    ...r.clients.map((c) => [`/${c.address}:${c.port}`, 'false', String(c.protocolVersion), c.user ?? 'anonymous', c.keyspace ?? '', String(c.requests),
      c.driverName ?? '', c.driverVersion ?? '']),
  ]);
  out.push('', `Total connected clients: ${r.clients.length}`, '', ...columns([['User', 'Connections'], ...Object.entries(r.byUser).map(([u, n]) => [u, String(n)])]));
  return out.join('\n') + '\n';
}

export function formatCompactionstats(r: CompactionstatsReport): string {
  const out = [`pending tasks: ${r.pendingTasks}`, `completed compactions: ${r.completedCompactions}`, `bytes compacted: ${r.bytesCompacted}`];
  if (r.tasks.length > 0) {
    out.push(...columns([
      ['id', 'compaction type', 'keyspace', 'table', 'completed', 'total', 'unit', 'progress'],
      ...r.tasks.map((t) => [t.taskId, t.kind, t.keyspace, t.table, String(t.progress), String(t.total), t.unit, t.total > 0 ? `${((t.progress / t.total) * 100).toFixed(2)}%` : 'n/a']),
    ]));
  }
  return out.join('\n') + '\n';
}

/** Runtime settings nodetool may change, with Cassandra's command names. */
const SETTING_COMMANDS: Array<{ command: string; key: string; value?: string; arg?: string; description: string }> = [
  { command: 'setmaxrequestdatainflight', key: 'native_transport_max_request_data_in_flight', arg: 'bytes', description: 'request bytes in flight for the node (e.g. 128MiB)' },
  { command: 'setmaxrequestdatainflightperip', key: 'native_transport_max_request_data_in_flight_per_ip', arg: 'bytes', description: 'request bytes in flight per client IP (e.g. 32MiB)' },
  { command: 'setnativetransportmaxrequestspersecond', key: 'native_transport_max_requests_per_second', arg: 'rate', description: 'request rate limit' },
  { command: 'enableratelimit', key: 'native_transport_rate_limiting_enabled', value: 'true', description: 'turn the request rate limit on' },
  { command: 'disableratelimit', key: 'native_transport_rate_limiting_enabled', value: 'false', description: 'turn the request rate limit off' },
];

export function registerObservabilityCommands(program: Command, ctx: CommandContext): void {
  const getJson = async <T>(path: string): Promise<T> => await callAdmin(ctx.target(), 'GET', path) as T;
  const getSnapshot = async <T>(path: string): Promise<T> => nullsToNaN(await getJson<T>(path));
  const post = (path: string, body?: unknown) => callAdmin(ctx.target(), 'POST', path, body);
  const cmd = (spec: string, description: string, action: (...args: never[]) => Promise<void>) =>
    program.command(spec).description(description).action((...args: unknown[]) => ctx.run(() => action(...(args as never[]))));

  cmd('tpstats', 'task counts of each stage and dropped messages', async () => ctx.out(formatTpstats(await getSnapshot<TpstatsSnapshot>('/tpstats'))));
  cmd('tablestats [names...]', 'per-table statistics (KEYSPACE or KEYSPACE.TABLE)', async (names: string[] = []) => {
    const [ks, table] = (names[0] ?? '').split('.');
    const q = new URLSearchParams({ ...(ks ? { keyspace: ks } : {}), ...(table ? { table } : {}) }).toString();
    ctx.out(formatTablestats(await getSnapshot<TablestatsSnapshot>(`/tablestats${q ? `?${q}` : ''}`)));
  });
  cmd('tablehistograms <keyspace> [table]', 'latency, SSTables per read and partition size percentiles of one table', async (keyspace: string, table?: string) => {
    const [ks, t] = table === undefined ? keyspace.split('.') : [keyspace, table];
    if (!ks || !t) throw new AdminCallError('tablehistograms needs KEYSPACE TABLE or KEYSPACE.TABLE');
    ctx.out(formatTablehistograms(await getSnapshot<TablehistogramsSnapshot>(`/tablehistograms/${encodeURIComponent(ks)}/${encodeURIComponent(t)}`)));
  });
  cmd('proxyhistograms', 'coordinator latency percentiles (read, write, range, CAS)', async () => ctx.out(formatProxyhistograms(await getSnapshot<ProxyhistogramsSnapshot>('/proxyhistograms'))));
  cmd('clientstats', 'connected clients', async () => ctx.out(formatClientstats(await getJson<ClientstatsReport>('/clientstats'))));
  cmd('compactionstats', 'pending and running compactions', async () => ctx.out(formatCompactionstats(await getJson<CompactionstatsReport>('/compactionstats'))));
  cmd('gcstats', 'event loop delay and heap since the previous call (Cassia\'s gcstats)', async () => ctx.out(formatGcstats(await getSnapshot<GcstatsSnapshot>('/gcstats'))));
  cmd('settraceprobability <probability>', 'trace this fraction of requests (0..1)', async (p: string) => {
    const probability = Number(p);
    if (p.trim() === '' || !(probability >= 0 && probability <= 1)) throw new AdminCallError(`trace probability must be between 0 and 1, got '${p}'`);
    await post('/traceprobability', { probability });
  });
  cmd('gettraceprobability', 'the current trace probability', async () => {
    const r = await getJson<{ probability: number }>('/traceprobability');
    ctx.out(`Current trace probability: ${r.probability}\n`);
  });
  cmd('getlogginglevels', 'logger levels', async () => {
    const levels = await getJson<Record<string, string>>('/logginglevels');
    ctx.out(columns([['Logger Name', 'Log Level'], ...Object.entries(levels).map(([n, l]) => [n === '' ? 'ROOT' : n, l])]).join('\n') + '\n');
  });
  cmd('setlogginglevel <loggerOrLevel> [level]', 'set a logger\'s level (or every logger\'s with one argument)', async (a: string, b?: string) => {
    const [logger, level] = b === undefined ? ['', a] : [a.toUpperCase() === 'ROOT' ? '' : a, b];
    await post('/logginglevel', { logger, level: level.toLowerCase() });
  });
  cmd('getsettings', 'runtime settings (as system_views.settings)', async () => {
    const r = await getJson<SettingsReport>('/settings');
    ctx.out(columns([['Name', 'Value'], ...r.settings.map((s) => [s.name, s.value])]).join('\n') + '\n');
  });
  cmd('setsetting <name> <value>', 'change a runtime setting (overload limits)', async (name: string, value: string) => { await post('/settings', { name, value }); });
  for (const s of SETTING_COMMANDS) {
    if (s.value !== undefined) cmd(s.command, s.description, async () => { await post('/settings', { name: s.key, value: s.value }); });
    else cmd(`${s.command} <${s.arg}>`, s.description, async (v: string) => { await post('/settings', { name: s.key, value: v }); });
  }
  registerLogCommands(program, ctx, post, getJson);
}

function registerLogCommands(program: Command, ctx: CommandContext, post: (path: string, body?: unknown) => Promise<unknown>,
                             getJson: <T>(path: string) => Promise<T>): void {
  const list = (v: string | undefined) => (v === undefined ? undefined : v);
  program.command('enableauditlog').description('start the audit log (options override cassia.yaml\'s audit_logging_options)')
    .option('--logger <class>', 'BinAuditLogger or FileAuditLogger').option('--audit-logs-dir <dir>')
    .option('--included-keyspaces <list>').option('--excluded-keyspaces <list>')
    .option('--included-categories <list>').option('--excluded-categories <list>')
    .option('--included-users <list>').option('--excluded-users <list>')
    .option('--max-file-size <size>').option('--max-files <n>')
    .action((o: Record<string, string | undefined>) => ctx.run(async () => {
      const body: Record<string, unknown> = {};
      const names: Record<string, string> = {
        logger: 'logger', auditLogsDir: 'audit_logs_dir', includedKeyspaces: 'included_keyspaces', excludedKeyspaces: 'excluded_keyspaces',
        includedCategories: 'included_categories', excludedCategories: 'excluded_categories', includedUsers: 'included_users', excludedUsers: 'excluded_users',
        maxFileSize: 'max_file_size', maxFiles: 'max_files',
      };
      for (const [flag, key] of Object.entries(names)) if (list(o[flag]) !== undefined) body[key] = o[flag];
      await post('/auditlog/enable', body);
    }));
  program.command('disableauditlog').description('stop the audit log').action(() => ctx.run(async () => { await post('/auditlog/disable'); }));
  program.command('enablefullquerylog').description('start the full query log')
    .option('--path <dir>', 'log directory (full_query_logging_options.log_dir)').option('--max-file-size <size>').option('--max-files <n>')
    .option('--roll-cycle <cycle>', 'MINUTELY, HOURLY or DAILY (accepted; files roll by size)')
    .action((o: Record<string, string | undefined>) => ctx.run(async () => {
      await post('/fullquerylog/enable', {
        ...(o['path'] ? { log_dir: o['path'] } : {}), ...(o['maxFileSize'] ? { max_file_size: o['maxFileSize'] } : {}),
        ...(o['maxFiles'] ? { max_files: o['maxFiles'] } : {}), ...(o['rollCycle'] ? { roll_cycle: o['rollCycle'] } : {}),
      });
    }));
  program.command('disablefullquerylog').description('stop the full query log').action(() => ctx.run(async () => { await post('/fullquerylog/disable'); }));
  program.command('getauditlog').description('audit and full query log state').action(() => ctx.run(async () => {
    const s = await getJson<LogsStatusReport>('/logs');
    ctx.out(columns([
      ['Log', 'Enabled', 'Directory', 'Logged', 'Filtered', 'Dropped'],
      ['audit', String(s.audit.enabled), s.audit.dir, String(s.audit.logged), String(s.audit.filtered), String(s.audit.dropped)],
      ['fullquerylog', String(s.fullQueryLog.enabled), s.fullQueryLog.dir, '', '', String(s.fullQueryLog.dropped)],
    ]).join('\n') + '\n');
  }));
}
