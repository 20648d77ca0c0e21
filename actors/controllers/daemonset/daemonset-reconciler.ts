// The DaemonSet reconciler, as kube's DaemonSetsController.syncDaemonSet: one pod per eligible
// node (created pinned to the node by a required node affinity, for the scheduler to bind),
// extra and failed pods deleted, pods on nodes it may no longer run on removed; RollingUpdate
// (maxSurge 0) replaces old-revision pods within maxUnavailable; OnDelete only fills gaps.
// Creates and deletes are guarded by expectations so a lagging cache never doubles a pod.
// The revision is the template hash (ControllerRevision is not served here).

import type { DaemonSet, KubeObject, Node, Pod, ResourceObject } from '../../../core/index.js';
import { indexByNamespace, indexByOwnerUid, isBeingDeleted, metaNamespaceKeyOf, NAMESPACE_INDEX, newControllerRef, OWNER_UID_INDEX, parseRfc3339, refOfObject } from '../../../core/index.js';
import type { ControllerContext, ReconcileRequest, ReconcileResult, Reconciler } from '../framework/controller-contract.js';
import { computePodTemplateHash, scaledIntOrPercent } from '../deployment/index.js';
import { claimControlledObjects, deleteControlledPods, PodExpectations } from '../replicaset/index.js';
import { isPodAvailable, isPodReady, podAvailableInMs } from '../replicaset/pod-state.js';
import { daemonPodTargetNode, nodeShouldRunDaemonPod, pinToNode, withDaemonTolerations } from './daemonset-nodes.js';
import { DAEMONSET_KIND, DAEMONSET_RESOURCE, DAEMONSET_REVISION_HASH_LABEL, DAEMONSET_TEMPLATE_GENERATION_LABEL, NODE_RESOURCE, POD_RESOURCE } from './daemonset-resources.js';

type DaemonSetStatus = NonNullable<DaemonSet['status']>;

/** Pods created or deleted per sync at most (kube's BurstReplicas). */
export const DAEMONSET_BURST_REPLICAS = 250;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function creationMs(pod: Pod): number {
  return parseRfc3339(pod.metadata?.creationTimestamp ?? '') ?? 0;
}

/** Oldest first (then by name), as kube keeps the oldest of duplicate daemon pods. */
function oldestFirst(a: Pod, b: Pod): number {
  return creationMs(a) - creationMs(b) || ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1);
}

export function daemonSetRevisionHash(ds: DaemonSet): string {
  return computePodTemplateHash(ds.spec?.template ?? {}, ds.status?.collisionCount);
}

/** The pod a DaemonSet creates for `nodeName`. */
export function newDaemonPod(ds: DaemonSet, nodeName: string, hash: string): Pod {
  const template = ds.spec?.template ?? {};
  const labels = { ...(template.metadata?.labels ?? {}), [DAEMONSET_REVISION_HASH_LABEL]: hash, [DAEMONSET_TEMPLATE_GENERATION_LABEL]: String(ds.metadata?.generation ?? 1) };
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: `${ds.metadata?.name ?? ''}-`, namespace: ds.metadata?.namespace ?? '', labels, ownerReferences: [newControllerRef(ds, DAEMONSET_KIND)] },
    spec: structuredClone(template.spec ?? { containers: [] }),
  };
  if (template.metadata?.annotations !== undefined) pod.metadata!.annotations = { ...template.metadata.annotations };
  pod.spec!.tolerations = withDaemonTolerations(pod.spec!.tolerations, pod.spec!.hostNetwork === true);
  pinToNode(pod, nodeName);
  return pod;
}

export function makeDaemonSetReconciler(context: ControllerContext): Reconciler {
  const { client, events, clock } = context;
  const indexers = { [NAMESPACE_INDEX]: indexByNamespace, [OWNER_UID_INDEX]: indexByOwnerUid };
  const sets = context.informers.informerFor<DaemonSet>(DAEMONSET_RESOURCE, { indexers }).cache;
  const podInformer = context.informers.informerFor<Pod>(POD_RESOURCE, { indexers });
  const nodes = context.informers.informerFor<Node>(NODE_RESOURCE).cache;
  const expectations = new PodExpectations();

  async function createPods(ds: DaemonSet, key: string, nodeNames: readonly string[], hash: string): Promise<unknown> {
    const results = await Promise.allSettled(nodeNames.map((node) => client.create<Pod>(POD_RESOURCE, newDaemonPod(ds, node, hash))));
    let failure: unknown;
    for (const result of results) {
      if (result.status === 'fulfilled') {
        expectations.expectCreation(key, result.value, clock.now());
        events.record(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${result.value.metadata?.name ?? ''}`);
      } else {
        failure ??= result.reason;
        events.record(ds, 'Warning', 'FailedCreate', `Error creating: ${errorText(result.reason)}`);
      }
    }
    return failure;
  }

  function deletePods(ds: DaemonSet, key: string, victims: readonly Pod[]): Promise<unknown> {
    return deleteControlledPods({ client, expectations, events, clock }, ds, key, victims);
  }

  return {
    async reconcile(request: ReconcileRequest): Promise<ReconcileResult> {
      const key = metaNamespaceKeyOf(request.namespace, request.name);
      const ds = sets.get(key);
      if (ds === undefined || ds.spec === undefined) {
        expectations.forget(key);
        return {};
      }
      const nowMs = clock.now();
      const minReadySeconds = ds.spec.minReadySeconds ?? 0;
      const hash = daemonSetRevisionHash(ds);
      const owned = await claimControlledObjects(podInformer.cache.byIndex(NAMESPACE_INDEX, request.namespace), {
        client,
        owner: ds,
        ownerKind: DAEMONSET_KIND,
        selector: ds.spec.selector,
        dependents: POD_RESOURCE,
        getFreshOwner: () => client.get<KubeObject & ResourceObject>(refOfObject(DAEMONSET_RESOURCE, ds)),
      });
      const byNode = new Map<string, Pod[]>();
      for (const pod of owned) {
        if (isBeingDeleted(pod)) continue;
        const node = daemonPodTargetNode(pod);
        if (node !== undefined) byNode.set(node, [...(byNode.get(node) ?? []), pod].sort(oldestFirst));
      }
      const placements = new Map(nodes.list().map((node) => [node.metadata?.name ?? '', nodeShouldRunDaemonPod(ds, node)]));

      // manage: what each node needs.
      const toCreate: string[] = [];
      const toDelete: Pod[] = [];
      for (const [nodeName, placement] of placements) {
        const pods = byNode.get(nodeName) ?? [];
        if (placement.shouldRun) {
          const running = pods.filter((p) => p.status?.phase !== 'Failed');
          toDelete.push(...pods.filter((p) => p.status?.phase === 'Failed'));
          if (running.length === 0) toCreate.push(nodeName);
          else toDelete.push(...running.slice(1));
        } else if (!placement.shouldContinueRunning) {
          toDelete.push(...pods);
        }
      }

      const waits: number[] = [];
      const check = expectations.check(key, podInformer.cache, podInformer.lastSyncResourceVersion, nowMs);
      let failure: unknown;
      if (!check.satisfied) waits.push(check.expiresInMs);
      else if (ds.metadata?.deletionTimestamp == null) {
        failure = await deletePods(ds, key, toDelete.slice(0, DAEMONSET_BURST_REPLICAS));
        failure ??= await createPods(ds, key, toCreate.slice(0, DAEMONSET_BURST_REPLICAS), hash);
        if (failure === undefined && toCreate.length === 0 && toDelete.length === 0 && (ds.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
          failure = await deletePods(ds, key, rollingUpdateVictims(ds, placements, byNode, hash, nowMs));
        }
      }

      // Status, per node from its oldest live daemon pod (kube's updateDaemonSetStatus).
      const status: DaemonSetStatus = { ...structuredClone(ds.status ?? { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }) };
      let desired = 0;
      let current = 0;
      let misscheduled = 0;
      let ready = 0;
      let available = 0;
      let updated = 0;
      for (const [nodeName, placement] of placements) {
        const pod = byNode.get(nodeName)?.[0];
        if (placement.shouldRun) {
          desired++;
          if (pod === undefined) continue;
          current++;
          if (isPodReady(pod)) {
            ready++;
            if (isPodAvailable(pod, minReadySeconds, nowMs)) available++;
            else {
              const inMs = podAvailableInMs(pod, minReadySeconds, nowMs);
              if (inMs !== undefined) waits.push(inMs);
            }
          }
          if (pod.metadata?.labels?.[DAEMONSET_REVISION_HASH_LABEL] === hash) updated++;
        } else if (pod !== undefined) {
          misscheduled++;
        }
      }
      Object.assign(status, {
        desiredNumberScheduled: desired,
        currentNumberScheduled: current,
        numberMisscheduled: misscheduled,
        numberReady: ready,
        numberAvailable: available,
        numberUnavailable: desired - available,
        updatedNumberScheduled: updated,
        observedGeneration: ds.metadata?.generation ?? 0,
      });
      if (JSON.stringify(status) !== JSON.stringify(ds.status ?? {})) await client.updateStatus<DaemonSet>(DAEMONSET_RESOURCE, { ...ds, status });
      if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
      return waits.length === 0 ? {} : { requeueAfterMs: Math.max(1, Math.min(...waits)) };
    },
  };

  /**
   * kube's rollingUpdate with maxSurge 0: old pods that are unavailable are replaced at once;
   * available old pods only while fewer than maxUnavailable nodes are unavailable.
   */
  function rollingUpdateVictims(ds: DaemonSet, placements: ReadonlyMap<string, { shouldRun: boolean }>, byNode: ReadonlyMap<string, Pod[]>, hash: string, nowMs: number): Pod[] {
    const minReadySeconds = ds.spec?.minReadySeconds ?? 0;
    const desired = [...placements.values()].filter((p) => p.shouldRun).length;
    const maxUnavailable = Math.max(1, scaledIntOrPercent(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, desired, true));
    let unavailable = 0;
    const replaceNow: Pod[] = [];
    const candidates: Pod[] = [];
    for (const [nodeName, placement] of placements) {
      if (!placement.shouldRun) continue;
      const pod = byNode.get(nodeName)?.[0];
      if (pod === undefined) {
        unavailable++;
        continue;
      }
      const isNew = pod.metadata?.labels?.[DAEMONSET_REVISION_HASH_LABEL] === hash;
      const podAvailable = isPodAvailable(pod, minReadySeconds, nowMs);
      if (isNew) {
        if (!podAvailable) unavailable++;
      } else if (!podAvailable) {
        replaceNow.push(pod);
      } else {
        candidates.push(pod);
      }
    }
    candidates.sort((a, b) => ((a.spec?.nodeName ?? '') < (b.spec?.nodeName ?? '') ? -1 : 1));
    const budget = Math.max(0, Math.min(maxUnavailable - unavailable, candidates.length));
    return [...replaceNow, ...candidates.slice(0, budget)];
  }
}
