// The annotations a Deployment and its ReplicaSets carry: revisions (what `kubectl rollout
// history` lists), the revision history of a ReplicaSet that was rolled back to, the sizes used
// for proportional scaling, and the user annotations copied from the Deployment.

import type { Deployment, ReplicaSet } from '../../../core/index.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
/** The longest revision-history annotation kept (kube's maxRevHistoryLengthInChars). */
export const REVISION_HISTORY_MAX_CHARS = 2000;

/** Annotations of a Deployment that are never copied to its ReplicaSets. */
const NOT_COPIED: ReadonlySet<string> = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);

/** A ReplicaSet's revision; 0 when it has none or it does not parse. */
export function revisionOf(rs: ReplicaSet | Deployment): number {
  const text = rs.metadata?.annotations?.[REVISION_ANNOTATION];
  return text !== undefined && /^[0-9]+$/.test(text) ? Number(text) : 0;
}

export function maxRevision(sets: readonly ReplicaSet[]): number {
  return sets.reduce((max, rs) => Math.max(max, revisionOf(rs)), 0);
}

function annotationsOf(rs: ReplicaSet): Record<string, string> {
  const metadata = (rs.metadata ??= {});
  return (metadata.annotations ??= {});
}

/** Copies the Deployment's annotations (change-cause, …) onto `rs`, in place; returns whether any changed. */
export function copyDeploymentAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  const annotations = annotationsOf(rs);
  let changed = false;
  for (const [key, value] of Object.entries(d.metadata?.annotations ?? {})) {
    if (NOT_COPIED.has(key) || annotations[key] === value) continue;
    annotations[key] = value;
    changed = true;
  }
  return changed;
}

/** Sets desired-replicas and max-replicas, in place; returns whether either changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const annotations = annotationsOf(rs);
  let changed = false;
  if (annotations[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    annotations[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (annotations[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    annotations[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const annotations = rs.metadata?.annotations ?? {};
  return annotations[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || annotations[MAX_REPLICAS_ANNOTATION] !== String(max);
}

/**
 * Brings the new ReplicaSet's annotations up to date, in place (kube's SetNewReplicaSetAnnotations):
 * the Deployment's annotations, the revision `newRevision` when it is higher than the one it has
 * (a rollback to an old ReplicaSet: the old revision joins revision-history), and, for a
 * ReplicaSet about to be created, the replicas annotations. Returns whether anything changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean, desired: number, max: number): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const annotations = annotationsOf(rs);
  const oldText = annotations[REVISION_ANNOTATION];
  const oldRevision = oldText === undefined ? 0 : /^[0-9]+$/.test(oldText) ? Number(oldText) : undefined;
  if (oldRevision === undefined) return changed;
  if (oldRevision < newRevision) {
    annotations[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (oldText !== undefined) {
      const history = annotations[REVISION_HISTORY_ANNOTATION] ?? '';
      if (history === '') {
        annotations[REVISION_HISTORY_ANNOTATION] = oldText;
      } else {
        const entries = history.split(',');
        let length = history.length + oldText.length + 1;
        let start = 0;
        while (length > REVISION_HISTORY_MAX_CHARS && start < entries.length) length -= entries[start++]!.length + 1;
        if (length <= REVISION_HISTORY_MAX_CHARS) annotations[REVISION_HISTORY_ANNOTATION] = [...entries.slice(start), oldText].join(',');
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, desired, max)) changed = true;
  return changed;
}
