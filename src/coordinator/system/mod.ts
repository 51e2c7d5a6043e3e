// src/coordinator/system: the system tables drivers read, served as virtual tables in the storage
// data model so the query processor runs its normal SELECT pipeline over them. See README.md.

import type { Clock } from '../../env/mod.js';
import type { TableMetadata } from '../../schema/metadata.js';
import type { ReadCommand, ReadResult } from '../../storage/data.js';
import { InvalidRequest } from '../../util/errors.js';
import type { SchemaManager } from '../schema/manager.js';
import { SYSTEM, SYSTEM_SCHEMA, SYSTEM_VIEWS, SYSTEM_VIRTUAL_SCHEMA } from '../schema/system_keyspaces.js';
import type { SystemInfo } from './info.js';
import { clientRows, localRows, peersRows, peersV2Rows, settingRows, sizeEstimateRows } from './node_rows.js';
import { applyRead, buildPartitions, type VirtualRow } from './rows.js';
import { columnRows, droppedColumnRows, keyspaceRows, tableRows, typeRows, virtualColumnRows, virtualKeyspaceRows, virtualTableRows } from './schema_rows.js';

export type { SystemInfo, LocalNodeInfo, PeerInfo, ClientInfo, SizeEstimate } from './info.js';
export { CQL_VERSION, RELEASE_VERSION, NATIVE_PROTOCOL_VERSION, PARTITIONER, localPrimaryRanges } from './node_rows.js';
export type { VirtualRow } from './rows.js';

type Generator = () => VirtualRow[] | Promise<VirtualRow[]>;

export interface SystemTablesOptions {
  schema: SchemaManager;
  info: SystemInfo;
  clock: Clock;
  /**
   * More code-served tables by `keyspace.table` (the node's system_views metric tables and
   * system_traces); their TableMetadata must exist in the schema with `virtual: true`.
   */
  extra?: ReadonlyMap<string, () => VirtualRow[] | Promise<VirtualRow[]>>;
}

export class SystemTables {
  private readonly generators: Map<string, Generator>;

  constructor(private readonly opts: SystemTablesOptions) {
    const { schema, info } = opts;
    const none: Generator = () => [];
    this.generators = new Map<string, Generator>([
      [`${SYSTEM}.local`, () => localRows(info, schema)],
      [`${SYSTEM}.peers`, () => peersRows(info)],
      [`${SYSTEM}.peers_v2`, () => peersV2Rows(info)],
      [`${SYSTEM}.size_estimates`, () => sizeEstimateRows(info, schema)],
      [`${SYSTEM}.table_estimates`, () => sizeEstimateRows(info, schema, 'both')],
      [`${SYSTEM_SCHEMA}.keyspaces`, () => keyspaceRows(schema)],
      [`${SYSTEM_SCHEMA}.tables`, () => tableRows(schema)],
      [`${SYSTEM_SCHEMA}.columns`, () => columnRows(schema)],
      [`${SYSTEM_SCHEMA}.types`, () => typeRows(schema)],
      [`${SYSTEM_SCHEMA}.dropped_columns`, () => droppedColumnRows(schema)],
      [`${SYSTEM_SCHEMA}.functions`, none],
      [`${SYSTEM_SCHEMA}.aggregates`, none],
      [`${SYSTEM_SCHEMA}.indexes`, none],
      [`${SYSTEM_SCHEMA}.views`, none],
      [`${SYSTEM_SCHEMA}.triggers`, none],
      [`${SYSTEM_VIEWS}.clients`, () => clientRows(info)],
      [`${SYSTEM_VIEWS}.settings`, () => settingRows(info)],
      [`${SYSTEM_VIRTUAL_SCHEMA}.keyspaces`, () => virtualKeyspaceRows(schema)],
      [`${SYSTEM_VIRTUAL_SCHEMA}.tables`, () => virtualTableRows(schema)],
      [`${SYSTEM_VIRTUAL_SCHEMA}.columns`, () => virtualColumnRows(schema)],
      ...(opts.extra ?? new Map<string, Generator>()),
    ]);
  }

  /** True for tables whose rows come from here rather than from storage (TableMetadata.virtual). */
  serves(table: TableMetadata): boolean {
    return this.generators.has(`${table.keyspace}.${table.name}`);
  }

  /**
   * Reads a virtual table: rows are computed now, then selected, sliced, ordered and limited as
   * the command asks. Every row is live (liveness set, no tombstones). Writes are not accepted
   * anywhere; the query processor answers them with InvalidRequest.
   */
  async read(cmd: ReadCommand): Promise<ReadResult> {
    const gen = this.generators.get(`${cmd.table.keyspace}.${cmd.table.name}`);
    if (!gen) throw new InvalidRequest(`Table ${cmd.table.keyspace}.${cmd.table.name} is not a virtual table`);
    const rows = await gen();
    const all = buildPartitions(cmd.table, rows, { timestampMicros: this.opts.clock.nowMicros() });
    const partitions = applyRead(cmd.table, all, cmd);
    const liveRowsScanned = partitions.reduce((n, p) => n + p.rows.length, 0);
    return { partitions, stats: { sstablesRead: 0, tombstonesScanned: 0, liveRowsScanned }, warnings: [] };
  }
}
