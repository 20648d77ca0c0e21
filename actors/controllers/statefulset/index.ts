// Public surface of the StatefulSet controller.
export { statefulSetController, statefulSetsForPod } from './statefulset-controller.js';
export { makeStatefulSetReconciler, STATEFULSET_REVISION_TEMPLATES_MAX } from './statefulset-reconciler.js';
export { STATEFULSET_RESOURCE } from './statefulset-resources.js';
export {
  CONTROLLER_REVISION_HASH_LABEL,
  identityMatches,
  newStatefulSetPod,
  POD_INDEX_LABEL,
  podOrdinal,
  STATEFULSET_POD_NAME_LABEL,
  statefulSetRevisionName,
} from './statefulset-pods.js';
