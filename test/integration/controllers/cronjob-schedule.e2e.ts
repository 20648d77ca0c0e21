// A CronJob on a real cluster: with `*/1 * * * *` it creates a Job at the next minute (named
// after the scheduled minute), which completes; finished Jobs beyond successfulJobsHistoryLimit
// (two made by `kubectl create job --from=cronjob/…` before the first tick) are deleted.
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import type { CronJob, Job } from '../../../core/index.js';
import { ControllerCluster, NAMESPACE } from './controller-cluster.js';

const JOBS = { group: 'batch', version: 'v1', resource: 'jobs' } as const;
const CRONJOBS = { group: 'batch', version: 'v1', resource: 'cronjobs' } as const;
const MANIFEST = `apiVersion: batch/v1
kind: CronJob
metadata: {name: tick}
spec:
  schedule: "*/1 * * * *"
  successfulJobsHistoryLimit: 1
  failedJobsHistoryLimit: 1
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: flotilla/sleep, args: ["1"]}]
`;

const isComplete = (j: Job): boolean => j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') === true;

async function jobs(cluster: ControllerCluster): Promise<Job[]> {
  return (await cluster.client.list<Job>(JOBS, { namespace: NAMESPACE })).items.filter((j) => j.metadata?.deletionTimestamp === undefined);
}

/** Time the two manual Jobs need to run and be judged before the first tick. */
const MANUAL_JOBS_MARGIN_MS = 25_000;

void t.test('a CronJob fires on its schedule and keeps its history limit', async (t) => {
  const cluster = await ControllerCluster.start(t, { workers: ['w1'] });
  // The manual Jobs must finish before the first tick, or the tick's Job (newer) is what the
  // history limit keeps: too close to a minute's end, start after it.
  const untilNextMinuteMs = 60_000 - (Date.now() % 60_000);
  if (untilNextMinuteMs < MANUAL_JOBS_MARGIN_MS) await sleep(untilNextMinuteMs + 500);
  await cluster.kubectlOk(['apply', '-f', '-'], MANIFEST);

  // Two Jobs from the CronJob's template, owned by it, before the first tick.
  await cluster.kubectlOk(['create', 'job', 'manual-1', '--from=cronjob/tick']);
  await cluster.waitFor('manual-1 Complete', async () => ((await jobs(cluster)).some((j) => j.metadata?.name === 'manual-1' && isComplete(j)) ? true : undefined), 60_000);
  await cluster.kubectlOk(['create', 'job', 'manual-2', '--from=cronjob/tick']);
  let last: Job[] = [];
  const names = (): string => JSON.stringify(last.map((j) => [j.metadata?.name, isComplete(j)]));
  await cluster.waitFor(() => `manual-1 deleted past the history limit once manual-2 completed (jobs: ${names()})`, async () => {
    last = await jobs(cluster);
    return last.some((j) => j.metadata?.name === 'manual-2' && isComplete(j)) && !last.some((j) => j.metadata?.name === 'manual-1') ? true : undefined;
  }, 40_000);
  t.pass('the older successful Job was deleted (successfulJobsHistoryLimit 1)');

  const scheduled = await cluster.waitFor(() => `a scheduled Job tick-<minute> (jobs: ${names()})`, async () => {
    last = await jobs(cluster);
    return last.find((j) => /^tick-\d+$/.test(j.metadata?.name ?? ''));
  }, 75_000);
  const minutes = Number(scheduled.metadata!.name!.slice('tick-'.length));
  const createdMs = Date.parse(scheduled.metadata?.creationTimestamp ?? '');
  t.ok(createdMs >= minutes * 60_000 && createdMs < (minutes + 1) * 60_000, 'created in the minute it is named after', { createdMs, minutes });
  t.equal(scheduled.metadata?.ownerReferences?.[0]?.name, 'tick', 'owned by the CronJob');
  const cronJob = await cluster.client.get<CronJob>({ ...CRONJOBS, namespace: NAMESPACE, name: 'tick' });
  t.equal(Date.parse(cronJob.status?.lastScheduleTime ?? ''), minutes * 60_000, 'lastScheduleTime is the scheduled minute');

  await cluster.waitFor(() => `the scheduled Job to complete and be the only Job left (jobs: ${names()})`, async () => {
    last = await jobs(cluster);
    return last.length === 1 && last[0]!.metadata?.name === scheduled.metadata?.name && isComplete(last[0]!) ? true : undefined;
  }, 40_000);
  t.pass('after it completed, manual-2 was deleted past the history limit');
  const after = await cluster.client.get<CronJob>({ ...CRONJOBS, namespace: NAMESPACE, name: 'tick' });
  t.ok(after.status?.lastSuccessfulTime, 'lastSuccessfulTime is set');
  t.equal(after.status?.active?.length ?? 0, 0, 'no active Job');
});
