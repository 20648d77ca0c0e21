// What the ReplicaSet and Deployment controllers read from a pod's status: whether it still
// counts (active), whether it is ready, and since when (availability after minReadySeconds).

import type { Pod, PodCondition } from '../../../core/index.js';
import { isBeingDeleted, parseRfc3339 } from '../../../core/index.js';

/** Active as kube's FilterActivePods: not Succeeded or Failed, and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !isBeingDeleted(pod);
}

function readyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((condition) => condition.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** When the pod last became ready (epoch ms), or undefined when not ready or unknown. */
export function podReadySinceMs(pod: Pod): number | undefined {
  const condition = readyCondition(pod);
  if (condition?.status !== 'True' || condition.lastTransitionTime == null) return undefined;
  return parseRfc3339(condition.lastTransitionTime);
}

/**
 * Available as kube's IsPodAvailable: ready, and (with minReadySeconds) ready for strictly
 * longer than minReadySeconds.
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = podReadySinceMs(pod);
  return since !== undefined && since + minReadySeconds * 1000 < nowMs;
}

/**
 * How long until a ready-but-not-yet-available pod becomes available, in ms (undefined when it
 * is not ready or already available). The extra millisecond crosses the strict comparison.
 */
export function podAvailableInMs(pod: Pod, minReadySeconds: number, nowMs: number): number | undefined {
  if (minReadySeconds <= 0 || !isPodReady(pod)) return undefined;
  const since = podReadySinceMs(pod);
  if (since === undefined) return undefined;
  const dueMs = since + minReadySeconds * 1000;
  return dueMs < nowMs ? undefined : dueMs - nowMs + 1;
}

/** The highest restart count among the pod's containers (kube's maxContainerRestarts). */
export function podMaxRestarts(pod: Pod): number {
  let max = 0;
  for (const status of pod.status?.containerStatuses ?? []) max = Math.max(max, status.restartCount);
  return max;
}
