// Real processes: a deleted pod's container runs its preStop hook, gets SIGTERM, and the pod
// object goes once it has exited; one that ignores SIGTERM is killed after the grace period; a
// container over its memory limit is OOMKilled (137; root only: it needs a cgroup).
import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { isNotFound } from '../../../core/index.js';
import { waitUntil } from '../harness/index.js';
import { IS_ROOT, NAMESPACE, PODS, PodCluster, processGroupAlive } from './pod-cluster.js';

const GRACE_SECONDS = 3;

async function runningContainerId(cluster: PodCluster, name: string): Promise<string> {
  return cluster.waitForPod(name, 'its container running', (pod) => {
    const cs = pod.status?.containerStatuses?.[0];
    return cs?.state?.running !== undefined ? cs.containerID : undefined;
  });
}

async function waitForPodGone(cluster: PodCluster, name: string, timeoutMs: number): Promise<void> {
  await waitUntil(async () => cluster.pod(name).then(() => false, (err: unknown) => isNotFound(err)), { timeoutMs, pollMs: 100, what: () => `pod ${name} to be gone` });
}

/** Passes once no process of the container's group is left (SIGKILLed processes take a moment to go). */
async function waitForGroupGone(t: Test, pid: number | undefined, what: string): Promise<void> {
  if (pid === undefined) return void t.fail(`${what}: no pid recorded`);
  const gone = await waitUntil(() => !processGroupAlive(pid), { timeoutMs: 10_000, what: () => `process group ${pid} to end` }).then(() => true, () => false);
  t.ok(gone, what);
}

async function waitForStarted(cluster: PodCluster, containerID: string): Promise<void> {
  await waitUntil(() => cluster.containerLog(containerID).includes('started'), { timeoutMs: 30_000, what: () => `container ${containerID} to print "started"` });
}

void t.test('termination', async (t) => {
  const cluster = await PodCluster.start(t);

  await t.test('a graceful deletion runs preStop, sends SIGTERM, and removes the pod once the container exited', async (t) => {
    // Unique path: without isolation (not root), containers share the host's /tmp.
    const marker = `/tmp/prestop-${randomUUID()}`;
    await cluster.createPod('graceful', {
      terminationGracePeriodSeconds: GRACE_SECONDS,
      containers: [
        {
          name: 'app',
          image: 'flotilla/shell',
          command: ['sh', '-c', `trap 'echo got TERM; cat ${marker} || echo no preStop; rm -f ${marker}; exit 0' TERM; echo started; while true; do sleep 0.2; done`],
          lifecycle: { preStop: { exec: { command: ['sh', '-c', `echo preStop ran > ${marker}`] } } },
        },
      ],
    });
    const containerID = await runningContainerId(cluster, 'graceful');
    // Its command has started (and set its trap) once it printed; before, the container is still building its root.
    await waitForStarted(cluster, containerID);
    const log = cluster.holdContainerLog(t, containerID);
    const pid = cluster.containerRecord(containerID)?.pid;
    t.ok(pid !== undefined && processGroupAlive(pid), 'the container runs');

    await cluster.client.delete({ ...PODS, namespace: NAMESPACE, name: 'graceful' });
    await waitForPodGone(cluster, 'graceful', 30_000);
    // The runtime signals the container's whole process group (Kubernetes signals only its init), so
    // the shell may also report its `sleep` child as "Terminated": only our own lines are compared.
    const ours = log.lines().filter((l) => ['started', 'got TERM', 'preStop ran', 'no preStop'].includes(l));
    t.same(ours, ['started', 'got TERM', 'preStop ran'], 'preStop ran before SIGTERM, which the container trapped');
    await waitForGroupGone(t, pid, 'no process of the container is left');
    const killing = (await cluster.podEvents('graceful')).find((e) => e.reason === 'Killing');
    t.match(killing, { message: 'Stopping container app', involvedObject: { fieldPath: 'spec.containers{app}' } }, 'a Killing Event');
  });

  await t.test('a container ignoring SIGTERM is killed after the grace period', async (t) => {
    await cluster.createPod('stubborn', {
      terminationGracePeriodSeconds: GRACE_SECONDS,
      containers: [{ name: 'app', image: 'flotilla/shell', command: ['sh', '-c', "trap '' TERM; echo started; while true; do sleep 0.2; done"] }],
    });
    const containerID = await runningContainerId(cluster, 'stubborn');
    await waitForStarted(cluster, containerID);
    const pid = cluster.containerRecord(containerID)?.pid;
    t.ok(pid !== undefined && processGroupAlive(pid), 'the container runs');
    const deletedAtMs = Date.now();
    await cluster.client.delete({ ...PODS, namespace: NAMESPACE, name: 'stubborn' });
    await waitForPodGone(cluster, 'stubborn', 30_000);
    const tookMs = Date.now() - deletedAtMs;
    // A lower bound only: the kubelet must have waited out the grace before SIGKILL.
    t.ok(tookMs >= GRACE_SECONDS * 1000, `the deletion waited out the ${GRACE_SECONDS} s grace (${tookMs} ms)`);
    await waitForGroupGone(t, pid, 'then the container was killed');
  });

  await t.test('a container over its memory limit is OOMKilled', { skip: IS_ROOT ? false : 'memory limits need cgroups (root on Linux)' }, async (t) => {
    await cluster.createPod('oom', {
      restartPolicy: 'Never',
      containers: [{ name: 'app', image: 'flotilla/shell', command: ['sh', '-c', 'echo allocating; exec tail /dev/zero'], resources: { limits: { memory: '32Mi' } } }],
    });
    const pod = await cluster.waitForPod('oom', 'the container terminated', (p) => (p.status?.containerStatuses?.[0]?.state?.terminated !== undefined ? p : undefined), 60_000);
    t.match(pod.status?.containerStatuses?.[0]?.state?.terminated, { reason: 'OOMKilled', exitCode: 137 }, 'terminated: OOMKilled, exit code 137');
    t.equal(pod.status?.phase, 'Failed', 'the pod failed (restartPolicy Never)');
  });
});
