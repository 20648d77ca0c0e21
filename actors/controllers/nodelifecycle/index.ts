// Public surface of the node lifecycle controller (node health, controller-managed taints,
// taint-based eviction).
export { nodeForLease, nodeForPod, nodeLifecycleController } from './node-lifecycle-controller.js';
export { makeNodeLifecycleReconciler } from './node-lifecycle-reconciler.js';
export { NODE_EVICTIONS_PER_PASS, NODE_LEASE_RESOURCE, NODE_LIFECYCLE_SETTINGS, NODE_RESOURCE } from './node-lifecycle-resources.js';
export {
  conditionsMarkedUnknown,
  NODE_MONITORED_CONDITIONS,
  NODE_STATUS_NEVER_UPDATED_MESSAGE,
  NODE_STATUS_NEVER_UPDATED_REASON,
  NODE_STATUS_UNKNOWN_MESSAGE,
  NODE_STATUS_UNKNOWN_REASON,
  NodeHealthTracker,
} from './node-health.js';
export {
  reconcileNodeTaints,
  TAINT_NODE_DISK_PRESSURE,
  TAINT_NODE_MEMORY_PRESSURE,
  TAINT_NODE_NETWORK_UNAVAILABLE,
  TAINT_NODE_NOT_READY,
  TAINT_NODE_PID_PRESSURE,
  TAINT_NODE_UNREACHABLE,
  TAINT_NODE_UNSCHEDULABLE,
  toleratesTaint,
  wantedManagedTaints,
} from './node-taints.js';
export { taintEvictionDecision } from './taint-eviction.js';
export type { TaintEvictionDecision } from './taint-eviction.js';
