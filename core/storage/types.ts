/**
 * The API server's storage contract: k8s.io/apiserver's storage.Interface with etcd's semantics.
 * Keys are strings (`/registry/pods/default/nginx`, see keys.ts); values are JSON objects the
 * storage treats as opaque except for `metadata.uid` (preconditions) and
 * `metadata.resourceVersion`, which it owns: it is never stored, and every object the storage
 * returns carries the decimal mod_revision of the state it shows.
 *
 * Implementations: InMemoryStorage (core, for tests of upper layers) and EtcdStorage
 * (transport/storage, over the etcd v3 API: Flotilla's store or a real etcd). Both run the same
 * algorithm (KvStorage) and pass the same contract suite (test/unit/storage/contract.ts).
 */

/** A JSON object as stored; `metadata.resourceVersion` is set by the storage on the way out. */
export type StorageObject = Record<string, unknown>;

/** What an object must still be for a write to apply (apiserver's storage.Preconditions). */
export interface StoragePreconditions {
  readonly uid?: string;
  readonly resourceVersion?: string;
}

export interface StorageCreateOptions {
  /**
   * The object is deleted after this many seconds (Events): it is attached to an etcd lease,
   * shared with other objects created around the same time with the same TTL (kube's lease reuse).
   */
  readonly ttlSeconds?: number;
}

export interface StorageGetOptions {
  /**
   * '' (or absent): the latest state, read linearizably. '0': any state (a serializable read).
   * 'N': a state no older than revision N; N beyond the store's revision is
   * StorageResourceVersionTooLargeError.
   */
  readonly resourceVersion?: string;
}

export type StorageResourceVersionMatch = 'NotOlderThan' | 'Exact';

/** Decides whether an object is in a list or watch (label and field selectors). Absent: everything. */
export type StoragePredicate = (object: StorageObject) => boolean;

export interface StorageListOptions {
  /**
   * With resourceVersionMatch unset (legacy): '' latest (linearizable), '0' any, 'N' not older
   * than N, except that a paged list (limit > 0) with N > 0 reads exactly at N. With 'Exact': at
   * revision N (compacted: StorageResourceVersionTooOldError). With 'NotOlderThan': at least N.
   * Ignored when `continue` is given (the token's revision wins), as in kube.
   */
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: StorageResourceVersionMatch;
  /** At most this many items; 0 or absent: all. Fewer may come back with a continue token. */
  readonly limit?: number;
  /** A token from a previous page; every page of one list is read at the first page's revision. */
  readonly continue?: string;
  readonly predicate?: StoragePredicate;
}

export interface StorageListResult {
  /** Sorted by key. */
  readonly items: StorageObject[];
  /** The revision the list was read at. */
  readonly resourceVersion: string;
  /** Set when more items follow. */
  readonly continue?: string;
  /** How many items follow the page, when that is known exactly (no predicate). */
  readonly remainingItemCount?: number;
}

/**
 * Returns the next state of the object from its current one (undefined only with
 * ignoreNotFound when there is none). Called again with a fresher state when the write loses a
 * race, so it must not have side effects. What it throws is rethrown unchanged.
 */
export type StorageTryUpdate = (current: StorageObject | undefined) => StorageObject | Promise<StorageObject>;

export interface StorageGuaranteedUpdateOptions {
  readonly preconditions?: StoragePreconditions;
  /** When the key does not exist, tryUpdate gets undefined and its result is created. */
  readonly ignoreNotFound?: boolean;
  /** Attach the new state to a lease of this TTL; absent: no lease (as kube, an update drops it). */
  readonly ttlSeconds?: number;
}

export interface StorageUpdateOptions {
  readonly ttlSeconds?: number;
}

/** Checks the object about to be deleted; throws to refuse (apiserver's ValidateObjectFunc). */
export type StorageValidateDeletion = (current: StorageObject) => void | Promise<void>;

export interface StorageDeleteOptions {
  readonly preconditions?: StoragePreconditions;
  readonly validateDeletion?: StorageValidateDeletion;
}

export type StorageWatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/**
 * One watch event, as Kubernetes sends it. ADDED/MODIFIED: the new state. DELETED: the last state
 * with resourceVersion = the deleting revision. BOOKMARK: only `metadata.resourceVersion` (and,
 * ending the initial events of sendInitialEvents, the `k8s.io/initial-events-end` annotation);
 * the API layer adds kind and apiVersion. ERROR: a Status object; the watch has ended.
 */
export interface StorageWatchEvent {
  readonly type: StorageWatchEventType;
  readonly object: StorageObject;
}

export interface StorageWatchOptions {
  /**
   * '' or '0': the current state first, as synthetic ADDED events, then every change after it
   * (kube's "Get State and Start at Most Recent" / "Start at Any"). 'N': every change after
   * revision N; N compacted: a single ERROR event (410 Expired, "too old resource version: N (M)").
   * N beyond the store's revision waits for it, as an etcd watch does.
   */
  readonly resourceVersion?: string;
  /** Watch every key under `key` + '/' (a collection) rather than the single key. */
  readonly recursive: boolean;
  readonly predicate?: StoragePredicate;
  /** Send a BOOKMARK at least every bookmark interval (default 60 s). */
  readonly allowWatchBookmarks?: boolean;
  /** The same as allowWatchBookmarks (kube's name for the etcd progress notifications behind bookmarks). */
  readonly progressNotify?: boolean;
  /**
   * Unset: initial ADDED events only for resourceVersion '' and '0'. true: the current state
   * (no older than resourceVersion) as ADDED events for any resourceVersion, followed, with
   * allowWatchBookmarks, by a BOOKMARK annotated `k8s.io/initial-events-end: "true"` (watch-list).
   * false: no initial events; '' and '0' start at the latest revision.
   */
  readonly sendInitialEvents?: boolean;
}

/**
 * Receives events in revision order, one call at a time; never called after stop() returns.
 * Events may come before the caller's `await storage.watch(…)` resumes, so the listener is given
 * the watch, to pause or stop it from the first event on.
 */
export type StorageWatchListener = (event: StorageWatchEvent, watch: StorageWatch) => void;
/**
 * Receives the error that ended a watch, once (store unreachable, StorageWatchOverflowError, a
 * bug). Errors Kubernetes shows in the stream (410 Expired) come as an ERROR event instead.
 */
export type StorageWatchErrorListener = (error: Error) => void;

/** A running watch. */
export interface StorageWatch {
  /** Ends the watch; idempotent. No listener is called after it returns. */
  stop(): void;
  /**
   * Holds delivery (the consumer's socket is full). Events queue meanwhile; past
   * maxPendingEvents the watch ends with StorageWatchOverflowError.
   */
  pause(): void;
  resume(): void;
  /**
   * Asks the store for a progress bookmark now (a watch opened with allowWatchBookmarks or
   * progressNotify; etcd's WatchProgressRequest). Absent where the storage has no such request.
   */
  requestProgress?(): void;
}

/**
 * The storage contract. Every method rejects with a StorageError subclass on failure (anything
 * else is a bug), except that errors thrown by a caller's tryUpdate or validateDeletion are
 * rethrown unchanged.
 */
export interface Storage {
  /** Creates `key`; StorageKeyExistsError when it exists. Returns the stored object. */
  create(key: string, object: StorageObject, options?: StorageCreateOptions): Promise<StorageObject>;

  /** The object at `key`, or StorageKeyNotFoundError. */
  get(key: string, options?: StorageGetOptions): Promise<StorageObject>;

  /** The objects under `prefix` + '/' (a trailing '/' is added when missing). */
  getList(prefix: string, options?: StorageListOptions): Promise<StorageListResult>;

  /**
   * Read, tryUpdate, compare-and-swap on mod_revision; retried on a lost race (a bounded number
   * of times, then StorageConflictError 'RetriesExhausted'). A precondition that fails on the
   * current state is StorageConflictError. When tryUpdate returns the stored state unchanged,
   * nothing is written and the current object (with its resourceVersion) is returned.
   */
  guaranteedUpdate(key: string, tryUpdate: StorageTryUpdate, options?: StorageGuaranteedUpdateOptions): Promise<StorageObject>;

  /**
   * Replaces the object at `key` with `object`. A non-empty `metadata.resourceVersion` must be
   * the stored one (else StorageConflictError 'ResourceVersionMismatch'); an empty one updates
   * unconditionally. StorageKeyNotFoundError when there is no object.
   */
  update(key: string, object: StorageObject, options?: StorageUpdateOptions): Promise<StorageObject>;

  /** Deletes `key` and returns its last state, with resourceVersion = the deleting revision. */
  delete(key: string, options?: StorageDeleteOptions): Promise<StorageObject>;

  /**
   * Watches `key` (recursive: the collection under it). Resolves once the watch is established;
   * nothing is delivered before that, and nothing at all when it rejects (invalid options, the
   * store unreachable).
   */
  watch(key: string, options: StorageWatchOptions, onEvent: StorageWatchListener, onError: StorageWatchErrorListener): Promise<StorageWatch>;

  /** How many keys are under `prefix` + '/' (for metrics). */
  count(prefix: string): Promise<number>;

  /** The store's current revision, read linearizably. */
  currentRevision(): Promise<number>;

  /**
   * Discards history before `revision` (the API server's periodic compactor). Reads and
   * watches before it then fail as expired. Compacting at or below the compacted revision is a no-op.
   */
  compact(revision: number): Promise<void>;

  /** Stops every watch and releases the storage's connections. */
  close(): Promise<void>;
}
