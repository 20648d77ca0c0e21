// The shapes the resource client speaks: which resource (group/version/resource), which object
// (a ref), and the object itself as plain Kubernetes JSON with loosely typed metadata.

/** A resource of the API: `{group:'apps', version:'v1', resource:'deployments'}`; core group is ''. */
export interface GroupVersionResource {
  readonly group: string;
  readonly version: string;
  /** The plural, lower-case name used in URLs (`pods`, `deployments`). */
  readonly resource: string;
}

/** One object of a resource. `namespace` is absent (or '') for cluster-scoped resources. */
export interface ResourceObjectRef extends GroupVersionResource {
  readonly namespace?: string;
  readonly name: string;
}

/** The owner reference fields the client reads; the rest pass through untouched. */
export interface ResourceOwnerReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/**
 * ObjectMeta as far as the client needs it. Deliberately loose (every field optional, no index
 * signature) so core/api's typed kinds are assignable to ResourceObject.
 */
export interface ResourceObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string | null;
  deletionGracePeriodSeconds?: number | null;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: ResourceOwnerReference[];
  finalizers?: string[];
}

/**
 * A Kubernetes object as plain JSON. Objects handed out by informer caches are shared: callers
 * must not mutate them (copy first, as with client-go's DeepCopy).
 */
export interface ResourceObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ResourceObjectMeta;
  [field: string]: unknown;
}

/** `group/version` as in an object's apiVersion (`v1` for the core group). */
export function apiVersionOf(resource: GroupVersionResource): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

/** `resource.group` as Kubernetes prints a GroupResource (`deployments.apps`, `pods`). */
export function groupResourceTextOf(resource: GroupVersionResource): string {
  return resource.group === '' ? resource.resource : `${resource.resource}.${resource.group}`;
}

/** A stable map key for a resource: `group/version/resource`. */
export function groupVersionResourceKey(resource: GroupVersionResource): string {
  return `${resource.group}/${resource.version}/${resource.resource}`;
}

/**
 * The cache key of an object: `namespace/name`, or `name` for cluster-scoped objects
 * (client-go's MetaNamespaceKeyFunc).
 */
export function metaNamespaceKey(object: ResourceObject): string {
  const namespace = object.metadata?.namespace ?? '';
  const name = object.metadata?.name ?? '';
  return namespace === '' ? name : `${namespace}/${name}`;
}

/** The cache key of a namespace and name, matching metaNamespaceKey. */
export function metaNamespaceKeyOf(namespace: string | undefined, name: string): string {
  return namespace === undefined || namespace === '' ? name : `${namespace}/${name}`;
}

/** The ref naming `object` within `resource`. */
export function refOfObject(resource: GroupVersionResource, object: ResourceObject): ResourceObjectRef {
  const namespace = object.metadata?.namespace;
  const ref = { group: resource.group, version: resource.version, resource: resource.resource, name: object.metadata?.name ?? '' };
  return namespace === undefined || namespace === '' ? ref : { ...ref, namespace };
}

/** The object's resourceVersion, '' when it has none. */
export function resourceVersionOf(object: ResourceObject): string {
  return object.metadata?.resourceVersion ?? '';
}
