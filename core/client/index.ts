// Public surface of core/client/: the resource API contract (ResourceClient) and its in-memory
// implementation, typed API errors, and the shared informer (list+watch cache) built on it.
export type { GroupVersionResource, ResourceObject, ResourceObjectMeta, ResourceObjectRef, ResourceOwnerReference } from './object.js';
export { apiVersionOf, groupResourceTextOf, groupVersionResourceKey, metaNamespaceKey, metaNamespaceKeyOf, refOfObject, resourceVersionOf } from './object.js';
export type { ResourceApiStatus, ResourceApiStatusDetails } from './errors.js';
export {
  failureStatus,
  isAlreadyExists,
  isConflict,
  isGone,
  isNotFound,
  isResourceApiStatus,
  ResourceApiError,
  resourceAlreadyExistsError,
  resourceApiStatusOf,
  resourceBadRequestError,
  resourceConflictError,
  resourceExpiredError,
  resourceInvalidError,
  resourceNotFoundError,
  resourceTimeoutError,
  resourceUnauthorizedError,
  resourceUnavailableError,
  toResourceApiError,
} from './errors.js';
export type {
  ResourceClient,
  ResourceCreateOptions,
  ResourceDeleteOptions,
  ResourceListOptions,
  ResourceListResult,
  ResourcePatchType,
  ResourcePropagationPolicy,
  ResourceUpdateOptions,
  ResourceVersionMatch,
  ResourceWatch,
  ResourceWatchCloseHandler,
  ResourceWatchEvent,
  ResourceWatchEventsHandler,
  ResourceWatchEventType,
  ResourceWatchOptions,
} from './resource-client.js';
export { applyResourcePatch } from './apply-patch.js';
export type { InMemoryResourceClientOptions, ResourceVerb } from './in-memory-resource-client.js';
export { IN_MEMORY_CLIENT_HISTORY_LIMIT, IN_MEMORY_CLIENT_WATCH_MAX_PENDING, InMemoryResourceClient } from './in-memory-resource-client.js';
export type { ClientClock, ClientTimerHandle } from './clock.js';
export type { ClientBackoffPolicy } from './backoff.js';
export { CLIENT_BACKOFF_DEFAULTS, clientBackoffDelayMs } from './backoff.js';
export type { ObjectCacheReader, ObjectIndexers, ObjectIndexFunc } from './object-cache.js';
export { indexByNamespace, indexByNodeName, indexByOwnerUid, NAMESPACE_INDEX, NODE_NAME_INDEX, ObjectCache, OWNER_UID_INDEX, UnknownObjectIndexError } from './object-cache.js';
export type { InformerErrorHandler, InformerErrorSource, ResourceEventHandler, ResourceEventHandlerRegistration } from './informer-types.js';
export { DeletedFinalStateUnknown, deletedObjectOf, InformerCacheFullError, InformerStoppedError } from './informer-types.js';
export type { SharedInformerOptions } from './informer.js';
export { INFORMER_LIST_PAGE_SIZE, INFORMER_MAX_OBJECTS, INFORMER_MIN_WATCH_DURATION_MS, SharedInformer } from './informer.js';
export type { InformerForOptions, SharedInformerFactoryOptions } from './informer-factory.js';
export { SharedInformerFactory } from './informer-factory.js';
