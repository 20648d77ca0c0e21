// The node lifecycle controller: Nodes are its keys; a node's heartbeat Lease and the pods bound
// to it reconcile that node.

import type { Pod, ResourceObject } from '../../../core/index.js';
import { jsonEqual } from '../../../core/index.js';
import type { ControllerDefinition, ReconcileRequest } from '../framework/controller-contract.js';
import { makeNodeLifecycleReconciler, podReadyCondition } from './node-lifecycle-reconciler.js';
import { NODE_LEASE_NAMESPACE, NODE_LEASE_RESOURCE, NODE_LIFECYCLE_POD_RESOURCE, NODE_RESOURCE } from './node-lifecycle-resources.js';

/** A kube-node-lease Lease concerns the node it is named after. */
export function nodeForLease(object: ResourceObject): readonly ReconcileRequest[] {
  if (object.metadata?.namespace !== NODE_LEASE_NAMESPACE) return [];
  return [{ namespace: '', name: object.metadata.name ?? '' }];
}

/** A bound pod concerns its node (its tolerations decide its eviction there). */
export function nodeForPod(object: ResourceObject): readonly ReconcileRequest[] {
  const nodeName = (object as Pod).spec?.nodeName ?? '';
  return nodeName === '' ? [] : [{ namespace: '', name: nodeName }];
}

/**
 * A pod update matters to its node's pass only when what the pass reads of it changed: the node
 * it is bound to, its tolerations, whether it is being deleted (eviction), and its Ready
 * condition (marking pods of a NotReady node not ready). Kube's taint manager skips the same.
 */
export function podUpdateConcernsNode(oldObject: ResourceObject, newObject: ResourceObject): boolean {
  const before = oldObject as Pod;
  const after = newObject as Pod;
  return (
    (before.spec?.nodeName ?? '') !== (after.spec?.nodeName ?? '') ||
    (before.metadata?.deletionTimestamp ?? undefined) !== (after.metadata?.deletionTimestamp ?? undefined) ||
    podReadyCondition(before)?.status !== podReadyCondition(after)?.status ||
    !jsonEqual(before.spec?.tolerations ?? [], after.spec?.tolerations ?? [])
  );
}

export const nodeLifecycleController: ControllerDefinition = {
  name: 'nodelifecycle',
  primary: NODE_RESOURCE,
  watches: [
    { resource: NODE_LEASE_RESOURCE, mapToRequests: nodeForLease },
    { resource: NODE_LIFECYCLE_POD_RESOURCE, mapToRequests: nodeForPod, relevantUpdate: podUpdateConcernsNode },
  ],
  makeReconciler: makeNodeLifecycleReconciler,
};
