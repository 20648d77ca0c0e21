// Public surface of actors/kubelet/pod-worker/: the per-pod worker actor that drives the
// container runtime to a pod's spec and reports the pod's status.
export { podWorkerActor, POD_WORKER_MAILBOX_CAPACITY } from './pod-worker.js';
export type { PodWorkerOptions } from './pod-worker.js';
export type { PodVolumes, PodWorkerState } from './pod-worker-state.js';
export {
  CONTAINER_HASH_LABEL,
  CONTAINER_NAME_LABEL,
  CONTAINER_RESTART_COUNT_LABEL,
  containerLabels,
  containerSpecHash,
  POD_NAME_LABEL,
  POD_NAMESPACE_LABEL,
  POD_UID_LABEL,
  sandboxLabels,
} from './container-labels.js';
export { CrashLoopBackoff, formatGoDuration } from './crash-loop-backoff.js';
export { effectivePullPolicy } from './image-puller.js';
export { DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS, MIN_KILL_GRACE_MS, podGracePeriodMs } from './container-killer.js';
export { confirmPodDeletion, STATUS_UPDATE_MAX_ATTEMPTS, writePodStatus } from './status-writer.js';
export type { StatusWriteResult } from './status-writer.js';
export { STATUS_RETRY_DELAY_MS } from './status-report.js';
export { shouldRestartContainer, VOLUME_SETUP_RETRY_MS } from './sync-pod.js';
