// The scheduler's Prometheus metrics, named and labelled as kube-scheduler's.

import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

export type ScheduleAttemptResult = 'scheduled' | 'unschedulable' | 'error';

/** What scheduler_pending_pods reads at scrape time. */
export interface PendingPodCounts {
  readonly active: number;
  readonly backoff: number;
  readonly unschedulable: number;
}

export const SCHEDULER_METRIC_NAMES = {
  scheduleAttempts: 'scheduler_schedule_attempts_total',
  attemptDuration: 'scheduler_scheduling_attempt_duration_seconds',
  pendingPods: 'scheduler_pending_pods',
  sliDuration: 'scheduler_pod_scheduling_sli_duration_seconds',
  algorithmDuration: 'scheduler_scheduling_algorithm_duration_seconds',
} as const;

/** kube's buckets: exponential from 1 ms by 2 (attempts), from 10 ms by 1.5 (SLI). */
const ATTEMPT_BUCKETS = Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i);
const SLI_BUCKETS = Array.from({ length: 20 }, (_, i) => 0.01 * 1.5 ** i);

/** Where scheduler_pending_pods reads from: one per registry, re-pointed when a scheduler (re)starts on it. */
interface PendingSourceHolder {
  source: () => PendingPodCounts;
}
const pendingSources = new WeakMap<Registry, PendingSourceHolder>();

export class SchedulerMetrics {
  private readonly attempts: Counter<'result' | 'profile'>;
  private readonly attemptDuration: Histogram<'result' | 'profile'>;
  private readonly sli: Histogram<'attempts'>;
  private readonly algorithm: Histogram;
  private readonly pending: PendingSourceHolder;

  constructor(
    registry: Registry,
    private readonly profile: string,
  ) {
    this.attempts = existing(registry, SCHEDULER_METRIC_NAMES.scheduleAttempts) ??
      new Counter({ name: SCHEDULER_METRIC_NAMES.scheduleAttempts, help: 'Number of attempts to schedule pods, by the result.', labelNames: ['result', 'profile'], registers: [registry] });
    this.attemptDuration = existing(registry, SCHEDULER_METRIC_NAMES.attemptDuration) ??
      new Histogram({ name: SCHEDULER_METRIC_NAMES.attemptDuration, help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding).', labelNames: ['result', 'profile'], buckets: ATTEMPT_BUCKETS, registers: [registry] });
    this.sli = existing(registry, SCHEDULER_METRIC_NAMES.sliDuration) ??
      new Histogram({ name: SCHEDULER_METRIC_NAMES.sliDuration, help: 'E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue.', labelNames: ['attempts'], buckets: SLI_BUCKETS, registers: [registry] });
    this.algorithm = existing(registry, SCHEDULER_METRIC_NAMES.algorithmDuration) ??
      new Histogram({ name: SCHEDULER_METRIC_NAMES.algorithmDuration, help: 'Scheduling algorithm latency in seconds', buckets: ATTEMPT_BUCKETS, registers: [registry] });
    let holder = pendingSources.get(registry);
    if (holder === undefined) {
      const created: PendingSourceHolder = { source: () => ({ active: 0, backoff: 0, unschedulable: 0 }) };
      holder = created;
      pendingSources.set(registry, created);
      new Gauge({
        name: SCHEDULER_METRIC_NAMES.pendingPods,
        help: "Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'backoff' means number of pods in backoffQ; 'unschedulable' means number of pods in unschedulablePods.",
        labelNames: ['queue'],
        registers: [registry],
        collect() {
          const c = created.source();
          this.set({ queue: 'active' }, c.active);
          this.set({ queue: 'backoff' }, c.backoff);
          this.set({ queue: 'unschedulable' }, c.unschedulable);
          this.set({ queue: 'gated' }, 0);
        },
      });
    }
    this.pending = holder;
  }

  setPendingSource(source: () => PendingPodCounts): void {
    this.pending.source = source;
  }

  observeAttempt(result: ScheduleAttemptResult, durationSeconds: number): void {
    this.attempts.inc({ result, profile: this.profile });
    this.attemptDuration.observe({ result, profile: this.profile }, durationSeconds);
  }

  /** One run of the algorithm (filter, score, select), without the bind. */
  observeAlgorithm(durationSeconds: number): void {
    this.algorithm.observe(durationSeconds);
  }

  observeScheduled(attempts: number, sliSeconds: number): void {
    this.sli.observe({ attempts: String(attempts) }, sliSeconds);
  }
}

function existing<M>(registry: Registry, name: string): M | undefined {
  return registry.getSingleMetric(name) as M | undefined;
}
