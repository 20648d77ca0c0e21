// Which resources the garbage collector watches (every served kind it can list, watch and
// delete, except Events, as kube's GC ignores them), and how an object of any of them becomes a
// reconcile key. The framework's keys are `namespace/name`; the GC's encode the resource in the
// namespace field: `replicasets.apps` + `default/web`, `pods` + `default/web-x`, `nodes` + `n1`.
// Namespaces are the controller's primary resource and keep their plain key (namespace '').

import type { ApiResourceType, GroupVersionResource, ResourceObject, ResourceOwnerReference } from '../../../core/index.js';
import { API_RESOURCES, lookupResource, metaNamespaceKey, parseApiVersion } from '../../../core/index.js';
import type { ReconcileRequest } from '../framework/controller-contract.js';

export const GC_NAMESPACE_RESOURCE: GroupVersionResource = { group: '', version: 'v1', resource: 'namespaces' };

/** Kinds kube's garbage collector ignores (DefaultIgnoredResources). */
const IGNORED_KINDS: ReadonlySet<string> = new Set(['/Event', 'events.k8s.io/Event']);

/** The served resources the garbage collector keeps a graph of. */
export function garbageCollectedResources(): readonly ApiResourceType[] {
  return API_RESOURCES.filter(
    (type) => ['list', 'watch', 'delete'].every((verb) => type.verbs.includes(verb)) && !IGNORED_KINDS.has(`${type.group}/${type.kind}`),
  );
}

export function gvrOf(type: ApiResourceType): GroupVersionResource {
  return { group: type.group, version: type.version, resource: type.resource };
}

function isNamespaceType(type: Pick<ApiResourceType, 'group' | 'resource'>): boolean {
  return type.group === '' && type.resource === 'namespaces';
}

/** The GC's reconcile key for an object of `type`. */
export function gcRequestFor(type: Pick<ApiResourceType, 'group' | 'resource'>, object: ResourceObject): ReconcileRequest {
  if (isNamespaceType(type)) return { namespace: '', name: object.metadata?.name ?? '' };
  return { namespace: type.group === '' ? type.resource : `${type.resource}.${type.group}`, name: metaNamespaceKey(object) };
}

/** What a GC key names: the resource and the object's cache key; undefined for a key of no served resource. */
export function gcTargetOf(request: ReconcileRequest): { type: ApiResourceType; key: string } | undefined {
  if (request.namespace === '') {
    const type = lookupResource('', 'namespaces');
    return type === undefined ? undefined : { type, key: request.name };
  }
  const dot = request.namespace.indexOf('.');
  const resource = dot < 0 ? request.namespace : request.namespace.slice(0, dot);
  const group = dot < 0 ? '' : request.namespace.slice(dot + 1);
  const type = lookupResource(group, resource);
  return type === undefined ? undefined : { type, key: request.name };
}

/** The served resource an owner reference names (by group and kind, any version, as kube's REST mapper). */
export function resourceForOwnerReference(reference: Pick<ResourceOwnerReference, 'apiVersion' | 'kind'>): ApiResourceType | undefined {
  const { group } = parseApiVersion(reference.apiVersion ?? '');
  return API_RESOURCES.find((type) => type.group === group && type.kind === reference.kind);
}
