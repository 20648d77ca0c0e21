// What users of a SharedInformer see besides the informer itself: handlers, tombstones, errors.

import type { ResourceObject } from './object.js';

/**
 * Handed to onDelete instead of the object when the informer learned of a deletion by relisting
 * (after a 410) rather than from a DELETED event: `object` is the last state it had cached, which
 * may be older than the object's final state (client-go's DeletedFinalStateUnknown).
 */
export class DeletedFinalStateUnknown<T extends ResourceObject = ResourceObject> {
  constructor(
    readonly key: string,
    readonly object: T,
  ) {}
}

/** The object a delete notification is about, tombstone or not. */
export function deletedObjectOf<T extends ResourceObject>(deleted: T | DeletedFinalStateUnknown<T>): T {
  return deleted instanceof DeletedFinalStateUnknown ? deleted.object : deleted;
}

/**
 * Notifications of one consumer. Called synchronously, in resourceVersion order, after the cache
 * already reflects the change; objects are shared with the cache and must not be mutated. A
 * handler that throws is reported to the informer's onError and does not disturb the others.
 */
export interface ResourceEventHandler<T extends ResourceObject = ResourceObject> {
  /** A new object; `isInInitialList` when it came with the first list (or the handler's late registration). */
  onAdd?(object: T, isInInitialList: boolean): void;
  /** A changed object; on resync `oldObject === newObject`. */
  onUpdate?(oldObject: T, newObject: T): void;
  onDelete?(object: T | DeletedFinalStateUnknown<T>): void;
}

export interface ResourceEventHandlerRegistration {
  /** Stops notifications to this handler. Idempotent. */
  remove(): void;
}

/** Where an error reported to onError came from. */
export type InformerErrorSource = 'list' | 'watch' | 'handler' | 'cache';

export type InformerErrorHandler = (err: Error, source: InformerErrorSource) => void;

/** Rejects waitForSync() when the informer is stopped before its first list completed. */
export class InformerStoppedError extends Error {
  override readonly name = 'InformerStoppedError';
  constructor(readonly resourceKey: string) {
    super(`informer for ${resourceKey} stopped before it synced`);
  }
}

/**
 * Reported to onError (source 'cache') when the objects selected exceed the informer's
 * maxObjects bound; the informer then stops, since a partial cache would mislead its readers.
 */
export class InformerCacheFullError extends Error {
  override readonly name = 'InformerCacheFullError';
  constructor(
    readonly resourceKey: string,
    readonly maxObjects: number,
  ) {
    super(`informer for ${resourceKey} holds more than ${maxObjects} objects; stopped`);
  }
}
