// A controller's queue of keys, with client-go's workqueue semantics (rate-limiting, delaying
// FIFO), on an injected clock so a simulation decides when delayed keys come due.
//
// Invariants:
// - `ready` and `processing` are disjoint: one key is never handed out twice at once;
// - `ready` ⊆ `dirty` (dirty = wanted again and not yet handed out); a key both `dirty` and
//   `processing` was added while running and becomes ready again on `done`;
// - `waiting` holds, per key, only the earliest time it was asked to come back.

import type { Clock, TimerHandle } from '../../../raft/index.js';
import type { WorkQueueMetricsSink } from './controller-metrics.js';
import { NULL_WORKQUEUE_METRICS } from './controller-metrics.js';
import type { ReconcileBackoffPolicy } from './rate-limiter.js';
import { ReconcileBackoff } from './rate-limiter.js';

/** Distinct keys a queue holds (ready, processing or waiting) before refusing new ones. */
export const WORKQUEUE_MAX_KEYS = 1_000_000;

export interface ControllerWorkQueueOptions {
  readonly clock: Clock;
  readonly backoff?: ReconcileBackoffPolicy;
  readonly metrics?: WorkQueueMetricsSink;
  /** Called after a key became ready from outside `done` (an add, a delayed add coming due). */
  readonly onReady?: () => void;
  readonly maxKeys?: number;
}

/** A snapshot of a queue, for tests and the harness's quiescence check. */
export interface WorkQueueStatus {
  readonly ready: number;
  readonly processing: number;
  readonly waiting: number;
  /** Earliest due time of a waiting key, if any. */
  readonly nextDueMs: number | undefined;
  /** Keys refused because the queue was at its bound. */
  readonly refused: number;
}

export class ControllerWorkQueue {
  private readonly clock: Clock;
  private readonly metrics: WorkQueueMetricsSink;
  private readonly onReady: () => void;
  private readonly maxKeys: number;
  private readonly backoff: ReconcileBackoff;
  /** In FIFO order (a Set keeps insertion order). */
  private readonly ready = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly waiting = new Map<string, { readonly dueMs: number; readonly timer: TimerHandle }>();
  private readonly addedAtMs = new Map<string, number>();
  private readonly startedAtMs = new Map<string, number>();
  private refusedCount = 0;
  private shutDown = false;

  constructor(options: ControllerWorkQueueOptions) {
    this.clock = options.clock;
    this.metrics = options.metrics ?? NULL_WORKQUEUE_METRICS;
    this.onReady = options.onReady ?? (() => undefined);
    this.maxKeys = options.maxKeys ?? WORKQUEUE_MAX_KEYS;
    this.backoff = new ReconcileBackoff(options.backoff);
  }

  /** Marks `key` as needing work. A no-op when it is already queued (duplicates collapse). */
  add(key: string): void {
    if (this.addNow(key)) this.onReady();
  }

  /** Adds `key` after `delayMs` of the clock; an earlier pending delayed add of it wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shutDown) return;
    if (!(delayMs > 0)) {
      this.add(key);
      return;
    }
    const dueMs = this.clock.now() + delayMs;
    const pending = this.waiting.get(key);
    if (pending !== undefined) {
      if (pending.dueMs <= dueMs) return;
      pending.timer.cancel();
    } else if (!this.admits(key)) {
      return;
    }
    const timer = this.clock.setTimeout(() => {
      if (this.waiting.get(key)?.timer !== timer) return;
      this.waiting.delete(key);
      this.add(key);
    }, delayMs);
    this.waiting.set(key, { dueMs, timer });
  }

  /** Adds `key` after its back-off: the delay doubles with every call until `forget`. */
  addRateLimited(key: string): void {
    this.metrics.retried();
    this.addAfter(key, this.backoff.when(key));
  }

  /** Stops back-off tracking of `key` (it succeeded). Does not remove it from the queue. */
  forget(key: string): void {
    this.backoff.forget(key);
  }

  /** Failures of `key` since it was last forgotten. */
  numRequeues(key: string): number {
    return this.backoff.numRequeues(key);
  }

  /** The next ready key, now processing until `done`; undefined when none is ready. */
  get(): string | undefined {
    const next = this.ready.values().next();
    if (next.done === true) return undefined;
    const key = next.value;
    this.ready.delete(key);
    this.dirty.delete(key);
    this.processing.add(key);
    const nowMs = this.clock.now();
    const addedAt = this.addedAtMs.get(key);
    if (addedAt !== undefined) this.metrics.queueDurationSeconds((nowMs - addedAt) / 1000);
    this.addedAtMs.delete(key);
    this.startedAtMs.set(key, nowMs);
    this.metrics.setDepth(this.ready.size);
    return key;
  }

  /** Ends processing of `key`; if it was added meanwhile it is ready again at once. */
  done(key: string): void {
    if (!this.processing.delete(key)) return;
    const startedAt = this.startedAtMs.get(key);
    if (startedAt !== undefined) this.metrics.workDurationSeconds((this.clock.now() - startedAt) / 1000);
    this.startedAtMs.delete(key);
    if (this.dirty.has(key) && !this.shutDown) {
      this.ready.add(key);
      this.metrics.setDepth(this.ready.size);
    }
  }

  get length(): number {
    return this.ready.size;
  }

  get processingCount(): number {
    return this.processing.size;
  }

  isProcessing(key: string): boolean {
    return this.processing.has(key);
  }

  status(): WorkQueueStatus {
    let nextDueMs: number | undefined;
    for (const { dueMs } of this.waiting.values()) if (nextDueMs === undefined || dueMs < nextDueMs) nextDueMs = dueMs;
    return { ready: this.ready.size, processing: this.processing.size, waiting: this.waiting.size, nextDueMs, refused: this.refusedCount };
  }

  /** Cancels every delayed add and refuses further adds. Final. */
  shutdown(): void {
    this.shutDown = true;
    for (const { timer } of this.waiting.values()) timer.cancel();
    this.waiting.clear();
    this.ready.clear();
    this.dirty.clear();
    this.metrics.setDepth(0);
  }

  /** Returns true when the key became ready (rather than collapsing or waiting for `done`). */
  private addNow(key: string): boolean {
    if (this.shutDown || this.dirty.has(key)) return false;
    if (!this.processing.has(key) && !this.waiting.has(key) && !this.admits(key)) return false;
    this.metrics.added();
    this.dirty.add(key);
    this.addedAtMs.set(key, this.clock.now());
    if (this.processing.has(key)) return false;
    this.ready.add(key);
    this.metrics.setDepth(this.ready.size);
    return true;
  }

  /** Whether a key not yet held may be taken without passing the bound. */
  private admits(key: string): boolean {
    if (this.dirty.has(key) || this.processing.has(key) || this.waiting.has(key)) return true;
    if (this.dirty.size + this.processing.size + this.waiting.size < this.maxKeys) return true;
    this.refusedCount++;
    return false;
  }
}
