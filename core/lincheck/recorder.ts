import type { HistoryEvent, LinFunction, LinOpType } from './history.js';
import { MalformedHistoryError } from './operations.js';

/**
 * Records a client history as it happens, e.g. from the Raft simulator's clients, for
 * `checkLinearizable`.
 *
 * Calls must follow real time. Pairing is checked as events arrive, so a client harness that
 * completes an op twice or invokes while one is pending fails at the faulty call
 * (MalformedHistoryError) rather than in the checker later. Values are copied on record, so a
 * caller may go on mutating its objects.
 */
export class HistoryRecorder {
  private readonly recorded: HistoryEvent[] = [];
  private readonly pendingByProcess = new Map<number, HistoryEvent>();

  invoke(process: number, f: LinFunction, key: string, value: unknown = null): void {
    if (this.pendingByProcess.has(process)) {
      throw new MalformedHistoryError(
        this.recorded.length,
        `process ${process} invoked while an op is pending`,
      );
    }
    if (f === 'cas' && !(Array.isArray(value) && value.length === 2)) {
      throw new MalformedHistoryError(this.recorded.length, 'a cas value must be [expected, new]');
    }
    this.pendingByProcess.set(process, this.record(process, 'invoke', f, key, value));
  }

  /** The op took effect; for a read, `value` is what it returned. */
  ok(process: number, f: LinFunction, key: string, value: unknown): void {
    this.complete(process, 'ok', f, key, value);
  }

  /** The op certainly did not take effect (for cas: the compare failed). */
  fail(process: number, f: LinFunction, key: string, value: unknown): void {
    this.complete(process, 'fail', f, key, value);
  }

  /** The op's outcome is unknown: it may take effect at any later time, or never. */
  info(process: number, f: LinFunction, key: string, value: unknown): void {
    this.complete(process, 'info', f, key, value);
  }

  /** The events so far, in the order recorded. Ops still pending count as `info`. */
  events(): readonly HistoryEvent[] {
    return [...this.recorded];
  }

  private complete(process: number, type: LinOpType, f: LinFunction, key: string, value: unknown) {
    const pending = this.pendingByProcess.get(process);
    if (pending === undefined || pending.f !== f || pending.key !== key) {
      throw new MalformedHistoryError(
        this.recorded.length,
        `${type} ${f} ${JSON.stringify(key)} for process ${process} matches no pending invoke`,
      );
    }
    this.pendingByProcess.delete(process);
    this.record(process, type, f, key, value);
  }

  private record(
    process: number,
    type: LinOpType,
    f: LinFunction,
    key: string,
    value: unknown,
  ): HistoryEvent {
    const event: HistoryEvent = { process, type, f, key, value: structuredClone(value) };
    this.recorded.push(event);
    return event;
  }
}
