// Counting finished pods exactly once, as kube's job tracking with finalizers: every pod a Job
// creates carries JOB_TRACKING_FINALIZER, so it cannot vanish before it is counted. A finished pod
// is (1) recorded in status.uncountedTerminatedPods (a status write), (2) stripped of the
// finalizer, (3) moved from uncountedTerminatedPods into status.succeeded/failed (a status
// write). A crash between steps repeats a step, never a count: step 3 counts only uids listed by
// step 1, and step 1 skips pods whose finalizer this controller already removed but the cache
// still shows (kube's finalizer expectations).

import type { Job, Pod, ResourceClient } from '../../../core/index.js';
import { isNotFound, parseRfc3339, refOfObject } from '../../../core/index.js';
import { formatCompletedIndexes, hasTrackingFinalizer, isPodFailedForJob, isPodSucceeded, parseCompletedIndexes, podCompletionIndex } from './job-pods.js';
import { JOB_TRACKING_FINALIZER, POD_RESOURCE } from './job-resources.js';

/** Pods whose finalizer removal is remembered per Job until the cache shows it; bound per Job. */
export const JOB_FINALIZER_EXPECTATIONS_MAX_PER_JOB = 10_000;

export type JobStatus = NonNullable<Job['status']>;

/**
 * uids whose finalizer this controller removed and the cache may not show yet, per Job key.
 * Invariant: an entry is dropped once the cache shows the pod without the finalizer or gone.
 */
export class FinalizerRemovals {
  private readonly byJob = new Map<string, Set<string>>();

  has(jobKey: string, uid: string): boolean {
    return this.byJob.get(jobKey)?.has(uid) === true;
  }

  add(jobKey: string, uid: string): void {
    let set = this.byJob.get(jobKey);
    if (set === undefined) this.byJob.set(jobKey, (set = new Set()));
    if (set.size < JOB_FINALIZER_EXPECTATIONS_MAX_PER_JOB) set.add(uid);
  }

  /** Drops the uids the cache (`pods`, by uid) shows as done. */
  prune(jobKey: string, podsByUid: ReadonlyMap<string, Pod>): void {
    const set = this.byJob.get(jobKey);
    if (set === undefined) return;
    for (const uid of set) {
      const pod = podsByUid.get(uid);
      if (pod === undefined || !hasTrackingFinalizer(pod)) set.delete(uid);
    }
    if (set.size === 0) this.byJob.delete(jobKey);
  }

  forget(jobKey: string): void {
    this.byJob.delete(jobKey);
  }
}

/** When a pod finished (newest container finish, else its deletion, else `nowMs`). */
export function podFinishedMs(pod: Pod, nowMs: number): number {
  let latest: number | undefined;
  for (const status of pod.status?.containerStatuses ?? []) {
    const finished = status.state?.terminated?.finishedAt;
    const ms = finished == null ? undefined : parseRfc3339(finished);
    if (ms !== undefined && (latest === undefined || ms > latest)) latest = ms;
  }
  if (latest !== undefined) return latest;
  const deleted = pod.metadata?.deletionTimestamp;
  return (deleted == null ? undefined : parseRfc3339(deleted)) ?? nowMs;
}

/**
 * Step 1: adds finished pods that still carry the finalizer to `status.uncountedTerminatedPods`
 * (for an Indexed Job a succeeded pod's index also joins completedIndexes at once: a set, so
 * repeating it is harmless). Returns whether the status changed.
 */
export function recordNewlyFinishedPods(status: JobStatus, pods: readonly Pod[], job: Job, removals: FinalizerRemovals, jobKey: string): boolean {
  const uncounted = (status.uncountedTerminatedPods ??= {});
  const succeeded = new Set(uncounted.succeeded ?? []);
  const failed = new Set(uncounted.failed ?? []);
  const indexed = job.spec?.completionMode === 'Indexed';
  const completions = job.spec?.completions ?? 0;
  const completedIndexes = indexed ? parseCompletedIndexes(status.completedIndexes, completions) : undefined;
  let changed = false;
  for (const pod of pods) {
    const uid = pod.metadata?.uid ?? '';
    if (uid === '' || !hasTrackingFinalizer(pod) || removals.has(jobKey, uid) || succeeded.has(uid) || failed.has(uid)) continue;
    if (isPodSucceeded(pod)) {
      succeeded.add(uid);
      changed = true;
      const index = indexed ? podCompletionIndex(pod, completions) : undefined;
      if (index !== undefined) completedIndexes?.add(index);
    } else if (isPodFailedForJob(pod)) {
      failed.add(uid);
      changed = true;
    }
  }
  if (!changed) return false;
  uncounted.succeeded = [...succeeded];
  uncounted.failed = [...failed];
  if (uncounted.succeeded.length === 0) delete uncounted.succeeded;
  if (uncounted.failed.length === 0) delete uncounted.failed;
  if (completedIndexes !== undefined) status.completedIndexes = formatCompletedIndexes(completedIndexes);
  return true;
}

/** Step 2: strips the finalizer from every listed pod still showing it; remembers each removal. */
export async function removeTrackingFinalizers(client: ResourceClient, pods: readonly Pod[], removals: FinalizerRemovals, jobKey: string): Promise<void> {
  const results = await Promise.allSettled(
    pods.map(async (pod) => {
      const finalizers = pod.metadata?.finalizers ?? [];
      const patch = [
        { op: 'test', path: '/metadata/finalizers', value: finalizers },
        { op: 'replace', path: '/metadata/finalizers', value: finalizers.filter((f) => f !== JOB_TRACKING_FINALIZER) },
      ];
      try {
        await client.patch(refOfObject(POD_RESOURCE, pod), 'json', patch);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      removals.add(jobKey, pod.metadata?.uid ?? '');
    }),
  );
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure !== undefined) throw failure.reason instanceof Error ? failure.reason : new Error(String(failure.reason));
}

/**
 * Step 3: moves uids whose pods no longer hold the finalizer (removed by us, or gone) from
 * uncountedTerminatedPods into the counters. Returns the failures' finish times (for back-off)
 * and the number of successes moved.
 */
export function countFinalizedPods(status: JobStatus, job: Job, podsByUid: ReadonlyMap<string, Pod>, removals: FinalizerRemovals, jobKey: string, nowMs: number): { succeeded: number; failedFinishMs: number[] } {
  const uncounted = status.uncountedTerminatedPods ?? {};
  const done = (uid: string): boolean => {
    const pod = podsByUid.get(uid);
    return removals.has(jobKey, uid) || pod === undefined || !hasTrackingFinalizer(pod);
  };
  const movedSucceeded = (uncounted.succeeded ?? []).filter(done);
  const movedFailed = (uncounted.failed ?? []).filter(done);
  if (job.spec?.completionMode === 'Indexed') {
    status.succeeded = parseCompletedIndexes(status.completedIndexes, job.spec.completions ?? 0).size;
  } else {
    status.succeeded = (status.succeeded ?? 0) + movedSucceeded.length;
  }
  status.failed = (status.failed ?? 0) + movedFailed.length;
  const keepSucceeded = (uncounted.succeeded ?? []).filter((uid) => !movedSucceeded.includes(uid));
  const keepFailed = (uncounted.failed ?? []).filter((uid) => !movedFailed.includes(uid));
  status.uncountedTerminatedPods = {};
  if (keepSucceeded.length > 0) status.uncountedTerminatedPods.succeeded = keepSucceeded;
  if (keepFailed.length > 0) status.uncountedTerminatedPods.failed = keepFailed;
  const failedFinishMs = movedFailed.map((uid) => {
    const pod = podsByUid.get(uid);
    return pod === undefined ? nowMs : podFinishedMs(pod, nowMs);
  });
  return { succeeded: movedSucceeded.length, failedFinishMs };
}
