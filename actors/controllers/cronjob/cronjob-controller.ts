// The CronJob controller: CronJobs are its keys; a Job's changes reconcile the CronJob that
// controls it (to see it finish, and to clean up history).

import type { Job, ResourceObject } from '../../../core/index.js';
import { getControllerOf } from '../../../core/index.js';
import type { ControllerDefinition, ReconcileRequest } from '../framework/controller-contract.js';
import { CRONJOB_RESOURCE, JOB_RESOURCE } from '../job/index.js';
import { makeCronJobReconciler } from './cronjob-reconciler.js';

/** The CronJob controlling a Job, if any. */
export function cronJobsForJob(object: ResourceObject): readonly ReconcileRequest[] {
  const job = object as Job;
  const ref = getControllerOf(job);
  if (ref?.kind !== 'CronJob' || !(ref.apiVersion ?? '').startsWith('batch/')) return [];
  return [{ namespace: job.metadata?.namespace ?? '', name: ref.name }];
}

export const cronJobController: ControllerDefinition = {
  name: 'cronjob',
  primary: CRONJOB_RESOURCE,
  watches: [{ resource: JOB_RESOURCE, mapToRequests: cronJobsForJob }],
  makeReconciler: makeCronJobReconciler,
};
