// The pod worker after start: restart policies, crash-loop back-off, probes, deadline, graceful
// deletion and removal.
import t from 'tap';
import type { ResourceDeleteOptions, ResourceObjectRef } from '../../../core/index.js';
import { formatRfc3339, isNotFound } from '../../../core/index.js';
import { container, PODS, podHarness, settle } from './harness.js';

void t.test('restartPolicy decides whether an exited container starts again', async (t) => {
  const cases = [
    { policy: 'Always', exitCode: 0, restarted: true, phase: 'Running' },
    { policy: 'Always', exitCode: 1, restarted: true, phase: 'Running' },
    { policy: 'OnFailure', exitCode: 0, restarted: false, phase: 'Succeeded' },
    { policy: 'OnFailure', exitCode: 1, restarted: true, phase: 'Running' },
    { policy: 'Never', exitCode: 0, restarted: false, phase: 'Succeeded' },
    { policy: 'Never', exitCode: 1, restarted: false, phase: 'Failed' },
  ] as const;
  for (const c of cases) {
    const h = await podHarness(t, { restartPolicy: c.policy, containers: [container('web')] });
    await h.sync();
    h.runtime.exit(h.runtime.running('web')?.id ?? '', c.exitCode);
    await settle();
    const name = `${c.policy} exit ${c.exitCode}`;
    t.equal(h.runtime.running('web') !== undefined, c.restarted, `${name}: restarted`);
    const status = await h.status();
    t.equal(status.phase, c.phase, `${name}: phase`);
    if (c.restarted) t.match(status.containerStatuses?.[0], { restartCount: 1, lastState: { terminated: { exitCode: c.exitCode } } }, name);
    if (!c.restarted) {
      t.ok(h.runtime.calls.includes('stopSandbox web'), `${name}: sandbox stopped`);
      await h.sync();
      t.notOk(h.runtime.running('web'), `${name}: a terminal pod is not restarted by a resync`);
    }
  }
});

void t.test('CrashLoopBackOff: delays double from 10s up to 5m, and reset after a long run', async (t) => {
  const h = await podHarness(t, { containers: [container('web')] });
  h.runtime.exitOnStart.set('web', 1);
  await h.sync();
  t.same(h.runtime.calls.filter((c) => c.startsWith('start')), ['start web#0', 'start web#1'], 'first restart immediate');
  const uid = h.pod.metadata?.uid ?? '';
  const expected = [10, 20, 40, 80, 160, 300, 300];
  for (const [i, seconds] of expected.entries()) {
    const cs = (await h.status()).containerStatuses?.[0];
    const shown = seconds >= 60 ? `${Math.floor(seconds / 60)}m${seconds % 60}s` : `${seconds}s`;
    t.same(cs?.state?.waiting, { reason: 'CrashLoopBackOff', message: `back-off ${shown} restarting failed container=web pod=web_default(${uid})` }, `after restart ${i + 1}`);
    t.equal(cs?.restartCount, i + 1);
    t.match(cs?.lastState?.terminated, { exitCode: 1, reason: 'Error' });
    await h.advance(seconds * 1000 - 1);
    t.notOk(h.runtime.calls.includes(`start web#${i + 2}`), `not restarted before ${seconds}s`);
    await h.advance(1);
    t.ok(h.runtime.calls.includes(`start web#${i + 2}`), `restarted after ${seconds}s`);
  }
  t.ok(h.events.withReason('BackOff').length >= expected.length);
  t.equal(h.events.withReason('BackOff')[0]?.message, `Back-off restarting failed container web in pod web_default(${uid})`);
  t.ok(h.runtime.all().length <= 2, 'exited instances are pruned (one kept for lastState)');

  // A run longer than resetAfterMs forgets the back-off: the next restart is immediate.
  h.runtime.exitOnStart.delete('web');
  await h.advance(300_000);
  const running = h.runtime.running('web');
  t.ok(running);
  await h.advance(600_001);
  h.runtime.exit(running?.id ?? '', 1);
  await settle();
  t.ok(h.runtime.running('web'), 'restarted at once after a long run');
});

void t.test('liveness failure: Unhealthy Events, Killing, restart', async (t) => {
  const h = await podHarness(t, {
    terminationGracePeriodSeconds: 5,
    containers: [container('web', { livenessProbe: { exec: { command: ['check'] }, periodSeconds: 10, failureThreshold: 2 } })],
  });
  let healthy = true;
  h.runtime.execHandler = () => ({ exitCode: healthy ? 0 : 1, stdout: healthy ? '' : 'sick', stderr: '', timedOut: false });
  await h.sync();
  await h.advance(0);
  t.equal(h.runtime.calls.filter((c) => c === 'exec web#0 check').length, 1, 'first run right after start');
  healthy = false;
  await h.advance(10_000);
  t.equal(h.events.withReason('Unhealthy').length, 1);
  t.equal(h.events.withReason('Unhealthy')[0]?.message, 'Liveness probe failed: sick');
  t.ok(h.runtime.running('web'), 'below the failure threshold');
  await h.advance(10_000);
  t.equal(h.events.withReason('Unhealthy').length, 2);
  t.ok(h.events.withReason('Killing').some((e) => e.message === 'Container web failed liveness probe, will be restarted'));
  t.ok(h.runtime.calls.includes('stop web#0 grace=5000'));
  t.equal(h.runtime.running('web')?.attempt, 1, 'restarted');
  t.equal((await h.status()).containerStatuses?.[0]?.restartCount, 1);
});

void t.test('readiness gates Ready and ContainersReady', async (t) => {
  const h = await podHarness(t, {
    containers: [container('web', { readinessProbe: { exec: { command: ['ready'] }, initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 1 } })],
  });
  let ready = false;
  h.runtime.execHandler = () => ({ exitCode: ready ? 0 : 1, stdout: '', stderr: '', timedOut: false });
  await h.sync();
  let status = await h.status();
  t.equal(status.phase, 'Running');
  t.equal(status.containerStatuses?.[0]?.ready, false);
  t.match(status.conditions?.find((c) => c.type === 'Ready'), { status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [web]' });
  const readyFalseSince = status.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime;
  await h.advance(5_000);
  t.equal((await h.status()).containerStatuses?.[0]?.ready, false, 'failed probe: still not ready');
  t.equal((await h.status()).conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime, readyFalseSince, 'transition time kept');
  ready = true;
  await h.advance(10_000);
  status = await h.status();
  t.equal(status.containerStatuses?.[0]?.ready, true);
  t.match(status.conditions?.find((c) => c.type === 'Ready'), { status: 'True', lastTransitionTime: formatRfc3339(h.clock.now()) });
  t.equal(status.conditions?.find((c) => c.type === 'ContainersReady')?.status, 'True');
  ready = false;
  await h.advance(10_000);
  t.equal((await h.status()).conditions?.find((c) => c.type === 'Ready')?.status, 'False', 'not ready again');
  t.ok(h.runtime.running('web'), 'readiness failures never kill');
});

void t.test('graceful deletion: preStop, SIGTERM with the grace, sandbox removed, then delete with grace 0', async (t) => {
  const h = await podHarness(t, { containers: [container('web', { lifecycle: { preStop: { exec: { command: ['drain'] } } } }), container('side')] });
  await h.sync();
  const deletes: { ref: ResourceObjectRef; options: ResourceDeleteOptions | undefined }[] = [];
  const realDelete = h.client.delete.bind(h.client);
  h.client.delete = (ref, options) => {
    deletes.push({ ref, options });
    return realDelete(ref, options);
  };
  h.runtime.calls.length = 0;
  await h.sync((pod) => ({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: formatRfc3339(h.clock.now()), deletionGracePeriodSeconds: 20 } }));
  t.ok(h.runtime.calls.indexOf('exec web#0 drain') < h.runtime.calls.indexOf('stop web#0 grace=20000'), 'preStop before SIGTERM');
  t.ok(h.runtime.calls.includes('stop side#0 grace=20000'));
  t.same(h.runtime.calls.slice(-2), ['stopSandbox web', 'removeSandbox web']);
  t.equal(h.events.withReason('Killing').length, 2);
  t.same(h.volumes.tornDown, [h.pod.metadata?.uid]);
  t.same(deletes.map((d) => d.options), [{ gracePeriodSeconds: 0, preconditions: { uid: h.pod.metadata?.uid } }]);
  const gone = await h.client.get({ ...PODS, namespace: 'default', name: 'web' }).then(() => false, (e: unknown) => isNotFound(e));
  t.ok(gone, 'the pod is gone');
});

void t.test('activeDeadlineSeconds: past it the pod is killed and Failed with DeadlineExceeded', async (t) => {
  const h = await podHarness(t, { activeDeadlineSeconds: 60, containers: [container('web')] });
  await h.sync();
  await h.advance(59_999);
  t.ok(h.runtime.running('web'));
  await h.advance(1);
  t.notOk(h.runtime.running('web'), 'killed');
  const status = await h.status();
  t.equal(status.phase, 'Failed');
  t.equal(status.reason, 'DeadlineExceeded');
  t.equal(status.message, 'Pod was active on the node longer than the specified deadline');
  t.equal(h.events.withReason('DeadlineExceeded').length, 1);
  await h.sync();
  t.notOk(h.runtime.running('web'), 'not restarted');
});

void t.test('remove: containers stopped with the given grace, sandbox and volumes removed, worker stopped', async (t) => {
  const h = await podHarness(t, { containers: [container('web')] });
  await h.sync();
  h.worker.tell({ type: 'remove', gracePeriodSeconds: 7 });
  await settle();
  t.ok(h.runtime.calls.includes('stop web#0 grace=7000'));
  t.ok(h.runtime.calls.includes('removeSandbox web'));
  t.same(h.runtime.sandboxList(), []);
  t.equal(h.volumes.tornDown.length, 1);
  t.equal(h.system.lifecycleOf(h.worker), 'stopped');
});

void t.test('a static pod reports its status to its mirror pod', async (t) => {
  const h = await podHarness(t, { containers: [container('web')] }, { annotations: { 'kubernetes.io/config.mirror': 'x' } });
  const manifestPod = { ...h.pod, metadata: { ...h.pod.metadata, uid: 'static-uid' } };
  delete manifestPod.status;
  h.worker.tell({ type: 'sync', pod: manifestPod, static: true });
  await settle();
  t.ok(h.runtime.running('web'));
  t.equal((await h.status()).phase, 'Running', 'the mirror got the status');
});
