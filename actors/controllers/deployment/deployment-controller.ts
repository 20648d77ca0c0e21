// The Deployment controller: Deployments are its keys; a ReplicaSet change reconciles its
// controlling Deployment (or, for an orphan, the Deployments whose selector matches it), and for
// Recreate a pod change reconciles the Deployment owning the pod's ReplicaSet (new pods start
// only once the old ones are gone).

import type { Deployment, Pod, ReplicaSet, ResourceObject } from '../../../core/index.js';
import { getControllerOf, jsonEqual, labelSelectorMatches, metaNamespaceKeyOf, NAMESPACE_INDEX } from '../../../core/index.js';
import type { ControllerContext, ControllerDefinition, ReconcileRequest } from '../framework/controller-contract.js';
import { DEPLOYMENT_KIND, DEPLOYMENT_RESOURCE, ownerReferenceIsKind, POD_RESOURCE, REPLICA_SET_KIND, REPLICA_SET_RESOURCE } from '../replicaset/workload-resources.js';
import { deploymentCaches, makeDeploymentReconciler } from './deployment-reconciler.js';

/** The Deployments a ReplicaSet concerns. */
export function deploymentsForReplicaSet(object: ResourceObject, context: ControllerContext): readonly ReconcileRequest[] {
  const rs = object as ReplicaSet;
  const namespace = rs.metadata?.namespace ?? '';
  const controllerRef = getControllerOf(rs);
  if (controllerRef !== undefined) return ownerReferenceIsKind(controllerRef, DEPLOYMENT_KIND) ? [{ namespace, name: controllerRef.name }] : [];
  return deploymentCaches(context)
    .deployments.byIndex(NAMESPACE_INDEX, namespace)
    .filter((d: Deployment) => labelSelectorMatches(d.spec?.selector, rs.metadata?.labels))
    .map((d) => ({ namespace, name: d.metadata?.name ?? '' }));
}

/** The Recreate Deployment whose ReplicaSet controls the pod, if any. */
export function deploymentsForPod(object: ResourceObject, context: ControllerContext): readonly ReconcileRequest[] {
  const pod = object as Pod;
  const namespace = pod.metadata?.namespace ?? '';
  const podOwner = getControllerOf(pod);
  if (podOwner === undefined || !ownerReferenceIsKind(podOwner, REPLICA_SET_KIND)) return [];
  const caches = deploymentCaches(context);
  const rs = caches.replicaSets.get(metaNamespaceKeyOf(namespace, podOwner.name));
  const rsOwner = rs === undefined ? undefined : getControllerOf(rs);
  if (rsOwner === undefined || !ownerReferenceIsKind(rsOwner, DEPLOYMENT_KIND)) return [];
  const d = caches.deployments.get(metaNamespaceKeyOf(namespace, rsOwner.name));
  return d?.spec?.strategy?.type === 'Recreate' ? [{ namespace, name: rsOwner.name }] : [];
}

/** A pod update matters to a Recreate rollout when the pod's phase or owners changed (oldPodsRunning reads no more). */
export function podUpdateConcernsDeployment(oldObject: ResourceObject, newObject: ResourceObject): boolean {
  const before = oldObject as Pod;
  const after = newObject as Pod;
  return before.status?.phase !== after.status?.phase || !jsonEqual(before.metadata?.ownerReferences ?? [], after.metadata?.ownerReferences ?? []);
}

export const deploymentController: ControllerDefinition = {
  name: 'deployment',
  primary: DEPLOYMENT_RESOURCE,
  watches: [
    { resource: REPLICA_SET_RESOURCE, mapToRequests: deploymentsForReplicaSet },
    { resource: POD_RESOURCE, mapToRequests: deploymentsForPod, relevantUpdate: podUpdateConcernsDeployment },
  ],
  makeReconciler: makeDeploymentReconciler,
};
