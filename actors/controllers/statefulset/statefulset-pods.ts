// The identity of a StatefulSet's pods: `<set>-<ordinal>`, the pod-name / pod-index /
// controller-revision-hash labels, hostname and subdomain; and revisions. ControllerRevision is
// not a served kind here, so a revision is `<set>-<hash of the template>` kept in the set's
// status (currentRevision / updateRevision) and on its pods' labels; an older revision's template
// is recovered from a live pod of that revision.

import type { Pod, PodTemplateSpec, StatefulSet } from '../../../core/index.js';
import { newControllerRef } from '../../../core/index.js';
import { computePodTemplateHash } from '../deployment/index.js';

export const STATEFULSET_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
export const STATEFULSET_KIND = { group: 'apps', version: 'v1', kind: 'StatefulSet' } as const;

/** The revision name of a template: `<set>-<hash>`, as kube names ControllerRevisions. */
export function statefulSetRevisionName(set: StatefulSet, template: PodTemplateSpec | undefined): string {
  return `${set.metadata?.name ?? ''}-${computePodTemplateHash(template ?? {}, set.status?.collisionCount)}`;
}

/** The ordinal of a pod named `<set>-<n>`, or undefined when the name is not of that form. */
export function podOrdinal(set: StatefulSet, pod: Pod): number | undefined {
  const prefix = `${set.metadata?.name ?? ''}-`;
  const name = pod.metadata?.name ?? '';
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9][0-9]{0,8})$/.test(rest) ? Number(rest) : undefined;
}

export function podRevision(pod: Pod): string {
  return pod.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';
}

/** The pod for `ordinal` from `template` at `revision` (kube's newVersionedStatefulSetPod). */
export function newStatefulSetPod(set: StatefulSet, template: PodTemplateSpec, revision: string, ordinal: number): Pod {
  const name = `${set.metadata?.name ?? ''}-${ordinal}`;
  const labels: Record<string, string> = {
    ...(template.metadata?.labels ?? {}),
    [STATEFULSET_POD_NAME_LABEL]: name,
    [POD_INDEX_LABEL]: String(ordinal),
    [CONTROLLER_REVISION_HASH_LABEL]: revision,
  };
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: set.metadata?.namespace ?? '', labels, ownerReferences: [newControllerRef(set, STATEFULSET_KIND)] },
    spec: structuredClone(template.spec ?? { containers: [] }),
  };
  if (template.metadata?.annotations !== undefined) pod.metadata!.annotations = { ...template.metadata.annotations };
  if (template.metadata?.finalizers !== undefined) pod.metadata!.finalizers = [...template.metadata.finalizers];
  pod.spec!.hostname = name;
  const serviceName = set.spec?.serviceName ?? '';
  if (serviceName !== '') pod.spec!.subdomain = serviceName;
  return pod;
}

/** Whether the pod carries the identity its ordinal demands (kube's identityMatches). */
export function identityMatches(set: StatefulSet, pod: Pod, ordinal: number): boolean {
  const name = `${set.metadata?.name ?? ''}-${ordinal}`;
  const serviceName = set.spec?.serviceName ?? '';
  return (
    pod.metadata?.name === name &&
    pod.metadata.namespace === set.metadata?.namespace &&
    pod.metadata.labels?.[STATEFULSET_POD_NAME_LABEL] === name &&
    pod.metadata.labels[POD_INDEX_LABEL] === String(ordinal) &&
    (pod.spec?.hostname ?? '') === name &&
    (pod.spec?.subdomain ?? '') === serviceName
  );
}

/** The template a pod of some revision was made from (its labels minus the identity ones, its spec minus the identity fields). */
export function templateFromPod(pod: Pod): PodTemplateSpec {
  const labels = { ...(pod.metadata?.labels ?? {}) };
  delete labels[STATEFULSET_POD_NAME_LABEL];
  delete labels[POD_INDEX_LABEL];
  delete labels[CONTROLLER_REVISION_HASH_LABEL];
  const spec = structuredClone(pod.spec ?? { containers: [] });
  delete spec.hostname;
  delete spec.subdomain;
  delete spec.nodeName;
  const template: PodTemplateSpec = { metadata: { labels }, spec };
  if (pod.metadata?.annotations !== undefined) template.metadata!.annotations = { ...pod.metadata.annotations };
  return template;
}
