/**
 * The storage layer's typed errors, the equivalent of apiserver's storage.StorageError and the
 * apierrors the etcd3 store returns directly. The API layer maps each class once to a Kubernetes
 * Status (the `status` each documents); compare by class or `code`, never by message.
 */

export type StorageErrorCode =
  | 'KeyNotFound'
  | 'KeyExists'
  | 'Conflict'
  | 'ResourceVersionTooOld'
  | 'ResourceVersionTooLarge'
  | 'ContinueExpired'
  | 'InvalidContinue'
  | 'InvalidResourceVersion'
  | 'InvalidListOptions'
  | 'InvalidObject'
  | 'InvalidKey'
  | 'WatchOverflow'
  | 'Unavailable'
  | 'Internal';

/** Base of every error the storage layer throws on purpose. */
export abstract class StorageError extends Error {
  abstract readonly code: StorageErrorCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** No object at `key` (get, update, delete, guaranteedUpdate without ignoreNotFound). Status 404 NotFound. */
export class StorageKeyNotFoundError extends StorageError {
  readonly code = 'KeyNotFound';
  constructor(readonly key: string) {
    super(`key not found: ${key}`);
  }
}

/** create found an object at `key` already. Status 409 AlreadyExists. */
export class StorageKeyExistsError extends StorageError {
  readonly code = 'KeyExists';
  constructor(readonly key: string) {
    super(`key exists: ${key}`);
  }
}

/** Why a write was refused as a conflict. */
export type StorageConflictReason =
  /** A uid precondition names another object (kube: "Precondition failed: UID in precondition: …"). */
  | 'UIDPrecondition'
  /** A resourceVersion precondition names another revision. */
  | 'ResourceVersionPrecondition'
  /** update() was given an object whose resourceVersion is not the stored one (kube's optimistic lock). */
  | 'ResourceVersionMismatch'
  /** guaranteedUpdate or delete lost the compare-and-swap race more often than its bound allows. */
  | 'RetriesExhausted';

/** kube's OptimisticLockErrorMsg, which clients recognise in a 409 on update. */
export const OPTIMISTIC_LOCK_ERROR_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

/** A precondition or an optimistic-lock check failed. Status 409 Conflict. */
export class StorageConflictError extends StorageError {
  readonly code = 'Conflict';
  constructor(
    readonly key: string,
    readonly reason: StorageConflictReason,
    message: string,
  ) {
    super(message);
  }
}

/** What was read or watched at a compacted revision. */
export type StorageExpiredOperation = 'list' | 'watch';

/**
 * A list (resourceVersionMatch=Exact, or a paged legacy list) or a watch asked for history that
 * compaction has discarded. Status 410 Expired. A watch reports it as an ERROR event carrying the
 * Status, not by throwing (see Storage.watch).
 */
export class StorageResourceVersionTooOldError extends StorageError {
  readonly code = 'ResourceVersionTooOld';
  /**
   * @param requestedRevision the resourceVersion asked for.
   * @param oldestRevision the oldest resourceVersion still servable (compacted revision - 1 for a
   *   watch, which starts after it; the compacted revision for a list); shown in the watch message.
   */
  constructor(
    readonly operation: StorageExpiredOperation,
    readonly requestedRevision: number,
    readonly oldestRevision: number,
  ) {
    super(
      operation === 'watch'
        ? `too old resource version: ${requestedRevision} (${oldestRevision})`
        : 'The resourceVersion for the provided list is too old.',
    );
  }
}

/**
 * A read asked for a resourceVersion newer than the store has (kube's TooLargeResourceVersion).
 * Status 504 Timeout with reason cause ResourceVersionTooLarge and retryAfterSeconds.
 */
export class StorageResourceVersionTooLargeError extends StorageError {
  readonly code = 'ResourceVersionTooLarge';
  readonly retryAfterSeconds = 1;
  constructor(
    readonly requestedRevision: number,
    readonly currentRevision: number,
  ) {
    super(`Too large resource version: ${requestedRevision}, current: ${currentRevision}`);
  }
}

/** kube's message when a continue token's revision has been compacted. */
export const CONTINUE_EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, ' +
  'or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an ' +
  'inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/**
 * A continue token's revision has been compacted. Status 410 Expired whose ListMeta.continue is
 * `inconsistentContinue`: a token that resumes the same list at the latest revision.
 */
export class StorageContinueExpiredError extends StorageError {
  readonly code = 'ContinueExpired';
  constructor(readonly inconsistentContinue: string) {
    super(CONTINUE_EXPIRED_MESSAGE);
  }
}

/** A continue token that does not decode, names another version, or escapes its prefix. Status 400 BadRequest. */
export class StorageInvalidContinueError extends StorageError {
  readonly code = 'InvalidContinue';
  constructor(
    readonly token: string,
    readonly detail: string,
  ) {
    super(`invalid continue token: ${detail}`);
  }
}

/** A resourceVersion that is not a decimal unsigned integer. Status 400 BadRequest. */
export class StorageInvalidResourceVersionError extends StorageError {
  readonly code = 'InvalidResourceVersion';
  constructor(readonly resourceVersion: string) {
    super(`invalid resource version: ${JSON.stringify(resourceVersion)}`);
  }
}

/** List or watch options the storage cannot serve (an unknown resourceVersionMatch). Status 400 BadRequest. */
export class StorageInvalidListOptionsError extends StorageError {
  readonly code = 'InvalidListOptions';
  constructor(message: string) {
    super(message);
  }
}

/**
 * An object the storage refuses to write: not a JSON object, metadata not an object, or (on
 * create) a resourceVersion already set, as kube's store refuses. Status 500 InternalError, as kube.
 */
export class StorageInvalidObjectError extends StorageError {
  readonly code = 'InvalidObject';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A namespace or name that cannot be a key segment (empty, '.', '..', or containing '/' or '%'),
 * as kube's key functions refuse. Status 400 BadRequest.
 */
export class StorageInvalidKeyError extends StorageError {
  readonly code = 'InvalidKey';
  constructor(
    readonly segment: string,
    readonly detail: string,
  ) {
    super(`Name parameter invalid: ${JSON.stringify(segment)}: ${detail}`);
  }
}

/**
 * A watcher fell more than `maxPendingEvents` events behind (it is paused or slow); it is ended
 * rather than buffering without bound. The client re-watches from its last resourceVersion.
 */
export class StorageWatchOverflowError extends StorageError {
  readonly code = 'WatchOverflow';
  constructor(readonly maxPendingEvents: number) {
    super(`watch ended: the consumer fell more than ${maxPendingEvents} events behind`);
  }
}

/** The store could not be reached or did not answer in time; the request may be retried. Status 503/504. */
export class StorageUnavailableError extends StorageError {
  readonly code = 'Unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The store answered with something the storage layer cannot interpret (a bug, or corrupt data). Status 500. */
export class StorageInternalError extends StorageError {
  readonly code = 'Internal';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Thrown by a StorageKv when a read or watch asks for a compacted revision (etcd's ErrCompacted);
 * the storage turns it into the Kubernetes error of the operation.
 */
export class StorageKvCompactedError extends StorageError {
  readonly code = 'ResourceVersionTooOld';
  /** @param compactRevision the store's compacted revision, 0 when the store did not say. */
  constructor(readonly compactRevision: number) {
    super('mvcc: required revision has been compacted');
  }
}

/** Thrown by a StorageKv when a read asks for a revision the store has not reached (etcd's ErrFutureRev). */
export class StorageKvFutureRevisionError extends StorageError {
  readonly code = 'ResourceVersionTooLarge';
  /** @param currentRevision the store's revision, 0 when the store did not say. */
  constructor(readonly currentRevision: number) {
    super('mvcc: required revision is a future revision');
  }
}
