// The CronJob controller under the framework's harness: Jobs named by schedule, concurrency
// policies, starting deadlines, history limits, suspend, time zones, and convergence despite
// watch faults and a restart. A stand-in Job controller marks Jobs finished.
import t from 'tap';
import type { Test } from 'tap';
import type { CronJob, Job } from '../../../core/index.js';
import { applyDefaults, formatRfc3339 } from '../../../core/index.js';
import { ControllerTestHarness, HARNESS_START_MS } from '../../../actors/index.js';
import { CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION, cronJobController } from '../../../actors/index.js';
import { CRONJOB_RESOURCE, JOB_RESOURCE } from '../../../actors/index.js';

const NS = 'default';
// HARNESS_START_MS is 2023-11-14T22:13:20Z.

function newCronJob(name: string, spec: Partial<NonNullable<CronJob['spec']>>): CronJob {
  const object = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: NS },
    spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } }, ...spec },
  };
  return applyDefaults({ group: 'batch', version: 'v1', kind: 'CronJob' }, object as unknown as CronJob);
}

async function jobs(h: ControllerTestHarness): Promise<Job[]> {
  return (await h.store.list<Job>(JOB_RESOURCE, { namespace: NS })).items.sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
}

async function getCronJob(h: ControllerTestHarness, name: string): Promise<CronJob> {
  return h.store.get<CronJob>({ ...CRONJOB_RESOURCE, namespace: NS, name });
}

/** The Job controller: every unfinished Job finishes with `type`. */
async function finishJobs(h: ControllerTestHarness, type: 'Complete' | 'Failed'): Promise<void> {
  const now = formatRfc3339(h.clock.now());
  for (const job of await jobs(h)) {
    if (job.status?.conditions?.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') === true) continue;
    await h.store.updateStatus<Job>(JOB_RESOURCE, {
      ...job,
      status: { startTime: now, ...(type === 'Complete' ? { completionTime: now, succeeded: 1 } : { failed: 1 }), conditions: [{ type, status: 'True', lastTransitionTime: now }] },
    });
  }
}

function reasons(h: ControllerTestHarness, reason: string): string[] {
  return h.events.events.filter((e) => e.reason === reason).map((e) => e.message);
}

async function harness(t: Test, seed = 1, faults = {}): Promise<ControllerTestHarness> {
  const h = new ControllerTestHarness({ controllers: [cronJobController], seed, faults });
  t.teardown(() => h.stop());
  await h.start();
  return h;
}

const minutes = (ms: number): number => Math.floor(ms / 60_000);

void t.test('creates one Job per activation, named by the scheduled minute, and tracks it', async (t) => {
  const h = await harness(t);
  await h.store.create(CRONJOB_RESOURCE, newCronJob('tick', {}));
  await h.advance(60_000);
  t.equal((await jobs(h)).length, 0, 'nothing before 22:15');
  await h.advance(60_000);
  const first = HARNESS_START_MS - 200_000 + 300_000; // 22:15:00
  let js = await jobs(h);
  t.same(js.map((j) => j.metadata?.name), [`tick-${minutes(first)}`]);
  t.equal(js[0]?.metadata?.annotations?.[CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION], '2023-11-14T22:15:00Z');
  t.equal(js[0]?.metadata?.ownerReferences?.[0]?.kind, 'CronJob');
  let cj = await getCronJob(h, 'tick');
  t.equal(cj.status?.lastScheduleTime, '2023-11-14T22:15:00Z');
  t.same(cj.status?.active?.map((r) => r.name), [`tick-${minutes(first)}`]);
  t.same(reasons(h, 'SuccessfulCreate'), [`Created job tick-${minutes(first)}`]);

  await finishJobs(h, 'Complete');
  await h.advance(1_000);
  cj = await getCronJob(h, 'tick');
  t.equal(cj.status?.active, undefined, 'finished job leaves active');
  t.ok(cj.status?.lastSuccessfulTime, 'lastSuccessfulTime');
  t.same(reasons(h, 'SawCompletedJob'), [`Saw completed job: tick-${minutes(first)}, condition: Complete`]);

  // Five more activations, each completed: history keeps the newest 3.
  for (let i = 0; i < 5; i++) {
    await h.advance(300_000);
    await finishJobs(h, 'Complete');
  }
  await h.advance(1_000);
  js = await jobs(h);
  t.equal(js.length, 3, 'successfulJobsHistoryLimit');
  t.equal(reasons(h, 'SuccessfulDelete').length, 3);
});

void t.test('Forbid skips while a Job runs; Replace deletes it; Allow runs both', async (t) => {
  for (const policy of ['Forbid', 'Replace', 'Allow'] as const) {
    const h = await harness(t);
    await h.store.create(CRONJOB_RESOURCE, newCronJob(`p-${policy.toLowerCase()}`, { concurrencyPolicy: policy }));
    await h.advance(120_000);
    t.equal((await jobs(h)).length, 1, `${policy}: first`);
    await h.advance(300_000);
    const js = await jobs(h);
    const cj = await getCronJob(h, `p-${policy.toLowerCase()}`);
    if (policy === 'Forbid') {
      t.equal(js.length, 1, 'Forbid: still one');
      t.ok(reasons(h, 'JobAlreadyActive').length > 0);
    } else if (policy === 'Replace') {
      t.equal(js.length, 1, 'Replace: the old one deleted');
      t.equal(cj.status?.active?.length, 1);
      t.equal(cj.status?.active?.[0]?.name, js[0]?.metadata?.name);
      t.equal(reasons(h, 'SuccessfulDelete').length, 1);
    } else {
      t.equal(js.length, 2, 'Allow: both');
      t.equal(cj.status?.active?.length, 2);
    }
    await h.stop();
  }
});

void t.test('startingDeadlineSeconds: a schedule missed by more than the deadline is skipped', async (t) => {
  const h = await harness(t);
  const cj = newCronJob('late', { startingDeadlineSeconds: 10, suspend: true });
  await h.store.create(CRONJOB_RESOURCE, cj);
  await h.advance(150_000); // past 22:15 while suspended
  t.equal((await jobs(h)).length, 0, 'suspended: nothing');
  const current = await getCronJob(h, 'late');
  await h.store.update(CRONJOB_RESOURCE, { ...current, spec: { ...current.spec!, suspend: false } });
  await h.advance(1_000);
  t.equal((await jobs(h)).length, 0, 'the 22:15 run is 30 s late: skipped');
  await h.advance(300_000);
  t.equal((await jobs(h)).length, 1, 'the 22:20 run starts on time');
});

void t.test('many missed schedules: only the latest starts', async (t) => {
  const h = await harness(t);
  const cj = newCronJob('busy', { schedule: '* * * * *', suspend: true });
  await h.store.create(CRONJOB_RESOURCE, cj);
  await h.advance(3 * 3600_000, 600_000);
  const current = await getCronJob(h, 'busy');
  await h.store.update(CRONJOB_RESOURCE, { ...current, spec: { ...current.spec!, suspend: false } });
  await h.advance(1_000);
  const js = await jobs(h);
  t.equal(js.length, 1, 'one Job, not 180');
  t.equal(reasons(h, 'TooManyMissedTimes').length, 1);
  t.equal(js[0]?.metadata?.name, `busy-${minutes(h.clock.now())}`, 'for the latest minute');
});

void t.test('timeZone: activations follow the zone, the annotation carries its offset', async (t) => {
  const h = await harness(t);
  // 22:13 UTC is 17:13 in New York (EST); run at 17:30 local.
  await h.store.create(CRONJOB_RESOURCE, newCronJob('ny', { schedule: '30 17 * * *', timeZone: 'America/New_York' }));
  await h.advance(20 * 60_000);
  const js = await jobs(h);
  t.equal(js.length, 1);
  t.equal(js[0]?.metadata?.annotations?.[CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION], '2023-11-14T17:30:00-05:00');
  await h.store.create(CRONJOB_RESOURCE, newCronJob('mars', { timeZone: 'Mars/Olympus' }));
  await h.advance(1_000);
  t.ok(reasons(h, 'UnknownTimeZone').length > 0, 'unknown zone reported');
});

for (const seed of [1, 2, 3]) {
  void t.test(`a CronJob converges despite watch faults and a restart (seed ${seed})`, async (t) => {
    const h = await harness(t, seed, { dropProbability: 0.3, duplicateProbability: 0.2, reorderProbability: 0.3 });
    await h.store.create(CRONJOB_RESOURCE, newCronJob('steady', { schedule: '* * * * *', concurrencyPolicy: 'Forbid' }));
    for (let i = 0; i < 8; i++) {
      await h.advance(60_000);
      await finishJobs(h, 'Complete');
      if (i === 3) await h.restart();
    }
    await h.heal();
    const ok = await h.runUntil(
      async () => {
        await finishJobs(h, 'Complete');
        const cj = await getCronJob(h, 'steady');
        const js = await jobs(h);
        return cj.status?.active === undefined && js.length === 3 && cj.status?.lastScheduleTime === formatRfc3339(Math.floor(h.clock.now() / 60_000) * 60_000);
      },
      { maxMs: 10 * 60_000, stepMs: 20_000 },
    );
    t.ok(ok, `converged (seed ${seed})`);
    const names = (await jobs(h)).map((j) => j.metadata?.name ?? '');
    t.equal(new Set(names).size, names.length, 'no duplicate runs');
  });
}
