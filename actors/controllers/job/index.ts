// Public surface of the Job controller (with the TTL-after-finished behaviour), and the Job
// helpers the CronJob controller shares.
export { jobController, jobsForPod } from './job-controller.js';
export { JOB_MAX_POD_CREATE_DELETE_PER_SYNC, makeJobReconciler } from './job-reconciler.js';
export { CRONJOB_RESOURCE, JOB_COMPLETION_INDEX_ANNOTATION, JOB_KIND, JOB_RESOURCE, JOB_TRACKING_FINALIZER } from './job-resources.js';
export {
  isJobFinished,
  JOB_BACKOFF_LIMIT_MESSAGE,
  JOB_COMPLETE,
  JOB_COMPLETIONS_REACHED_MESSAGE,
  JOB_DEADLINE_MESSAGE,
  JOB_FAILED,
  JOB_FAILURE_TARGET,
  JOB_SUCCESS_CRITERIA_MET,
  JOB_SUSPENDED,
  jobConditionTrue,
  jobFinishedCondition,
  JobReason,
} from './job-conditions.js';
export { formatCompletedIndexes, parseCompletedIndexes, podCompletionIndex, podFromJobTemplate } from './job-pods.js';
export { JOB_BACKOFF_RECORDS_MAX, JOB_POD_FAILURE_BACKOFF_BASE_MS, JOB_POD_FAILURE_BACKOFF_MAX_MS, JobBackoffStore } from './job-backoff.js';
export { JOB_FINALIZER_EXPECTATIONS_MAX_PER_JOB } from './job-tracking.js';
