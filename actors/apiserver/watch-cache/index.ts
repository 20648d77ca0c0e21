// Public surface of the API server's watch cache: CachedStorage, a Storage decorator serving
// watches and resourceVersion '0' lists from one in-memory cacher per resource.
export type { CachedStorageOptions } from './cached-storage.js';
export { CachedStorage, WATCH_CACHE_MAX_RESOURCES, WATCH_CACHE_REINIT_BACKOFF } from './cached-storage.js';
export type { CacherBackoff } from './cacher.js';
export { WATCH_CACHE_DEFAULT_EVENTS_CAPACITY } from './event-buffer.js';
export type { WatchCacheResourcePrefixFn } from './resource-prefix.js';
export { registryResourcePrefixOf } from './resource-prefix.js';
export { WATCH_CACHE_METRIC_NAMES } from './watch-cache-metrics.js';
export { SortedKeyIndex } from './sorted-keys.js';
