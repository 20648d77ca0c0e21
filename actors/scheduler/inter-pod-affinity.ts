// InterPodAffinity: required pod affinity and anti-affinity of the incoming pod, the required
// anti-affinity of pods already placed (symmetry), and the preferred terms of both as a score.
// Counts are per topology pair (label key, value) and computed once per scheduling cycle
// (kube's PreFilter / PreScore), so the per-node checks are map lookups.

import type { SchedulerPluginName } from './fit-error.js';
import { REASON_EXISTING_ANTI_AFFINITY, REASON_POD_AFFINITY, REASON_POD_ANTI_AFFINITY } from './fit-error.js';
import type { SchedulerNodeInfo } from './node-info.js';
import type { SchedulerAffinityTerm, SchedulerPodInfo } from './pod-info.js';
import { affinityTermMatches } from './pod-info.js';
import type { SchedulerCache } from './scheduler-cache.js';

/** kube's default hardPodAffinityWeight: how much an existing pod's required affinity to the incoming pod adds to the score. */
export const HARD_POD_AFFINITY_WEIGHT = 1;

type TopologyCounts = Map<string, number>;

function pairKey(key: string, value: string): string {
  return `${key}\u0000${value}`;
}

function bump(counts: TopologyCounts, node: SchedulerNodeInfo, topologyKey: string, by: number): void {
  const value = node.labels[topologyKey];
  if (value === undefined) return;
  const k = pairKey(topologyKey, value);
  counts.set(k, (counts.get(k) ?? 0) + by);
}

export interface InterPodAffinityState {
  readonly pod: SchedulerPodInfo;
  /** Pairs where existing pods that match all the incoming pod's required affinity terms run. */
  readonly affinityCounts: TopologyCounts;
  /** Pairs where existing pods matching one of the incoming pod's required anti-affinity terms run. */
  readonly antiAffinityCounts: TopologyCounts;
  /** Pairs where existing pods whose required anti-affinity matches the incoming pod run. */
  readonly existingAntiAffinityCounts: TopologyCounts;
}

/** PreFilter; undefined when the filter has nothing to check. */
export function interPodAffinityPreFilter(pod: SchedulerPodInfo, cache: SchedulerCache): InterPodAffinityState | undefined {
  const existingAntiAffinityCounts: TopologyCounts = new Map();
  const ownNamespaceLabels = cache.namespaceLabels(pod.namespace);
  for (const existing of cache.podsWithRequiredAntiAffinity()) {
    const node = cache.nodeInfo(existing.nodeName);
    if (node?.node === undefined) continue;
    for (const term of existing.requiredAntiAffinity) {
      if (affinityTermMatches(term, pod, ownNamespaceLabels)) bump(existingAntiAffinityCounts, node, term.topologyKey, 1);
    }
  }
  const affinityCounts: TopologyCounts = new Map();
  const antiAffinityCounts: TopologyCounts = new Map();
  if (pod.requiredAffinity.length + pod.requiredAntiAffinity.length > 0) {
    for (const existing of candidatePods(cache, [...pod.requiredAffinity, ...pod.requiredAntiAffinity])) {
      const node = cache.nodeInfo(existing.nodeName);
      if (node?.node === undefined) continue;
      const nsLabels = cache.namespaceLabels(existing.namespace);
      if (pod.requiredAffinity.length > 0 && pod.requiredAffinity.every((t) => affinityTermMatches(t, existing, nsLabels))) {
        for (const t of pod.requiredAffinity) bump(affinityCounts, node, t.topologyKey, 1);
      }
      for (const t of pod.requiredAntiAffinity) if (affinityTermMatches(t, existing, nsLabels)) bump(antiAffinityCounts, node, t.topologyKey, 1);
    }
  }
  if (existingAntiAffinityCounts.size === 0 && pod.requiredAffinity.length + pod.requiredAntiAffinity.length === 0) return undefined;
  return { pod, affinityCounts, antiAffinityCounts, existingAntiAffinityCounts };
}

/** The cached pods the terms could select: those of the named namespaces, or all when a namespaceSelector is involved. */
function candidatePods(cache: SchedulerCache, terms: readonly SchedulerAffinityTerm[]): Iterable<SchedulerPodInfo> {
  if (terms.some((t) => t.namespaceSelector !== undefined)) return cache.allPods();
  const namespaces = new Set<string>();
  for (const t of terms) for (const ns of t.namespaces) namespaces.add(ns);
  const out: SchedulerPodInfo[] = [];
  for (const ns of namespaces) for (const p of cache.podsInNamespace(ns).values()) out.push(p);
  return out;
}

function satisfiesAffinity(state: InterPodAffinityState, node: SchedulerNodeInfo, cache: SchedulerCache): boolean {
  const terms = state.pod.requiredAffinity;
  if (terms.length === 0) return true;
  let podsExist = true;
  for (const t of terms) {
    const value = node.labels[t.topologyKey];
    if (value === undefined) return false;
    if ((state.affinityCounts.get(pairKey(t.topologyKey, value)) ?? 0) <= 0) {
      podsExist = false;
      break;
    }
  }
  if (podsExist) return true;
  // The first pod of a group with affinity to itself: allowed when nothing else matches and it matches its own terms.
  const ownLabels = cache.namespaceLabels(state.pod.namespace);
  return state.affinityCounts.size === 0 && terms.every((t) => affinityTermMatches(t, state.pod, ownLabels));
}

function satisfiesAntiAffinity(state: InterPodAffinityState, node: SchedulerNodeInfo): boolean {
  for (const t of state.pod.requiredAntiAffinity) {
    const value = node.labels[t.topologyKey];
    if (value !== undefined && (state.antiAffinityCounts.get(pairKey(t.topologyKey, value)) ?? 0) > 0) return false;
  }
  return true;
}

function satisfiesExistingAntiAffinity(state: InterPodAffinityState, node: SchedulerNodeInfo): boolean {
  for (const [k, count] of state.existingAntiAffinityCounts) {
    if (count <= 0) continue;
    const [key, value] = k.split('\u0000') as [string, string];
    if (node.labels[key] === value) return false;
  }
  return true;
}

export function interPodAffinityFilter(
  state: InterPodAffinityState,
  node: SchedulerNodeInfo,
  cache: SchedulerCache,
): { readonly plugin: SchedulerPluginName; readonly reasons: readonly string[] } | undefined {
  if (!satisfiesAffinity(state, node, cache)) return { plugin: 'InterPodAffinity', reasons: [REASON_POD_AFFINITY] };
  if (!satisfiesAntiAffinity(state, node)) return { plugin: 'InterPodAffinity', reasons: [REASON_POD_ANTI_AFFINITY] };
  if (!satisfiesExistingAntiAffinity(state, node)) return { plugin: 'InterPodAffinity', reasons: [REASON_EXISTING_ANTI_AFFINITY] };
  return undefined;
}

/**
 * PreScore: weight per topology pair, from the incoming pod's preferred terms matched by existing
 * pods (+/−), and existing pods' required affinity and preferred terms matched by the incoming pod.
 * Undefined when there is nothing to score (every node then scores 0).
 */
export function interPodAffinityPreScore(pod: SchedulerPodInfo, cache: SchedulerCache): TopologyCounts | undefined {
  const hasPreferred = pod.preferredAffinity.length + pod.preferredAntiAffinity.length > 0;
  const scores: TopologyCounts = new Map();
  const ownLabels = cache.namespaceLabels(pod.namespace);
  const existingPods = hasPreferred ? cache.allPods() : cache.podsWithAffinityTerms();
  for (const existing of existingPods) {
    const node = cache.nodeInfo(existing.nodeName);
    if (node?.node === undefined) continue;
    const nsLabels = cache.namespaceLabels(existing.namespace);
    for (const t of pod.preferredAffinity) if (affinityTermMatches(t, existing, nsLabels)) bump(scores, node, t.topologyKey, t.weight);
    for (const t of pod.preferredAntiAffinity) if (affinityTermMatches(t, existing, nsLabels)) bump(scores, node, t.topologyKey, -t.weight);
    for (const t of existing.requiredAffinity) if (affinityTermMatches(t, pod, ownLabels)) bump(scores, node, t.topologyKey, HARD_POD_AFFINITY_WEIGHT);
    for (const t of existing.preferredAffinity) if (affinityTermMatches(t, pod, ownLabels)) bump(scores, node, t.topologyKey, t.weight);
    for (const t of existing.preferredAntiAffinity) if (affinityTermMatches(t, pod, ownLabels)) bump(scores, node, t.topologyKey, -t.weight);
  }
  return scores.size === 0 ? undefined : scores;
}

/** The raw score of `node`: the sum over the pairs its labels have. */
export function interPodAffinityScore(scores: TopologyCounts, node: SchedulerNodeInfo): number {
  let total = 0;
  for (const [k, weight] of scores) {
    const [key, value] = k.split('\u0000') as [string, string];
    if (node.labels[key] === value) total += weight;
  }
  return total;
}
