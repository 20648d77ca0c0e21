/**
 * Records a storage watch's events and errors, and lets a test wait for the next one. A wait has
 * a deadline only so that a missing event fails the test instead of hanging it; nothing is timed.
 */
import type { StorageWatchEvent } from '../../../core/index.js';

export class WatchRecorder {
  readonly events: StorageWatchEvent[] = [];
  readonly errors: Error[] = [];
  private cursor = 0;
  private wake: (() => void) | undefined;

  constructor(private readonly waitMs: number) {}

  readonly onEvent = (e: StorageWatchEvent): void => {
    this.events.push(e);
    this.wake?.();
  };

  readonly onError = (e: Error): void => {
    this.errors.push(e);
    this.wake?.();
  };

  /** The next event not yet taken; rejects at the deadline, or at once when the watch failed. */
  async next(): Promise<StorageWatchEvent> {
    await this.until(() => this.cursor < this.events.length, 'a watch event');
    return this.events[this.cursor++]!;
  }

  /** The next `n` events. */
  async take(n: number): Promise<StorageWatchEvent[]> {
    const out: StorageWatchEvent[] = [];
    for (let i = 0; i < n; i++) out.push(await this.next());
    return out;
  }

  /** The first error; rejects at the deadline. */
  async error(): Promise<Error> {
    await this.until(() => this.errors.length > 0, 'a watch error', true);
    return this.errors[0]!;
  }

  /** Events delivered and not yet taken. */
  get pending(): number {
    return this.events.length - this.cursor;
  }

  private async until(ready: () => boolean, what: string, errorsExpected = false): Promise<void> {
    const deadline = Date.now() + this.waitMs;
    while (!ready()) {
      if (!errorsExpected && this.errors.length > 0) throw new Error(`waiting for ${what}, the watch failed: ${this.errors[0]!.message}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${this.waitMs} ms; got ${JSON.stringify(this.events.slice(this.cursor))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}

/** Lets every queued microtask and pending I/O callback run once. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
