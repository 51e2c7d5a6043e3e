// A CQL constant as the parser found it, before it is given a type. The parser produces these;
// schema codecs turn one into a serialized value once the target CqlType is known.

export type LiteralKind = 'string' | 'integer' | 'float' | 'boolean' | 'uuid' | 'hex' | 'duration';

export interface Literal {
  kind: LiteralKind;
  /**
   * The text as written: strings unquoted and unescaped ('' → '), integers and floats with their
   * sign (floats include NaN, Infinity, -Infinity), uuids as written, hex without the 0x prefix,
   * durations as written (e.g. 1h30m, P1DT2H, -3d), booleans as 'true'/'false' in lower case.
   */
  text: string;
}
