/** Cached objects are shared by every watcher and list of a resource, so they are made immutable once, when they enter the cache. */
import type { StorageObject } from '../../../core/index.js';

/** Freezes `object` and everything it holds; returns it. */
export function deepFreezeStorageObject(object: StorageObject): StorageObject {
  freeze(object);
  return object;
}

function freeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) freeze(v);
}
