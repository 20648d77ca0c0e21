// Deleting a controller's pods under expectations, as DaemonSet and Job do it (kube's
// PodControl.DeletePod): each deletion is expected before the call, observed at once when it
// fails, a pod already gone or replaced is no failure, and each outcome is an Event.

import type { Pod, ResourceClient, ResourceObject } from '../../../core/index.js';
import { isConflict, isNotFound, refOfObject } from '../../../core/index.js';
import type { Clock } from '../../../raft/index.js';
import type { EventRecorder } from '../../events/event-recorder.js';
import type { PodExpectations } from './pod-expectations.js';

const PODS = { group: '', version: 'v1', resource: 'pods' } as const;

export interface DeleteControlledPodsDeps {
  readonly client: ResourceClient;
  readonly expectations: PodExpectations;
  readonly events: EventRecorder;
  readonly clock: Clock;
}

/** Deletes `victims` of `owner` (expectations under `key`) in parallel; resolves to the first failure, if any. */
export async function deleteControlledPods(deps: DeleteControlledPodsDeps, owner: ResourceObject, key: string, victims: readonly Pod[]): Promise<unknown> {
  let failure: unknown;
  await Promise.all(
    victims.map(async (pod) => {
      deps.expectations.expectDeletion(key, pod, deps.clock.now());
      try {
        await deps.client.delete(refOfObject(PODS, pod), { preconditions: { uid: pod.metadata?.uid ?? '' } });
        deps.events.record(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata?.name ?? ''}`);
      } catch (err) {
        deps.expectations.deletionObserved(key, pod.metadata?.uid ?? '');
        if (isNotFound(err) || isConflict(err)) return;
        failure ??= err;
        deps.events.record(owner, 'Warning', 'FailedDelete', `Error deleting: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
  );
  return failure;
}
