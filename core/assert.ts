/**
 * Thrown when an invariant the code relies on does not hold. It always indicates a bug in
 * Flotilla (never bad input), so it is never caught and turned into a user-facing error.
 */
export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

/** Invariant check that stays on in production: a broken invariant must stop the process. */
export function assert(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) {
    throw new AssertionError(typeof message === 'function' ? message() : message);
  }
}
