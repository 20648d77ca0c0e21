// Public surface of the Endpoints controller, and the Service/pod helpers the EndpointSlice
// controller shares.
export { endpointsController, serviceForEndpoints, servicesForPod } from './endpoints-controller.js';
export { ENDPOINTS_RESOURCE, makeEndpointsReconciler, selectedPods, serviceCaches } from './endpoints-reconciler.js';
export { computeEndpointSubsets, ENDPOINTS_MAX_ADDRESSES, ENDPOINTS_OVER_CAPACITY_ANNOTATION } from './endpoints-subsets.js';
export {
  endpointLabelsFor,
  ENDPOINTS_POD_RESOURCE,
  ENDPOINTS_SERVICE_RESOURCE,
  isHeadlessService,
  isPodReadyForEndpoints,
  LABEL_SERVICE_HEADLESS,
  podHostnameFor,
  podTargetRef,
  resolveTargetPort,
  serviceSelector,
  serviceSelectsPod,
  shouldPodBeInEndpoints,
} from './service-pods.js';
