// A ReplicaSet's status as kube's calculateStatus computes it from the pods it controls, and
// the ReplicaFailure condition that reports failed creates or deletes.

import type { Pod, ReplicaSet, WorkloadCondition } from '../../../core/index.js';
import { formatRfc3339 } from '../../../core/index.js';
import { isPodAvailable, isPodReady, podAvailableInMs } from './pod-state.js';

export type ReplicaSetStatus = NonNullable<ReplicaSet['status']>;

export const REPLICA_FAILURE_CONDITION = 'ReplicaFailure';

/** Whether every label of the template is on the pod (status.fullyLabeledReplicas). */
function hasTemplateLabels(pod: Pod, templateLabels: Readonly<Record<string, string>>): boolean {
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(templateLabels).every(([key, value]) => labels[key] === value);
}

/**
 * The status `rs` should have given its active, claimed `pods`. `manageError` is the failure of
 * this sync's creates/deletes (sets ReplicaFailure; a clean sync clears it), `diff` the sign of
 * what it tried (negative: creating).
 */
export function calculateReplicaSetStatus(rs: ReplicaSet, pods: readonly Pod[], manageError: unknown, diff: number, nowMs: number): ReplicaSetStatus {
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (hasTemplateLabels(pod, templateLabels)) fullyLabeled++;
    if (isPodReady(pod)) ready++;
    if (isPodAvailable(pod, minReadySeconds, nowMs)) available++;
  }
  const status: ReplicaSetStatus = { ...structuredClone(rs.status ?? { replicas: 0 }), replicas: pods.length, fullyLabeledReplicas: fullyLabeled, readyReplicas: ready, availableReplicas: available };
  const failure = status.conditions?.find((condition) => condition.type === REPLICA_FAILURE_CONDITION);
  if (manageError !== undefined && failure === undefined) {
    const condition: WorkloadCondition = {
      type: REPLICA_FAILURE_CONDITION,
      status: 'True',
      lastTransitionTime: formatRfc3339(nowMs),
      reason: diff < 0 ? 'FailedCreate' : 'FailedDelete',
      message: manageError instanceof Error ? manageError.message : String(manageError),
    };
    status.conditions = [...(status.conditions ?? []), condition];
  } else if (manageError === undefined && failure !== undefined) {
    status.conditions = (status.conditions ?? []).filter((condition) => condition.type !== REPLICA_FAILURE_CONDITION);
    if (status.conditions.length === 0) delete status.conditions;
  }
  status.observedGeneration = rs.metadata?.generation ?? 0;
  return status;
}

/** The soonest a ready pod becomes available (minReadySeconds), for a requeue; undefined if none pending. */
export function nextAvailabilityInMs(rs: ReplicaSet, pods: readonly Pod[], nowMs: number): number | undefined {
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
  let soonest: number | undefined;
  for (const pod of pods) {
    const inMs = podAvailableInMs(pod, minReadySeconds, nowMs);
    if (inMs !== undefined && (soonest === undefined || inMs < soonest)) soonest = inMs;
  }
  return soonest;
}

/** Field-by-field equality of two statuses (JSON-level; key order ignored). */
export function replicaSetStatusEqual(a: ReplicaSetStatus | undefined, b: ReplicaSetStatus | undefined): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) sorted[key] = (v as Record<string, unknown>)[key];
    return sorted;
  });
}
