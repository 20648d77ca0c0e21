import type { Storage, StorageObject, StoragePredicate, StorageWatch, StorageWatchEvent } from '../../core/index.js';
import { ApiResourceExpiredError, statusForError } from '../../core/index.js';
import type { KubeWatchEvent, KubeWatchStream } from '../../transport/index.js';

/** Events a watcher may fall behind by before its storage watch pauses (and, past the storage's own bound, ends). */
const WATCH_BUFFER_EVENTS = 256;

export interface WatchStreamOptions {
  readonly key: string;
  readonly recursive: boolean;
  readonly resourceVersion?: string;
  readonly predicate?: StoragePredicate;
  readonly allowWatchBookmarks: boolean;
  readonly sendInitialEvents?: boolean;
  /** The stream ends after this long (the request's timeoutSeconds). */
  readonly timeoutMs?: number;
  /** Turns a storage object into what the client sees (kind/apiVersion, a Table row). */
  readonly render: (type: StorageWatchEvent['type'], object: StorageObject) => unknown;
  /** The event already serialized for a JSON stream, shared with other watchers (render is then skipped); undefined to render. */
  readonly line?: (type: StorageWatchEvent['type'], object: StorageObject) => string | undefined;
}

/**
 * A storage watch as a pull stream for the HTTP layer. Events queue up to WATCH_BUFFER_EVENTS;
 * beyond that the storage watch is paused until the client reads, so a slow client holds back
 * only its own watch. A storage failure ends the stream with an ERROR event carrying a Status.
 */
/** A watch stream that can also hand over what is already queued, for batching consumers. */
export interface BatchingWatchStream extends KubeWatchStream {
  /** Up to `max` events already queued, without waiting. */
  takeQueued(max: number): KubeWatchEvent[];
}

export async function openWatchStream(storage: Storage, o: WatchStreamOptions): Promise<BatchingWatchStream> {
  const queue: KubeWatchEvent[] = [];
  let waiter: ((e: KubeWatchEvent | undefined) => void) | undefined;
  let ended = false;
  let watch: StorageWatch | undefined;
  let paused = false;
  let timer: NodeJS.Timeout | undefined;

  const push = (ev: KubeWatchEvent): void => {
    if (ended) return;
    if (waiter) {
      const w = waiter;
      waiter = undefined;
      w(ev);
      return;
    }
    queue.push(ev);
    if (queue.length >= WATCH_BUFFER_EVENTS && watch && !paused) {
      paused = true;
      watch.pause();
    }
  };
  const end = (): void => {
    if (ended) return;
    ended = true;
    if (timer) clearTimeout(timer);
    watch?.stop();
    if (waiter) {
      const w = waiter;
      waiter = undefined;
      w(undefined);
    }
  };

  watch = await storage.watch(
    o.key,
    {
      recursive: o.recursive,
      ...(o.resourceVersion !== undefined ? { resourceVersion: o.resourceVersion } : {}),
      ...(o.predicate ? { predicate: o.predicate } : {}),
      allowWatchBookmarks: o.allowWatchBookmarks,
      ...(o.sendInitialEvents !== undefined ? { sendInitialEvents: o.sendInitialEvents } : {}),
    },
    (ev, w) => {
      watch ??= w;
      if (ev.type === 'ERROR') {
        push({ type: 'ERROR', object: ev.object });
        end();
        return;
      }
      const line = o.line?.(ev.type, ev.object);
      push(line === undefined ? { type: ev.type, object: o.render(ev.type, ev.object) } : { type: ev.type, object: ev.object, line });
    },
    (err) => {
      const status = err instanceof ApiResourceExpiredError ? err.toStatus() : statusForError(err);
      push({ type: 'ERROR', object: status });
      ended = true;
      if (waiter) {
        const w = waiter;
        waiter = undefined;
        w(queue.shift());
      }
    },
  );
  if (o.timeoutMs !== undefined && o.timeoutMs > 0) timer = setTimeout(end, o.timeoutMs);

  return {
    next(): Promise<KubeWatchEvent | undefined> {
      const ev = queue.shift();
      if (paused && queue.length < WATCH_BUFFER_EVENTS / 2) {
        paused = false;
        watch?.resume();
      }
      if (ev !== undefined) return Promise.resolve(ev);
      if (ended) return Promise.resolve(undefined);
      return new Promise((resolve) => (waiter = resolve));
    },
    close: end,
    takeQueued(max: number): KubeWatchEvent[] {
      const out = queue.splice(0, max);
      if (paused && queue.length < WATCH_BUFFER_EVENTS / 2) {
        paused = false;
        watch?.resume();
      }
      return out;
    },
  };
}
