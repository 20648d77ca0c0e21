// The pods of a Job: built from its template (with the tracking finalizer and, for Indexed Jobs,
// the completion index), and classified by what the Job controller counts.

import type { Job, Pod } from '../../../core/index.js';
import { isBeingDeleted, JOB_CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_JOB_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL, newControllerRef } from '../../../core/index.js';
import { JOB_COMPLETION_INDEX_ANNOTATION, JOB_KIND, JOB_TRACKING_FINALIZER } from './job-resources.js';

/** The pod a Job creates (kube's GetPodFromTemplate plus the Job's own additions). */
export function podFromJobTemplate(job: Job, completionIndex: number | undefined): Pod {
  const template = job.spec?.template ?? {};
  const name = job.metadata?.name ?? '';
  const uid = job.metadata?.uid ?? '';
  const labels: Record<string, string> = { ...(template.metadata?.labels ?? {}) };
  // The API server puts these on the template; a Job written straight to a store may lack them.
  labels[JOB_CONTROLLER_UID_LABEL] ??= uid;
  labels[JOB_NAME_LABEL] ??= name;
  labels[LEGACY_JOB_CONTROLLER_UID_LABEL] ??= uid;
  labels[LEGACY_JOB_NAME_LABEL] ??= name;
  const annotations: Record<string, string> = { ...(template.metadata?.annotations ?? {}) };
  const finalizers = [...(template.metadata?.finalizers ?? [])];
  if (!finalizers.includes(JOB_TRACKING_FINALIZER)) finalizers.push(JOB_TRACKING_FINALIZER);
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: completionIndex === undefined ? `${name}-` : `${name}-${completionIndex}-`,
      namespace: job.metadata?.namespace ?? '',
      labels,
      annotations,
      finalizers,
      ownerReferences: [newControllerRef(job, JOB_KIND)],
    },
  };
  if (template.spec !== undefined) pod.spec = structuredClone(template.spec);
  if (completionIndex !== undefined) {
    annotations[JOB_COMPLETION_INDEX_ANNOTATION] = String(completionIndex);
    labels[JOB_COMPLETION_INDEX_ANNOTATION] = String(completionIndex);
    if (pod.spec !== undefined && (pod.spec.hostname ?? '') === '') pod.spec.hostname = `${name}-${completionIndex}`;
  }
  if (Object.keys(annotations).length === 0) delete pod.metadata!.annotations;
  return pod;
}

/** The completion index of a pod of an Indexed Job, or undefined when missing or out of range. */
export function podCompletionIndex(pod: Pod, completions: number): number | undefined {
  const text = pod.metadata?.annotations?.[JOB_COMPLETION_INDEX_ANNOTATION] ?? pod.metadata?.labels?.[JOB_COMPLETION_INDEX_ANNOTATION];
  if (text === undefined || !/^[0-9]{1,9}$/.test(text)) return undefined;
  const index = Number(text);
  return index < completions ? index : undefined;
}

export function hasTrackingFinalizer(pod: Pod): boolean {
  return pod.metadata?.finalizers?.includes(JOB_TRACKING_FINALIZER) === true;
}

/** Finished successfully. */
export function isPodSucceeded(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded';
}

/** Failed as the Job counts it: phase Failed, or deleted before succeeding (kube's legacy rule). */
export function isPodFailedForJob(pod: Pod): boolean {
  return pod.status?.phase === 'Failed' || (isBeingDeleted(pod) && pod.status?.phase !== 'Succeeded');
}

/** Active as kube's FilterActivePods: not finished and not being deleted. */
export function isJobPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !isBeingDeleted(pod);
}

export function isJobPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/** Sorted distinct indexes as kube writes completedIndexes: `1,3-5,7`. */
export function formatCompletedIndexes(indexes: ReadonlySet<number>): string {
  const sorted = [...indexes].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The inverse of formatCompletedIndexes; malformed parts and indexes ≥ completions are skipped. */
export function parseCompletedIndexes(text: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  for (const part of (text ?? '').split(',')) {
    const match = /^([0-9]{1,9})(?:-([0-9]{1,9}))?$/.exec(part);
    if (match === null) continue;
    const low = Number(match[1]);
    const high = Math.min(match[2] === undefined ? low : Number(match[2]), completions - 1);
    for (let i = low; i <= high; i++) out.add(i);
  }
  return out;
}
