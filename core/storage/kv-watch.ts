/**
 * watch over a StorageKv, with the etcd3 watcher's semantics (apiserver storage/etcd3/watcher.go)
 * plus the watch cache's bookmarks and watch-list end marker: the initial state as ADDED events
 * read at one revision, then the store's changes after it; predicate transitions; compaction as
 * an in-stream 410; bookmarks from the store's progress answers.
 */
import type { StorageScheduler } from './clock.js';
import { StorageKvCompactedError, StorageUnavailableError } from './errors.js';
import type { StorageKv, StorageKvEntry, StorageKvEvent, StorageKvWatch, StorageKvWatchResponse } from './kv.js';
import { asStorageError, bookmarkObject, checkMinimumRevision, collectionPrefix, expiredStatusObject } from './kv-common.js';
import { LIST_MAX_FETCH_KEYS } from './kv-list.js';
import { decodeStorageObject, parseResourceVersion } from './objects.js';
import type { StoragePredicate, StorageWatch, StorageWatchErrorListener, StorageWatchEvent, StorageWatchListener, StorageWatchOptions } from './types.js';
import { StorageWatchDispatcher } from './watch-dispatcher.js';

/** How often a watch with bookmarks asks the store for its progress (kube's bookmark frequency). */
export const DEFAULT_BOOKMARK_INTERVAL_MS = 60_000;

export interface KvWatchConfig {
  /** Without one, no periodic bookmarks are sent. */
  readonly scheduler: StorageScheduler | undefined;
  readonly bookmarkIntervalMs: number;
  readonly maxPendingEvents: number;
  /** Called when the watch is made, before anything can end it. */
  readonly onStart: (watch: StorageWatch) => void;
  /** Called once the watch has ended, however it ends (after onStart). */
  readonly onEnd: (watch: StorageWatch) => void;
}

/** The state a watch starts from, read at one revision in pages. */
async function readInitialState(kv: StorageKv, key: string, recursive: boolean, minRevision: number): Promise<{ revision: number; entries: StorageKvEntry[] }> {
  if (!recursive) {
    const r = await kv.range({ key });
    checkMinimumRevision(minRevision, r.revision);
    return { revision: r.revision, entries: [...r.kvs] };
  }
  const entries: StorageKvEntry[] = [];
  let revision = 0;
  let start = key;
  for (;;) {
    const r = await kv.range({ key: start, prefix: key, revision, limit: LIST_MAX_FETCH_KEYS });
    if (revision === 0) {
      checkMinimumRevision(minRevision, r.revision);
      revision = r.revision;
    }
    entries.push(...r.kvs);
    const last = r.kvs.at(-1);
    if (!r.more || last === undefined) return { revision, entries };
    start = `${last.key}\u0000`;
  }
}

/**
 * The watch event of one change, or none when the predicate hides it. An object entering the
 * selection is ADDED, one leaving it DELETED (its previous state, at the change's revision).
 */
export function kvEventToWatchEvent(e: StorageKvEvent, predicate: StoragePredicate | undefined): StorageWatchEvent | undefined {
  const matches = (o: Record<string, unknown>): boolean => predicate === undefined || predicate(o);
  if (e.type === 'DELETE') {
    if (e.prevValue === undefined) return undefined;
    const previous = decodeStorageObject(e.key, e.prevValue, e.modRevision);
    return matches(previous) ? { type: 'DELETED', object: previous } : undefined;
  }
  const current = decodeStorageObject(e.key, e.value, e.modRevision);
  if (e.createRevision === e.modRevision || e.prevValue === undefined) return matches(current) ? { type: 'ADDED', object: current } : undefined;
  if (predicate === undefined) return { type: 'MODIFIED', object: current };
  const previous = decodeStorageObject(e.key, e.prevValue, e.modRevision);
  const now = predicate(current);
  const before = predicate(previous);
  if (now && before) return { type: 'MODIFIED', object: current };
  if (now) return { type: 'ADDED', object: current };
  if (before) return { type: 'DELETED', object: previous };
  return undefined;
}

export async function watchFromKv(
  kv: StorageKv,
  key: string,
  options: StorageWatchOptions,
  onEvent: StorageWatchListener,
  onError: StorageWatchErrorListener,
  config: KvWatchConfig,
): Promise<StorageWatch> {
  const requested = parseResourceVersion(options.resourceVersion);
  const watchKey = options.recursive ? collectionPrefix(key) : key;
  const predicate = options.predicate;
  const bookmarks = options.allowWatchBookmarks === true || options.progressNotify === true;
  const sendInitial = options.sendInitialEvents ?? requested === 0;

  // Assigned once the initial state is read; the release callback may run before that.
  let upstream: StorageKvWatch | undefined = undefined;
  let stopTimer: (() => void) | undefined;
  const dispatcher: StorageWatchDispatcher = new StorageWatchDispatcher(onEvent, onError, config.maxPendingEvents, () => {
    upstream?.cancel();
    stopTimer?.();
    config.onEnd(dispatcher);
  });
  config.onStart(dispatcher);
  /** Every change up to this revision has been queued. */
  let progress = requested;
  let startRevision = requested === 0 ? 0 : requested + 1;
  /** The ERROR event of a compacted start; kube's watch cache message, "M" being the oldest revision one may watch after. */
  const expiredEvent = (compactRevision: number): StorageWatchEvent => {
    const asked = startRevision === 0 ? progress : startRevision - 1;
    return { type: 'ERROR', object: expiredStatusObject(`too old resource version: ${asked} (${Math.max(0, compactRevision - 1)})`) };
  };
  /** A watch that only reports its start as compacted. */
  const expiredWatch = (compactRevision: number): StorageWatch => {
    dispatcher.stop();
    const failed = new StorageWatchDispatcher(onEvent, onError, config.maxPendingEvents, () => undefined);
    failed.endWithEvent(expiredEvent(compactRevision));
    failed.startDelivery();
    return failed;
  };

  try {
    if (sendInitial) {
      const state = await readInitialState(kv, watchKey, options.recursive, requested);
      for (const entry of state.entries) {
        const object = decodeStorageObject(entry.key, entry.value, entry.modRevision);
        if (predicate === undefined || predicate(object)) dispatcher.pushInitial({ type: 'ADDED', object });
      }
      if (options.sendInitialEvents === true && options.allowWatchBookmarks === true) {
        dispatcher.pushInitial({ type: 'BOOKMARK', object: bookmarkObject(state.revision, true) });
      }
      progress = state.revision;
      startRevision = state.revision + 1;
    }
  } catch (err) {
    // Compacted between the pages of the initial read: as kube, the watch fails in-stream.
    if (err instanceof StorageKvCompactedError) return expiredWatch(err.compactRevision);
    dispatcher.stop();
    throw asStorageError(err);
  }

  // Stopped (or its storage closed) while the initial state was read.
  if (!dispatcher.open) return dispatcher;

  const onResponse = (r: StorageKvWatchResponse): void => {
    if (!dispatcher.open) return;
    try {
      switch (r.kind) {
        case 'events':
          for (const e of r.events) {
            progress = Math.max(progress, e.modRevision);
            const event = kvEventToWatchEvent(e, predicate);
            if (event !== undefined) dispatcher.push(event);
          }
          break;
        case 'progress':
          // Only when nothing is waiting: a queued event already tells the consumer as much.
          if (bookmarks && r.revision >= progress && dispatcher.idle) {
            progress = r.revision;
            dispatcher.push({ type: 'BOOKMARK', object: bookmarkObject(r.revision, false) });
          }
          break;
        case 'compacted':
          dispatcher.endWithEvent(expiredEvent(r.compactRevision));
          break;
        case 'canceled':
          dispatcher.fail(new StorageUnavailableError(`the store canceled the watch: ${r.reason}`));
          break;
      }
    } catch (err) {
      // A predicate or a stored value that does not decode.
      dispatcher.fail(asStorageError(err));
    }
  };
  const kvWatch = kv.watch({ key: watchKey, prefix: options.recursive, startRevision }, onResponse, (err) => dispatcher.fail(asStorageError(err)));
  upstream = kvWatch;
  try {
    const createdAt = await kvWatch.created;
    if (startRevision === 0) progress = Math.max(progress, createdAt);
  } catch (err) {
    if (err instanceof StorageKvCompactedError) return expiredWatch(err.compactRevision);
    dispatcher.stop();
    throw asStorageError(err);
  }
  if (bookmarks) dispatcher.setProgressRequester(() => kvWatch.requestProgress());
  if (bookmarks && config.scheduler !== undefined && dispatcher.open) {
    stopTimer = config.scheduler.every(config.bookmarkIntervalMs, () => kvWatch.requestProgress());
  }
  dispatcher.startDelivery();
  return dispatcher;
}
