/**
 * StorageKv: the few etcd v3 operations the storage algorithm (KvStorage) needs, with string keys
 * and values. It is the seam between the Kubernetes semantics (kv-storage.ts) and a store:
 * InMemoryKv here, the etcd v3 gRPC API in transport/storage. Anything more than etcd offers
 * does not belong here, so that the API server runs unchanged on a real etcd 3.4.
 *
 * Keys compare as their UTF-8 bytes, as etcd orders them (compareStorageKeys).
 * Errors: StorageKvCompactedError and StorageKvFutureRevisionError for revisions out of range,
 * StorageUnavailableError when the store cannot be reached, StorageInternalError otherwise.
 */

export interface StorageKvEntry {
  readonly key: string;
  readonly value: string;
  readonly createRevision: number;
  readonly modRevision: number;
  /** Lease id attached, 0 for none. */
  readonly lease: number;
}

export interface StorageKvRangeRequest {
  /** The first key (inclusive). */
  readonly key: string;
  /** Set: every key >= `key` that starts with `prefix`. Unset: `key` alone. */
  readonly prefix?: string;
  /** Read at this revision; 0 or absent: the latest. */
  readonly revision?: number;
  /** At most this many entries; 0 or absent: all. */
  readonly limit?: number;
  /** Served by the member at hand without a linearizable round (etcd's serializable). */
  readonly serializable?: boolean;
  /** Only count (kvs is empty). */
  readonly countOnly?: boolean;
}

export interface StorageKvRangeResult {
  /** The revision the range was read at (etcd's header revision; for a past read, the store's). */
  readonly revision: number;
  readonly kvs: readonly StorageKvEntry[];
  /** More keys are in range beyond `limit`. */
  readonly more: boolean;
  /** How many keys are in range (regardless of limit). */
  readonly count: number;
}

/** A compare-and-swap's outcome (an etcd txn `mod_revision(key) == expected`). */
export type StorageKvWriteResult =
  | { readonly succeeded: true; /** The revision of the write. */ readonly revision: number }
  | { readonly succeeded: false; /** The key's current entry; undefined when it does not exist. */ readonly current: StorageKvEntry | undefined };

export interface StorageKvWatchRequest {
  readonly key: string;
  /** Watch every key that starts with `key`. */
  readonly prefix: boolean;
  /** The first revision to report (inclusive); 0: from the next revision. */
  readonly startRevision: number;
}

export interface StorageKvEvent {
  readonly type: 'PUT' | 'DELETE';
  readonly key: string;
  /** PUT: the new value. DELETE: ''. */
  readonly value: string;
  /** PUT: the revision of the key's creation (equal to modRevision for a create). DELETE: 0. */
  readonly createRevision: number;
  /** The revision of this change. */
  readonly modRevision: number;
  /** The value before this change (etcd's prev_kv); undefined when the key did not exist. */
  readonly prevValue: string | undefined;
}

export type StorageKvWatchResponse =
  /** Changes in revision order. */
  | { readonly kind: 'events'; readonly events: readonly StorageKvEvent[] }
  /** Every change up to `revision` has been reported (answer to requestProgress). */
  | { readonly kind: 'progress'; readonly revision: number }
  /** The start revision is compacted; the watch has ended. */
  | { readonly kind: 'compacted'; readonly compactRevision: number }
  /** The store ended the watch for another reason. */
  | { readonly kind: 'canceled'; readonly reason: string };

export interface StorageKvWatch {
  /** Resolves with the store revision once the watch is established; rejects when it cannot be. */
  readonly created: Promise<number>;
  /** Asks for a 'progress' response. */
  requestProgress(): void;
  /** Ends the watch; no response is delivered after it returns. */
  cancel(): void;
}

export interface StorageKv {
  range(request: StorageKvRangeRequest): Promise<StorageKvRangeResult>;
  /** Puts `value` at `key` (attached to `lease`, 0 for none) if its mod_revision is `expectedModRevision` (0: absent). */
  putIfModRevision(key: string, value: string, expectedModRevision: number, lease: number): Promise<StorageKvWriteResult>;
  /** Deletes `key` if its mod_revision is `expectedModRevision`. */
  deleteIfModRevision(key: string, expectedModRevision: number): Promise<StorageKvWriteResult>;
  /** Grants a lease of `ttlSeconds`; returns its id. */
  grantLease(ttlSeconds: number): Promise<number>;
  /** Compacts history before `revision`; StorageKvCompactedError when already compacted there. */
  compact(revision: number): Promise<void>;
  /**
   * Watches a key or prefix. Responses come in order, one call at a time, possibly before
   * `created` resolves; a 'compacted' or 'canceled' response or an onError call ends the watch.
   */
  watch(request: StorageKvWatchRequest, onResponse: (response: StorageKvWatchResponse) => void, onError: (error: Error) => void): StorageKvWatch;
  close(): Promise<void>;
}

/** Orders keys as etcd does: by their UTF-8 bytes, which is code point order. */
export function compareStorageKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Below the surrogates UTF-16 and code point order agree; a surrogate (an astral code point)
    // sorts after every BMP character, which UTF-16 order gets wrong against U+E000..U+FFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** The index of the first key not below `key` in `keys`, which are in compareStorageKeys order. */
export function storageKeyLowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareStorageKeys(keys[mid]!, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
