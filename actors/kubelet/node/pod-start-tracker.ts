// Pod startup latency as kubelet's kubelet_pod_start_duration_seconds measures it: from the
// kubelet first seeing the pod to every container of it running, observed once per pod.

import type { Pod } from '../../../core/index.js';

/** Pods tracked at most; beyond it the oldest entry is dropped (a bound on a node's churn). */
export const MAX_TRACKED_POD_STARTS = 10_000;

export class PodStartTracker {
  /** uid → when first seen (ms), or -1 once observed. Insertion order is age order. */
  private readonly firstSeenMs = new Map<string, number>();

  /**
   * Notes `pod` as seen at `nowMs`. Returns the start duration in seconds the first time all
   * its containers are running, else undefined.
   */
  observe(pod: Pod, nowMs: number): number | undefined {
    const uid = pod.metadata?.uid;
    if (uid === undefined || uid === '') return undefined;
    let seenMs = this.firstSeenMs.get(uid);
    if (seenMs === undefined) {
      if (this.firstSeenMs.size >= MAX_TRACKED_POD_STARTS) {
        const oldest = this.firstSeenMs.keys().next();
        if (oldest.done !== true) this.firstSeenMs.delete(oldest.value);
      }
      seenMs = nowMs;
      this.firstSeenMs.set(uid, seenMs);
    }
    if (seenMs < 0 || !allContainersRunning(pod)) return undefined;
    this.firstSeenMs.set(uid, -1);
    return Math.max(0, nowMs - seenMs) / 1000;
  }

  forget(uid: string): void {
    this.firstSeenMs.delete(uid);
  }
}

/** True when the pod has containers and every one of them reports state.running. */
export function allContainersRunning(pod: Pod): boolean {
  const specCount = pod.spec?.containers.length ?? 0;
  const statuses = pod.status?.containerStatuses ?? [];
  return specCount > 0 && statuses.length >= specCount && statuses.every((s) => s.state?.running !== undefined);
}
