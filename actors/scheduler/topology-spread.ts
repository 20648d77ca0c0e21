// PodTopologySpread: DoNotSchedule constraints as a filter (skew = matching pods in the node's
// domain + self − the global minimum must stay within maxSkew), ScheduleAnyway constraints as a
// score, and kube's system default constraints (hostname maxSkew 3, zone maxSkew 5, both
// ScheduleAnyway) for pods without constraints — spreading the pods of one controlling owner.

import { newLabelRequirement } from '../../core/index.js';
import type { TopologySpreadConstraint } from '../../core/index.js';
import { labelSelectorFromObject, ParsedLabelSelector } from '../../core/index.js';
import { controllerPodsOnNode } from './controller-pod-counts.js';
import type { SchedulerPluginName } from './fit-error.js';
import { REASON_TOPOLOGY_SPREAD, REASON_TOPOLOGY_SPREAD_MISSING_LABEL } from './fit-error.js';
import { podMatchesNodeSelectorAndAffinity } from './node-affinity.js';
import { untoleratedTaint } from './node-filters.js';
import type { SchedulerNodeInfo } from './node-info.js';
import type { SchedulerPodInfo } from './pod-info.js';
import { MAX_NODE_SCORE } from './scores.js';
import type { SchedulerCache } from './scheduler-cache.js';
import { LABEL_HOSTNAME, LABEL_TOPOLOGY_ZONE } from './well-known-labels.js';

/** kube's system default spreading: by hostname with maxSkew 3 and by zone with maxSkew 5, ScheduleAnyway. */
export const DEFAULT_SPREAD_HOSTNAME_MAX_SKEW = 3;
export const DEFAULT_SPREAD_ZONE_MAX_SKEW = 5;

interface CompiledConstraint {
  readonly topologyKey: string;
  readonly maxSkew: number;
  readonly minDomains: number;
  /** Which pods (of the incoming pod's namespace) the constraint counts. */
  readonly matches: (pod: SchedulerPodInfo) => boolean;
  /** Set for system-default constraints: the owner whose pods they count, via NodeInfo.controllerCounts. */
  readonly controllerUid: string | undefined;
  readonly honorNodeAffinity: boolean;
  readonly honorTaints: boolean;
}

function compileSelector(c: TopologySpreadConstraint, pod: SchedulerPodInfo): ParsedLabelSelector {
  let selector: ParsedLabelSelector;
  try {
    selector = labelSelectorFromObject(c.labelSelector);
    // matchLabelKeys: the incoming pod's values of these keys join the selector (kube does this at scheduling time).
    for (const key of c.matchLabelKeys ?? []) {
      const value = pod.labels[key];
      if (value !== undefined) selector = selector.add(newLabelRequirement(key, '=', [value]));
    }
  } catch {
    selector = ParsedLabelSelector.nothing();
  }
  return selector;
}

function compileConstraints(pod: SchedulerPodInfo, when: 'DoNotSchedule' | 'ScheduleAnyway'): CompiledConstraint[] {
  const out: CompiledConstraint[] = [];
  for (const c of pod.pod.spec?.topologySpreadConstraints ?? []) {
    if (c.whenUnsatisfiable !== when) continue;
    const selector = compileSelector(c, pod);
    out.push({
      topologyKey: c.topologyKey,
      maxSkew: c.maxSkew,
      minDomains: c.minDomains ?? 1,
      matches: (p) => p.namespace === pod.namespace && !p.terminating && selector.matches(p.labels),
      controllerUid: undefined,
      honorNodeAffinity: c.nodeAffinityPolicy !== 'Ignore',
      honorTaints: c.nodeTaintsPolicy === 'Honor',
    });
  }
  return out;
}

function defaultConstraints(pod: SchedulerPodInfo, cache: SchedulerCache): CompiledConstraint[] {
  const uid = pod.controllerUid;
  if (uid === '' || (pod.pod.spec?.topologySpreadConstraints ?? []).length > 0) return [];
  const matches = (p: SchedulerPodInfo): boolean => p.controllerUid === uid;
  // Literals in the same shape as compileConstraints' objects, so the per-node code sees one shape.
  const byKey = (topologyKey: string, maxSkew: number): CompiledConstraint => ({
    topologyKey,
    maxSkew,
    minDomains: 1,
    matches,
    controllerUid: uid,
    honorNodeAffinity: true,
    honorTaints: false,
  });
  const out = [byKey(LABEL_HOSTNAME, DEFAULT_SPREAD_HOSTNAME_MAX_SKEW)];
  if (cache.hasZonedNodes) out.push(byKey(LABEL_TOPOLOGY_ZONE, DEFAULT_SPREAD_ZONE_MAX_SKEW));
  return out;
}

function hasAllKeys(node: SchedulerNodeInfo, constraints: readonly CompiledConstraint[]): boolean {
  for (const c of constraints) if (node.topologyValue(c.topologyKey) === undefined) return false;
  return true;
}

/** Whether the node counts towards the constraint's domains (nodeAffinityPolicy / nodeTaintsPolicy). */
function nodeIsEligible(c: CompiledConstraint, pod: SchedulerPodInfo, node: SchedulerNodeInfo): boolean {
  if (c.honorNodeAffinity && node.node !== undefined && !podMatchesNodeSelectorAndAffinity(pod.pod, node.node)) return false;
  if (c.honorTaints && untoleratedTaint(pod, node) !== undefined) return false;
  return true;
}

/**
 * Matching pods on one node. For a controller's constraint, `byOrdinal` is the cache's per-node
 * index of that controller (SchedulerCache.controllerPodsByNode), read instead of the node's map.
 */
function countOnNode(c: CompiledConstraint, node: SchedulerNodeInfo, byOrdinal: Int32Array | undefined): number {
  if (c.controllerUid !== undefined) return node.ordinal < 0 ? (node.controllerCounts.get(c.controllerUid) ?? 0) : controllerPodsOnNode(byOrdinal, node.ordinal);
  let n = 0;
  for (const p of node.pods.values()) if (c.matches(p)) n++;
  return n;
}

// ---- Filter (DoNotSchedule) ----

export interface TopologySpreadFilterState {
  readonly pod: SchedulerPodInfo;
  readonly constraints: readonly CompiledConstraint[];
  /** Per constraint: topology value → matching pods, for every domain of an eligible node. */
  readonly counts: readonly Map<string, number>[];
  /** Per constraint: the global minimum (0 when fewer domains than minDomains). */
  readonly minMatch: readonly number[];
  readonly selfMatch: readonly number[];
}

/** PreFilter; undefined when the pod has no DoNotSchedule constraints. */
export function topologySpreadPreFilter(pod: SchedulerPodInfo, cache: SchedulerCache): TopologySpreadFilterState | undefined {
  const constraints = compileConstraints(pod, 'DoNotSchedule');
  if (constraints.length === 0) return undefined;
  const counts = constraints.map(() => new Map<string, number>());
  const eligible = constraints.map(() => new Set<string>());
  for (const node of cache.nodeList()) {
    if (!hasAllKeys(node, constraints)) continue;
    constraints.forEach((c, i) => {
      if (!nodeIsEligible(c, pod, node)) return;
      eligible[i]!.add(node.name);
      const value = node.topologyValue(c.topologyKey)!;
      if (!counts[i]!.has(value)) counts[i]!.set(value, 0);
    });
  }
  for (const existing of cache.podsInNamespace(pod.namespace).values()) {
    const node = cache.nodeInfo(existing.nodeName);
    if (node?.node === undefined) continue;
    constraints.forEach((c, i) => {
      if (!eligible[i]!.has(node.name) || !c.matches(existing)) return;
      const value = node.topologyValue(c.topologyKey)!;
      counts[i]!.set(value, (counts[i]!.get(value) ?? 0) + 1);
    });
  }
  const minMatch = constraints.map((c, i) => {
    const domains = counts[i]!;
    if (domains.size < c.minDomains) return 0;
    let min = Number.POSITIVE_INFINITY;
    for (const n of domains.values()) min = Math.min(min, n);
    return Number.isFinite(min) ? min : 0;
  });
  const selfMatch = constraints.map((c) => (c.controllerUid === undefined ? (c.matches(pod) ? 1 : 0) : 1));
  return { pod, constraints, counts, minMatch, selfMatch };
}

export function topologySpreadFilter(
  state: TopologySpreadFilterState,
  node: SchedulerNodeInfo,
): { readonly plugin: SchedulerPluginName; readonly reasons: readonly string[] } | undefined {
  for (let i = 0; i < state.constraints.length; i++) {
    const c = state.constraints[i]!;
    const value = node.topologyValue(c.topologyKey);
    if (value === undefined) return { plugin: 'PodTopologySpread', reasons: [REASON_TOPOLOGY_SPREAD_MISSING_LABEL] };
    const skew = (state.counts[i]!.get(value) ?? 0) + state.selfMatch[i]! - state.minMatch[i]!;
    if (skew > c.maxSkew) return { plugin: 'PodTopologySpread', reasons: [REASON_TOPOLOGY_SPREAD] };
  }
  return undefined;
}

// ---- Score (ScheduleAnyway and system defaults) ----

export interface TopologySpreadScoreState {
  readonly constraints: readonly CompiledConstraint[];
  readonly requireAllTopologies: boolean;
  /** Per constraint (non-hostname keys): topology value → matching pods across all nodes. */
  readonly pairCounts: readonly Map<string, number>[];
  /** Per constraint: log(domains + 2), kube's topologyNormalizingWeight. */
  readonly weights: readonly number[];
  /** Per constraint: the cache's per-node counts of its controller (undefined for label-selector constraints, or no such pods). */
  readonly controllerCounts: readonly (Int32Array | undefined)[];
  /**
   * Per zone-keyed constraint, when every node has a zoneId: its score term (count × weight +
   * maxSkew − 1) by zoneId, so a node's term is an array load. Undefined otherwise.
   */
  readonly zoneTerms: readonly (Float64Array | undefined)[];
}

/** PreScore over the nodes that passed the filters; undefined when there is nothing to spread. */
export function topologySpreadPreScore(pod: SchedulerPodInfo, filtered: readonly SchedulerNodeInfo[], cache: SchedulerCache): TopologySpreadScoreState | undefined {
  const explicit = compileConstraints(pod, 'ScheduleAnyway');
  const constraints = explicit.length > 0 ? explicit : defaultConstraints(pod, cache);
  if (constraints.length === 0) return undefined;
  const requireAllTopologies = (pod.pod.spec?.topologySpreadConstraints ?? []).length > 0;
  const pairCounts = constraints.map(() => new Map<string, number>());
  const controllerCounts = constraints.map((c) => (c.controllerUid === undefined ? undefined : cache.controllerPodsByNode(c.controllerUid)));
  const zoneIdCount = cache.zoneIdCount;
  // Zones already added to a zone-keyed constraint's domains, by zoneId: a Map lookup only at a zone's first node.
  const zonesSeen = constraints.map((c) => (c.topologyKey === LABEL_TOPOLOGY_ZONE && zoneIdCount !== undefined ? new Uint8Array(zoneIdCount) : undefined));
  let scoredNodes = 0;
  for (const node of filtered) {
    if (requireAllTopologies && !hasAllKeys(node, constraints)) continue;
    scoredNodes++;
    for (let i = 0; i < constraints.length; i++) {
      const c = constraints[i]!;
      if (c.topologyKey === LABEL_HOSTNAME) continue;
      const seen = zonesSeen[i];
      if (seen !== undefined && node.zoneId >= 0) {
        if (seen[node.zoneId] === 1) continue;
        seen[node.zoneId] = 1;
      }
      const value = node.topologyValue(c.topologyKey);
      if (value !== undefined && !pairCounts[i]!.has(value)) pairCounts[i]!.set(value, 0);
    }
  }
  for (let i = 0; i < constraints.length; i++) {
    const c = constraints[i]!;
    if (c.topologyKey === LABEL_HOSTNAME || pairCounts[i]!.size === 0) continue;
    const counts = pairCounts[i]!;
    if (c.controllerUid !== undefined && c.topologyKey === LABEL_TOPOLOGY_ZONE) {
      // Default zone spreading reads the cache's per-zone index instead of visiting every node.
      for (const zone of counts.keys()) counts.set(zone, cache.controllerPodsInZone(c.controllerUid, zone));
      continue;
    }
    for (const node of cache.nodeList()) {
      if (requireAllTopologies && !hasAllKeys(node, constraints)) continue;
      const value = node.topologyValue(c.topologyKey);
      if (value === undefined || !counts.has(value) || !nodeIsEligible(c, pod, node)) continue;
      counts.set(value, counts.get(value)! + countOnNode(c, node, controllerCounts[i]));
    }
  }
  const weights = constraints.map((c, i) => Math.log((c.topologyKey === LABEL_HOSTNAME ? scoredNodes : pairCounts[i]!.size) + 2));
  const zoneTerms = constraints.map((c, i) => {
    if (zonesSeen[i] === undefined || zoneIdCount === undefined) return undefined;
    const terms = new Float64Array(zoneIdCount);
    for (let id = 0; id < zoneIdCount; id++) terms[id] = (pairCounts[i]!.get(cache.zoneValue(id)!) ?? 0) * weights[i]! + (c.maxSkew - 1);
    return terms;
  });
  return { constraints, requireAllTopologies, pairCounts, weights, controllerCounts, zoneTerms };
}

/** The raw score of a node (higher = more crowded), or undefined for a node to ignore (lacks required keys). */
export function topologySpreadScore(state: TopologySpreadScoreState, node: SchedulerNodeInfo): number | undefined {
  if (state.requireAllTopologies && !hasAllKeys(node, state.constraints)) return undefined;
  let score = 0;
  for (let i = 0; i < state.constraints.length; i++) {
    const c = state.constraints[i]!;
    const terms = state.zoneTerms[i];
    if (terms !== undefined && node.zoneId >= 0 && node.zoneId < terms.length) {
      score += terms[node.zoneId]!;
      continue;
    }
    const value = node.topologyValue(c.topologyKey);
    if (value === undefined) continue;
    const count = c.topologyKey === LABEL_HOSTNAME ? countOnNode(c, node, state.controllerCounts[i]) : (state.pairCounts[i]!.get(value) ?? 0);
    score += count * state.weights[i]! + (c.maxSkew - 1);
  }
  return Math.round(score);
}

/**
 * Adds `weight` × kube's normalised spreading score of every node to `totals[i]` (NormalizeScore:
 * fewer matching pods → higher, ignored nodes 0). One pass over unboxed raw scores, as this runs
 * for every feasible node of every attempt.
 */
export function addTopologySpreadScores(state: TopologySpreadScoreState, nodes: readonly SchedulerNodeInfo[], totals: number[], weight: number): void {
  const n = nodes.length;
  // NaN marks a node to ignore (topologySpreadScore's undefined).
  const raw = new Float64Array(n);
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const s = topologySpreadScore(state, nodes[i]!);
    if (s === undefined) {
      raw[i] = Number.NaN;
      continue;
    }
    raw[i] = s;
    if (s < min) min = s;
    if (s > max) max = s;
  }
  for (let i = 0; i < n; i++) {
    const s = raw[i]!;
    const normalized = Number.isNaN(s) ? 0 : max === 0 ? MAX_NODE_SCORE : Math.trunc((MAX_NODE_SCORE * (max + min - s)) / max);
    totals[i]! += weight * normalized;
  }
}
