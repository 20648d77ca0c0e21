// The node-local scores of kube's default profile, with its weights and normalisations:
// NodeResourcesFit (LeastAllocated), NodeResourcesBalancedAllocation, TaintToleration, NodeAffinity.
// Every plugin's score ends in [0, MAX_NODE_SCORE] before its weight is applied.

import { preferredNodeAffinityScore } from './node-affinity.js';
import type { SchedulerNodeInfo } from './node-info.js';
import {
  HOT_ALLOCATABLE_MEMORY_BYTES,
  HOT_ALLOCATABLE_MILLI_CPU,
  HOT_NON_ZERO_REQUESTED_MEMORY_BYTES,
  HOT_NON_ZERO_REQUESTED_MILLI_CPU,
  HOT_REQUESTED_MEMORY_BYTES,
  HOT_REQUESTED_MILLI_CPU,
} from './node-info.js';
import type { SchedulerPodInfo } from './pod-info.js';
import { tolerationsTolerateTaint } from './taints.js';

/** kube's framework.MaxNodeScore. */
export const MAX_NODE_SCORE = 100;

/** kube's default-profile score weights. */
export const SCORE_WEIGHTS = {
  NodeResourcesFit: 1,
  NodeResourcesBalancedAllocation: 1,
  TaintToleration: 3,
  NodeAffinity: 2,
  InterPodAffinity: 2,
  PodTopologySpread: 2,
} as const;

/**
 * LeastAllocated over cpu and memory (weight 1 each): the share left free after placing the pod,
 * counting missing requests as kube's non-zero defaults. Integer arithmetic as kube's.
 */
export function leastAllocatedScore(pod: SchedulerPodInfo, node: SchedulerNodeInfo): number {
  const hot = node.hot;
  const cpu = leastAllocated(hot[HOT_NON_ZERO_REQUESTED_MILLI_CPU]! + pod.nonZeroRequests.milliCpu, hot[HOT_ALLOCATABLE_MILLI_CPU]!);
  const memory = leastAllocated(hot[HOT_NON_ZERO_REQUESTED_MEMORY_BYTES]! + pod.nonZeroRequests.memoryBytes, hot[HOT_ALLOCATABLE_MEMORY_BYTES]!);
  return Math.trunc((cpu + memory) / 2);
}

function leastAllocated(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** BalancedAllocation: 100 × (1 − the standard deviation of the cpu and memory fractions), with real requests. */
export function balancedAllocationScore(pod: SchedulerPodInfo, node: SchedulerNodeInfo): number {
  const hot = node.hot;
  const allocCpu = hot[HOT_ALLOCATABLE_MILLI_CPU]!;
  const allocMemory = hot[HOT_ALLOCATABLE_MEMORY_BYTES]!;
  // With fewer than two resources to compare the deviation is 0.
  if (allocCpu <= 0 || allocMemory <= 0) return MAX_NODE_SCORE;
  const cpu = Math.min(1, (hot[HOT_REQUESTED_MILLI_CPU]! + pod.requests.milliCpu) / allocCpu);
  const memory = Math.min(1, (hot[HOT_REQUESTED_MEMORY_BYTES]! + pod.requests.memoryBytes) / allocMemory);
  const std = Math.abs((cpu - memory) / 2);
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

/** TaintToleration raw score: PreferNoSchedule taints the pod does not tolerate (fewer is better). */
export function intolerablePreferNoScheduleTaints(pod: SchedulerPodInfo, node: SchedulerNodeInfo): number {
  let count = 0;
  let tolerations: typeof pod.tolerations | undefined;
  for (const taint of node.taints) {
    if (taint.effect !== 'PreferNoSchedule') continue;
    tolerations ??= pod.tolerations.filter((t) => (t.effect ?? '') === '' || t.effect === 'PreferNoSchedule');
    if (!tolerationsTolerateTaint(tolerations, taint)) count++;
  }
  return count;
}

/** NodeAffinity raw score: summed weights of matching preferred terms. */
export function nodeAffinityRawScore(pod: SchedulerPodInfo, node: SchedulerNodeInfo): number {
  return node.node === undefined ? 0 : preferredNodeAffinityScore(pod.pod, node.node);
}

/** kube's DefaultNormalizeScore: scale to [0, 100] by the maximum; `reverse` turns "more" into "worse". */
export function defaultNormalizeScores(raw: number[], reverse: boolean): number[] {
  let max = 0;
  for (const s of raw) max = Math.max(max, s);
  if (max === 0) return raw.map(() => (reverse ? MAX_NODE_SCORE : 0));
  return raw.map((s) => {
    const scaled = Math.trunc((MAX_NODE_SCORE * s) / max);
    return reverse ? MAX_NODE_SCORE - scaled : scaled;
  });
}

/** InterPodAffinity's normalisation: min→0, max→100 linearly; all equal → 0. */
export function minMaxNormalizeScores(raw: number[]): number[] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const s of raw) {
    min = Math.min(min, s);
    max = Math.max(max, s);
  }
  const diff = max - min;
  return raw.map((s) => (diff > 0 ? Math.trunc((MAX_NODE_SCORE * (s - min)) / diff) : 0));
}
