// Mirror pods: the API's read-only copies of this node's static pods, so users and controllers
// see them (kubelet's mirror client). A mirror carries the static pod's config hash in
// `kubernetes.io/config.mirror` and is owned by the Node; one whose hash is stale, or that is
// being deleted, is replaced; one without a static pod is deleted.

import type { Node, Pod, ResourceClient } from '../../../core/index.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../../core/index.js';
import { CONFIG_HASH_ANNOTATION, CONFIG_MIRROR_ANNOTATION, isMirrorPod } from './static-pods.js';

export const PODS = { group: '', version: 'v1', resource: 'pods' } as const;

/** The mirror pod to create for `staticPod` on `node`. */
export function mirrorPodFor(staticPod: Pod, node: Node): Pod {
  const hash = staticPod.metadata?.annotations?.[CONFIG_HASH_ANNOTATION] ?? '';
  const { uid: _uid, resourceVersion: _rv, ...metadata } = staticPod.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...metadata,
      annotations: { ...metadata.annotations, [CONFIG_MIRROR_ANNOTATION]: hash },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.metadata?.name ?? '', uid: node.metadata?.uid ?? '', controller: true }],
    },
    spec: staticPod.spec,
  };
}

/** What one reconcile did, for logs and tests. */
export interface MirrorPodChanges {
  readonly created: string[];
  readonly deleted: string[];
  readonly failed: { readonly pod: string; readonly error: string }[];
}

const keyOf = (pod: Pod): string => `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;

/**
 * Makes the API's mirror pods match `staticPods`. `apiPods` are the pods bound to this node as
 * the kubelet's cache has them. A pod of the same name that is not a mirror is left alone (the
 * static pod still runs; kubelet does the same).
 */
export async function reconcileMirrorPods(client: ResourceClient, node: Node, staticPods: readonly Pod[], apiPods: readonly Pod[]): Promise<MirrorPodChanges> {
  const changes: MirrorPodChanges = { created: [], deleted: [], failed: [] };
  const apiByKey = new Map(apiPods.map((p) => [keyOf(p), p]));
  const wanted = new Set(staticPods.map(keyOf));
  const remove = async (pod: Pod): Promise<boolean> => {
    try {
      await client.delete({ ...PODS, namespace: pod.metadata?.namespace, name: pod.metadata?.name ?? '' }, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid ?? '' } });
      changes.deleted.push(keyOf(pod));
      return true;
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return true;
      changes.failed.push({ pod: keyOf(pod), error: String(err) });
      return false;
    }
  };
  for (const staticPod of staticPods) {
    const key = keyOf(staticPod);
    const existing = apiByKey.get(key);
    if (existing !== undefined && !isMirrorPod(existing)) continue;
    if (existing !== undefined) {
      const current = existing.metadata?.annotations?.[CONFIG_MIRROR_ANNOTATION] === staticPod.metadata?.annotations?.[CONFIG_HASH_ANNOTATION];
      if (current && (existing.metadata?.deletionTimestamp ?? null) === null) continue;
      if (!(await remove(existing))) continue;
    }
    try {
      await client.create(PODS, mirrorPodFor(staticPod, node));
      changes.created.push(key);
    } catch (err) {
      // Already there: our cache is behind; the next pass sees it.
      if (!isAlreadyExists(err)) changes.failed.push({ pod: key, error: String(err) });
    }
  }
  for (const pod of apiPods) {
    if (isMirrorPod(pod) && !wanted.has(keyOf(pod))) await remove(pod);
  }
  return changes;
}
