// SharedInformer: one list+watch of a resource feeding an indexed cache and many handlers
// (client-go's sharedIndexInformer with its Reflector). Time and randomness are injected.
//
// Cycle: list (paged) → replace the cache → watch from the list's resourceVersion with bookmarks
// → on a watch end, watch again from the last resourceVersion seen; on 410 Expired, relist and
// deliver the difference. Retries back off exponentially with jitter; the first retry after a
// healthy stretch is immediate, so a lost master is replaced at once. `failures` counts attempts
// since the last healthy moment (a watch that delivered something, or stayed open long enough).

import type { Random } from '../random.js';
import type { ClientBackoffPolicy } from './backoff.js';
import { CLIENT_BACKOFF_DEFAULTS, clientBackoffDelayMs } from './backoff.js';
import type { ClientClock, ClientTimerHandle } from './clock.js';
import { isGone, ResourceApiError } from './errors.js';
import type { InformerErrorHandler, InformerErrorSource, ResourceEventHandler, ResourceEventHandlerRegistration } from './informer-types.js';
import { DeletedFinalStateUnknown, InformerCacheFullError, InformerStoppedError } from './informer-types.js';
import type { ObjectCacheReader, ObjectIndexers } from './object-cache.js';
import { ObjectCache } from './object-cache.js';
import type { GroupVersionResource, ResourceObject } from './object.js';
import { groupVersionResourceKey, metaNamespaceKey, metaNamespaceKeyOf, resourceVersionOf } from './object.js';
import type { ResourceClient, ResourceWatch, ResourceWatchEvent } from './resource-client.js';

/** Items per list page (client-go's reflector pages by 500 too). */
export const INFORMER_LIST_PAGE_SIZE = 500;
/** Objects one informer may cache; beyond it the informer stops with InformerCacheFullError. */
export const INFORMER_MAX_OBJECTS = 1_000_000;
/** A watch that ends cleanly sooner than this with nothing delivered counts as a failure. */
export const INFORMER_MIN_WATCH_DURATION_MS = 1_000;

export interface SharedInformerOptions<T extends ResourceObject = ResourceObject> {
  readonly client: ResourceClient;
  readonly resource: GroupVersionResource;
  readonly clock: ClientClock;
  readonly random: Random;
  /** Only this namespace (absent: all). */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Every this often, onUpdate(obj, obj) for every cached object; 0 (default) never. */
  readonly resyncPeriodMs?: number;
  readonly listPageSize?: number;
  readonly maxObjects?: number;
  readonly backoff?: ClientBackoffPolicy;
  readonly indexers?: ObjectIndexers<T>;
  /** Failed lists and watches, throwing handlers, the cache bound; default ignores them. */
  readonly onError?: InformerErrorHandler;
}

type Lifecycle = 'new' | 'running' | 'stopped';

export class SharedInformer<T extends ResourceObject = ResourceObject> {
  readonly resource: GroupVersionResource;
  private readonly options: SharedInformerOptions<T>;
  private readonly store: ObjectCache<T>;
  private readonly handlers = new Set<ResourceEventHandler<T>>();
  private readonly syncWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private lifecycle: Lifecycle = 'new';
  private synced = false;
  private lastResourceVersion = '';
  /** Invariant: callbacks of a list or watch whose attempt is not `attempt` are ignored. */
  private attempt = 0;
  private failures = 0;
  private watch: ResourceWatch | undefined;
  private retryTimer: ClientTimerHandle | undefined;
  private resyncTimer: ClientTimerHandle | undefined;

  constructor(options: SharedInformerOptions<T>) {
    this.options = options;
    this.resource = options.resource;
    this.store = new ObjectCache<T>(options.indexers ?? {});
  }

  /** The cache; complete once hasSynced(). */
  get cache(): ObjectCacheReader<T> {
    return this.store;
  }

  /** The cached object, by namespace ('' or undefined for cluster-scoped) and name. */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.store.get(metaNamespaceKeyOf(namespace, name));
  }

  /** True once the first list has been delivered to the cache and handlers. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** The resourceVersion the cache reflects ('' before the first list). */
  get lastSyncResourceVersion(): string {
    return this.lastResourceVersion;
  }

  get isRunning(): boolean {
    return this.lifecycle === 'running';
  }

  /** Resolves once synced; rejects with InformerStoppedError if stopped first. */
  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    if (this.lifecycle === 'stopped') return Promise.reject(new InformerStoppedError(groupVersionResourceKey(this.resource)));
    return new Promise((resolve, reject) => this.syncWaiters.push({ resolve, reject }));
  }

  /** Adds indexes (built at once over what is cached). */
  addIndexers(indexers: ObjectIndexers<T>): void {
    this.store.addIndexers(indexers);
  }

  /**
   * Registers a handler. When the informer has already synced, the handler first gets onAdd(obj,
   * true) for every cached object, synchronously, before this returns.
   */
  addEventHandler(handler: ResourceEventHandler<T>): ResourceEventHandlerRegistration {
    this.handlers.add(handler);
    if (this.synced) for (const object of this.store.list()) this.call(handler, (h) => h.onAdd?.(object, true));
    return { remove: () => void this.handlers.delete(handler) };
  }

  start(): void {
    if (this.lifecycle !== 'new') return;
    this.lifecycle = 'running';
    this.list();
  }

  /** Stops the watch and every timer; the cache keeps its last state. Final. */
  stop(): void {
    if (this.lifecycle === 'stopped') return;
    this.lifecycle = 'stopped';
    this.attempt++;
    this.watch?.stop();
    this.watch = undefined;
    this.retryTimer?.cancel();
    this.resyncTimer?.cancel();
    const waiters = this.syncWaiters.splice(0);
    for (const w of waiters) w.reject(new InformerStoppedError(groupVersionResourceKey(this.resource)));
  }

  // ---- List ----

  private list(): void {
    const attempt = ++this.attempt;
    void this.listAllPages(attempt).then(
      (result) => {
        if (result === undefined || attempt !== this.attempt) return;
        if (!this.replace(result.items, result.resourceVersion)) return;
        this.startWatch();
      },
      (err: unknown) => {
        if (attempt !== this.attempt) return;
        if (err instanceof InformerCacheFullError) {
          this.overflow();
          return;
        }
        this.report(asError(err), 'list');
        this.retry(true);
      },
    );
  }

  private async listAllPages(attempt: number): Promise<{ items: T[]; resourceVersion: string } | undefined> {
    const { client, namespace, labelSelector, fieldSelector } = this.options;
    const limit = this.options.listPageSize ?? INFORMER_LIST_PAGE_SIZE;
    const items: T[] = [];
    let resourceVersion = '';
    let cont: string | undefined;
    // client-go's reflector: the first list asks for resourceVersion "0", which the API server
    // serves from its watch cache (whole, ignoring limit) without a quorum read of the store, so
    // (re)starting a controller manager or scheduler costs the store nothing; once synced, a
    // relist (after 410 Gone or a broken list) reads the store, never going back in time.
    const firstPage = this.synced ? {} : { resourceVersion: '0' };
    do {
      const options = { namespace, labelSelector, fieldSelector, limit, ...(cont === undefined ? firstPage : { continue: cont }) };
      const page = await client.list<T>(this.resource, options);
      if (attempt !== this.attempt) return undefined;
      for (const item of page.items) items.push(item);
      // Fails the list early rather than holding more than the bound; list()'s rejection handler stops the informer.
      if (items.length > this.maxObjects) throw new InformerCacheFullError(groupVersionResourceKey(this.resource), this.maxObjects);
      if (resourceVersion === '') resourceVersion = page.resourceVersion;
      cont = page.continue === '' ? undefined : page.continue;
    } while (cont !== undefined);
    return { items, resourceVersion };
  }

  /**
   * Makes the cache equal to a full list and tells handlers the difference: the first time every
   * object is an add; later, adds, updates (changed resourceVersion only) and tombstoned deletes.
   * Returns false when the list broke the cache bound (the informer is then stopped).
   */
  private replace(items: readonly T[], resourceVersion: string): boolean {
    if (items.length > this.maxObjects) return this.overflow();
    const initial = !this.synced;
    const listed = new Set<string>();
    for (const item of items) listed.add(metaNamespaceKey(item));
    if (!initial) {
      for (const key of this.store.listKeys()) {
        if (listed.has(key)) continue;
        const old = this.store.remove(key)!;
        this.notify((h) => h.onDelete?.(new DeletedFinalStateUnknown(key, old)));
      }
    }
    for (const item of items) {
      const old = this.store.upsert(item);
      if (old === undefined) this.notify((h) => h.onAdd?.(item, initial));
      else if (resourceVersionOf(old) !== resourceVersionOf(item)) this.notify((h) => h.onUpdate?.(old, item));
    }
    this.lastResourceVersion = resourceVersion;
    if (initial) {
      this.synced = true;
      this.armResync();
      for (const w of this.syncWaiters.splice(0)) w.resolve();
    }
    return true;
  }

  // ---- Watch ----

  private startWatch(): void {
    const attempt = ++this.attempt;
    const startedAtMs = this.options.clock.now();
    let delivered = false;
    const { namespace, labelSelector, fieldSelector } = this.options;
    const options = { namespace, labelSelector, fieldSelector, resourceVersion: this.lastResourceVersion, allowWatchBookmarks: true };
    this.watch = this.options.client.watch(
      this.resource,
      options,
      (events) => {
        if (attempt !== this.attempt) return;
        if (this.applyEvents(events)) {
          delivered = true;
          this.failures = 0;
        }
      },
      (err) => {
        if (attempt !== this.attempt) return;
        this.watch = undefined;
        if (err !== undefined) {
          this.report(err, 'watch');
          this.retry(isGone(err));
        } else if (delivered || this.options.clock.now() - startedAtMs >= INFORMER_MIN_WATCH_DURATION_MS) {
          this.failures = 0;
          this.startWatch();
        } else {
          this.retry(false);
        }
      },
    );
  }

  /** Applies a batch to the cache and handlers; false when it ended the watch (ERROR, or overflow). */
  private applyEvents(events: readonly ResourceWatchEvent[]): boolean {
    for (const event of events) {
      if (event.type === 'ERROR') {
        const err = new ResourceApiError(event.object);
        this.endWatch();
        this.report(err, 'watch');
        this.retry(isGone(err));
        return false;
      }
      const object = event.object as T;
      const rv = resourceVersionOf(object);
      if (event.type === 'BOOKMARK') {
        if (rv !== '') this.lastResourceVersion = rv;
        continue;
      }
      const key = metaNamespaceKey(object);
      if (event.type === 'DELETED') {
        const old = this.store.remove(key);
        if (old !== undefined) this.notify((h) => h.onDelete?.(object));
      } else {
        if (this.store.get(key) === undefined && this.store.size >= this.maxObjects) {
          this.overflow();
          return false;
        }
        const old = this.store.upsert(object);
        if (old === undefined) this.notify((h) => h.onAdd?.(object, false));
        else this.notify((h) => h.onUpdate?.(old, object));
      }
      if (rv !== '') this.lastResourceVersion = rv;
    }
    return true;
  }

  private endWatch(): void {
    this.attempt++;
    this.watch?.stop();
    this.watch = undefined;
  }

  // ---- Timers ----

  /** Lists again (relist) or watches again from the last resourceVersion, after backoff. */
  private retry(relist: boolean): void {
    if (this.lifecycle !== 'running') return;
    this.failures++;
    const delayMs = clientBackoffDelayMs(this.options.backoff ?? CLIENT_BACKOFF_DEFAULTS, this.failures - 1, this.options.random);
    this.retryTimer?.cancel();
    // A relist also resumes a watch that never got going: without a resourceVersion there is nothing to resume from.
    const next = relist || this.lastResourceVersion === '' ? () => this.list() : () => this.startWatch();
    const attempt = ++this.attempt;
    this.retryTimer = this.options.clock.setTimeout(() => {
      if (attempt === this.attempt && this.lifecycle === 'running') next();
    }, delayMs);
  }

  private armResync(): void {
    const periodMs = this.options.resyncPeriodMs ?? 0;
    if (periodMs <= 0 || this.lifecycle !== 'running') return;
    this.resyncTimer = this.options.clock.setTimeout(() => {
      if (this.lifecycle !== 'running') return;
      for (const object of this.store.list()) this.notify((h) => h.onUpdate?.(object, object));
      this.armResync();
    }, periodMs);
  }

  // ---- Plumbing ----

  private get maxObjects(): number {
    return this.options.maxObjects ?? INFORMER_MAX_OBJECTS;
  }

  private overflow(): false {
    this.report(new InformerCacheFullError(groupVersionResourceKey(this.resource), this.maxObjects), 'cache');
    this.stop();
    return false;
  }

  private notify(deliver: (handler: ResourceEventHandler<T>) => void): void {
    for (const handler of this.handlers) this.call(handler, deliver);
  }

  private call(handler: ResourceEventHandler<T>, deliver: (handler: ResourceEventHandler<T>) => void): void {
    try {
      deliver(handler);
    } catch (err) {
      this.report(asError(err), 'handler');
    }
  }

  private report(err: Error, source: InformerErrorSource): void {
    const onError = this.options.onError;
    if (onError === undefined) return;
    try {
      onError(err, source);
    } catch {
      // An error reporter that throws has nowhere further to report to.
    }
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
