// The Job reconciler, as kube-controller-manager's syncJob: count finished pods through the
// tracking finalizer, decide the outcome (completions reached, backoffLimit or
// activeDeadlineSeconds exceeded), keep `parallelism` pods running otherwise (after a failure
// back-off), honour suspend, write status and conditions, and delete finished Jobs once
// ttlSecondsAfterFinished has passed (the TTL-after-finished controller's job).

import type { Job, KubeObject, Pod, ResourceObject } from '../../../core/index.js';
import { formatRfc3339, getControllerOf, indexByNamespace, indexByOwnerUid, isConflict, isNotFound, metaNamespaceKeyOf, NAMESPACE_INDEX, OWNER_UID_INDEX, parseRfc3339, refOfObject } from '../../../core/index.js';
import type { ControllerContext, ReconcileRequest, ReconcileResult, Reconciler } from '../framework/controller-contract.js';
import { claimControlledObjects, deleteControlledPods, PodExpectations, podsToDelete } from '../replicaset/index.js';
import { JobBackoffStore } from './job-backoff.js';
import * as cond from './job-conditions.js';
import { hasTrackingFinalizer, isJobPodActive, isJobPodReady, parseCompletedIndexes, podCompletionIndex, podFromJobTemplate } from './job-pods.js';
import { JOB_KIND, JOB_RESOURCE, POD_RESOURCE } from './job-resources.js';
import type { JobStatus } from './job-tracking.js';
import { countFinalizedPods, FinalizerRemovals, recordNewlyFinishedPods, removeTrackingFinalizers } from './job-tracking.js';

/** At most this many pods are created or deleted in one sync (kube's MaxPodCreateDeletePerSync). */
export const JOB_MAX_POD_CREATE_DELETE_PER_SYNC = 500;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

export function makeJobReconciler(context: ControllerContext): Reconciler {
  const { client, events, clock } = context;
  const indexers = { [NAMESPACE_INDEX]: indexByNamespace, [OWNER_UID_INDEX]: indexByOwnerUid };
  const jobs = context.informers.informerFor<Job>(JOB_RESOURCE, { indexers }).cache;
  const podInformer = context.informers.informerFor<Pod>(POD_RESOURCE, { indexers });
  const expectations = new PodExpectations();
  const backoff = new JobBackoffStore();
  const removals = new FinalizerRemovals();

  async function podsOf(job: Job): Promise<Pod[]> {
    const uid = job.metadata?.uid ?? '';
    const selector = job.spec?.selector;
    if (selector === undefined) return podInformer.cache.byIndex(OWNER_UID_INDEX, uid).filter((p) => getControllerOf(p)?.uid === uid);
    return claimControlledObjects(podInformer.cache.byIndex(NAMESPACE_INDEX, job.metadata?.namespace ?? ''), {
      client,
      owner: job,
      ownerKind: JOB_KIND,
      selector,
      dependents: POD_RESOURCE,
      getFreshOwner: () => client.get<KubeObject & ResourceObject>(refOfObject(JOB_RESOURCE, job)),
    });
  }

  /** A Job that is gone: its pods keep no tracking finalizer (kube's orphan pod cleanup). */
  async function releaseOrphans(namespace: string, name: string, key: string): Promise<void> {
    const orphans = podInformer.cache
      .byIndex(NAMESPACE_INDEX, namespace)
      .filter((p) => hasTrackingFinalizer(p) && getControllerOf(p)?.kind === 'Job' && getControllerOf(p)?.name === name);
    if (orphans.length === 0) return;
    try {
      const fresh = await client.get<Job>({ ...JOB_RESOURCE, namespace, name });
      const uid = fresh.metadata?.uid;
      await removeTrackingFinalizers(client, orphans.filter((p) => getControllerOf(p)?.uid !== uid), removals, key);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await removeTrackingFinalizers(client, orphans, removals, key);
    }
  }

  async function createPods(job: Job, key: string, indexes: readonly (number | undefined)[]): Promise<void> {
    const results = await Promise.allSettled(indexes.map((index) => client.create<Pod>(POD_RESOURCE, podFromJobTemplate(job, index))));
    let failure: unknown;
    for (const result of results) {
      if (result.status === 'fulfilled') {
        expectations.expectCreation(key, result.value, clock.now());
        events.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${result.value.metadata?.name ?? ''}`);
      } else {
        failure ??= result.reason;
        events.record(job, 'Warning', 'FailedCreate', `Error creating: ${errorText(result.reason)}`);
      }
    }
    if (failure !== undefined) throw toError(failure);
  }

  async function deletePods(job: Job, key: string, victims: readonly Pod[]): Promise<void> {
    const failure = await deleteControlledPods({ client, expectations, events, clock }, job, key, victims);
    if (failure !== undefined) throw toError(failure);
  }

  /** A finished Job: no pod keeps the finalizer; after its TTL it is deleted (Background). */
  async function syncFinished(job: Job, key: string, pods: readonly Pod[], nowMs: number): Promise<ReconcileResult> {
    await removeTrackingFinalizers(client, pods.filter(hasTrackingFinalizer), removals, key);
    backoff.forget(key);
    const ttlSeconds = job.spec?.ttlSecondsAfterFinished;
    if (ttlSeconds == null || job.metadata?.deletionTimestamp != null) return {};
    const finished = cond.jobFinishedCondition(job);
    const finishedMs = parseRfc3339(finished?.lastTransitionTime ?? job.status?.completionTime ?? '') ?? nowMs;
    const expireMs = finishedMs + ttlSeconds * 1000;
    if (nowMs < expireMs) return { requeueAfterMs: expireMs - nowMs };
    try {
      await client.delete(refOfObject(JOB_RESOURCE, job), { propagationPolicy: 'Background', preconditions: { uid: job.metadata?.uid ?? '' } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
    return {};
  }

  async function writeStatus(job: Job, status: JobStatus): Promise<Job> {
    if (JSON.stringify(status) === JSON.stringify(job.status ?? {})) return job;
    return client.updateStatus<Job>(JOB_RESOURCE, { ...job, status });
  }

  return {
    async reconcile(request: ReconcileRequest): Promise<ReconcileResult> {
      const key = metaNamespaceKeyOf(request.namespace, request.name);
      let job = jobs.get(key);
      if (job === undefined) {
        expectations.forget(key);
        backoff.forget(key);
        await releaseOrphans(request.namespace, request.name, key);
        removals.forget(key);
        return {};
      }
      const nowMs = clock.now();
      const now = formatRfc3339(nowMs);
      const pods = await podsOf(job);
      const podsByUid = new Map(pods.map((p) => [p.metadata?.uid ?? '', p]));
      removals.prune(key, podsByUid);
      if (cond.isJobFinished(job) || job.metadata?.deletionTimestamp != null) return syncFinished(job, key, pods, nowMs);
      const spec = job.spec;
      if (spec === undefined) return {};

      // Counting: steps 1-3 of the finalizer protocol (see job-tracking.ts).
      const status: JobStatus = structuredClone(job.status ?? {});
      if (recordNewlyFinishedPods(status, pods, job, removals, key)) {
        job = await writeStatus(job, status);
      }
      const uncounted = new Set([...(status.uncountedTerminatedPods?.succeeded ?? []), ...(status.uncountedTerminatedPods?.failed ?? [])]);
      await removeTrackingFinalizers(client, pods.filter((p) => uncounted.has(p.metadata?.uid ?? '') && hasTrackingFinalizer(p)), removals, key);
      const moved = countFinalizedPods(status, job, podsByUid, removals, key, nowMs);
      backoff.observe(key, moved.succeeded, moved.failedFinishMs);

      const indexed = spec.completionMode === 'Indexed';
      const active = pods.filter(isJobPodActive);
      const terminating = pods.filter((p) => p.metadata?.deletionTimestamp != null && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
      const succeeded = indexed
        ? parseCompletedIndexes(status.completedIndexes, spec.completions ?? 0).size
        : (status.succeeded ?? 0) + (status.uncountedTerminatedPods?.succeeded?.length ?? 0);
      const failed = (status.failed ?? 0) + (status.uncountedTerminatedPods?.failed?.length ?? 0);
      const conditions = (status.conditions ??= []);
      const suspended = spec.suspend === true;

      if (!suspended && status.startTime == null) status.startTime = now;
      const startMs = status.startTime == null ? undefined : parseRfc3339(status.startTime);
      const waits: number[] = [];

      // The outcome, once decided, is kept in the interim condition until every pod is gone.
      let failureTarget = cond.jobConditionTrue(job, cond.JOB_FAILURE_TARGET);
      let successMet = cond.jobConditionTrue(job, cond.JOB_SUCCESS_CRITERIA_MET);
      if (failureTarget === undefined && successMet === undefined) {
        const backoffLimit = spec.backoffLimit ?? 6;
        const restarts = spec.template.spec?.restartPolicy === 'OnFailure' ? active.reduce((sum, p) => sum + Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount)), 0) : 0;
        // With OnFailure the kubelet restarts containers in place; kube counts those restarts too.
        const restartsExceeded = restarts > 0 && (backoffLimit === 0 || restarts >= backoffLimit);
        const deadlineMs = spec.activeDeadlineSeconds == null || startMs === undefined || suspended ? undefined : startMs + spec.activeDeadlineSeconds * 1000;
        const complete = spec.completions == null ? succeeded > 0 && active.length === 0 : succeeded >= spec.completions && active.length === 0;
        if (failed > backoffLimit || restartsExceeded) {
          cond.setJobCondition(conditions, cond.JOB_FAILURE_TARGET, 'True', cond.JobReason.BackoffLimitExceeded, cond.JOB_BACKOFF_LIMIT_MESSAGE, now);
          events.record(job, 'Warning', cond.JobReason.BackoffLimitExceeded, cond.JOB_BACKOFF_LIMIT_MESSAGE);
        } else if (deadlineMs !== undefined && nowMs >= deadlineMs) {
          cond.setJobCondition(conditions, cond.JOB_FAILURE_TARGET, 'True', cond.JobReason.DeadlineExceeded, cond.JOB_DEADLINE_MESSAGE, now);
          events.record(job, 'Warning', cond.JobReason.DeadlineExceeded, cond.JOB_DEADLINE_MESSAGE);
        } else if (complete) {
          cond.setJobCondition(conditions, cond.JOB_SUCCESS_CRITERIA_MET, 'True', cond.JobReason.CompletionsReached, cond.JOB_COMPLETIONS_REACHED_MESSAGE, now);
        } else if (deadlineMs !== undefined) {
          waits.push(deadlineMs - nowMs);
        }
        failureTarget = conditions.find((c) => c.type === cond.JOB_FAILURE_TARGET && c.status === 'True');
        successMet = conditions.find((c) => c.type === cond.JOB_SUCCESS_CRITERIA_MET && c.status === 'True');
      }

      const checked = expectations.check(key, podInformer.cache, podInformer.lastSyncResourceVersion, nowMs);
      if (!checked.satisfied) waits.push(checked.expiresInMs);
      let manageError: unknown;
      try {
        if (failureTarget !== undefined || successMet !== undefined) {
          await deletePods(job, key, active.slice(0, JOB_MAX_POD_CREATE_DELETE_PER_SYNC));
          // Terminal once no pod is running and every outcome is counted.
          const settled = active.length === 0 && pods.every((p) => !hasTrackingFinalizer(p) || removals.has(key, p.metadata?.uid ?? '')) && !status.uncountedTerminatedPods?.succeeded && !status.uncountedTerminatedPods?.failed;
          if (settled && failureTarget !== undefined) {
            cond.setJobCondition(conditions, cond.JOB_FAILED, 'True', failureTarget.reason ?? '', failureTarget.message ?? '', now);
          } else if (settled && successMet !== undefined) {
            cond.setJobCondition(conditions, cond.JOB_COMPLETE, 'True', successMet.reason ?? '', successMet.message ?? '', now);
            status.completionTime = now;
            events.record(job, 'Normal', 'Completed', 'Job completed');
          }
        } else if (suspended) {
          if (cond.setJobCondition(conditions, cond.JOB_SUSPENDED, 'True', cond.JobReason.JobSuspended, 'Job suspended', now)) events.record(job, 'Normal', 'Suspended', 'Job suspended');
          await deletePods(job, key, active.slice(0, JOB_MAX_POD_CREATE_DELETE_PER_SYNC));
        } else {
          if (conditions.some((c) => c.type === cond.JOB_SUSPENDED && c.status === 'True')) {
            cond.setJobCondition(conditions, cond.JOB_SUSPENDED, 'False', cond.JobReason.JobResumed, 'Job resumed', now);
            events.record(job, 'Normal', 'Resumed', 'Job resumed');
            status.startTime = now;
            // The pods the suspension deleted count as failed, but must not delay the restart.
            backoff.forget(key);
          }
          if (checked.satisfied) waits.push(...(await manage(job, key, spec, active, terminating, succeeded, status, nowMs)));
        }
      } catch (err) {
        manageError = err;
      }

      status.active = active.length;
      status.ready = active.filter(isJobPodReady).length;
      status.terminating = terminating.length;
      status.succeeded ??= 0;
      status.failed ??= 0;
      if (conditions.length === 0) delete status.conditions;
      await writeStatus(job, status);
      if (manageError !== undefined) throw toError(manageError);
      return waits.length === 0 ? {} : { requeueAfterMs: Math.max(1, Math.min(...waits)) };
    },
  };

  /** Creates or deletes pods towards the wanted number of active pods; returns requeue waits. */
  async function manage(job: Job, key: string, spec: NonNullable<Job['spec']>, active: readonly Pod[], terminating: readonly Pod[], succeeded: number, status: JobStatus, nowMs: number): Promise<number[]> {
    const parallelism = spec.parallelism ?? 1;
    let wantActive: number;
    if (spec.completions == null) wantActive = succeeded > 0 ? active.length : parallelism;
    else wantActive = Math.max(0, Math.min(parallelism, spec.completions - succeeded));
    // With podReplacementPolicy Failed, a terminating pod still holds its slot.
    const occupied = active.length + (spec.podReplacementPolicy === 'Failed' ? terminating.length : 0);

    if (spec.completionMode === 'Indexed') {
      const completions = spec.completions ?? 0;
      const done = parseCompletedIndexes(status.completedIndexes, completions);
      const byIndex = new Map<number, Pod[]>();
      const excess: Pod[] = [];
      for (const pod of active) {
        const index = podCompletionIndex(pod, completions);
        if (index === undefined || done.has(index)) excess.push(pod);
        else byIndex.set(index, [...(byIndex.get(index) ?? []), pod]);
      }
      for (const group of byIndex.values()) excess.push(...group.slice(1));
      if (excess.length > 0) {
        await deletePods(job, key, excess.slice(0, JOB_MAX_POD_CREATE_DELETE_PER_SYNC));
        return [];
      }
      const busy = new Set(byIndex.keys());
      if (spec.podReplacementPolicy === 'Failed') for (const pod of terminating) busy.add(podCompletionIndex(pod, completions) ?? -1);
      const missing: number[] = [];
      for (let i = 0; i < completions && missing.length < wantActive - occupied; i++) if (!done.has(i) && !busy.has(i)) missing.push(i);
      return createWithBackoff(job, key, missing.slice(0, JOB_MAX_POD_CREATE_DELETE_PER_SYNC), nowMs);
    }
    if (active.length > wantActive) {
      await deletePods(job, key, podsToDelete(active, active, Math.min(active.length - wantActive, JOB_MAX_POD_CREATE_DELETE_PER_SYNC)));
      return [];
    }
    const count = Math.min(wantActive - occupied, JOB_MAX_POD_CREATE_DELETE_PER_SYNC);
    return count > 0 ? createWithBackoff(job, key, new Array<undefined>(count).fill(undefined), nowMs) : [];
  }

  async function createWithBackoff(job: Job, key: string, indexes: readonly (number | undefined)[], nowMs: number): Promise<number[]> {
    if (indexes.length === 0) return [];
    const remainingMs = backoff.remainingMs(key, nowMs);
    if (remainingMs > 0) return [remainingMs];
    await createPods(job, key, indexes);
    return [];
  }
}

