// Public surface of the ReplicaSet controller.
export { replicaSetController, replicaSetsForPod } from './replicaset-controller.js';
export {
  makeReplicaSetReconciler,
  podFromReplicaSetTemplate,
  REPLICA_SET_BURST_REPLICAS,
  REPLICA_SET_SLOW_START_INITIAL_BATCH,
  REPLICA_SET_STATUS_UPDATE_RETRIES,
} from './replicaset-reconciler.js';
export { PodExpectations, POD_EXPECTATIONS_TIMEOUT_MS } from './pod-expectations.js';
export type { ExpectationsCheck } from './pod-expectations.js';
export { comparePodsForDeletion, podsToDelete, POD_DELETION_COST_ANNOTATION } from './pod-deletion-order.js';
export { ClaimDependentsError, claimControlledObjects } from './controller-ref-manager.js';
export type { ClaimOptions } from './controller-ref-manager.js';
export { calculateReplicaSetStatus, REPLICA_FAILURE_CONDITION } from './replicaset-status.js';
export { deleteControlledPods } from './delete-controlled-pods.js';
export type { DeleteControlledPodsDeps } from './delete-controlled-pods.js';
