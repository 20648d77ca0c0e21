// Writes a pod's status through the API's status subresource, as kubelet's status manager does:
// only when it changed, against the object's current resourceVersion, retrying conflicts with a
// fresh read, and never onto another pod that reuses the name.

import type { Pod, PodStatus, ResourceClient } from '../../../core/index.js';
import { isConflict, isNotFound } from '../../../core/index.js';

/** Attempts of one status write (the first included) before it is left to the next sync. */
export const STATUS_UPDATE_MAX_ATTEMPTS = 3;

const PODS = { group: '', version: 'v1', resource: 'pods' } as const;

/** What a status write did. */
export type StatusWriteResult =
  | { readonly outcome: 'written'; readonly pod: Pod }
  /** The pod is gone from the API, or its name now belongs to another pod (another uid). */
  | { readonly outcome: 'gone' }
  /** Conflicts every time: the caller retries on its next sync. */
  | { readonly outcome: 'conflict' };

/**
 * Puts `status` on the pod named like `pod` whose uid is `uid` (for a static pod, its mirror's
 * uid is not known in advance: pass undefined to accept whatever pod has the name). Starts from
 * `pod` as the caller last saw it; on 409 Conflict reads the pod again and retries, at most
 * STATUS_UPDATE_MAX_ATTEMPTS times. Other API errors reject.
 */
export async function writePodStatus(client: ResourceClient, pod: Pod, uid: string | undefined, status: PodStatus): Promise<StatusWriteResult> {
  const ref = { ...PODS, namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '' };
  let current: Pod | undefined = uid === undefined ? undefined : pod;
  for (let attempt = 0; attempt < STATUS_UPDATE_MAX_ATTEMPTS; attempt++) {
    try {
      current ??= await client.get<Pod>(ref);
      if (uid !== undefined && current.metadata?.uid !== uid) return { outcome: 'gone' };
      const written = await client.updateStatus<Pod>(PODS, { ...current, status });
      return { outcome: 'written', pod: written };
    } catch (error) {
      if (isNotFound(error)) return { outcome: 'gone' };
      if (!isConflict(error)) throw error;
      current = undefined;
    }
  }
  return { outcome: 'conflict' };
}

/**
 * Confirms a graceful deletion once the pod's containers are stopped: deletes it with grace 0,
 * only if it is still the same pod (uid precondition), as kubelet's status manager does.
 * Resolves false when it was already gone or replaced.
 */
export async function confirmPodDeletion(client: ResourceClient, pod: Pod): Promise<boolean> {
  const ref = { ...PODS, namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '' };
  try {
    await client.delete(ref, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid ?? '' } });
    return true;
  } catch (error) {
    if (isNotFound(error) || isConflict(error)) return false;
    throw error;
  }
}
