// The CronJob reconciler, as kube-controller-manager's CronJob controller (v2) syncCronJob: keep
// status.active in step with the Jobs it controls, start the Job of the latest due schedule
// (honouring suspend, startingDeadlineSeconds and concurrencyPolicy), delete finished Jobs beyond
// the history limits, and requeue for the next activation on the injected clock.

import type { CronJob, Job, ObjectReference, ResourceObject } from '../../../core/index.js';
import {
  formatRfc3339,
  indexByNamespace,
  indexByOwnerUid,
  isAlreadyExists,
  isConflict,
  isNotFound,
  metaNamespaceKeyOf,
  NAMESPACE_INDEX,
  newControllerRef,
  OWNER_UID_INDEX,
  parseRfc3339,
  refOfObject,
} from '../../../core/index.js';
import type { ControllerContext, ReconcileRequest, ReconcileResult, Reconciler } from '../framework/controller-contract.js';
import { CRONJOB_RESOURCE, isJobFinished, JOB_RESOURCE, jobFinishedCondition } from '../job/index.js';
import type { CronSchedule } from './cron-schedule.js';
import { CronScheduleParseError, parseCronSchedule } from './cron-schedule.js';
import { cronTimeZone, UnknownTimeZoneError } from './cron-time-zone.js';
import { mostRecentScheduleTime } from './missed-schedules.js';

export { CRONJOB_MAX_MISSED_SCHEDULES } from './missed-schedules.js';

/** The annotation carrying a Job's scheduled time (RFC 3339 in the CronJob's zone). */
export const CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** Added to the wait for the next activation so the requeue lands after it (kube's nextScheduleTimeDuration adds 100 ms). */
export const CRONJOB_NEXT_SCHEDULE_SLACK_MS = 100;

const CRONJOB_KIND = { group: 'batch', version: 'v1', kind: 'CronJob' } as const;

/** A Job's name for a scheduled time: `<cronjob>-<minutes since the epoch>`, as kube's getJobName. */
export function cronJobNameForSchedule(cronJob: CronJob, scheduledMs: number): string {
  return `${cronJob.metadata?.name ?? ''}-${Math.floor(scheduledMs / 60_000)}`;
}

/** RFC 3339 with the zone's offset (as Go's time.Format(RFC3339) of a time in that location). */
function formatInZone(epochMs: number, timeZone: string): string {
  if (timeZone === '' || timeZone === 'UTC') return formatRfc3339(epochMs);
  const f = cronTimeZone(timeZone).fieldsAt(epochMs);
  const offsetMin = Math.round((Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) - Math.floor(epochMs / 1000) * 1000) / 60_000);
  if (offsetMin === 0) return formatRfc3339(epochMs);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)}T${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function jobFromTemplate(cronJob: CronJob, scheduledMs: number, timeZone: string): Job {
  const template = cronJob.spec?.jobTemplate ?? {};
  const annotations = { ...(template.metadata?.annotations ?? {}), [CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION]: formatInZone(scheduledMs, timeZone) };
  const job: Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: cronJobNameForSchedule(cronJob, scheduledMs),
      namespace: cronJob.metadata?.namespace ?? '',
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations,
      ownerReferences: [newControllerRef(cronJob, CRONJOB_KIND)],
    },
  };
  if (template.spec !== undefined) job.spec = structuredClone(template.spec);
  return job;
}

function referenceTo(job: Job): ObjectReference {
  return {
    kind: 'Job',
    namespace: job.metadata?.namespace ?? '',
    name: job.metadata?.name ?? '',
    uid: job.metadata?.uid ?? '',
    apiVersion: 'batch/v1',
    resourceVersion: job.metadata?.resourceVersion ?? '',
  };
}

function startMs(job: Job): number {
  const text = job.status?.startTime;
  return text == null ? Number.NEGATIVE_INFINITY : (parseRfc3339(text) ?? Number.NEGATIVE_INFINITY);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function makeCronJobReconciler(context: ControllerContext): Reconciler {
  const { client, events, clock, log } = context;
  const indexers = { [NAMESPACE_INDEX]: indexByNamespace, [OWNER_UID_INDEX]: indexByOwnerUid };
  const cronJobs = context.informers.informerFor<CronJob>(CRONJOB_RESOURCE, { indexers }).cache;
  const jobs = context.informers.informerFor<Job>(JOB_RESOURCE, { indexers }).cache;

  async function deleteJob(cronJob: CronJob, job: Job): Promise<boolean> {
    try {
      await client.delete(refOfObject(JOB_RESOURCE, job), { propagationPolicy: 'Background', preconditions: { uid: job.metadata?.uid ?? '' } });
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return true;
      events.record(cronJob, 'Warning', 'FailedDelete', `Deleted job: ${errorText(err)}`);
      throw err;
    }
    events.record(cronJob, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata?.name ?? ''}`);
    return true;
  }

  /** Deletes the oldest finished Jobs (by start time) beyond `limit`. */
  async function cleanupHistory(cronJob: CronJob, finished: readonly Job[], limit: number | undefined): Promise<void> {
    if (limit === undefined || finished.length <= limit) return;
    const oldestFirst = [...finished].sort((a, b) => startMs(a) - startMs(b) || ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
    for (const job of oldestFirst.slice(0, finished.length - limit)) await deleteJob(cronJob, job);
  }

  async function writeStatus(cronJob: CronJob, status: NonNullable<CronJob['status']>): Promise<void> {
    if (JSON.stringify(status) === JSON.stringify(cronJob.status ?? {})) return;
    await client.updateStatus<CronJob>(CRONJOB_RESOURCE, { ...cronJob, status });
  }

  return {
    async reconcile(request: ReconcileRequest): Promise<ReconcileResult> {
      const cronJob = cronJobs.get(metaNamespaceKeyOf(request.namespace, request.name));
      if (cronJob === undefined) return {};
      const uid = cronJob.metadata?.uid ?? '';
      const owned = jobs.byIndex(OWNER_UID_INDEX, uid).filter((job) => job.metadata?.ownerReferences?.some((r) => r.uid === uid && r.controller === true) === true);
      const status: NonNullable<CronJob['status']> = structuredClone(cronJob.status ?? {});
      let active = [...(status.active ?? [])];
      const nowMs = clock.now();

      // Reconcile status.active with the Jobs this CronJob controls.
      for (const job of owned) {
        const jobUid = job.metadata?.uid ?? '';
        const listed = active.some((ref) => ref.uid === jobUid);
        const finished = jobFinishedCondition(job);
        if (finished === undefined) {
          // Also covers a crash between creating a Job and recording it (kube only warns).
          if (!listed && job.metadata?.deletionTimestamp == null) active.push(referenceTo(job));
          continue;
        }
        if (listed) {
          active = active.filter((ref) => ref.uid !== jobUid);
          events.record(cronJob, 'Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata?.name ?? ''}, condition: ${finished.type}`);
        }
        if (finished.type === 'Complete' && job.status?.completionTime != null) {
          const completedMs = parseRfc3339(job.status.completionTime);
          const lastMs = status.lastSuccessfulTime == null ? undefined : parseRfc3339(status.lastSuccessfulTime);
          if (completedMs !== undefined && (lastMs === undefined || completedMs > lastMs)) status.lastSuccessfulTime = job.status.completionTime;
        }
      }
      // Drop references to Jobs that are gone: confirmed with a read, the cache may lag our own create.
      const kept: ObjectReference[] = [];
      for (const ref of active) {
        if (owned.some((job) => job.metadata?.uid === ref.uid)) {
          kept.push(ref);
          continue;
        }
        try {
          const fresh = await client.get<Job>({ ...JOB_RESOURCE, namespace: request.namespace, name: ref.name ?? '' });
          if (fresh.metadata?.uid === ref.uid && !isJobFinished(fresh)) kept.push(ref);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      active = kept;
      status.active = active;
      if (active.length === 0) delete status.active;

      const spec = cronJob.spec;
      if (cronJob.metadata?.deletionTimestamp != null || spec === undefined) {
        await writeStatus(cronJob, status);
        return {};
      }

      const finishedJobs = owned.filter((job) => isJobFinished(job));
      await cleanupHistory(
        cronJob,
        finishedJobs.filter((job) => jobFinishedCondition(job)?.type === 'Complete'),
        spec.successfulJobsHistoryLimit,
      );
      await cleanupHistory(
        cronJob,
        finishedJobs.filter((job) => jobFinishedCondition(job)?.type === 'Failed'),
        spec.failedJobsHistoryLimit,
      );

      const timeZone = spec.timeZone ?? '';
      let schedule: CronSchedule;
      try {
        schedule = parseCronSchedule(spec.schedule, timeZone);
      } catch (err) {
        if (err instanceof UnknownTimeZoneError) {
          events.record(cronJob, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(err.timeZone)}: ${err.message}`);
        } else if (err instanceof CronScheduleParseError) {
          events.record(cronJob, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(spec.schedule)} : ${err.reason}`);
        } else {
          throw err;
        }
        await writeStatus(cronJob, status);
        return {};
      }
      const zoneName = schedule.prefixTimeZone ?? timeZone;

      if (spec.suspend === true) {
        await writeStatus(cronJob, status);
        return {};
      }

      const createdMs = parseRfc3339(cronJob.metadata?.creationTimestamp ?? '') ?? nowMs;
      let earliestMs = status.lastScheduleTime == null ? createdMs : (parseRfc3339(status.lastScheduleTime) ?? createdMs);
      if (spec.startingDeadlineSeconds != null) earliestMs = Math.max(earliestMs, nowMs - spec.startingDeadlineSeconds * 1000);
      const { mostRecentMs, missed } = mostRecentScheduleTime(schedule, earliestMs, nowMs);
      const requeue = (): ReconcileResult => {
        const nextMs = schedule.next(nowMs);
        return nextMs === undefined ? {} : { requeueAfterMs: nextMs - nowMs + CRONJOB_NEXT_SCHEDULE_SLACK_MS };
      };

      if (mostRecentMs === undefined) {
        await writeStatus(cronJob, status);
        return requeue();
      }
      if (missed === 'many') {
        log.warn('too many missed start times; starting only the latest', { cronjob: `${request.namespace}/${request.name}` });
        events.record(cronJob, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
      }
      if (spec.startingDeadlineSeconds != null && mostRecentMs + spec.startingDeadlineSeconds * 1000 < nowMs) {
        events.record(cronJob, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${formatInZone(mostRecentMs, zoneName)}`);
        await writeStatus(cronJob, status);
        return requeue();
      }
      const jobName = cronJobNameForSchedule(cronJob, mostRecentMs);
      const lastScheduleMs = status.lastScheduleTime == null ? undefined : parseRfc3339(status.lastScheduleTime);
      if (active.some((ref) => ref.name === jobName) || lastScheduleMs === mostRecentMs || owned.some((job) => job.metadata?.name === jobName)) {
        await writeStatus(cronJob, status);
        return requeue();
      }
      const policy = spec.concurrencyPolicy ?? 'Allow';
      if (policy === 'Forbid' && active.length > 0) {
        events.record(cronJob, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
        await writeStatus(cronJob, status);
        return requeue();
      }
      if (policy === 'Replace') {
        for (const ref of [...active]) {
          const job = owned.find((j) => j.metadata?.uid === ref.uid) ?? ({ metadata: { name: ref.name, namespace: request.namespace, uid: ref.uid } } as Job & ResourceObject);
          await deleteJob(cronJob, job);
          active = active.filter((r) => r.uid !== ref.uid);
        }
      }

      let created: Job;
      try {
        created = await client.create<Job>(JOB_RESOURCE, jobFromTemplate(cronJob, mostRecentMs, zoneName));
        events.record(cronJob, 'Normal', 'SuccessfulCreate', `Created job ${jobName}`);
      } catch (err) {
        if (!isAlreadyExists(err)) {
          events.record(cronJob, 'Warning', 'FailedCreate', `Error creating job: ${errorText(err)}`);
          throw err;
        }
        // Created by an earlier pass whose status write was lost: adopt it as this schedule's Job.
        created = await client.get<Job>({ ...JOB_RESOURCE, namespace: request.namespace, name: jobName });
      }
      if (!active.some((ref) => ref.uid === created.metadata?.uid) && !isJobFinished(created)) active.push(referenceTo(created));
      status.active = active;
      if (active.length === 0) delete status.active;
      status.lastScheduleTime = formatRfc3339(mostRecentMs);
      await writeStatus(cronJob, status);
      return requeue();
    },
  };
}
