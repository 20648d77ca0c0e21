// kube's PriorityQueue: pending pods wait in one of three places.
//   active        ready to be tried, highest priority first, then the earliest queued;
//   backoff       failed recently, tried again once their back-off (1 s doubling to 10 s) is over;
//   unschedulable fit nowhere; moved back when a cluster event might help them, or after 5 min.
// A pod popped for an attempt is "in flight" until the attempt (and its bind) ends. Invariant: a
// pod key is in at most one of active, backoff, unschedulable and in-flight.

import type { Pod } from '../../core/index.js';
import type { SchedulerPluginName } from './fit-error.js';
import { PodHeap } from './pod-heap.js';

/** kube's podInitialBackoffDuration. */
export const POD_INITIAL_BACKOFF_MS = 1_000;
/** kube's podMaxBackoffDuration. */
export const POD_MAX_BACKOFF_MS = 10_000;
/** kube's podMaxInUnschedulablePodsDuration: an unschedulable pod is retried at least this often. */
export const POD_MAX_IN_UNSCHEDULABLE_PODS_MS = 5 * 60_000;
/** Pending pods the queue holds; further adds are refused (and reported by `add`). */
export const SCHEDULING_QUEUE_MAX_PODS = 1_000_000;

export type QueueLocation = 'active' | 'backoff' | 'unschedulable' | 'in-flight';

export interface QueuedPodInfo {
  readonly key: string;
  /** The latest version of the pod the informer delivered. */
  pod: Pod;
  priority: number;
  /** When it last entered a queue (clock ms): the FIFO order among equal priorities, and the start of its back-off. */
  timestampMs: number;
  /** Tie-breaker for equal timestamps: arrival order. */
  seq: number;
  /** Scheduling attempts so far (counted at pop). */
  attempts: number;
  /** When it was first queued: the start of the scheduling SLI. */
  readonly initialAttemptTimestampMs: number;
  /** Plugins that rejected it in its last attempt: which cluster events may help it. */
  unschedulablePlugins: ReadonlySet<SchedulerPluginName>;
  location: QueueLocation;
  heapIndex: number;
  /** Set when the pod is deleted while in flight, so its attempt's outcome does not requeue it. */
  deleted: boolean;
}

/** A cluster change that may make unschedulable pods schedulable; `plugins` narrows which pods it may help (absent: all). */
export interface ClusterEvent {
  readonly label: string;
  readonly plugins?: ReadonlySet<SchedulerPluginName>;
}

export class SchedulingQueue {
  private readonly pods = new Map<string, QueuedPodInfo>();
  private readonly active = new PodHeap<QueuedPodInfo>((a, b) => a.priority > b.priority || (a.priority === b.priority && (a.timestampMs < b.timestampMs || (a.timestampMs === b.timestampMs && a.seq < b.seq))));
  private readonly backoff = new PodHeap<QueuedPodInfo>((a, b) => this.backoffExpiryMs(a) < this.backoffExpiryMs(b));
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private seq = 0;
  /** Incremented at every pop (kube's schedulingCycle). */
  private schedulingCycle = 0;
  /** The cycle of the last move request: pods failing in an attempt that started before it go to backoff, not unschedulable. */
  private moveRequestCycle = -1;

  constructor(private readonly now: () => number) {}

  get activeCount(): number {
    return this.active.size;
  }

  get backoffCount(): number {
    return this.backoff.size;
  }

  get unschedulableCount(): number {
    return this.unschedulable.size;
  }

  get size(): number {
    return this.pods.size;
  }

  get cycle(): number {
    return this.schedulingCycle;
  }

  locationOf(key: string): QueueLocation | undefined {
    return this.pods.get(key)?.location;
  }

  /** A new pending pod: into active. False when it is already queued or the queue is full. */
  add(key: string, pod: Pod): boolean {
    if (this.pods.has(key) || this.pods.size >= SCHEDULING_QUEUE_MAX_PODS) return false;
    const now = this.now();
    const info: QueuedPodInfo = {
      key,
      pod,
      priority: pod.spec?.priority ?? 0,
      timestampMs: now,
      seq: ++this.seq,
      attempts: 0,
      initialAttemptTimestampMs: now,
      unschedulablePlugins: new Set(),
      location: 'active',
      heapIndex: -1,
      deleted: false,
    };
    this.pods.set(key, info);
    this.active.push(info);
    return true;
  }

  /**
   * A newer version of a pending pod. An unschedulable pod whose spec or labels changed may fit
   * now, so it moves on (to backoff if still backing off); other changes just replace the object.
   */
  update(key: string, pod: Pod): void {
    const info = this.pods.get(key);
    if (info === undefined) {
      this.add(key, pod);
      return;
    }
    const changed = schedulingRelevantChange(info.pod, pod);
    info.pod = pod;
    if (info.location === 'active') {
      info.priority = pod.spec?.priority ?? 0;
      this.active.fix(info.heapIndex);
    } else if (info.location === 'unschedulable' && changed) {
      this.unschedulable.delete(key);
      this.requeue(info);
    }
  }

  delete(key: string): void {
    const info = this.pods.get(key);
    if (info === undefined) return;
    this.pods.delete(key);
    info.deleted = true;
    if (info.location === 'active') this.active.remove(info);
    else if (info.location === 'backoff') this.backoff.remove(info);
    else if (info.location === 'unschedulable') this.unschedulable.delete(key);
  }

  /** The next pod to try, now in flight; undefined when active is empty. */
  pop(): QueuedPodInfo | undefined {
    const info = this.active.pop();
    if (info === undefined) return undefined;
    info.location = 'in-flight';
    info.attempts++;
    this.schedulingCycle++;
    return info;
  }

  /** Ends an in-flight pod's stay: it was bound (or deleted). */
  done(key: string): void {
    const info = this.pods.get(key);
    if (info?.location === 'in-flight') this.pods.delete(key);
  }

  /**
   * An in-flight pod fit nowhere (attempt started at `podCycle`): unschedulable, or straight to
   * backoff when a cluster event arrived while it was being tried (it might fit now).
   */
  addUnschedulable(info: QueuedPodInfo, podCycle: number, plugins: ReadonlySet<SchedulerPluginName>): void {
    if (info.deleted || this.pods.get(info.key) !== info || info.location !== 'in-flight') return;
    info.unschedulablePlugins = plugins;
    info.timestampMs = this.now();
    if (this.moveRequestCycle >= podCycle) this.toBackoffOrActive(info);
    else {
      info.location = 'unschedulable';
      this.unschedulable.set(info.key, info);
    }
  }

  /** An in-flight pod's attempt failed for another reason (an error, a failed bind): back off. */
  addBackoff(info: QueuedPodInfo): void {
    if (info.deleted || this.pods.get(info.key) !== info || info.location !== 'in-flight') return;
    info.unschedulablePlugins = new Set();
    info.timestampMs = this.now();
    this.toBackoffOrActive(info);
  }

  /** A cluster event: every unschedulable pod it may help moves to active (or backoff). Returns how many moved. */
  moveAllToActiveOrBackoff(event: ClusterEvent): number {
    let moved = 0;
    // No copy: this runs for every assigned pod the informer shows, and deleting the entry being visited is safe in a Map.
    for (const info of this.unschedulable.values()) {
      if (!mayHelp(event, info)) continue;
      this.unschedulable.delete(info.key);
      this.requeue(info);
      moved++;
    }
    this.moveRequestCycle = this.schedulingCycle;
    return moved;
  }

  /** Moves pods whose back-off is over to active. Returns how many. */
  flushBackoffCompleted(): number {
    const now = this.now();
    let moved = 0;
    for (let top = this.backoff.peek(); top !== undefined && this.backoffExpiryMs(top) <= now; top = this.backoff.peek()) {
      this.backoff.pop();
      this.toActive(top);
      moved++;
    }
    return moved;
  }

  /** Moves pods unschedulable for longer than POD_MAX_IN_UNSCHEDULABLE_PODS_MS back. Returns how many. */
  flushUnschedulableLeftover(): number {
    const now = this.now();
    let moved = 0;
    for (const info of this.unschedulable.values()) {
      if (now - info.timestampMs < POD_MAX_IN_UNSCHEDULABLE_PODS_MS) continue;
      this.unschedulable.delete(info.key);
      this.requeue(info);
      moved++;
    }
    return moved;
  }

  /** The pod's back-off: 1 s doubling per attempt up to 10 s (kube's calculateBackoffDuration). */
  backoffDurationMs(info: QueuedPodInfo): number {
    let d = POD_INITIAL_BACKOFF_MS;
    for (let i = 1; i < info.attempts; i++) {
      d *= 2;
      if (d >= POD_MAX_BACKOFF_MS) return POD_MAX_BACKOFF_MS;
    }
    return d;
  }

  backoffExpiryMs(info: QueuedPodInfo): number {
    return info.timestampMs + this.backoffDurationMs(info);
  }

  private requeue(info: QueuedPodInfo): void {
    this.toBackoffOrActive(info);
  }

  private toBackoffOrActive(info: QueuedPodInfo): void {
    if (info.attempts > 0 && this.backoffExpiryMs(info) > this.now()) {
      info.location = 'backoff';
      this.backoff.push(info);
    } else {
      this.toActive(info);
    }
  }

  private toActive(info: QueuedPodInfo): void {
    info.location = 'active';
    info.timestampMs = this.now();
    info.seq = ++this.seq;
    this.active.push(info);
  }
}

function mayHelp(event: ClusterEvent, info: QueuedPodInfo): boolean {
  if (event.plugins === undefined || info.unschedulablePlugins.size === 0) return true;
  for (const p of info.unschedulablePlugins) if (event.plugins.has(p)) return true;
  return false;
}

/** Whether a pod changed in a way that could change where it fits (not just its status or resourceVersion). */
function schedulingRelevantChange(oldPod: Pod, newPod: Pod): boolean {
  return (
    JSON.stringify(oldPod.spec) !== JSON.stringify(newPod.spec) ||
    JSON.stringify(oldPod.metadata?.labels ?? {}) !== JSON.stringify(newPod.metadata?.labels ?? {}) ||
    JSON.stringify(oldPod.metadata?.annotations ?? {}) !== JSON.stringify(newPod.metadata?.annotations ?? {})
  );
}
