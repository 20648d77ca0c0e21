// One watch on the in-memory client: filters committed changes through its selectors, batches
// what one synchronous stretch of writes produced, and delivers it on a microtask (never from
// inside watch() or a write), so callbacks see the same asynchrony as over the network.

import { cloneJsonValue } from './json-value.js';
import type { ResourceObjectFilter } from './object-filter.js';
import type { ResourceObject } from './object.js';
import type { ResourceWatchCloseHandler, ResourceWatchEvent, ResourceWatchEventsHandler } from './resource-client.js';

/** A committed change as the in-memory client's history keeps it. */
export interface InMemoryChange {
  readonly revision: number;
  /** groupVersionResourceKey of the object's resource. */
  readonly resourceKey: string;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The new state; for DELETED the last state, carrying the deletion's resourceVersion. */
  readonly object: ResourceObject;
  /** The state before the change; absent for ADDED. */
  readonly previous: ResourceObject | undefined;
}

type WatcherState = 'open' | 'closing' | 'closed';

export class InMemoryWatcher {
  private pending: ResourceWatchEvent[] = [];
  private flushQueued = false;
  private state: WatcherState = 'open';
  private closeError: Error | undefined;

  constructor(
    readonly resourceKey: string,
    private readonly filter: ResourceObjectFilter | undefined,
    readonly allowBookmarks: boolean,
    /** Undelivered events beyond which the watch is ended cleanly (a slow watcher is dropped). */
    private readonly maxPendingEvents: number,
    private readonly onEvents: ResourceWatchEventsHandler,
    private readonly onClose: ResourceWatchCloseHandler,
    private readonly detach: (watcher: InMemoryWatcher) => void,
  ) {}

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Queues the events `change` means to this watch (none, or one translated by the selectors). */
  offer(change: InMemoryChange): void {
    if (change.resourceKey !== this.resourceKey) return;
    const type = this.translate(change);
    if (type !== undefined) this.push({ type, object: cloneJsonValue(change.object) });
  }

  push(event: ResourceWatchEvent): void {
    if (this.state !== 'open') return;
    if (this.pending.length >= this.maxPendingEvents) {
      this.close();
      return;
    }
    this.pending.push(event);
    this.schedule();
  }

  /** Ends the watch after delivering what is queued; onClose(err) follows. */
  close(err?: Error): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.closeError = err;
    this.schedule();
  }

  /** The caller's stop(): no more callbacks. */
  stop(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.pending = [];
    this.detach(this);
  }

  private translate(change: InMemoryChange): InMemoryChange['type'] | undefined {
    if (this.filter === undefined || this.filter.selectsAll) return change.type;
    const now = change.type !== 'DELETED' && this.filter.matches(change.object);
    const before = change.previous !== undefined && this.filter.matches(change.previous);
    if (change.type === 'DELETED') return before ? 'DELETED' : undefined;
    if (now) return before ? 'MODIFIED' : 'ADDED';
    return before ? 'DELETED' : undefined;
  }

  private schedule(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.state === 'closed') return;
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) this.onEvents(batch);
    if (this.state !== 'closing') return;
    this.state = 'closed';
    this.detach(this);
    this.onClose(this.closeError);
  }
}
