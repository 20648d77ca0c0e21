// The ReplicaSet reconciler, as kube-controller-manager's syncReplicaSet: claim the pods the
// selector matches, create or delete pods to reach spec.replicas (guarded by expectations, so a
// lagging cache never causes an overshoot), then write status.

import type { KubeObject, ObjectCacheReader, Pod, ReplicaSet, ResourceObject, SharedInformer } from '../../../core/index.js';
import {
  indexByNamespace,
  indexByOwnerUid,
  isConflict,
  isNotFound,
  metaNamespaceKeyOf,
  NAMESPACE_INDEX,
  newControllerRef,
  OWNER_UID_INDEX,
  refOfObject,
} from '../../../core/index.js';
import type { ControllerContext, ReconcileRequest, ReconcileResult, Reconciler } from '../framework/controller-contract.js';
import { slowStart } from '../framework/slow-start.js';
import { claimControlledObjects } from './controller-ref-manager.js';
import { podsToDelete } from './pod-deletion-order.js';
import { PodExpectations } from './pod-expectations.js';
import { isPodActive } from './pod-state.js';
import { calculateReplicaSetStatus, nextAvailabilityInMs, replicaSetStatusEqual } from './replicaset-status.js';
import { POD_RESOURCE, REPLICA_SET_KIND, REPLICA_SET_RESOURCE } from './workload-resources.js';

/** At most this many pods are created or deleted in one sync (kube's BurstReplicas). */
export const REPLICA_SET_BURST_REPLICAS = 500;
/** Creates in flight at first (kube's SlowStartInitialBatchSize); each success allows one more (framework/slow-start.ts). */
export const REPLICA_SET_SLOW_START_INITIAL_BATCH = 1;
/** Status writes retried after a conflict with a fresh read (kube's statusUpdateRetries). */
export const REPLICA_SET_STATUS_UPDATE_RETRIES = 1;

/** The informers (with the indexes the reconcilers need) over pods and ReplicaSets. */
export function replicaSetCaches(context: ControllerContext): { pods: SharedInformer<Pod>; replicaSets: ObjectCacheReader<ReplicaSet> } {
  const indexers = { [NAMESPACE_INDEX]: indexByNamespace, [OWNER_UID_INDEX]: indexByOwnerUid };
  return {
    pods: context.informers.informerFor<Pod>(POD_RESOURCE, { indexers }),
    replicaSets: context.informers.informerFor<ReplicaSet>(REPLICA_SET_RESOURCE, { indexers }).cache,
  };
}

/** The pod a ReplicaSet creates from its template (kube's GetPodFromTemplate). */
export function podFromReplicaSetTemplate(rs: ReplicaSet): Pod {
  const template = rs.spec?.template ?? {};
  const templateMeta = template.metadata ?? {};
  const metadata: NonNullable<Pod['metadata']> = {
    generateName: `${rs.metadata?.name ?? ''}-`,
    namespace: rs.metadata?.namespace ?? '',
    labels: { ...(templateMeta.labels ?? {}) },
    ownerReferences: [newControllerRef(rs, REPLICA_SET_KIND)],
  };
  if (templateMeta.annotations !== undefined) metadata.annotations = { ...templateMeta.annotations };
  if (templateMeta.finalizers !== undefined) metadata.finalizers = [...templateMeta.finalizers];
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata };
  if (template.spec !== undefined) pod.spec = structuredClone(template.spec);
  return pod;
}

export function makeReplicaSetReconciler(context: ControllerContext): Reconciler {
  const { client, events, clock } = context;
  const caches = replicaSetCaches(context);
  const expectations = new PodExpectations();

  /** Active pods of the ReplicaSet's siblings (same controller owner), for the per-node ranks. */
  function relatedPods(rs: ReplicaSet, own: readonly Pod[]): Pod[] {
    const ownerUid = rs.metadata?.ownerReferences?.find((reference) => reference.controller === true)?.uid;
    if (ownerUid === undefined) return [...own];
    const out: Pod[] = [];
    for (const sibling of caches.replicaSets.byIndex(OWNER_UID_INDEX, ownerUid)) {
      for (const pod of caches.pods.cache.byIndex(OWNER_UID_INDEX, sibling.metadata?.uid ?? '')) if (isPodActive(pod)) out.push(pod);
    }
    return out;
  }

  async function createPods(rs: ReplicaSet, key: string, count: number): Promise<unknown> {
    // A failure starts no more creates: the same error (quota, admission) would refuse them too.
    const outcome = await slowStart(
      count,
      REPLICA_SET_SLOW_START_INITIAL_BATCH,
      () => client.create<Pod>(POD_RESOURCE, podFromReplicaSetTemplate(rs)),
      (pod) => {
        expectations.expectCreation(key, pod, clock.now());
        events.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata?.name ?? ''}`);
      },
      (reason) => events.record(rs, 'Warning', 'FailedCreate', `Error creating: ${errorText(reason)}`),
    );
    return outcome.failure;
  }

  async function deletePods(rs: ReplicaSet, key: string, victims: readonly Pod[]): Promise<unknown> {
    for (const pod of victims) expectations.expectDeletion(key, pod, clock.now());
    const results = await Promise.allSettled(victims.map((pod) => client.delete(refOfObject(POD_RESOURCE, pod))));
    let failure: unknown;
    results.forEach((result, i) => {
      const pod = victims[i]!;
      const name = pod.metadata?.name ?? '';
      if (result.status === 'fulfilled') {
        events.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
        return;
      }
      expectations.deletionObserved(key, pod.metadata?.uid ?? '');
      if (isNotFound(result.reason)) return;
      failure ??= result.reason;
      events.record(rs, 'Warning', 'FailedDelete', `Error deleting: ${errorText(result.reason)}`);
    });
    return failure;
  }

  async function writeStatus(rs: ReplicaSet, status: NonNullable<ReplicaSet['status']>): Promise<void> {
    let current = rs;
    for (let attempt = 0; ; attempt++) {
      if (replicaSetStatusEqual(current.status, status)) return;
      try {
        await client.updateStatus<ReplicaSet>(REPLICA_SET_RESOURCE, { ...current, status });
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= REPLICA_SET_STATUS_UPDATE_RETRIES) throw err;
        current = await client.get<ReplicaSet>(refOfObject(REPLICA_SET_RESOURCE, rs));
        // Status computed for an older generation would claim to have observed the new one.
        if (current.metadata?.generation !== rs.metadata?.generation) return;
      }
    }
  }

  return {
    async reconcile(request: ReconcileRequest): Promise<ReconcileResult> {
      const key = metaNamespaceKeyOf(request.namespace, request.name);
      const rs = caches.replicaSets.get(key);
      if (rs === undefined) {
        expectations.forget(key);
        return {};
      }
      const check = expectations.check(key, caches.pods.cache, caches.pods.lastSyncResourceVersion, clock.now());
      const selector = rs.spec?.selector;
      if (selector === undefined) return {};
      const candidates = caches.pods.cache.byIndex(NAMESPACE_INDEX, request.namespace).filter(isPodActive);
      const pods = await claimControlledObjects(candidates, {
        client,
        owner: rs,
        ownerKind: REPLICA_SET_KIND,
        selector,
        dependents: POD_RESOURCE,
        getFreshOwner: () => client.get<KubeObject & ResourceObject>(refOfObject(REPLICA_SET_RESOURCE, rs)),
      });

      const wanted = rs.spec?.replicas ?? 1;
      const diff = pods.length - wanted;
      let manageError: unknown;
      if (check.satisfied && (rs.metadata?.deletionTimestamp ?? null) === null) {
        if (diff < 0) manageError = await createPods(rs, key, Math.min(-diff, REPLICA_SET_BURST_REPLICAS));
        else if (diff > 0) manageError = await deletePods(rs, key, podsToDelete(pods, relatedPods(rs, pods), Math.min(diff, REPLICA_SET_BURST_REPLICAS)));
      }

      const nowMs = clock.now();
      await writeStatus(rs, calculateReplicaSetStatus(rs, pods, manageError, diff, nowMs));
      if (manageError !== undefined) throw manageError instanceof Error ? manageError : new Error(String(manageError));

      const waits: number[] = [];
      const availableIn = nextAvailabilityInMs(rs, pods, nowMs);
      if (availableIn !== undefined) waits.push(availableIn);
      const recheck = expectations.check(key, caches.pods.cache, caches.pods.lastSyncResourceVersion, nowMs);
      if (!recheck.satisfied) waits.push(recheck.expiresInMs);
      return waits.length === 0 ? {} : { requeueAfterMs: Math.min(...waits) };
    },
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
