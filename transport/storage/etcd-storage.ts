/**
 * EtcdStorage: the API server's Storage over the etcd v3 gRPC API, for Flotilla's store and for
 * a real etcd cluster alike (`--store etcd://host:2379,host:2379`). The Kubernetes semantics are
 * core's KvStorage; this file supplies the etcd adapter and the wall clock.
 */
import type { StorageClock, StorageScheduler } from '../../core/index.js';
import { KvStorage } from '../../core/index.js';
import { EtcdClient } from '../etcd/index.js';
import type { EtcdKvClient } from './etcd-kv.js';
import { EtcdKv } from './etcd-kv.js';

export interface EtcdStorageOptions {
  /** Bookmark interval of watches that allow bookmarks; default 60 s. */
  readonly bookmarkIntervalMs?: number;
  /** Undelivered live events a watch may hold before it is ended; default 1000. */
  readonly watchMaxPendingEvents?: number;
  /** Defaults to the wall clock. */
  readonly clock?: StorageClock;
  readonly scheduler?: StorageScheduler;
}

export interface EtcdStorageConnectOptions extends EtcdStorageOptions {
  /** host:port (or http://host:port) of each member. */
  readonly endpoints: readonly string[];
  /** Deadline of each unary call; default the client's (5 s). */
  readonly timeoutMs?: number;
}

export const wallStorageClock: StorageClock & StorageScheduler = {
  nowMs: () => Date.now(),
  every: (intervalMs, fn) => {
    const timer = setInterval(fn, intervalMs);
    // Bookmarks alone must not keep a process alive.
    timer.unref();
    return () => clearInterval(timer);
  },
};

export class EtcdStorage extends KvStorage {
  /** A storage over `client`, which the caller keeps and closes. */
  constructor(client: EtcdKvClient, options: EtcdStorageOptions = {}, ownsClient = false) {
    super(new EtcdKv(client, ownsClient), {
      clock: options.clock ?? wallStorageClock,
      scheduler: options.scheduler ?? wallStorageClock,
      ...(options.bookmarkIntervalMs === undefined ? {} : { bookmarkIntervalMs: options.bookmarkIntervalMs }),
      ...(options.watchMaxPendingEvents === undefined ? {} : { watchMaxPendingEvents: options.watchMaxPendingEvents }),
    });
  }

  /** A storage with its own client to `endpoints`, closed with the storage. */
  static connect(options: EtcdStorageConnectOptions): EtcdStorage {
    const client = new EtcdClient({ endpoints: options.endpoints, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) });
    return new EtcdStorage(client, options, true);
  }
}

/** The endpoints of a `--store` URL: `etcd://host:port[,host:port…]`. */
export function etcdEndpointsFromStoreUrl(url: string): string[] {
  const match = /^etcd:\/\/(.+)$/.exec(url.trim());
  if (!match) throw new RangeError(`not an etcd store URL (etcd://host:port[,host:port…]): ${url}`);
  const endpoints = match[1]!.split(',').map((e) => e.trim().replace(/\/+$/, ''));
  if (endpoints.some((e) => !/^[^\s/:]+:\d+$/.test(e) && !/^\[[0-9a-fA-F:]+\]:\d+$/.test(e))) throw new RangeError(`bad endpoint in store URL: ${url}`);
  return endpoints;
}
