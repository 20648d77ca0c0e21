/**
 * The vocabulary of a client history: what each client asked a key-value store to do and what
 * it was told, in real-time order. A history is the input of the linearizability checker.
 */

/** `invoke` starts an operation; `ok`, `fail` and `info` complete the process's pending one. */
export type LinOpType = 'invoke' | 'ok' | 'fail' | 'info';

/** The register operations a history may contain. */
export type LinFunction = 'read' | 'write' | 'cas';

/** The completion types: how an invoked operation ended. */
export type LinCompletionType = Exclude<LinOpType, 'invoke'>;

/**
 * One line of a history.
 *
 * `value` by `f` and `type`:
 * - `read`: `null` on invoke; on `ok`, the value read (`null` when the key was missing).
 * - `write`: the value written.
 * - `cas`: `[expected, new]`.
 *
 * Values are JSON values compared by deep equality; `null` and "missing" are the same value.
 */
export interface HistoryEvent {
  readonly process: number;
  readonly type: LinOpType;
  readonly f: LinFunction;
  readonly key: string;
  readonly value: unknown;
}

export const LIN_OP_TYPES: readonly LinOpType[] = ['invoke', 'ok', 'fail', 'info'];
export const LIN_FUNCTIONS: readonly LinFunction[] = ['read', 'write', 'cas'];

export function isLinOpType(x: unknown): x is LinOpType {
  return typeof x === 'string' && (LIN_OP_TYPES as readonly string[]).includes(x);
}

export function isLinFunction(x: unknown): x is LinFunction {
  return typeof x === 'string' && (LIN_FUNCTIONS as readonly string[]).includes(x);
}
