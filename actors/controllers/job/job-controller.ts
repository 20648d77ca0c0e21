// The Job controller: Jobs are its keys; a pod's changes reconcile the Job that controls it, or,
// for an orphan, every Job whose selector matches it (to adopt it).

import type { Job, Pod, ResourceObject } from '../../../core/index.js';
import { getControllerOf, indexByNamespace, labelSelectorMatches, NAMESPACE_INDEX } from '../../../core/index.js';
import type { ControllerContext, ControllerDefinition, ReconcileRequest } from '../framework/controller-contract.js';
import { POD_RESOURCE } from './job-resources.js';
import { makeJobReconciler } from './job-reconciler.js';
import { JOB_RESOURCE } from './job-resources.js';

export function jobsForPod(object: ResourceObject, context: ControllerContext): readonly ReconcileRequest[] {
  const pod = object as Pod;
  const namespace = pod.metadata?.namespace ?? '';
  const ref = getControllerOf(pod);
  if (ref !== undefined) return ref.kind === 'Job' && (ref.apiVersion ?? '').startsWith('batch/') ? [{ namespace, name: ref.name }] : [];
  const jobs = context.informers.informerFor<Job>(JOB_RESOURCE, { indexers: { [NAMESPACE_INDEX]: indexByNamespace } }).cache;
  return jobs
    .byIndex(NAMESPACE_INDEX, namespace)
    .filter((job) => job.spec?.selector !== undefined && labelSelectorMatches(job.spec.selector, pod.metadata?.labels))
    .map((job) => ({ namespace, name: job.metadata?.name ?? '' }));
}

export const jobController: ControllerDefinition = {
  name: 'job',
  primary: JOB_RESOURCE,
  watches: [{ resource: POD_RESOURCE, mapToRequests: jobsForPod }],
  makeReconciler: makeJobReconciler,
};
