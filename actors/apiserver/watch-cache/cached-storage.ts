/**
 * CachedStorage: a Storage decorator that serves watches, and lists at resourceVersion '0' or
 * not older than a revision the cache has reached, from one in-memory cacher per resource
 * (kube-apiserver's watch cache). Everything else goes to the inner storage unchanged.
 *
 * Where the cache cannot serve a request with the inner storage's exact semantics it delegates
 * rather than approximates: a watch from a resourceVersion older than the cacher's buffer (the
 * inner storage answers 410 if compacted), a consistent ('') or watch-list start the cache has
 * not reached (the Storage seam offers no progress request to wait on, so the state is listed from
 * the store and the watch then follows the cacher), a cacher that is initializing after a failure.
 */
import type { Registry } from 'prom-client';
import type {
  Storage,
  StorageCreateOptions,
  StorageDeleteOptions,
  StorageGetOptions,
  StorageGuaranteedUpdateOptions,
  StorageListOptions,
  StorageListResult,
  StorageObject,
  StorageScheduler,
  StorageTryUpdate,
  StorageUpdateOptions,
  StorageWatch,
  StorageWatchErrorListener,
  StorageWatchEvent,
  StorageWatchListener,
  StorageWatchOptions,
} from '../../../core/index.js';
import { DEFAULT_BOOKMARK_INTERVAL_MS, DEFAULT_WATCH_MAX_PENDING_EVENTS, INITIAL_EVENTS_END_ANNOTATION, parseResourceVersion } from '../../../core/index.js';
import { Cacher } from './cacher.js';
import type { CacherBackoff, CacherWatchStart, CacherWatcherSpec } from './cacher.js';
import { WATCH_CACHE_DEFAULT_EVENTS_CAPACITY } from './event-buffer.js';
import { deepFreezeStorageObject } from './freeze.js';
import { registryResourcePrefixOf, watchCacheResourceName } from './resource-prefix.js';
import type { WatchCacheResourcePrefixFn } from './resource-prefix.js';
import { NO_CACHER_METRICS, WatchCacheMetrics } from './watch-cache-metrics.js';

/** kube's cacher reflector back-off: 800 ms doubling to 30 s (without jitter: no randomness is injected here). */
export const WATCH_CACHE_REINIT_BACKOFF: CacherBackoff = { initialMs: 800, maxMs: 30_000 };

/**
 * How long a consistent list (resourceVersion "") waits for the cache to catch up with the
 * store before it reads the store instead (kube's blockTimeout for consistent reads: 3 s).
 */
export const WATCH_CACHE_CONSISTENT_READ_TIMEOUT_MS = 3_000;

/** Resources cached at most; requests for further prefixes go to the inner storage. */
export const WATCH_CACHE_MAX_RESOURCES = 1024;

export interface CachedStorageOptions {
  /** Drives bookmarks and re-initialization back-off. */
  readonly scheduler: StorageScheduler;
  /** Where the watch cache metrics go; absent: none. */
  readonly registry?: Registry;
  /** Changes buffered per resource (default WATCH_CACHE_DEFAULT_EVENTS_CAPACITY). */
  readonly eventsCapacity?: number;
  /** Live events a watcher may hold undelivered before it is ended (default DEFAULT_WATCH_MAX_PENDING_EVENTS). */
  readonly watchMaxPendingEvents?: number;
  /** How often watchers that allow bookmarks get one (default DEFAULT_BOOKMARK_INTERVAL_MS). */
  readonly bookmarkIntervalMs?: number;
  /** Which resource a key belongs to (default: kube's key layout, registryResourcePrefixOf). */
  readonly resourcePrefixOf?: WatchCacheResourcePrefixFn;
  readonly reinitBackoff?: CacherBackoff;
  /** Default WATCH_CACHE_CONSISTENT_READ_TIMEOUT_MS. */
  readonly consistentReadTimeoutMs?: number;
  /**
   * Deep-freeze cached objects (default true). They are shared by every watcher and list; a
   * consumer that modifies one would change it for all, so it fails loudly instead.
   */
  readonly freezeObjects?: boolean;
  /**
   * Called with each (frozen) object as it enters the cache of the resource under `prefix`, so
   * the API server can serialize it once, ahead of the lists and watches that will read it.
   */
  readonly onCached?: (prefix: string, object: StorageObject) => void;
}

/** Where a request lands: the cacher of its resource and which keys of it the request covers. */
interface Route {
  readonly cacher: Cacher;
  readonly keyMatches: (key: string) => boolean;
  /** Every key the request covers starts with this (none: the whole resource). */
  readonly within?: string;
}

const ALL_KEYS = (): boolean => true;

export class CachedStorage implements Storage {
  private readonly cachers = new Map<string, Cacher>();
  private readonly metrics: WatchCacheMetrics | undefined;
  private readonly prefixOf: WatchCacheResourcePrefixFn;
  private closed = false;

  constructor(
    private readonly inner: Storage,
    private readonly o: CachedStorageOptions,
  ) {
    this.metrics = o.registry === undefined ? undefined : new WatchCacheMetrics(o.registry);
    this.prefixOf = o.resourcePrefixOf ?? registryResourcePrefixOf;
  }

  create(key: string, object: StorageObject, options?: StorageCreateOptions): Promise<StorageObject> {
    return this.inner.create(key, object, options);
  }

  get(key: string, options?: StorageGetOptions): Promise<StorageObject> {
    return this.inner.get(key, options);
  }

  guaranteedUpdate(key: string, tryUpdate: StorageTryUpdate, options?: StorageGuaranteedUpdateOptions): Promise<StorageObject> {
    return this.inner.guaranteedUpdate(key, tryUpdate, options);
  }

  update(key: string, object: StorageObject, options?: StorageUpdateOptions): Promise<StorageObject> {
    return this.inner.update(key, object, options);
  }

  delete(key: string, options?: StorageDeleteOptions): Promise<StorageObject> {
    return this.inner.delete(key, options);
  }

  count(prefix: string): Promise<number> {
    return this.inner.count(prefix);
  }

  currentRevision(): Promise<number> {
    return this.inner.currentRevision();
  }

  compact(revision: number): Promise<void> {
    return this.inner.compact(revision);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.cachers.values()) c.close();
    this.cachers.clear();
    await this.inner.close();
  }

  /**
   * Starts the cache of the resource at `prefix` now rather than at its first list or watch (as
   * kube-apiserver starts every cacher with the server): a master's first list of 10,000 pods
   * otherwise waited for the cache to read them all from the store. True once it is ready; false
   * when the prefix is not cacheable or the cache could not start (it retries at the next use).
   */
  async prime(prefix: string): Promise<boolean> {
    const route = this.route(prefix, true);
    return route !== undefined && (await route.cacher.ensureReady());
  }

  /**
   * resourceVersion '0' (kube ignores limit there, as here), or a revision the cache has reached
   * with NotOlderThan semantics and no paging, from the cache; every other list from the store.
   */
  async getList(prefix: string, options: StorageListOptions = {}): Promise<StorageListResult> {
    const rv = options.resourceVersion ?? '';
    const requested = parseResourceVersion(rv);
    const unpaged = options.limit === undefined || options.limit <= 0;
    const cacheable =
      (options.continue === undefined || options.continue === '') &&
      (options.resourceVersionMatch === undefined || options.resourceVersionMatch === 'NotOlderThan') &&
      (rv === '0' || unpaged);
    const route = cacheable ? this.route(prefix, true) : undefined;
    if (route === undefined || !(await route.cacher.ensureReady())) return this.inner.getList(prefix, options);
    if (rv === '') {
      // A consistent list (kube's ConsistentListFromCache): the store's revision now, then the
      // cache once it holds every change up to it; the store itself when the cache lags too long.
      const latest = await this.inner.currentRevision();
      if (!(await route.cacher.waitUntilFresh(latest, this.o.consistentReadTimeoutMs ?? WATCH_CACHE_CONSISTENT_READ_TIMEOUT_MS))) return this.inner.getList(prefix, options);
    } else if (route.cacher.revision < requested) return this.inner.getList(prefix, options);
    const predicate = options.predicate;
    const items = route.cacher.snapshot(route.keyMatches, route.within).filter((o) => predicate === undefined || predicate(o));
    return { items, resourceVersion: String(route.cacher.revision) };
  }

  async watch(key: string, options: StorageWatchOptions, onEvent: StorageWatchListener, onError: StorageWatchErrorListener): Promise<StorageWatch> {
    parseResourceVersion(options.resourceVersion);
    const route = this.route(key, options.recursive);
    const watch = route === undefined ? undefined : await this.watchFromCache(route, key, options, onEvent, onError);
    return watch ?? this.inner.watch(key, options, onEvent, onError);
  }

  private async watchFromCache(
    route: Route,
    key: string,
    options: StorageWatchOptions,
    onEvent: StorageWatchListener,
    onError: StorageWatchErrorListener,
  ): Promise<StorageWatch | undefined> {
    const { cacher } = route;
    if (!(await cacher.ensureReady())) return undefined;
    const rv = options.resourceVersion ?? '';
    const requested = parseResourceVersion(rv);
    const sendInitial = options.sendInitialEvents ?? requested === 0;
    const endMarker = options.sendInitialEvents === true && options.allowWatchBookmarks === true;
    const predicate = options.predicate;
    const spec: CacherWatcherSpec = {
      keyMatches: route.keyMatches,
      predicate,
      bookmarks: options.allowWatchBookmarks === true || options.progressNotify === true,
      onEvent,
      onError,
    };
    /** The cache's current state as the start (read synchronously with addWatcher: no await in between). */
    const fromCache = (): CacherWatchStart => startFrom(cacher.snapshot(route.keyMatches, route.within), cacher.revision, predicate, endMarker);

    let start: () => CacherWatchStart | undefined;
    if (rv === '') {
      // A consistent start: no older than the store's revision now.
      const latest = await this.inner.currentRevision();
      if (!sendInitial) start = () => ({ initial: [], startAfterRevision: latest });
      else if (cacher.revision >= latest) start = fromCache;
      else if (options.recursive) {
        const list = await this.inner.getList(key, predicate === undefined ? {} : { predicate });
        const listed = startFrom(list.items, parseResourceVersion(list.resourceVersion), undefined, endMarker);
        start = () => listed;
      } else return undefined;
    } else if (sendInitial) {
      // kube waits for the cache to reach `requested`; the inner storage serves it at once.
      start = () => (cacher.revision >= requested ? fromCache() : undefined);
    } else {
      start = () => ({ initial: [], startAfterRevision: requested === 0 ? cacher.revision : requested });
    }
    const s = start();
    const watcher = s === undefined ? undefined : cacher.addWatcher(spec, s);
    if (watcher === undefined) return undefined;
    if (this.closed) watcher.stop();
    watcher.startDelivery();
    return watcher;
  }

  /** The cacher that serves `key`, created on first use; undefined when the key is not cacheable. */
  private route(key: string, recursive: boolean): Route | undefined {
    if (this.closed) return undefined;
    const k = key.endsWith('/') ? key.slice(0, -1) : key;
    const prefix = this.prefixOf(k);
    if (prefix === undefined) return undefined;
    let keyMatches: (key: string) => boolean;
    let within: string | undefined;
    if (recursive && k === prefix) keyMatches = ALL_KEYS;
    else if (!k.startsWith(`${prefix}/`)) return undefined;
    else if (recursive) {
      const under = `${k}/`;
      keyMatches = (x) => x.startsWith(under);
      within = under;
    } else {
      keyMatches = (x) => x === k;
      within = k;
    }
    let cacher = this.cachers.get(prefix);
    if (cacher === undefined) {
      if (this.cachers.size >= WATCH_CACHE_MAX_RESOURCES) return undefined;
      cacher = new Cacher({
        inner: this.inner,
        prefix,
        eventsCapacity: this.o.eventsCapacity ?? WATCH_CACHE_DEFAULT_EVENTS_CAPACITY,
        watchMaxPendingEvents: this.o.watchMaxPendingEvents ?? DEFAULT_WATCH_MAX_PENDING_EVENTS,
        bookmarkIntervalMs: this.o.bookmarkIntervalMs ?? DEFAULT_BOOKMARK_INTERVAL_MS,
        scheduler: this.o.scheduler,
        backoff: this.o.reinitBackoff ?? WATCH_CACHE_REINIT_BACKOFF,
        metrics: this.metrics?.forResource(watchCacheResourceName(prefix)) ?? NO_CACHER_METRICS,
        freeze: this.admit(prefix),
      });
      this.cachers.set(prefix, cacher);
    }
    return within === undefined ? { cacher, keyMatches } : { cacher, keyMatches, within };
  }

  /** What the cacher of `prefix` does to each object entering it: freeze (unless turned off), then onCached. */
  private admit(prefix: string): (object: StorageObject) => StorageObject {
    const freeze = this.o.freezeObjects === false ? (o: StorageObject): StorageObject => o : deepFreezeStorageObject;
    const onCached = this.o.onCached;
    if (onCached === undefined) return freeze;
    return (object) => {
      const frozen = freeze(object);
      onCached(prefix, frozen);
      return frozen;
    };
  }
}

/** A watcher's start from a state read at `revision`: its objects as ADDED, then the watch-list end marker. */
function startFrom(
  objects: readonly StorageObject[],
  revision: number,
  predicate: ((o: StorageObject) => boolean) | undefined,
  endMarker: boolean,
): CacherWatchStart {
  const initial: StorageWatchEvent[] = [];
  for (const object of objects) if (predicate === undefined || predicate(object)) initial.push({ type: 'ADDED', object });
  if (endMarker) initial.push({ type: 'BOOKMARK', object: { metadata: { resourceVersion: String(revision), annotations: { [INITIAL_EVENTS_END_ANNOTATION]: 'true' } } } });
  return { initial, startAfterRevision: revision };
}
