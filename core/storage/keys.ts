/**
 * The key layout, kube's: `/registry/<resource prefix>/<namespace>/<name>` for namespaced objects
 * and `/registry/<resource prefix>/<name>` for cluster-scoped ones. The resource prefix is the
 * resource name for built-in kinds, whatever their group (`/registry/deployments/…`), with kube's
 * historical exceptions (Services under `services/specs`, Nodes under `minions`, …), and
 * `<group>/<resource>` for custom resources. Keeping kube's layout means `etcdctl get --prefix
 * /registry/pods/` looks the same against Flotilla as against a kube cluster.
 */
import { StorageInvalidKeyError } from './errors.js';

export const REGISTRY_ROOT = '/registry';

export interface StorageGroupResource {
  /** '' for the core group. */
  readonly group: string;
  /** Plural, lowercase: 'pods', 'deployments'. */
  readonly resource: string;
}

/** Where kube's storage factory puts built-in resources whose prefix is not their name. Keyed `resource.group`. */
const KUBE_RESOURCE_PREFIXES: ReadonlyMap<string, string> = new Map([
  ['services', 'services/specs'],
  ['endpoints', 'services/endpoints'],
  ['nodes', 'minions'],
  ['replicationcontrollers', 'controllers'],
  ['ingresses.networking.k8s.io', 'ingress'],
  ['ingresses.extensions', 'ingress'],
  ['customresourcedefinitions.apiextensions.k8s.io', 'apiextensions.k8s.io/customresourcedefinitions'],
  ['apiservices.apiregistration.k8s.io', 'apiregistration.k8s.io/apiservices'],
]);

export interface StorageKeyOptions {
  /** A custom resource (CRD-defined): its prefix includes the group. */
  readonly custom?: boolean;
}

/** `/registry/pods`: the root of every key of a resource. */
export function registryResourcePrefix(gr: StorageGroupResource, options: StorageKeyOptions = {}): string {
  if (options.custom === true) return `${REGISTRY_ROOT}/${gr.group}/${gr.resource}`;
  const qualified = gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`;
  return `${REGISTRY_ROOT}/${KUBE_RESOURCE_PREFIXES.get(qualified) ?? gr.resource}`;
}

/**
 * The key of a collection, to list or watch recursively: every object of the resource, or
 * those of one namespace. The storage adds the trailing '/'.
 */
export function registryCollectionKey(gr: StorageGroupResource, namespace?: string, options?: StorageKeyOptions): string {
  const prefix = registryResourcePrefix(gr, options);
  return namespace === undefined || namespace === '' ? prefix : `${prefix}/${checkSegment(namespace)}`;
}

/** The key of one object; `namespace` undefined or '' for a cluster-scoped resource. */
export function registryObjectKey(gr: StorageGroupResource, namespace: string | undefined, name: string, options?: StorageKeyOptions): string {
  return `${registryCollectionKey(gr, namespace, options)}/${checkSegment(name)}`;
}

/** kube's IsValidPathSegmentName: a segment may not be '.', '..', or contain '/' or '%'. */
function checkSegment(segment: string): string {
  if (segment === '') throw new StorageInvalidKeyError(segment, 'may not be empty');
  if (segment === '.' || segment === '..') throw new StorageInvalidKeyError(segment, `may not be '${segment}'`);
  if (segment.includes('/')) throw new StorageInvalidKeyError(segment, "may not contain '/'");
  if (segment.includes('%')) throw new StorageInvalidKeyError(segment, "may not contain '%'");
  return segment;
}
