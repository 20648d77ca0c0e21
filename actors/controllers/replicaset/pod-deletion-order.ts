// Which pods a ReplicaSet deletes first when it has too many, as kube's ActivePodsWithRanks:
// the cheapest to lose go first (unscheduled, pending, not ready, low deletion cost, doubled up
// on a node, ready for less time, restarting more, newer).

import type { Pod } from '../../../core/index.js';
import { parseRfc3339 } from '../../../core/index.js';
import { isPodReady, podMaxRestarts, podReadySinceMs } from './pod-state.js';

/** The annotation users set to steer scale-down (kube's PodDeletionCost, beta and on by default). */
export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDER: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

function phaseRank(pod: Pod): number {
  return PHASE_ORDER[pod.status?.phase ?? 'Pending'] ?? 0;
}

function deletionCost(pod: Pod): number {
  const text = pod.metadata?.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (text === undefined || !/^-?[0-9]+$/.test(text)) return 0;
  return Number(text);
}

function creationMs(pod: Pod): number | undefined {
  const text = pod.metadata?.creationTimestamp;
  return text == null ? undefined : parseRfc3339(text);
}

/**
 * Negative when `a` should be deleted before `b`. `rankOf` is the number of related active pods
 * on the same node (higher goes first: it spreads the survivors).
 */
export function comparePodsForDeletion(a: Pod, b: Pod, rankOf: (pod: Pod) => number): number {
  const aAssigned = (a.spec?.nodeName ?? '') !== '';
  const bAssigned = (b.spec?.nodeName ?? '') !== '';
  if (aAssigned !== bAssigned) return aAssigned ? 1 : -1;
  const phase = phaseRank(a) - phaseRank(b);
  if (phase !== 0) return phase;
  const aReady = isPodReady(a);
  if (aReady !== isPodReady(b)) return aReady ? 1 : -1;
  const cost = deletionCost(a) - deletionCost(b);
  if (cost !== 0) return cost;
  const rank = rankOf(b) - rankOf(a);
  if (rank !== 0) return rank;
  if (aReady) {
    // Both ready: the one ready for less time (later transition) goes first; unknown first of all.
    const aSince = podReadySinceMs(a);
    const bSince = podReadySinceMs(b);
    if (aSince !== bSince) {
      if (aSince === undefined) return -1;
      if (bSince === undefined) return 1;
      return bSince - aSince;
    }
  }
  const restarts = podMaxRestarts(b) - podMaxRestarts(a);
  if (restarts !== 0) return restarts;
  const aCreated = creationMs(a);
  const bCreated = creationMs(b);
  if (aCreated !== bCreated) {
    if (aCreated === undefined) return -1;
    if (bCreated === undefined) return 1;
    return bCreated - aCreated;
  }
  // A total order, so the choice does not depend on cache iteration order.
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? 1 : (a.metadata?.name ?? '') > (b.metadata?.name ?? '') ? -1 : 0;
}

/**
 * The `count` pods of `pods` to delete first. `relatedPods` (active pods of this ReplicaSet and
 * of its siblings under the same Deployment) decide the per-node ranks.
 */
export function podsToDelete(pods: readonly Pod[], relatedPods: readonly Pod[], count: number): Pod[] {
  if (count >= pods.length) return [...pods];
  const perNode = new Map<string, number>();
  for (const pod of relatedPods) {
    const node = pod.spec?.nodeName ?? '';
    if (node !== '') perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const rankOf = (pod: Pod): number => perNode.get(pod.spec?.nodeName ?? '') ?? 0;
  return [...pods].sort((a, b) => comparePodsForDeletion(a, b, rankOf)).slice(0, count);
}
