// The arithmetic of rollouts, as kube's deployment util: maxSurge/maxUnavailable resolution,
// replica sums over ReplicaSets, the new ReplicaSet's next size, and proportional shares.

import type { Deployment, IntOrString, ReplicaSet } from '../../../core/index.js';
import { DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION } from './deployment-annotations.js';

/**
 * Thrown when maxSurge or maxUnavailable is neither an integer nor a percentage (`"3x"`); the
 * API server's validation refuses such values, so only a bypassed validation gets here.
 */
export class InvalidIntOrPercentError extends Error {
  override readonly name = 'InvalidIntOrPercentError';
  constructor(readonly value: string) {
    super(`invalid value for IntOrString: invalid value ${JSON.stringify(value)}`);
  }
}

/** An int, or a percentage of `total` rounded up or down (intstr.GetScaledValueFromIntOrPercent). */
export function scaledIntOrPercent(value: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const match = /^(-?[0-9]+)%$/.exec(value);
  if (match === null) {
    if (/^-?[0-9]+$/.test(value)) return Number(value);
    throw new InvalidIntOrPercentError(value);
  }
  const scaled = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

export function desiredReplicas(d: Deployment): number {
  return d.spec?.replicas ?? 1;
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** [maxSurge, maxUnavailable] with surge rounded up and unavailable down; never both zero. */
export function resolveFenceposts(d: Deployment): [number, number] {
  const desired = desiredReplicas(d);
  const rolling = d.spec?.strategy?.rollingUpdate;
  const surge = scaledIntOrPercent(rolling?.maxSurge ?? '25%', desired, true);
  const unavailable = scaledIntOrPercent(rolling?.maxUnavailable ?? '25%', desired, false);
  return surge === 0 && unavailable === 0 ? [0, 1] : [surge, unavailable];
}

export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? resolveFenceposts(d)[0] : 0;
}

export function maxUnavailable(d: Deployment): number {
  const desired = desiredReplicas(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  return Math.min(resolveFenceposts(d)[1], desired);
}

export function specReplicas(rs: ReplicaSet | undefined): number {
  return rs?.spec?.replicas ?? 0;
}

/** Σ spec.replicas. */
export function replicaCount(sets: readonly (ReplicaSet | undefined)[]): number {
  return sets.reduce((sum, rs) => sum + specReplicas(rs), 0);
}

/** Σ status.replicas. */
export function actualReplicaCount(sets: readonly (ReplicaSet | undefined)[]): number {
  return sets.reduce((sum, rs) => sum + (rs?.status?.replicas ?? 0), 0);
}

export function readyReplicaCount(sets: readonly (ReplicaSet | undefined)[]): number {
  return sets.reduce((sum, rs) => sum + (rs?.status?.readyReplicas ?? 0), 0);
}

export function availableReplicaCount(sets: readonly (ReplicaSet | undefined)[]): number {
  return sets.reduce((sum, rs) => sum + (rs?.status?.availableReplicas ?? 0), 0);
}

/** ReplicaSets with spec.replicas > 0. */
export function activeReplicaSets(sets: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
  return sets.filter((rs): rs is ReplicaSet => rs !== undefined && specReplicas(rs) > 0);
}

/** The size the new ReplicaSet may grow to now (kube's NewRSNewReplicas). */
export function newReplicaSetNextSize(d: Deployment, all: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet): number {
  const desired = desiredReplicas(d);
  if (!isRollingUpdate(d)) return desired;
  const maxTotal = desired + scaledIntOrPercent(d.spec?.strategy?.rollingUpdate?.maxSurge ?? '25%', desired, true);
  const current = replicaCount(all);
  if (current >= maxTotal) return specReplicas(newRS);
  return specReplicas(newRS) + Math.min(maxTotal - current, desired - specReplicas(newRS));
}

function annotationInt(rs: ReplicaSet, annotation: string): number | undefined {
  const text = rs.metadata?.annotations?.[annotation];
  return text !== undefined && /^-?[0-9]+$/.test(text) ? Number(text) : undefined;
}

export function desiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return annotationInt(rs, DESIRED_REPLICAS_ANNOTATION);
}

/** Go's math.Round: halves away from zero. */
function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * How many replicas `rs` should gain (or lose) of `toAdd` when a Deployment is resized mid-rollout,
 * in proportion to its share of the previous size (the max-replicas annotation); kube's GetProportion.
 */
export function replicaSetProportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  let fraction: number;
  if (desiredReplicas(d) === 0) {
    fraction = -specReplicas(rs);
  } else {
    const deploymentReplicas = desiredReplicas(d) + maxSurge(d);
    const annotated = annotationInt(rs, MAX_REPLICAS_ANNOTATION) ?? d.status?.replicas ?? 0;
    fraction = annotated === 0 ? 0 : roundHalfAwayFromZero((specReplicas(rs) * deploymentReplicas) / annotated) - specReplicas(rs);
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}
