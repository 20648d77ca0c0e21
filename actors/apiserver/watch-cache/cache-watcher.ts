/**
 * One watcher of a cacher: which changes it sees (its key range, its predicate with kube's
 * transition rules, its start revision) and its own bounded delivery queue, so a slow consumer
 * holds back nobody else. Delivery follows the Storage contract: in order, one call at a time,
 * always from a microtask, nothing before the watch is established, held while paused.
 *
 * Invariants: after a terminal item is queued nothing more is queued; after stop() or the
 * terminal item's delivery no listener is called; `release` runs exactly once.
 */
import type { StoragePredicate, StorageWatch, StorageWatchErrorListener, StorageWatchEvent, StorageWatchListener } from '../../../core/index.js';
import { StorageInternalError, StorageWatchOverflowError } from '../../../core/index.js';
import type { WatchCacheEvent } from './event-buffer.js';

/** Delivered items are dropped from the front of the queue array in batches of this many. */
const QUEUE_COMPACT_THRESHOLD = 1024;

type QueueItem = { readonly kind: 'event'; readonly event: StorageWatchEvent; readonly live: boolean } | { readonly kind: 'error'; readonly error: Error };

export interface CacheWatcherOptions {
  /** Whether a change at `key` is in this watch (the key itself, or under a collection). */
  readonly keyMatches: (key: string) => boolean;
  readonly predicate: StoragePredicate | undefined;
  readonly bookmarks: boolean;
  /** Changes at or before this revision are not this watcher's (it has them from its start). */
  readonly startAfterRevision: number;
  /** Live events it may hold undelivered before it is ended with StorageWatchOverflowError. */
  readonly maxPendingEvents: number;
  readonly onEvent: StorageWatchListener;
  readonly onError: StorageWatchErrorListener;
  /** Removes the watcher from its cacher; called once, as soon as it is known to end. */
  readonly release: (watcher: CacheWatcher) => void;
}

/**
 * The event a watcher sees for a change, or none: an object entering the selection is ADDED,
 * one leaving it DELETED in its last matching state at the change's revision (kube's cacher and
 * core/storage/kv-watch.ts agree on this). Throws what the predicate throws.
 */
export function watchCacheEventFor(e: WatchCacheEvent, predicate: StoragePredicate | undefined): StorageWatchEvent | undefined {
  if (predicate === undefined) return { type: e.type, object: e.object };
  if (e.type === 'DELETED' || e.type === 'ADDED' || e.prevObject === undefined) {
    return predicate(e.object) ? { type: e.type === 'MODIFIED' ? 'ADDED' : e.type, object: e.object } : undefined;
  }
  const now = predicate(e.object);
  const before = predicate(e.prevObject);
  if (now && before) return { type: 'MODIFIED', object: e.object };
  if (now) return { type: 'ADDED', object: e.object };
  if (before) return { type: 'DELETED', object: withResourceVersion(e.prevObject, e.revision) };
  return undefined;
}

/** A shallow copy of `object` whose metadata.resourceVersion is `revision`; the original is shared and stays untouched. */
function withResourceVersion(object: Readonly<Record<string, unknown>>, revision: number): Record<string, unknown> {
  const metadata = (typeof object.metadata === 'object' && object.metadata !== null ? object.metadata : {}) as Record<string, unknown>;
  return { ...object, metadata: { ...metadata, resourceVersion: String(revision) } };
}

export class CacheWatcher implements StorageWatch {
  private queue: (QueueItem | undefined)[] = [];
  private head = 0;
  private livePending = 0;
  private paused = false;
  private held = true;
  private drainScheduled = false;
  private ended = false;
  private stopped = false;
  private released = false;

  constructor(private readonly o: CacheWatcherOptions) {}

  get open(): boolean {
    return !this.ended;
  }

  get wantsBookmarks(): boolean {
    return this.o.bookmarks;
  }

  /** Nothing is waiting to be delivered. */
  get idle(): boolean {
    return this.head === this.queue.length;
  }

  /** An event of the initial state or of the replay: already in memory, not counted against the bound. */
  pushInitial(event: StorageWatchEvent): void {
    this.enqueue({ kind: 'event', event, live: false });
  }

  /** A change, replayed (live=false) or live; filtered by key, start revision and predicate. Whether an event was queued. */
  dispatch(e: WatchCacheEvent, live: boolean): boolean {
    if (this.ended || e.revision <= this.o.startAfterRevision || !this.o.keyMatches(e.key)) return false;
    let event: StorageWatchEvent | undefined;
    try {
      event = watchCacheEventFor(e, this.o.predicate);
    } catch (err) {
      this.fail(new StorageInternalError(`watch predicate failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
      return false;
    }
    if (event === undefined) return false;
    if (!live) {
      this.pushInitial(event);
      return true;
    }
    if (this.livePending >= this.o.maxPendingEvents) {
      this.overflow();
      return false;
    }
    this.livePending++;
    this.enqueue({ kind: 'event', event, live: true });
    return true;
  }

  /**
   * A BOOKMARK at `revision`, when this watcher asked for them, has nothing queued (a queued
   * event tells as much), and `revision` is not before its start.
   */
  bookmark(revision: number): void {
    if (!this.o.bookmarks || this.ended || !this.idle || revision < this.o.startAfterRevision) return;
    this.enqueue({ kind: 'event', event: { type: 'BOOKMARK', object: { metadata: { resourceVersion: String(revision) } } }, live: false });
  }

  /** Ends the watch with an ERROR event, delivered after what is queued. */
  endWithEvent(event: StorageWatchEvent): void {
    if (this.ended) return;
    this.enqueue({ kind: 'event', event, live: false });
    this.end();
  }

  /** Ends the watch with an error, delivered after what is queued. */
  fail(error: Error): void {
    if (this.ended) return;
    this.enqueue({ kind: 'error', error });
    this.end();
  }

  /** Begins delivery, once the watch is handed to its consumer. */
  startDelivery(): void {
    this.held = false;
    this.schedule();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.queue = [];
    this.head = 0;
    this.end();
  }

  private enqueue(item: QueueItem): void {
    if (this.ended) return;
    this.queue.push(item);
    this.schedule();
  }

  private end(): void {
    this.ended = true;
    if (this.released) return;
    this.released = true;
    this.o.release(this);
  }

  /** A consumer this far behind is not coming back soon: drop its queue and tell it now, paused or not. */
  private overflow(): void {
    this.queue = [{ kind: 'error', error: new StorageWatchOverflowError(this.o.maxPendingEvents) }];
    this.head = 0;
    this.livePending = 0;
    this.paused = false;
    this.end();
    this.schedule();
  }

  private schedule(): void {
    if (this.drainScheduled || this.held || this.stopped || this.paused || this.idle) return;
    this.drainScheduled = true;
    queueMicrotask(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    while (!this.stopped && !this.paused && this.head < this.queue.length) {
      const item = this.queue[this.head]!;
      this.queue[this.head] = undefined;
      this.head++;
      if (this.head >= QUEUE_COMPACT_THRESHOLD) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      if (item.kind === 'error') {
        this.stopped = true;
        this.o.onError(item.error);
        return;
      }
      if (item.live) this.livePending--;
      const terminal = item.event.type === 'ERROR';
      if (terminal) this.stopped = true;
      try {
        this.o.onEvent(item.event, this);
      } catch (err) {
        // A listener that throws is broken; end its watch rather than skip events it missed.
        if (!terminal) {
          this.stop();
          this.o.onError(err instanceof Error ? err : new Error(String(err)));
        }
        return;
      }
    }
  }
}
