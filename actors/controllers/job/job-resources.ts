// The resources, owner identity, labels, annotations and finalizer of the Job controller (shared
// with the CronJob controller).

import type { GroupVersionResource } from '../../../core/index.js';

export const POD_RESOURCE: GroupVersionResource = { group: '', version: 'v1', resource: 'pods' };
export const JOB_RESOURCE: GroupVersionResource = { group: 'batch', version: 'v1', resource: 'jobs' };
export const CRONJOB_RESOURCE: GroupVersionResource = { group: 'batch', version: 'v1', resource: 'cronjobs' };
export const JOB_KIND = { group: 'batch', version: 'v1', kind: 'Job' } as const;

/** On every pod a Job creates, until the pod's outcome is counted in the Job's status. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
/** The completion index of an Indexed Job's pod (annotation and label). */
export const JOB_COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
