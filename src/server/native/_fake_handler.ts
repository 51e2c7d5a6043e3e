// A tiny QueryHandler for transport tests: canned system tables the drivers read while
// connecting, and one key-value table test.kv (k text PRIMARY KEY, v int) kept in a Map.
// Not a CQL engine: statements are recognised by their text.

import { createHash } from 'node:crypto';
import { AuthenticationError, InvalidRequest, Unavailable, Unprepared } from '../../util/errors.js';
import type { CqlType } from '../../schema/types.js';
import { PASSWORD_AUTHENTICATOR_CLASS, parsePlainSaslToken, type Authenticator, type ClientState, type QueryHandler, type RequestInfo, type ResultResponse } from '../../protocol/handler.js';
import { UNSET, type Batch, type BoundValue, type ColumnSpec, type Execute, type Prepare, type Query } from '../../protocol/messages.js';

const text: CqlType = { kind: 'native', name: 'text' };
const int: CqlType = { kind: 'native', name: 'int' };
const inet: CqlType = { kind: 'native', name: 'inet' };
const uuid: CqlType = { kind: 'native', name: 'uuid' };
const textSet: CqlType = { kind: 'set', element: text, frozen: false };

const col = (table: string, name: string, type: CqlType, keyspace = 'system'): ColumnSpec => ({ keyspace, table, name, type });

export const enc = {
  text: (s: string): Buffer => Buffer.from(s, 'utf8'),
  int: (n: number): Buffer => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; },
  inet4: (a: string): Buffer => Buffer.from(a.split('.').map(Number)),
  uuid: (hex: string): Buffer => Buffer.from(hex.replace(/-/g, ''), 'hex'),
  textSet: (items: string[]): Buffer => {
    const parts = [enc.int(items.length)];
    for (const s of items) { const b = enc.text(s); parts.push(enc.int(b.length), b); }
    return Buffer.concat(parts);
  },
};

const HOST_ID = '5a1b2c3d-0000-4000-8000-000000000001';
const SCHEMA_VERSION = '5a1b2c3d-0000-4000-8000-0000000000aa';

const LOCAL_COLUMNS: [string, CqlType, (h: FakeHandler) => Buffer][] = [
  ['key', text, () => enc.text('local')],
  ['bootstrapped', text, () => enc.text('COMPLETED')],
  ['broadcast_address', inet, (h) => enc.inet4(h.address)],
  ['cluster_name', text, () => enc.text('Test Cluster')],
  ['cql_version', text, () => enc.text('3.4.5')],
  ['data_center', text, () => enc.text('datacenter1')],
  ['host_id', uuid, () => enc.uuid(HOST_ID)],
  ['listen_address', inet, (h) => enc.inet4(h.address)],
  ['native_protocol_version', text, () => enc.text('5')],
  ['partitioner', text, () => enc.text('org.apache.cassandra.dht.Murmur3Partitioner')],
  ['rack', text, () => enc.text('rack1')],
  ['release_version', text, () => enc.text('4.0.11')],
  ['rpc_address', inet, (h) => enc.inet4(h.address)],
  ['rpc_port', int, (h) => enc.int(h.port)],
  ['schema_version', uuid, () => enc.uuid(SCHEMA_VERSION)],
  ['tokens', textSet, () => enc.textSet(['0'])],
];

const PEERS_COLUMNS: ColumnSpec[] = [
  col('peers', 'peer', inet), col('peers', 'data_center', text), col('peers', 'host_id', uuid),
  col('peers', 'rack', text), col('peers', 'release_version', text), col('peers', 'rpc_address', inet),
  col('peers', 'schema_version', uuid), col('peers', 'tokens', textSet),
];

interface PreparedStatement { query: string; bind: ColumnSpec[]; result: ColumnSpec[]; pk: number[] }

export class FakeHandler implements QueryHandler {
  readonly kv = new Map<string, number>();
  readonly prepared = new Map<string, PreparedStatement>();
  readonly seen: string[] = [];
  constructor(public address = '127.0.0.1', public port = 9042) {}

  async query(req: Query, client: ClientState, info: RequestInfo): Promise<ResultResponse> {
    this.seen.push(req.query);
    const values = req.params.values.values;
    const res = this.run(req.query, values, client);
    if (info.tracing) res.tracingId = enc.uuid('00000000-0000-1000-8000-00000000beef');
    return res;
  }

  async prepare(req: Prepare): Promise<ResultResponse> {
    const q = req.query.toLowerCase();
    const kvCols = { k: col('kv', 'k', text, 'test'), v: col('kv', 'v', int, 'test') };
    let st: PreparedStatement;
    if (q.startsWith('insert into test.kv')) st = { query: req.query, bind: [kvCols.k, kvCols.v], result: [], pk: [0] };
    else if (q.startsWith('select v from test.kv')) st = { query: req.query, bind: [kvCols.k], result: [kvCols.v], pk: [0] };
    else if (q.includes('from system.local')) st = { query: req.query, bind: [], result: LOCAL_COLUMNS.map(([n, t]) => col('local', n, t)), pk: [] };
    else throw new InvalidRequest(`fake handler cannot prepare: ${req.query}`);
    const id = createHash('md5').update(req.query).digest();
    this.prepared.set(id.toString('hex'), st);
    return { result: { kind: 'prepared', id, resultMetadataId: id, bindVariables: st.bind, partitionKeyIndexes: st.pk, resultColumns: st.result } };
  }

  async execute(req: Execute, client: ClientState): Promise<ResultResponse> {
    const st = this.prepared.get(req.id.toString('hex'));
    if (!st) throw new Unprepared(`prepared statement ${req.id.toString('hex')} is unknown`, req.id);
    const res = this.run(st.query, req.params.values.values, client);
    if (res.result.kind === 'rows' && req.params.skipMetadata) res.result.noMetadata = true;
    return res;
  }

  async batch(req: Batch, client: ClientState): Promise<ResultResponse> {
    for (const s of req.statements) {
      const query = s.kind === 'query' ? s.query : this.prepared.get(s.id.toString('hex'))?.query;
      if (query === undefined) throw new Unprepared('unknown id in batch', s.kind === 'prepared' ? s.id : Buffer.alloc(0));
      this.run(query, s.values, client);
    }
    return { result: { kind: 'void' } };
  }

  private run(query: string, values: BoundValue[], client: ClientState): ResultResponse {
    const q = query.trim().toLowerCase();
    if (q.includes('from system.local')) return this.rows(LOCAL_COLUMNS.map(([n, t]) => col('local', n, t)), [LOCAL_COLUMNS.map(([, , f]) => f(this))]);
    if (q.includes('from system.peers')) return this.rows(PEERS_COLUMNS, []);
    if (q.includes('from system_schema.') || q.includes('from system_virtual_schema.') || q.includes('from system.size_estimates')) {
      return this.rows([col('x', 'keyspace_name', text, 'system_schema')], []);
    }
    const use = /^use\s+"?(\w+)"?/.exec(q);
    if (use) return { result: { kind: 'set_keyspace', keyspace: use[1]! } };
    if (q.startsWith('insert into test.kv')) return this.insert(values);
    if (q.startsWith('select v from test.kv')) return this.select(values);
    if (q === 'select big') return this.rows([col('big', 'b', text, 'test')], [[Buffer.alloc(300_000, 'y')]]);
    if (q === 'warn me') return { result: { kind: 'void' }, warnings: ['this is a warning', 'and another'] };
    if (q === 'fail unavailable') throw new Unavailable('Cannot achieve consistency level QUORUM', 'QUORUM', 2, 1);
    if (q === 'whoami') return this.rows([col('who', 'user', text, 'test')], [[client.user === null ? null : enc.text(client.user)]]);
    throw new InvalidRequest(`fake handler does not understand: ${query}`);
  }

  private insert(values: BoundValue[]): ResultResponse {
    const [k, v] = values;
    if (!(k instanceof Buffer) || !(v instanceof Buffer)) throw new InvalidRequest('insert needs k and v');
    this.kv.set(k.toString('utf8'), v.readInt32BE(0));
    return { result: { kind: 'void' } };
  }

  private select(values: BoundValue[]): ResultResponse {
    const [k] = values;
    if (!(k instanceof Buffer) || k === (UNSET as unknown)) throw new InvalidRequest('select needs k');
    const v = this.kv.get(k.toString('utf8'));
    return this.rows([col('kv', 'v', int, 'test')], v === undefined ? [] : [[enc.int(v)]]);
  }

  private rows(columns: ColumnSpec[], rows: (Buffer | null)[][]): ResultResponse {
    return { result: { kind: 'rows', columns, rows, pagingState: null, noMetadata: false, newMetadataId: null } };
  }
}

/** PasswordAuthenticator for tests: cassandra/cassandra. */
export class TestPasswordAuthenticator implements Authenticator {
  readonly className = PASSWORD_AUTHENTICATOR_CLASS;
  requireAuthentication(): boolean { return true; }
  newSaslNegotiator(_client: ClientState) {
    return {
      evaluateResponse: async (token: Buffer | null) => {
        const creds = parsePlainSaslToken(token);
        if (!creds || creds.user !== 'cassandra' || creds.password !== 'cassandra') {
          throw new AuthenticationError('Provided username and/or password are incorrect');
        }
        return { kind: 'success' as const, user: creds.user, token: null };
      },
    };
  }
}

