// The Endpoints reconciler, keyed by Service, as kube's endpoints controller syncService: a
// Service with a selector gets an Endpoints object of the same name listing the pods it selects;
// a Service without a selector is left alone (its Endpoints are the user's); the Endpoints of a
// deleted Service are deleted.

import type { Endpoints, ObjectCacheReader, Pod, Service } from '../../../core/index.js';
import { indexByNamespace, isNotFound, metaNamespaceKeyOf, NAMESPACE_INDEX } from '../../../core/index.js';
import type { ControllerContext, ReconcileRequest, ReconcileResult, Reconciler } from '../framework/controller-contract.js';
import { computeEndpointSubsets, ENDPOINTS_OVER_CAPACITY_ANNOTATION } from './endpoints-subsets.js';
import { endpointLabelsFor, ENDPOINTS_POD_RESOURCE, ENDPOINTS_SERVICE_RESOURCE, serviceSelector, serviceSelectsPod } from './service-pods.js';

export const ENDPOINTS_RESOURCE = { group: '', version: 'v1', resource: 'endpoints' } as const;

/** The caches the Endpoints and EndpointSlice controllers share (one informer per resource). */
export function serviceCaches(context: ControllerContext): { services: ObjectCacheReader<Service>; pods: ObjectCacheReader<Pod> } {
  const indexers = { [NAMESPACE_INDEX]: indexByNamespace };
  return {
    services: context.informers.informerFor<Service>(ENDPOINTS_SERVICE_RESOURCE, { indexers }).cache,
    pods: context.informers.informerFor<Pod>(ENDPOINTS_POD_RESOURCE, { indexers }).cache,
  };
}

/** The pods of the Service's namespace its selector matches. */
export function selectedPods(pods: ObjectCacheReader<Pod>, service: Service, selector: Readonly<Record<string, string>>): Pod[] {
  return pods.byIndex(NAMESPACE_INDEX, service.metadata?.namespace ?? '').filter((pod) => serviceSelectsPod(selector, pod));
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export function makeEndpointsReconciler(context: ControllerContext): Reconciler {
  const { client } = context;
  const { services, pods } = serviceCaches(context);
  const endpoints = context.informers.informerFor<Endpoints>(ENDPOINTS_RESOURCE).cache;

  return {
    async reconcile(request: ReconcileRequest): Promise<ReconcileResult> {
      const key = metaNamespaceKeyOf(request.namespace, request.name);
      const service = services.get(key);
      const current = endpoints.get(key);
      const ref = { ...ENDPOINTS_RESOURCE, namespace: request.namespace, name: request.name };
      if (service === undefined) {
        if (current === undefined) return {};
        try {
          await client.delete(ref, { preconditions: { uid: current.metadata?.uid ?? '' } });
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        return {};
      }
      const selector = serviceSelector(service);
      if (selector === undefined) return {};

      const { subsets, truncated } = computeEndpointSubsets(service, selectedPods(pods, service, selector));
      const labels = endpointLabelsFor(service);
      const annotations: Record<string, string> = { ...(current?.metadata?.annotations ?? {}) };
      if (truncated) annotations[ENDPOINTS_OVER_CAPACITY_ANNOTATION] = 'truncated';
      else delete annotations[ENDPOINTS_OVER_CAPACITY_ANNOTATION];
      const wantedSubsets = subsets.length === 0 ? undefined : subsets;
      if (current !== undefined && sameJson(current.subsets, wantedSubsets) && sameJson(current.metadata?.labels ?? {}, labels) && sameJson(current.metadata?.annotations ?? {}, annotations)) return {};

      const metadata = { ...(current?.metadata ?? {}), name: request.name, namespace: request.namespace, labels, annotations };
      if (Object.keys(annotations).length === 0) delete (metadata as { annotations?: unknown }).annotations;
      const next: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata };
      if (wantedSubsets !== undefined) next.subsets = wantedSubsets;
      // A create that meets an existing object (the cache lagged) fails and is retried with a fresh cache.
      if (current === undefined) await client.create<Endpoints>(ENDPOINTS_RESOURCE, next);
      else await client.update<Endpoints>(ENDPOINTS_RESOURCE, next);
      return {};
    },
  };
}
