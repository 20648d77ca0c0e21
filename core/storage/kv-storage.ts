/**
 * The Storage contract over any StorageKv: the algorithm of apiserver's etcd3 store, written
 * once and run by both implementations (InMemoryStorage, and EtcdStorage in transport/storage),
 * so that the contract suite tests the same code whatever the store.
 *
 * Every write is one compare-and-swap on the key's mod_revision (an etcd txn), so a write never
 * overwrites a state its caller has not seen.
 */
import type { StorageClock, StorageScheduler } from './clock.js';
import {
  OPTIMISTIC_LOCK_ERROR_MESSAGE,
  StorageConflictError,
  StorageInvalidObjectError,
  StorageKeyExistsError,
  StorageKeyNotFoundError,
  StorageKvCompactedError,
  StorageKvFutureRevisionError,
  StorageResourceVersionTooLargeError,
} from './errors.js';
import type { StorageKv, StorageKvEntry } from './kv.js';
import { asStorageError, checkMinimumRevision, collectionPrefix } from './kv-common.js';
import { listFromKv } from './kv-list.js';
import { DEFAULT_BOOKMARK_INTERVAL_MS, watchFromKv } from './kv-watch.js';
import { StorageLeaseManager } from './lease-manager.js';
import { decodeStorageObject, encodeStorageObject, parseResourceVersion, storageObjectResourceVersion, storageObjectUid } from './objects.js';
import type {
  Storage,
  StorageCreateOptions,
  StorageDeleteOptions,
  StorageGetOptions,
  StorageGuaranteedUpdateOptions,
  StorageListOptions,
  StorageListResult,
  StorageObject,
  StoragePreconditions,
  StorageTryUpdate,
  StorageUpdateOptions,
  StorageWatch,
  StorageWatchErrorListener,
  StorageWatchListener,
  StorageWatchOptions,
} from './types.js';
import { DEFAULT_WATCH_MAX_PENDING_EVENTS } from './watch-dispatcher.js';

/** Compare-and-swap attempts of one guaranteedUpdate or delete before it gives up (kube retries without bound). */
export const STORAGE_MAX_WRITE_ATTEMPTS = 64;

/** Any key works to learn the revision; this one is never an object's. */
const REVISION_PROBE_KEY = '/';

export interface KvStorageOptions {
  /** For lease reuse (objects with a TTL). */
  readonly clock: StorageClock;
  /** Drives periodic bookmarks; without one, watches send none but the watch-list end marker. */
  readonly scheduler?: StorageScheduler;
  /** Default DEFAULT_BOOKMARK_INTERVAL_MS. */
  readonly bookmarkIntervalMs?: number;
  /** Default DEFAULT_WATCH_MAX_PENDING_EVENTS. */
  readonly watchMaxPendingEvents?: number;
}

export class KvStorage implements Storage {
  private readonly leases: StorageLeaseManager;
  private readonly watches = new Set<StorageWatch>();
  private closed = false;

  constructor(
    private readonly kv: StorageKv,
    private readonly options: KvStorageOptions,
  ) {
    this.leases = new StorageLeaseManager(options.clock, (ttlSeconds) => kv.grantLease(ttlSeconds));
  }

  async create(key: string, object: StorageObject, options: StorageCreateOptions = {}): Promise<StorageObject> {
    if (storageObjectResourceVersion(object) !== '') throw new StorageInvalidObjectError(key, 'resourceVersion should not be set on objects to be created');
    const value = encodeStorageObject(key, object);
    const lease = await this.leaseFor(options.ttlSeconds);
    const r = await this.call(this.kv.putIfModRevision(key, value, 0, lease));
    if (!r.succeeded) throw new StorageKeyExistsError(key);
    return decodeStorageObject(key, value, r.revision);
  }

  async get(key: string, options: StorageGetOptions = {}): Promise<StorageObject> {
    const resourceVersion = options.resourceVersion ?? '';
    const minRevision = parseResourceVersion(resourceVersion);
    const r = await this.call(this.kv.range({ key, serializable: resourceVersion === '0' }));
    checkMinimumRevision(minRevision, r.revision);
    const entry = r.kvs[0];
    if (entry === undefined) throw new StorageKeyNotFoundError(key);
    return decodeStorageObject(entry.key, entry.value, entry.modRevision);
  }

  getList(prefix: string, options: StorageListOptions = {}): Promise<StorageListResult> {
    return listFromKv(this.kv, prefix, options);
  }

  async guaranteedUpdate(key: string, tryUpdate: StorageTryUpdate, options: StorageGuaranteedUpdateOptions = {}): Promise<StorageObject> {
    let state = await this.readForWrite(key);
    for (let attempt = 0; attempt < STORAGE_MAX_WRITE_ATTEMPTS; attempt++) {
      if (state === undefined && options.ignoreNotFound !== true) throw new StorageKeyNotFoundError(key);
      const current = state === undefined ? undefined : decodeStorageObject(key, state.value, state.modRevision);
      checkPreconditions(key, options.preconditions, current);
      const next = await tryUpdate(current);
      const value = encodeStorageObject(key, next);
      if (state !== undefined && value === state.value) {
        // Nothing changes: no write, no new revision (kube short-circuits the same way).
        return decodeStorageObject(key, state.value, state.modRevision);
      }
      const lease = await this.leaseFor(options.ttlSeconds);
      const r = await this.call(this.kv.putIfModRevision(key, value, state?.modRevision ?? 0, lease));
      if (r.succeeded) return decodeStorageObject(key, value, r.revision);
      state = r.current;
    }
    throw new StorageConflictError(key, 'RetriesExhausted', `${OPTIMISTIC_LOCK_ERROR_MESSAGE} (${STORAGE_MAX_WRITE_ATTEMPTS} concurrent writes won)`);
  }

  update(key: string, object: StorageObject, options: StorageUpdateOptions = {}): Promise<StorageObject> {
    const expected = storageObjectResourceVersion(object);
    parseResourceVersion(expected);
    return this.guaranteedUpdate(
      key,
      (current) => {
        if (expected !== '' && current !== undefined && storageObjectResourceVersion(current) !== expected) {
          throw new StorageConflictError(key, 'ResourceVersionMismatch', OPTIMISTIC_LOCK_ERROR_MESSAGE);
        }
        return object;
      },
      options.ttlSeconds === undefined ? {} : { ttlSeconds: options.ttlSeconds },
    );
  }

  async delete(key: string, options: StorageDeleteOptions = {}): Promise<StorageObject> {
    let state = await this.readForWrite(key);
    for (let attempt = 0; attempt < STORAGE_MAX_WRITE_ATTEMPTS; attempt++) {
      if (state === undefined) throw new StorageKeyNotFoundError(key);
      checkPreconditions(key, options.preconditions, decodeStorageObject(key, state.value, state.modRevision));
      if (options.validateDeletion !== undefined) await options.validateDeletion(decodeStorageObject(key, state.value, state.modRevision));
      const r = await this.call(this.kv.deleteIfModRevision(key, state.modRevision));
      // The last state, stamped with the revision that deleted it (as kube returns it).
      if (r.succeeded) return decodeStorageObject(key, state.value, r.revision);
      state = r.current;
    }
    throw new StorageConflictError(key, 'RetriesExhausted', `${OPTIMISTIC_LOCK_ERROR_MESSAGE} (${STORAGE_MAX_WRITE_ATTEMPTS} concurrent writes won)`);
  }

  async watch(key: string, options: StorageWatchOptions, onEvent: StorageWatchListener, onError: StorageWatchErrorListener): Promise<StorageWatch> {
    const watch = await watchFromKv(this.kv, key, options, onEvent, onError, {
      scheduler: this.options.scheduler,
      bookmarkIntervalMs: this.options.bookmarkIntervalMs ?? DEFAULT_BOOKMARK_INTERVAL_MS,
      maxPendingEvents: this.options.watchMaxPendingEvents ?? DEFAULT_WATCH_MAX_PENDING_EVENTS,
      onStart: (w) => this.watches.add(w),
      onEnd: (w) => this.watches.delete(w),
    });
    if (this.closed) watch.stop();
    return watch;
  }

  async count(prefix: string): Promise<number> {
    const keyPrefix = collectionPrefix(prefix);
    const r = await this.call(this.kv.range({ key: keyPrefix, prefix: keyPrefix, countOnly: true }));
    return r.count;
  }

  async currentRevision(): Promise<number> {
    const r = await this.call(this.kv.range({ key: REVISION_PROBE_KEY, countOnly: true }));
    return r.revision;
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.kv.compact(revision);
    } catch (err) {
      if (err instanceof StorageKvCompactedError) return;
      if (err instanceof StorageKvFutureRevisionError) throw new StorageResourceVersionTooLargeError(revision, err.currentRevision);
      throw asStorageError(err);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of [...this.watches]) w.stop();
    this.watches.clear();
    await this.kv.close();
  }

  private async read(key: string, serializable = false): Promise<StorageKvEntry | undefined> {
    const r = await this.call(this.kv.range({ key, serializable }));
    return r.kvs[0];
  }

  /**
   * The state a conditional write starts from. The write itself compares the key's mod revision,
   * so this state may be stale: a stale one only fails the compare, and the loop goes on with the
   * current state the failed txn returns (as kube's GuaranteedUpdate does with the watch cache's
   * copy). So it is read serializably, without a ReadIndex round through the leader, and only
   * "not found" is confirmed with a linearizable read, since that answer ends the loop unwritten.
   */
  private async readForWrite(key: string): Promise<StorageKvEntry | undefined> {
    return (await this.read(key, true)) ?? (await this.read(key));
  }

  private async leaseFor(ttlSeconds: number | undefined): Promise<number> {
    if (ttlSeconds === undefined || ttlSeconds <= 0) return 0;
    return this.call(this.leases.lease(ttlSeconds));
  }

  /** A store call whose errors leave as StorageErrors. */
  private async call<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (err) {
      throw asStorageError(err);
    }
  }
}

/** apiserver's Preconditions.Check: uid first, then resourceVersion; an absent object meets none. */
function checkPreconditions(key: string, p: StoragePreconditions | undefined, current: StorageObject | undefined): void {
  if (p === undefined) return;
  if (p.uid !== undefined) {
    const uid = current === undefined ? '' : storageObjectUid(current);
    if (p.uid !== uid) throw new StorageConflictError(key, 'UIDPrecondition', `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${uid}`);
  }
  if (p.resourceVersion !== undefined) {
    const rv = current === undefined ? '' : storageObjectResourceVersion(current);
    if (p.resourceVersion !== rv) {
      throw new StorageConflictError(key, 'ResourceVersionPrecondition', `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${rv}`);
    }
  }
}
