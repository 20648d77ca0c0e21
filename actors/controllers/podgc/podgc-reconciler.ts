// The pod garbage collector, as kube's PodGC: keyed by node name, it deletes the pods bound to
// a node that no longer exists (after a quarantine, confirmed by a live read); one extra key,
// POD_GC_GLOBAL_KEY, deletes unscheduled pods that are terminating and, beyond
// `terminatedPodGCThreshold`, the oldest terminated (Succeeded/Failed) pods. Deletions are
// forced (grace 0): nothing is left to stop them gracefully.

import type { Node, Pod } from '../../../core/index.js';
import { formatRfc3339, indexByNodeName, isBeingDeleted, isConflict, isNotFound, NODE_NAME_INDEX, parseRfc3339, refOfObject } from '../../../core/index.js';
import type { ControllerContext, ReconcileRequest, ReconcileResult, Reconciler } from '../framework/controller-contract.js';

export const POD_GC_POD_RESOURCE = { group: '', version: 'v1', resource: 'pods' } as const;
export const POD_GC_NODE_RESOURCE = { group: '', version: 'v1', resource: 'nodes' } as const;
/** The request of the global pass; ':' never occurs in a node name. */
export const POD_GC_GLOBAL_KEY = { namespace: '', name: ':podgc' } as const;
/** kube-controller-manager's --terminated-pod-gc-threshold default; setting `terminatedPodGCThreshold` (<= 0 disables). */
export const DEFAULT_TERMINATED_POD_GC_THRESHOLD = 12_500;
/** How long a node must be missing before its pods are deleted (kube's quarantineTime); setting `podGCOrphanQuarantineSeconds`. */
export const DEFAULT_POD_GC_ORPHAN_QUARANTINE_SECONDS = 40;
/** Pods deleted in one pass; the rest on the next (requeued at once). */
export const POD_GC_MAX_DELETES_PER_PASS = 500;
/** Index of pods by what the global pass looks for. */
export const POD_GC_STATE_INDEX = 'podgc-state';

export function indexPodGcState(pod: Pod): readonly string[] {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return ['terminated'];
  if (isBeingDeleted(pod) && (pod.spec?.nodeName ?? '') === '') return ['unscheduled-terminating'];
  return [];
}

function positiveSetting(context: ControllerContext, name: string, fallback: number): number {
  const value = context.settings[name];
  return value !== undefined && Number.isFinite(value) ? value : fallback;
}

/** kube's byEvictionAndCreationTimestamp: evicted pods first, then oldest first, then by name. */
function compareForTerminatedGc(a: Pod, b: Pod): number {
  const aEvicted = a.status?.reason === 'Evicted';
  if (aEvicted !== (b.status?.reason === 'Evicted')) return aEvicted ? -1 : 1;
  const at = parseRfc3339(a.metadata?.creationTimestamp ?? '') ?? 0;
  const bt = parseRfc3339(b.metadata?.creationTimestamp ?? '') ?? 0;
  if (at !== bt) return at - bt;
  const ak = `${a.metadata?.namespace ?? ''}/${a.metadata?.name ?? ''}`;
  const bk = `${b.metadata?.namespace ?? ''}/${b.metadata?.name ?? ''}`;
  return ak < bk ? -1 : ak > bk ? 1 : 0;
}

export function makePodGcReconciler(context: ControllerContext): Reconciler {
  const { client, clock } = context;
  const pods = context.informers.informerFor<Pod>(POD_GC_POD_RESOURCE, { indexers: { [NODE_NAME_INDEX]: indexByNodeName, [POD_GC_STATE_INDEX]: indexPodGcState } }).cache;
  const nodes = context.informers.informerFor<Node>(POD_GC_NODE_RESOURCE).cache;
  const threshold = positiveSetting(context, 'terminatedPodGCThreshold', DEFAULT_TERMINATED_POD_GC_THRESHOLD);
  const quarantineMs = Math.max(0, positiveSetting(context, 'podGCOrphanQuarantineSeconds', DEFAULT_POD_GC_ORPHAN_QUARANTINE_SECONDS)) * 1000;
  /** Node name → when this controller first saw it missing while pods were bound to it. Bounded by such nodes. */
  const missingSince = new Map<string, number>();

  async function forceDelete(pod: Pod): Promise<void> {
    try {
      await client.delete(refOfObject(POD_GC_POD_RESOURCE, pod), { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid ?? '' } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  /** kube marks an orphaned running pod Failed with a DisruptionTarget condition before deleting it. */
  async function markFailed(pod: Pod): Promise<void> {
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    const now = formatRfc3339(clock.now());
    const conditions = [...(pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'), { type: 'DisruptionTarget', status: 'True' as const, reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists', lastTransitionTime: now }];
    try {
      await client.updateStatus<Pod>(POD_GC_POD_RESOURCE, { ...pod, status: { ...pod.status, phase: 'Failed', conditions } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  async function gcOrphaned(nodeName: string): Promise<ReconcileResult> {
    const bound = pods.byIndex(NODE_NAME_INDEX, nodeName);
    if (nodes.get(nodeName) !== undefined || bound.length === 0) {
      missingSince.delete(nodeName);
      return {};
    }
    const nowMs = clock.now();
    const since = missingSince.get(nodeName) ?? nowMs;
    missingSince.set(nodeName, since);
    if (nowMs - since < quarantineMs) return { requeueAfterMs: since + quarantineMs - nowMs };
    try {
      await client.get({ ...POD_GC_NODE_RESOURCE, name: nodeName });
      missingSince.delete(nodeName);
      return {};
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const batch = bound.slice(0, POD_GC_MAX_DELETES_PER_PASS);
    for (const pod of batch) {
      await markFailed(pod);
      await forceDelete(pod);
    }
    if (bound.length > batch.length) return { requeueAfterMs: 1 };
    missingSince.delete(nodeName);
    return {};
  }

  async function gcGlobal(): Promise<ReconcileResult> {
    let budget = POD_GC_MAX_DELETES_PER_PASS;
    for (const pod of pods.byIndex(POD_GC_STATE_INDEX, 'unscheduled-terminating')) {
      if (budget-- <= 0) return { requeueAfterMs: 1 };
      await forceDelete(pod);
    }
    if (threshold <= 0) return {};
    const terminated = pods.byIndex(POD_GC_STATE_INDEX, 'terminated');
    const excess = terminated.length - threshold;
    if (excess <= 0) return {};
    const victims = terminated.sort(compareForTerminatedGc).slice(0, Math.min(excess, budget));
    for (const pod of victims) await forceDelete(pod);
    return victims.length < excess ? { requeueAfterMs: 1 } : {};
  }

  return {
    async reconcile(request: ReconcileRequest): Promise<ReconcileResult> {
      if (request.namespace === POD_GC_GLOBAL_KEY.namespace && request.name === POD_GC_GLOBAL_KEY.name) return gcGlobal();
      return gcOrphaned(request.name);
    },
  };
}
