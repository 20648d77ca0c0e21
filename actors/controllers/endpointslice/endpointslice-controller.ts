// The EndpointSlice controller: Services are its keys; a pod reconciles the Services selecting
// it, and a slice reconciles the Service named by its kubernetes.io/service-name label.

import type { ResourceObject } from '../../../core/index.js';
import type { ControllerDefinition, ReconcileRequest } from '../framework/controller-contract.js';
import { ENDPOINTS_POD_RESOURCE, ENDPOINTS_SERVICE_RESOURCE, servicesForPod } from '../endpoints/index.js';
import { ENDPOINT_SLICE_RESOURCE, LABEL_SERVICE_NAME, makeEndpointSliceReconciler } from './endpointslice-reconciler.js';

export function serviceForEndpointSlice(object: ResourceObject): readonly ReconcileRequest[] {
  const service = object.metadata?.labels?.[LABEL_SERVICE_NAME];
  return service === undefined ? [] : [{ namespace: object.metadata?.namespace ?? '', name: service }];
}

export const endpointSliceController: ControllerDefinition = {
  name: 'endpointslice',
  primary: ENDPOINTS_SERVICE_RESOURCE,
  watches: [
    { resource: ENDPOINTS_POD_RESOURCE, mapToRequests: servicesForPod },
    { resource: ENDPOINT_SLICE_RESOURCE, mapToRequests: serviceForEndpointSlice },
  ],
  makeReconciler: makeEndpointSliceReconciler,
};
