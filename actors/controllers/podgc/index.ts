// Public surface of the pod garbage collector.
export { podGcController, podGcRequestsForPod } from './podgc-controller.js';
export {
  DEFAULT_POD_GC_ORPHAN_QUARANTINE_SECONDS,
  DEFAULT_TERMINATED_POD_GC_THRESHOLD,
  indexPodGcState,
  makePodGcReconciler,
  POD_GC_GLOBAL_KEY,
  POD_GC_MAX_DELETES_PER_PASS,
  POD_GC_STATE_INDEX,
} from './podgc-reconciler.js';
