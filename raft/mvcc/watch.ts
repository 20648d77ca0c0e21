import { assert } from '../../core/index.js';
import type { WatchHandle } from './api.js';
import type { KeySpan } from './bytes.js';
import { keySpan, spanContains } from './bytes.js';
import type { MvccLimits } from './limits.js';
import type { Event, EventType, KeyValue, ResponseHeader, WatchCreateRequest, WatchResponse } from './types.js';

/**
 * One event of one revision, as the apply path (live) or a history read (catch-up) produces it.
 * `prevKv` is always set on live events when the key existed; on catch-up events only when some
 * watcher asked for it.
 */
export class ChangeEvent {
  private plain: Event | undefined;
  private withPrev: Event | undefined;

  constructor(
    readonly type: EventType,
    /** PUT: the new KeyValue. DELETE: key and modRevision (the delete's revision), other fields zero. */
    readonly kv: KeyValue,
    /** latin1 string of kv.key. */
    readonly key: string,
    public prevKv: KeyValue | undefined,
  ) {}

  get revision(): number {
    return this.kv.modRevision;
  }

  /** The API event, shared by every watcher that wants the same shape. */
  toEvent(withPrevKv: boolean): Event {
    if (withPrevKv && this.prevKv !== undefined) return (this.withPrev ??= { type: this.type, kv: this.kv, prevKv: this.prevKv });
    return (this.plain ??= { type: this.type, kv: this.kv });
  }
}

/** What the hub reads the history through (implemented by the store). */
export interface WatchHistory {
  currentRevision(): number;
  compactRevision(): number;
  /**
   * Events of whole revisions from `fromRev` on, up to the current revision at the call: about
   * `maxRecords` events, never part of a revision. `throughRev` is the last revision covered.
   */
  readEvents(fromRev: number, maxRecords: number, withPrevKv: boolean): Promise<{ events: ChangeEvent[]; throughRev: number }>;
  header(revision: number): ResponseHeader;
}

/**
 * Where a watcher's responses go. Returning false means "taken, but stop": the watcher holds
 * further events (up to `watcherBufferEvents`, then it falls back to the backend) until resume().
 * It may cancel the watcher; it must not throw (it runs inside the hub's delivery).
 */
export type WatchSend = (resp: WatchResponse) => boolean | void;

type WatcherState = 'synced' | 'unsynced' | 'canceled';

/**
 * One watcher (etcd's watcher in a watchableStore group).
 *
 * Invariant: every event with revision < nextRev that matches has been handed to `send`, in
 * revision order, each once — except, while synced and not blocked, revisions up to the hub's
 * dispatched revision count as handled too (nextRev is not advanced for revisions with no match).
 * `buffer` holds matching events from nextRev on, only while blocked and synced.
 */
export class Watcher implements WatchHandle {
  state: WatcherState;
  nextRev: number;
  blocked = false;
  buffer: ChangeEvent[] = [];
  progressPending = false;
  /** An event was sent since the last periodic progress notification. */
  sentSinceProgress = false;
  readonly span: KeySpan;
  readonly prevKv: boolean;
  readonly noPut: boolean;
  readonly noDelete: boolean;
  readonly progressNotify: boolean;

  constructor(
    private readonly hub: WatchHub,
    readonly watchId: number,
    req: WatchCreateRequest,
    readonly send: WatchSend,
    nextRev: number,
  ) {
    this.span = keySpan(req.key, req.rangeEnd);
    this.prevKv = req.prevKv === true;
    this.noPut = req.filters?.includes('NOPUT') === true;
    this.noDelete = req.filters?.includes('NODELETE') === true;
    this.progressNotify = req.progressNotify === true;
    this.nextRev = nextRev;
    this.state = 'synced';
  }

  /** Stops the watcher and sends its canceled response. */
  cancel(): void {
    this.hub.cancel(this, undefined);
  }

  /** Sends a progress response once every event up to the current revision has been sent. */
  requestProgress(): void {
    this.hub.requestProgress(this);
  }

  /** The consumer can take responses again (after send returned false). */
  resume(): void {
    this.hub.resume(this);
  }

  wants(ev: ChangeEvent): boolean {
    return ev.type === 'PUT' ? !this.noPut : !this.noDelete;
  }
}

/**
 * The watch hub (etcd's watchableStore). Live events come from the apply path through notify()
 * and are dispatched to synced watchers on a microtask, batched per watcher; watchers that start
 * in the past, or fell behind, are unsynced and catch up from the history in rounds, then join
 * the synced ones. Events of one revision always travel in one response.
 */
export class WatchHub {
  private readonly keyWatchers = new Map<string, Set<Watcher>>();
  private readonly rangeWatchers = new Set<Watcher>();
  private readonly unsynced = new Set<Watcher>();
  /** Live events not yet dispatched, one array per revision, ascending. */
  private pending: ChangeEvent[][] = [];
  private dispatchScheduled = false;
  /** Every revision <= this was dispatched to the synced watchers. */
  private dispatchedRev: number;
  private syncing: Promise<void> | undefined;
  private count = 0;

  constructor(
    private readonly history: WatchHistory,
    private readonly limits: MvccLimits,
  ) {
    this.dispatchedRev = history.currentRevision();
  }

  get size(): number {
    return this.count;
  }

  /**
   * Creates a watcher: sends its created response, then (if startRevision is below the compacted
   * revision) its cancellation with compactRevision, else its events from startRevision (or from
   * the next revision) on.
   */
  watch(req: WatchCreateRequest, watchId: number, send: WatchSend): Watcher {
    const current = this.history.currentRevision();
    const start = req.startRevision ?? 0;
    const w = new Watcher(this, watchId, req, send, start > 0 ? start : current + 1);
    send({ header: this.history.header(current), watchId, created: true, events: [] });
    const compactRev = this.history.compactRevision();
    if (start > 0 && start < compactRev) {
      w.state = 'canceled';
      send({ header: this.history.header(current), watchId, canceled: true, compactRevision: compactRev, events: [] });
      return w;
    }
    this.count++;
    if (w.span.single) {
      let set = this.keyWatchers.get(w.span.start);
      if (set === undefined) this.keyWatchers.set(w.span.start, (set = new Set()));
      set.add(w);
    } else {
      this.rangeWatchers.add(w);
    }
    if (w.nextRev <= current) {
      w.state = 'unsynced';
      this.unsynced.add(w);
      this.kick();
    }
    return w;
  }

  /** The events of one applied revision (from the apply path). Delivered on a microtask. */
  notify(events: ChangeEvent[]): void {
    if (events.length === 0) return;
    this.pending.push(events);
    if (!this.dispatchScheduled) {
      this.dispatchScheduled = true;
      queueMicrotask(() => this.dispatch());
    }
  }

  /** Delivers the pending live events now. */
  dispatch(): void {
    this.dispatchScheduled = false;
    const revisions = this.pending;
    if (revisions.length === 0) return;
    this.pending = [];
    const lastRev = revisions[revisions.length - 1]![0]!.revision;
    assert(lastRev > this.dispatchedRev, 'watch hub: dispatching revisions already dispatched');
    const perWatcher = new Map<Watcher, ChangeEvent[]>();
    const collect = (w: Watcher, ev: ChangeEvent): void => {
      if (w.state !== 'synced' || ev.revision < w.nextRev || !w.wants(ev)) return;
      const list = perWatcher.get(w);
      if (list === undefined) perWatcher.set(w, [ev]);
      else list.push(ev);
    };
    if (this.count > 0) {
      for (const events of revisions) {
        for (const ev of events) {
          const exact = this.keyWatchers.get(ev.key);
          if (exact !== undefined) for (const w of exact) collect(w, ev);
          for (const w of this.rangeWatchers) if (spanContains(w.span, ev.key)) collect(w, ev);
        }
      }
    }
    this.dispatchedRev = lastRev;
    for (const [w, events] of perWatcher) {
      if (w.state !== 'synced') continue; // canceled by an earlier send of this dispatch
      if (w.blocked) this.hold(w, events);
      else this.sendEvents(w, events, lastRev);
    }
  }

  /** Sends a progress response to every idle synced watcher that asked for progress notifications. */
  notifyProgress(): void {
    this.dispatch();
    const rev = this.history.currentRevision();
    for (const w of this.allWatchers()) {
      if (!w.progressNotify || w.state !== 'synced' || w.blocked) continue;
      if (!w.sentSinceProgress) this.sendProgress(w, rev);
      w.sentSinceProgress = false;
    }
  }

  /** After a restore: every watcher catches up from the new history (or is canceled if compacted). */
  resync(): void {
    this.dispatch();
    for (const w of this.allWatchers()) {
      if (w.state !== 'synced') continue;
      w.nextRev = this.effectiveNextRev(w);
      w.buffer = [];
      w.state = 'unsynced';
      this.unsynced.add(w);
    }
    this.dispatchedRev = this.history.currentRevision();
    if (this.unsynced.size > 0) this.kick();
  }

  /** Resolves when no catch-up round is running (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.syncing !== undefined) await this.syncing;
  }

  /** Stops a watcher and sends its canceled response (with compactRevision or a reason when given). */
  cancel(w: Watcher, compactRevision: number | undefined, cancelReason?: string): void {
    if (w.state === 'canceled') return;
    w.state = 'canceled';
    this.count--;
    this.unsynced.delete(w);
    if (w.span.single) {
      const set = this.keyWatchers.get(w.span.start);
      set?.delete(w);
      if (set?.size === 0) this.keyWatchers.delete(w.span.start);
    } else {
      this.rangeWatchers.delete(w);
    }
    w.buffer = [];
    const resp: { -readonly [K in keyof WatchResponse]: WatchResponse[K] } = {
      header: this.history.header(this.history.currentRevision()),
      watchId: w.watchId,
      canceled: true,
      events: [],
    };
    if (compactRevision !== undefined) resp.compactRevision = compactRevision;
    if (cancelReason !== undefined) resp.cancelReason = cancelReason;
    w.send(resp);
  }

  requestProgress(w: Watcher): void {
    if (w.state === 'canceled') return;
    if (w.state === 'synced' && !w.blocked) {
      this.dispatch();
      if (w.state === 'synced' && !w.blocked) {
        this.sendProgress(w, this.history.currentRevision());
        return;
      }
    }
    w.progressPending = true;
  }

  resume(w: Watcher): void {
    if (w.state === 'canceled' || !w.blocked) return;
    w.blocked = false;
    if (w.state === 'synced' && w.buffer.length > 0) {
      const held = w.buffer;
      w.buffer = [];
      this.sendEvents(w, held, this.dispatchedRev);
    }
    if (w.state === 'unsynced') this.kick();
    else if (!w.blocked && w.progressPending) this.requestProgress(w);
  }

  // ---- Delivery ----

  /**
   * Sends events (of whole revisions, ascending, all >= nextRev) in responses of at most
   * maxEventsPerWatchResponse events, never splitting a revision. `throughRev` is the last revision
   * the events cover. Stops when send asks to, holding (synced) or dropping (unsynced) the rest.
   */
  private sendEvents(w: Watcher, events: readonly ChangeEvent[], throughRev: number): void {
    let i = 0;
    while (i < events.length) {
      let j = Math.min(i + this.limits.maxEventsPerWatchResponse, events.length);
      const boundary = events[j - 1]!.revision;
      while (j < events.length && events[j]!.revision === boundary) j++;
      const batch = events.slice(i, j);
      const last = j === events.length;
      const rev = last ? throughRev : boundary;
      w.sentSinceProgress = true;
      const more = w.send({ header: this.history.header(rev), watchId: w.watchId, events: batch.map((e) => e.toEvent(w.prevKv)) });
      w.nextRev = rev + 1;
      i = j;
      if (w.state === 'canceled') return; // canceled from inside send
      if (more === false) {
        w.blocked = true;
        break;
      }
    }
    if (i < events.length) {
      w.nextRev = events[i]!.revision;
      if (w.state === 'synced') this.hold(w, events.slice(i));
    }
  }

  /** Buffers events for a blocked synced watcher; past the bound it falls back to the history. */
  private hold(w: Watcher, events: readonly ChangeEvent[]): void {
    if (w.buffer.length === 0) w.nextRev = events[0]!.revision;
    w.buffer.push(...events);
    if (w.buffer.length > this.limits.watcherBufferEvents) {
      w.buffer = [];
      w.state = 'unsynced';
      this.unsynced.add(w); // caught up after resume()
    }
  }

  private sendProgress(w: Watcher, rev: number): void {
    w.progressPending = false;
    w.send({ header: this.history.header(rev), watchId: w.watchId, events: [] });
  }

  private effectiveNextRev(w: Watcher): number {
    if (w.blocked && w.buffer.length > 0) return w.buffer[0]!.revision;
    return Math.max(w.nextRev, this.dispatchedRev + 1);
  }

  private *allWatchers(): Iterable<Watcher> {
    for (const set of this.keyWatchers.values()) yield* set;
    yield* this.rangeWatchers;
  }

  // ---- Catch-up ----

  private kick(): void {
    if (this.syncing !== undefined) return;
    this.syncing = this.syncLoop().finally(() => {
      this.syncing = undefined;
    });
  }

  private async syncLoop(): Promise<void> {
    for (;;) {
      const current = this.history.currentRevision();
      const compactRev = this.history.compactRevision();
      const batch: Watcher[] = [];
      for (const w of this.unsynced) {
        assert(w.state === 'unsynced', () => `watch hub: watcher ${w.watchId} is ${w.state} but in the unsynced group`);
        if (w.blocked) continue;
        if (w.nextRev < compactRev) this.cancel(w, compactRev);
        else if (w.nextRev > current) this.markSynced(w);
        else if (batch.length < this.limits.maxWatchersPerSync) batch.push(w);
      }
      if (batch.length === 0) return;
      let from = Infinity;
      for (const w of batch) from = Math.min(from, w.nextRev);
      let read: { events: ChangeEvent[]; throughRev: number };
      try {
        read = await this.history.readEvents(
          from,
          this.limits.catchUpBatchRecords,
          batch.some((w) => w.prevKv),
        );
      } catch (err) {
        // The history could not be read (a backend failure): these watchers cannot be served.
        for (const w of batch) this.cancel(w, undefined, `mvcc: watch catch-up failed: ${String(err)}`);
        continue;
      }
      for (const w of batch) {
        if (w.state !== 'unsynced' || w.blocked || w.nextRev > read.throughRev) continue;
        const mine = read.events.filter((e) => e.revision >= w.nextRev && spanContains(w.span, e.key) && w.wants(e));
        if (mine.length > 0) this.sendEvents(w, mine, read.throughRev);
        if (!w.blocked) w.nextRev = read.throughRev + 1;
        if (w.nextRev > this.history.currentRevision()) this.markSynced(w);
      }
    }
  }

  private markSynced(w: Watcher): void {
    this.unsynced.delete(w);
    w.state = 'synced';
    if (w.progressPending && !w.blocked) this.requestProgress(w);
  }
}
