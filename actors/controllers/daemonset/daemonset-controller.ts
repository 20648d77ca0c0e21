// The DaemonSet controller: DaemonSets are its keys; a pod's changes reconcile the DaemonSet that
// controls it (or, for an orphan, the ones whose selector matches), and any node's change
// reconciles every DaemonSet (a new, relabelled, tainted or removed node may change placement).

import type { DaemonSet, Pod, ResourceObject } from '../../../core/index.js';
import { getControllerOf, indexByNamespace, labelSelectorMatches, NAMESPACE_INDEX } from '../../../core/index.js';
import type { ControllerContext, ControllerDefinition, ReconcileRequest } from '../framework/controller-contract.js';
import { makeDaemonSetReconciler } from './daemonset-reconciler.js';
import { DAEMONSET_RESOURCE, NODE_RESOURCE, POD_RESOURCE } from './daemonset-resources.js';

function daemonSets(context: ControllerContext): DaemonSet[] {
  return context.informers.informerFor<DaemonSet>(DAEMONSET_RESOURCE, { indexers: { [NAMESPACE_INDEX]: indexByNamespace } }).cache.list();
}

export function daemonSetsForPod(object: ResourceObject, context: ControllerContext): readonly ReconcileRequest[] {
  const pod = object as Pod;
  const namespace = pod.metadata?.namespace ?? '';
  const ref = getControllerOf(pod);
  if (ref !== undefined) return ref.kind === 'DaemonSet' && (ref.apiVersion ?? '').startsWith('apps/') ? [{ namespace, name: ref.name }] : [];
  return daemonSets(context)
    .filter((ds) => ds.metadata?.namespace === namespace && ds.spec !== undefined && labelSelectorMatches(ds.spec.selector, pod.metadata?.labels))
    .map((ds) => ({ namespace, name: ds.metadata?.name ?? '' }));
}

export function daemonSetsForNode(_object: ResourceObject, context: ControllerContext): readonly ReconcileRequest[] {
  return daemonSets(context).map((ds) => ({ namespace: ds.metadata?.namespace ?? '', name: ds.metadata?.name ?? '' }));
}

export const daemonSetController: ControllerDefinition = {
  name: 'daemonset',
  primary: DAEMONSET_RESOURCE,
  watches: [
    { resource: POD_RESOURCE, mapToRequests: daemonSetsForPod },
    { resource: NODE_RESOURCE, mapToRequests: daemonSetsForNode },
  ],
  makeReconciler: makeDaemonSetReconciler,
};
