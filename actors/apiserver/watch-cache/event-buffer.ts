/**
 * The cacher's history: a ring buffer of the last changes of one resource, each with the state
 * before it, so that a watch from a recent resourceVersion is replayed from memory.
 *
 * Invariant: the buffer holds every change with revision > startRevision, in revision order.
 */
import type { StorageObject } from '../../../core/index.js';

/**
 * Changes kept per resource. kube sizes its buffer to hold about 75 s of history, between 100
 * and 102,400 events; a fixed 10,000 holds 10 s at 1,000 changes/s, enough for a watcher that
 * reconnects after a blip. An older resourceVersion is not an error: it is served by the inner
 * storage's watch, so the bound trades memory (references to shared objects) for store watches.
 */
export const WATCH_CACHE_DEFAULT_EVENTS_CAPACITY = 10_000;

/** One change as the cacher saw it. The objects are shared by every watcher and must not be modified. */
export interface WatchCacheEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly key: string;
  /** ADDED/MODIFIED: the new state; DELETED: the last state, at the deleting revision. */
  readonly object: StorageObject;
  /** The state before the change, undefined for ADDED. */
  readonly prevObject: StorageObject | undefined;
  readonly revision: number;
}

export class WatchCacheEventBuffer {
  private readonly slots: (WatchCacheEvent | undefined)[];
  /** Index of the oldest event. */
  private head = 0;
  private size = 0;
  private start: number;

  constructor(
    readonly capacity: number,
    startRevision: number,
  ) {
    if (!(capacity >= 1)) throw new RangeError(`watch cache capacity must be at least 1, got ${capacity}`);
    this.slots = new Array<WatchCacheEvent | undefined>(capacity).fill(undefined);
    this.start = startRevision;
  }

  /** Every change after this revision is held. */
  get startRevision(): number {
    return this.start;
  }

  get length(): number {
    return this.size;
  }

  push(event: WatchCacheEvent): void {
    if (this.size === this.capacity) {
      const evicted = this.slots[this.head]!;
      this.start = evicted.revision;
      this.head = (this.head + 1) % this.capacity;
      this.size--;
    }
    this.slots[(this.head + this.size) % this.capacity] = event;
    this.size++;
  }

  /** The changes with revision > `after`, oldest first; undefined when some of them were evicted. */
  since(after: number): WatchCacheEvent[] | undefined {
    if (after < this.start) return undefined;
    // The first event with revision > after, by binary search over the ring.
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).revision <= after) lo = mid + 1;
      else hi = mid;
    }
    const out: WatchCacheEvent[] = [];
    for (let i = lo; i < this.size; i++) out.push(this.at(i));
    return out;
  }

  private at(i: number): WatchCacheEvent {
    return this.slots[(this.head + i) % this.capacity]!;
  }
}
