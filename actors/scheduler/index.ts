// Public surface of actors/scheduler/: the scheduler actor (kube-scheduler's default profile),
// its options, the binder seam, and the pieces its tests and benchmark drive directly.
export { schedulerActor, startScheduler, DEFAULT_SCHEDULER_NAME, DEFAULT_MAX_IN_FLIGHT_BINDS, SCHEDULING_BATCH_PER_TURN, BACKOFF_FLUSH_INTERVAL_MS, UNSCHEDULABLE_FLUSH_INTERVAL_MS } from './scheduler-actor.js';
export type { SchedulerOptions, SchedulerMsg, SchedulerStats, SchedulerHandle, SchedulerParent } from './scheduler-actor.js';
export { resourceClientPodBinder, PodBindingRejectedError, RESOURCE_CLIENT_BIND_CONFLICT_RETRIES } from './pod-binder.js';
export type { PodBinder, PodBindingTarget } from './pod-binder.js';
export { SCHEDULER_METRIC_NAMES } from './scheduler-metrics.js';
export { MAX_IN_FLIGHT_STATUS_UPDATES, POD_STATUS_CONFLICT_RETRIES } from './pod-status.js';
export { SchedulerCache, PodAlreadyAssumedError, LABEL_HOSTNAME, LABEL_TOPOLOGY_ZONE, SCHEDULER_CACHE_MAX_INTERNED_ZONES } from './scheduler-cache.js';
export { SchedulerNodeInfo } from './node-info.js';
export { ControllerPodCounts, controllerPodsOnNode, CONTROLLER_COUNTS_INITIAL_SLOTS } from './controller-pod-counts.js';
export { schedulerPodInfoOf } from './pod-info.js';
export type { SchedulerPodInfo } from './pod-info.js';
export { SchedulingQueue, POD_INITIAL_BACKOFF_MS, POD_MAX_BACKOFF_MS, POD_MAX_IN_UNSCHEDULABLE_PODS_MS, SCHEDULING_QUEUE_MAX_PODS } from './scheduling-queue.js';
export type { QueuedPodInfo, ClusterEvent } from './scheduling-queue.js';
export { schedulePod, scoreNodes, selectHost, numFeasibleNodesToFind, MIN_FEASIBLE_NODES_TO_FIND } from './schedule-pod.js';
export type { SchedulePodResult, NodeCursor } from './schedule-pod.js';
export { FitDiagnosis, formatFitErrorMessage, NO_NODES_AVAILABLE_MESSAGE } from './fit-error.js';
export type { SchedulerPluginName } from './fit-error.js';
export { runNodeFilters } from './node-filters.js';
export { MAX_NODE_SCORE, SCORE_WEIGHTS } from './scores.js';
export { computePodRequests, QUANTITY_MEMO_MAX_ENTRIES } from './pod-requests.js';
