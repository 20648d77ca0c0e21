// Real processes: liveness probes (exec, and httpGet against the pod's IP) restart a container that
// fails them, with Unhealthy and Killing Events, and leave a healthy one alone; a readiness probe
// keeps a running pod out of Ready until it passes.
import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { Pod } from '../../../core/index.js';
import { sleep } from '../harness/index.js';
import { PodCluster } from './pod-cluster.js';

const readyCondition = (pod: Pod): string | undefined => pod.status?.conditions?.find((c) => c.type === 'Ready')?.status;

void t.test('probes', async (t) => {
  // Probes need no isolation: this worker runs plain processes even as root, and says so.
  const cluster = await PodCluster.start(t, { workerArgs: ['--no-isolation'] });
  const ready = (await cluster.node()).status?.conditions?.find((c) => c.type === 'Ready');
  t.match(ready, { status: 'True', message: /without namespaces: isolation turned off with --no-isolation/ }, 'the Node\'s Ready condition says why containers are not isolated');
  // Unique paths: without isolation (not root), containers share the host's /tmp.
  const healthy = `/tmp/healthy-${randomUUID()}`;
  const readyFile = `/tmp/ready-${randomUUID()}`;
  await cluster.createPod('liveness-exec', {
    containers: [
      {
        name: 'app',
        image: 'flotilla/shell',
        command: ['sh', '-c', `touch ${healthy}; echo started; sleep 3; rm -f ${healthy}; echo unhealthy now; exec sleep 600`],
        livenessProbe: { exec: { command: ['sh', '-c', `test -f ${healthy}`] }, periodSeconds: 1, failureThreshold: 2 },
      },
    ],
    terminationGracePeriodSeconds: 2,
  });
  await cluster.createPod('liveness-http', {
    containers: [{ name: 'web', image: 'flotilla/echo', livenessProbe: { httpGet: { path: '/healthz', port: 9 }, periodSeconds: 1, failureThreshold: 2 } }],
    terminationGracePeriodSeconds: 2,
  });
  await cluster.createPod('liveness-ok', {
    containers: [
      {
        name: 'web',
        image: 'flotilla/echo',
        // The server takes a moment to listen (longer on a loaded machine): the startup probe holds the liveness probe back until then.
        startupProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1, failureThreshold: 60 },
        livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1, failureThreshold: 1 },
      },
    ],
  });

  await t.test('an exec liveness probe that starts failing restarts the container', async (t) => {
    const cs = await cluster.waitForPod('liveness-exec', 'a restart', (p) => ((p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? p.status!.containerStatuses![0]! : undefined), 60_000);
    t.ok(cs.lastState?.terminated !== undefined, 'the killed run is the last state');
    const unhealthy = await cluster.waitForEvent('liveness-exec', 'Unhealthy', /^Liveness probe failed/);
    t.match(unhealthy, { type: 'Warning', involvedObject: { kind: 'Pod', fieldPath: 'spec.containers{app}' }, source: { component: 'kubelet' } }, 'an Unhealthy Event about the container');
    await cluster.waitForEvent('liveness-exec', 'Killing', /^Container app failed liveness probe, will be restarted$/);
    t.pass('a Killing Event says why the container restarts');
  });

  await t.test('an httpGet liveness probe against a closed port restarts the container', async (t) => {
    await cluster.waitForPod('liveness-http', 'a restart', (p) => ((p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? true : undefined), 60_000);
    const unhealthy = await cluster.waitForEvent('liveness-http', 'Unhealthy', /^Liveness probe failed: /);
    t.match(unhealthy.message, /[\d.]+:9\b.*connection refused/, `the Event says why (${unhealthy.message})`);
  });

  await t.test('a passing httpGet liveness probe (to the pod IP) leaves the container alone', async (t) => {
    const pod = await cluster.waitForPod('liveness-ok', 'Ready', (p) => (readyCondition(p) === 'True' ? p : undefined));
    t.equal(pod.status?.containerStatuses?.[0]?.started, true, 'the startup probe passed');
    // A few liveness periods with the probe passing.
    await sleep(3_000);
    t.equal((await cluster.pod('liveness-ok')).status?.containerStatuses?.[0]?.restartCount, 0, 'never restarted');
    const unhealthy = (await cluster.podEvents('liveness-ok')).filter((e) => e.reason === 'Unhealthy' && /^Liveness/.test(e.message ?? '')).map((e) => e.message);
    t.same(unhealthy, [], 'no failed liveness probe');
  });

  await t.test('a readiness probe gates Ready: False while it fails, then True', async (t) => {
    await cluster.createPod('readiness', {
      containers: [
        {
          name: 'app',
          image: 'flotilla/shell',
          command: ['sh', '-c', `rm -f ${readyFile}; sleep 8; touch ${readyFile}; echo ready now; exec sleep 600`],
          readinessProbe: { exec: { command: ['sh', '-c', `test -f ${readyFile}`] }, periodSeconds: 1 },
        },
      ],
      terminationGracePeriodSeconds: 1,
    });
    const notReady = await cluster.waitForPod('readiness', 'Running and not Ready', (p) => (p.status?.containerStatuses?.[0]?.state?.running !== undefined && readyCondition(p) === 'False' ? p : undefined));
    t.equal(notReady.status?.containerStatuses?.[0]?.ready, false, 'the container is not ready');
    t.match(notReady.status?.conditions?.find((c) => c.type === 'ContainersReady'), { status: 'False' }, 'ContainersReady is False');
    const readyPod = await cluster.waitForPod('readiness', 'Ready', (p) => (readyCondition(p) === 'True' ? p : undefined), 30_000);
    t.equal(readyPod.status?.containerStatuses?.[0]?.ready, true, 'then the container is ready');
    t.equal(readyPod.status?.containerStatuses?.[0]?.restartCount, 0, 'readiness failures do not restart it');
    t.ok((await cluster.podEvents('readiness')).some((e) => e.reason === 'Unhealthy' && /^Readiness probe failed/.test(e.message ?? '')), 'an Unhealthy Event for the readiness failures');
  });
});
