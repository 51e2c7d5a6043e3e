// The query layer's doorway to value codecs (src/schema): literals for a receiver type, validation
// of bound values with the receiver's name in errors.

import type { Literal } from '../../schema/literal.js';
import type { CqlType } from '../../schema/types.js';
import { serialize, validate, deserialize, type CqlValue } from '../../schema/codec.js';
import { fromLiteral } from '../../schema/fromliteral.js';
import { counterValue } from '../../storage/counter.js';
import { InvalidRequest } from '../../util/errors.js';

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

