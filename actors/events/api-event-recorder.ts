// Records Events through the resource API, as client-go's legacy (core/v1) EventBroadcaster does:
// asynchronously from a bounded queue, rate limited per object, and aggregating exact repeats
// (same object, type, reason and message within the aggregation window) into one Event whose
// `count` and `lastTimestamp` are patched.

import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Event, ObjectReference, Random, ResourceClient, ResourceObject } from '../../core/index.js';
import { formatRfc3339, isNotFound } from '../../core/index.js';
import type { Clock } from '../../raft/index.js';
import type { ActorLogger } from '../runtime/index.js';
import type { EventRecorder, EventType } from './event-recorder.js';
import type { EventRateLimitPolicy } from './event-rate-limiter.js';
import { EventRateLimiter } from './event-rate-limiter.js';

export const EVENTS_RESOURCE = { group: '', version: 'v1', resource: 'events' } as const;
/** Events waiting to be written; past it new ones are dropped (client-go's maxQueuedEvents). */
export const EVENT_RECORDER_MAX_QUEUED = 1000;
/** A repeat within this long of the previous occurrence bumps the existing Event's count. */
export const EVENT_AGGREGATION_WINDOW_MS = 10 * 60_000;
/** Distinct (object, type, reason, message) remembered for aggregation (client-go's LRU size). */
export const EVENT_AGGREGATION_CACHE_SIZE = 4096;
export const EVENT_METRIC_NAMES = { dropped: 'flotilla_events_dropped_total' } as const;

/** Why an Event was not written. */
export type EventDropReason = 'rate_limited' | 'queue_full' | 'write_failed' | 'stopped';

export interface ApiEventRecorderOptions {
  readonly client: ResourceClient;
  readonly clock: Clock;
  readonly random: Random;
  /** `source.component` and `reportingComponent`: `kubelet`, `replicaset-controller`, … */
  readonly component: string;
  /** `source.host` (the node name, for the kubelet). */
  readonly host?: string;
  /** `reportingInstance`; default `host`, else `component`. */
  readonly reportingInstance?: string;
  readonly maxQueued?: number;
  readonly rateLimit?: EventRateLimitPolicy;
  readonly registry?: Registry;
  readonly logger?: ActorLogger;
}

interface PendingEvent {
  readonly aggregationKey: string;
  readonly involved: ObjectReference;
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
  readonly atMs: number;
}

interface Aggregate {
  readonly namespace: string;
  readonly name: string;
  count: number;
  lastMs: number;
}

export class ApiEventRecorder implements EventRecorder {
  private readonly options: ApiEventRecorderOptions;
  private readonly maxQueued: number;
  private readonly limiter: EventRateLimiter;
  private readonly queue: PendingEvent[] = [];
  /** In least-recently-used order. */
  private readonly aggregates = new Map<string, Aggregate>();
  private readonly droppedByReason = new Map<EventDropReason, number>();
  private readonly droppedMetric: Counter<'reason'> | undefined;
  private draining: Promise<void> | undefined;
  private stopped = false;

  constructor(options: ApiEventRecorderOptions) {
    this.options = options;
    this.maxQueued = options.maxQueued ?? EVENT_RECORDER_MAX_QUEUED;
    this.limiter = new EventRateLimiter(options.rateLimit);
    const registry = options.registry;
    if (registry !== undefined) {
      const known = registry.getSingleMetric(EVENT_METRIC_NAMES.dropped);
      this.droppedMetric = known instanceof Counter
        ? (known as Counter<'reason'>)
        : new Counter({ name: EVENT_METRIC_NAMES.dropped, help: 'Events not written: rate limited, queue full, write failed.', labelNames: ['reason'], registers: [registry] });
    }
  }

  record(involved: ResourceObject, type: EventType, reason: string, message: string, fieldPath?: string): void {
    try {
      this.enqueue(involved, type, reason, message, fieldPath);
    } catch (err) {
      // The contract: never throw to the caller.
      this.drop('write_failed', err);
    }
  }

  /** Events dropped so far, for one reason or in all. */
  dropped(reason?: EventDropReason): number {
    if (reason !== undefined) return this.droppedByReason.get(reason) ?? 0;
    let total = 0;
    for (const n of this.droppedByReason.values()) total += n;
    return total;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Resolves once every Event recorded so far has been written (or failed). */
  async flush(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  /** Writes what is queued, then drops whatever is recorded later. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.flush();
  }

  private enqueue(object: ResourceObject, type: EventType, reason: string, message: string, fieldPath: string | undefined): void {
    if (this.stopped) return this.drop('stopped');
    const meta = object.metadata ?? {};
    const involved: ObjectReference = {
      ...(object.kind === undefined ? {} : { kind: object.kind }),
      ...(meta.namespace === undefined || meta.namespace === '' ? {} : { namespace: meta.namespace }),
      ...(meta.name === undefined ? {} : { name: meta.name }),
      ...(meta.uid === undefined ? {} : { uid: meta.uid }),
      ...(object.apiVersion === undefined ? {} : { apiVersion: object.apiVersion }),
      ...(meta.resourceVersion === undefined ? {} : { resourceVersion: meta.resourceVersion }),
      ...(fieldPath === undefined ? {} : { fieldPath }),
    };
    const objectKey = [involved.kind, involved.namespace, involved.name, involved.uid, involved.apiVersion].join('\u0000');
    const nowMs = this.options.clock.now();
    if (!this.limiter.tryAccept(objectKey, nowMs)) return this.drop('rate_limited');
    if (this.queue.length >= this.maxQueued) return this.drop('queue_full');
    const aggregationKey = [objectKey, fieldPath ?? '', type, reason, message].join('\u0000');
    this.queue.push({ aggregationKey, involved, type, reason, message, atMs: nowMs });
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  private async drain(): Promise<void> {
    for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
      try {
        await this.write(next);
      } catch (err) {
        this.drop('write_failed', err);
      }
    }
  }

  private async write(pending: PendingEvent): Promise<void> {
    const known = this.aggregates.get(pending.aggregationKey);
    if (known !== undefined && pending.atMs - known.lastMs <= EVENT_AGGREGATION_WINDOW_MS) {
      try {
        await this.options.client.patch(
          { ...EVENTS_RESOURCE, namespace: known.namespace, name: known.name },
          'merge',
          { count: known.count + 1, lastTimestamp: formatRfc3339(pending.atMs) },
        );
        known.count++;
        known.lastMs = pending.atMs;
        this.remember(pending.aggregationKey, known);
        return;
      } catch (err) {
        // Deleted (expired by TTL, or by a user) since: start a new Event, as client-go does.
        if (!isNotFound(err)) throw err;
      }
    }
    const { event, namespace, name } = this.eventOf(pending);
    await this.options.client.create<Event>(EVENTS_RESOURCE, event);
    // The name and namespace sent, not the answer's: an Event is created under the name it is
    // given, and a string decoded from the answer can be a slice of a string holding the whole
    // answer (msgpackr's native string extraction), which the cache would then keep, per entry.
    this.remember(pending.aggregationKey, { namespace, name, count: 1, lastMs: pending.atMs });
  }

  private eventOf(pending: PendingEvent): { readonly event: Event; readonly namespace: string; readonly name: string } {
    const o = this.options;
    const stamp = formatRfc3339(pending.atMs);
    // client-go names Events `<object>.<UnixNano in hex>`; the random nanoseconds keep two Events
    // of the same object in the same millisecond apart.
    const suffix = (BigInt(Math.floor(pending.atMs)) * 1_000_000n + BigInt(o.random.int(1_000_000))).toString(16);
    const name = `${pending.involved.name ?? 'unknown'}.${suffix}`;
    const namespace = pending.involved.namespace ?? 'default';
    const event: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: pending.involved,
      reason: pending.reason,
      message: pending.message,
      type: pending.type,
      source: { component: o.component, ...(o.host === undefined ? {} : { host: o.host }) },
      firstTimestamp: stamp,
      lastTimestamp: stamp,
      count: 1,
      eventTime: null,
      reportingComponent: o.component,
      reportingInstance: o.reportingInstance ?? o.host ?? o.component,
    };
    return { event, namespace, name };
  }

  private remember(key: string, aggregate: Aggregate): void {
    this.aggregates.delete(key);
    this.aggregates.set(key, aggregate);
    if (this.aggregates.size > EVENT_AGGREGATION_CACHE_SIZE) {
      const oldest = this.aggregates.keys().next();
      if (oldest.done !== true) this.aggregates.delete(oldest.value);
    }
  }

  private drop(reason: EventDropReason, err?: unknown): void {
    this.droppedByReason.set(reason, (this.droppedByReason.get(reason) ?? 0) + 1);
    this.droppedMetric?.labels({ reason }).inc();
    if (err !== undefined) {
      this.options.logger?.warn('event not recorded', { component: this.options.component, reason, error: err instanceof Error ? err.message : String(err) });
    }
  }
}
