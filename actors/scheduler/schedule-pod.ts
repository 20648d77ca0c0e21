// One scheduling attempt (kube's schedulePod): filter nodes until enough feasible ones are found
// (percentageOfNodesToScore, from a rotating start so every node gets its turn), score the
// feasible ones, pick the best, ties broken at random. Synchronous: the cache cannot change under it.

import type { Random } from '../../core/index.js';
import { FitDiagnosis, formatFitErrorMessage, NO_NODES_AVAILABLE_MESSAGE } from './fit-error.js';
import { interPodAffinityFilter, interPodAffinityPreFilter, interPodAffinityPreScore, interPodAffinityScore } from './inter-pod-affinity.js';
import type { SchedulerNodeInfo } from './node-info.js';
import { runNodeFilters } from './node-filters.js';
import type { SchedulerPodInfo } from './pod-info.js';
import type { SchedulerCache } from './scheduler-cache.js';
import {
  balancedAllocationScore,
  defaultNormalizeScores,
  intolerablePreferNoScheduleTaints,
  leastAllocatedScore,
  MAX_NODE_SCORE,
  minMaxNormalizeScores,
  nodeAffinityRawScore,
  SCORE_WEIGHTS,
} from './scores.js';
import { addTopologySpreadScores, topologySpreadFilter, topologySpreadPreFilter, topologySpreadPreScore } from './topology-spread.js';

/** Below this many nodes every node is evaluated (kube's minFeasibleNodesToFind). */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
/** The adaptive percentage never goes below this (kube's minFeasibleNodesPercentageToFind). */
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/**
 * How many feasible nodes to look for: all of them below 100 nodes; otherwise `percentage`% of
 * them (adaptive when 0 or absent: 50% − nodes/125, at least 5%), and never fewer than 100.
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage <= 0) {
    percentage = 50 - Math.trunc(numAllNodes / 125);
    if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.trunc((numAllNodes * percentage) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

export type SchedulePodResult =
  | { readonly kind: 'scheduled'; readonly nodeName: string; readonly evaluatedNodes: number; readonly feasibleNodes: number }
  /** Fits no node: `message` is kube's FitError text; the diagnosis says which plugins rejected it. */
  | { readonly kind: 'unschedulable'; readonly message: string; readonly diagnosis: FitDiagnosis }
  /** Could not be attempted (no nodes at all): retried with back-off, as kube treats scheduler errors. */
  | { readonly kind: 'error'; readonly message: string };

/** Where the next attempt starts filtering (kube's nextStartNodeIndex); shared across attempts. */
export interface NodeCursor {
  next: number;
}

export function schedulePod(pod: SchedulerPodInfo, cache: SchedulerCache, random: Random, cursor: NodeCursor, percentageOfNodesToScore = 0): SchedulePodResult {
  const nodes = cache.nodeList();
  const n = nodes.length;
  if (n === 0) return { kind: 'error', message: NO_NODES_AVAILABLE_MESSAGE };
  const affinity = interPodAffinityPreFilter(pod, cache);
  const spread = topologySpreadPreFilter(pod, cache);
  const wanted = numFeasibleNodesToFind(n, percentageOfNodesToScore);
  const diagnosis = new FitDiagnosis();
  const feasible: SchedulerNodeInfo[] = [];
  const start = cursor.next % n;
  let processed = 0;
  for (let i = 0; i < n && feasible.length < wanted; i++) {
    const node = nodes[(start + i) % n]!;
    processed++;
    const rejection =
      runNodeFilters(pod, node) ??
      (spread === undefined ? undefined : topologySpreadFilter(spread, node)) ??
      (affinity === undefined ? undefined : interPodAffinityFilter(affinity, node, cache));
    if (rejection === undefined) feasible.push(node);
    else diagnosis.add(rejection.plugin, rejection.reasons);
  }
  cursor.next = (start + processed) % n;
  if (feasible.length === 0) return { kind: 'unschedulable', message: formatFitErrorMessage(n, diagnosis), diagnosis };
  const chosen = feasible.length === 1 ? feasible[0]! : selectHost(feasible, scoreNodes(pod, feasible, cache), random);
  return { kind: 'scheduled', nodeName: chosen.name, evaluatedNodes: processed, feasibleNodes: feasible.length };
}

/** Weighted totals of every score plugin, one per feasible node. */
export function scoreNodes(pod: SchedulerPodInfo, nodes: readonly SchedulerNodeInfo[], cache: SchedulerCache): number[] {
  const n = nodes.length;
  const totals = new Array<number>(n);
  const taintCounts = new Array<number>(n);
  let maxTaints = 0;
  // One pass for the plugins that need nothing but the node; a node without taints has no PreferNoSchedule one.
  for (let i = 0; i < n; i++) {
    const node = nodes[i]!;
    totals[i] = SCORE_WEIGHTS.NodeResourcesFit * leastAllocatedScore(pod, node) + SCORE_WEIGHTS.NodeResourcesBalancedAllocation * balancedAllocationScore(pod, node);
    const taints = node.taints.length === 0 ? 0 : intolerablePreferNoScheduleTaints(pod, node);
    taintCounts[i] = taints;
    if (taints > maxTaints) maxTaints = taints;
  }
  const addWeighted = (scores: readonly number[], weight: number): void => {
    for (let i = 0; i < n; i++) totals[i]! += weight * scores[i]!;
  };
  if (maxTaints === 0) {
    // defaultNormalizeScores(all zeros, reverse) is MAX_NODE_SCORE for every node.
    for (let i = 0; i < n; i++) totals[i]! += SCORE_WEIGHTS.TaintToleration * MAX_NODE_SCORE;
  } else {
    addWeighted(defaultNormalizeScores(taintCounts, true), SCORE_WEIGHTS.TaintToleration);
  }
  if ((pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).length > 0) {
    addWeighted(defaultNormalizeScores(nodes.map((node) => nodeAffinityRawScore(pod, node)), false), SCORE_WEIGHTS.NodeAffinity);
  }
  const affinityScores = interPodAffinityPreScore(pod, cache);
  if (affinityScores !== undefined) addWeighted(minMaxNormalizeScores(nodes.map((node) => interPodAffinityScore(affinityScores, node))), SCORE_WEIGHTS.InterPodAffinity);
  const spread = topologySpreadPreScore(pod, nodes, cache);
  if (spread !== undefined) addTopologySpreadScores(spread, nodes, totals, SCORE_WEIGHTS.PodTopologySpread);
  return totals;
}

/** The highest total; among equals, each is equally likely (reservoir sampling, as kube's selectHost). */
export function selectHost(nodes: readonly SchedulerNodeInfo[], totals: readonly number[], random: Random): SchedulerNodeInfo {
  let selected = 0;
  let ties = 1;
  for (let i = 1; i < nodes.length; i++) {
    if (totals[i]! > totals[selected]!) {
      selected = i;
      ties = 1;
    } else if (totals[i] === totals[selected]) {
      ties++;
      if (random.int(ties) === 0) selected = i;
    }
  }
  return nodes[selected]!;
}
