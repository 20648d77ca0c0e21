/**
 * The cacher of one resource (kube-apiserver's Cacher): the current objects, from one list, kept
 * up to date by ONE recursive watch on the inner storage from that list's revision; a ring
 * buffer of recent changes; and every watcher of the resource, served from memory. Each change
 * is decoded once (by the inner storage) and its objects shared, read-only, by all watchers.
 *
 * If the inner watch ends (store unreachable, compacted past it), every watcher is ended with a
 * 410 Expired ERROR so that its client re-lists (nothing is silently missed), and the cacher
 * re-lists and re-watches after a back-off. Meanwhile requests are served by the inner storage.
 *
 * Invariants: `revision` only grows within one generation; every change with revision in
 * (buffer.startRevision, revision] is in the buffer and has been dispatched to every watcher.
 */
import type { Storage, StorageObject, StorageScheduler, StorageWatch, StorageWatchEvent } from '../../../core/index.js';
import { parseResourceVersion, storageKeyLowerBound, storageObjectResourceVersion, StorageInternalError } from '../../../core/index.js';
import { CacheWatcher } from './cache-watcher.js';
import type { CacheWatcherOptions } from './cache-watcher.js';
import { WatchCacheEventBuffer } from './event-buffer.js';
import type { WatchCacheEvent } from './event-buffer.js';
import { watchCacheObjectKey, watchCacheResourceName } from './resource-prefix.js';
import { SortedKeyIndex } from './sorted-keys.js';
import type { CacherMetrics } from './watch-cache-metrics.js';

export interface CacherBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

export interface CacherConfig {
  readonly inner: Storage;
  /** The resource's collection prefix, without the trailing '/'. */
  readonly prefix: string;
  readonly eventsCapacity: number;
  readonly watchMaxPendingEvents: number;
  readonly bookmarkIntervalMs: number;
  readonly scheduler: StorageScheduler;
  readonly backoff: CacherBackoff;
  readonly metrics: CacherMetrics;
  /** Applied to every object as it enters the cache (deep freeze, or identity). */
  readonly freeze: (object: StorageObject) => StorageObject;
}

type CacherState = 'idle' | 'initializing' | 'ready' | 'backoff' | 'closed';

/** What a watcher starts with: initial events, then the changes after a revision. */
export interface CacherWatchStart {
  /** ADDED events (and the watch-list end bookmark) to deliver first. */
  readonly initial: readonly StorageWatchEvent[];
  readonly startAfterRevision: number;
}

export type CacherWatcherSpec = Omit<CacheWatcherOptions, 'startAfterRevision' | 'maxPendingEvents' | 'release'>;

export class Cacher {
  private state: CacherState = 'idle';
  private readonly objects = new Map<string, StorageObject>();
  /** The keys of `objects` in key order (lists are served in it). */
  private readonly keyIndex = new SortedKeyIndex();
  private buffer: WatchCacheEventBuffer;
  private revisionNow = 0;
  private readonly watchers = new Set<CacheWatcher>();
  private bookmarkWatchers = 0;
  private stopBookmarkTimer: (() => void) | undefined;
  private innerWatch: StorageWatch | undefined;
  /** Bumped on every (re)initialization; callbacks of an older inner watch are ignored. */
  private generation = 0;
  private initializing: Promise<boolean> | undefined;
  private failures = 0;
  private cancelBackoff: (() => void) | undefined;
  private kindLabel: string | undefined;
  /** Callers of waitUntilFresh, each woken once the cache reaches its revision (or it gives up). */
  private freshWaiters: { readonly revision: number; readonly wake: (fresh: boolean) => void }[] = [];

  constructor(private readonly c: CacherConfig) {
    this.buffer = new WatchCacheEventBuffer(c.eventsCapacity, 0);
  }

  get ready(): boolean {
    return this.state === 'ready';
  }

  /** Every change up to this revision has been dispatched. */
  get revision(): number {
    return this.revisionNow;
  }

  /** Every change after this revision can be replayed. */
  get oldestReplayableRevision(): number {
    return this.buffer.startRevision;
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  /**
   * Whether the cacher can serve now, initializing it on first use. False while it backs off
   * after a failure (or failed to initialize): the caller then uses the inner storage.
   */
  async ensureReady(): Promise<boolean> {
    switch (this.state) {
      case 'ready':
        return true;
      case 'idle':
        return this.initialize();
      case 'initializing':
        return this.initializing ?? false;
      case 'backoff':
      case 'closed':
        return false;
    }
  }

  /**
   * Resolves true once every change up to `revision` is in the cache (kube's
   * waitUntilFreshAndBlock), asking the store for a progress bookmark so a resource nobody
   * writes still catches up with the store's revision; false after `timeoutMs`, or when the
   * cache stops being ready, so the caller reads the inner storage instead.
   */
  waitUntilFresh(revision: number, timeoutMs: number): Promise<boolean> {
    if (this.state !== 'ready') return Promise.resolve(false);
    if (this.revisionNow >= revision) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const cancelTimer = this.c.scheduler.every(timeoutMs, () => {
        const i = this.freshWaiters.indexOf(waiter);
        if (i >= 0) this.freshWaiters.splice(i, 1);
        waiter.wake(false);
      });
      const waiter = {
        revision,
        wake: (fresh: boolean): void => {
          cancelTimer();
          resolve(fresh);
        },
      };
      this.freshWaiters.push(waiter);
      this.innerWatch?.requestProgress?.();
    });
  }

  /** Wakes the waiters the cache's revision has reached (all of them, as not fresh, when `gaveUp`). */
  private wakeFreshWaiters(gaveUp = false): void {
    if (this.freshWaiters.length === 0) return;
    const waiting: typeof this.freshWaiters = [];
    for (const w of this.freshWaiters) {
      if (gaveUp) w.wake(false);
      else if (this.revisionNow >= w.revision) w.wake(true);
      else waiting.push(w);
    }
    this.freshWaiters = waiting;
  }

  /**
   * The cached objects whose key matches, sorted by key. Treat them as read-only. With `within`,
   * only keys starting with it are looked at (they are contiguous in key order), so a list of one
   * namespace does not walk every other namespace's keys.
   */
  snapshot(keyMatches: (key: string) => boolean, within?: string): StorageObject[] {
    const keys = this.keyIndex.ordered((key) => this.objects.has(key));
    const out: StorageObject[] = [];
    for (let i = within === undefined ? 0 : storageKeyLowerBound(keys, within); i < keys.length; i++) {
      const key = keys[i]!;
      if (within !== undefined && !key.startsWith(within)) break;
      if (keyMatches(key)) out.push(this.objects.get(key)!);
    }
    return out;
  }

  /**
   * Registers a watcher, synchronously with respect to incoming changes: it gets `start.initial`,
   * then the buffered changes after start.startAfterRevision, then live ones. Undefined when the
   * buffer no longer holds every change after that revision (or the cacher is not ready).
   */
  addWatcher(spec: CacherWatcherSpec, start: CacherWatchStart): CacheWatcher | undefined {
    if (this.state !== 'ready') return undefined;
    const replay = start.startAfterRevision >= this.revisionNow ? [] : this.buffer.since(start.startAfterRevision);
    if (replay === undefined) return undefined;
    const watcher = new CacheWatcher({
      ...spec,
      startAfterRevision: start.startAfterRevision,
      maxPendingEvents: this.c.watchMaxPendingEvents,
      release: (w) => this.removeWatcher(w),
    });
    for (const e of start.initial) watcher.pushInitial(e);
    for (const e of replay) watcher.dispatch(e, false);
    this.watchers.add(watcher);
    if (spec.bookmarks) {
      this.bookmarkWatchers++;
      this.stopBookmarkTimer ??= this.c.scheduler.every(this.c.bookmarkIntervalMs, () => this.sendBookmarks());
    }
    return watcher;
  }

  /** Stops the inner watch and every watcher, silently (the storage is closing). */
  close(): void {
    this.state = 'closed';
    this.generation++;
    this.cancelBackoff?.();
    this.innerWatch?.stop();
    this.innerWatch = undefined;
    for (const w of [...this.watchers]) w.stop();
    this.wakeFreshWaiters(true);
  }

  private initialize(): Promise<boolean> {
    const generation = ++this.generation;
    this.state = 'initializing';
    const run = async (): Promise<boolean> => {
      try {
        const list = await this.c.inner.getList(this.c.prefix);
        if (generation !== this.generation) return false;
        const listRevision = parseResourceVersion(list.resourceVersion);
        this.objects.clear();
        this.keyIndex.clear();
        for (const object of list.items) {
          const key = this.keyOf(object);
          this.objects.set(key, this.c.freeze(object));
          this.keyIndex.add(key);
        }
        this.buffer = new WatchCacheEventBuffer(this.c.eventsCapacity, listRevision);
        this.revisionNow = listRevision;
        // Changes may arrive before the watch call resumes: the state above is ready for them.
        const watch = await this.c.inner.watch(
          this.c.prefix,
          { recursive: true, resourceVersion: String(listRevision), allowWatchBookmarks: true },
          (event) => this.onInnerEvent(generation, event),
          (error) => this.onInnerFailure(generation, error),
        );
        if (generation !== this.generation) {
          watch.stop();
          return false;
        }
        this.innerWatch = watch;
        this.state = 'ready';
        this.failures = 0;
        this.c.metrics.initializations.inc();
        this.c.metrics.resourceVersion.set(this.revisionNow);
        return true;
      } catch {
        // The store is unreachable or holds an object the cache cannot place: back off; callers use the inner storage.
        if (generation === this.generation) this.enterBackoff();
        return false;
      } finally {
        if (generation === this.generation) this.initializing = undefined;
      }
    };
    const p = run();
    this.initializing = p;
    return p;
  }

  private onInnerEvent(generation: number, event: StorageWatchEvent): void {
    if (generation !== this.generation) return;
    try {
      switch (event.type) {
        case 'BOOKMARK': {
          const revision = parseResourceVersion(storageObjectResourceVersion(event.object));
          if (revision > this.revisionNow) {
            this.revisionNow = revision;
            this.c.metrics.resourceVersion.set(revision);
          }
          this.wakeFreshWaiters();
          return;
        }
        case 'ERROR':
          this.onInnerFailure(generation, new StorageInternalError(`the watch of ${this.c.prefix} ended: ${String(event.object.message)}`));
          return;
        default:
          this.apply(event.type, event.object);
      }
    } catch (err) {
      this.onInnerFailure(generation, err instanceof Error ? err : new Error(String(err)));
    }
  }

  private apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', received: StorageObject): void {
    const object = this.c.freeze(received);
    const key = this.keyOf(object);
    const revision = parseResourceVersion(storageObjectResourceVersion(object));
    const prevObject = this.objects.get(key);
    if (type === 'DELETED') {
      this.objects.delete(key);
      if (prevObject !== undefined) this.keyIndex.remove(key);
    } else {
      this.objects.set(key, object);
      if (prevObject === undefined) this.keyIndex.add(key);
    }
    const e: WatchCacheEvent = { type, key, object, prevObject, revision };
    this.buffer.push(e);
    if (revision > this.revisionNow) this.revisionNow = revision;
    let sent = 0;
    for (const w of this.watchers) if (w.dispatch(e, true)) sent++;
    this.c.metrics.eventsDispatched.inc();
    this.c.metrics.resourceVersion.set(this.revisionNow);
    if (sent > 0) this.c.metrics.watchEventsSent(this.kindOf(object), sent);
    this.wakeFreshWaiters();
  }

  private onInnerFailure(generation: number, _error: Error): void {
    if (generation !== this.generation) return;
    this.generation++;
    this.innerWatch?.stop();
    this.innerWatch = undefined;
    const message = `the watch cache of ${this.c.prefix} was reinitialized: too old resource version: ${this.revisionNow}`;
    for (const w of [...this.watchers]) w.endWithEvent({ type: 'ERROR', object: expiredStatus(message) });
    this.wakeFreshWaiters(true);
    this.enterBackoff();
  }

  private enterBackoff(): void {
    this.state = 'backoff';
    this.generation++;
    const delayMs = Math.min(this.c.backoff.maxMs, this.c.backoff.initialMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    this.cancelBackoff?.();
    const cancel = this.c.scheduler.every(delayMs, () => {
      cancel();
      this.cancelBackoff = undefined;
      if (this.state === 'backoff') void this.initialize();
    });
    this.cancelBackoff = cancel;
  }

  private sendBookmarks(): void {
    for (const w of this.watchers) w.bookmark(this.revisionNow);
  }

  private removeWatcher(w: CacheWatcher): void {
    if (!this.watchers.delete(w)) return;
    if (w.wantsBookmarks && --this.bookmarkWatchers === 0) {
      this.stopBookmarkTimer?.();
      this.stopBookmarkTimer = undefined;
    }
  }

  private keyOf(object: StorageObject): string {
    const key = watchCacheObjectKey(this.c.prefix, object);
    if (key === undefined) throw new StorageInternalError(`an object under ${this.c.prefix} has no metadata.name`);
    return key;
  }

  /** The `kind` label of apiserver_watch_events_total: the stored kind, fixed at the first event so the label set stays bounded. */
  private kindOf(object: StorageObject): string {
    this.kindLabel ??= typeof object.kind === 'string' && object.kind !== '' ? object.kind : watchCacheResourceName(this.c.prefix);
    return this.kindLabel;
  }
}

/** apierrors.NewResourceExpired as a watch ERROR event's object. */
function expiredStatus(message: string): StorageObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Expired', code: 410 };
}
