// The pod conditions the kubelet owns (PodReadyToStartContainers, Initialized, Ready,
// ContainersReady), with the reasons and messages kubelet writes (pkg/kubelet/status/generate.go).

import type { ContainerStatus, Pod, PodCondition } from '../../../core/index.js';
import { formatRfc3339 } from '../../../core/index.js';
import type { PodPhase } from './pod-phase.js';

/** Conditions the kubelet sets; any other condition of the pod (PodScheduled, gates) is kept as is. */
export const KUBELET_OWNED_POD_CONDITIONS: readonly string[] = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady'];

type ConditionDraft = Omit<PodCondition, 'lastProbeTime' | 'lastTransitionTime'>;

function goList(names: readonly string[]): string {
  return `[${names.join(' ')}]`;
}

function initializedCondition(pod: Pod, initStatuses: readonly ContainerStatus[], phase: PodPhase): ConditionDraft {
  const incomplete = (pod.spec?.initContainers ?? [])
    .filter((c) => {
      const terminated = initStatuses.find((s) => s.name === c.name)?.state?.terminated;
      return terminated === undefined || terminated.exitCode !== 0;
    })
    .map((c) => c.name);
  // A pod that got past initialization stays initialized (Succeeded pods' init containers may be gone).
  if (incomplete.length === 0 || phase === 'Succeeded' || phase === 'Running') return { type: 'Initialized', status: 'True' };
  return { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: ${goList(incomplete)}` };
}

function containersReadyCondition(pod: Pod, statuses: readonly ContainerStatus[], phase: PodPhase): ConditionDraft {
  if (phase === 'Succeeded') return { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' };
  const unready = pod.spec?.containers.filter((c) => statuses.find((s) => s.name === c.name)?.ready !== true).map((c) => c.name) ?? [];
  if (unready.length === 0) return { type: 'ContainersReady', status: 'True' };
  return { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: ${goList(unready)}` };
}

function readyCondition(pod: Pod, containersReady: ConditionDraft): ConditionDraft {
  if (containersReady.status !== 'True') return { ...containersReady, type: 'Ready' };
  const gateProblems: string[] = [];
  for (const gate of pod.spec?.readinessGates ?? []) {
    const condition = pod.status?.conditions?.find((c) => c.type === gate.conditionType);
    if (condition === undefined) gateProblems.push(`corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`);
    else if (condition.status !== 'True') gateProblems.push(`the status of pod readiness gate "${gate.conditionType}" is not "True", but ${condition.status}`);
  }
  if (gateProblems.length === 0) return { type: 'Ready', status: 'True' };
  return { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: gateProblems.join(', ') };
}

/** Keeps `lastTransitionTime` of a condition whose status did not change (as Kubernetes does). */
function withTransitionTime(draft: ConditionDraft, old: readonly PodCondition[], nowMs: number): PodCondition {
  const previous = old.find((c) => c.type === draft.type);
  const lastTransitionTime =
    previous !== undefined && previous.status === draft.status && previous.lastTransitionTime != null ? previous.lastTransitionTime : formatRfc3339(nowMs);
  return { type: draft.type, status: draft.status, lastProbeTime: null, lastTransitionTime, ...(draft.reason !== undefined ? { reason: draft.reason } : {}), ...(draft.message !== undefined ? { message: draft.message } : {}) };
}

export interface PodConditionsInput {
  readonly pod: Pod;
  readonly sandboxReady: boolean;
  readonly initStatuses: readonly ContainerStatus[];
  readonly statuses: readonly ContainerStatus[];
  readonly phase: PodPhase;
  readonly nowMs: number;
}

/**
 * The pod's conditions: the kubelet's own first (in Kubernetes' order), then every other
 * condition the pod already had, with PodScheduled added as True when missing (the pod is on
 * this node, so it was scheduled).
 */
export function computePodConditions(input: PodConditionsInput): PodCondition[] {
  const { pod, phase, nowMs } = input;
  const old = pod.status?.conditions ?? [];
  const containersReady = containersReadyCondition(pod, input.statuses, phase);
  const drafts: ConditionDraft[] = [
    { type: 'PodReadyToStartContainers', status: input.sandboxReady ? 'True' : 'False' },
    initializedCondition(pod, input.initStatuses, phase),
    readyCondition(pod, containersReady),
    containersReady,
  ];
  const out = drafts.map((d) => withTransitionTime(d, old, nowMs));
  for (const condition of old) {
    if (!KUBELET_OWNED_POD_CONDITIONS.includes(condition.type)) out.push({ ...condition });
  }
  if (!out.some((c) => c.type === 'PodScheduled')) {
    out.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: formatRfc3339(nowMs) });
  }
  return out;
}
