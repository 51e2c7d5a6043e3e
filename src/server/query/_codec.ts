// The query layer's single doorway to value codecs and native functions (src/schema, src/cql).
// Literal conversion and the few scalar functions below are a private shim until the shared
// literal/function modules land; keeping them here means only this file changes then.

import type { Literal } from '../../schema/literal.js';
import type { CqlType } from '../../schema/types.js';
import { serialize, validate, deserialize, type CqlValue } from '../../schema/codec.js';
import { parseTimestampText, MS_PER_DAY, DATE_EPOCH_OFFSET } from '../../schema/temporal.js';
import { fromLiteral } from '../../schema/fromliteral.js';
import { counterValue } from '../../storage/counter.js';
import { TimeuuidGenerator, randomUuid, minTimeuuid, maxTimeuuid, unixTimestampOf } from '../../schema/uuid.js';
import { InvalidRequest } from '../../util/errors.js';
import type { Term } from '../../cql/ast.js';
import type { ExecContext } from './_context.js';
import type { Receiver } from './_terms.js';
import { int64 } from './_bytes.js';

export { deserialize, serialize, counterValue };

/** Serializes a CQL constant for `type`; errors name the receiver. */
export function literalValue(type: CqlType, lit: Literal, receiverName: string): Buffer {
  if (lit.kind === 'hex' && type.kind === 'custom') return Buffer.from(lit.text, 'hex');
  return fromLiteral(type, lit, { column: receiverName });
}

/** Throws InvalidRequest unless bytes is a valid value of type (client-bound values). */
export function validateValue(type: CqlType, bytes: Buffer, receiverName: string): void {
  try {
    validate(type, bytes);
  } catch (e) {
    if (e instanceof InvalidRequest) throw new InvalidRequest(`Invalid value for column ${receiverName}: ${e.message}`);
    throw e;
  }
}

// ------------------------------------------------------------------ scalar functions in terms

const generators = new WeakMap<object, TimeuuidGenerator>();

function timeuuidNow(ctx: ExecContext): Buffer {
  let g = generators.get(ctx.clock);
  if (!g) generators.set(ctx.clock, (g = new TimeuuidGenerator(ctx.clock, ctx.random)));
  return g.next();
}

export interface FunctionCall {
  name: string;
  keyspace?: string;
  args: Term[];
  receiver: Receiver;
  ctx: ExecContext;
}

/** Evaluates a native scalar function used as a term (INSERT values, WHERE values). */
export function callScalarFunction(call: FunctionCall): Buffer | null {
  const { ctx } = call;
  const name = call.name.toLowerCase();
  const stringArg = (): string => {
    const a = call.args[0];
    if (a?.kind !== 'literal') throw new InvalidRequest(`Function ${name} expects a constant argument`);
    return a.value.text;
  };
  switch (name) {
    case 'now': case 'currenttimeuuid': return timeuuidNow(ctx);
    case 'uuid': return randomUuid(ctx.random);
    case 'currenttimestamp': case 'totimestamp': {
      if (name === 'totimestamp' && call.args.length === 1 && call.args[0]!.kind === 'function_call') {
        return int64(BigInt(ctx.nowMs));
      }
      return int64(BigInt(ctx.nowMs));
    }
    case 'currentdate': case 'todate': {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(Math.floor(ctx.nowMs / MS_PER_DAY) + DATE_EPOCH_OFFSET);
      return b;
    }
    case 'mintimeuuid': case 'maxtimeuuid': {
      const a = call.args[0];
      let ms: number | null = null;
      if (a?.kind === 'literal') ms = a.value.kind === 'integer' ? Number(a.value.text) : parseTimestampText(a.value.text);
      if (ms === null) throw new InvalidRequest(`Function ${name} expects a timestamp argument`);
      return name === 'mintimeuuid' ? minTimeuuid(ms) : maxTimeuuid(ms);
    }
    default:
      if (name.endsWith('asblob') || name.startsWith('blobas')) {
        void stringArg;
      }
      throw new InvalidRequest(`Unknown function '${call.keyspace ? call.keyspace + '.' : ''}${call.name}'`);
  }
}

export { unixTimestampOf };
