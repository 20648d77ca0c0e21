// Public surface of the Deployment controller.
export { deploymentController, deploymentsForPod, deploymentsForReplicaSet } from './deployment-controller.js';
export { makeDeploymentReconciler } from './deployment-reconciler.js';
export { ReplicaSetHashCollisionError } from './deployment-pass.js';
export { computePodTemplateHash, POD_TEMPLATE_HASH_LABEL, templatesEqualIgnoringHash } from './pod-template-hash.js';
export {
  CHANGE_CAUSE_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  REVISION_HISTORY_MAX_CHARS,
} from './deployment-annotations.js';
export { DEPLOYMENT_AVAILABLE, DEPLOYMENT_PROGRESSING, DEPLOYMENT_REPLICA_FAILURE, DeploymentReason } from './deployment-status.js';
export { InvalidIntOrPercentError, maxSurge, maxUnavailable, scaledIntOrPercent } from './rollout-math.js';
