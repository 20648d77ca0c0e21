import { StoreError } from '../mvcc/index.js';
import type { Clock, TimerHandle } from './clock.js';

interface Waiter<T> {
  resolve(v: T): void;
  reject(e: Error): void;
  timer: TimerHandle;
}

/**
 * Requests waiting for their entry to be applied (or their read to be served), by id, each
 * with a deadline. Bound: at most `maxPending` waiters; beyond that new requests are refused
 * at once with `onFull()`, so a flood of clients cannot grow memory without limit.
 */
export class WaitRegistry<T> {
  private readonly waiters = new Map<string, Waiter<T>>();

  constructor(
    private readonly clock: Clock,
    private readonly maxPending: number,
    private readonly onTimeout: () => StoreError,
    private readonly onFull: () => StoreError,
  ) {}

  get size(): number {
    return this.waiters.size;
  }

  /** Registers `id`; the promise settles with trigger(), fail(), or the deadline's error. */
  register(id: string, deadlineMs: number): Promise<T> {
    if (this.waiters.size >= this.maxPending) return Promise.reject(this.onFull());
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        if (this.waiters.delete(id)) reject(this.onTimeout());
      }, deadlineMs);
      this.waiters.set(id, { resolve, reject, timer });
    });
  }

  has(id: string): boolean {
    return this.waiters.has(id);
  }

  trigger(id: string, v: T): void {
    const w = this.waiters.get(id);
    if (!w) return;
    this.waiters.delete(id);
    w.timer.cancel();
    w.resolve(v);
  }

  fail(id: string, e: Error): void {
    const w = this.waiters.get(id);
    if (!w) return;
    this.waiters.delete(id);
    w.timer.cancel();
    w.reject(e);
  }

  failAll(e: Error): void {
    for (const id of [...this.waiters.keys()]) this.fail(id, e);
  }
}
