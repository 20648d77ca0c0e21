// The node lifecycle reconciler, keyed by Node, as kube's node lifecycle controller and its
// taint eviction controller together: a node whose kubelet went silent for the grace period gets
// its conditions set to Unknown; the controller-managed taints follow the conditions and
// spec.unschedulable; the pods on the node that do not tolerate its NoExecute taints (or whose
// tolerationSeconds ran out) are deleted; pods on a node that is not Ready are marked not ready.

import type { Lease, Node, Pod, PodCondition, Taint } from '../../../core/index.js';
import { formatRfc3339, indexByNodeName, isBeingDeleted, isConflict, isNotFound, metaNamespaceKeyOf, NODE_NAME_INDEX, refOfObject } from '../../../core/index.js';
import type { ControllerContext, ReconcileRequest, ReconcileResult, Reconciler } from '../framework/controller-contract.js';
import { conditionsMarkedUnknown, NodeHealthTracker } from './node-health.js';
import { NODE_EVICTIONS_PER_PASS, NODE_LEASE_NAMESPACE, NODE_LEASE_RESOURCE, NODE_LIFECYCLE_POD_RESOURCE, NODE_LIFECYCLE_SETTINGS, NODE_RESOURCE } from './node-lifecycle-resources.js';
import { nodeCondition, reconcileNodeTaints } from './node-taints.js';
import { taintEvictionDecision } from './taint-eviction.js';

function setting(context: ControllerContext, name: keyof typeof NODE_LIFECYCLE_SETTINGS): number {
  const value = context.settings[name];
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : NODE_LIFECYCLE_SETTINGS[name];
}

export function podReadyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((condition) => condition.type === 'Ready');
}

export function makeNodeLifecycleReconciler(context: ControllerContext): Reconciler {
  const { client, clock, events } = context;
  const nodes = context.informers.informerFor<Node>(NODE_RESOURCE).cache;
  const leases = context.informers.informerFor<Lease>(NODE_LEASE_RESOURCE).cache;
  const pods = context.informers.informerFor<Pod>(NODE_LIFECYCLE_POD_RESOURCE, { indexers: { [NODE_NAME_INDEX]: indexByNodeName } }).cache;
  const health = new NodeHealthTracker();
  const monitorGraceMs = setting(context, 'nodeMonitorGracePeriodSeconds') * 1000;
  const startupGraceMs = setting(context, 'nodeStartupGracePeriodSeconds') * 1000;

  /** Sets the monitored conditions to Unknown once the node has been silent past its grace. */
  async function monitorHealth(node: Node, nowMs: number): Promise<{ node: Node; unknownInMs: number | undefined }> {
    const name = node.metadata?.name ?? '';
    const probeMs = health.observe(node, leases.get(metaNamespaceKeyOf(NODE_LEASE_NAMESPACE, name)), nowMs);
    const graceMs = nodeCondition(node, 'Ready') === undefined ? startupGraceMs : monitorGraceMs;
    if (nowMs <= probeMs + graceMs) return { node, unknownInMs: probeMs + graceMs - nowMs + 1 };
    const conditions = conditionsMarkedUnknown(node, nowMs);
    if (conditions === undefined) return { node, unknownInMs: undefined };
    const wasReady = nodeCondition(node, 'Ready')?.status === 'True';
    const updated = await client.updateStatus<Node>(NODE_RESOURCE, { ...node, status: { ...node.status, conditions } });
    if (wasReady) events.record(updated, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    return { node: updated, unknownInMs: undefined };
  }

  /** Marks the node's ready pods not ready (kube's MarkPodsNotReady); best effort, a conflict waits for the next pass. */
  async function markPodsNotReady(podsOnNode: readonly Pod[], nowMs: number): Promise<void> {
    for (const pod of podsOnNode) {
      const ready = podReadyCondition(pod);
      if (ready?.status !== 'True') continue;
      const conditions = (pod.status?.conditions ?? []).map((c) => (c.type === 'Ready' ? { ...c, status: 'False' as const, lastTransitionTime: formatRfc3339(nowMs) } : c));
      try {
        await client.updateStatus<Pod>(NODE_LIFECYCLE_POD_RESOURCE, { ...pod, status: { ...pod.status, conditions } });
        events.record(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        if (!isConflict(err) && !isNotFound(err)) throw err;
      }
    }
  }

  /** Deletes the pods whose toleration ran out; returns when the next one is due, if any. */
  async function evictPods(podsOnNode: readonly Pod[], taints: readonly Taint[], nowMs: number): Promise<number | undefined> {
    let nextInMs: number | undefined;
    let evicted = 0;
    for (const pod of podsOnNode) {
      if (isBeingDeleted(pod)) continue;
      const decision = taintEvictionDecision(pod, taints, nowMs);
      if (!decision.evict) continue;
      if (decision.atMs > nowMs || evicted >= NODE_EVICTIONS_PER_PASS) {
        const inMs = Math.max(1, decision.atMs - nowMs);
        nextInMs = nextInMs === undefined ? inMs : Math.min(nextInMs, inMs);
        continue;
      }
      events.record(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`);
      evicted++;
      try {
        await client.delete(refOfObject(NODE_LIFECYCLE_POD_RESOURCE, pod), { preconditions: { uid: pod.metadata?.uid ?? '' } });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
    return nextInMs;
  }

  return {
    async reconcile(request: ReconcileRequest): Promise<ReconcileResult> {
      const cached = nodes.get(request.name);
      if (cached === undefined) {
        health.forget(request.name);
        return {};
      }
      const nowMs = clock.now();
      const monitored = await monitorHealth(cached, nowMs);
      let node = monitored.node;
      const taints = reconcileNodeTaints(node, formatRfc3339(nowMs));
      if (taints !== undefined) node = await client.update<Node>(NODE_RESOURCE, { ...node, spec: { ...node.spec, taints } });

      const podsOnNode = pods.byIndex(NODE_NAME_INDEX, request.name);
      const ready = nodeCondition(node, 'Ready')?.status;
      if (ready === 'False' || ready === 'Unknown') await markPodsNotReady(podsOnNode, nowMs);
      const evictInMs = await evictPods(podsOnNode, node.spec?.taints ?? [], nowMs);

      const waits = [monitored.unknownInMs, evictInMs].filter((ms): ms is number => ms !== undefined);
      return waits.length === 0 ? {} : { requeueAfterMs: Math.min(...waits) };
    },
  };
}
