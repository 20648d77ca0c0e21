// When a pod on a NoExecute-tainted node must go, as kube's taint eviction controller decides:
// at once if some NoExecute taint is not tolerated, never if every matching toleration is
// unbounded, else the smallest tolerationSeconds after the taint appeared.

import type { Pod, Taint, Toleration } from '../../../core/index.js';
import { parseRfc3339 } from '../../../core/index.js';
import { toleratesTaint } from './node-taints.js';

/** The pod's eviction decision: keep it (tolerated forever, or no NoExecute taints) or evict at `atMs`. */
export type TaintEvictionDecision = { readonly evict: false } | { readonly evict: true; readonly atMs: number };

/**
 * For each NoExecute taint the first toleration matching it (kube's GetMatchingTolerations);
 * undefined when some taint is not tolerated.
 */
function matchingTolerations(taints: readonly Taint[], tolerations: readonly Toleration[]): Toleration[] | undefined {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const match = tolerations.find((toleration) => toleratesTaint(toleration, taint));
    if (match === undefined) return undefined;
    used.push(match);
  }
  return used;
}

/**
 * The decision for `pod` given its node's taints. The toleration period runs from the earliest
 * timeAdded of the NoExecute taints (so it survives controller restarts and is level-triggered);
 * a taint without timeAdded counts from `nowMs`. tolerationSeconds <= 0 means at once.
 */
export function taintEvictionDecision(pod: Pod, taints: readonly Taint[], nowMs: number): TaintEvictionDecision {
  const noExecute = taints.filter((taint) => taint.effect === 'NoExecute');
  if (noExecute.length === 0) return { evict: false };
  const used = matchingTolerations(noExecute, pod.spec?.tolerations ?? []);
  if (used === undefined) return { evict: true, atMs: nowMs };
  let minSeconds: number | undefined;
  for (const toleration of used) {
    const seconds = toleration.tolerationSeconds;
    if (seconds === undefined || seconds === null) continue;
    minSeconds = minSeconds === undefined ? seconds : Math.min(minSeconds, seconds);
  }
  if (minSeconds === undefined) return { evict: false };
  if (minSeconds <= 0) return { evict: true, atMs: nowMs };
  let sinceMs = nowMs;
  for (const taint of noExecute) {
    const added = taint.timeAdded === undefined ? undefined : parseRfc3339(taint.timeAdded);
    if (added !== undefined) sinceMs = Math.min(sinceMs, added);
  }
  return { evict: true, atMs: sinceMs + minSeconds * 1000 };
}
