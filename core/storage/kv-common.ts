/** Small rules KvStorage's operations share. */
import { StorageError, StorageInternalError, StorageResourceVersionTooLargeError } from './errors.js';
import type { StorageObject } from './types.js';

/** A collection's key prefix ends in '/', so that `/registry/pods` never lists `/registry/podsecuritypolicies/…`. */
export function collectionPrefix(key: string): string {
  return key.endsWith('/') ? key : `${key}/`;
}

/**
 * apiserver's validateMinimumResourceVersion: a read promises state no older than the
 * resourceVersion asked for, so asking beyond the store's revision is TooLargeResourceVersion.
 */
export function checkMinimumRevision(minRevision: number, storeRevision: number): void {
  if (minRevision > storeRevision) throw new StorageResourceVersionTooLargeError(minRevision, storeRevision);
}

/** Errors the storage did not raise on purpose become StorageInternalError; typed ones pass through. */
export function asStorageError(err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  return new StorageInternalError(err instanceof Error ? err.message : String(err), { cause: err });
}

/** The object of a BOOKMARK event: only the revision (and the watch-list end marker). */
export function bookmarkObject(revision: number, initialEventsEnd: boolean): StorageObject {
  const metadata: Record<string, unknown> = { resourceVersion: String(revision) };
  if (initialEventsEnd) metadata.annotations = { [INITIAL_EVENTS_END_ANNOTATION]: 'true' };
  return { metadata };
}

/** Marks the bookmark that ends a watch-list's initial events (metav1.InitialEventsAnnotationKey). */
export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

/** The Status an ERROR watch event carries when the watch's start revision is compacted (apierrors.NewResourceExpired). */
export function expiredStatusObject(message: string): StorageObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Expired', code: 410 };
}
