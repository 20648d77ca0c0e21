// The ReplicaSet controller: ReplicaSets are its keys; pod changes reconcile the ReplicaSet that
// controls the pod, or, for an orphan, every ReplicaSet whose selector matches it (to adopt it).

import type { Pod, ReplicaSet, ResourceObject } from '../../../core/index.js';
import { getControllerOf, indexByNamespace, labelSelectorMatches, NAMESPACE_INDEX } from '../../../core/index.js';
import type { ControllerContext, ControllerDefinition, ReconcileRequest } from '../framework/controller-contract.js';
import { makeReplicaSetReconciler } from './replicaset-reconciler.js';
import { ownerReferenceIsKind, POD_RESOURCE, REPLICA_SET_KIND, REPLICA_SET_RESOURCE } from './workload-resources.js';

/** The ReplicaSets a pod concerns: its controller if that is a ReplicaSet, else the matching ones. */
export function replicaSetsForPod(object: ResourceObject, context: ControllerContext): readonly ReconcileRequest[] {
  const pod = object as Pod;
  const namespace = pod.metadata?.namespace ?? '';
  const controllerRef = getControllerOf(pod);
  if (controllerRef !== undefined) {
    return ownerReferenceIsKind(controllerRef, REPLICA_SET_KIND) ? [{ namespace, name: controllerRef.name }] : [];
  }
  const replicaSets = context.informers.informerFor<ReplicaSet>(REPLICA_SET_RESOURCE, { indexers: { [NAMESPACE_INDEX]: indexByNamespace } }).cache;
  return replicaSets
    .byIndex(NAMESPACE_INDEX, namespace)
    .filter((rs) => labelSelectorMatches(rs.spec?.selector, pod.metadata?.labels))
    .map((rs) => ({ namespace, name: rs.metadata?.name ?? '' }));
}

export const replicaSetController: ControllerDefinition = {
  name: 'replicaset',
  primary: REPLICA_SET_RESOURCE,
  watches: [{ resource: POD_RESOURCE, mapToRequests: replicaSetsForPod }],
  makeReconciler: makeReplicaSetReconciler,
};
