// The StatefulSet controller: StatefulSets are its keys; a pod's changes reconcile the set that
// controls it, or, for an orphan, every set whose selector matches it (to adopt it).

import type { Pod, ResourceObject, StatefulSet } from '../../../core/index.js';
import { getControllerOf, indexByNamespace, labelSelectorMatches, NAMESPACE_INDEX } from '../../../core/index.js';
import type { ControllerContext, ControllerDefinition, ReconcileRequest } from '../framework/controller-contract.js';
import { makeStatefulSetReconciler } from './statefulset-reconciler.js';
import { POD_RESOURCE, STATEFULSET_RESOURCE } from './statefulset-resources.js';

export function statefulSetsForPod(object: ResourceObject, context: ControllerContext): readonly ReconcileRequest[] {
  const pod = object as Pod;
  const namespace = pod.metadata?.namespace ?? '';
  const ref = getControllerOf(pod);
  if (ref !== undefined) return ref.kind === 'StatefulSet' && (ref.apiVersion ?? '').startsWith('apps/') ? [{ namespace, name: ref.name }] : [];
  const sets = context.informers.informerFor<StatefulSet>(STATEFULSET_RESOURCE, { indexers: { [NAMESPACE_INDEX]: indexByNamespace } }).cache;
  return sets
    .byIndex(NAMESPACE_INDEX, namespace)
    .filter((set) => set.spec !== undefined && labelSelectorMatches(set.spec.selector, pod.metadata?.labels))
    .map((set) => ({ namespace, name: set.metadata?.name ?? '' }));
}

export const statefulSetController: ControllerDefinition = {
  name: 'statefulset',
  primary: STATEFULSET_RESOURCE,
  watches: [{ resource: POD_RESOURCE, mapToRequests: statefulSetsForPod }],
  makeReconciler: makeStatefulSetReconciler,
};
