import type { HistoryEvent, LinCompletionType, LinFunction } from './history.js';

/**
 * Thrown by `pairOperations` (and so by `checkLinearizable`) when a history's events do not
 * pair up into operations: a completion with no pending invoke, a second invoke while one is
 * pending, a completion whose `f` or `key` differs from its invoke, or a `cas` whose value is
 * not `[expected, new]`. `eventIndex` is the offending event's position in the history.
 */
export class MalformedHistoryError extends Error {
  override readonly name = 'MalformedHistoryError';

  constructor(
    readonly eventIndex: number,
    readonly reason: string,
  ) {
    super(`event ${eventIndex}: ${reason}`);
  }
}

/**
 * One invoked operation and how it ended.
 *
 * Invariant: `completeIndex === null` exactly when the history ends with the operation
 * pending; such an operation has `status` `info` (its outcome is unknown).
 */
export interface Operation {
  readonly process: number;
  readonly f: LinFunction;
  readonly key: string;
  readonly status: LinCompletionType;
  /** The invoke's value: the written value, or `[expected, new]` for cas. */
  readonly input: unknown;
  /** The completion's value: for an `ok` read, the value read. `null` when not completed. */
  readonly output: unknown;
  readonly invokeIndex: number;
  readonly completeIndex: number | null;
}

/**
 * Pairs each invoke with its process's next completion. Operations come back in invocation
 * order, which is real-time order of their invocations.
 */
export function pairOperations(history: readonly HistoryEvent[]): Operation[] {
  const pendingByProcess = new Map<number, number>();
  const invokes: number[] = [];
  const completions = new Map<number, { index: number; type: LinCompletionType }>();
  history.forEach((event, index) => {
    const pending = pendingByProcess.get(event.process);
    if (event.type === 'invoke') {
      if (pending !== undefined) {
        throw new MalformedHistoryError(
          index,
          `process ${event.process} invoked again while its invoke at event ${pending} is pending`,
        );
      }
      if (event.f === 'cas' && !(Array.isArray(event.value) && event.value.length === 2)) {
        throw new MalformedHistoryError(index, 'a cas value must be [expected, new]');
      }
      pendingByProcess.set(event.process, index);
      invokes.push(index);
      return;
    }
    if (pending === undefined) {
      throw new MalformedHistoryError(
        index,
        `${event.type} for process ${event.process}, which has no pending invoke`,
      );
    }
    const invoke = history[pending]!;
    if (invoke.f !== event.f || invoke.key !== event.key) {
      throw new MalformedHistoryError(
        index,
        `${event.type} ${event.f} ${JSON.stringify(event.key)} does not match the pending ` +
          `invoke ${invoke.f} ${JSON.stringify(invoke.key)} at event ${pending}`,
      );
    }
    pendingByProcess.delete(event.process);
    completions.set(pending, { index, type: event.type });
  });
  return invokes.map((invokeIndex) => {
    const invoke = history[invokeIndex]!;
    const completion = completions.get(invokeIndex);
    return {
      process: invoke.process,
      f: invoke.f,
      key: invoke.key,
      status: completion?.type ?? 'info',
      input: invoke.value,
      output: completion === undefined ? null : history[completion.index]!.value,
      invokeIndex,
      completeIndex: completion?.index ?? null,
    };
  });
}
