import {
  ApiAlreadyExistsError,
  ApiBadRequestError,
  ApiConflictError,
  ApiInternalError,
  ApiNotFoundError,
  ApiResourceExpiredError,
  ApiServiceUnavailableError,
  ApiStatusError,
  ApiTimeoutError,
  StorageConflictError,
  StorageContinueExpiredError,
  StorageError,
  StorageInvalidContinueError,
  StorageInvalidKeyError,
  StorageInvalidListOptionsError,
  StorageInvalidResourceVersionError,
  StorageKeyExistsError,
  StorageKeyNotFoundError,
  StorageResourceVersionTooLargeError,
  StorageResourceVersionTooOldError,
  StorageUnavailableError,
} from '../../core/index.js';
import type { GroupResource } from '../../core/index.js';

/**
 * Maps a storage error to the Status error kube-apiserver answers with (its
 * storage.InterpretXError functions), naming the resource and object. Anything else passes through.
 */
export function apiErrorFromStorage(err: unknown, target: GroupResource, name: string): unknown {
  if (err instanceof ApiStatusError || !(err instanceof StorageError)) return err;
  if (err instanceof StorageKeyNotFoundError) return new ApiNotFoundError(target, name);
  if (err instanceof StorageKeyExistsError) return new ApiAlreadyExistsError(target, name);
  if (err instanceof StorageConflictError) {
    if (err.reason === 'UIDPrecondition' || err.reason === 'ResourceVersionPrecondition') return new ApiConflictError(target, name, err.message);
    return new ApiConflictError(target, name);
  }
  if (err instanceof StorageContinueExpiredError) return new ApiResourceExpiredError(err.message);
  if (err instanceof StorageResourceVersionTooOldError) return new ApiResourceExpiredError(err.message);
  if (err instanceof StorageResourceVersionTooLargeError) return new ApiTimeoutError(err.message, 1);
  if (err instanceof StorageInvalidContinueError || err instanceof StorageInvalidResourceVersionError || err instanceof StorageInvalidListOptionsError || err instanceof StorageInvalidKeyError) {
    return new ApiBadRequestError(err.message);
  }
  if (err instanceof StorageUnavailableError) return new ApiServiceUnavailableError(err.message);
  return new ApiInternalError(err.message);
}
