// How the scheduler makes its decision stick: a Binding of the pod to the node. Kubernetes does
// this with a POST to pods/NAME/binding; the ResourceClient interface has no subresource create,
// so the binder is a seam: the integrator passes one that reaches the binding subresource, and
// `resourceClientPodBinder` does the same through plain updates for clients that allow them (the
// InMemoryResourceClient of tests and benchmarks, which does not guard spec.nodeName).

import { isConflict } from '../../core/index.js';
import type { GroupVersionResource, Pod, ResourceClient } from '../../core/index.js';

/** The pod a binding is for. `uid` guards against binding a recreated pod of the same name. */
export interface PodBindingTarget {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** The latest version the scheduler has seen; a binder may start from it instead of reading the pod. */
  readonly pod?: Pod;
}

/**
 * Binds a pod to a node. Resolves once the API has the pod bound; rejects (with the API's
 * ResourceApiError where there is one) when it refused: the pod is gone, is already bound
 * elsewhere (409), or is being deleted.
 */
export interface PodBinder {
  bind(pod: PodBindingTarget, nodeName: string): Promise<void>;
}

/** Thrown by resourceClientPodBinder when the pod is already bound, being deleted, or was recreated. */
export class PodBindingRejectedError extends Error {
  override readonly name = 'PodBindingRejectedError';
  constructor(
    readonly podKey: string,
    readonly reason: 'AlreadyBound' | 'Terminating' | 'UidChanged',
  ) {
    super(`binding of pod ${podKey} rejected: ${reason}`);
  }
}

const PODS: GroupVersionResource = { group: '', version: 'v1', resource: 'pods' };
/** Read-modify-write retries of one bind when another writer changed the pod in between. */
export const RESOURCE_CLIENT_BIND_CONFLICT_RETRIES = 3;

/**
 * A PodBinder over ResourceClient get + update (+ updateStatus for PodScheduled=True). Only for
 * clients that let an update set spec.nodeName; the API server refuses that (pod spec is
 * immutable there), which is why kube has the binding subresource.
 */
export function resourceClientPodBinder(client: ResourceClient, now: () => string): PodBinder {
  return {
    async bind(target, nodeName) {
      const ref = { ...PODS, namespace: target.namespace, name: target.name };
      const key = `${target.namespace}/${target.name}`;
      for (let attempt = 0; ; attempt++) {
        // The scheduler's copy saves a read; a stale one fails the resourceVersion precondition and is re-read.
        const pod = attempt === 0 && target.pod !== undefined ? structuredClone(target.pod) : await client.get<Pod>(ref);
        if (target.uid !== '' && pod.metadata?.uid !== target.uid) throw new PodBindingRejectedError(key, 'UidChanged');
        if (pod.metadata?.deletionTimestamp != null) throw new PodBindingRejectedError(key, 'Terminating');
        if ((pod.spec?.nodeName ?? '') !== '') throw new PodBindingRejectedError(key, 'AlreadyBound');
        pod.spec = { ...pod.spec!, nodeName };
        try {
          const bound = await client.update<Pod>(PODS, pod);
          const conditions = (bound.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
          conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now() });
          bound.status = { ...bound.status, conditions };
          // The binding itself is done; a lost status write only leaves the condition stale.
          await client.updateStatus(PODS, bound).catch(() => undefined);
          return;
        } catch (err) {
          if (!isConflict(err) || attempt >= RESOURCE_CLIENT_BIND_CONFLICT_RETRIES) throw err;
        }
      }
    },
  };
}
