/** A Storage that forwards to another and records what reaches it, and can break its watches. */
import type {
  Storage,
  StorageListOptions,
  StorageListResult,
  StorageObject,
  StorageWatch,
  StorageWatchErrorListener,
  StorageWatchListener,
  StorageWatchOptions,
} from '../../../core/index.js';
import { StorageUnavailableError } from '../../../core/index.js';

export class SpyStorage implements Storage {
  readonly watchCalls: { key: string; options: StorageWatchOptions }[] = [];
  readonly listCalls: { prefix: string; options: StorageListOptions }[] = [];
  /** Progress requests made on the watches this storage returned. */
  progressRequests = 0;
  /** While set, progress requests reach nothing (a store that never answers them). */
  ignoreProgressRequests = false;
  /** While set, getList rejects with StorageUnavailableError (the store is unreachable). */
  listUnavailable = false;
  private readonly failers = new Set<(err: Error) => void>();

  constructor(readonly inner: Storage) {}

  create = (key: string, object: StorageObject): Promise<StorageObject> => this.inner.create(key, object);
  get = (key: string): Promise<StorageObject> => this.inner.get(key);
  guaranteedUpdate: Storage['guaranteedUpdate'] = (key, tryUpdate, options) => this.inner.guaranteedUpdate(key, tryUpdate, options);
  update: Storage['update'] = (key, object, options) => this.inner.update(key, object, options);
  delete: Storage['delete'] = (key, options) => this.inner.delete(key, options);
  count = (prefix: string): Promise<number> => this.inner.count(prefix);
  currentRevision = (): Promise<number> => this.inner.currentRevision();
  compact = (revision: number): Promise<void> => this.inner.compact(revision);
  close = (): Promise<void> => this.inner.close();

  getList(prefix: string, options: StorageListOptions = {}): Promise<StorageListResult> {
    this.listCalls.push({ prefix, options });
    if (this.listUnavailable) return Promise.reject(new StorageUnavailableError('store unreachable (test)'));
    return this.inner.getList(prefix, options);
  }

  async watch(key: string, options: StorageWatchOptions, onEvent: StorageWatchListener, onError: StorageWatchErrorListener): Promise<StorageWatch> {
    this.watchCalls.push({ key, options });
    let ended = false;
    const fail = (err: Error): void => {
      if (ended) return;
      ended = true;
      this.failers.delete(fail);
      w.stop();
      onError(err);
    };
    const w = await this.inner.watch(key, options, onEvent, (err) => fail(err));
    this.failers.add(fail);
    return {
      stop: () => {
        ended = true;
        this.failers.delete(fail);
        w.stop();
      },
      pause: () => w.pause(),
      resume: () => w.resume(),
      requestProgress: () => {
        this.progressRequests++;
        if (!this.ignoreProgressRequests) w.requestProgress?.();
      },
    };
  }

  /** Ends every open watch with StorageUnavailableError, as a lost store connection does. */
  breakWatches(): void {
    for (const f of [...this.failers]) f(new StorageUnavailableError('the store connection was lost (test)'));
  }
}
