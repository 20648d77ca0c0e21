// Public surface of core/storage/: the API server's storage contract (k8s.io/apiserver's
// storage.Interface with etcd's semantics), its errors, the key layout, the algorithm over an
// etcd-like key-value seam (KvStorage over StorageKv), and the in-memory implementation.
export type {
  Storage,
  StorageCreateOptions,
  StorageDeleteOptions,
  StorageGetOptions,
  StorageGuaranteedUpdateOptions,
  StorageListOptions,
  StorageListResult,
  StorageObject,
  StoragePreconditions,
  StoragePredicate,
  StorageResourceVersionMatch,
  StorageTryUpdate,
  StorageUpdateOptions,
  StorageValidateDeletion,
  StorageWatch,
  StorageWatchErrorListener,
  StorageWatchEvent,
  StorageWatchEventType,
  StorageWatchListener,
  StorageWatchOptions,
} from './types.js';
export type { StorageConflictReason, StorageErrorCode, StorageExpiredOperation } from './errors.js';
export {
  CONTINUE_EXPIRED_MESSAGE,
  OPTIMISTIC_LOCK_ERROR_MESSAGE,
  StorageConflictError,
  StorageContinueExpiredError,
  StorageError,
  StorageInternalError,
  StorageInvalidContinueError,
  StorageInvalidKeyError,
  StorageInvalidListOptionsError,
  StorageInvalidObjectError,
  StorageInvalidResourceVersionError,
  StorageKeyExistsError,
  StorageKeyNotFoundError,
  StorageKvCompactedError,
  StorageKvFutureRevisionError,
  StorageResourceVersionTooLargeError,
  StorageResourceVersionTooOldError,
  StorageUnavailableError,
  StorageWatchOverflowError,
} from './errors.js';
export type { StorageGroupResource, StorageKeyOptions } from './keys.js';
export { REGISTRY_ROOT, registryCollectionKey, registryObjectKey, registryResourcePrefix } from './keys.js';
export { parseResourceVersion, storageObjectResourceVersion, storageObjectUid } from './objects.js';
export type { ContinuePosition } from './continue-token.js';
export { CONTINUE_AT_LATEST_REVISION, CONTINUE_TOKEN_VERSION, decodeContinueToken, encodeContinueToken } from './continue-token.js';
export type { StorageClock, StorageScheduler } from './clock.js';
export { ManualStorageClock } from './clock.js';
export type {
  StorageKv,
  StorageKvEntry,
  StorageKvEvent,
  StorageKvRangeRequest,
  StorageKvRangeResult,
  StorageKvWatch,
  StorageKvWatchRequest,
  StorageKvWatchResponse,
  StorageKvWriteResult,
} from './kv.js';
export { compareStorageKeys, storageKeyLowerBound } from './kv.js';
export { INITIAL_EVENTS_END_ANNOTATION } from './kv-common.js';
export { LIST_MAX_FETCH_KEYS, LIST_MAX_FETCHES_PER_PAGE } from './kv-list.js';
export { DEFAULT_BOOKMARK_INTERVAL_MS } from './kv-watch.js';
export { DEFAULT_WATCH_MAX_PENDING_EVENTS } from './watch-dispatcher.js';
export { LEASE_MAX_ATTACHED_OBJECTS, LEASE_REUSE_WINDOW_FRACTION, LEASE_REUSE_WINDOW_SECONDS_MAX } from './lease-manager.js';
export type { KvStorageOptions } from './kv-storage.js';
export { KvStorage, STORAGE_MAX_WRITE_ATTEMPTS } from './kv-storage.js';
export { InMemoryKv } from './memory-kv.js';
export type { InMemoryStorageOptions } from './in-memory-storage.js';
export { InMemoryStorage } from './in-memory-storage.js';
