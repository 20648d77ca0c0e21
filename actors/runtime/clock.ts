import type { Clock, TimerHandle } from '../../raft/index.js';
import type { Random } from '../../core/index.js';

/**
 * The real clock for actors: monotonic within the process, anchored at the process start's wall
 * time. The runtime takes the same `Clock` contract as the store member, so one clock (real, or a
 * simulator's) drives a whole process.
 */
export const realClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
  setInterval(fn: () => void, ms: number): TimerHandle {
    const t = setInterval(fn, ms);
    return { cancel: () => clearInterval(t) };
  },
};

/** Unseeded randomness for production use; tests and simulations pass a `SeededRandom`. */
export const realRandom: Random = {
  next: () => Math.random(),
  int: (n: number) => Math.floor(Math.random() * n),
};

interface ManualTimer {
  readonly id: number;
  dueMs: number;
  readonly intervalMs: number | undefined;
  readonly fn: () => void;
}

/**
 * A clock that moves only when told to: the in-memory `Clock` for tests and simulations.
 * Timers fire synchronously inside `advance`, in due-time order (ties in creation order), and a
 * timer created by a firing callback fires in the same `advance` if it falls due within it.
 */
export class ManualClock implements Clock {
  private nowMs: number;
  private nextId = 1;
  private readonly timers = new Map<number, ManualTimer>();

  constructor(startMs = 0) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, undefined);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, Math.max(1, ms));
  }

  /** Timers created and not yet fired or cancelled (intervals count until cancelled). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`cannot advance a clock by ${ms}ms`);
    const targetMs = this.nowMs + ms;
    for (;;) {
      const next = this.nextDue();
      if (next === undefined || next.dueMs > targetMs) break;
      this.nowMs = Math.max(this.nowMs, next.dueMs);
      if (next.intervalMs === undefined) this.timers.delete(next.id);
      else next.dueMs += next.intervalMs;
      next.fn();
    }
    this.nowMs = targetMs;
  }

  private add(fn: () => void, ms: number, intervalMs: number | undefined): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, dueMs: this.nowMs + Math.max(0, ms), intervalMs, fn });
    return { cancel: () => void this.timers.delete(id) };
  }

  private nextDue(): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const timer of this.timers.values()) {
      if (best === undefined || timer.dueMs < best.dueMs) best = timer;
    }
    return best;
  }
}
