// What a pass does to the ReplicaSets, per situation, as kube's deployment controller: scaling
// only (paused, or resized mid-rollout, with proportional shares), RollingUpdate within
// maxSurge/maxUnavailable, Recreate (old pods gone before new ones start), and history clean-up.

import type { Deployment, Pod, ReplicaSet } from '../../../core/index.js';
import { isNotFound, refOfObject } from '../../../core/index.js';
import { REPLICA_SET_RESOURCE } from '../replicaset/workload-resources.js';
import { revisionOf } from './deployment-annotations.js';
import type { DeploymentPass } from './deployment-pass.js';
import { byCreation } from './deployment-pass.js';
import {
  activeReplicaSets,
  actualReplicaCount,
  availableReplicaCount,
  desiredReplicas,
  desiredReplicasAnnotation,
  isRollingUpdate,
  maxSurge,
  maxUnavailable,
  newReplicaSetNextSize,
  replicaCount,
  replicaSetProportion,
  specReplicas,
} from './rollout-math.js';

/** Larger first, then newer first (kube's ReplicaSetsBySizeNewer); `older` flips the tie-break. */
function bySize(older: boolean): (a: ReplicaSet, b: ReplicaSet) => number {
  return (a, b) => {
    const size = specReplicas(b) - specReplicas(a);
    if (size !== 0) return size;
    return older ? byCreation(a, b) : byCreation(b, a);
  };
}

/** The one active ReplicaSet, or the newest when none is active; undefined when several are (kube's FindActiveOrLatest). */
function activeOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  const active = activeReplicaSets([...oldRSs, newRS]);
  if (active.length === 1) return active[0];
  if (active.length > 1) return undefined;
  return newRS ?? [...oldRSs].sort(byCreation).at(-1);
}

function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (rs === undefined) return false;
  const desired = desiredReplicas(d);
  return specReplicas(rs) === desired && desiredReplicasAnnotation(rs) === desired && (rs.status?.availableReplicas ?? 0) === desired;
}

/** Whether the Deployment was resized since its active ReplicaSets were sized (kube's isScalingEvent). */
export function isScalingEvent(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): boolean {
  return activeReplicaSets([...oldRSs, newRS]).some((rs) => {
    const desired = desiredReplicasAnnotation(rs);
    return desired !== undefined && desired !== desiredReplicas(d);
  });
}

/** Resizes the ReplicaSets to the Deployment's size, proportionally during a rollout (kube's scale). */
export async function scaleToDeploymentSize(pass: DeploymentPass, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): Promise<void> {
  const d = pass.d;
  const desired = desiredReplicas(d);
  const single = activeOrLatest(newRS, oldRSs);
  if (single !== undefined) {
    if (specReplicas(single) !== desired) await pass.scaleReplicaSet(single, desired);
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const rs of activeReplicaSets(oldRSs)) await pass.scaleReplicaSet(rs, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const all = activeReplicaSets([...oldRSs, newRS]);
  const allowed = desired > 0 ? desired + maxSurge(d) : 0;
  const toAdd = allowed - replicaCount(all);
  all.sort(bySize(toAdd < 0));
  const sizes = new Map<ReplicaSet, number>();
  let added = 0;
  for (const rs of all) {
    const share = replicaSetProportion(rs, d, toAdd, added);
    sizes.set(rs, specReplicas(rs) + share);
    added += share;
  }
  // Leftovers from rounding go to (or come from) the largest.
  const first = all[0];
  if (first !== undefined && toAdd !== 0) sizes.set(first, Math.max(0, (sizes.get(first) ?? 0) + toAdd - added));
  for (const rs of all) await pass.scaleReplicaSet(rs, sizes.get(rs) ?? specReplicas(rs));
}

/** One RollingUpdate step; returns whether anything was scaled. */
export async function rollingUpdateStep(pass: DeploymentPass, newRS: ReplicaSet, oldRSs: ReplicaSet[]): Promise<boolean> {
  const d = pass.d;
  const desired = desiredReplicas(d);
  // Scale up the new ReplicaSet, within maxSurge.
  if (specReplicas(newRS) !== desired) {
    const size = specReplicas(newRS) > desired ? desired : newReplicaSetNextSize(d, [...oldRSs, newRS], newRS);
    const { scaled } = await pass.scaleReplicaSet(newRS, size);
    if (scaled) return true;
  }
  // Scale down old ReplicaSets, within maxUnavailable.
  const active = activeReplicaSets(oldRSs);
  if (replicaCount(active) === 0) return false;
  const minAvailable = desired - maxUnavailable(d);
  const newUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = replicaCount([...oldRSs, newRS]) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;

  // Unhealthy old replicas first: they would otherwise block the rollout.
  const sorted = [...active].sort(byCreation);
  let cleaned = 0;
  for (let i = 0; i < sorted.length && cleaned < maxScaledDown; i++) {
    const rs = sorted[i]!;
    const unhealthy = specReplicas(rs) - (rs.status?.availableReplicas ?? 0);
    if (specReplicas(rs) === 0 || unhealthy <= 0) continue;
    const count = Math.min(maxScaledDown - cleaned, unhealthy);
    sorted[i] = (await pass.scaleReplicaSet(rs, specReplicas(rs) - count)).rs;
    cleaned += count;
  }

  const available = availableReplicaCount([...sorted, newRS]);
  let scaledDown = 0;
  if (available > minAvailable) {
    const target = available - minAvailable;
    for (const rs of sorted) {
      if (scaledDown >= target) break;
      if (specReplicas(rs) === 0) continue;
      const count = Math.min(specReplicas(rs), target - scaledDown);
      await pass.scaleReplicaSet(rs, specReplicas(rs) - count);
      scaledDown += count;
    }
  }
  return cleaned + scaledDown > 0;
}

/** Whether pods of old ReplicaSets may still run (kube's oldPodsRunning for Recreate). */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], podsByReplicaSetUid: ReadonlyMap<string, readonly Pod[]>): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [uid, pods] of podsByReplicaSetUid) {
    if (newRS !== undefined && newRS.metadata?.uid === uid) continue;
    if (pods.some((pod) => pod.status?.phase !== 'Failed' && pod.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}

/** Deletes the oldest ReplicaSets beyond revisionHistoryLimit that are scaled to zero and settled. */
export async function cleanupOldReplicaSets(pass: DeploymentPass, oldRSs: readonly ReplicaSet[]): Promise<void> {
  const limit = pass.d.spec?.revisionHistoryLimit ?? 10;
  if (limit === 2 ** 31 - 1) return;
  const cleanable = oldRSs.filter((rs) => rs.metadata?.deletionTimestamp == null);
  const excess = cleanable.length - limit;
  if (excess <= 0) return;
  cleanable.sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
  for (const rs of cleanable.slice(0, excess)) {
    const settled = (rs.status?.replicas ?? 0) === 0 && specReplicas(rs) === 0 && (rs.metadata?.generation ?? 0) <= (rs.status?.observedGeneration ?? 0);
    if (!settled) continue;
    try {
      await pass.deps.client.delete(refOfObject(REPLICA_SET_RESOURCE, rs));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
