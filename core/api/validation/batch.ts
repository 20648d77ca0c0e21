// batch/v1 validation: Job and CronJob (pkg/apis/batch/validation).
import { childPath, fieldInvalid, fieldNotSupported, fieldRequired, goStringMap, keyPath, type ApiFieldError } from '../field-errors.js';
import { cloneJson } from '../json.js';
import type { LabelSelector } from '../types/meta.js';
import type { CronJob, Job, JobSpec } from '../types/workloads.js';
import { cronScheduleProblem } from './cron.js';
import { maxLenError, nameIsDnsSubdomain } from './names.js';
import { validateImmutableField, validateNonnegativeField, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';
import { validatePodTemplateSpec } from './pod.js';
import { goLabelSelector, isConvertibleLabelSelector, labelSelectorMatches, validateLabelSelector } from './selector.js';

export const JOB_CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_JOB_CONTROLLER_UID_LABEL = 'controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';

/** Indexed Jobs may run at most this many pods at once. */
const MAX_PARALLELISM_FOR_INDEXED_JOB = 100000;
/** A CronJob's name plus the controller's 11-character `-<timestamp>` suffix must fit a 63-character label. */
const MAX_CRONJOB_NAME_LENGTH = 52;

/** validateJobSpec: the parts shared by Jobs and CronJob job templates. */
function validateJobSpecCommon(spec: JobSpec | undefined, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  for (const key of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished'] as const) {
    errors.push(...validateNonnegativeField(spec?.[key], childPath(path, key)));
  }
  const mode = spec?.completionMode;
  if (mode != null) {
    if (mode !== 'NonIndexed' && mode !== 'Indexed') {
      errors.push(fieldNotSupported(childPath(path, 'completionMode'), mode, ['NonIndexed', 'Indexed']));
    }
    if (mode === 'Indexed') {
      if (spec?.completions == null) errors.push(fieldRequired(childPath(path, 'completions'), 'when completion mode is Indexed'));
      if ((spec?.parallelism ?? 0) > MAX_PARALLELISM_FOR_INDEXED_JOB) {
        errors.push(
          fieldInvalid(childPath(path, 'parallelism'), spec?.parallelism, `must be less than or equal to ${MAX_PARALLELISM_FOR_INDEXED_JOB} when completion mode is Indexed`),
        );
      }
    }
  }
  const policy = spec?.podReplacementPolicy;
  if (policy != null && policy !== 'TerminatingOrFailed' && policy !== 'Failed') {
    errors.push(fieldNotSupported(childPath(path, 'podReplacementPolicy'), policy, ['Failed', 'TerminatingOrFailed']));
  }
  const restartPolicy = spec?.template?.spec?.restartPolicy ?? '';
  const restartPath = childPath(path, 'template', 'spec', 'restartPolicy');
  if (restartPolicy === '') {
    errors.push(fieldRequired(restartPath, 'valid values: ["OnFailure" "Never"]'));
  } else if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') {
    errors.push(fieldNotSupported(restartPath, restartPolicy, ['OnFailure', 'Never']));
  }
  errors.push(...validatePodTemplateSpec(spec?.template, childPath(path, 'template')));
  return errors;
}

function selectorMatchesTemplate(spec: JobSpec | undefined, path: string): ApiFieldError[] {
  if (!isConvertibleLabelSelector(spec?.selector)) return [];
  const labels = spec?.template?.metadata?.labels;
  return labelSelectorMatches(spec?.selector, labels)
    ? []
    : [fieldInvalid(childPath(path, 'template', 'metadata', 'labels'), goStringMap(labels ?? null), '`selector` does not match template `labels`')];
}

function validateHasLabel(labels: Record<string, string> | undefined, key: string, expected: string): ApiFieldError[] {
  const path = keyPath('spec.template.metadata.labels', key);
  const actual = labels?.[key];
  if (actual === undefined) return [fieldRequired(path, expected)];
  return actual === expected ? [] : [fieldInvalid(path, goStringMap(labels ?? null), `must be '${expected}'`)];
}

/** A generated selector must select this Job's uid and its template must carry the generated labels. */
function validateGeneratedSelector(job: Job): ApiFieldError[] {
  const spec = job.spec;
  if (spec?.manualSelector === true || spec?.template?.metadata?.labels == null) return [];
  const uid = job.metadata?.uid ?? '';
  const name = job.metadata?.name ?? '';
  const errors: ApiFieldError[] = [];
  if (uid === '') errors.push(fieldRequired('metadata.uid'));
  const labels = spec.template.metadata.labels;
  errors.push(...validateHasLabel(labels, LEGACY_JOB_CONTROLLER_UID_LABEL, uid));
  errors.push(...validateHasLabel(labels, LEGACY_JOB_NAME_LABEL, name));
  errors.push(...validateHasLabel(labels, JOB_CONTROLLER_UID_LABEL, uid));
  errors.push(...validateHasLabel(labels, JOB_NAME_LABEL, name));
  if (isConvertibleLabelSelector(spec.selector) && !labelSelectorMatches(spec.selector, { [JOB_CONTROLLER_UID_LABEL]: uid })) {
    errors.push(fieldInvalid('spec.selector', goLabelSelector(spec.selector), '`selector` not auto-generated'));
  }
  return errors;
}

function validateJobSpec(job: Job): ApiFieldError[] {
  const spec = job.spec;
  const errors = validateJobSpecCommon(spec, 'spec');
  if (spec?.selector == null) errors.push(fieldRequired('spec.selector'));
  else errors.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  errors.push(...selectorMatchesTemplate(spec, 'spec'));
  return errors;
}

export function validateJob(job: Job): ApiFieldError[] {
  return [
    ...validateObjectMeta(job.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain }),
    ...validateGeneratedSelector(job),
    ...validateJobSpec(job),
  ];
}

/** While a Job is suspended and has never started, its scheduling directives may change. */
function mutableSchedulingDirectives(next: Job, prev: Job): boolean {
  return next.spec?.suspend === true && prev.spec?.suspend === true && prev.status?.startTime == null;
}

export function validateJobUpdate(next: Job, prev: Job): ApiFieldError[] {
  const errors = [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateJobSpec(next)];
  const nextSpec = next.spec;
  const prevSpec = prev.spec;
  if (nextSpec?.completionMode !== 'Indexed' || nextSpec.completions !== nextSpec.parallelism) {
    errors.push(...validateImmutableField(nextSpec?.completions ?? null, prevSpec?.completions ?? null, 'spec.completions'));
  }
  errors.push(...validateImmutableField(nextSpec?.selector ?? null, prevSpec?.selector ?? null, 'spec.selector', goLabelSelector(nextSpec?.selector)));
  let oldTemplate = prevSpec?.template;
  if (mutableSchedulingDirectives(next, prev) && oldTemplate !== undefined) {
    oldTemplate = cloneJson(oldTemplate);
    const template = nextSpec?.template;
    const oldPodSpec = oldTemplate.spec;
    if (oldPodSpec !== undefined) {
      oldPodSpec.nodeSelector = template?.spec?.nodeSelector;
      oldPodSpec.tolerations = template?.spec?.tolerations;
      oldPodSpec.schedulingGates = template?.spec?.schedulingGates;
      if (template?.spec?.affinity != null || oldPodSpec.affinity != null) {
        oldPodSpec.affinity = { ...(oldPodSpec.affinity ?? {}), nodeAffinity: template?.spec?.affinity?.nodeAffinity };
      }
    }
    oldTemplate.metadata = { ...(oldTemplate.metadata ?? {}), labels: template?.metadata?.labels, annotations: template?.metadata?.annotations };
  }
  errors.push(...validateImmutableField(nextSpec?.template ?? null, oldTemplate ?? null, 'spec.template'));
  for (const key of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy'] as const) {
    errors.push(...validateImmutableField(nextSpec?.[key] ?? null, prevSpec?.[key] ?? null, `spec.${key}`));
  }
  return errors;
}

function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch (error) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}

function validateTimeZone(timeZone: string | undefined, path: string): ApiFieldError[] {
  if (timeZone == null) return [];
  if (timeZone === '') return [fieldInvalid(path, timeZone, 'timeZone must be nil or non-empty string')];
  for (const part of timeZone.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !/^[A-Za-z\.\-_0-9+]{1,14}$/.test(part)) {
      return [fieldInvalid(path, timeZone, `unknown time zone ${timeZone}`)];
    }
  }
  if (timeZone.toLowerCase() === 'local') {
    return [fieldInvalid(path, timeZone, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  }
  return isKnownTimeZone(timeZone) ? [] : [fieldInvalid(path, timeZone, `unknown time zone ${timeZone}`)];
}

function validateCronJobSpec(cronJob: CronJob, oldSchedule: string | undefined): ApiFieldError[] {
  const spec = cronJob.spec;
  const errors: ApiFieldError[] = [];
  const schedule = spec?.schedule ?? '';
  if (schedule === '') {
    errors.push(fieldRequired('spec.schedule'));
  } else {
    const problem = cronScheduleProblem(schedule);
    if (problem !== undefined) errors.push(fieldInvalid('spec.schedule', schedule, problem));
    if (schedule.includes('TZ') && !(oldSchedule ?? '').includes('TZ')) {
      errors.push(fieldInvalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
    }
  }
  errors.push(...validateNonnegativeField(spec?.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  errors.push(...validateTimeZone(spec?.timeZone, 'spec.timeZone'));
  const policy = spec?.concurrencyPolicy ?? '';
  if (policy === '') errors.push(fieldRequired('spec.concurrencyPolicy'));
  else if (!['Allow', 'Forbid', 'Replace'].includes(policy)) errors.push(fieldNotSupported('spec.concurrencyPolicy', policy, ['Allow', 'Forbid', 'Replace']));
  const jobSpec = spec?.jobTemplate?.spec;
  errors.push(...validateJobSpecCommon(jobSpec, 'spec.jobTemplate.spec'));
  if (jobSpec?.selector != null) {
    errors.push(fieldInvalid('spec.jobTemplate.spec.selector', goLabelSelector(jobSpec.selector as LabelSelector), '`selector` will be auto-generated'));
  }
  if (jobSpec?.manualSelector === true) {
    errors.push(fieldNotSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  }
  errors.push(...validateNonnegativeField(spec?.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errors.push(...validateNonnegativeField(spec?.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  return errors;
}

export function validateCronJob(cronJob: CronJob): ApiFieldError[] {
  const errors = validateObjectMeta(cronJob.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  errors.push(...validateCronJobSpec(cronJob, undefined));
  const name = cronJob.metadata?.name ?? '';
  if (name.length > MAX_CRONJOB_NAME_LENGTH) errors.push(fieldInvalid('metadata.name', name, maxLenError(MAX_CRONJOB_NAME_LENGTH)));
  return errors;
}

export function validateCronJobUpdate(next: CronJob, prev: CronJob): ApiFieldError[] {
  return [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateCronJobSpec(next, prev.spec?.schedule)];
}
