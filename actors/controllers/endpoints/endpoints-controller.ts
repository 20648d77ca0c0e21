// The Endpoints controller: Services are its keys; a pod reconciles every Service in its
// namespace that selects it (old and new labels both arrive on an update), and an Endpoints
// object reconciles its Service (so a hand edit or deletion is repaired).

import type { Pod, ResourceObject, Service } from '../../../core/index.js';
import { indexByNamespace, NAMESPACE_INDEX } from '../../../core/index.js';
import type { ControllerContext, ControllerDefinition, ReconcileRequest } from '../framework/controller-contract.js';
import { ENDPOINTS_RESOURCE, makeEndpointsReconciler } from './endpoints-reconciler.js';
import { ENDPOINTS_POD_RESOURCE, ENDPOINTS_SERVICE_RESOURCE, serviceSelector, serviceSelectsPod } from './service-pods.js';

/** The Services whose selector matches the pod's labels. */
export function servicesForPod(object: ResourceObject, context: ControllerContext): readonly ReconcileRequest[] {
  const pod = object as Pod;
  const namespace = pod.metadata?.namespace ?? '';
  const services = context.informers.informerFor<Service>(ENDPOINTS_SERVICE_RESOURCE, { indexers: { [NAMESPACE_INDEX]: indexByNamespace } }).cache;
  const out: ReconcileRequest[] = [];
  for (const service of services.byIndex(NAMESPACE_INDEX, namespace)) {
    const selector = serviceSelector(service);
    if (selector !== undefined && serviceSelectsPod(selector, pod)) out.push({ namespace, name: service.metadata?.name ?? '' });
  }
  return out;
}

export function serviceForEndpoints(object: ResourceObject): readonly ReconcileRequest[] {
  return [{ namespace: object.metadata?.namespace ?? '', name: object.metadata?.name ?? '' }];
}

export const endpointsController: ControllerDefinition = {
  name: 'endpoints',
  primary: ENDPOINTS_SERVICE_RESOURCE,
  watches: [
    { resource: ENDPOINTS_POD_RESOURCE, mapToRequests: servicesForPod },
    { resource: ENDPOINTS_RESOURCE, mapToRequests: serviceForEndpoints },
  ],
  makeReconciler: makeEndpointsReconciler,
};
