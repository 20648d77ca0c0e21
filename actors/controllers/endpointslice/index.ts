// Public surface of the EndpointSlice controller.
export { endpointSliceController, serviceForEndpointSlice } from './endpointslice-controller.js';
export {
  DEFAULT_MAX_ENDPOINTS_PER_SLICE,
  ENDPOINT_SLICE_CONTROLLER_NAME,
  ENDPOINT_SLICE_RESOURCE,
  indexSliceByService,
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  makeEndpointSliceReconciler,
  SLICE_SERVICE_INDEX,
} from './endpointslice-reconciler.js';
export { addressTypeOfService, desiredEndpointGroups } from './endpointslice-desired.js';
export type { DesiredEndpointGroup, EndpointSliceAddressType, EndpointSlicePort } from './endpointslice-desired.js';
export { ENDPOINT_SLICE_TRACKER_RECHECK_MS, ENDPOINT_SLICE_TRACKER_TIMEOUT_MS, EndpointSliceTracker } from './endpointslice-tracker.js';
export type { SliceTrackerCheck } from './endpointslice-tracker.js';
