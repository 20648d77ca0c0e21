// The resource API as controllers, kubelets and other internal clients see it: the verbs of
// kube-apiserver on one resource, with its semantics. Implemented in-process by the API server,
// over gRPC by transport/resource, and in memory (InMemoryResourceClient) for tests.

import type { ResourceApiStatus } from './errors.js';
import type { GroupVersionResource, ResourceObject, ResourceObjectRef } from './object.js';

/** How a list's resourceVersion is interpreted (metav1.ResourceVersionMatch). */
export type ResourceVersionMatch = 'NotOlderThan' | 'Exact';

export interface ResourceListOptions {
  /** Only this namespace; absent or '' for all namespaces (and for cluster-scoped resources). */
  readonly namespace?: string;
  /** Label selector text (`app=web,tier!=db`). */
  readonly labelSelector?: string;
  /** Field selector text (`spec.nodeName=n1`). */
  readonly fieldSelector?: string;
  /** At most this many items; the result then carries `continue` when more remain. */
  readonly limit?: number;
  /** The `continue` of the previous page; the other options must be the same as for that page. */
  readonly continue?: string;
  /**
   * Absent or '': the most recent state (a consistent read). '0': any state the server holds.
   * Otherwise a state at least this recent (or exactly this one, with match 'Exact').
   */
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: ResourceVersionMatch;
}

export interface ResourceListResult<T extends ResourceObject = ResourceObject> {
  /** Ordered by key (namespace, then name), as etcd ranges are. */
  readonly items: T[];
  /** The state the list reflects: a watch from here misses nothing and repeats nothing. */
  readonly resourceVersion: string;
  /** Present when more items remain; pass it back as `continue` for the next page. */
  readonly continue?: string;
}

export interface ResourceWatchOptions {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /**
   * Events strictly after this version. '' or '0': first a synthetic ADDED for every object that
   * exists now, then changes. A version older than the server's history ends the watch with an
   * ERROR event carrying a 410 Expired Status.
   */
  readonly resourceVersion: string;
  /** Ask for BOOKMARK events: objects carrying only metadata.resourceVersion, to resume from. */
  readonly allowWatchBookmarks?: boolean;
}

export type ResourceWatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/**
 * One change. With selectors, an object that stops matching arrives as DELETED and one that
 * starts matching as ADDED, as kube-apiserver filters watches. DELETED carries the object's last
 * state (with the deletion's resourceVersion).
 */
export type ResourceWatchEvent<T extends ResourceObject = ResourceObject> =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; readonly object: T }
  | { readonly type: 'ERROR'; readonly object: ResourceApiStatus };

/** A running watch. */
export interface ResourceWatch {
  /** Ends the watch; afterwards neither onEvents nor onClose is called. Idempotent. */
  stop(): void;
}

/** Receives events in resourceVersion order, many per call; a batch is never empty. */
export type ResourceWatchEventsHandler = (events: readonly ResourceWatchEvent[]) => void;

/**
 * Called once when the watch ends on its own: with no error for a clean end (the server's
 * timeout, or after an ERROR event), with a ResourceApiError otherwise (connection lost, server
 * stopping). Resuming is the caller's business (informers do it).
 */
export type ResourceWatchCloseHandler = (err?: Error) => void;

export interface ResourceCreateOptions {
  /** Validate and admit, but persist nothing (`dryRun=All`). */
  readonly dryRun?: boolean;
  readonly fieldManager?: string;
}

export type ResourceUpdateOptions = ResourceCreateOptions;

export type ResourcePatchType = 'strategic' | 'merge' | 'json';

export type ResourcePropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface ResourceDeleteOptions {
  readonly propagationPolicy?: ResourcePropagationPolicy;
  readonly gracePeriodSeconds?: number;
  /** Delete only if the object still has this uid / resourceVersion (else 409 Conflict). */
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
  readonly dryRun?: boolean;
}

/**
 * The resource API. Every failure rejects with a ResourceApiError holding the server's Status
 * (404 NotFound, 409 Conflict / AlreadyExists, 410 Expired, 422 Invalid, …); see errors.ts for
 * the predicates. Objects returned are the caller's to keep (never shared with the server).
 */
export interface ResourceClient {
  /** The object named by `ref`. 404 when it does not exist. */
  get<T extends ResourceObject = ResourceObject>(ref: ResourceObjectRef): Promise<T>;

  /** Objects of `resource` matching the options; see ResourceListOptions. */
  list<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, options?: ResourceListOptions): Promise<ResourceListResult<T>>;

  /**
   * Streams changes of `resource`. Never throws and never calls back before returning: every
   * failure, a refused start included, reaches onClose (or an ERROR event, then onClose()).
   */
  watch(resource: GroupVersionResource, options: ResourceWatchOptions, onEvents: ResourceWatchEventsHandler, onClose: ResourceWatchCloseHandler): ResourceWatch;

  /**
   * Creates `object` (its apiVersion/kind must be of `resource`, metadata.name or generateName
   * set, metadata.resourceVersion unset). Returns it as stored (uid, resourceVersion, defaults).
   * 409 AlreadyExists when the name is taken.
   */
  create<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, object: T, options?: ResourceCreateOptions): Promise<T>;

  /**
   * Replaces the object's spec and metadata (status changes are ignored where the resource has
   * a status subresource). With metadata.resourceVersion set, 409 Conflict unless it is current.
   */
  update<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, object: T, options?: ResourceUpdateOptions): Promise<T>;

  /** Replaces only the status (the `/status` subresource); same precondition as update. */
  updateStatus<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, object: T, options?: ResourceUpdateOptions): Promise<T>;

  /** Applies a strategic merge, JSON merge or JSON patch to the current object. */
  patch<T extends ResourceObject = ResourceObject>(ref: ResourceObjectRef, patchType: ResourcePatchType, patch: unknown, options?: ResourceUpdateOptions): Promise<T>;

  /**
   * Deletes the object. Returns its final state, or, when finalizers hold it, the object as it
   * now stands with metadata.deletionTimestamp set.
   */
  delete<T extends ResourceObject = ResourceObject>(ref: ResourceObjectRef, options?: ResourceDeleteOptions): Promise<T>;
}
