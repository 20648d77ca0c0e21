// The Job controller under the framework's harness: completions and parallelism, tracking
// finalizers, backoffLimit with back-off, activeDeadlineSeconds, Indexed mode, suspend, TTL after
// finished, and convergence despite watch faults and a restart. A stand-in kubelet sets pod phases.
import t from 'tap';
import type { Test } from 'tap';
import type { Job, Pod } from '../../../core/index.js';
import { applyDefaults, formatRfc3339, JOB_CONTROLLER_UID_LABEL, JOB_NAME_LABEL } from '../../../core/index.js';
import { ControllerTestHarness } from '../../../actors/index.js';
import {
  JOB_COMPLETION_INDEX_ANNOTATION,
  JOB_RESOURCE,
  JOB_TRACKING_FINALIZER,
  jobController,
  jobFinishedCondition,
} from '../../../actors/index.js';

const NS = 'default';
const PODS = { group: '', version: 'v1', resource: 'pods' };

function newJob(name: string, spec: Partial<NonNullable<Job['spec']>>): Job {
  const object = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: NS },
    spec: { template: { metadata: { labels: { app: name } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } }, ...spec },
  };
  return applyDefaults({ group: 'batch', version: 'v1', kind: 'Job' }, object as unknown as Job);
}

async function pods(h: ControllerTestHarness): Promise<Pod[]> {
  return (await h.store.list<Pod>(PODS, { namespace: NS })).items;
}

async function getJob(h: ControllerTestHarness, name: string): Promise<Job> {
  return h.store.get<Job>({ ...JOB_RESOURCE, namespace: NS, name });
}

/** The kubelet: pods not yet finished and not being deleted end with `phase`. */
async function finishPods(h: ControllerTestHarness, phase: 'Succeeded' | 'Failed', limit = Infinity): Promise<number> {
  let n = 0;
  for (const pod of await pods(h)) {
    if (n >= limit) break;
    if (pod.metadata?.deletionTimestamp != null || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
    const finishedAt = formatRfc3339(h.clock.now());
    await h.store.updateStatus<Pod>(PODS, {
      ...pod,
      status: { phase, containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: 'busybox', imageID: '', state: { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, finishedAt } } }] },
    });
    n++;
  }
  return n;
}

/** The kubelet: pending pods become Running and Ready. */
async function runPods(h: ControllerTestHarness): Promise<void> {
  for (const pod of await pods(h)) {
    if (pod.metadata?.deletionTimestamp != null || (pod.status?.phase ?? 'Pending') !== 'Pending') continue;
    await h.store.updateStatus<Pod>(PODS, { ...pod, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: formatRfc3339(h.clock.now()) }] } });
  }
}

function reasons(h: ControllerTestHarness, reason: string): string[] {
  return h.events.events.filter((e) => e.reason === reason).map((e) => e.message);
}

async function harness(t: Test, seed = 1, faults = {}): Promise<ControllerTestHarness> {
  const h = new ControllerTestHarness({ controllers: [jobController], seed, faults });
  t.teardown(() => h.stop());
  await h.start();
  return h;
}

void t.test('runs parallelism pods until completions succeed, counting through the tracking finalizer', async (t) => {
  const h = await harness(t);
  await h.store.create(JOB_RESOURCE, newJob('pi', { completions: 3, parallelism: 2 }));
  await h.advance(1_000);
  let ps = await pods(h);
  t.equal(ps.length, 2, 'parallelism pods');
  const job0 = await getJob(h, 'pi');
  for (const pod of ps) {
    t.ok(pod.metadata?.finalizers?.includes(JOB_TRACKING_FINALIZER), 'tracking finalizer');
    t.equal(pod.metadata?.labels?.[JOB_NAME_LABEL], 'pi');
    t.equal(pod.metadata?.labels?.[JOB_CONTROLLER_UID_LABEL], job0.metadata?.uid);
    t.equal(pod.metadata?.labels?.['job-name'], 'pi');
    t.match(pod.metadata?.name, /^pi-[a-z0-9]{5}$/);
    t.equal(pod.spec?.restartPolicy, 'Never');
  }
  t.equal(job0.status?.active, 2);
  t.ok(job0.status?.startTime, 'startTime');
  await runPods(h);
  await h.advance(1_000);
  t.equal((await getJob(h, 'pi')).status?.ready, 2, 'ready');

  await finishPods(h, 'Succeeded');
  await h.advance(1_000);
  ps = await pods(h);
  t.equal(ps.filter((p) => p.status?.phase === 'Succeeded').length, 2);
  t.ok(ps.filter((p) => p.status?.phase === 'Succeeded').every((p) => !(p.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER)), 'finalizers removed once counted');
  t.equal(ps.filter((p) => p.status?.phase !== 'Succeeded').length, 1, 'one more for the last completion');
  let job = await getJob(h, 'pi');
  t.equal(job.status?.succeeded, 2);
  t.same(job.status?.uncountedTerminatedPods, {});

  // Counts survive pod deletion: the finished pods are gone, the count stays.
  for (const pod of ps.filter((p) => p.status?.phase === 'Succeeded')) await h.store.delete({ ...PODS, namespace: NS, name: pod.metadata?.name ?? '' });
  await finishPods(h, 'Succeeded');
  await h.advance(1_000);
  job = await getJob(h, 'pi');
  t.equal(job.status?.succeeded, 3);
  t.equal(job.status?.active, 0);
  t.equal(jobFinishedCondition(job)?.type, 'Complete');
  t.equal(jobFinishedCondition(job)?.reason, 'CompletionsReached');
  t.ok(job.status?.conditions?.some((c) => c.type === 'SuccessCriteriaMet' && c.status === 'True'), 'SuccessCriteriaMet first');
  t.ok(job.status?.completionTime, 'completionTime');
  t.equal(reasons(h, 'SuccessfulCreate').length, 3);
  t.same(reasons(h, 'Completed'), ['Job completed']);
  t.equal((await pods(h)).length, 1);
});

void t.test('work queue: completions unset, done when one pod succeeds and the rest finish', async (t) => {
  const h = await harness(t);
  const job = newJob('queue', { parallelism: 3 });
  delete job.spec!.completions;
  await h.store.create(JOB_RESOURCE, job);
  await h.advance(1_000);
  t.equal((await pods(h)).length, 3);
  await finishPods(h, 'Succeeded', 1);
  await h.advance(1_000);
  t.equal((await pods(h)).length, 3, 'no new pods after a success');
  t.equal(jobFinishedCondition(await getJob(h, 'queue')), undefined, 'not complete while others run');
  await finishPods(h, 'Succeeded');
  await h.advance(1_000);
  const done = await getJob(h, 'queue');
  t.equal(jobFinishedCondition(done)?.type, 'Complete');
  t.equal(done.status?.succeeded, 3);
});

void t.test('backoffLimit: failures recreate pods after a doubling back-off, then the Job fails', async (t) => {
  const h = await harness(t);
  await h.store.create(JOB_RESOURCE, newJob('flaky', { backoffLimit: 2 }));
  await h.advance(1_000);
  t.equal((await pods(h)).length, 1);
  await finishPods(h, 'Failed');
  await h.advance(5_000);
  t.equal((await pods(h)).filter((p) => p.status?.phase !== 'Failed').length, 0, 'no replacement within the 10 s back-off');
  await h.advance(6_000);
  t.equal((await pods(h)).filter((p) => p.status?.phase !== 'Failed').length, 1, 'replacement after 10 s');
  await finishPods(h, 'Failed');
  await h.advance(15_000);
  t.equal((await pods(h)).filter((p) => p.status?.phase !== 'Failed').length, 0, 'second back-off is 20 s');
  await h.advance(6_000);
  t.equal((await pods(h)).filter((p) => p.status?.phase !== 'Failed').length, 1);
  await finishPods(h, 'Failed');
  await h.advance(1_000);
  const job = await getJob(h, 'flaky');
  t.equal(job.status?.failed, 3);
  t.equal(jobFinishedCondition(job)?.type, 'Failed');
  t.equal(jobFinishedCondition(job)?.reason, 'BackoffLimitExceeded');
  t.ok(job.status?.conditions?.some((c) => c.type === 'FailureTarget' && c.status === 'True'));
  t.same(reasons(h, 'BackoffLimitExceeded'), ['Job has reached the specified backoff limit']);
});

void t.test('activeDeadlineSeconds: the Job fails with DeadlineExceeded and its pods are deleted', async (t) => {
  const h = await harness(t);
  await h.store.create(JOB_RESOURCE, newJob('slow', { activeDeadlineSeconds: 30, parallelism: 2, completions: 4 }));
  await h.advance(1_000);
  await runPods(h);
  await h.advance(20_000);
  t.equal(jobFinishedCondition(await getJob(h, 'slow')), undefined);
  await h.advance(15_000);
  const job = await getJob(h, 'slow');
  t.equal(jobFinishedCondition(job)?.reason, 'DeadlineExceeded');
  t.equal(jobFinishedCondition(job)?.message, 'Job was active longer than specified deadline');
  t.equal((await pods(h)).length, 0, 'active pods deleted (finalizers removed so they went away)');
  t.equal(job.status?.active, 0);
  t.equal(job.status?.failed, 2, 'deleted running pods count as failed, as in kube');
  t.same(reasons(h, 'DeadlineExceeded'), ['Job was active longer than specified deadline']);
});

void t.test('ttlSecondsAfterFinished deletes the finished Job', async (t) => {
  const h = await harness(t);
  await h.store.create(JOB_RESOURCE, newJob('once', { ttlSecondsAfterFinished: 60 }));
  await h.advance(1_000);
  await finishPods(h, 'Succeeded');
  await h.advance(1_000);
  t.equal(jobFinishedCondition(await getJob(h, 'once'))?.type, 'Complete');
  await h.advance(50_000);
  t.ok(await getJob(h, 'once'), 'still there before the TTL');
  await h.advance(15_000);
  await t.rejects(getJob(h, 'once'), 'deleted after the TTL');
});

void t.test('Indexed: one pod per completion index, completedIndexes tracked', async (t) => {
  const h = await harness(t);
  await h.store.create(JOB_RESOURCE, newJob('idx', { completions: 3, parallelism: 2, completionMode: 'Indexed' }));
  await h.advance(1_000);
  let ps = await pods(h);
  t.same(ps.map((p) => p.metadata?.annotations?.[JOB_COMPLETION_INDEX_ANNOTATION]).sort(), ['0', '1']);
  t.ok(ps.every((p) => p.metadata?.labels?.[JOB_COMPLETION_INDEX_ANNOTATION] === p.metadata?.annotations?.[JOB_COMPLETION_INDEX_ANNOTATION]));
  t.ok(ps.every((p) => p.spec?.hostname === `idx-${p.metadata?.annotations?.[JOB_COMPLETION_INDEX_ANNOTATION] ?? ''}`));
  // Index 1 fails, index 0 succeeds: index 1 is retried and index 2 started.
  const one = ps.find((p) => p.metadata?.annotations?.[JOB_COMPLETION_INDEX_ANNOTATION] === '1')!;
  const zero = ps.find((p) => p.metadata?.annotations?.[JOB_COMPLETION_INDEX_ANNOTATION] === '0')!;
  await h.store.updateStatus<Pod>(PODS, { ...zero, status: { phase: 'Succeeded' } });
  await h.store.updateStatus<Pod>(PODS, { ...one, status: { phase: 'Failed' } });
  await h.advance(12_000);
  ps = (await pods(h)).filter((p) => p.status?.phase === undefined || p.status.phase === 'Pending');
  t.same(ps.map((p) => p.metadata?.annotations?.[JOB_COMPLETION_INDEX_ANNOTATION]).sort(), ['1', '2']);
  t.equal((await getJob(h, 'idx')).status?.completedIndexes, '0');
  await finishPods(h, 'Succeeded');
  await h.advance(1_000);
  const job = await getJob(h, 'idx');
  t.equal(job.status?.completedIndexes, '0-2');
  t.equal(job.status?.succeeded, 3);
  t.equal(job.status?.failed, 1);
  t.equal(jobFinishedCondition(job)?.type, 'Complete');
});

void t.test('suspend deletes active pods; resume starts them again', async (t) => {
  const h = await harness(t);
  await h.store.create(JOB_RESOURCE, newJob('sus', { parallelism: 2, completions: 2 }));
  await h.advance(1_000);
  t.equal((await pods(h)).length, 2);
  let job = await getJob(h, 'sus');
  await h.store.update(JOB_RESOURCE, { ...job, spec: { ...job.spec!, suspend: true } });
  await h.advance(1_000);
  job = await getJob(h, 'sus');
  t.equal((await pods(h)).length, 0);
  t.ok(job.status?.conditions?.some((c) => c.type === 'Suspended' && c.status === 'True' && c.reason === 'JobSuspended'));
  await h.store.update(JOB_RESOURCE, { ...job, spec: { ...job.spec!, suspend: false } });
  await h.advance(1_000);
  job = await getJob(h, 'sus');
  t.ok(job.status?.conditions?.some((c) => c.type === 'Suspended' && c.status === 'False' && c.reason === 'JobResumed'));
  t.equal((await pods(h)).filter((p) => p.metadata?.deletionTimestamp == null).length, 2);
  t.same(reasons(h, 'Suspended'), ['Job suspended']);
  t.same(reasons(h, 'Resumed'), ['Job resumed']);
});

for (const seed of [1, 2, 3]) {
  void t.test(`a Job converges despite watch faults and a restart, counting each pod once (seed ${seed})`, async (t) => {
    const h = await harness(t, seed, { dropProbability: 0.2, duplicateProbability: 0.2, reorderProbability: 0.3 });
    await h.store.create(JOB_RESOURCE, newJob('batch', { completions: 6, parallelism: 3, backoffLimit: 100 }));
    let failures = 0;
    for (let i = 0; i < 6; i++) {
      await h.advance(2_000);
      if (i === 1) failures += await finishPods(h, 'Failed', 1);
      else await finishPods(h, 'Succeeded', 2);
      if (i === 3) await h.restart();
    }
    await h.heal();
    const ok = await h.runUntil(
      async () => {
        await finishPods(h, 'Succeeded');
        return jobFinishedCondition(await getJob(h, 'batch')) !== undefined;
      },
      { maxMs: 10 * 60_000, stepMs: 5_000 },
    );
    t.ok(ok, `converged (seed ${seed})`);
    const job = await getJob(h, 'batch');
    t.equal(jobFinishedCondition(job)?.type, 'Complete', `complete (seed ${seed})`);
    const all = await pods(h);
    const succeededPods = all.filter((p) => p.status?.phase === 'Succeeded').length;
    t.equal(job.status?.failed, failures, `each failure counted once (seed ${seed})`);
    t.equal(job.status?.succeeded, succeededPods, `each success counted once (seed ${seed})`);
    t.ok(succeededPods >= 6, 'at least completions succeeded');
    t.ok(all.every((p) => !(p.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER)), `no finalizer left (seed ${seed})`);
  });
}
