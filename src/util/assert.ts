// Assertions are executable documentation: a failed assertion is a bug in Cassia, never an
// operating error. Operating errors are typed values (see src/protocol errors and src/cql errors).

export class AssertionError extends Error {
  override name = 'AssertionError';
}

/** Throws AssertionError with `message` unless `condition` holds. */
export function assert(condition: unknown, message = 'assertion failed'): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Marks a switch as exhaustive: the compiler proves `value` is `never`. */
export function assertNever(value: never, what = 'value'): never {
  throw new AssertionError(`unexpected ${what}: ${JSON.stringify(value)}`);
}
