import type { HistoryEvent } from './history.js';
import { pairOperations, type Operation } from './operations.js';
import { toRegisterOp, type RegisterOp } from './register.js';
import { isLinearizableFrom } from './search.js';
import { NULL_VALUE_ID, ValueTable } from './value-table.js';
import { WindowChecker } from './window.js';

/**
 * Bound on the configurations one search may remember (see SearchCache), about 50 bytes each.
 * A key with 10,000 ops from 10 clients needs about 26,000 (60,000 to show a failure); the
 * bound stops a pathological history (many crashed ops, heavy concurrency) from exhausting
 * memory. The minimal-window search runs many small searches, each under the same bound.
 */
export const DEFAULT_MAX_CONFIGURATIONS = 2_000_000;

export interface LinCheckOptions {
  /** Per-search bound; exceeding it throws SearchLimitError. */
  readonly maxConfigurations?: number;
}

/** The verdict on a history. */
export interface LinResult {
  readonly linearizable: boolean;
  /** Operations (invocations) in the history. */
  readonly ops: number;
  /** Distinct keys in the history. */
  readonly keys: number;
  /** When not linearizable: the first key, in order of first appearance, that is not. */
  readonly key?: string;
  /**
   * When not linearizable: the invoke and completion events, in history order, of the
   * shortest contiguous run of that key's operations (by invocation order) that cannot be
   * ordered from any starting value of the key (see WindowChecker).
   */
  readonly window?: readonly HistoryEvent[];
}

/**
 * Checks that a history of register operations on independent keys is linearizable.
 *
 * Linearizability is compositional, so each key is checked on its own. Throws
 * MalformedHistoryError if the events do not pair up into operations, and SearchLimitError if
 * a key is too large or too concurrent to decide within `maxConfigurations`.
 */
export function checkLinearizable(
  history: readonly HistoryEvent[],
  options: LinCheckOptions = {},
): LinResult {
  const maxConfigurations = options.maxConfigurations ?? DEFAULT_MAX_CONFIGURATIONS;
  const operations = pairOperations(history);
  const byKey = groupByKey(operations);
  const summary = { ops: operations.length, keys: byKey.size };
  for (const [key, ops] of byKey) {
    if (isLinearizableFrom(ops, NULL_VALUE_ID, maxConfigurations)) continue;
    const { start, end } = new WindowChecker(ops, maxConfigurations).minimalFailingWindow();
    const window = ops
      .slice(start, end)
      .flatMap(({ source }) => eventIndices(source))
      .sort((a, b) => a - b)
      .map((index) => history[index]!);
    return { linearizable: false, ...summary, key, window };
  }
  return { linearizable: true, ...summary };
}

/** Each key's register ops in invocation order; keys in order of first appearance. */
function groupByKey(operations: readonly Operation[]): Map<string, RegisterOp[]> {
  const values = new Map<string, ValueTable>();
  const byKey = new Map<string, RegisterOp[]>();
  for (const operation of operations) {
    let table = values.get(operation.key);
    let ops = byKey.get(operation.key);
    if (table === undefined || ops === undefined) {
      table = new ValueTable();
      ops = [];
      values.set(operation.key, table);
      byKey.set(operation.key, ops);
    }
    const op = toRegisterOp(operation, table);
    if (op !== null) ops.push(op);
  }
  return byKey;
}

function eventIndices(op: Operation): number[] {
  return op.completeIndex === null ? [op.invokeIndex] : [op.invokeIndex, op.completeIndex];
}
