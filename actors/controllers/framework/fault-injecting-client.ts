// A ResourceClient wrapper that mistreats watch streams — drops, duplicates and reorders events,
// and can end every watch with 410 Expired — driven by a seeded Random, so a test can check that a
// controller converges anyway (it is level-triggered: it must never trust an event to describe
// the world). Every other verb passes through untouched.

import type {
  GroupVersionResource,
  Random,
  ResourceClient,
  ResourceCreateOptions,
  ResourceDeleteOptions,
  ResourceListOptions,
  ResourceListResult,
  ResourceObject,
  ResourceObjectRef,
  ResourcePatchType,
  ResourceUpdateOptions,
  ResourceWatch,
  ResourceWatchCloseHandler,
  ResourceWatchEvent,
  ResourceWatchEventsHandler,
  ResourceWatchOptions,
} from '../../../core/index.js';
import { resourceExpiredError } from '../../../core/index.js';

/** Probabilities, each in [0, 1], applied per event (drop, duplicate) or per batch (reorder). */
export interface WatchFaultOptions {
  readonly dropProbability?: number;
  readonly duplicateProbability?: number;
  /** A reordered batch is shuffled and held back until after the next batch of its watch. */
  readonly reorderProbability?: number;
}

export interface WatchFaultCounts {
  dropped: number;
  duplicated: number;
  reordered: number;
  expired: number;
}

interface OpenWatch {
  readonly inner: ResourceWatch;
  expire(): void;
}

export class FaultInjectingResourceClient implements ResourceClient {
  /** Faults to inject; `enabled = false` passes every event through (and releases held ones). */
  faults: WatchFaultOptions;
  enabled = true;
  readonly counts: WatchFaultCounts = { dropped: 0, duplicated: 0, reordered: 0, expired: 0 };
  private readonly open = new Set<OpenWatch>();

  constructor(
    readonly inner: ResourceClient,
    private readonly random: Random,
    faults: WatchFaultOptions = {},
  ) {
    this.faults = faults;
  }

  /**
   * Ends every open watch with a 410 Expired Status, so informers relist: the liveness phase of a
   * fault test calls it (after `enabled = false`) to repair caches that lost events.
   */
  expireWatches(): void {
    for (const watch of [...this.open]) watch.expire();
  }

  get openWatches(): number {
    return this.open.size;
  }

  get<T extends ResourceObject = ResourceObject>(ref: ResourceObjectRef): Promise<T> {
    return this.inner.get<T>(ref);
  }

  list<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, options?: ResourceListOptions): Promise<ResourceListResult<T>> {
    return this.inner.list<T>(resource, options);
  }

  create<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, object: T, options?: ResourceCreateOptions): Promise<T> {
    return this.inner.create<T>(resource, object, options);
  }

  update<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, object: T, options?: ResourceUpdateOptions): Promise<T> {
    return this.inner.update<T>(resource, object, options);
  }

  updateStatus<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, object: T, options?: ResourceUpdateOptions): Promise<T> {
    return this.inner.updateStatus<T>(resource, object, options);
  }

  patch<T extends ResourceObject = ResourceObject>(ref: ResourceObjectRef, patchType: ResourcePatchType, patch: unknown, options?: ResourceUpdateOptions): Promise<T> {
    return this.inner.patch<T>(ref, patchType, patch, options);
  }

  delete<T extends ResourceObject = ResourceObject>(ref: ResourceObjectRef, options?: ResourceDeleteOptions): Promise<T> {
    return this.inner.delete<T>(ref, options);
  }

  watch(resource: GroupVersionResource, options: ResourceWatchOptions, onEvents: ResourceWatchEventsHandler, onClose: ResourceWatchCloseHandler): ResourceWatch {
    let closed = false;
    let held: ResourceWatchEvent[] | undefined;
    const finish = (): boolean => {
      if (closed) return false;
      closed = true;
      this.open.delete(entry);
      return true;
    };
    const inner = this.inner.watch(
      resource,
      options,
      (events) => {
        if (closed) return;
        const out = this.mistreat(events);
        const release = held !== undefined && (!this.enabled || out.length > 0);
        if (out.length > 0 && held === undefined && this.enabled && this.chance(this.faults.reorderProbability)) {
          this.counts.reordered++;
          held = this.shuffle(out);
          return;
        }
        const batch = release ? [...out, ...held!] : out;
        if (release) held = undefined;
        if (batch.length > 0) onEvents(batch);
      },
      (err) => {
        if (finish()) onClose(err);
      },
    );
    const entry: OpenWatch = {
      inner,
      expire: () => {
        if (!finish()) return;
        inner.stop();
        this.counts.expired++;
        queueMicrotask(() => onClose(resourceExpiredError('watch expired by fault injection')));
      },
    };
    this.open.add(entry);
    return {
      stop: () => {
        if (finish()) inner.stop();
      },
    };
  }

  private mistreat(events: readonly ResourceWatchEvent[]): ResourceWatchEvent[] {
    if (!this.enabled) return [...events];
    const out: ResourceWatchEvent[] = [];
    for (const event of events) {
      if (event.type === 'ERROR' || event.type === 'BOOKMARK') {
        out.push(event);
        continue;
      }
      if (this.chance(this.faults.dropProbability)) {
        this.counts.dropped++;
        continue;
      }
      out.push(event);
      if (this.chance(this.faults.duplicateProbability)) {
        this.counts.duplicated++;
        out.push(event);
      }
    }
    return out;
  }

  private chance(p: number | undefined): boolean {
    return p !== undefined && p > 0 && this.random.next() < p;
  }

  private shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.random.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}
