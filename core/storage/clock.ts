/**
 * Time, injected: core reads no clock and schedules no timer itself. The transport side passes
 * the wall clock (transport/storage); tests pass a ManualStorageClock and move it by hand.
 */

export interface StorageClock {
  /** Milliseconds; only differences matter. */
  nowMs(): number;
}

export interface StorageScheduler {
  /** Calls `fn` every `intervalMs` until the returned function is called. */
  every(intervalMs: number, fn: () => void): () => void;
}

interface ManualTimer {
  dueAtMs: number;
  readonly intervalMs: number;
  readonly fn: () => void;
  active: boolean;
}

/** A clock and scheduler that only move when told to (tests, the simulator). */
export class ManualStorageClock implements StorageClock, StorageScheduler {
  private now: number;
  private readonly timers = new Set<ManualTimer>();

  constructor(startMs = 0) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  every(intervalMs: number, fn: () => void): () => void {
    if (!(intervalMs > 0)) throw new RangeError(`interval must be positive, got ${intervalMs}`);
    const timer: ManualTimer = { dueAtMs: this.now + intervalMs, intervalMs, fn, active: true };
    this.timers.add(timer);
    return () => {
      timer.active = false;
      this.timers.delete(timer);
    };
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in time order. */
  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const t of this.timers) if (t.dueAtMs <= target && (next === undefined || t.dueAtMs < next.dueAtMs)) next = t;
      if (next === undefined) break;
      this.now = next.dueAtMs;
      next.dueAtMs += next.intervalMs;
      next.fn();
    }
    this.now = target;
  }
}
