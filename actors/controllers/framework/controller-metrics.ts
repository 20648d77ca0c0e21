// The metrics of controllers, named as kube-controller-manager's work queues
// (`workqueue_*`, label `name`) and controller-runtime's reconcile loop (`controller_runtime_*`,
// label `controller`), so existing dashboards and alerts read them unchanged.

import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

export const CONTROLLER_METRIC_NAMES = {
  workqueueDepth: 'workqueue_depth',
  workqueueAdds: 'workqueue_adds_total',
  workqueueRetries: 'workqueue_retries_total',
  workqueueQueueDuration: 'workqueue_queue_duration_seconds',
  workqueueWorkDuration: 'workqueue_work_duration_seconds',
  reconcileTotal: 'controller_runtime_reconcile_total',
  reconcileErrors: 'controller_runtime_reconcile_errors_total',
  activeWorkers: 'controller_runtime_active_workers',
  maxConcurrentReconciles: 'controller_runtime_max_concurrent_reconciles',
  reconcilerActors: 'flotilla_controller_reconciler_actors',
} as const;

/** How a reconcile ended, as controller-runtime labels `result`. */
export type ReconcileResultLabel = 'success' | 'error' | 'requeue_after';

/** client-go's work queue buckets: 1 µs to 10 s, by tens. */
const WORKQUEUE_SECONDS_BUCKETS = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10];

/** What the work queue reports; bound to one controller's name. */
export interface WorkQueueMetricsSink {
  setDepth(depth: number): void;
  added(): void;
  retried(): void;
  queueDurationSeconds(seconds: number): void;
  workDurationSeconds(seconds: number): void;
}

/** The metrics of one controller. */
export interface ControllerMetrics {
  readonly workqueue: WorkQueueMetricsSink;
  reconciled(result: ReconcileResultLabel): void;
  setActiveWorkers(n: number): void;
  reconcilerActorStarted(): void;
  reconcilerActorStopped(): void;
}

/** Metrics that go nowhere; for queues used outside a controller (tests). */
export const NULL_WORKQUEUE_METRICS: WorkQueueMetricsSink = {
  setDepth: () => undefined,
  added: () => undefined,
  retried: () => undefined,
  queueDurationSeconds: () => undefined,
  workDurationSeconds: () => undefined,
};

/**
 * Creates (or reuses, when another controller manager on the same registry already did) the
 * controller metrics and binds them to `controller`. `concurrency` is exported as a gauge.
 */
export function controllerMetricsFor(registry: Registry, controller: string, concurrency: number): ControllerMetrics {
  const n = CONTROLLER_METRIC_NAMES;
  const depth = gauge(registry, n.workqueueDepth, 'Current depth of the work queue.', ['name']).labels({ name: controller });
  const adds = counter(registry, n.workqueueAdds, 'Adds handled by the work queue.', ['name']).labels({ name: controller });
  const retries = counter(registry, n.workqueueRetries, 'Retries (rate-limited adds) handled by the work queue.', ['name']).labels({ name: controller });
  const queueDuration = histogram(registry, n.workqueueQueueDuration, 'How long a key stays in the work queue before being requested.', ['name']).labels({ name: controller });
  const workDuration = histogram(registry, n.workqueueWorkDuration, 'How long processing a key from the work queue takes.', ['name']).labels({ name: controller });
  const total = counter(registry, n.reconcileTotal, 'Reconciles per controller and result.', ['controller', 'result']);
  const errors = counter(registry, n.reconcileErrors, 'Reconciles that returned an error, per controller.', ['controller']).labels({ controller });
  const active = gauge(registry, n.activeWorkers, 'Reconciles in flight, per controller.', ['controller']).labels({ controller });
  gauge(registry, n.maxConcurrentReconciles, 'Bound on reconciles in flight, per controller.', ['controller']).labels({ controller }).set(concurrency);
  const actors = gauge(registry, n.reconcilerActors, 'Live per-object reconciler actors (not passivated), per controller.', ['controller']).labels({ controller });
  const byResult = {
    success: total.labels({ controller, result: 'success' }),
    error: total.labels({ controller, result: 'error' }),
    requeue_after: total.labels({ controller, result: 'requeue_after' }),
  };
  return {
    workqueue: {
      setDepth: (d) => depth.set(d),
      added: () => adds.inc(),
      retried: () => retries.inc(),
      queueDurationSeconds: (s) => queueDuration.observe(s),
      workDurationSeconds: (s) => workDuration.observe(s),
    },
    reconciled: (result) => {
      byResult[result].inc();
      if (result === 'error') errors.inc();
    },
    setActiveWorkers: (w) => active.set(w),
    reconcilerActorStarted: () => actors.inc(),
    reconcilerActorStopped: () => actors.dec(),
  };
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Counter<L> {
  const known = registry.getSingleMetric(name);
  if (known instanceof Counter) return known as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

function gauge<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Gauge<L> {
  const known = registry.getSingleMetric(name);
  if (known instanceof Gauge) return known as Gauge<L>;
  return new Gauge({ name, help, labelNames, registers: [registry] });
}

function histogram<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Histogram<L> {
  const known = registry.getSingleMetric(name);
  if (known instanceof Histogram) return known as Histogram<L>;
  return new Histogram({ name, help, labelNames, buckets: WORKQUEUE_SECONDS_BUCKETS, registers: [registry] });
}
