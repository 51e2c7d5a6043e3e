// The audit log and the full query log of a running node: opened from cassia.yaml at start,
// switched on and off at runtime (nodetool enableauditlog/disableauditlog/enablefullquerylog/
// disablefullquerylog). The request observer reads `audit` and `fql` on each request; null means off.

import type { Clock, FileSystem } from '../env/mod.js';
import { AuditLogger, FullQueryLogger } from '../observability/mod.js';
import type { AuditLoggingOptions, FullQueryLoggingOptions } from './config.js';

export interface LogsStatus {
  audit: { enabled: boolean; options: AuditLoggingOptions; logged: number; filtered: number; dropped: number };
  fql: { enabled: boolean; options: FullQueryLoggingOptions; dropped: number };
}

export class QueryLogs {
  audit: AuditLogger | null = null;
  fql: FullQueryLogger | null = null;
  private auditOptions: AuditLoggingOptions;
  private fqlOptions: FullQueryLoggingOptions;
  /** Serializes enable/disable so two nodetool calls cannot open two loggers on one directory. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: { fs: FileSystem; clock: Clock; audit: AuditLoggingOptions; fql: FullQueryLoggingOptions }) {
    this.auditOptions = deps.audit;
    this.fqlOptions = deps.fql;
  }

  /** Opens the audit log when cassia.yaml enables it. */
  async start(): Promise<void> {
    if (this.auditOptions.enabled) await this.enableAudit(this.auditOptions);
  }

  enableAudit(options: AuditLoggingOptions): Promise<void> {
    return this.serialized(async () => {
      await this.closeAudit();
      this.audit = await AuditLogger.open({
        fs: this.deps.fs, clock: this.deps.clock, dir: options.auditLogsDir,
        filter: {
          includedKeyspaces: options.includedKeyspaces, excludedKeyspaces: options.excludedKeyspaces,
          includedCategories: options.includedCategories, excludedCategories: options.excludedCategories,
          includedUsers: options.includedUsers, excludedUsers: options.excludedUsers,
        },
        maxFileBytes: options.maxFileSizeBytes, maxFiles: options.maxFiles, maxPendingBytes: options.maxQueueBytes,
      });
      this.auditOptions = { ...options, enabled: true };
    });
  }

  disableAudit(): Promise<void> {
    return this.serialized(async () => {
      await this.closeAudit();
      this.auditOptions = { ...this.auditOptions, enabled: false };
    });
  }

  enableFql(options: FullQueryLoggingOptions): Promise<void> {
    return this.serialized(async () => {
      await this.closeFql();
      this.fql = await FullQueryLogger.open({
        fs: this.deps.fs, clock: this.deps.clock, dir: options.logDir,
        maxFileBytes: options.maxFileSizeBytes, maxFiles: options.maxFiles, maxPendingBytes: options.maxQueueBytes,
      });
      this.fqlOptions = options;
    });
  }

  disableFql(): Promise<void> {
    return this.serialized(() => this.closeFql());
  }

  /** Writes everything queued so far (tests and `nodetool flush`-like callers). */
  async flush(): Promise<void> {
    await this.audit?.flush();
    await this.fql?.flush();
  }

  currentAuditOptions(): AuditLoggingOptions {
    return this.auditOptions;
  }

  currentFqlOptions(): FullQueryLoggingOptions {
    return this.fqlOptions;
  }

  status(): LogsStatus {
    return {
      audit: { enabled: this.audit !== null, options: this.auditOptions, logged: this.audit?.logged ?? 0, filtered: this.audit?.filtered ?? 0, dropped: this.audit?.dropped() ?? 0 },
      fql: { enabled: this.fql !== null, options: this.fqlOptions, dropped: this.fql?.dropped() ?? 0 },
    };
  }

  close(): Promise<void> {
    return this.serialized(async () => {
      await this.closeAudit();
      await this.closeFql();
    });
  }

  private async closeAudit(): Promise<void> {
    const a = this.audit;
    this.audit = null;
    await a?.close();
  }

  private async closeFql(): Promise<void> {
    const f = this.fql;
    this.fql = null;
    await f?.close();
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
