// Public surface of actors/kubelet/status/: the pod status the kubelet reports, computed purely
// from the runtime's view of a pod.
export { computePodStatus } from './pod-status.js';
export type { PodStatusContext } from './pod-status.js';
export { computePodPhase, isTerminalPodPhase } from './pod-phase.js';
export type { PodPhase } from './pod-phase.js';
export { computePodConditions, KUBELET_OWNED_POD_CONDITIONS } from './pod-conditions.js';
export type { PodConditionsInput } from './pod-conditions.js';
export { buildContainerStatus, CONTAINER_ID_SCHEME, instancesOf, NO_PROBE_RESULTS } from './container-statuses.js';
export type { ContainerStatusInput, ContainerWaitingReason, PodProbeResults } from './container-statuses.js';
export { podStatusEqual } from './status-equal.js';
