/**
 * The watch cache's Prometheus metrics, under kube-apiserver's names. Two CachedStorages given
 * the same registry share (and sum into) the same metrics.
 */
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

export const WATCH_CACHE_METRIC_NAMES = {
  eventsDispatched: 'apiserver_watch_cache_events_dispatched_total',
  initializations: 'apiserver_watch_cache_initializations_total',
  resourceVersion: 'apiserver_watch_cache_resource_version',
  watchEvents: 'apiserver_watch_events_total',
} as const;

/** The metrics of one cacher, bound to its labels so the hot path does no label hashing. */
export interface CacherMetrics {
  /** One change received from the store and dispatched to the watchers. */
  readonly eventsDispatched: { inc(): void };
  readonly initializations: { inc(): void };
  readonly resourceVersion: { set(revision: number): void };
  /** `n` events sent to watchers (labelled by the kind of the objects). */
  watchEventsSent(kind: string, n: number): void;
}

export class WatchCacheMetrics {
  private readonly eventsDispatched: Counter<'resource'>;
  private readonly initializations: Counter<'resource'>;
  private readonly resourceVersion: Gauge<'resource'>;
  private readonly watchEvents: Counter<'kind'>;

  constructor(registry: Registry) {
    const resource = ['resource'] as const;
    this.eventsDispatched =
      existing(registry, WATCH_CACHE_METRIC_NAMES.eventsDispatched, Counter) ??
      new Counter({ name: WATCH_CACHE_METRIC_NAMES.eventsDispatched, help: 'Counter of events dispatched in watch cache broken by resource type.', labelNames: resource, registers: [registry] });
    this.initializations =
      existing(registry, WATCH_CACHE_METRIC_NAMES.initializations, Counter) ??
      new Counter({ name: WATCH_CACHE_METRIC_NAMES.initializations, help: 'Counter of watch cache initializations broken by resource type.', labelNames: resource, registers: [registry] });
    this.resourceVersion =
      existing(registry, WATCH_CACHE_METRIC_NAMES.resourceVersion, Gauge) ??
      new Gauge({ name: WATCH_CACHE_METRIC_NAMES.resourceVersion, help: 'Current resource version of watch cache broken by resource type.', labelNames: resource, registers: [registry] });
    this.watchEvents =
      existing(registry, WATCH_CACHE_METRIC_NAMES.watchEvents, Counter) ??
      new Counter({ name: WATCH_CACHE_METRIC_NAMES.watchEvents, help: 'Number of events sent in watch clients.', labelNames: ['kind'] as const, registers: [registry] });
  }

  forResource(resource: string): CacherMetrics {
    const watchEventsByKind = new Map<string, { inc(n: number): void }>();
    const watchEvents = this.watchEvents;
    return {
      eventsDispatched: this.eventsDispatched.labels(resource),
      initializations: this.initializations.labels(resource),
      resourceVersion: this.resourceVersion.labels(resource),
      watchEventsSent(kind: string, n: number): void {
        let child = watchEventsByKind.get(kind);
        if (child === undefined) {
          child = watchEvents.labels(kind);
          watchEventsByKind.set(kind, child);
        }
        child.inc(n);
      },
    };
  }
}

/** A cacher's metrics when no registry is given. */
export const NO_CACHER_METRICS: CacherMetrics = {
  eventsDispatched: { inc: () => undefined },
  initializations: { inc: () => undefined },
  resourceVersion: { set: () => undefined },
  watchEventsSent: () => undefined,
};

function existing<T>(registry: Registry, name: string, kind: abstract new (...args: never[]) => T): T | undefined {
  const m = registry.getSingleMetric(name);
  return m instanceof kind ? m : undefined;
}
