// A Deployment's status and conditions, as kube's calculateStatus and syncRolloutStatus: counts
// summed over its ReplicaSets, Available, Progressing (with the progress deadline) and
// ReplicaFailure carried over from the ReplicaSets.

import type { Deployment, DeploymentStatus, ReplicaSet, WorkloadCondition } from '../../../core/index.js';
import { formatRfc3339, parseRfc3339 } from '../../../core/index.js';
import { actualReplicaCount, availableReplicaCount, desiredReplicas, maxUnavailable, readyReplicaCount, replicaCount } from './rollout-math.js';

export const DEPLOYMENT_PROGRESSING = 'Progressing';
export const DEPLOYMENT_AVAILABLE = 'Available';
export const DEPLOYMENT_REPLICA_FAILURE = 'ReplicaFailure';

/** The reasons of the Progressing and Available conditions (kube's deployment util names). */
export const DeploymentReason = {
  NewReplicaSetCreated: 'NewReplicaSetCreated',
  FoundNewReplicaSet: 'FoundNewReplicaSet',
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  NewReplicaSetAvailable: 'NewReplicaSetAvailable',
  ProgressDeadlineExceeded: 'ProgressDeadlineExceeded',
  FailedReplicaSetCreate: 'ReplicaSetCreateError',
  DeploymentPaused: 'DeploymentPaused',
  DeploymentResumed: 'DeploymentResumed',
  MinimumReplicasAvailable: 'MinimumReplicasAvailable',
  MinimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

/** progressDeadlineSeconds unset or MaxInt32 means "no deadline" (kube's HasProgressDeadline). */
const NO_DEADLINE = 2 ** 31 - 1;

export function progressDeadlineSeconds(d: Deployment): number | undefined {
  const seconds = d.spec?.progressDeadlineSeconds ?? 600;
  return seconds === NO_DEADLINE ? undefined : seconds;
}

export function newDeploymentCondition(type: string, status: WorkloadCondition['status'], reason: string, message: string, nowMs: number): WorkloadCondition {
  const now = formatRfc3339(nowMs);
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

export function getDeploymentCondition(status: DeploymentStatus | undefined, type: string): WorkloadCondition | undefined {
  return status?.conditions?.find((condition) => condition.type === type);
}

/** Sets a condition in place; a same-status, same-reason condition is left as is (kube's SetDeploymentCondition). */
export function setDeploymentCondition(status: DeploymentStatus, condition: WorkloadCondition): void {
  const current = getDeploymentCondition(status, condition.type);
  if (current !== undefined && current.status === condition.status && current.reason === condition.reason) return;
  const next = { ...condition };
  if (current !== undefined && current.status === condition.status && current.lastTransitionTime !== undefined) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

export function removeDeploymentCondition(status: DeploymentStatus, type: string): void {
  if (status.conditions === undefined) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}

/** The status counts and the Available condition (kube's calculateStatus). */
export function calculateDeploymentStatus(all: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, nowMs: number): DeploymentStatus {
  const available = availableReplicaCount(all);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation ?? 0,
    replicas: actualReplicaCount(all),
    updatedReplicas: actualReplicaCount([newRS]),
    readyReplicas: readyReplicaCount(all),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, replicaCount(all) - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions !== undefined) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (available >= desiredReplicas(d) - maxUnavailable(d)) {
    setDeploymentCondition(status, newDeploymentCondition(DEPLOYMENT_AVAILABLE, 'True', DeploymentReason.MinimumReplicasAvailable, 'Deployment has minimum availability.', nowMs));
  } else {
    setDeploymentCondition(status, newDeploymentCondition(DEPLOYMENT_AVAILABLE, 'False', DeploymentReason.MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', nowMs));
  }
  return status;
}

/** Every replica updated and available, and the latest generation observed (kube's DeploymentComplete). */
export function deploymentComplete(d: Deployment, status: DeploymentStatus): boolean {
  const desired = desiredReplicas(d);
  return status.updatedReplicas === desired && status.replicas === desired && status.availableReplicas === desired && (status.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** Whether `next` shows progress over the stored status (kube's DeploymentProgressing). */
export function deploymentProgressing(d: Deployment, next: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld || (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/** When the Progressing condition's deadline passes (epoch ms), or undefined when none runs. */
export function progressDeadlineAtMs(d: Deployment, status: DeploymentStatus): number | undefined {
  const seconds = progressDeadlineSeconds(d);
  const condition = getDeploymentCondition(status, DEPLOYMENT_PROGRESSING);
  if (seconds === undefined || condition === undefined) return undefined;
  if (condition.reason === DeploymentReason.NewReplicaSetAvailable || condition.reason === DeploymentReason.ProgressDeadlineExceeded) return undefined;
  const from = condition.lastUpdateTime === undefined ? undefined : parseRfc3339(condition.lastUpdateTime);
  return from === undefined ? undefined : from + seconds * 1000;
}

/** kube's DeploymentTimedOut: the Progressing condition was last updated more than the deadline ago. */
export function deploymentTimedOut(d: Deployment, status: DeploymentStatus, nowMs: number): boolean {
  const condition = getDeploymentCondition(status, DEPLOYMENT_PROGRESSING);
  if (condition?.reason === DeploymentReason.ProgressDeadlineExceeded) return progressDeadlineSeconds(d) !== undefined;
  const at = progressDeadlineAtMs(d, status);
  return at !== undefined && at < nowMs;
}

/**
 * The status after a rollout step (kube's syncRolloutStatus, minus the write): counts,
 * Available, Progressing (complete / progressing / timed out) and ReplicaFailure.
 */
export function rolloutStatus(all: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, nowMs: number): DeploymentStatus {
  const status = calculateDeploymentStatus(all, newRS, d, nowMs);
  const name = d.metadata?.name ?? '';
  if (progressDeadlineSeconds(d) === undefined) removeDeploymentCondition(status, DEPLOYMENT_PROGRESSING);
  const current = getDeploymentCondition(d.status, DEPLOYMENT_PROGRESSING);
  const isComplete = status.replicas === status.updatedReplicas && current?.reason === DeploymentReason.NewReplicaSetAvailable;
  if (progressDeadlineSeconds(d) !== undefined && !isComplete) {
    const subject = newRS === undefined ? `Deployment "${name}"` : `ReplicaSet "${newRS.metadata?.name ?? ''}"`;
    if (deploymentComplete(d, status)) {
      setDeploymentCondition(status, newDeploymentCondition(DEPLOYMENT_PROGRESSING, 'True', DeploymentReason.NewReplicaSetAvailable, `${subject} has successfully progressed.`, nowMs));
    } else if (deploymentProgressing(d, status)) {
      // Progress refreshes lastUpdateTime even with an unchanged reason: that restarts the deadline.
      const condition = newDeploymentCondition(DEPLOYMENT_PROGRESSING, 'True', DeploymentReason.ReplicaSetUpdated, `${subject} is progressing.`, nowMs);
      if (current?.status === 'True' && current.lastTransitionTime !== undefined) condition.lastTransitionTime = current.lastTransitionTime;
      removeDeploymentCondition(status, DEPLOYMENT_PROGRESSING);
      setDeploymentCondition(status, condition);
    } else if (deploymentTimedOut(d, status, nowMs)) {
      setDeploymentCondition(status, newDeploymentCondition(DEPLOYMENT_PROGRESSING, 'False', DeploymentReason.ProgressDeadlineExceeded, `${subject} has timed out progressing.`, nowMs));
    }
  }
  const failure = replicaFailure(all, newRS);
  if (failure !== undefined) setDeploymentCondition(status, failure);
  else removeDeploymentCondition(status, DEPLOYMENT_REPLICA_FAILURE);
  return status;
}

/** The new ReplicaSet's ReplicaFailure condition, else the first old one's, as a Deployment condition. */
function replicaFailure(all: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): WorkloadCondition | undefined {
  for (const rs of [newRS, ...all]) {
    const condition = rs?.status?.conditions?.find((c) => c.type === DEPLOYMENT_REPLICA_FAILURE);
    if (condition === undefined) continue;
    const out: WorkloadCondition = { type: condition.type, status: condition.status };
    if (condition.lastTransitionTime !== undefined) {
      out.lastUpdateTime = condition.lastTransitionTime;
      out.lastTransitionTime = condition.lastTransitionTime;
    }
    if (condition.reason !== undefined) out.reason = condition.reason;
    if (condition.message !== undefined) out.message = condition.message;
    return out;
  }
  return undefined;
}
