// Internode messages as one discriminated union on `verb`, with their one-byte codes, and the
// body codec: encodeBody is one switch, decodeBody is one switch calling small readers.
//
// Request verbs expect the response verb RESPONSE_OF[verb] (or FAILURE_RSP) under the same
// request id; every other verb is one-way (request id 0) or a response.

import { assertNever } from '../../util/assert.js';
import { ByteReader, ByteWriter } from '../../util/bytes.js';
import type { PartitionUpdate, ReadCommand, ReadResult } from '../../storage/data.js';
import {
  MalformedMessage, readBool, readBytes, readJson, readList, readSafeInt, readString, writeBytes, writeJson, writeList, writeSafeInt, writeString,
} from './_wire.js';
import {
  readPartitionUpdate, readReadCommand, readReadResult, writePartitionUpdate, writeReadCommand, writeReadResult,
  type TableResolver,
} from './data_codec.js';
import { FRAME_BODY_BYTES_MAX } from './frame.js';

/** Version spoken by this build; HELLO carries it and both sides must support it. */
export const MESSAGING_VERSION = 1;
/** Oldest version this build still speaks. */
export const MESSAGING_VERSION_MIN = 1;
/** First field of HELLO: tells a Cassia peer from stray traffic on the storage port. */
export const MESSAGING_MAGIC = 0xca55_1a01;

/** What one node says about an endpoint's gossip state in a SYN or ACK. */
export interface GossipDigest {
  endpoint: string;
  generation: number;
  maxVersion: number;
}

export interface AppStateWire {
  name: string;
  value: string;
  version: number;
}

/** One endpoint's gossip state on the wire (only the parts newer than a digest asked for). */
export interface EndpointStateWire {
  endpoint: string;
  generation: number;
  heartbeatVersion: number;
  appStates: AppStateWire[];
}

export type Message =
  | { verb: 'HELLO'; version: number; clusterName: string; address: string; port: number }
  | { verb: 'HELLO_ACK'; version: number; accepted: boolean; reason: string }
  | { verb: 'FAILURE_RSP'; errorName: string; message: string; details: Record<string, string> }
  | { verb: 'MUTATION'; update: PartitionUpdate }
  | { verb: 'MUTATION_ACK' }
  | { verb: 'READ'; command: ReadCommand }
  | { verb: 'READ_RESPONSE'; result: ReadResult }
  | { verb: 'READ_DIGEST'; command: ReadCommand }
  | { verb: 'READ_DIGEST_RSP'; digest: Buffer }
  | { verb: 'TRUNCATE'; tableId: string }
  | { verb: 'TRUNCATE_ACK' }
  | { verb: 'GOSSIP_SYN'; clusterName: string; digests: GossipDigest[] }
  | { verb: 'GOSSIP_ACK'; digests: GossipDigest[]; states: EndpointStateWire[] }
  | { verb: 'GOSSIP_ACK2'; states: EndpointStateWire[] }
  | { verb: 'ECHO' }
  | { verb: 'ECHO_RSP' }
  | { verb: 'SCHEMA_PULL'; sinceSeq: number }
  | { verb: 'SCHEMA_PUSH'; entries: unknown[] }
  | { verb: 'SCHEMA_FORWARD'; statement: unknown; keyspace: string | null }
  | { verb: 'SCHEMA_FORWARD_RSP'; result: unknown; entries: unknown[] };

export type Verb = Message['verb'];
export type MessageOf<V extends Verb> = Extract<Message, { verb: V }>;

/** One byte per verb on the wire. Codes never change meaning; new verbs take new codes. */
export const VERB_CODES: { readonly [V in Verb]: number } = {
  HELLO: 1, HELLO_ACK: 2, FAILURE_RSP: 3,
  MUTATION: 10, MUTATION_ACK: 11, READ: 12, READ_RESPONSE: 13, TRUNCATE: 14, TRUNCATE_ACK: 15, READ_DIGEST: 16, READ_DIGEST_RSP: 17,
  GOSSIP_SYN: 20, GOSSIP_ACK: 21, GOSSIP_ACK2: 22, ECHO: 23, ECHO_RSP: 24,
  SCHEMA_PULL: 30, SCHEMA_PUSH: 31, SCHEMA_FORWARD: 32, SCHEMA_FORWARD_RSP: 33,
};

/** Codes kept for verbs not built yet: a frame with one is answered with a failure. */
export const RESERVED_VERB_CODES: ReadonlyMap<number, string> = new Map([[40, 'HINT'], [41, 'REPAIR'], [42, 'STREAM']]);

const VERB_BY_CODE: ReadonlyMap<number, Verb> = new Map(Object.entries(VERB_CODES).map(([v, c]) => [c, v as Verb]));

/** Request verb → the verb of its successful response. */
export const RESPONSE_OF = {
  MUTATION: 'MUTATION_ACK',
  READ: 'READ_RESPONSE',
  READ_DIGEST: 'READ_DIGEST_RSP',
  TRUNCATE: 'TRUNCATE_ACK',
  GOSSIP_SYN: 'GOSSIP_ACK',
  ECHO: 'ECHO_RSP',
  SCHEMA_PULL: 'SCHEMA_PUSH',
  SCHEMA_FORWARD: 'SCHEMA_FORWARD_RSP',
} as const satisfies Partial<Record<Verb, Verb>>;

export type RequestVerb = keyof typeof RESPONSE_OF;
export type RequestMessage = MessageOf<RequestVerb>;
export type ResponseTo<V extends RequestVerb> = MessageOf<(typeof RESPONSE_OF)[V]>;
/** Verbs sent without expecting an answer. */
export type OneWayMessage = MessageOf<'GOSSIP_ACK2' | 'SCHEMA_PUSH'>;

export function isRequestVerb(verb: Verb): verb is RequestVerb {
  return Object.hasOwn(RESPONSE_OF, verb);
}

export function verbOfCode(code: number): Verb | undefined {
  return VERB_BY_CODE.get(code);
}

// ---- body encoding -------------------------------------------------------------------------------

export function encodeBody(m: Message): Buffer {
  const w = new ByteWriter(64, FRAME_BODY_BYTES_MAX);
  switch (m.verb) {
    case 'HELLO': w.u32(MESSAGING_MAGIC).u8(m.version); writeString(w, m.clusterName); writeString(w, m.address); w.u16(m.port); break;
    case 'HELLO_ACK': w.u8(m.version).u8(m.accepted ? 1 : 0); writeString(w, m.reason); break;
    case 'FAILURE_RSP':
      writeString(w, m.errorName); writeString(w, m.message);
      writeList(w, Object.entries(m.details), (w2, [k, v]) => { writeString(w2, k); writeString(w2, v); });
      break;
    case 'MUTATION': writePartitionUpdate(w, m.update); break;
    case 'READ': writeReadCommand(w, m.command); break;
    case 'READ_RESPONSE': writeReadResult(w, m.result); break;
    case 'READ_DIGEST': writeReadCommand(w, m.command); break;
    case 'READ_DIGEST_RSP': writeBytes(w, m.digest); break;
    case 'TRUNCATE': writeString(w, m.tableId); break;
    case 'MUTATION_ACK': case 'TRUNCATE_ACK': case 'ECHO': case 'ECHO_RSP': break;
    case 'GOSSIP_SYN': writeString(w, m.clusterName); writeList(w, m.digests, writeDigest); break;
    case 'GOSSIP_ACK': writeList(w, m.digests, writeDigest); writeList(w, m.states, writeState); break;
    case 'GOSSIP_ACK2': writeList(w, m.states, writeState); break;
    case 'SCHEMA_PULL': writeSafeInt(w, m.sinceSeq); break;
    case 'SCHEMA_PUSH': writeJson(w, m.entries); break;
    case 'SCHEMA_FORWARD': writeJson(w, m.statement); writeJson(w, m.keyspace); break;
    case 'SCHEMA_FORWARD_RSP': writeJson(w, m.result); writeJson(w, m.entries); break;
    default: assertNever(m, 'message');
  }
  return w.toBuffer();
}

/**
 * Decodes a body. Throws MalformedMessage (bad or trailing bytes, unknown or reserved verb),
 * TruncatedInput (short body) or UnknownTable (a table id the schema lacks).
 */
export function decodeBody(verbCode: number, body: Buffer, tables: TableResolver): Message {
  const verb = verbOfCode(verbCode);
  if (!verb) {
    const reserved = RESERVED_VERB_CODES.get(verbCode);
    throw new MalformedMessage(reserved ? `verb ${reserved} (${verbCode}) is reserved and not implemented yet` : `unknown verb code ${verbCode}`);
  }
  const r = new ByteReader(body);
  const m = decodeVerb(verb, r, tables);
  if (r.remaining !== 0) throw new MalformedMessage(`${r.remaining} trailing bytes after ${verb}`);
  return m;
}

function decodeVerb(verb: Verb, r: ByteReader, tables: TableResolver): Message {
  switch (verb) {
    case 'HELLO': return readHello(r);
    case 'HELLO_ACK': return { verb, version: r.u8(), accepted: readBool(r), reason: readString(r) };
    case 'FAILURE_RSP': return readFailure(r);
    case 'MUTATION': return { verb, update: readPartitionUpdate(r, tables) };
    case 'READ': return { verb, command: readReadCommand(r, tables) };
    case 'READ_RESPONSE': return { verb, result: readReadResult(r) };
    case 'READ_DIGEST': return { verb, command: readReadCommand(r, tables) };
    case 'READ_DIGEST_RSP': return { verb, digest: readBytes(r) };
    case 'TRUNCATE': return { verb, tableId: readString(r) };
    case 'MUTATION_ACK': case 'TRUNCATE_ACK': case 'ECHO': case 'ECHO_RSP': return { verb };
    case 'GOSSIP_SYN': return { verb, clusterName: readString(r), digests: readList(r, readDigest) };
    case 'GOSSIP_ACK': return { verb, digests: readList(r, readDigest), states: readList(r, readState) };
    case 'GOSSIP_ACK2': return { verb, states: readList(r, readState) };
    case 'SCHEMA_PULL': return { verb, sinceSeq: readSafeInt(r) };
    case 'SCHEMA_PUSH': return { verb, entries: jsonArray(readJson(r)) };
    case 'SCHEMA_FORWARD': return { verb, statement: readJson(r), keyspace: nullableString(readJson(r)) };
    case 'SCHEMA_FORWARD_RSP': return { verb, result: readJson(r), entries: jsonArray(readJson(r)) };
    default: return assertNever(verb, 'verb');
  }
}

function readHello(r: ByteReader): Message {
  const magic = r.u32();
  if (magic !== MESSAGING_MAGIC) throw new MalformedMessage(`HELLO magic 0x${magic.toString(16)} is not Cassia's`);
  return { verb: 'HELLO', version: r.u8(), clusterName: readString(r), address: readString(r), port: r.u16() };
}

function readFailure(r: ByteReader): Message {
  const errorName = readString(r);
  const message = readString(r);
  const details: Record<string, string> = {};
  for (const [k, v] of readList(r, (r2) => [readString(r2), readString(r2)] as const)) details[k] = v;
  return { verb: 'FAILURE_RSP', errorName, message, details };
}

function writeDigest(w: ByteWriter, d: GossipDigest): void {
  writeString(w, d.endpoint);
  writeSafeInt(w, d.generation);
  writeSafeInt(w, d.maxVersion);
}

function readDigest(r: ByteReader): GossipDigest {
  return { endpoint: readString(r), generation: readSafeInt(r), maxVersion: readSafeInt(r) };
}

function writeState(w: ByteWriter, s: EndpointStateWire): void {
  writeString(w, s.endpoint);
  writeSafeInt(w, s.generation);
  writeSafeInt(w, s.heartbeatVersion);
  writeList(w, s.appStates, (w2, a) => { writeString(w2, a.name); writeString(w2, a.value); writeSafeInt(w2, a.version); });
}

function readState(r: ByteReader): EndpointStateWire {
  return {
    endpoint: readString(r),
    generation: readSafeInt(r),
    heartbeatVersion: readSafeInt(r),
    appStates: readList(r, (r2) => ({ name: readString(r2), value: readString(r2), version: readSafeInt(r2) })),
  };
}

function jsonArray(v: unknown): unknown[] {
  if (!Array.isArray(v)) throw new MalformedMessage('expected a JSON array');
  return v;
}

function nullableString(v: unknown): string | null {
  if (v !== null && typeof v !== 'string') throw new MalformedMessage('expected a string or null');
  return v;
}
