/**
 * InMemoryStorage: the Storage contract over an in-memory MVCC store (InMemoryKv), for unit
 * tests of the API server, registries and controllers. Same algorithm and same contract as the
 * etcd-backed storage; time is injected, so TTLs and bookmarks move only with the given clock.
 */
import type { StorageClock, StorageScheduler } from './clock.js';
import { ManualStorageClock } from './clock.js';
import { KvStorage } from './kv-storage.js';
import { InMemoryKv } from './memory-kv.js';

export interface InMemoryStorageOptions {
  /** TTLs expire on it. Default: a ManualStorageClock at 0, which is also the default scheduler. */
  readonly clock?: StorageClock;
  /** Drives periodic bookmarks; default the clock when it is a ManualStorageClock, else none. */
  readonly scheduler?: StorageScheduler;
  readonly bookmarkIntervalMs?: number;
  readonly watchMaxPendingEvents?: number;
}

export class InMemoryStorage extends KvStorage {
  private readonly store: InMemoryKv;

  constructor(options: InMemoryStorageOptions = {}) {
    const clock = options.clock ?? new ManualStorageClock();
    const scheduler = options.scheduler ?? (clock instanceof ManualStorageClock ? clock : undefined);
    const store = new InMemoryKv(clock);
    super(store, {
      clock,
      ...(scheduler === undefined ? {} : { scheduler }),
      ...(options.bookmarkIntervalMs === undefined ? {} : { bookmarkIntervalMs: options.bookmarkIntervalMs }),
      ...(options.watchMaxPendingEvents === undefined ? {} : { watchMaxPendingEvents: options.watchMaxPendingEvents }),
    });
    this.store = store;
  }

  /** Deletes the objects whose TTL has passed on the clock now (also done before every operation). */
  expireLeases(): void {
    this.store.expireLeases();
  }
}
