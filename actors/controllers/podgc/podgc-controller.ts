// The pod GC controller: Nodes are its keys (a deleted node reconciles its pods away); a pod
// reconciles the node it is bound to (which may not exist) and, when it is terminated or an
// unscheduled terminating pod, the global pass.

import type { Pod, ResourceObject } from '../../../core/index.js';
import type { ControllerDefinition, ReconcileRequest } from '../framework/controller-contract.js';
import { indexPodGcState, makePodGcReconciler, POD_GC_GLOBAL_KEY, POD_GC_NODE_RESOURCE, POD_GC_POD_RESOURCE } from './podgc-reconciler.js';

export function podGcRequestsForPod(object: ResourceObject): readonly ReconcileRequest[] {
  const pod = object as Pod;
  const out: ReconcileRequest[] = [];
  const nodeName = pod.spec?.nodeName ?? '';
  if (nodeName !== '') out.push({ namespace: '', name: nodeName });
  if (indexPodGcState(pod).length > 0) out.push(POD_GC_GLOBAL_KEY);
  return out;
}

/** A pod update matters to pod GC when it moves the pod to another node or changes its GC state. */
export function podUpdateConcernsPodGc(oldObject: ResourceObject, newObject: ResourceObject): boolean {
  const before = oldObject as Pod;
  const after = newObject as Pod;
  return (before.spec?.nodeName ?? '') !== (after.spec?.nodeName ?? '') || indexPodGcState(before).join() !== indexPodGcState(after).join();
}

export const podGcController: ControllerDefinition = {
  name: 'podgc',
  primary: POD_GC_NODE_RESOURCE,
  watches: [{ resource: POD_GC_POD_RESOURCE, mapToRequests: podGcRequestsForPod, relevantUpdate: podUpdateConcernsPodGc }],
  makeReconciler: makePodGcReconciler,
  concurrency: 1,
};
