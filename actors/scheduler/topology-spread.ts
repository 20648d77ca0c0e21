// PodTopologySpread: DoNotSchedule constraints as a filter (skew = matching pods in the node's
// domain + self − the global minimum must stay within maxSkew), ScheduleAnyway constraints as a
// score, and kube's system default constraints (hostname maxSkew 3, zone maxSkew 5, both
// ScheduleAnyway) for pods without constraints — spreading the pods of one controlling owner.

import { newLabelRequirement } from '../../core/index.js';
import type { TopologySpreadConstraint } from '../../core/index.js';
import { labelSelectorFromObject, ParsedLabelSelector } from '../../core/index.js';
import type { SchedulerPluginName } from './fit-error.js';
import { REASON_TOPOLOGY_SPREAD, REASON_TOPOLOGY_SPREAD_MISSING_LABEL } from './fit-error.js';
import { podMatchesNodeSelectorAndAffinity } from './node-affinity.js';
import { untoleratedTaint } from './node-filters.js';
import type { SchedulerNodeInfo } from './node-info.js';
import type { SchedulerPodInfo } from './pod-info.js';
import type { SchedulerCache } from './scheduler-cache.js';
import { LABEL_HOSTNAME, LABEL_TOPOLOGY_ZONE } from './scheduler-cache.js';

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
  const base = { minDomains: 1, matches, controllerUid: uid, honorNodeAffinity: true, honorTaints: false };
  const out: CompiledConstraint[] = [{ ...base, topologyKey: LABEL_HOSTNAME, maxSkew: DEFAULT_SPREAD_HOSTNAME_MAX_SKEW }];
  if (cache.hasZonedNodes) out.push({ ...base, topologyKey: LABEL_TOPOLOGY_ZONE, maxSkew: DEFAULT_SPREAD_ZONE_MAX_SKEW });
  return out;
}

function hasAllKeys(node: SchedulerNodeInfo, constraints: readonly CompiledConstraint[]): boolean {
  for (const c of constraints) if (node.labels[c.topologyKey] === undefined) return false;
  return true;
}

/** Whether the node counts towards the constraint's domains (nodeAffinityPolicy / nodeTaintsPolicy). */
function nodeIsEligible(c: CompiledConstraint, pod: SchedulerPodInfo, node: SchedulerNodeInfo): boolean {
  if (c.honorNodeAffinity && node.node !== undefined && !podMatchesNodeSelectorAndAffinity(pod.pod, node.node)) return false;
  if (c.honorTaints && untoleratedTaint(pod, node) !== undefined) return false;
  return true;
}

/** Matching pods on one node. */
function countOnNode(c: CompiledConstraint, node: SchedulerNodeInfo): number {
  if (c.controllerUid !== undefined) return node.controllerCounts.get(c.controllerUid) ?? 0;
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
      const value = node.labels[c.topologyKey]!;
      if (!counts[i]!.has(value)) counts[i]!.set(value, 0);
    });
  }
  for (const existing of cache.podsInNamespace(pod.namespace).values()) {
    const node = cache.nodeInfo(existing.nodeName);
    if (node?.node === undefined) continue;
    constraints.forEach((c, i) => {
      if (!eligible[i]!.has(node.name) || !c.matches(existing)) return;
      const value = node.labels[c.topologyKey]!;
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
    const value = node.labels[c.topologyKey];
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
}

/** PreScore over the nodes that passed the filters; undefined when there is nothing to spread. */
export function topologySpreadPreScore(pod: SchedulerPodInfo, filtered: readonly SchedulerNodeInfo[], cache: SchedulerCache): TopologySpreadScoreState | undefined {
  const explicit = compileConstraints(pod, 'ScheduleAnyway');
  const constraints = explicit.length > 0 ? explicit : defaultConstraints(pod, cache);
  if (constraints.length === 0) return undefined;
  const requireAllTopologies = (pod.pod.spec?.topologySpreadConstraints ?? []).length > 0;
  const pairCounts = constraints.map(() => new Map<string, number>());
  let scoredNodes = 0;
  for (const node of filtered) {
    if (requireAllTopologies && !hasAllKeys(node, constraints)) continue;
    scoredNodes++;
    for (let i = 0; i < constraints.length; i++) {
      const c = constraints[i]!;
      if (c.topologyKey === LABEL_HOSTNAME) continue;
      const value = node.labels[c.topologyKey];
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
      const value = node.labels[c.topologyKey];
      if (value === undefined || !counts.has(value) || !nodeIsEligible(c, pod, node)) continue;
      counts.set(value, counts.get(value)! + countOnNode(c, node));
    }
  }
  const weights = constraints.map((c, i) => Math.log((c.topologyKey === LABEL_HOSTNAME ? scoredNodes : pairCounts[i]!.size) + 2));
  return { constraints, requireAllTopologies, pairCounts, weights };
}

/** The raw score of a node (higher = more crowded), or undefined for a node to ignore (lacks required keys). */
export function topologySpreadScore(state: TopologySpreadScoreState, node: SchedulerNodeInfo): number | undefined {
  if (state.requireAllTopologies && !hasAllKeys(node, state.constraints)) return undefined;
  let score = 0;
  for (let i = 0; i < state.constraints.length; i++) {
    const c = state.constraints[i]!;
    const value = node.labels[c.topologyKey];
    if (value === undefined) continue;
    const count = c.topologyKey === LABEL_HOSTNAME ? countOnNode(c, node) : (state.pairCounts[i]!.get(value) ?? 0);
    score += count * state.weights[i]! + (c.maxSkew - 1);
  }
  return Math.round(score);
}

/** kube's NormalizeScore for spreading: fewer matching pods → higher score; ignored nodes get 0. */
export function normalizeTopologySpreadScores(raw: readonly (number | undefined)[]): number[] {
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (const s of raw) {
    if (s === undefined) continue;
    min = Math.min(min, s);
    max = Math.max(max, s);
  }
  return raw.map((s) => {
    if (s === undefined) return 0;
    if (max === 0) return 100;
    return Math.trunc((100 * (max + min - s)) / max);
  });
}
