import type { OpenApiGroupVersionKind } from './schema-dsl.js';

/**
 * A subresource (`status`, `scale`, `finalize`, …) and the kind it speaks: the parent's kind
 * for status, autoscaling/v1 Scale for scale.
 */
export interface OpenApiSubresource {
  readonly name: string;
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly verbs: readonly string[];
}

/**
 * One REST resource, as the discovery and OpenAPI documents describe it. The shape is a
 * structural subset of core/api's resource registry entries, so the HTTP layer can pass those
 * directly; `FLOTILLA_OPENAPI_RESOURCES` lists the built-in ones for tests and tools.
 */
export interface OpenApiResource {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** The plural resource name in the URL (`pods`). */
  readonly resource: string;
  readonly namespaced: boolean;
  /** The singular name (`pod`); defaults to the kind in lower case. */
  readonly singular?: string;
  /** Verbs served; defaults to every REST verb (create, delete, deletecollection, get, list, patch, update, watch). */
  readonly verbs?: readonly string[];
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  readonly subresources?: readonly OpenApiSubresource[];
}

/** The verbs a resource serves when it lists none. */
export const OPENAPI_DEFAULT_VERBS: readonly string[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function subresourceGvk(sub: OpenApiSubresource): OpenApiGroupVersionKind {
  return { group: sub.group, version: sub.version, kind: sub.kind };
}

/** `api/v1` or `apis/<group>/<version>`: the key of a group-version in the `/openapi/v3` index. */
export function openApiGroupVersionPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** The apiVersion string of a group-version: `v1` or `apps/v1`. */
export function groupVersionString(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

const SUBRESOURCE_VERBS = ['get', 'patch', 'update'] as const;

function status(group: string, version: string, kind: string): OpenApiSubresource {
  return { name: 'status', group, version, kind, verbs: SUBRESOURCE_VERBS };
}

const SCALE: OpenApiSubresource = { name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: SUBRESOURCE_VERBS };

function r(
  group: string,
  version: string,
  kind: string,
  resource: string,
  namespaced: boolean,
  extra: { shortNames?: string[]; categories?: string[]; subresources?: OpenApiSubresource[]; verbs?: string[] } = {},
): OpenApiResource {
  return { group, version, kind, resource, namespaced, singular: kind.toLowerCase(), ...extra };
}

const ALL = ['all'];

/** The resources Flotilla serves (issue 4), with kube's short names, categories and subresources. */
export const FLOTILLA_OPENAPI_RESOURCES: readonly OpenApiResource[] = [
  r('', 'v1', 'Namespace', 'namespaces', false, {
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [{ name: 'finalize', group: '', version: 'v1', kind: 'Namespace', verbs: ['update'] }, status('', 'v1', 'Namespace')],
  }),
  r('', 'v1', 'Node', 'nodes', false, { shortNames: ['no'], subresources: [status('', 'v1', 'Node')] }),
  r('', 'v1', 'Pod', 'pods', true, { shortNames: ['po'], categories: ALL, subresources: [status('', 'v1', 'Pod')] }),
  r('', 'v1', 'Service', 'services', true, { shortNames: ['svc'], categories: ALL, subresources: [status('', 'v1', 'Service')] }),
  r('', 'v1', 'Endpoints', 'endpoints', true, { shortNames: ['ep'] }),
  r('', 'v1', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  r('', 'v1', 'Secret', 'secrets', true),
  r('', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
  r('', 'v1', 'ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'] }),
  r('apps', 'v1', 'Deployment', 'deployments', true, { shortNames: ['deploy'], categories: ALL, subresources: [SCALE, status('apps', 'v1', 'Deployment')] }),
  r('apps', 'v1', 'ReplicaSet', 'replicasets', true, { shortNames: ['rs'], categories: ALL, subresources: [SCALE, status('apps', 'v1', 'ReplicaSet')] }),
  r('apps', 'v1', 'StatefulSet', 'statefulsets', true, { shortNames: ['sts'], categories: ALL, subresources: [SCALE, status('apps', 'v1', 'StatefulSet')] }),
  r('apps', 'v1', 'DaemonSet', 'daemonsets', true, { shortNames: ['ds'], categories: ALL, subresources: [status('apps', 'v1', 'DaemonSet')] }),
  r('batch', 'v1', 'Job', 'jobs', true, { categories: ALL, subresources: [status('batch', 'v1', 'Job')] }),
  r('batch', 'v1', 'CronJob', 'cronjobs', true, { shortNames: ['cj'], categories: ALL, subresources: [status('batch', 'v1', 'CronJob')] }),
  r('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
  r('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true),
];
