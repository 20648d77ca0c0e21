/**
 * Delivery of one watch's events to its consumer: in order, one call at a time, never inside the
 * call that produced them (always from a microtask), none before the watch is established, held
 * while the consumer is paused, and with a bound on how far a live consumer may fall behind.
 *
 * Invariants: after a terminal item (an ERROR event or an error) is queued nothing else is
 * queued; after stop() or the terminal item's delivery no listener is called; `release` (which
 * ends the upstream watch and its timers) runs exactly once, as soon as the watch is known to end.
 */
import { StorageWatchOverflowError } from './errors.js';
import type { StorageWatch, StorageWatchErrorListener, StorageWatchEvent, StorageWatchListener } from './types.js';

/** How many live events a watch may hold undelivered before it is ended (kube ends blocked watchers too). */
export const DEFAULT_WATCH_MAX_PENDING_EVENTS = 1000;

/** Delivered items are dropped from the front of the queue array in batches of this many. */
const QUEUE_COMPACT_THRESHOLD = 1024;

type Item = { readonly kind: 'event'; readonly event: StorageWatchEvent; readonly live: boolean } | { readonly kind: 'error'; readonly error: Error };

export class StorageWatchDispatcher implements StorageWatch {
  private queue: (Item | undefined)[] = [];
  private head = 0;
  /** Live events queued and not yet delivered; the bound applies to these. */
  private livePending = 0;
  private paused = false;
  /** Nothing is delivered before startDelivery(): the watch is not established (and returned) yet. */
  private held = true;
  private drainScheduled = false;
  /** A terminal item is queued (or the watch stopped): nothing more is accepted. */
  private ended = false;
  private stopped = false;
  private released = false;
  private progressRequester: (() => void) | undefined;

  constructor(
    private readonly onEvent: StorageWatchListener,
    private readonly onError: StorageWatchErrorListener,
    private readonly maxPendingEvents: number,
    private readonly release: () => void,
  ) {}

  /** How requestProgress reaches the store (set by the storage once the watch exists). */
  setProgressRequester(request: () => void): void {
    this.progressRequester = request;
  }

  requestProgress(): void {
    if (!this.ended) this.progressRequester?.();
  }

  /** Whether the watch still accepts events. */
  get open(): boolean {
    return !this.ended;
  }

  /** Whether nothing is waiting to be delivered. */
  get idle(): boolean {
    return this.head === this.queue.length;
  }

  /** An event of the initial state: already in memory, so not counted against the bound. */
  pushInitial(event: StorageWatchEvent): void {
    this.enqueue({ kind: 'event', event, live: false });
  }

  /** A live event; ends the watch with StorageWatchOverflowError past maxPendingEvents. */
  push(event: StorageWatchEvent): void {
    if (this.ended) return;
    if (this.livePending >= this.maxPendingEvents) {
      this.overflow();
      return;
    }
    this.livePending++;
    this.enqueue({ kind: 'event', event, live: true });
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

  /** Begins delivery; called once the watch is handed to its consumer. */
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

  private enqueue(item: Item): void {
    if (this.ended) return;
    this.queue.push(item);
    this.schedule();
  }

  private end(): void {
    this.ended = true;
    if (this.released) return;
    this.released = true;
    this.release();
  }

  /** A consumer this far behind is not coming back soon: drop its queue and tell it now, paused or not. */
  private overflow(): void {
    this.queue = [{ kind: 'error', error: new StorageWatchOverflowError(this.maxPendingEvents) }];
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
        this.onError(item.error);
        return;
      }
      if (item.live) this.livePending--;
      const terminal = item.event.type === 'ERROR';
      if (terminal) this.stopped = true;
      try {
        this.onEvent(item.event, this);
      } catch (err) {
        // A listener that throws is broken; end its watch rather than skip events it missed.
        if (!terminal) {
          this.stop();
          this.onError(err instanceof Error ? err : new Error(String(err)));
        }
        return;
      }
    }
  }
}
