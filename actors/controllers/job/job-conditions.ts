// A Job's conditions as kube 1.32 writes them: the interim SuccessCriteriaMet / FailureTarget
// once the outcome is decided, the terminal Complete / Failed once no pod is left running, and
// Suspended.

import type { Job, WorkloadCondition } from '../../../core/index.js';

export const JOB_COMPLETE = 'Complete';
export const JOB_FAILED = 'Failed';
export const JOB_SUCCESS_CRITERIA_MET = 'SuccessCriteriaMet';
export const JOB_FAILURE_TARGET = 'FailureTarget';
export const JOB_SUSPENDED = 'Suspended';

/** Reasons and messages kube uses on Job conditions and events. */
export const JobReason = {
  CompletionsReached: 'CompletionsReached',
  BackoffLimitExceeded: 'BackoffLimitExceeded',
  DeadlineExceeded: 'DeadlineExceeded',
  JobSuspended: 'JobSuspended',
  JobResumed: 'JobResumed',
} as const;

export const JOB_COMPLETIONS_REACHED_MESSAGE = 'Reached expected number of succeeded pods';
export const JOB_BACKOFF_LIMIT_MESSAGE = 'Job has reached the specified backoff limit';
export const JOB_DEADLINE_MESSAGE = 'Job was active longer than specified deadline';

function conditionTrue(job: Job, type: string): WorkloadCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** The terminal condition (Complete or Failed, status True), if the Job has finished. */
export function jobFinishedCondition(job: Job): WorkloadCondition | undefined {
  return conditionTrue(job, JOB_COMPLETE) ?? conditionTrue(job, JOB_FAILED);
}

export function isJobFinished(job: Job): boolean {
  return jobFinishedCondition(job) !== undefined;
}

export function jobConditionTrue(job: Job, type: string): WorkloadCondition | undefined {
  return conditionTrue(job, type);
}

/**
 * Sets a condition in `conditions` (a status being built): a changed status moves
 * lastTransitionTime, an unchanged one only refreshes reason/message and lastProbeTime.
 */
export function setJobCondition(conditions: WorkloadCondition[], type: string, status: WorkloadCondition['status'], reason: string, message: string, now: string): boolean {
  const existing = conditions.find((c) => c.type === type);
  if (existing === undefined) {
    conditions.push({ type, status, lastProbeTime: now, lastTransitionTime: now, reason, message });
    return true;
  }
  if (existing.status === status && existing.reason === reason && existing.message === message) return false;
  if (existing.status !== status) existing.lastTransitionTime = now;
  existing.status = status;
  existing.reason = reason;
  existing.message = message;
  existing.lastProbeTime = now;
  return true;
}
