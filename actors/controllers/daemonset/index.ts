// Public surface of the DaemonSet controller.
export { daemonSetController, daemonSetsForNode, daemonSetsForPod } from './daemonset-controller.js';
export { DAEMONSET_BURST_REPLICAS, daemonSetRevisionHash, makeDaemonSetReconciler, newDaemonPod } from './daemonset-reconciler.js';
export { DAEMONSET_DEFAULT_TOLERATIONS, daemonPodTargetNode, nodeShouldRunDaemonPod, pinToNode, withDaemonTolerations } from './daemonset-nodes.js';
export type { NodePlacement } from './daemonset-nodes.js';
export { DAEMONSET_RESOURCE, DAEMONSET_REVISION_HASH_LABEL, DAEMONSET_TEMPLATE_GENERATION_LABEL } from './daemonset-resources.js';
