// Public surface of actors/kubelet/node: the Node a kubelet registers, its conditions, heartbeat
// Lease, host figures, static and mirror pods, the shared pod informer and kubelet metrics.
export type { NodeHostFacts, NodeHostProbe, NodePressureSample } from './host-probe.js';
export { fixedNodeHostProbe, kubernetesArchitecture, MAX_PROC_ENTRIES_SCANNED, osNodeHostProbe } from './host-probe.js';
export type { NodeReadiness } from './node-conditions.js';
export {
  computeNodeConditions,
  DISK_PRESSURE_AVAILABLE_FRACTION,
  MEMORY_PRESSURE_AVAILABLE_BYTES,
  nodeConditionsChanged,
  PID_PRESSURE_AVAILABLE_FRACTION,
} from './node-conditions.js';
export type { NodeRegistrationConfig } from './node-object.js';
export { DEFAULT_MAX_PODS, HOLLOW_NODE_LABEL, initialNode, KUBELET_VERSION, nodeAllocatableOf, nodeCapacity, nodeLabels, NODES } from './node-object.js';
export type { NodeStatusReporterOptions } from './node-status.js';
export {
  DEFAULT_NODE_STATUS_REPORT_FREQUENCY_MS,
  DEFAULT_NODE_STATUS_UPDATE_FREQUENCY_MS,
  NODE_STATUS_WRITE_ATTEMPTS,
  NodeNotRegisteredError,
  NodeStatusReporter,
} from './node-status.js';
export {
  DEFAULT_NODE_LEASE_DURATION_SECONDS,
  LEASES,
  NODE_LEASE_NAMESPACE,
  NODE_LEASE_RENEW_ATTEMPTS,
  NODE_LEASE_RENEW_INTERVAL_FRACTION,
  nodeLeaseFor,
  NodeLeaseRenewer,
  nodeLeaseRenewIntervalMs,
} from './node-lease.js';
export type { StaticPodManifestFile, StaticPodSource } from './static-pods.js';
export {
  CONFIG_HASH_ANNOTATION,
  CONFIG_MIRROR_ANNOTATION,
  CONFIG_SOURCE_ANNOTATION,
  directoryStaticPodSource,
  InMemoryStaticPodSource,
  isMirrorPod,
  MAX_STATIC_POD_MANIFEST_BYTES,
  MAX_STATIC_POD_MANIFESTS,
  STATIC_POD_CHECK_INTERVAL_MS,
  StaticPodManifestError,
  staticPodFromManifest,
} from './static-pods.js';
export type { StaticPodChanges } from './static-pod-set.js';
export { StaticPodSet } from './static-pod-set.js';
export type { MirrorPodChanges } from './mirror-pods.js';
export { mirrorPodFor, PODS, reconcileMirrorPods } from './mirror-pods.js';
export type { NodePodHandler, NodePodInformerOptions } from './node-pod-informer.js';
export { BOUND_PODS_FIELD_SELECTOR, NodePodInformer, podsOfNodeFieldSelector } from './node-pod-informer.js';
export type { NodeKubeletMetrics, NodeRuntimeCounts } from './kubelet-metrics.js';
export { KubeletMetrics, POD_START_DURATION_BUCKETS_SECONDS } from './kubelet-metrics.js';
export { allContainersRunning, MAX_TRACKED_POD_STARTS, PodStartTracker } from './pod-start-tracker.js';
