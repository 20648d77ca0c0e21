// A pod as the scheduler reads it, parsed once per version of the pod: its requests as numbers, host
// ports, tolerations, owner and affinity terms with compiled selectors. Everything the per-node
// filters and scores need is here, so none of them looks at the raw object again.

import { labelSelectorFromObject, ParsedLabelSelector } from '../../core/index.js';
import type { LabelSelectorObject, Pod, PodAffinityTerm, Toleration } from '../../core/index.js';
import type { SchedulerResources } from './pod-requests.js';
import { computePodRequests } from './pod-requests.js';

/** One pod (anti-)affinity term, compiled (kube's framework.AffinityTerm / WeightedAffinityTerm). */
export interface SchedulerAffinityTerm {
  readonly selector: ParsedLabelSelector;
  /** Namespaces named by the term; the pod's own when neither namespaces nor namespaceSelector is given. */
  readonly namespaces: ReadonlySet<string>;
  /** Undefined when the term has no namespaceSelector (which is not the same as an empty one: `{}` selects all). */
  readonly namespaceSelector: ParsedLabelSelector | undefined;
  readonly topologyKey: string;
  /** Preferred terms' weight; 0 for required terms. */
  readonly weight: number;
}

export interface SchedulerHostPort {
  readonly hostIP: string;
  readonly protocol: string;
  readonly port: number;
}

export interface SchedulerPodInfo {
  /** `namespace/name`. */
  readonly key: string;
  readonly pod: Pod;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly labels: Readonly<Record<string, string>>;
  /** spec.nodeName ('' when unassigned; the assumed node for an assumed pod). */
  readonly nodeName: string;
  readonly requests: SchedulerResources;
  /** Requests with kube's defaults for missing CPU and memory requests (what LeastAllocated counts). */
  readonly nonZeroRequests: SchedulerResources;
  readonly hostPorts: readonly SchedulerHostPort[];
  readonly tolerations: readonly Toleration[];
  readonly priority: number;
  /** The uid of the controlling owner (ReplicaSet, StatefulSet, Job…), '' for a bare pod. */
  readonly controllerUid: string;
  readonly requiredAffinity: readonly SchedulerAffinityTerm[];
  readonly requiredAntiAffinity: readonly SchedulerAffinityTerm[];
  readonly preferredAffinity: readonly SchedulerAffinityTerm[];
  readonly preferredAntiAffinity: readonly SchedulerAffinityTerm[];
  readonly images: readonly string[];
  readonly terminating: boolean;
  /** Phase Succeeded or Failed: its containers are gone and its resources free. */
  readonly terminal: boolean;
}

/** A selector that cannot be compiled selects nothing (validation rejects such pods; this only keeps the scheduler safe). */
function compileSelector(selector: LabelSelectorObject | null | undefined): ParsedLabelSelector {
  try {
    return labelSelectorFromObject(selector);
  } catch {
    return ParsedLabelSelector.nothing();
  }
}

function compileTerm(term: PodAffinityTerm, podNamespace: string, weight: number): SchedulerAffinityTerm {
  const names = term.namespaces ?? [];
  const nsSelector = term.namespaceSelector == null ? undefined : compileSelector(term.namespaceSelector);
  const namespaces = new Set(names.length === 0 && nsSelector === undefined ? [podNamespace] : names);
  return { selector: compileSelector(term.labelSelector), namespaces, namespaceSelector: nsSelector, topologyKey: term.topologyKey, weight };
}

/** Whether the term selects `pod` (its labels and namespace); `namespaceLabels` are those of the pod's namespace. */
export function affinityTermMatches(term: SchedulerAffinityTerm, pod: SchedulerPodInfo, namespaceLabels: Readonly<Record<string, string>> | undefined): boolean {
  if (!term.namespaces.has(pod.namespace)) {
    if (term.namespaceSelector === undefined || !term.namespaceSelector.matches(namespaceLabels ?? {})) return false;
  }
  return term.selector.matches(pod.labels);
}

export function schedulerPodInfoOf(pod: Pod, nodeNameOverride?: string): SchedulerPodInfo {
  const meta = pod.metadata ?? {};
  const namespace = meta.namespace ?? '';
  const name = meta.name ?? '';
  const spec = pod.spec;
  const hostPorts: SchedulerHostPort[] = [];
  for (const c of spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if ((p.hostPort ?? 0) > 0) hostPorts.push({ hostIP: p.hostIP ?? '0.0.0.0', protocol: p.protocol ?? 'TCP', port: p.hostPort ?? 0 });
    }
  }
  const affinity = spec?.affinity;
  const images: string[] = [];
  for (const c of spec?.containers ?? []) if (c.image !== undefined && c.image !== '') images.push(c.image);
  const phase = pod.status?.phase;
  return {
    key: namespace === '' ? name : `${namespace}/${name}`,
    pod,
    namespace,
    name,
    uid: meta.uid ?? '',
    labels: meta.labels ?? {},
    nodeName: nodeNameOverride ?? spec?.nodeName ?? '',
    requests: computePodRequests(pod, false),
    nonZeroRequests: computePodRequests(pod, true),
    hostPorts,
    tolerations: spec?.tolerations ?? [],
    priority: spec?.priority ?? 0,
    controllerUid: meta.ownerReferences?.find((o) => o.controller === true)?.uid ?? '',
    requiredAffinity: (affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compileTerm(t, namespace, 0)),
    requiredAntiAffinity: (affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compileTerm(t, namespace, 0)),
    preferredAffinity: (affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => compileTerm(w.podAffinityTerm, namespace, w.weight)),
    preferredAntiAffinity: (affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => compileTerm(w.podAffinityTerm, namespace, w.weight)),
    images,
    terminating: meta.deletionTimestamp != null,
    terminal: phase === 'Succeeded' || phase === 'Failed',
  };
}

/** Whether the pod has any inter-pod (anti-)affinity terms, required or preferred. */
export function hasPodAffinityTerms(p: SchedulerPodInfo): boolean {
  return p.requiredAffinity.length + p.requiredAntiAffinity.length + p.preferredAffinity.length + p.preferredAntiAffinity.length > 0;
}
