// computePodPhase and computePodStatus as tables: Kubernetes' phase rules and status fields.
import t from 'tap';
import type { ContainerStatus, Pod, PodSpec } from '../../../core/index.js';
import { formatRfc3339 } from '../../../core/index.js';
import { type ContainerStatus as RuntimeContainerStatus, computePodPhase, computePodStatus, NO_PROBE_RESULTS, podStatusEqual } from '../../../actors/index.js';

const running: ContainerStatus['state'] = { running: {} };
const exited = (exitCode: number): ContainerStatus['state'] => ({ terminated: { exitCode } });
const waiting: ContainerStatus['state'] = { waiting: { reason: 'ContainerCreating' } };
const crashLooping = (exitCode: number): Pick<ContainerStatus, 'state' | 'lastState'> => ({ state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: exited(exitCode) });

function cs(name: string, fields: Pick<ContainerStatus, 'state'> & Partial<ContainerStatus>): ContainerStatus {
  return { name, ready: false, restartCount: 0, image: 'busybox', imageID: '', ...fields };
}

void t.test('phase table', (t) => {
  const two: PodSpec = { containers: [{ name: 'a' }, { name: 'b' }] };
  const withInit = (restartPolicy: PodSpec['restartPolicy']): PodSpec => ({ restartPolicy, initContainers: [{ name: 'i' }], containers: [{ name: 'a' }] });
  const rows: [string, PodSpec, ContainerStatus[], ContainerStatus[], boolean, string][] = [
    ['nothing started', two, [], [cs('a', { state: waiting }), cs('b', { state: waiting })], false, 'Pending'],
    ['one waiting for first run', two, [], [cs('a', { state: running }), cs('b', { state: waiting })], false, 'Pending'],
    ['all running', two, [], [cs('a', { state: running }), cs('b', { state: running })], false, 'Running'],
    ['one exited, one running', two, [], [cs('a', { state: exited(1) }), cs('b', { state: running })], false, 'Running'],
    ['all exited 0, Always', two, [], [cs('a', { state: exited(0) }), cs('b', { state: exited(0) })], false, 'Running'],
    ['all exited 0, OnFailure', { ...two, restartPolicy: 'OnFailure' }, [], [cs('a', { state: exited(0) }), cs('b', { state: exited(0) })], false, 'Succeeded'],
    ['one failed, OnFailure (restarting)', { ...two, restartPolicy: 'OnFailure' }, [], [cs('a', { state: exited(0) }), cs('b', crashLooping(1))], false, 'Running'],
    ['one failed, Never', { ...two, restartPolicy: 'Never' }, [], [cs('a', { state: exited(0) }), cs('b', { state: exited(2) })], false, 'Failed'],
    ['crash looping counts as stopped, Always', two, [], [cs('a', crashLooping(1)), cs('b', crashLooping(1))], false, 'Running'],
    ['terminal pod, all exited 0', two, [], [cs('a', { state: exited(0) }), cs('b', { state: exited(0) })], true, 'Succeeded'],
    ['terminal pod, killed', two, [], [cs('a', { state: exited(143) }), cs('b', { state: exited(0) })], true, 'Failed'],
    ['init running', withInit('Always'), [cs('i', { state: running })], [cs('a', { state: waiting })], false, 'Pending'],
    ['init failed, Never', withInit('Never'), [cs('i', { state: exited(1) })], [cs('a', { state: waiting })], false, 'Failed'],
    ['init failed, restarting', withInit('OnFailure'), [cs('i', crashLooping(1))], [cs('a', { state: waiting })], false, 'Pending'],
    ['init done, app running', withInit('Always'), [cs('i', { state: exited(0) })], [cs('a', { state: running })], false, 'Running'],
  ];
  for (const [name, spec, inits, statuses, terminal, phase] of rows) {
    t.equal(computePodPhase(spec, inits, statuses, terminal), phase, name);
  }
  t.end();
});

const NOW = 1_700_000_000_000;

function runtimeContainer(name: string, attempt: number, fields: Partial<RuntimeContainerStatus>): RuntimeContainerStatus {
  return { id: `${name}-${attempt}`, sandboxId: 'sb', name, attempt, image: 'busybox', imageId: 'sha256:b', state: 'running', createdAtMs: NOW - 1000 * (10 - attempt), labels: {}, logPath: '', ...fields };
}

const sandbox = { id: 'sb', podUid: 'u', podName: 'p', podNamespace: 'd', state: 'ready' as const, ip: '10.1.1.1', createdAtMs: NOW - 20_000 };

void t.test('computePodStatus: containers, lastState, restart count, IPs, QoS, conditions', (t) => {
  const pod: Pod = {
    metadata: { name: 'p', namespace: 'd', uid: 'u' },
    spec: { containers: [{ name: 'web', image: 'busybox', resources: { requests: { cpu: '100m' } } }, { name: 'api', image: 'busybox' }] },
  };
  const all = [
    runtimeContainer('web', 0, { state: 'exited', exitCode: 1, startedAtMs: NOW - 9000, finishedAtMs: NOW - 8000 }),
    runtimeContainer('web', 1, { startedAtMs: NOW - 5000 }),
  ];
  const waitingFor = new Map([['api', { reason: 'ErrImagePull', message: 'nope' }]]);
  const status = computePodStatus(pod, sandbox, all, NO_PROBE_RESULTS, NOW, { nodeIP: '10.0.0.5', waiting: waitingFor });
  t.equal(status.phase, 'Pending', 'api still waits for its first run');
  t.equal(status.podIP, '10.1.1.1');
  t.equal(status.hostIP, '10.0.0.5');
  t.equal(status.qosClass, 'Burstable');
  t.equal(status.startTime, formatRfc3339(NOW));
  t.same(status.containerStatuses?.map((c) => c.name), ['api', 'web'], 'sorted by name');
  const web = status.containerStatuses?.[1];
  t.match(web, {
    restartCount: 1,
    ready: true,
    started: true,
    containerID: 'flotilla://web-1',
    state: { running: { startedAt: formatRfc3339(NOW - 5000) } },
    lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: formatRfc3339(NOW - 9000), finishedAt: formatRfc3339(NOW - 8000), containerID: 'flotilla://web-0' } },
  });
  t.same(status.containerStatuses?.[0]?.state, { waiting: { reason: 'ErrImagePull', message: 'nope' } });
  t.match(status.conditions?.find((c) => c.type === 'ContainersReady'), { status: 'False', message: 'containers with unready status: [api]' });

  // Same inputs later: the same status (times kept), so nothing is rewritten.
  const later = computePodStatus({ ...pod, status }, sandbox, all, NO_PROBE_RESULTS, NOW + 60_000, { nodeIP: '10.0.0.5', waiting: waitingFor });
  t.ok(podStatusEqual(later, status), 'stable while nothing changes');

  // Probe verdicts: not started yet (startup probe), not ready (readiness probe).
  const probed = computePodStatus(pod, sandbox, all, { ready: new Map([['web-1', false]]), started: new Map([['web-1', false]]) }, NOW, { nodeIP: '10.0.0.5' });
  t.match(probed.containerStatuses?.find((c) => c.name === 'web'), { ready: false, started: false });
  t.end();
});

void t.test('computePodStatus: a terminal phase stays, failure reason, Succeeded pods are PodCompleted', (t) => {
  const pod: Pod = { metadata: { name: 'p', namespace: 'd', uid: 'u' }, spec: { restartPolicy: 'Never', containers: [{ name: 'job', image: 'busybox' }] } };
  const done = [runtimeContainer('job', 0, { state: 'exited', exitCode: 0, startedAtMs: NOW - 5000, finishedAtMs: NOW - 1000 })];
  const status = computePodStatus(pod, sandbox, done, NO_PROBE_RESULTS, NOW, { nodeIP: '10.0.0.5' });
  t.equal(status.phase, 'Succeeded');
  t.match(status.conditions?.find((c) => c.type === 'Ready'), { status: 'False', reason: 'PodCompleted' });
  const again = computePodStatus({ ...pod, status }, sandbox, [], NO_PROBE_RESULTS, NOW, { nodeIP: '10.0.0.5' });
  t.equal(again.phase, 'Succeeded', 'never leaves a terminal phase');
  const failed = computePodStatus(pod, sandbox, [], NO_PROBE_RESULTS, NOW, { nodeIP: '10.0.0.5', failure: { reason: 'DeadlineExceeded', message: 'm' } });
  t.match(failed, { phase: 'Failed', reason: 'DeadlineExceeded', message: 'm' });
  t.end();
});
