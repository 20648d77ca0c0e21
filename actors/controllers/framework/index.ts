// Public surface of actors/controllers/framework/: the controller contract, the kind-level
// controller actor with its work queue, the controller manager, and the test harness.
export type { ControllerContext, ControllerDefinition, ControllerWatch, ReconcileRequest, ReconcileResult, Reconciler } from './controller-contract.js';
export {
  controllerActor,
  DEFAULT_CONTROLLER_RESYNC_PERIOD_MS,
  DEFAULT_RECONCILE_CONCURRENCY,
  DEFAULT_RECONCILER_IDLE_MS,
  DEFAULT_RECONCILER_SHARDS,
  RECONCILE_TIMEOUT_MS,
  reconcileKeyOf,
  reconcileRequestOfKey,
} from './controller-actor.js';
export type { ControllerActorOptions, ControllerMsg, ControllerStatus } from './controller-actor.js';
export { reconcilerActor, reconcilerActorType } from './reconciler-actor.js';
export type { ReconcileOutcome, ReconcilerMsg } from './reconciler-actor.js';
export { ControllerWorkQueue, WORKQUEUE_MAX_KEYS } from './work-queue.js';
export type { ControllerWorkQueueOptions, WorkQueueStatus } from './work-queue.js';
export { DEFAULT_RECONCILE_BACKOFF, RECONCILE_BACKOFF_BASE_DELAY_MS, RECONCILE_BACKOFF_MAX_DELAY_MS, ReconcileBackoff } from './rate-limiter.js';
export type { ReconcileBackoffPolicy } from './rate-limiter.js';
export { CONTROLLER_METRIC_NAMES, controllerMetricsFor, NULL_WORKQUEUE_METRICS } from './controller-metrics.js';
export type { ControllerMetrics, ReconcileResultLabel, WorkQueueMetricsSink } from './controller-metrics.js';
export { CONTROLLER_STATUS_TIMEOUT_MS, ControllerManager, ControllerNotRunningError } from './controller-manager.js';
export type { ControllerManagerOptions } from './controller-manager.js';
export { FaultInjectingResourceClient } from './fault-injecting-client.js';
export type { WatchFaultCounts, WatchFaultOptions } from './fault-injecting-client.js';
export {
  ControllerTestHarness,
  HARNESS_DEFAULT_STEP_MS,
  HARNESS_MAX_LOG_ENTRIES,
  HARNESS_MAX_SETTLE_TURNS,
  HARNESS_START_MS,
} from './controller-test-harness.js';
export type { ControllerTestHarnessOptions, HarnessLogEntry } from './controller-test-harness.js';
export { slowStart } from './slow-start.js';
export type { SlowStartOutcome } from './slow-start.js';
