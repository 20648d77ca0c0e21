// The StatefulSet reconciler, as kube's StatefulSetControl.UpdateStatefulSet: one pod per ordinal
// in [start, start + replicas), created in order and each Running and Ready before the next
// (OrderedReady) or all at once (Parallel); pods beyond the range removed from the highest
// ordinal; failed pods deleted and recreated under the same name; RollingUpdate replaces pods
// of other revisions from the highest ordinal down to `partition`, one at a time, waiting for
// each to be healthy; OnDelete only creates missing pods at the update revision.
// Pod names are deterministic, so a lagging cache at worst sees AlreadyExists; deletes carry a
// uid precondition so a stale view never deletes a pod's successor.

import type { KubeObject, Pod, PodTemplateSpec, ResourceObject, StatefulSet } from '../../../core/index.js';
import {
  indexByNamespace,
  isAlreadyExists,
  isBeingDeleted,
  isConflict,
  isNotFound,
  metaNamespaceKeyOf,
  NAMESPACE_INDEX,
  refOfObject,
} from '../../../core/index.js';
import type { ControllerContext, ReconcileRequest, ReconcileResult, Reconciler } from '../framework/controller-contract.js';
import { claimControlledObjects } from '../replicaset/index.js';
import { isPodAvailable, isPodReady, podAvailableInMs } from '../replicaset/pod-state.js';
import {
  identityMatches,
  newStatefulSetPod,
  podOrdinal,
  podRevision,
  STATEFULSET_KIND,
  STATEFULSET_POD_NAME_LABEL,
  POD_INDEX_LABEL,
  statefulSetRevisionName,
  templateFromPod,
} from './statefulset-pods.js';
import { POD_RESOURCE, STATEFULSET_RESOURCE } from './statefulset-resources.js';

type StatefulSetStatus = NonNullable<StatefulSet['status']>;

/** Revision templates a reconciler remembers (across all sets); the oldest is dropped beyond it. */
export const STATEFULSET_REVISION_TEMPLATES_MAX = 1_000;

const isFinished = (pod: Pod): boolean => pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
const isRunningAndReady = (pod: Pod): boolean => pod.status?.phase === 'Running' && isPodReady(pod);

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function makeStatefulSetReconciler(context: ControllerContext): Reconciler {
  const { client, events, clock } = context;
  const indexers = { [NAMESPACE_INDEX]: indexByNamespace };
  const sets = context.informers.informerFor<StatefulSet>(STATEFULSET_RESOURCE, { indexers }).cache;
  const pods = context.informers.informerFor<Pod>(POD_RESOURCE, { indexers }).cache;
  /**
   * Templates of revisions seen on pods, by revision name: the stand-in for ControllerRevisions,
   * so a partitioned pod that failed comes back at its old revision even when no other pod of
   * that revision is left. Lost on restart (then the update template is used).
   */
  const knownTemplates = new Map<string, PodTemplateSpec>();
  const rememberTemplate = (revision: string, template: () => PodTemplateSpec): void => {
    if (revision === '' || knownTemplates.has(revision)) return;
    if (knownTemplates.size >= STATEFULSET_REVISION_TEMPLATES_MAX) {
      const oldest = knownTemplates.keys().next();
      if (oldest.done !== true) knownTemplates.delete(oldest.value);
    }
    knownTemplates.set(revision, template());
  };

  async function createPod(set: StatefulSet, pod: Pod): Promise<void> {
    const what = `create Pod ${pod.metadata?.name ?? ''} in StatefulSet ${set.metadata?.name ?? ''}`;
    try {
      await client.create(POD_RESOURCE, pod);
    } catch (err) {
      if (isAlreadyExists(err)) return;
      events.record(set, 'Warning', 'FailedCreate', `${what} failed error: ${errorText(err)}`);
      throw err;
    }
    events.record(set, 'Normal', 'SuccessfulCreate', `${what} successful`);
  }

  async function deletePod(set: StatefulSet, pod: Pod): Promise<void> {
    const what = `delete Pod ${pod.metadata?.name ?? ''} in StatefulSet ${set.metadata?.name ?? ''}`;
    try {
      await client.delete(refOfObject(POD_RESOURCE, pod), { preconditions: { uid: pod.metadata?.uid ?? '' } });
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return;
      events.record(set, 'Warning', 'FailedDelete', `${what} failed error: ${errorText(err)}`);
      throw err;
    }
    events.record(set, 'Normal', 'SuccessfulDelete', `${what} successful`);
  }

  /** Restores a pod's identity labels and hostname/subdomain (kube's updateStatefulPod). */
  async function fixIdentity(set: StatefulSet, pod: Pod, ordinal: number): Promise<void> {
    const name = `${set.metadata?.name ?? ''}-${ordinal}`;
    const labels = { ...(pod.metadata?.labels ?? {}), [STATEFULSET_POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal) };
    const spec = { ...pod.spec!, hostname: name };
    const serviceName = set.spec?.serviceName ?? '';
    if (serviceName !== '') spec.subdomain = serviceName;
    else delete spec.subdomain;
    try {
      await client.update<Pod>(POD_RESOURCE, { ...pod, metadata: { ...pod.metadata, labels }, spec });
    } catch (err) {
      events.record(set, 'Warning', 'FailedUpdate', `update Pod ${name} in StatefulSet ${set.metadata?.name ?? ''} failed error: ${errorText(err)}`);
      throw err;
    }
    events.record(set, 'Normal', 'SuccessfulUpdate', `update Pod ${name} in StatefulSet ${set.metadata?.name ?? ''} successful`);
  }

  return {
    async reconcile(request: ReconcileRequest): Promise<ReconcileResult> {
      const set = sets.get(metaNamespaceKeyOf(request.namespace, request.name));
      if (set === undefined || set.spec === undefined) return {};
      const spec = set.spec;
      const nowMs = clock.now();
      const owned = await claimControlledObjects(pods.byIndex(NAMESPACE_INDEX, request.namespace), {
        client,
        owner: set,
        ownerKind: STATEFULSET_KIND,
        selector: spec.selector,
        dependents: POD_RESOURCE,
        getFreshOwner: () => client.get<KubeObject & ResourceObject>(refOfObject(STATEFULSET_RESOURCE, set)),
      });

      const updateRevision = statefulSetRevisionName(set, spec.template);
      const currentRevision = set.status?.currentRevision ?? updateRevision;
      for (const pod of owned) rememberTemplate(podRevision(pod), () => templateFromPod(pod));
      const templateOf = (revision: string): PodTemplateSpec => (revision === updateRevision ? spec.template : (knownTemplates.get(revision) ?? spec.template));
      const replicaCount = spec.replicas ?? 1;
      const start = spec.ordinals?.start ?? 0;
      const end = start + replicaCount;
      const monotonic = (spec.podManagementPolicy ?? 'OrderedReady') === 'OrderedReady';
      const rolling = (spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
      const partition = rolling ? (spec.updateStrategy?.rollingUpdate?.partition ?? 0) : 0;
      const minReadySeconds = spec.minReadySeconds ?? 0;

      const byOrdinal = new Map<number, Pod>();
      const condemned: Pod[] = [];
      for (const pod of owned) {
        const ordinal = podOrdinal(set, pod);
        if (ordinal === undefined) continue;
        if (ordinal >= start && ordinal < end) byOrdinal.set(ordinal, pod);
        else condemned.push(pod);
      }
      condemned.sort((a, b) => (podOrdinal(set, b) ?? 0) - (podOrdinal(set, a) ?? 0));

      const waits: number[] = [];
      const isHealthy = (pod: Pod): boolean => isRunningAndReady(pod) && !isBeingDeleted(pod) && isPodAvailable(pod, minReadySeconds, nowMs);
      const noteAvailability = (pod: Pod): void => {
        const inMs = podAvailableInMs(pod, minReadySeconds, nowMs);
        if (inMs !== undefined) waits.push(inMs);
      };

      const manage = async (): Promise<void> => {
        if (set.metadata?.deletionTimestamp != null) return;
        // Replicas: create missing ones (the same name for a failed one), in order.
        for (let ordinal = start; ordinal < end; ordinal++) {
          const pod = byOrdinal.get(ordinal);
          if (pod !== undefined && isFinished(pod)) {
            // A failed (or succeeded) pod is replaced under the same name: delete now, recreate once gone.
            if (!isBeingDeleted(pod)) await deletePod(set, pod);
            if (monotonic) return;
            continue;
          }
          if (pod === undefined) {
            // Partitioned ordinals keep the current revision (kube's newVersionedStatefulSetPod).
            const revision = rolling && ordinal < partition ? currentRevision : updateRevision;
            await createPod(set, newStatefulSetPod(set, templateOf(revision), revision, ordinal));
            if (monotonic) return;
            continue;
          }
          if (isBeingDeleted(pod)) {
            if (monotonic) return;
            continue;
          }
          if (!identityMatches(set, pod, ordinal)) await fixIdentity(set, pod, ordinal);
          if (!isHealthy(pod)) {
            noteAvailability(pod);
            if (monotonic) return;
          }
        }
        // Condemned: from the highest ordinal; OrderedReady waits for each to go, and for the rest to be healthy.
        const firstUnhealthy = [...byOrdinal.values(), ...condemned].filter((p) => !isHealthy(p)).sort((a, b) => (podOrdinal(set, a) ?? 0) - (podOrdinal(set, b) ?? 0))[0];
        for (const pod of condemned) {
          if (isBeingDeleted(pod)) {
            if (monotonic) return;
            continue;
          }
          if (monotonic && firstUnhealthy !== undefined && firstUnhealthy !== pod) return;
          await deletePod(set, pod);
          if (monotonic) return;
        }
        if (!rolling) return;
        // RollingUpdate: from the highest ordinal down to the partition, one pod at a time.
        for (let ordinal = end - 1; ordinal >= Math.max(start, start + partition); ordinal--) {
          const pod = byOrdinal.get(ordinal);
          if (pod === undefined) return;
          if (podRevision(pod) !== updateRevision && !isBeingDeleted(pod)) {
            await deletePod(set, pod);
            return;
          }
          if (!isHealthy(pod)) return;
        }
      };
      await manage();

      // Status from the pods as this pass found them (kube computes it the same way).
      const status: StatefulSetStatus = { ...structuredClone(set.status ?? { replicas: 0 }), replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 };
      for (const pod of owned) {
        if (podOrdinal(set, pod) === undefined) continue;
        status.replicas++;
        if (isRunningAndReady(pod)) {
          status.readyReplicas = (status.readyReplicas ?? 0) + 1;
          if (isPodAvailable(pod, minReadySeconds, nowMs)) status.availableReplicas = (status.availableReplicas ?? 0) + 1;
        }
        if (isBeingDeleted(pod)) continue;
        if (podRevision(pod) === currentRevision) status.currentReplicas = (status.currentReplicas ?? 0) + 1;
        if (podRevision(pod) === updateRevision) status.updatedReplicas = (status.updatedReplicas ?? 0) + 1;
      }
      status.currentRevision = currentRevision;
      status.updateRevision = updateRevision;
      // A finished rolling update makes the update revision current (kube's completeRollingUpdate).
      if (rolling && status.updatedReplicas === replicaCount && status.readyReplicas === replicaCount && status.replicas === replicaCount) {
        status.currentRevision = updateRevision;
        status.currentReplicas = status.updatedReplicas;
      }
      status.observedGeneration = set.metadata?.generation ?? 0;
      if (JSON.stringify(status) !== JSON.stringify(set.status ?? {})) {
        await client.updateStatus<StatefulSet>(STATEFULSET_RESOURCE, { ...set, status });
      }
      return waits.length === 0 ? {} : { requeueAfterMs: Math.min(...waits) };
    },
  };
}
