// The pod worker starting pods: sandbox, init containers in order, app containers, Events,
// image and configuration failures, status written only when it changes, worker restart.
import t from 'tap';
import type { Pod } from '../../../core/index.js';
import { resourceConflictError } from '../../../core/index.js';
import { container, PODS, podHarness, settle } from './harness.js';

void t.test('a pod starts: sandbox, container, Events, status Running and Ready', async (t) => {
  const h = await podHarness(t, { containers: [container('web')] });
  await h.sync();
  t.same(h.runtime.calls, ['runSandbox web', 'create web#0', 'start web#0']);
  t.same(h.events.reasons(), ['Pulled', 'Created', 'Started']);
  t.equal(h.events.events[0]?.message, 'Container image "busybox" already present on machine');
  t.equal(h.events.events[0]?.fieldPath, 'spec.containers{web}');
  const status = await h.status();
  t.equal(status.phase, 'Running');
  t.equal(status.hostIP, '10.0.0.5');
  t.equal(status.podIP, '10.0.0.5');
  t.same(status.podIPs, [{ ip: '10.0.0.5' }]);
  t.equal(status.qosClass, 'BestEffort');
  t.ok(status.startTime);
  const cs = status.containerStatuses?.[0];
  t.equal(cs?.ready, true);
  t.equal(cs?.started, true);
  t.equal(cs?.restartCount, 0);
  t.ok(cs?.state?.running?.startedAt);
  t.match(cs?.containerID, /^flotilla:\/\/c\d+$/);
  t.equal(cs?.imageID, 'sha256:busybox');
  const conditions = Object.fromEntries((status.conditions ?? []).map((c) => [c.type, c.status]));
  t.same(conditions, { PodReadyToStartContainers: 'True', Initialized: 'True', Ready: 'True', ContainersReady: 'True', PodScheduled: 'True' });
  t.same(h.fatal, []);
});

void t.test('status is written only when it changed, and a conflict is retried with a fresh read', async (t) => {
  const h = await podHarness(t, { containers: [container('web')] });
  h.client.failNext('updateStatus', resourceConflictError({ group: '', version: 'v1', resource: 'pods' }, 'web', 'stale'));
  await h.sync();
  t.equal((await h.status()).phase, 'Running', 'written after the conflict');
  const writes = h.client.requestCount('updateStatus');
  t.equal(writes, 2);
  await h.sync();
  await h.advance(60_000);
  await h.sync();
  t.equal(h.client.requestCount('updateStatus'), writes, 'nothing changed, nothing written');
  t.equal(h.runtime.calls.filter((c) => c.startsWith('create')).length, 1, 'resyncs start nothing');
});

void t.test('init containers run one at a time, in order, before app containers', async (t) => {
  const h = await podHarness(t, { initContainers: [container('init-a'), container('init-b')], containers: [container('web')] });
  await h.sync();
  t.same(h.runtime.calls, ['runSandbox web', 'create init-a#0', 'start init-a#0'], 'waits for init-a');
  let status = await h.status();
  t.equal(status.phase, 'Pending');
  t.equal(status.initContainerStatuses?.[0]?.state?.running !== undefined, true);
  t.equal(status.initContainerStatuses?.[1]?.state?.waiting?.reason, 'PodInitializing');
  t.equal(status.containerStatuses?.[0]?.state?.waiting?.reason, 'PodInitializing');
  t.match(status.conditions?.find((c) => c.type === 'Initialized'), { status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [init-a init-b]' });
  h.runtime.exit(h.runtime.running('init-a')?.id ?? '', 0);
  await settle();
  t.same(h.runtime.calls.slice(3), ['create init-b#0', 'start init-b#0']);
  h.runtime.exit(h.runtime.running('init-b')?.id ?? '', 0);
  await settle();
  t.same(h.runtime.calls.slice(5), ['create web#0', 'start web#0']);
  status = await h.status();
  t.equal(status.phase, 'Running');
  t.match(status.initContainerStatuses?.[0], { ready: true, state: { terminated: { exitCode: 0, reason: 'Completed' } } });
  t.equal(status.conditions?.find((c) => c.type === 'Initialized')?.status, 'True');
});

void t.test('a failing init container fails the pod under restartPolicy Never', async (t) => {
  const h = await podHarness(t, { restartPolicy: 'Never', initContainers: [container('init-a')], containers: [container('web')] });
  h.runtime.exitOnStart.set('init-a', 3);
  await h.sync();
  const status = await h.status();
  t.equal(status.phase, 'Failed');
  t.match(status.initContainerStatuses?.[0]?.state?.terminated, { exitCode: 3, reason: 'Error' });
  t.notOk(h.runtime.calls.some((c) => c.startsWith('create web')), 'app containers never start');
  t.ok(h.runtime.calls.includes('stopSandbox web'), 'the sandbox of a finished pod is stopped');
});

void t.test('a failing init container is restarted with back-off under restartPolicy Always', async (t) => {
  const h = await podHarness(t, { initContainers: [container('init-a')], containers: [container('web')] });
  h.runtime.exitOnStart.set('init-a', 1);
  await h.sync();
  t.same(h.runtime.calls.filter((c) => c.startsWith('start')), ['start init-a#0', 'start init-a#1'], 'first restart is immediate');
  let status = await h.status();
  t.equal(status.phase, 'Pending');
  t.match(status.initContainerStatuses?.[0], { restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1 } } });
  h.runtime.exitOnStart.set('init-a', 0);
  await h.advance(10_000);
  t.same(h.runtime.calls.filter((c) => c.startsWith('start')), ['start init-a#0', 'start init-a#1', 'start init-a#2', 'start web#0']);
  status = await h.status();
  t.equal(status.phase, 'Running');
});

void t.test('an image that no store has: ErrImagePull, then ImagePullBackOff, then pulled', async (t) => {
  const h = await podHarness(t, { containers: [container('web', { image: 'missing', imagePullPolicy: 'IfNotPresent' })] });
  await h.sync();
  let waiting = (await h.status()).containerStatuses?.[0]?.state?.waiting;
  t.equal(waiting?.reason, 'ErrImagePull');
  t.match(h.events.withReason('Failed').map((e) => e.message), ['Failed to pull image "missing": image "missing" not found in the local image store', 'Error: ErrImagePull']);
  t.equal((await h.status()).phase, 'Pending');
  await h.advance(5_000);
  await h.sync(); // a resync inside the back-off does not pull
  t.equal(h.runtime.calls.filter((c) => c === 'pull missing').length, 1);
  waiting = (await h.status()).containerStatuses?.[0]?.state?.waiting;
  t.same(waiting, { reason: 'ImagePullBackOff', message: 'Back-off pulling image "missing"' });
  await h.advance(5_000);
  t.equal(h.runtime.calls.filter((c) => c === 'pull missing').length, 2, 'pulled again when the back-off ends');
  t.equal((await h.status()).containerStatuses?.[0]?.state?.waiting?.reason, 'ErrImagePull');
  h.runtime.registry.add('missing');
  await h.advance(19_999);
  t.equal(h.runtime.calls.filter((c) => c === 'pull missing').length, 2, 'the second back-off is 20s');
  await h.advance(1);
  t.ok(h.runtime.running('web'), 'started once the image could be pulled');
  t.ok(h.events.withReason('Pulled').some((e) => e.message.startsWith('Successfully pulled image "missing"')));
});

void t.test('a missing ConfigMap for env: CreateContainerConfigError', async (t) => {
  const h = await podHarness(t, {
    containers: [container('web', { env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'a' } } }] })],
  });
  await h.sync();
  const waiting = (await h.status()).containerStatuses?.[0]?.state?.waiting;
  t.equal(waiting?.reason, 'CreateContainerConfigError');
  t.match(waiting?.message, /cfg/);
  t.ok(h.events.withReason('Failed').some((e) => e.message.startsWith('Error: ')));
  t.notOk(h.runtime.calls.some((c) => c.startsWith('create')));
});

void t.test('a volume that cannot be set up: FailedMount, ContainerCreating, retried', async (t) => {
  const h = await podHarness(t, { volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }], containers: [container('web')] });
  h.volumes.failing.add('cfg');
  await h.sync();
  t.equal(h.events.withReason('FailedMount')[0]?.message, 'MountVolume.SetUp failed for volume "cfg" : configmap "cfg" not found');
  const status = await h.status();
  t.equal(status.phase, 'Pending');
  t.equal(status.containerStatuses?.[0]?.state?.waiting?.reason, 'ContainerCreating');
  t.same(h.runtime.calls, [], 'no sandbox before the volumes');
  h.volumes.failing.clear();
  await h.advance(5_000);
  t.ok(h.runtime.running('web'), 'retried and started');
});

void t.test('a restarted worker adopts the running containers instead of starting them again', async (t) => {
  const h = await podHarness(t, { initContainers: [container('init-a')], containers: [container('web'), container('side')] });
  h.runtime.exitOnStart.set('init-a', 0);
  await h.sync();
  await settle();
  const before = [...h.runtime.calls];
  t.ok(h.runtime.running('web') && h.runtime.running('side'));
  const statusBefore = await h.status();
  await h.restartWorker();
  await h.sync();
  t.same(h.runtime.calls, before, 'no sandbox, container or init container started twice');
  const statusAfter = await h.status();
  t.equal(statusAfter.phase, 'Running');
  t.same(statusAfter.containerStatuses?.map((c) => c.containerID), statusBefore.containerStatuses?.map((c) => c.containerID));
  t.equal(h.runtime.sandboxList().length, 1);
});

void t.test('a changed container spec replaces the running container', async (t) => {
  const h = await podHarness(t, { containers: [container('web')] });
  await h.sync();
  h.runtime.present.add('nginx');
  const current = await h.client.get<Pod>({ ...PODS, namespace: 'default', name: 'web' });
  await h.client.update(PODS, { ...current, spec: { ...current.spec!, containers: [container('web', { image: 'nginx' })] } });
  await h.sync();
  t.ok(h.events.withReason('Killing').some((e) => e.message === 'Container web definition changed, will be restarted'));
  t.equal(h.runtime.running('web')?.image, 'nginx');
  t.equal(h.runtime.running('web')?.attempt, 1);
});
